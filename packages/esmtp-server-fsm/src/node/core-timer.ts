/**
 * The core's idle timer for one session (RFC 5321 §4.5.3.2 command and data-block timeouts, the
 * TLS handshake, the error tarpit), armed on a Node timer. The only place that speaks the core's
 * `pendingTimeout()` / `handleTimeout(id)` API.
 */
import type { ServerConnection } from '../server-connection.js';

/**
 * One session's idle timer: armed for what `pendingTimeout()` reports, restarted while the same
 * timer stays pending, fired through the session's guarded entry into `handleTimeout(id)`.
 */
export class IdleTimer {
  private timer: NodeJS.Timeout | undefined;
  private name: string | undefined;
  private ms = 0;
  private id = -1;
  private readonly expire = (): void => this.conn.handleTimeout(this.id);
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
   * Arms what the core asks for now (call after each `nextEvent()` loop). An unchanged `id` keeps
   * the running timer (the tarpit runs to its end whatever the client sends meanwhile); a new id
   * for the same timer restarts it (input arrived) without a new allocation.
   */
  sync(): void {
    const t = this.conn.pendingTimeout();
    if (t !== undefined && this.timer !== undefined && this.name === t.name && this.ms === t.ms) {
      if (t.id !== this.id) {
        this.id = t.id;
        this.timer.refresh();
      }
      return;
    }
    this.clear();
    if (t === undefined) return;
    this.name = t.name;
    this.ms = t.ms;
    this.id = t.id;
    this.timer = setTimeout(this.fire, t.ms);
    this.timer.unref();
  }

  /** Disarms it (session over, or about to end). */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
