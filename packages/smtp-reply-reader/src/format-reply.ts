/**
 * The reply formatter for servers: correct multi-line, wrapped, enhanced replies that cannot be
 * used to inject a second reply.
 */
import {
  enhancedOfInput,
  formatEnhancedStatusCode,
  type EnhancedStatusCode,
} from './enhanced-status-code.js';
import { ReplyReaderError } from './errors.js';
import { RFC_MIN_REPLY_LINE } from './limits.js';
import { encoder } from './reply-reader.js';
import { isIterableObject, replyTextFault, typeName, isOptionsObject } from '@smtpkit/foundation';

/**
 * What {@link formatReply} writes: a code, an optional enhanced status code, and either one `text`
 * (wrapped as needed) or explicit `lines` (each wrapped as needed). A parsed `Reply` fits too
 * (its `lines` are used).
 *
 * @example
 * ```ts
 * const input: FormatReplyInput = { code: 250, lines: ['mx.example.com', 'PIPELINING', 'SIZE 10240000'] };
 * ```
 * @see RFC 5321 §4.2
 */
export type FormatReplyInput =
  | { readonly code: number; readonly enhanced?: EnhancedStatusCode | string | undefined; readonly text: string; readonly lines?: undefined }
  | { readonly code: number; readonly enhanced?: EnhancedStatusCode | string | undefined; readonly lines: readonly string[]; readonly text?: string };

/**
 * Options of {@link formatReply}.
 *
 * @example
 * ```ts
 * formatReply({ code: 250, text: 'ok' }, { maxLineLength: 512 });
 * ```
 * @see RFC 5321 §4.5.3.1.5
 */
export interface FormatReplyOptions {
  /**
   * Longest line written, in bytes with its CRLF. Default and minimum 512 (RFC 5321 §4.5.3.1.5).
   * Not applied to `334`: a SASL challenge is one line of any length (RFC 4954 §4).
   */
  readonly maxLineLength?: number;
  /**
   * Write `NNN ` (code and space) rather than the bare `NNN` when the last line has no text.
   * Default: true for `334` (RFC 4954 §4: `334 ` followed by a possibly empty base64 challenge),
   * false for every other code (RFC 5321 §4.2 allows the bare code).
   */
  readonly spaceOnEmptyLastLine?: boolean;
}

function checkCode(code: number): void {
  // the type first: arithmetic on a BigInt or a symbol, and String() of some objects, throw
  if (!Number.isInteger(code) || code < 200 || code > 559 || Math.floor(code / 10) % 10 > 5) {
    throw ReplyReaderError.local(
      'ERR_SMTP_INVALID_REPLY_CODE',
      `reply code must be 2yz-5yz with y 0-5, got ${typeof code === 'number' ? String(code) : typeName(code)}`,
    );
  }
}

function checkText(line: unknown, what: string): asserts line is string {
  if (typeof line !== 'string') {
    throw ReplyReaderError.local('ERR_SMTP_REPLY_TEXT_INVALID', `${what} must be a string, got ${typeName(line)}`);
  }
  const fault = replyTextFault(line);
  if (fault === undefined) return;
  const c = fault.char;
  const found =
    fault.kind === 'lone-surrogate' ? 'a lone surrogate' : c === 13 ? 'CR' : c === 10 ? 'LF' : c === 0 ? 'NUL' : `control U+${c.toString(16).padStart(4, '0')}`;
  throw ReplyReaderError.local('ERR_SMTP_REPLY_TEXT_INVALID', `${what} contains ${found} at index ${fault.index}`);
}

/** Splits one text line into pieces of at most `budget` UTF-8 bytes, breaking after a space when possible. */
function wrap(line: string, budget: number, out: string[]): void {
  let start = 0;
  for (;;) {
    let i = start;
    let bytes = 0;
    let space = -1;
    while (i < line.length) {
      const cp = line.codePointAt(i)!;
      const w = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + w > budget) break;
      if (cp === 32) space = i;
      bytes += w;
      i += cp > 0xffff ? 2 : 1;
    }
    if (i >= line.length) {
      out.push(line.slice(start));
      return;
    }
    if (space > start) {
      out.push(line.slice(start, space));
      start = space + 1;
      if (start >= line.length) return;
    } else {
      out.push(line.slice(start, i));
      start = i;
    }
  }
}

/**
 * The text lines of `reply`: `lines` (its `lines` field, read once by the caller: an array or another
 * iterable, but not a typed array or DataView: bytes are no list of lines, and a detached view
 * throws when read) or, when that is null or undefined, its `text` (read once).
 */
function sourceLines(reply: FormatReplyInput, lines: unknown): readonly unknown[] {
  if (lines == null) {
    // read once, as `lines` was: what is checked is what is written
    const text: unknown = reply.text;
    if (lines === undefined || typeof text === 'string') return [text];
  } else if (isIterableObject(lines)) return [...lines];
  throw ReplyReaderError.local('ERR_SMTP_REPLY_TEXT_INVALID', `reply lines must be a list of strings, got ${typeName(lines)}`);
}

/**
 * Writes a reply in wire form: CRLF line ends, `NNN-` on every line but the last, the enhanced
 * status code on every line when given (an object or its text, `'5.1.1'`), each line at most 512
 * bytes with its CRLF (long text is wrapped after a space, the space being consumed, or
 * hard-split when there is none; never for `334`, whose SASL challenge is one line of any length,
 * RFC 4954 §4). An empty
 * last line is the bare code, except for `334` (or with `spaceOnEmptyLastLine`): `NNN `. CR, LF,
 * NUL or any other control character (TAB excepted) in the text throws `ERR_SMTP_REPLY_TEXT_INVALID`,
 * so no input can inject a second reply; so do a lone surrogate (it has no UTF-8 form) and a `text`
 * or line that is not a string. `lines` may be any iterable of strings (read once), but not a
 * lone string or a typed array (bytes are no list of lines). Each field of `reply` (and of an
 * enhanced code object) is read once: what is checked is what is written. `options` that are not
 * an object (a list included) throw `ERR_SMTP_INVALID_OPTION`.
 *
 * The text is written as given, so a text that starts with an enhanced status code is one on the
 * wire (RFC 2034 §4 has no other way to tell): without `enhanced`, `{ code: 250, text: '2.0.0 Ok' }`
 * reads back as enhanced code 2.0.0 and text `Ok`, the same reply as `{ code: 250, enhanced:
 * '2.0.0', text: 'Ok' }`. A text meant to start with such digits needs `enhanced`: with it, any
 * text reads back exactly (`250 2.0.0 2.0.0 is the version`). A code-shaped start of another class
 * than the reply (`{ code: 250, text: '5.0.0 x' }`) stays text, as the reader reads it.
 *
 * @example
 * ```ts
 * formatReply({ code: 550, enhanced: { class: 5, subject: 1, detail: 1 }, text: 'No such user' });
 * // "550 5.1.1 No such user\r\n"
 * formatReply({ code: 452, enhanced: '4.5.3', text: 'Too many recipients' }); // the code as text works too
 * formatReply({ code: 250, lines: ['mx.example.com', 'PIPELINING'] });
 * // "250-mx.example.com\r\n250 PIPELINING\r\n"
 * formatReply({ code: 334, text: '' }); // "334 \r\n" (empty SASL challenge)
 * ```
 * @see RFC 5321 §4.2, §4.5.3.1.5; RFC 2034 §4; RFC 4954 §4
 */
export function formatReply(reply: FormatReplyInput, options?: FormatReplyOptions): string {
  if (typeof reply !== 'object' || reply === null) {
    throw ReplyReaderError.local('ERR_SMTP_INVALID_ARGUMENT', `formatReply() reply must be an object, got ${typeName(reply)}`);
  }
  // each field read once: what is checked is what is written (a getter cannot change it in between)
  const replyCode = reply.code;
  checkCode(replyCode);
  if (options === undefined) options = {};
  else if (!isOptionsObject(options)) {
    throw ReplyReaderError.local('ERR_SMTP_INVALID_OPTION', 'formatReply() options must be an object');
  }
  // only a missing option means the default (null is refused, as by the reader's options)
  const max = options.maxLineLength === undefined ? RFC_MIN_REPLY_LINE : options.maxLineLength;
  if (!Number.isSafeInteger(max) || max < RFC_MIN_REPLY_LINE) {
    throw ReplyReaderError.local('ERR_SMTP_INVALID_OPTION', `maxLineLength must be an integer >= ${RFC_MIN_REPLY_LINE}`);
  }
  const space: unknown = options.spaceOnEmptyLastLine;
  if (space !== undefined && typeof space !== 'boolean') {
    throw ReplyReaderError.local('ERR_SMTP_INVALID_OPTION', 'spaceOnEmptyLastLine must be a boolean');
  }
  let enh = '';
  const enhanced = reply.enhanced;
  if (enhanced !== undefined) {
    // an object or its text ('5.1.1', as the server's replies take it), checked either way
    const e = enhancedOfInput(enhanced);
    enh = formatEnhancedStatusCode(e);
    if (e.class !== Math.floor(replyCode / 100)) {
      throw ReplyReaderError.local('ERR_SMTP_INVALID_ENHANCED_CODE', `enhanced code class ${e.class} does not match reply code ${replyCode}`);
    }
  }
  const lines: unknown = reply.lines;
  const source = sourceLines(reply, lines);
  // a SASL challenge is one line however long (RFC 4954 §4): a 334 is never wrapped
  const budget = replyCode === 334 ? Infinity : max - 2 - 4 - (enh ? enh.length + 1 : 0);
  const pieces: string[] = [];
  // `text` is named as such, a line of `lines` by its number (from 1)
  const fromText = lines == null;
  let n = 0;
  for (const line of source.length > 0 ? source : ['']) {
    checkText(line, fromText ? 'reply text' : `reply line ${String(++n)}`);
    wrap(line, budget, pieces);
  }
  const code = String(replyCode);
  const bare = (space ?? replyCode === 334) ? `${code} \r\n` : `${code}\r\n`;
  let out = '';
  for (let k = 0; k < pieces.length; k++) {
    const text = pieces[k]!;
    const more = k < pieces.length - 1;
    const body = enh ? (text ? `${enh} ${text}` : enh) : text;
    // A final line with no text is the bare code (RFC 5321 §4.2: `Reply-code [ SP textstring ]`),
    // or the code and a space when asked (always for a 334 challenge, RFC 4954 §4).
    out += more ? `${code}-${body}\r\n` : body ? `${code} ${body}\r\n` : bare;
  }
  return out;
}

/**
 * As {@link formatReply}, returning UTF-8 bytes ready to write to the socket.
 *
 * @example
 * ```ts
 * socket.write(formatReplyBytes({ code: 221, enhanced: { class: 2, subject: 0, detail: 0 }, text: 'Bye' }));
 * ```
 * @see RFC 5321 §4.2
 */
export function formatReplyBytes(reply: FormatReplyInput, options?: FormatReplyOptions): Uint8Array {
  return encoder.encode(formatReply(reply, options));
}
