/**
 * The core's idle timer for one session (RFC 5321 §4.5.3.2 command and data-block timeouts, the
 * TLS handshake, the error tarpit), armed on a Node timer. The only place that speaks the core's
 * `pendingTimeout()` / `handleTimeout(id)` API.
 */
import type { ServerConnection } from '../server-connection.js';

/** One Node timer kept for one timer name: re-armed with `refresh()` rather than made anew. */
interface Slot {
  readonly name: string;
  readonly ms: number;
  readonly timer: NodeJS.Timeout;
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
  private slots: Slot[] = [];
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
        armed.timer.refresh();
      }
      return;
    }
    this.id = t.id;
    this.armed = this.slot(t.name, t.ms);
  }

  /** The Node timer of `name`, re-armed for `ms` from now (a new one when its ms changed). */
  private slot(name: string, ms: number): Slot {
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      if (s.name !== name) continue;
      if (s.ms === ms) {
        s.timer.refresh();
        return s;
      }
      clearTimeout(s.timer);
      slots.splice(i, 1);
      break;
    }
    const slot: Slot = { name, ms, timer: setTimeout(() => this.fire(slot), ms) };
    slot.timer.unref();
    slots.push(slot);
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
    for (const s of this.slots) clearTimeout(s.timer);
    this.slots = [];
  }
}
