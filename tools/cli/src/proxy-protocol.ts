// PROXY protocol v1 (text) and v2 (binary) header parser for `smtp serve --proxy-protocol`
// (HAProxy's specification, "The PROXY protocol", versions 1 and 2). Bounded: v1 headers are at most
// 107 bytes, v2 headers at most 16 + 65535 bytes (we accept up to 16 + 536 here: addresses + TLVs).

/** The real client behind the proxy. */
export interface ProxyInfo {
  readonly version: 1 | 2;
  /** `LOCAL`/`UNKNOWN` connections carry no addresses (health checks). */
  readonly local: boolean;
  readonly sourceAddress?: string;
  readonly sourcePort?: number;
  readonly destinationAddress?: string;
  readonly destinationPort?: number;
}

/** Outcome of feeding bytes: need more, a parsed header plus the bytes after it, or an error. */
export type ProxyParseResult = { readonly state: 'need-more' } | { readonly state: 'done'; readonly info: ProxyInfo; readonly rest: Uint8Array } | { readonly state: 'error'; readonly message: string };

const V2_SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];
const V1_MAX = 107;
const V2_MAX_BODY = 536;

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function ipv4(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

function ipv6(b: Uint8Array, at: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(((b[at + i]! << 8) | b[at + i + 1]!).toString(16));
  return parts.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
}

const V1_PREFIX = [0x50, 0x52, 0x4f, 0x58, 0x59, 0x20]; // "PROXY "

function isIPv4(s: string): boolean {
  const p = s.split('.');
  return p.length === 4 && p.every((x) => /^\d{1,3}$/.test(x) && Number(x) <= 255);
}

function isIPv6(s: string): boolean {
  return /^[0-9a-fA-F:.]{2,45}$/.test(s) && s.includes(':');
}

function port(s: string): number | undefined {
  if (!/^\d{1,5}$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 65535 ? n : undefined;
}

function parseV1(line: string): ProxyInfo | string {
  const f = line.split(' ');
  if (f[0] !== 'PROXY') return 'not a PROXY v1 header';
  if (f[1] === 'UNKNOWN') return { version: 1, local: true };
  if (f.length !== 6 || (f[1] !== 'TCP4' && f[1] !== 'TCP6')) return 'malformed PROXY v1 header';
  const [, family, src, dst, sp, dp] = f as [string, string, string, string, string, string];
  const valid = family === 'TCP4' ? isIPv4(src) && isIPv4(dst) : isIPv6(src) && isIPv6(dst);
  const sourcePort = port(sp);
  const destinationPort = port(dp);
  if (!valid || sourcePort === undefined || destinationPort === undefined) return 'malformed PROXY v1 addresses';
  return { version: 1, local: false, sourceAddress: src, sourcePort, destinationAddress: dst, destinationPort };
}

/** Incremental parser: feed socket chunks until it is done or fails. */
export class ProxyHeaderParser {
  #buf: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array): ProxyParseResult {
    this.#buf = concat(this.#buf, chunk);
    const b = this.#buf;
    // Decide the version from the first bytes.
    const v2 = V2_SIGNATURE.every((x, i) => i >= b.length || b[i] === x);
    const v1 = V1_PREFIX.every((x, i) => i >= b.length || b[i] === x);
    if (!v1 && !v2) return { state: 'error', message: 'connection does not start with a PROXY protocol header' };
    if (v2 && b.length >= 12) return this.#v2();
    if (v1 && b.length >= 6 && !v2) return this.#v1();
    return { state: 'need-more' };
  }

  #v1(): ProxyParseResult {
    const b = this.#buf;
    const limit = Math.min(b.length, V1_MAX);
    for (let i = 0; i < limit - 1; i++) {
      if (b[i] === 0x0d && b[i + 1] === 0x0a) {
        let line = '';
        for (let j = 0; j < i; j++) {
          const c = b[j]!;
          if (c < 0x20 || c > 0x7e) return { state: 'error', message: 'PROXY v1 header is not printable ASCII' };
          line += String.fromCharCode(c);
        }
        const info = parseV1(line);
        if (typeof info === 'string') return { state: 'error', message: info };
        return { state: 'done', info, rest: b.subarray(i + 2) };
      }
    }
    if (b.length >= V1_MAX) return { state: 'error', message: 'PROXY v1 header longer than 107 bytes' };
    return { state: 'need-more' };
  }

  #v2(): ProxyParseResult {
    const b = this.#buf;
    if (b.length < 16) return { state: 'need-more' };
    const verCmd = b[12]!;
    if (verCmd >> 4 !== 2) return { state: 'error', message: 'unsupported PROXY v2 version' };
    const command = verCmd & 0x0f;
    if (command > 1) return { state: 'error', message: 'unknown PROXY v2 command' };
    const length = (b[14]! << 8) | b[15]!;
    if (length > V2_MAX_BODY) return { state: 'error', message: 'PROXY v2 header too long' };
    if (b.length < 16 + length) return { state: 'need-more' };
    const rest = b.subarray(16 + length);
    if (command === 0) return { state: 'done', info: { version: 2, local: true }, rest };
    const family = b[13]!;
    if (family === 0x11 && length >= 12) {
      return { state: 'done', rest, info: { version: 2, local: false, sourceAddress: ipv4(b, 16), destinationAddress: ipv4(b, 20), sourcePort: (b[24]! << 8) | b[25]!, destinationPort: (b[26]! << 8) | b[27]! } };
    }
    if (family === 0x21 && length >= 36) {
      return { state: 'done', rest, info: { version: 2, local: false, sourceAddress: ipv6(b, 16), destinationAddress: ipv6(b, 32), sourcePort: (b[48]! << 8) | b[49]!, destinationPort: (b[50]! << 8) | b[51]! } };
    }
    if (family === 0x00) return { state: 'done', info: { version: 2, local: true }, rest };
    return { state: 'error', message: 'unsupported PROXY v2 address family' };
  }
}
