/**
 * The reply value and the helpers that interpret a reply code (RFC 5321 §4.2.1).
 */
import type { EnhancedStatusCode } from './enhanced-status-code.js';
import { ReplyReaderError } from './errors.js';
import { typeName } from '@smtpkit/foundation';

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

function notACode(what: string, value: unknown): never {
  const shown = typeof value === 'number' ? String(value) : typeName(value);
  throw ReplyReaderError.local('ERR_SMTP_INVALID_REPLY_CODE', `${what} must be an integer reply code${what === 'reply' ? ' or a Reply' : ''}, got ${shown}`);
}

/** The integer code of a Reply or a code; anything else is `ERR_SMTP_INVALID_REPLY_CODE`. */
function codeOf(reply: Reply | number): number {
  if (typeof reply === 'object' && reply !== null && !Array.isArray(reply)) {
    const c: unknown = reply.code;
    if (!Number.isInteger(c)) notACode('reply.code', c);
    return c as number;
  }
  if (!Number.isInteger(reply)) notACode('reply', reply);
  return reply as number;
}

/**
 * True for a positive completion reply (2yz): the command was accepted.
 * Takes a `Reply` or its integer code; anything else is `ERR_SMTP_INVALID_REPLY_CODE`.
 *
 * @example
 * ```ts
 * isPositive(parseReply('250 OK\r\n')); // true
 * ```
 * @see RFC 5321 §4.2.1
 */
export function isPositive(reply: Reply | number): boolean {
  return Math.floor(codeOf(reply) / 100) === 2;
}

/**
 * True for a positive intermediate reply (3yz), e.g. `354` after DATA or `334` during AUTH.
 * Takes a `Reply` or its integer code; anything else is `ERR_SMTP_INVALID_REPLY_CODE`.
 *
 * @example
 * ```ts
 * isIntermediate(354); // true
 * ```
 * @see RFC 5321 §4.2.1
 */
export function isIntermediate(reply: Reply | number): boolean {
  return Math.floor(codeOf(reply) / 100) === 3;
}

/**
 * True for a transient negative completion reply (4yz): try again later.
 * Takes a `Reply` or its integer code; anything else is `ERR_SMTP_INVALID_REPLY_CODE`.
 *
 * @example
 * ```ts
 * isTransientNegative(parseReply('451 4.7.1 Greylisted\r\n')); // true
 * ```
 * @see RFC 5321 §4.2.1
 */
export function isTransientNegative(reply: Reply | number): boolean {
  return Math.floor(codeOf(reply) / 100) === 4;
}

/**
 * True for a permanent negative completion reply (5yz): do not retry as is.
 * Takes a `Reply` or its integer code; anything else is `ERR_SMTP_INVALID_REPLY_CODE`.
 *
 * @example
 * ```ts
 * isPermanentNegative(550); // true
 * ```
 * @see RFC 5321 §4.2.1
 */
export function isPermanentNegative(reply: Reply | number): boolean {
  return Math.floor(codeOf(reply) / 100) === 5;
}

/**
 * The `read_smtp2` check: true when the reply code equals `expected` or one of `extra`.
 * A reply that does not match is data for the caller (classify it, fail the recipient); it is
 * never an exception. A code that is not an integer (`'250'`, `250.5`, a list `[250, 251]`), in
 * the reply or among the expected ones, is `ERR_SMTP_INVALID_REPLY_CODE`: the codes are passed as
 * separate arguments.
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
  if (!Number.isInteger(expected)) notACode('expected', expected);
  for (const x of extra) if (!Number.isInteger(x)) notACode('expected', x);
  return c === expected || extra.includes(c);
}
