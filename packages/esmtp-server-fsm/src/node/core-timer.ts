/**
 * The core's idle timer for one session (RFC 5321 §4.5.3.2 command and data-block timeouts, the
 * TLS handshake, the error tarpit), armed on a Node timer. The only place that speaks the core's
 * `pendingTimeout()` / `handleTimeout()` API.
 */
import type { ServerConnection } from '../server-connection.js';

/**
 * One session's idle timer: armed for what `pendingTimeout()` reports, restarted while the same
 * timer stays pending, fired through the session's guarded entry into `handleTimeout()`.
 */
export class IdleTimer {
  private timer: NodeJS.Timeout | undefined;
  private name: string | undefined;
  private ms = 0;
  private readonly expire = (): void => this.conn.handleTimeout();
  private readonly fire = (): void => {
    this.timer = undefined;
    this.enter(this.expire);
  };

  constructor(
    private readonly conn: ServerConnection,
    /** Runs `fn` as an entry into the session (guarded, then the session pumps). */
    private readonly enter: (fn: () => void) => void,
  ) {}

  /**
   * Arms what the core asks for now (call after each `nextEvent()` loop). The same timer still
   * pending restarts (input arrived), without a new allocation; the tarpit (`error-delay`) runs
   * to its end whatever the client sends meanwhile.
   */
  sync(): void {
    const t = this.conn.pendingTimeout();
    if (t !== undefined && this.timer !== undefined && this.name === t.timer && this.ms === t.ms) {
      if (t.timer !== 'error-delay') this.timer.refresh();
      return;
    }
    this.clear();
    if (t === undefined) return;
    this.name = t.timer;
    this.ms = t.ms;
    this.timer = setTimeout(this.fire, t.ms);
    this.timer.unref();
  }

  /** Disarms it (session over, or about to end). */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
