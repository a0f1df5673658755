/**
 * Fair share under abuse: one host cannot take every slot (a per-client-address connection
 * limit), and a trickle cannot keep one (the core's deadlines, armed here, and a minimum data
 * rate over message bodies).
 */
import type { ServerConnection } from 'esmtp-server-fsm';
import { KeptTimer } from './kept-timer.js';

/**
 * Open sessions per client address (after PROXY resolution), against a per-address limit.
 * `Infinity` turns the count off.
 */
export class ClientSlots {
  private readonly open = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** Takes a slot for `address`; false when it already holds `limit` (or no address: always true, nothing counted). */
  acquire(address: string | undefined): boolean {
    if (address === undefined || this.limit === Infinity) return true;
    const n = this.open.get(address) ?? 0;
    if (n >= this.limit) return false;
    this.open.set(address, n + 1);
    return true;
  }

  /** Whether `acquire(address)` counted a slot that `release(address)` must give back. */
  counts(address: string | undefined): address is string {
    return address !== undefined && this.limit !== Infinity;
  }

  /** Gives back a slot taken by `acquire`. */
  release(address: string): void {
    const n = (this.open.get(address) ?? 1) - 1;
    if (n <= 0) this.open.delete(address);
    else this.open.set(address, n);
  }

  /** Open sessions from `address` (for tests and logs). */
  count(address: string): number {
    return this.open.get(address) ?? 0;
  }
}

/** What a `SessionDeadline` needs from its session. */
export interface DeadlineOwner {
  /** True while the server itself is not reading (backpressure, a hook): not the client's time. */
  notReading(): boolean;
  /** The deadline `id` expired, or the data rate fell below the minimum over it. */
  deadlineExpired(id: number): void;
}

/**
 * The core's deadlines for one session (`pendingDeadline()`: one command line from its first
 * byte, one message body from its first byte), armed once per id (input does not restart them),
 * plus the minimum data rate over message bodies.
 *
 * The core opens the data-phase deadline at the 354 (or the first BDAT); it is armed here at the
 * first body byte, so that a client waiting for the 354 before it sends is not charged for the
 * wait. The idle `dataBlock` timeout covers the time before that byte.
 *
 * Every message has its own data-phase deadline: the Node timers are kept from one message to the
 * next (KeptTimer, re-armed with `refresh()`: the deadline timer, and the rate check, a timer that
 * re-arms itself while the deadline lasts), not made anew; one that runs out after its deadline
 * was stopped is ignored. `stop()` cancels them.
 */
export class SessionDeadline {
  private id: number | undefined;
  /** The id the deadline timer was armed for (undefined: not armed). */
  private armedId: number | undefined;
  private readonly timer = new KeptTimer((): void => {
    // undefined: the deadline was stopped before the timer ran out (stale)
    if (this.armedId !== undefined) this.owner.deadlineExpired(this.armedId);
  });
  /** Whether the rate check follows the armed deadline. */
  private rating = false;
  private readonly rateTimer = new KeptTimer((): void => this.rateCheck());
  private rateTick = 0;
  /** A data-phase deadline (its ms) waiting for the first body byte. */
  private waitingMs: number | undefined;
  private bytes = 0;
  private activeMs = 0;

  constructor(
    private readonly owner: DeadlineOwner,
    /** Bytes/s over a message body; `0` or `Infinity`: off. */
    private readonly minRate: number,
    private readonly graceMs: number,
  ) {}

  /** A deadline id is being followed (armed, or waiting for the first body byte). */
  get active(): boolean {
    return this.id !== undefined;
  }

  /**
   * Follows the core's current deadline (call after each `nextEvent()` loop). `bodyStarted`:
   * body bytes of the current message already arrived (so a new data-phase deadline starts now).
   */
  sync(conn: ServerConnection, bodyStarted: boolean): void {
    const d = conn.pendingDeadline();
    if (d?.id === this.id) return;
    this.disarm();
    if (d === undefined) return;
    this.id = d.id;
    if (d.name === 'dataPhase') {
      if (bodyStarted) this.start(d.ms, true);
      else this.waitingMs = d.ms;
    } else this.start(d.ms, false);
  }

  /** `n` bytes arrived from the client (before the core sees them). */
  received(n: number): void {
    if (this.waitingMs !== undefined) {
      const ms = this.waitingMs;
      this.waitingMs = undefined;
      this.start(ms, true);
    }
    this.bytes += n;
  }

  private start(ms: number, data: boolean): void {
    this.armedId = this.id!;
    this.timer.arm(ms);
    const minRate = this.minRate;
    if (!data || !(minRate > 0 && minRate !== Infinity)) return;
    this.bytes = 0;
    this.activeMs = 0;
    this.rating = true;
    this.rateTick = Math.min(1000, Math.max(50, this.graceMs));
    this.rateTimer.arm(this.rateTick);
  }

  /** One rate check, then the next (a one-shot timer re-armed while the deadline lasts). */
  private rateCheck(): void {
    if (!this.rating) return;
    this.rateTimer.arm(this.rateTick);
    if (this.owner.notReading()) return;
    this.activeMs += this.rateTick;
    if (this.activeMs >= this.graceMs && (this.bytes * 1000) / this.activeMs < this.minRate) this.owner.deadlineExpired(this.armedId!);
  }

  /** Stops following the current deadline; its timers stay for the next one (a run-out is ignored). */
  private disarm(): void {
    this.armedId = undefined;
    this.rating = false;
    this.waitingMs = undefined;
    this.id = undefined;
  }

  /** Stops following the current deadline and cancels the timers (session over, a deadline expired). */
  stop(): void {
    this.disarm();
    this.timer.cancel();
    this.rateTimer.cancel();
  }
}
