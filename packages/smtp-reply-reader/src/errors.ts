/**
 * The one error class of smtp-reply-reader. It extends the toolkit's `SmtpkitError`, so a caller
 * tests `isReplyReaderError(e)` (this package), `isSmtpkitError(e)` (any smtpkit package) or
 * `e.code`; `e.kind` tells a peer's fault (`'remote'`) from API misuse (`'local'`).
 */

import { SmtpkitError, hasPackageBrand } from '@smtpkit/foundation';
import type { Reply } from './reply.js';

/**
 * Every error code this package throws. Append-only: codes are never renamed or reused.
 *
 * @example
 * ```ts
 * if (isReplyReaderError(e) && e.code === 'ERR_SMTP_LINE_TOO_LONG') closeConnection();
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
  | 'ERR_SMTP_READER_ENDED'
  | 'ERR_SMTP_INVALID_ARGUMENT';

/**
 * An error of smtp-reply-reader.
 *
 * - `kind: 'remote'`: the peer sent bytes that are not a valid reply stream (bad grammar, over a
 *   limit, bare LF). Treat the connection as unusable: send QUIT or close it. `offset` is where the
 *   offending line starts in the reader's input; `replies` are the replies the same `push()`
 *   completed before the violation, so none is lost.
 * - `kind: 'local'`: the caller misused the API (an invalid option, reply code or text given to the
 *   formatter, an argument of the wrong type, `push()` after `end()`). `offset` is 0 and `replies` is empty.
 *
 * @example
 * ```ts
 * try { reader.push(chunk); }
 * catch (e) {
 *   if (isReplyReaderError(e) && e.kind === 'remote') { handle(e.replies); socket.destroy(); }
 *   else throw e;
 * }
 * ```
 * @see RFC 5321 §4.2, §4.5.3.1
 */
export class ReplyReaderError extends SmtpkitError {
  /** Brand value: `instanceof ReplyReaderError` matches this package's errors from any copy. */
  static readonly brandPackage = 'smtp-reply-reader';
  declare readonly code: ReplyErrorCode;
  /** Byte offset in the reader's input stream where the offending line starts (0 for parseReply and local errors). */
  readonly offset: number;
  /** Replies completed by the same `push()` before the violation, in order (empty for local errors). */
  readonly replies: readonly Reply[];

  constructor(code: ReplyErrorCode, message: string, kind: 'remote' | 'local', offset = 0, replies: readonly Reply[] = []) {
    super('smtp-reply-reader', code, message, kind);
    // Bundlers may rename the class binding (`_ReplyReaderError`); the name users see stays fixed.
    this.offset = offset;
    this.replies = replies;
  }

  /** @internal The peer broke the reply grammar or a limit. */
  static remote(code: ReplyErrorCode, message: string, offset = 0, replies: readonly Reply[] = []): ReplyReaderError {
    return new ReplyReaderError(code, message, 'remote', offset, replies);
  }

  /** @internal The caller misused the API. */
  static local(code: ReplyErrorCode, message: string): ReplyReaderError {
    return new ReplyReaderError(code, message, 'local');
  }
}

/**
 * True for an error thrown by smtp-reply-reader (any copy of the package); false for the errors of
 * the other smtpkit packages. Check `e.kind` for remote vs local.
 *
 * @example
 * ```ts
 * catch (e) { if (isReplyReaderError(e) && e.kind === 'remote') socket.destroy(); else throw e; }
 * ```
 */
export function isReplyReaderError(e: unknown): e is ReplyReaderError {
  return hasPackageBrand(e, 'smtp-reply-reader');
}
