/**
 * PROXY protocol v1 (text) and v2 (binary) header parsing, strict and bounded (HAProxy spec
 * "The PROXY protocol", versions 1 and 2).
 */
import { SocketAddress, isIPv4, isIPv6 } from 'node:net';
import type { Socket } from 'node:net';
import { SmtpServerError } from 'esmtp-server-fsm';

/**
 * Addresses carried by a PROXY header (undefined for `UNKNOWN` / `LOCAL`).
 *
 * @example
 * ```ts
 * const info: ProxyInfo = { version: 1, sourceAddress: '192.0.2.1', sourcePort: 40000 };
 * ```
 * @see HAProxy PROXY protocol §2
 */
export interface ProxyInfo {
  readonly version: 1 | 2;
  readonly sourceAddress?: string;
  readonly sourcePort?: number;
  readonly destinationAddress?: string;
  readonly destinationPort?: number;
}

/**
 * Result of feeding bytes: need more, a parsed header plus leftover bytes, or an error.
 *
 * @example
 * ```ts
 * const r = parseProxyHeader(buf); if (r.status === 'done') start(r.info, r.rest);
 * ```
 * @see HAProxy PROXY protocol §2
 */
export type ProxyParseResult =
  | { readonly status: 'incomplete' }
  | { readonly status: 'done'; readonly info: ProxyInfo; readonly rest: Uint8Array }
  | { readonly status: 'error'; readonly message: string };

const V2_SIG = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];
const V1_MAX = 107;

function ipv4(b: Uint8Array, o: number): string {
  return `${String(b[o])}.${String(b[o + 1])}.${String(b[o + 2])}.${String(b[o + 3])}`;
}

/**
 * An IPv6 address in the text form the kernel and Node's `remoteAddress` use (RFC 5952: lower
 * case, the longest run of two or more zero groups as `::`, an IPv4-mapped or -compatible address
 * with its IPv4 tail), so that one client has one address whether it came through PROXY v1, v2 or
 * directly (the per-address limit, `isTrusted`, logs); v1 TCP6 addresses are put in the same form.
 */
function ipv6(b: Uint8Array, o: number): string {
  const w: number[] = [];
  for (let i = 0; i < 16; i += 2) w.push((b[o + i]! << 8) | b[o + i + 1]!);
  let base = -1;
  let len = 0;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > len && j - i > 1) [base, len] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  if (base === 0 && (len === 6 || (len === 5 && w[5] === 0xffff))) return `::${len === 5 ? 'ffff:' : ''}${ipv4(b, o + 12)}`;
  const hex = (from: number, to: number): string => w.slice(from, to).map((x) => x.toString(16)).join(':');
  return base < 0 ? hex(0, 8) : `${hex(0, base)}::${hex(base + len, 8)}`;
}

/** A decimal number without leading zeros ("0" itself is fine), at most `max`. */
function decimal(s: string, maxDigits: number, max: number): boolean {
  if (s.length < 1 || s.length > maxDigits || (s.length > 1 && s.charCodeAt(0) === 48)) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return Number(s) <= max;
}

/** A dotted-quad IPv4 address; Node's parser refuses leading zeros. */
function validV4(s: string): boolean {
  return isIPv4(s);
}

/** An IPv6 address as a proxy prints it (RFC 4291 §2.2): no zone id, no group with a leading zero. */
function validV6(s: string): boolean {
  return isIPv6(s) && !s.includes('%') && !/(?:^|:)0[0-9a-f]/i.test(s);
}

function validPort(s: string): boolean {
  return decimal(s, 5, 65535);
}

/**
 * Parses a PROXY header at the start of `data` (the bytes received so far).
 *
 * @example
 * ```ts
 * parseProxyHeader(Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 1000 25\r\n'));
 * ```
 * @see HAProxy PROXY protocol §2.1 (v1), §2.2 (v2)
 */
export function parseProxyHeader(data: Uint8Array): ProxyParseResult {
  if (data.length === 0) return { status: 'incomplete' };
  if (data[0] === 0x0d) {
    // v2
    for (let i = 0; i < V2_SIG.length && i < data.length; i++) if (data[i] !== V2_SIG[i]) return { status: 'error', message: 'bad PROXY v2 signature' };
    if (data.length < 16) return { status: 'incomplete' };
    const verCmd = data[12]!;
    if (verCmd >> 4 !== 2) return { status: 'error', message: 'bad PROXY v2 version' };
    const cmd = verCmd & 0x0f;
    const fam = data[13]!;
    const len = (data[14]! << 8) | data[15]!;
    if (len > 2048) return { status: 'error', message: 'PROXY v2 header too long' };
    if (data.length < 16 + len) return { status: 'incomplete' };
    const rest = data.subarray(16 + len);
    if (cmd === 0) return { status: 'done', info: { version: 2 }, rest };
    if (cmd !== 1) return { status: 'error', message: 'bad PROXY v2 command' };
    if (fam === 0x11 || fam === 0x12) {
      if (len < 12) return { status: 'error', message: 'short PROXY v2 IPv4 block' };
      return {
        status: 'done',
        info: { version: 2, sourceAddress: ipv4(data, 16), destinationAddress: ipv4(data, 20), sourcePort: (data[24]! << 8) | data[25]!, destinationPort: (data[26]! << 8) | data[27]! },
        rest,
      };
    }
    if (fam === 0x21 || fam === 0x22) {
      if (len < 36) return { status: 'error', message: 'short PROXY v2 IPv6 block' };
      return {
        status: 'done',
        info: { version: 2, sourceAddress: ipv6(data, 16), destinationAddress: ipv6(data, 32), sourcePort: (data[48]! << 8) | data[49]!, destinationPort: (data[50]! << 8) | data[51]! },
        rest,
      };
    }
    return { status: 'done', info: { version: 2 }, rest };
  }
  // v1
  const prefix = 'PROXY ';
  for (let i = 0; i < prefix.length && i < data.length; i++) if (data[i] !== prefix.charCodeAt(i)) return { status: 'error', message: 'missing PROXY header' };
  let end = -1;
  for (let i = 0; i < data.length && i < V1_MAX; i++) {
    if (data[i] === 0x0a) {
      end = i;
      break;
    }
  }
  if (end < 0) return data.length >= V1_MAX ? { status: 'error', message: 'PROXY v1 header too long' } : { status: 'incomplete' };
  if (data[end - 1] !== 0x0d) return { status: 'error', message: 'PROXY v1 header must end with CRLF' };
  const line = new TextDecoder().decode(data.subarray(0, end - 1));
  const f = line.split(' ');
  const rest = data.subarray(end + 1);
  if (f[1] === 'UNKNOWN') return { status: 'done', info: { version: 1 }, rest };
  if (f.length !== 6 || (f[1] !== 'TCP4' && f[1] !== 'TCP6')) return { status: 'error', message: 'malformed PROXY v1 header' };
  const [, proto, src, dst, sport, dport] = f as [string, string, string, string, string, string];
  const ok = proto === 'TCP4' ? validV4(src) && validV4(dst) : validV6(src) && validV6(dst);
  if (!ok || !validPort(sport) || !validPort(dport)) return { status: 'error', message: 'malformed PROXY v1 header' };
  // IPv6 in the form v2 and Node's remoteAddress give (`2001:DB8:0:0::1` is `2001:db8::1`)
  const text = (a: string): string => (proto === 'TCP4' ? a : new SocketAddress({ address: a, family: 'ipv6' }).address);
  return { status: 'done', info: { version: 1, sourceAddress: text(src), destinationAddress: text(dst), sourcePort: Number(sport), destinationPort: Number(dport) }, rest };
}

/**
 * A malformed PROXY header: the peer's fault (a client that talks SMTP or HTTP to a port that
 * expects a proxy, a misconfigured balancer). `createServer` gives it to `onError` and logs it at
 * `warn` (`bad PROXY header`) with the address it came from, then closes the connection; it is
 * never thrown at the application. An esmtp-server-fsm error (`isSmtpServerError` is true) with
 * the stable code `ERR_SMTP_PROXY_HEADER_INVALID` and `kind: 'remote'`; check the code (or
 * `instanceof ProxyHeaderError` within one copy of the package).
 *
 * @example
 * ```ts
 * createServer({ proxyProtocol: true, onError: (e) => { if (isSmtpServerError(e) && e.code === 'ERR_SMTP_PROXY_HEADER_INVALID') metrics.badProxy++; } });
 * ```
 * @see HAProxy PROXY protocol §2
 */
export class ProxyHeaderError extends SmtpServerError {
  declare readonly code: 'ERR_SMTP_PROXY_HEADER_INVALID';
  /** The peer broke the protocol. */
  override readonly kind = 'remote';
  constructor(
    message: string,
    /** The address of the connection that sent it (the proxy's, or a client's that bypassed it). */
    readonly remoteAddress: string | undefined,
  ) {
    super('ERR_SMTP_PROXY_HEADER_INVALID', message);
    Object.defineProperty(this, 'name', { value: 'ProxyHeaderError', enumerable: false, configurable: true, writable: true });
  }
}

/** Largest PROXY header accepted while waiting for its end (v2: 16 + 2048 bytes would be refused earlier). */
const HEADER_BUFFER_LIMIT = 4096;
/**
 * How long a connection may take to send its whole PROXY header, from its accept, in ms (the
 * default of `createServer`'s `timeouts.proxyHeader`).
 *
 * @example
 * ```ts
 * createServer({ proxyProtocol: true, timeouts: { proxyHeader: DEFAULT_PROXY_HEADER_TIMEOUT_MS / 2 } });
 * ```
 */
export const DEFAULT_PROXY_HEADER_TIMEOUT_MS = 10_000;

/** How `readProxyHeader` bounds the wait. */
export interface ProxyHeaderWait {
  /**
   * Ms from the call (the accept) to the header's end, whatever trickles in meanwhile; `0` or
   * `Infinity`: no timer. Default `DEFAULT_PROXY_HEADER_TIMEOUT_MS`.
   */
  readonly timeoutMs?: number;
  /** Called once when the timeout runs out, just before the socket is destroyed. */
  readonly expired?: () => void;
}

/**
 * Reads the PROXY header at the start of an accepted connection: strict, bounded in size
 * (4 KiB) and time (`wait.timeoutMs`, 10 s by default, one deadline from this call that data does
 * not push back; the timer ends with the socket if it closes first). `done(info, rest)` runs with
 * the socket paused and the bytes that followed the header; a malformed header calls `failed`
 * with a `ProxyHeaderError` and destroys the socket; a header not complete in time calls
 * `wait.expired` and destroys the socket; a bug in the header path (an exception) ends this
 * connection only, through `failed`.
 */
export function readProxyHeader(socket: Socket, done: (info: ProxyInfo, rest: Uint8Array) => void, failed: (error: unknown) => void, wait: ProxyHeaderWait = {}): void {
  let buf: Uint8Array = new Uint8Array(0);
  const ms = wait.timeoutMs ?? DEFAULT_PROXY_HEADER_TIMEOUT_MS;
  // armed once, here: a header sent a byte at a time is cut at the same moment as a silent peer
  const timer =
    ms > 0 && ms !== Infinity
      ? setTimeout(() => {
          stop();
          try {
            wait.expired?.();
          } finally {
            socket.destroy();
          }
        }, ms)
      : undefined;
  timer?.unref();
  const stop = (): void => {
    clearTimeout(timer);
    socket.removeListener('data', onData);
    socket.removeListener('close', stop);
  };
  const onData = (chunk: Buffer): void => {
    try {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      const r = parseProxyHeader(buf);
      if (r.status === 'incomplete') {
        if (buf.length > HEADER_BUFFER_LIMIT) socket.destroy();
        return;
      }
      stop();
      socket.pause();
      if (r.status === 'error') {
        failed(new ProxyHeaderError(r.message, socket.remoteAddress));
        socket.destroy();
        return;
      }
      done(r.info, r.rest);
    } catch (e) {
      stop();
      failed(e);
      socket.destroy();
    }
  };
  socket.on('data', onData);
  // a connection that closes before its header (a reset, a client gone) releases the timer at once
  socket.once('close', stop);
}
