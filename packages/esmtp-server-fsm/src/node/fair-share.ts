/**
 * Fair share under abuse: one host cannot take every slot (a per-client-address connection
 * limit), and a trickle cannot keep one (the core's deadlines, armed here, and a minimum data
 * rate over message bodies).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { ipv6Groups } from '@smtpkit/foundation';
import type { ServerConnection } from 'esmtp-server-fsm';
import { KeptTimer } from './kept-timer.js';

/** The 16 bytes of an IPv6 address in text form (zone id ignored); undefined when it is not one. */
function ipv6Bytes(text: string): Uint8Array | undefined {
  const zone = text.indexOf('%');
  const s = zone >= 0 ? text.slice(0, zone) : text;
  if (!isIPv6(s)) return undefined;
  const bytes = new Uint8Array(16);
  const all = ipv6Groups(s);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

/** The first `bits` bits of `bytes` as hex, the rest cleared. */
function prefixHex(bytes: Uint8Array, bits: number): string {
  let hex = '';
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - 8 * i));
    const b = bytes[i]! & ((0xff << (8 - keep)) & 0xff);
    hex += b.toString(16).padStart(2, '0');
  }
  return hex;
}

/**
 * The key a client address is counted under in the per-client limit: its network of
 * `ipv4Prefix` / `ipv6Prefix` bits (an IPv4-mapped IPv6 address, as a dual-stack socket reports
 * an IPv4 client, is IPv4). A host is given a whole IPv6 /64 and can pick any address in it, so
 * counting exact IPv6 addresses would not limit it. An address that is neither is its own key.
 *
 * @example
 * clientKey('2001:db8::1', 32, 64) === clientKey('2001:db8::2:1', 32, 64); // true: one /64
 * clientKey('::ffff:192.0.2.1', 32, 64) === clientKey('192.0.2.1', 32, 64); // true
 */
export function clientKey(address: string, ipv4Prefix: number, ipv6Prefix: number): string {
  const v6 = ipv6Bytes(address);
  let v4: Uint8Array | undefined;
  if (v6 !== undefined) {
    const mapped = v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
    if (!mapped) return `${prefixHex(v6, ipv6Prefix)}/${String(ipv6Prefix)}`;
    v4 = v6.subarray(12);
  } else if (isIPv4(address)) v4 = Uint8Array.from(address.split('.').map(Number));
  if (v4 === undefined) return address;
  return `${prefixHex(v4, ipv4Prefix)}/${String(ipv4Prefix)}`;
}

/**
 * Open sessions per client address (after PROXY resolution), against a per-address limit.
 * `Infinity` turns the count off.
 */
export class ClientSlots {
  private readonly open = new Map<string, number>();

  /** `ipv4Prefix` / `ipv6Prefix`: addresses in one such network share their slots (see `clientKey`). */
  constructor(
    private readonly limit: number,
    private readonly ipv4Prefix = 32,
    private readonly ipv6Prefix = 128,
  ) {}

  /** The key `address` is counted under. */
  key(address: string): string {
    return clientKey(address, this.ipv4Prefix, this.ipv6Prefix);
  }

  /**
   * Takes a slot for `address` (its network, see `key`); false when that already holds `limit`
   * (or no address: always true, nothing counted).
   */
  acquire(address: string | undefined): boolean {
    if (address === undefined || this.limit === Infinity) return true;
    const key = this.key(address);
    const n = this.open.get(key) ?? 0;
    if (n >= this.limit) return false;
    this.open.set(key, n + 1);
    return true;
  }

  /** Whether `acquire(address)` counted a slot that `release(address)` must give back. */
  counts(address: string | undefined): address is string {
    return address !== undefined && this.limit !== Infinity;
  }

  /** Gives back a slot taken by `acquire(address)`. */
  release(address: string): void {
    const key = this.key(address);
    const n = (this.open.get(key) ?? 1) - 1;
    if (n <= 0) this.open.delete(key);
    else this.open.set(key, n);
  }

  /** Open sessions from `address`'s network (for tests and logs). */
  count(address: string): number {
    return this.open.get(this.key(address)) ?? 0;
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
 * byte, one message body or custom verb's block from its first byte, so that a client waiting
 * after the 354 is not charged for the wait: the idle `dataBlock` timeout covers it), armed once
 * per id (input does not restart them), plus the minimum data rate over data phases, counted from
 * the bytes that opened one.
 *
 * Every message has its own data-phase deadline: the Node timers are kept from one message to the
 * next (KeptTimer, re-armed with `refresh()`: the deadline timer, and the rate check, a timer that
 * re-arms itself while the deadline lasts), not made anew; one that runs out after its deadline
 * was stopped is ignored. `stop()` cancels them.
 */
export class SessionDeadline {
  /** The id of the deadline the timer is armed for (undefined: none). */
  private id: number | undefined;
  private readonly timer = new KeptTimer((): void => {
    // undefined: the deadline was stopped before the timer ran out (stale)
    if (this.id !== undefined) this.owner.deadlineExpired(this.id);
  });
  /** Whether the rate check follows the armed deadline. */
  private rating = false;
  private readonly rateTimer = new KeptTimer((): void => this.rateCheck());
  private rateTick = 0;
  /** Bytes received since the last `sync` (the first of a data phase open its deadline). */
  private fresh = 0;
  private bytes = 0;
  private activeMs = 0;

  constructor(
    private readonly owner: DeadlineOwner,
    /** Bytes/s over a message body; `0` or `Infinity`: off. */
    private readonly minRate: number,
    private readonly graceMs: number,
  ) {}

  /** A deadline id is being followed (armed). */
  get active(): boolean {
    return this.id !== undefined;
  }

  /** Follows the core's current deadline (call after each `nextEvent()` loop). */
  sync(conn: ServerConnection): void {
    const d = conn.pendingDeadline();
    const fresh = this.fresh;
    this.fresh = 0;
    if (d?.id === this.id) return;
    this.disarm();
    if (d === undefined) return;
    this.id = d.id;
    this.timer.arm(d.ms);
    const minRate = this.minRate;
    if (d.name !== 'dataPhase' || !(minRate > 0 && minRate !== Infinity)) return;
    // the bytes that opened the data phase are its first ones
    this.bytes = fresh;
    this.activeMs = 0;
    this.rating = true;
    this.rateTick = Math.min(1000, Math.max(50, this.graceMs));
    this.rateTimer.arm(this.rateTick);
  }

  /** `n` bytes arrived from the client (before the core sees them). */
  received(n: number): void {
    this.fresh += n;
    this.bytes += n;
  }

  /** One rate check, then the next (a one-shot timer re-armed while the deadline lasts). */
  private rateCheck(): void {
    if (!this.rating) return;
    this.rateTimer.arm(this.rateTick);
    if (this.owner.notReading()) return;
    this.activeMs += this.rateTick;
    if (this.activeMs >= this.graceMs && (this.bytes * 1000) / this.activeMs < this.minRate) this.owner.deadlineExpired(this.id!);
  }

  /** Stops following the current deadline; its timers stay for the next one (a run-out is ignored). */
  private disarm(): void {
    this.rating = false;
    this.id = undefined;
  }

  /** Stops following the current deadline and cancels the timers (session over, a deadline expired). */
  stop(): void {
    this.disarm();
    this.timer.cancel();
    this.rateTimer.cancel();
  }
}
