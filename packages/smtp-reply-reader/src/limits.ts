/**
 * Limits and policies of the reply reader, with exported defaults.
 */
import { ReplyReaderError } from './errors.js';
import { isOptionsObject } from '@smtpkit/foundation';

/**
 * Size limits of one reply. Over a limit the reader throws and stops buffering.
 *
 * @example
 * ```ts
 * const limits: ReplyLimits = { ...DEFAULT_REPLY_LIMITS, maxLineLength: 8192 };
 * ```
 * @see RFC 5321 §4.5.3.1.5
 */
export interface ReplyLimits {
  /** Longest accepted line in bytes, CRLF included. At least 512 (RFC 5321 §4.5.3.1.5). */
  readonly maxLineLength: number;
  /** Most lines in one reply. At least 1. */
  readonly maxReplyLines: number;
  /** Most bytes in one reply, every line's CRLF included. At least 512. */
  readonly maxReplyBytes: number;
}

/**
 * Default limits: 4096-byte lines, 512 lines, 64 KiB per reply. Generous for every real server
 * (the longest EHLO replies are under 1 KiB) while bounding memory per connection.
 *
 * @example
 * ```ts
 * new ReplyReader({ maxLineLength: DEFAULT_REPLY_LIMITS.maxLineLength * 2 });
 * ```
 * @see RFC 5321 §4.5.3.1.5
 */
export const DEFAULT_REPLY_LIMITS: ReplyLimits = Object.freeze({
  maxLineLength: 4096,
  maxReplyLines: 512,
  maxReplyBytes: 65536,
});

/** The smallest line length the RFC requires every implementation to accept. */
export const RFC_MIN_REPLY_LINE = 512;

/**
 * How line ends from the peer are treated. `'strict'` (default): only CRLF ends a line; a bare LF
 * or a CR not followed by LF is a protocol error. `'lenient'`: a bare LF also ends a line (a CR
 * before it is dropped) and a stray CR is text.
 *
 * @example
 * ```ts
 * new ReplyReader({ lineEndings: 'lenient' }); // talk to a broken peer that sends bare LF
 * ```
 * @see RFC 5321 §2.3.8, §4.1.1.4
 */
export type LineEndings = 'strict' | 'lenient';

/**
 * Options of {@link ReplyReader} and `parseReply`: any limit of {@link ReplyLimits} plus the
 * line-ending policy.
 *
 * @example
 * ```ts
 * const options: ReplyReaderOptions = { lineEndings: 'strict', maxReplyLines: 100 };
 * ```
 * @see RFC 5321 §4.2
 */
export interface ReplyReaderOptions extends Partial<ReplyLimits> {
  readonly lineEndings?: LineEndings;
}

/** Resolves and validates options (an object, not a list, or undefined for the defaults). @internal */
export function resolveOptions(options: ReplyReaderOptions | undefined): ReplyLimits & { lineEndings: LineEndings } {
  if (options === undefined) options = {};
  else if (!isOptionsObject(options)) {
    throw ReplyReaderError.local('ERR_SMTP_INVALID_OPTION', 'invalid option: options must be an object');
  }
  // only a missing option means the default (null is refused below, as elsewhere in smtpkit)
  const maxLineLength = options.maxLineLength === undefined ? DEFAULT_REPLY_LIMITS.maxLineLength : options.maxLineLength;
  const maxReplyLines = options.maxReplyLines === undefined ? DEFAULT_REPLY_LIMITS.maxReplyLines : options.maxReplyLines;
  const maxReplyBytes = options.maxReplyBytes === undefined ? DEFAULT_REPLY_LIMITS.maxReplyBytes : options.maxReplyBytes;
  const lineEndings = options.lineEndings === undefined ? 'strict' : options.lineEndings;
  const bad = (what: string): never => {
    throw ReplyReaderError.local('ERR_SMTP_INVALID_OPTION', `invalid option: ${what}`);
  };
  if (!Number.isSafeInteger(maxLineLength) || maxLineLength < RFC_MIN_REPLY_LINE) {
    bad(`maxLineLength must be an integer >= ${RFC_MIN_REPLY_LINE}`);
  }
  if (!Number.isSafeInteger(maxReplyLines) || maxReplyLines < 1) bad('maxReplyLines must be an integer >= 1');
  if (!Number.isSafeInteger(maxReplyBytes) || maxReplyBytes < RFC_MIN_REPLY_LINE) {
    bad(`maxReplyBytes must be an integer >= ${RFC_MIN_REPLY_LINE}`);
  }
  if (lineEndings !== 'strict' && lineEndings !== 'lenient') bad("lineEndings must be 'strict' or 'lenient'");
  return { maxLineLength, maxReplyLines, maxReplyBytes, lineEndings };
}
