/**
 * A Node timer kept for its owner's lifetime (a session, or one session's deadline) and re-armed
 * with `refresh()` rather than made anew: a session arms the same kinds of timer for every
 * message. Unref'd, so it never keeps the process alive.
 */
export class KeptTimer {
  private timer: NodeJS.Timeout | undefined;
  private ms = 0;

  constructor(private readonly fire: () => void) {}

  /** Runs `fire` `ms` from now, replacing any earlier arming (a new Node timer only when `ms` changed). */
  arm(ms: number): void {
    if (this.timer !== undefined && this.ms === ms) {
      this.timer.refresh();
      return;
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.ms = ms;
    this.timer = setTimeout(this.fire, ms);
    this.timer.unref();
  }

  /** Cancels it; the next `arm()` makes a new Node timer. */
  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
