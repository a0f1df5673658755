/**
 * Enhanced mail system status codes (`class.subject.detail`, RFC 3463) as carried at the start of
 * reply text (RFC 2034).
 */
import { ReplyReaderError } from './errors.js';
import { scanEnhancedStatusCode, typeName } from '@smtpkit/foundation';

/**
 * An enhanced status code such as `5.1.1`: `class` is 2 (success), 4 (persistent transient
 * failure) or 5 (permanent failure); `subject` and `detail` have one to three digits.
 *
 * @example
 * ```ts
 * const e: EnhancedStatusCode = { class: 5, subject: 7, detail: 606 };
 * ```
 * @see RFC 3463 §2, RFC 2034 §4
 */
export interface EnhancedStatusCode {
  readonly class: 2 | 4 | 5;
  readonly subject: number;
  readonly detail: number;
}

/**
 * Formats an enhanced status code as `class.subject.detail`. Anything but
 * `{ class: 2 | 4 | 5, subject: 0-999, detail: 0-999 }` (integers) is
 * `ERR_SMTP_INVALID_ENHANCED_CODE`, so what it writes {@link parseEnhancedStatusCode} reads back.
 * Each field is read once: what is checked is what is written.
 *
 * @example
 * ```ts
 * formatEnhancedStatusCode({ class: 5, subject: 1, detail: 1 }); // "5.1.1"
 * ```
 * @see RFC 3463 §2
 */
export function formatEnhancedStatusCode(e: EnhancedStatusCode): string {
  const c = checkedEnhancedStatusCode(e);
  return `${c.class}.${c.subject}.${c.detail}`;
}

/**
 * Validates a caller-supplied enhanced code (formatter input) and returns a copy of the fields it
 * checked: each is read once, so a getter cannot answer the check with one value and the writer
 * with another. @internal
 */
export function checkedEnhancedStatusCode(e: EnhancedStatusCode): EnhancedStatusCode {
  const c = typeof e === 'object' && e !== null ? { class: e.class, subject: e.subject, detail: e.detail } : undefined;
  if (!(c && (c.class === 2 || c.class === 4 || c.class === 5) && isPart(c.subject) && isPart(c.detail))) {
    throw ReplyReaderError.local(
      'ERR_SMTP_INVALID_ENHANCED_CODE',
      `enhanced status code must be {class: 2|4|5, subject: 0-999, detail: 0-999}${c ? '' : `, got ${typeName(e)}`}`,
    );
  }
  return c;
}

/** A subject or detail: an integer 0-999. */
const isPart = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 999;

/**
 * A formatter's enhanced code given as an object or as its text (`'5.1.1'`, strictly
 * `class.subject.detail` as RFC 3463 writes it: class 2, 4 or 5, one to three digits with no
 * leading zero); anything else is `ERR_SMTP_INVALID_ENHANCED_CODE`. @internal
 */
export function enhancedOfInput(e: EnhancedStatusCode | string): EnhancedStatusCode {
  if (typeof e !== 'string') return checkedEnhancedStatusCode(e);
  // the reader's scan, then the exact text back: no leading zero, space or anything after it
  const code = parseEnhancedStatusCode(e);
  if (code === undefined || formatEnhancedStatusCode(code) !== e) {
    throw ReplyReaderError.local(
      'ERR_SMTP_INVALID_ENHANCED_CODE',
      `enhanced status code must be class.subject.detail, got ${JSON.stringify(e.slice(0, 40))}`,
    );
  }
  return code;
}

/**
 * Parses an enhanced status code at the start of `text` (leading spaces skipped), e.g. the text of
 * a reply line or a bounce message: class 2, 4 or 5, subject and detail of one to three digits
 * without a leading zero (RFC 3463 §2: `5.1.10`, not `5.01.1`), followed by whitespace or the end
 * of the text. The grammar the reader drops a code from a reply's lines by.
 * Returns undefined when there is none; never throws for a string (anything else is
 * `ERR_SMTP_INVALID_ARGUMENT`).
 *
 * @example
 * ```ts
 * parseEnhancedStatusCode('5.7.606 Access denied'); // { class: 5, subject: 7, detail: 606 }
 * parseEnhancedStatusCode('Mailbox full');            // undefined
 * ```
 * @see RFC 3463 §2, RFC 2034 §4
 */
export function parseEnhancedStatusCode(text: string): EnhancedStatusCode | undefined {
  if (typeof text !== 'string') {
    throw ReplyReaderError.local('ERR_SMTP_INVALID_ARGUMENT', `parseEnhancedStatusCode() text must be a string, got ${typeName(text)}`);
  }
  let i = 0;
  while (i < text.length && text.charCodeAt(i) === 0x20) i++;
  return scanEnhancedStatusCode((k) => text.charCodeAt(k), i, text.length)?.code;
}

/**
 * True when two enhanced status codes are equal; `undefined` equals only `undefined`. Anything
 * else that is not an enhanced status code (`null`, a string such as `'5.1.1'`, `{}`, a list, a
 * class other than 2, 4 or 5, a subject or detail outside 0-999) is
 * `ERR_SMTP_INVALID_ENHANCED_CODE`: two such values are not "the same code".
 *
 * @example
 * ```ts
 * sameEnhancedStatusCode({ class: 5, subject: 1, detail: 1 }, parseEnhancedStatusCode('5.1.1')); // true
 * ```
 * @see RFC 3463 §2
 */
export function sameEnhancedStatusCode(
  a: EnhancedStatusCode | undefined,
  b: EnhancedStatusCode | undefined,
): boolean {
  // each read once and checked as formatEnhancedStatusCode checks it
  const x = a === undefined ? a : checkedEnhancedStatusCode(a);
  const y = b === undefined ? b : checkedEnhancedStatusCode(b);
  if (x === undefined || y === undefined) return x === y;
  return x.class === y.class && x.subject === y.subject && x.detail === y.detail;
}
