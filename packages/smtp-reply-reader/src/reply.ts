/**
 * The reply value and the helpers that interpret a reply code (RFC 5321 §4.2.1).
 */
import type { EnhancedStatusCode } from './enhanced-status-code.js';

/**
 * One complete SMTP reply. `lines` holds each line's text without the code, the separator and the
 * enhanced status code; `text` is `lines` joined with `\n`. Plain data: safe to clone or serialise.
 *
 * @example
 * ```ts
 * const r: Reply = { code: 550, enhanced: { class: 5, subject: 1, detail: 1 }, lines: ['No such user'], text: 'No such user' };
 * ```
 * @see RFC 5321 §4.2, RFC 2034 §4
 */
export interface Reply {
  /** The three-digit reply code, 200-559. */
  readonly code: number;
  /** The enhanced status code of the first line, when present and of the same class as `code`. */
  readonly enhanced?: EnhancedStatusCode;
  /** The text of every line (at least one, possibly empty). */
  readonly lines: readonly string[];
  /** `lines.join('\n')`. */
  readonly text: string;
}

function codeOf(reply: Reply | number): number {
  return typeof reply === 'number' ? reply : reply.code;
}

/**
 * True for a positive completion reply (2yz): the command was accepted.
 *
 * @example
 * ```ts
 * isPositive(parseReply('250 OK\r\n')); // true
 * ```
 * @see RFC 5321 §4.2.1
 */
export function isPositive(reply: Reply | number): boolean {
  const c = codeOf(reply);
  return c >= 200 && c <= 299;
}

/**
 * True for a positive intermediate reply (3yz), e.g. `354` after DATA or `334` during AUTH.
 *
 * @example
 * ```ts
 * isIntermediate(354); // true
 * ```
 * @see RFC 5321 §4.2.1
 */
export function isIntermediate(reply: Reply | number): boolean {
  const c = codeOf(reply);
  return c >= 300 && c <= 399;
}

/**
 * True for a transient negative completion reply (4yz): try again later.
 *
 * @example
 * ```ts
 * isTransientNegative(parseReply('451 4.7.1 Greylisted\r\n')); // true
 * ```
 * @see RFC 5321 §4.2.1
 */
export function isTransientNegative(reply: Reply | number): boolean {
  const c = codeOf(reply);
  return c >= 400 && c <= 499;
}

/**
 * True for a permanent negative completion reply (5yz): do not retry as is.
 *
 * @example
 * ```ts
 * isPermanentNegative(550); // true
 * ```
 * @see RFC 5321 §4.2.1
 */
export function isPermanentNegative(reply: Reply | number): boolean {
  const c = codeOf(reply);
  return c >= 500 && c <= 599;
}

/**
 * The `read_smtp2` check: true when the reply code equals `expected` or one of `extra`.
 * A reply that does not match is data for the caller (classify it, fail the recipient); it is
 * never an exception.
 *
 * @example
 * ```ts
 * expectReply(reply, 250);       // after MAIL FROM
 * expectReply(reply, 250, 251);  // after RCPT TO: 251 "user not local; will forward" is fine too
 * ```
 * @see RFC 5321 §4.3.2
 */
export function expectReply(reply: Reply | number, expected: number, ...extra: number[]): boolean {
  const c = codeOf(reply);
  return c === expected || extra.includes(c);
}
