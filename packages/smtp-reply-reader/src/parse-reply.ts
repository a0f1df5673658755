/**
 * One-shot parsing of exactly one reply.
 */
import { ReplyReaderError } from './errors.js';
import type { ReplyReaderOptions } from './limits.js';
import type { Reply } from './reply.js';
import { isBytes } from '@smtpkit/foundation';
import { ReplyReader, encoder, notBytes } from './reply-reader.js';

const CRLF = new Uint8Array([13, 10]);
const LF_ONLY = new Uint8Array([10]);

/**
 * Parses exactly one complete reply (same rules and options as {@link ReplyReader}). As a
 * convenience the CRLF after the last line may be omitted. Throws `ERR_SMTP_REPLY_INCOMPLETE` when
 * there is no complete reply and `ERR_SMTP_REPLY_EXTRA_DATA` when there is more than one; input
 * that is neither a string nor a `Uint8Array` is `ERR_SMTP_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * const r = parseReply('550-5.1.1 No such user\r\n550 5.1.1 here');
 * r.code;     // 550
 * r.enhanced; // { class: 5, subject: 1, detail: 1 }
 * r.text;     // "No such user\nhere"
 * ```
 * @see RFC 5321 §4.2
 */
export function parseReply(input: Uint8Array | string, options?: ReplyReaderOptions): Reply {
  let data: Uint8Array;
  if (typeof input === 'string') data = encoder.encode(input);
  else if (isBytes(input)) data = input;
  else throw notBytes('parseReply() input', input);
  const reader = new ReplyReader(options);
  const last = data.length > 0 ? data[data.length - 1] : undefined;
  if (last !== undefined && last !== 10) {
    // One push of the input with its line end, so an error carries every reply completed before it.
    const end = last === 13 ? LF_ONLY : CRLF;
    const whole = new Uint8Array(data.length + end.length);
    whole.set(data);
    whole.set(end, data.length);
    data = whole;
  }
  const replies = reader.push(data);
  // one reply and the start of another is more than one reply, not an incomplete one
  if (replies.length === 0 || !reader.pending) reader.end();
  if (replies.length === 0) {
    throw ReplyReaderError.remote('ERR_SMTP_REPLY_INCOMPLETE', 'no complete reply in the input');
  }
  if (replies.length > 1 || reader.pending) {
    throw ReplyReaderError.remote(
      'ERR_SMTP_REPLY_EXTRA_DATA',
      `expected exactly one reply, found ${replies.length}${reader.pending ? ' and the start of another' : ''}`,
      0,
      replies,
    );
  }
  return replies[0]!;
}
