/**
 * Character-level helpers shared by the scanners: UTF-8 byte counting without allocation, control
 * byte detection and the RFC 5321 / RFC 5322 character classes. Internal (not exported by index).
 */

import { isInvisibleCodePoint, isIterableObject, isWellFormedText as isWellFormed } from '@smtpkit/foundation';

export const encoder = new TextEncoder();

/**
 * True for a list argument: an iterable object (an array, a set, a generator, an `SmtpClientArgs`)
 * but not a typed array or `DataView` (foundation's `isIterableObject`: bytes are no list).
 */
export const isList = isIterableObject;
// ignoreBOM: a leading U+FEFF is text like any other (the default drops it, so `+EF+BB+BF` decoded to nothing)
export const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Number of bytes `s` takes in UTF-8 (a lone surrogate counts as the 3-byte replacement character). */
export function utf8Length(s: string): number {
  return utf8LengthOf(s, 0, s.length);
}

/**
 * As {@link utf8Length} for `s.slice(from, to)`, without making the slice. A surrogate pair cut by
 * `to` counts as a lone surrogate, exactly as in the slice.
 */
export function utf8LengthOf(s: string, from: number, to: number): number {
  let n = to - from;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < to && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a surrogate pair: 2 UTF-16 units, 4 bytes
      i++;
    } else n += 2; // 3 bytes (a lone surrogate becomes U+FFFD, also 3 bytes)
  }
  return n;
}

// isWellFormed: true when a string has no unpaired surrogate (so it encodes to UTF-8 losslessly)
export { isWellFormed };

/** C0 controls, DEL and the C1 controls (U+0080..U+009F). */
export function isControl(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

/** Index of the first control character (C0, DEL, C1) in `s`, or -1. */
export function findControl(s: string): number {
  for (let i = 0; i < s.length; i++) if (isControl(s.charCodeAt(i))) return i;
  return -1;
}

/** True if any code unit of `s` is outside ASCII. */
export function hasNonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return true;
  return false;
}

export function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export function isAlnum(c: number): boolean {
  return isAlpha(c) || isDigit(c);
}

/** 1 at the index of every ASCII atext character (a table: the check runs for every address byte). */
/**
 * The end of the esmtp-keyword (or Ldh-str) starting at `from`: ALPHA / DIGIT, then also "-";
 * `from` itself when no keyword starts there.
 */
export function keywordEnd(s: string, from: number, end: number): number {
  let i = from;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (!(isAlnum(c) || (i > from && c === 0x2d))) break;
    i++;
  }
  return i;
}

/** The value of a hex digit (upper case, and lower case when `lowercase`), or -1. */
export function hexValue(c: number, lowercase: boolean): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (lowercase && c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

const ATEXT = new Uint8Array(128);
for (let c = 0; c < 128; c++) if (isAlnum(c) || "!#$%&'*+-/=?^_`{|}~".includes(String.fromCharCode(c))) ATEXT[c] = 1;

/** RFC 5322 atext (ASCII part): ALPHA / DIGIT / "!#$%&'*+-/=?^_`{|}~". */
export function isAtext(c: number): boolean {
  return c < 128 && ATEXT[c] === 1;
}

/** True when the code point at `s[i]` is non-ASCII and may appear in a UTF-8 address (no controls, no invisibles); at a surrogate pair, the whole code point is read. */
export function isUtf8AddressChar(s: string, i: number): boolean {
  const c = s.codePointAt(i)!;
  return c > 0x7f && !isControl(c) && !isInvisibleCodePoint(c);
}

/**
 * RFC 5321 esmtp-value: 1*(%d33-60 / %d62-126); with SMTPUTF8 (RFC 6531 §3.3) also non-ASCII
 * characters (never controls or invisible code points).
 */
export function isEsmtpValue(s: string, utf8: boolean): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 33 && c <= 126) {
      if (c === 0x3d) return false;
      continue;
    }
    if (utf8 && isUtf8AddressChar(s, i)) continue;
    return false;
  }
  return utf8 ? isWellFormed(s) : true;
}

/** ASCII upper-casing (keywords are ASCII; no locale rules, so `ß` or `ſ` never turn into ASCII): the foundation's, shared with the server. */
export { asciiUpper } from '@smtpkit/foundation';
