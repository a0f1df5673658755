/**
 * Character-level helpers shared by the parser, the formatter and the registry: hand-written
 * scanners over char codes (no regular expressions on peer input but parseEhloReplyText's single
 * character class and foundation's anchored date-time shape).
 */

import { asciiUpper, isIterableObject, typeName } from '@smtpkit/foundation';
import { CapabilitiesError } from './errors.js';

// a list argument: an iterable object, but not a typed array or DataView (bytes are no list)
export { isIterableObject, typeName };

/**
 * The strings of a list argument or option, read once: any iterable object but a lone string or a
 * typed array (an array, a set, a generator). Undefined for undefined; anything else, or an item
 * that is not a string, throws `invalid()`.
 */
export function stringList(value: unknown, invalid: () => CapabilitiesError): string[] | undefined {
  if (value === undefined) return undefined;
  if (!isIterableObject(value)) throw invalid();
  const out: string[] = [];
  for (const item of value) {
    if (typeof item !== 'string') throw invalid();
    out.push(item);
  }
  return out;
}

/**
 * A caller's value in an error message: a string quoted, a number as written, anything else by
 * its type (`JSON.stringify` and `String` throw for a BigInt or an object without a prototype).
 */
export function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value === 'number' ? String(value) : typeName(value);
}

/**
 * A boolean option or setting: `true`, `false` or `undefined` as given; anything else (`'no'`, `1`,
 * `null`) is `ERR_SMTP_INVALID_OPTION` (or `code`) naming it.
 */
export function booleanOption(value: unknown, name: string, code: 'ERR_SMTP_INVALID_OPTION' | 'ERR_SMTP_EXTENSION_INVALID' = 'ERR_SMTP_INVALID_OPTION'): boolean | undefined {
  if (value === undefined || value === true || value === false) return value;
  throw new CapabilitiesError(code, `${name} must be true or false, got ${typeName(value)}`);
}

/**
 * The error for a keyword lookup given a non-string. Callers test `typeof keyword !== 'string'`
 * inline (hot paths) and only then build this.
 */
export function keywordTypeError(keyword: unknown): CapabilitiesError {
  return new CapabilitiesError('ERR_SMTP_INVALID_ARGUMENT', `a keyword must be a string, got ${typeName(keyword)}`);
}

/** `ALPHA / DIGIT` (RFC 5234). */
export function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** True when `s` is an `ehlo-keyword`: `(ALPHA / DIGIT) *(ALPHA / DIGIT / "-")` (RFC 5321 §4.1.1.1). */
export function isEhloKeyword(s: string): boolean {
  if (s.length === 0 || !isAlnum(s.charCodeAt(0))) return false;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isAlnum(c) && c !== 0x2d) return false;
  }
  return true;
}

/** True when `s` is an `ehlo-param`: `1*(%d33-126)` (RFC 5321 §4.1.1.1). */
export function isEhloParam(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 33 || c > 126) return false;
  }
  return true;
}

/** True when `s` is 1 to `max` ASCII digits. */
export function isDigits(s: string, max = 20): boolean {
  if (s.length === 0 || s.length > max) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** Parses 1 to `maxDigits` (20 unless told: `9` for a grammar of `1*9DIGIT`) ASCII digits into a safe integer, or `undefined`. */
export function parseCount(s: string | undefined, maxDigits = 20): number | undefined {
  if (s === undefined || !isDigits(s, maxDigits)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Upper-cases ASCII letters only (keywords and mechanism names are ASCII, case-insensitive):
 * `toUpperCase` would also map non-ASCII letters onto ASCII ones (`ſ` becomes `S`), so `ſtarttls`
 * would read as STARTTLS. The foundation's helper, shared with the server and smtp-client-args.
 */
export const upperAscii: (s: string) => string = asciiUpper;

/** Index of the first CR, LF or NUL in `s`, or -1. */
export function indexOfForbidden(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x0d || c === 0x0a || c === 0x00) return i;
  }
  return -1;
}

/** Number of bytes `s` takes in UTF-8 (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}
