/**
 * The core's idle timer for one session (RFC 5321 §4.5.3.2 command and data-block timeouts, the
 * TLS handshake, the error tarpit), armed on a Node timer. The only place that speaks the core's
 * `pendingTimeout()` / `handleTimeout(id)` API.
 */
import type { ServerConnection } from 'esmtp-server-fsm';
import { KeptTimer } from './kept-timer.js';

/** One kept Node timer per timer name, re-armed with `refresh()` rather than made anew. */
interface Slot {
  readonly name: string;
  /** The ms it was last armed for. */
  ms: number;
  readonly timer: KeptTimer;
}

/**
 * One session's idle timer: armed for what `pendingTimeout()` reports, restarted while the same
 * timer stays pending, fired through the session's guarded entry into `handleTimeout(id)`.
 *
 * A session goes from one timer to another for every message (`command`, then `dataBlock` for
 * the body, none while `onData` decides, `command` again): each name keeps its Node timer,
 * re-armed with `refresh()`. A timer that is no longer the armed one may still run out; it is
 * then ignored. `clear()` cancels them all.
 */
export class IdleTimer {
  /** The Node timers made so far, one per name (a session uses two or three). */
  private readonly slots: Slot[] = [];
  /** The armed timer (undefined: none armed). */
  private armed: Slot | undefined;
  private id = -1;
  private readonly expire = (): void => this.conn.handleTimeout(this.id);

  constructor(
    private readonly conn: ServerConnection,
    /** Runs `fn` as an entry into the session (guarded, then the session pumps). */
    private readonly enter: (fn: () => void) => void,
  ) {}

  /**
   * Arms what the core asks for now (call after each `nextEvent()` loop). An unchanged `id` keeps
   * the running timer (the tarpit runs to its end whatever the client sends meanwhile); a new id
   * for the same timer restarts it (input arrived) without a new allocation.
   */
  sync(): void {
    const t = this.conn.pendingTimeout();
    const armed = this.armed;
    if (t === undefined) {
      this.armed = undefined;
      return;
    }
    if (armed !== undefined && armed.name === t.name && armed.ms === t.ms) {
      if (t.id !== this.id) {
        this.id = t.id;
        armed.timer.arm(armed.ms);
      }
      return;
    }
    this.id = t.id;
    this.armed = this.slot(t.name, t.ms);
  }

  /** The kept timer of `name`, re-armed for `ms` from now. */
  private slot(name: string, ms: number): Slot {
    let slot: Slot | undefined;
    for (const s of this.slots) if (s.name === name) slot = s;
    if (slot === undefined) {
      const made: Slot = { name, ms, timer: new KeptTimer(() => this.fire(made)) };
      this.slots.push((slot = made));
    }
    slot.ms = ms;
    slot.timer.arm(ms);
    return slot;
  }

  private fire(slot: Slot): void {
    // a timer that ran out after another one was armed (or none) is stale
    if (this.armed !== slot) return;
    this.armed = undefined;
    this.enter(this.expire);
  }

  /** Disarms it (session over, or about to end). */
  clear(): void {
    this.armed = undefined;
    for (const s of this.slots) s.timer.cancel();
  }
}
