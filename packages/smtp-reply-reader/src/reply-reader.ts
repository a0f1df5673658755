/**
 * The incremental reply reader: bytes in, complete replies out (RFC 5321 §4.2).
 *
 * One pass over the input: `indexOf(LF)` finds each line end, the line is checked and decoded once,
 * in place in the caller's chunk. Only the unfinished tail line is copied (into a buffer that never
 * grows past `maxLineLength`), and only the decoded text of the reply in progress is kept (never
 * more than `maxReplyBytes`).
 */
import type { EnhancedStatusCode } from './enhanced-status-code.js';
import { ReplyReaderError, type ReplyErrorCode } from './errors.js';
import { resolveOptions, type LineEndings, type ReplyReaderOptions } from './limits.js';
import type { Reply } from './reply.js';
import { isBytes, scanEnhancedStatusCode, typeName } from '@smtpkit/foundation';

const LF = 10;
const CR = 13;
const SP = 32;
const HYPHEN = 45;

/** Byte classes for the scan: 0 printable ASCII or TAB, then LF, CR, other control or DEL, 8-bit. */
const K_LF = 1;
const K_CR = 2;
const K_CONTROL = 3;
const K_HIGH = 4;
const BYTE_CLASS = new Uint8Array(256).map((_, b) =>
  b === LF ? K_LF : b === CR ? K_CR : b >= 0x80 ? K_HIGH : (b < 0x20 && b !== 9) || b === 0x7f ? K_CONTROL : 0,
);

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
/** The package's one UTF-8 encoder (strings given to push, parseReply and formatReplyBytes). @internal */
export const encoder = new TextEncoder();

/**
 * Decodes one line's text (a line read across chunks, or one with 8-bit or control bytes): UTF-8
 * with replacement, then C0 (except TAB), DEL and C1 controls become `?`, so nothing the peer sends
 * can reach a log or terminal as a control. The character class has no quantifier nesting: linear.
 */
function decodeText(buf: Uint8Array, start: number, end: number): string {
  // eslint-disable-next-line no-control-regex
  return decoder.decode(buf.subarray(start, end)).replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, '?');
}

/**
 * The enhanced status code at `buf[i, end)` when its class is the reply's first digit `cls` (the
 * grammar is RFC 3463's, shared with parseEnhancedStatusCode and smtp-capabilities).
 */
function scanEnhancedBytes(buf: Uint8Array, i: number, end: number, cls: number): { code: EnhancedStatusCode; next: number } | undefined {
  const e = scanEnhancedStatusCode((k) => buf[k]!, i, end);
  return e?.code.class === cls ? e : undefined;
}

/** `ERR_SMTP_INVALID_ARGUMENT` for input that is neither a string nor a Uint8Array. @internal */
export function notBytes(what: string, value: unknown): ReplyReaderError {
  return ReplyReaderError.local('ERR_SMTP_INVALID_ARGUMENT', `${what} must be a string or a Uint8Array, got ${typeName(value)}`);
}

function excerpt(buf: Uint8Array, start: number, end: number): string {
  const max = Math.min(end, start + 40);
  let s = '';
  for (let i = start; i < max; i++) {
    const b = buf[i]!;
    s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return JSON.stringify(end > max ? `${s}...` : s);
}

/**
 * An incremental SMTP reply reader. Feed it the peer's bytes in chunks of any size with
 * {@link ReplyReader.push}; it returns every reply completed by that chunk, in order, and carries
 * partial input over. The result is identical for every way the input is split.
 *
 * Errors: a protocol violation or an exceeded limit throws a {@link ReplyReaderError}; the
 * replies completed earlier in the same chunk are on the error's `replies`. The reader is then
 * failed for good: it drops its buffers and every later `push`/`end` throws the same error
 * (the stream position after bad input is unknowable, so resynchronising could mistake a later
 * line, e.g. a QUIT reply, for the answer to an earlier command). Close the connection.
 *
 * @example
 * ```ts
 * const reader = new ReplyReader();
 * reader.push('250-mx.example.com\r\n250-PIPE');   // []
 * reader.push('LINING\r\n250 8BITMIME\r\n');       // [{ code: 250, lines: [...3 lines], ... }]
 * reader.end();
 * ```
 * @see RFC 5321 §4.2, §4.5.3.1
 */
export class ReplyReader {
  readonly #maxLineLength: number;
  readonly #maxReplyLines: number;
  readonly #maxReplyBytes: number;
  readonly #lineEndings: LineEndings;

  #pending: Uint8Array = new Uint8Array(0);
  #pendingLength = 0;
  /** Stream offset of the first byte of the line being read. */
  #offset = 0;
  /** Code of the reply in progress, 0 when between replies. */
  #code = 0;
  #enhanced: EnhancedStatusCode | undefined = undefined;
  #lines: string[] = [];
  #text = '';
  #replyBytes = 0;
  #error: ReplyReaderError | undefined = undefined;
  #ended = false;
  #out: Reply[] = [];
  /** A high surrogate that ended the last string chunk: the low half may open the next one. */
  #high = '';

  /**
   * Creates a reader. Options: limits (see {@link DEFAULT_REPLY_LIMITS}) and `lineEndings`;
   * `options` that are not an object (a list included) throw `ERR_SMTP_INVALID_OPTION`.
   *
   * @example
   * ```ts
   * const reader = new ReplyReader({ lineEndings: 'strict', maxReplyLines: 100 });
   * ```
   * @see RFC 5321 §4.5.3.1.5
   */
  constructor(options?: ReplyReaderOptions) {
    const o = resolveOptions(options);
    this.#maxLineLength = o.maxLineLength;
    this.#maxReplyLines = o.maxReplyLines;
    this.#maxReplyBytes = o.maxReplyBytes;
    this.#lineEndings = o.lineEndings;
  }

  /**
   * The error that failed this reader, if any.
   *
   * @example
   * ```ts
   * if (reader.error) console.log(reader.error.code);
   * ```
   * @see RFC 5321 §4.2
   */
  get error(): ReplyReaderError | undefined {
    return this.#error;
  }

  /**
   * True while a reply or line is unfinished (bytes are buffered).
   *
   * @example
   * ```ts
   * reader.push('250-a\r\n'); reader.pending; // true
   * ```
   * @see RFC 5321 §4.2
   */
  get pending(): boolean {
    return this.#pendingLength > 0 || this.#code !== 0 || this.#high !== '';
  }

  /**
   * Bytes held for the unfinished line and reply: never above `maxLineLength + maxReplyBytes`.
   * The finished lines of the reply in progress count with their CRLF.
   *
   * @example
   * ```ts
   * reader.push('250-hello\r\n25'); reader.bufferedBytes; // 11 + 2: `250-hello` with its CRLF, then `25`
   * ```
   * @see RFC 5321 §4.5.3.1
   */
  get bufferedBytes(): number {
    return this.#pendingLength + this.#replyBytes;
  }

  /**
   * Feeds bytes (or a string, encoded as UTF-8) and returns every reply they complete, in order.
   * A surrogate pair split between two string chunks is read as the one character it is (a high
   * surrogate that no low one follows is U+FFFD, as in the whole string). Throws a {@link ReplyReaderError} on a protocol violation (see the class description). A chunk
   * that is neither a string nor a `Uint8Array` (an `ArrayBuffer`, a `DataView`, another typed
   * array, a number) is `ERR_SMTP_INVALID_ARGUMENT` and leaves the reader as it was.
   *
   * @example
   * ```ts
   * for (const reply of reader.push(chunk)) handle(reply);
   * ```
   * @see RFC 5321 §4.2
   */
  push(chunk: Uint8Array | string): Reply[] {
    if (this.#error) throw this.#error;
    if (this.#ended) throw ReplyReaderError.local('ERR_SMTP_READER_ENDED', 'push() after end()');
    let data: Uint8Array;
    if (typeof chunk === 'string') {
      // A surrogate pair split across two string chunks is one character, as in the whole string.
      const s = this.#high + chunk;
      const last = s.charCodeAt(s.length - 1);
      this.#high = last >= 0xd800 && last < 0xdc00 ? s.slice(-1) : '';
      data = encoder.encode(this.#high ? s.slice(0, -1) : s);
    } else if (isBytes(chunk)) {
      this.#flushHigh();
      data = chunk;
    } else throw notBytes('push() chunk', chunk);
    const out: Reply[] = [];
    this.#out = out;
    const max = this.#maxLineLength;
    let pos = 0;
    if (this.#pendingLength > 0) {
      const lf = data.indexOf(LF);
      const have = this.#pendingLength;
      if (lf === -1) {
        if (have + data.length >= max) this.#tooLong(data, 0);
        this.#append(data, 0, data.length);
        return out;
      }
      if (have + lf + 1 > max) this.#tooLong(data, 0);
      this.#append(data, 0, lf);
      this.#pendingLength = 0;
      const line = this.#pending;
      let crs = 0;
      for (let i = 0; i < have + lf; i++) if (line[i] === CR) crs++;
      this.#line(line, 0, have + lf, have + lf + 1, crs, undefined, 0);
      pos = lf + 1;
    }
    const len = data.length;
    if (pos < len) {
      // One JS pass over the bytes finds line ends and notes, per line, the CRs and whether the
      // line is plain printable ASCII. A plain line's text is a slice of a window of about 1 KiB
      // decoded from its start, where byte offsets equal string offsets (a line with other bytes
      // ends the window); small, so a kept reply keeps little of a big chunk alive. Other lines
      // are decoded (with replacement and censoring) from their bytes.
      let str = '';
      let base = pos;
      let winEnd = -1;
      let dirty = false;
      let crs = 0;
      // Word-at-a-time skipping over runs of plain bytes (SWAR) for chunks worth the view.
      const at = data.byteOffset;
      let words: Uint32Array | undefined;
      let wordBase = 0;
      if (len - pos >= 64) {
        wordBase = (at + pos + 3) & ~3;
        words = new Uint32Array(data.buffer, wordBase, (at + len - wordBase) >> 2);
      }
      const wordEnd = words === undefined ? 0 : wordBase - at + words.length * 4;
      for (let i = pos; i < len; ) {
        if (words !== undefined && ((at + i) & 3) === 0) {
          // Skip words whose four bytes are all plain (none < 0x20, none >= 0x7f).
          while (i < wordEnd) {
            const w = words[(at + i - wordBase) >> 2]!;
            if (((w | ((w - 0x20202020) | (w + 0x01010101))) & 0x80808080) !== 0) break;
            i += 4;
          }
          if (i >= len) break;
        }
        const k = BYTE_CLASS[data[i++]!]!;
        if (k === 0) continue;
        if (k === K_LF) {
          if (i - pos > max) this.#tooLong(data, pos);
          if (dirty) winEnd = -1;
          else if (i > winEnd) {
            base = pos;
            winEnd = Math.min(len, Math.max(pos + 1024, i));
            str = decoder.decode(pos === 0 && winEnd === len ? data : data.subarray(pos, winEnd));
          }
          this.#line(data, pos, i - 1, i - pos, crs, dirty ? undefined : str, base);
          pos = i;
          dirty = false;
          crs = 0;
        } else if (k === K_CR) crs++;
        else dirty = true;
      }
    }
    if (pos < len) {
      if (len - pos >= max) this.#tooLong(data, pos);
      this.#append(data, pos, len);
    }
    return out;
  }

  /**
   * Declares the end of input (the peer closed). Throws `ERR_SMTP_REPLY_INCOMPLETE` when a reply
   * or line is unfinished. Later pushes throw `ERR_SMTP_READER_ENDED`.
   *
   * @example
   * ```ts
   * socket.on('end', () => reader.end());
   * ```
   * @see RFC 5321 §4.2
   */
  end(): void {
    if (this.#error) throw this.#error;
    this.#flushHigh();
    this.#ended = true;
    if (this.#pendingLength > 0 || this.#code !== 0) {
      this.#out = [];
      this.#fail('ERR_SMTP_REPLY_INCOMPLETE', 'input ended inside a reply', this.#offset);
    }
  }

  /** A held high surrogate that no low half followed: U+FFFD, as an encoder writes a lone one. */
  #flushHigh(): void {
    if (this.#high) {
      this.#high = '';
      this.push('\ufffd');
    }
  }

  #append(data: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (n === 0) return;
    const need = this.#pendingLength + n;
    if (need > this.#pending.length) {
      const grown = new Uint8Array(Math.min(this.#maxLineLength, Math.max(need, this.#pending.length * 2, 256)));
      grown.set(this.#pending.subarray(0, this.#pendingLength));
      this.#pending = grown;
    }
    this.#pending.set(data.subarray(from, to), this.#pendingLength);
    this.#pendingLength = need;
  }

  #tooLong(data: Uint8Array, pos: number): never {
    const start = this.#pendingLength > 0 ? this.#pending : data;
    const from = this.#pendingLength > 0 ? 0 : pos;
    const to = this.#pendingLength > 0 ? this.#pendingLength : data.length;
    this.#fail(
      'ERR_SMTP_LINE_TOO_LONG',
      `reply line longer than ${this.#maxLineLength} bytes: ${excerpt(start, from, to)}`,
      this.#offset,
    );
  }

  #fail(code: ReplyErrorCode, message: string, offset: number): never {
    const error = ReplyReaderError.remote(code, message, offset, this.#out);
    this.#error = error;
    this.#pending = new Uint8Array(0);
    this.#pendingLength = 0;
    this.#lines = [];
    this.#text = '';
    this.#replyBytes = 0;
    this.#code = 0;
    throw error;
  }

  /**
   * One complete line: `buf[s, lf)` where `buf[lf]` is LF; `size` counts the line with its LF;
   * `crs` is the number of CR bytes in `buf[s, lf)`. When `str` is given the line is plain ASCII
   * and its text is `str` at offsets shifted by `base`.
   */
  #line(buf: Uint8Array, s: number, lf: number, size: number, crs: number, str: string | undefined, base: number): void {
    const offset = this.#offset;
    this.#offset += size;
    let end = lf;
    const crlf = lf > s && buf[lf - 1] === CR;
    if (this.#lineEndings === 'strict') {
      if (!crlf) this.#fail('ERR_SMTP_BARE_LF', `bare LF in reply line ${excerpt(buf, s, lf)}`, offset);
      end = lf - 1;
      if (crs > 1) this.#fail('ERR_SMTP_BARE_CR', `bare CR in reply line ${excerpt(buf, s, end)}`, offset);
    } else {
      if (crlf) end = lf - 1;
      // A stray CR inside the line is text: take the decoding path that censors it.
      if (crs > (crlf ? 1 : 0)) str = undefined;
    }
    if (end === s) {
      if (this.#code === 0) return; // An empty line between replies is skipped (RPL-5).
      this.#fail('ERR_SMTP_REPLY_SYNTAX', 'empty line inside a multi-line reply', offset);
    }
    const n = end - s;
    const d0 = (buf[s] ?? 0) - 0x30;
    const d1 = n > 1 ? buf[s + 1]! - 0x30 : -1;
    const d2 = n > 2 ? buf[s + 2]! - 0x30 : -1;
    if (n < 3 || d0 < 0 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) {
      this.#fail('ERR_SMTP_REPLY_SYNTAX', `not a reply line: ${excerpt(buf, s, end)}`, offset);
    }
    let last = true;
    if (n > 3) {
      const sep = buf[s + 3];
      if (sep === HYPHEN) last = false;
      else if (sep !== SP) this.#fail('ERR_SMTP_REPLY_SYNTAX', `not a reply line: ${excerpt(buf, s, end)}`, offset);
    }
    if (d0 < 2 || d0 > 5 || d1 > 5) {
      this.#fail('ERR_SMTP_REPLY_CODE_OUT_OF_RANGE', `reply code out of range: ${excerpt(buf, s, s + 3)}`, offset);
    }
    const code = d0 * 100 + d1 * 10 + d2;
    const first = this.#code === 0;
    if (!first && code !== this.#code) {
      this.#fail(
        'ERR_SMTP_REPLY_CODE_MISMATCH',
        `reply line code ${code} differs from ${this.#code} in the same multi-line reply`,
        offset,
      );
    }
    if (this.#lines.length + 1 > this.#maxReplyLines) {
      this.#fail('ERR_SMTP_REPLY_TOO_MANY_LINES', `reply has more than ${this.#maxReplyLines} lines`, offset);
    }
    if (this.#replyBytes + size > this.#maxReplyBytes) {
      this.#fail('ERR_SMTP_REPLY_TOO_LARGE', `reply longer than ${this.#maxReplyBytes} bytes`, offset);
    }
    let t = n > 3 ? s + 4 : end;
    if (first) {
      this.#code = code;
      const e = scanEnhancedBytes(buf, t, end, d0);
      if (e !== undefined) {
        this.#enhanced = e.code;
        t = e.next < end ? e.next + 1 : end;
      }
    } else if (this.#enhanced !== undefined) {
      const e = scanEnhancedBytes(buf, t, end, d0);
      if (
        e !== undefined &&
        e.code.subject === this.#enhanced.subject &&
        e.code.detail === this.#enhanced.detail
      ) {
        t = e.next < end ? e.next + 1 : end;
      }
    }
    const text = str === undefined ? decodeText(buf, t, end) : str.slice(t - base, end - base);
    this.#lines.push(text);
    // Built as we go: V8 concatenation makes a rope in O(1), cheaper than a join at the end.
    this.#text = first ? text : `${this.#text}\n${text}`;
    this.#replyBytes += size;
    if (!last) return;
    const lines = this.#lines;
    const joined = this.#text;
    const reply: Reply =
      this.#enhanced === undefined ? { code, lines, text: joined } : { code, enhanced: this.#enhanced, lines, text: joined };
    this.#out.push(reply);
    this.#code = 0;
    this.#enhanced = undefined;
    this.#lines = [];
    this.#text = '';
    this.#replyBytes = 0;
  }
}
