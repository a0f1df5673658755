/**
 * The one base64 codec of smtpkit (RFC 4648 §4), used by both sides of AUTH, in plain
 * TypeScript with no host codec. Decoding is strict: padding required, no whitespace, no characters outside the alphabet.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/**
 * Decodes strict base64 (padding required, no whitespace); returns undefined when invalid.
 *
 * @example
 * ```ts
 * decodeBase64('AHVzZXIAcGFzcw=='); // bytes of "\0user\0pass"
 * ```
 * @see RFC 4648 §4, RFC 4954 §4
 */
export function decodeBase64(input: string | Uint8Array): Uint8Array | undefined {
  const s = typeof input === 'string' ? input : input;
  const len = s.length;
  if (len % 4 !== 0) return undefined;
  const at = (i: number): number => (typeof s === 'string' ? s.charCodeAt(i) : s[i]!);
  let pad = 0;
  if (len > 0 && at(len - 1) === 61) pad++;
  if (len > 1 && at(len - 2) === 61) pad++;
  const out = new Uint8Array((len / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < len; i += 4) {
    const last = i + 4 === len;
    const c0 = DECODE[at(i) & 0xff]!;
    const c1 = DECODE[at(i + 1) & 0xff]!;
    const r2 = at(i + 2);
    const r3 = at(i + 3);
    const c2 = last && pad === 2 && r2 === 61 ? 0 : DECODE[r2 & 0xff]!;
    const c3 = last && pad >= 1 && r3 === 61 ? 0 : DECODE[r3 & 0xff]!;
    if (c0 < 0 || c1 < 0 || c2 < 0 || c3 < 0 || at(i) > 255 || at(i + 1) > 255 || r2 > 255 || r3 > 255) return undefined;
    const n = (c0 << 18) | (c1 << 12) | (c2 << 6) | c3;
    out[o++] = (n >> 16) & 0xff;
    if (o < out.length) out[o++] = (n >> 8) & 0xff;
    if (o < out.length) out[o++] = n & 0xff;
  }
  return out;
}

/**
 * Encodes bytes (or a UTF-8 string) as base64.
 *
 * @example
 * ```ts
 * encodeBase64('Username:'); // "VXNlcm5hbWU6"
 * ```
 * @see RFC 4648 §4
 */
export function encodeBase64(input: string | Uint8Array): string {
  const b = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  let out = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  if (i < b.length) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8);
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
    out += i + 1 < b.length ? ALPHABET[(n >> 6) & 63]! + '=' : '==';
  }
  return out;
}
