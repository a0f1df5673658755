/**
 * Typed errors of smtp-reply-reader: a stable string `code` per failure and a cross-realm brand, so
 * callers test `isSmtpError(e)` / `e.code` instead of `instanceof` (which breaks across two copies
 * of the package).
 */

import type { Reply } from './reply.js';

const BRAND = Symbol.for('smtpkit.error');

/**
 * Every error code this package throws. Append-only: codes are never renamed or reused.
 *
 * @example
 * ```ts
 * if (isSmtpError(e) && e.code === 'ERR_SMTP_LINE_TOO_LONG') closeConnection();
 * ```
 */
export type ReplyErrorCode =
  // Remote: the peer broke RFC 5321 §4.2.
  | 'ERR_SMTP_REPLY_SYNTAX'
  | 'ERR_SMTP_REPLY_CODE_OUT_OF_RANGE'
  | 'ERR_SMTP_REPLY_CODE_MISMATCH'
  | 'ERR_SMTP_LINE_TOO_LONG'
  | 'ERR_SMTP_REPLY_TOO_MANY_LINES'
  | 'ERR_SMTP_REPLY_TOO_LARGE'
  | 'ERR_SMTP_BARE_LF'
  | 'ERR_SMTP_BARE_CR'
  | 'ERR_SMTP_REPLY_INCOMPLETE'
  | 'ERR_SMTP_REPLY_EXTRA_DATA'
  // Local: API misuse.
  | 'ERR_SMTP_INVALID_OPTION'
  | 'ERR_SMTP_INVALID_REPLY_CODE'
  | 'ERR_SMTP_INVALID_ENHANCED_CODE'
  | 'ERR_SMTP_REPLY_TEXT_INVALID'
  | 'ERR_SMTP_READER_ENDED';

/**
 * Base class of every error thrown by smtpkit packages: carries a stable `code` and a
 * non-enumerable `Symbol.for('smtpkit.error')` brand.
 *
 * @example
 * ```ts
 * try { parseReply('abc\r\n'); } catch (e) { if (isSmtpError(e)) console.log(e.code); }
 * ```
 * @see RFC 5321 §4.2
 */
export abstract class SmtpError extends Error {
  /** Stable, append-only machine-readable code, e.g. `ERR_SMTP_LINE_TOO_LONG`. */
  readonly code: ReplyErrorCode;
  /** `'remote'` when the peer broke the protocol, `'local'` for API misuse. */
  abstract readonly kind: 'remote' | 'local';

  constructor(code: ReplyErrorCode, message: string) {
    super(message);
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }
}

/**
 * The peer sent bytes that are not a valid SMTP reply stream (bad grammar, over a limit, bare LF).
 * The connection should be treated as unusable: send QUIT or close it.
 *
 * @example
 * ```ts
 * try { reader.push(chunk); } catch (e) { if (isRemoteProtocolError(e)) socket.destroy(); }
 * ```
 * @see RFC 5321 §4.2, §4.5.3.1
 */
export class RemoteProtocolError extends SmtpError {
  override readonly name = 'RemoteProtocolError';
  readonly kind = 'remote' as const;
  /** Byte offset in the reader's input stream where the offending line starts (0 for parseReply). */
  readonly offset: number;
  /** Replies completed by the same `push()` before the violation, in order (so none is lost). */
  readonly replies: readonly Reply[];

  constructor(code: ReplyErrorCode, message: string, offset = 0, replies: readonly Reply[] = []) {
    super(code, message);
    this.offset = offset;
    this.replies = replies;
  }
}

/**
 * The caller misused the API (invalid option, reply code or text given to the formatter).
 *
 * @example
 * ```ts
 * try { formatReply({ code: 250, text: 'a\r\nb' }); } catch (e) { isLocalProtocolError(e); } // true
 * ```
 * @see RFC 5321 §4.2
 */
export class LocalProtocolError extends SmtpError {
  override readonly name = 'LocalProtocolError';
  readonly kind = 'local' as const;
}

function branded(e: unknown): e is SmtpError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * True for any error thrown by an smtpkit package (checks the brand, works across package copies).
 *
 * @example
 * ```ts
 * catch (e) { if (isSmtpError(e)) log(e.code); else throw e; }
 * ```
 * @see RFC 5321 §4.2
 */
export function isSmtpError(e: unknown): e is SmtpError {
  return branded(e);
}

/**
 * True for an error caused by the peer's bytes ({@link RemoteProtocolError}).
 *
 * @example
 * ```ts
 * if (isRemoteProtocolError(e)) socket.destroy();
 * ```
 * @see RFC 5321 §4.2
 */
export function isRemoteProtocolError(e: unknown): e is RemoteProtocolError {
  return branded(e) && (e as { kind?: unknown }).kind === 'remote';
}

/**
 * True for an error caused by API misuse ({@link LocalProtocolError}).
 *
 * @example
 * ```ts
 * if (isLocalProtocolError(e)) throw e; // a bug in our code
 * ```
 * @see RFC 5321 §4.2
 */
export function isLocalProtocolError(e: unknown): e is LocalProtocolError {
  return branded(e) && (e as { kind?: unknown }).kind === 'local';
}
