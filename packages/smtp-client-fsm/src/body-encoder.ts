/**
 * The message body encoder: turns arbitrary bytes into wire bytes that never hold a bare CR or LF
 * and, for DATA, dot-stuffs every line that starts with a period (SMUG-6). Incremental: any split
 * of the input gives the same output.
 */
import { SmtpClientError } from './errors.js';

import { BARE_LINE_ENDING_POLICIES, isBytes, isWellFormedText, loneSurrogateIndex, isOptionsObject } from '@smtpkit/foundation';
import type { BareLineEndingPolicy } from '@smtpkit/foundation';

/**
 * Options of {@link BodyEncoder}.
 *
 * @example
 * const options: BodyEncoderOptions = { dotStuff: false, bareLineEndings: 'normalize' };
 * @see RFC 5321 §4.5.2
 */
export interface BodyEncoderOptions {
  /** Dot-stuffing for DATA (default true); false for BDAT. */
  readonly dotStuff?: boolean;
  /** Policy for a bare CR or LF (default `normalize`). */
  readonly bareLineEndings?: BareLineEndingPolicy;
  /** Pass bytes through untouched (BDAT with BODY=BINARYMIME). */
  readonly binary?: boolean;
  /**
   * Let lines longer than {@link MAX_LINE_LENGTH} octets through (default false: such a line is
   * `ERR_SMTP_CLIENT_LINE_TOO_LONG`). Relays break or fold them, so the mail arrives altered.
   */
  readonly allowLongLines?: boolean;
}

/**
 * Longest text line of a message, in octets without its CRLF (and without the dot added by
 * dot-stuffing): RFC 5322 §2.1.1 (998 characters), RFC 5321 §4.5.3.1.6 (1000 with the CRLF).
 *
 * @example
 * MAX_LINE_LENGTH; // 998
 * @see RFC 5322 §2.1.1, RFC 5321 §4.5.3.1.6
 */
export const MAX_LINE_LENGTH = 998;

const CR = 13;
const LF = 10;
const DOT = 46;
const SP = 32;
const EMPTY = new Uint8Array(0);
const TERMINATOR = new Uint8Array([DOT, CR, LF]);

const textEncoder = new TextEncoder();

/**
 * A body string's UTF-8. A lone surrogate has no UTF-8 form (an encoder would send U+FFFD in its
 * place, altering the message), so it is `ERR_SMTP_CLIENT_INVALID_PARAMETER` naming `what`.
 */
export function textBytes(text: string, what: string): Uint8Array {
  if (!isWellFormedText(text)) {
    throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_PARAMETER', `${what}: a lone surrogate at index ${loneSurrogateIndex(text)} (text with no UTF-8 form)`);
  }
  return textEncoder.encode(text);
}

/** A string's UTF-8 or the bytes themselves; `ERR_SMTP_CLIENT_INVALID_PARAMETER` naming `what` for anything else. */
function bodyData(body: unknown, what: string): Uint8Array {
  if (typeof body === 'string') return textBytes(body, what);
  if (isBytes(body)) return body;
  throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_PARAMETER', `${what}: expected a string or a Uint8Array`);
}

/**
 * Incremental body encoder for DATA (dot-stuffing, terminator) and BDAT (no stuffing).
 *
 * @example
 * const enc = new BodyEncoder();
 * enc.push('a\n.b'); enc.end(); // 'a\r\n..b' then '\r\n.\r\n'
 * @see RFC 5321 §4.5.2, §2.3.8; RFC 3030 §2
 */
export class BodyEncoder {
  private readonly dotStuff: boolean;
  private readonly policy: BareLineEndingPolicy;
  private readonly binary: boolean;
  private readonly longLines: boolean;
  /** Octets of the current line so far (CRLF and stuffed dots not counted). */
  private lineLen = 0;
  private atLineStart = true;
  private pendingCR = false;
  private written = 0;
  private ended = false;
  /** A high surrogate that ended the last string chunk: the low one may open the next chunk. */
  private heldHigh = '';

  /**
   * Throws `ERR_SMTP_CLIENT_INVALID_OPTION`, naming the option, for options that are not an
   * object, a `dotStuff` or `binary` other than `true`/`false`, or an unknown `bareLineEndings`
   * (an undefined option is its default).
   */
  constructor(options: BodyEncoderOptions = {}) {
    const given: unknown = options;
    if (!isOptionsObject(given)) throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_OPTION', 'options: expected an object');
    for (const k of ['dotStuff', 'binary', 'allowLongLines'] as const) {
      if (options[k] !== undefined && typeof options[k] !== 'boolean') throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_OPTION', `${k}: expected true or false`);
    }
    if (options.bareLineEndings !== undefined && !BARE_LINE_ENDING_POLICIES.includes(options.bareLineEndings)) {
      throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_OPTION', 'bareLineEndings: expected normalize, replace or reject');
    }
    this.dotStuff = options.dotStuff ?? true;
    this.policy = options.bareLineEndings ?? 'normalize';
    this.binary = options.binary ?? false;
    this.longLines = options.allowLongLines ?? false;
  }

  /** Encoded bytes emitted so far (without the DATA terminator). */
  get bytesWritten(): number {
    return this.written;
  }

  /**
   * Encodes one chunk. Throws `ERR_SMTP_CLIENT_BARE_LINE_ENDING` under the `reject` policy
   * before emitting any byte of the chunk, `ERR_SMTP_CLIENT_LINE_TOO_LONG` for a line over
   * {@link MAX_LINE_LENGTH} octets without `allowLongLines` (the encoder is then ended: the body
   * cannot be sent as given), and `ERR_SMTP_CLIENT_INVALID_PARAMETER` for a chunk
   * that is not a string or a `Uint8Array`, or text with a lone surrogate (the encoder is
   * unchanged). A surrogate pair split between two string chunks is joined.
   */
  push(chunk: Uint8Array | string): Uint8Array {
    if (this.ended) throw new SmtpClientError('ERR_SMTP_CLIENT_NOT_IN_BODY', 'push() after end()');
    let held = '';
    if (typeof chunk === 'string') {
      if (this.heldHigh !== '') chunk = this.heldHigh + chunk;
      const last = chunk.charCodeAt(chunk.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) {
        held = chunk.slice(-1);
        chunk = chunk.slice(0, -1);
      }
    } else if (this.heldHigh !== '' && isBytes(chunk)) {
      throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'chunk: bytes after a string chunk that ended with a lone surrogate (text with no UTF-8 form)');
    }
    const data = bodyData(chunk, 'chunk');
    this.heldHigh = held;
    if (this.binary) {
      this.written += data.length;
      return data;
    }
    if (data.length === 0) return EMPTY;
    if (this.policy === 'reject') this.checkReject(data);
    const tail = this.passesThrough(data);
    if (tail >= 0) {
      // Already CRLF throughout with nothing to stuff: the bytes go out as they are, uncopied.
      this.lineLen = tail;
      this.atLineStart = data[data.length - 1] === LF;
      this.written += data.length;
      return data;
    }
    const out = new Uint8Array(data.length * 2 + 2);
    let o = 0;
    let runStart = 0;
    const len = data.length;
    const flush = (end: number): void => {
      if (end > runStart) {
        out.set(data.subarray(runStart, end), o);
        o += end - runStart;
      }
    };
    for (let i = 0; i < len; i++) {
      const b = data[i]!;
      if (this.pendingCR) {
        this.pendingCR = false;
        if (b === LF) {
          out[o++] = CR;
          out[o++] = LF;
          this.atLineStart = true;
          this.lineLen = 0;
          runStart = i + 1;
          continue;
        }
        o = this.stray(out, o);
      }
      if (b === CR) {
        flush(i);
        this.pendingCR = true;
        runStart = i + 1;
        continue;
      }
      if (b === LF) {
        flush(i);
        o = this.stray(out, o);
        runStart = i + 1;
        continue;
      }
      if (++this.lineLen > MAX_LINE_LENGTH) this.tooLong();
      if (this.atLineStart) {
        this.atLineStart = false;
        if (b === DOT && this.dotStuff) {
          flush(i);
          out[o++] = DOT;
          runStart = i;
        }
      }
    }
    flush(len);
    this.written += o;
    return out.subarray(0, o);
  }

  /**
   * Finishes the body: resolves a trailing CR, appends CRLF when the content does not end with
   * one, then (when dot-stuffing) the `.CRLF` terminator.
   */
  end(): Uint8Array {
    if (this.ended) throw new SmtpClientError('ERR_SMTP_CLIENT_NOT_IN_BODY', 'end() called twice');
    this.ended = true;
    if (this.heldHigh !== '') throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'body ends with a lone surrogate (text with no UTF-8 form)');
    if (this.binary) return EMPTY;
    const out = new Uint8Array(8);
    let o = 0;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (this.policy === 'reject') {
        throw new SmtpClientError('ERR_SMTP_CLIENT_BARE_LINE_ENDING', 'message body ends with a bare CR');
      }
      o = this.stray(out, o);
    }
    if (!this.atLineStart && this.written + o > 0) {
      out[o++] = CR;
      out[o++] = LF;
      this.atLineStart = true;
    }
    this.written += o;
    if (!this.dotStuff) return out.subarray(0, o);
    if (o === 0) return TERMINATOR;
    const res = new Uint8Array(o + 3);
    res.set(out.subarray(0, o));
    res.set(TERMINATOR, o);
    return res;
  }

  /**
   * When encoding would not change `data` (no pending CR, every CR followed by LF and every LF
   * preceded by CR within the chunk, (when dot-stuffing) no line starting with a dot, and no line
   * too long): the length of its last, open line; else -1. Found with the engine's byte search,
   * so a clean body costs a few native scans instead of a loop.
   */
  private passesThrough(data: Uint8Array): number {
    if (this.pendingCR) return -1;
    const len = data.length;
    if (this.dotStuff && this.atLineStart && data[0] === DOT) return -1;
    // LFs first: a body with bare LFs (text written with "\n") fails at its first line.
    let lfs = 0;
    // where the current line starts, less the octets it had before this chunk
    let start = -this.lineLen;
    for (let i = data.indexOf(LF); i !== -1; i = data.indexOf(LF, i + 1)) {
      if (i === 0 || data[i - 1] !== CR) return -1;
      if (this.dotStuff && i + 1 < len && data[i + 1] === DOT) return -1;
      if (i - 1 - start > MAX_LINE_LENGTH && !this.longLines) return -1;
      start = i + 1;
      lfs++;
    }
    // Every LF has its own CR; no more CRs than LFs means no bare CR.
    let crs = 0;
    for (let i = data.indexOf(CR); i !== -1; i = data.indexOf(CR, i + 1)) if (++crs > lfs) return -1;
    return len - start > MAX_LINE_LENGTH && !this.longLines ? -1 : len - start;
  }

  private tooLong(): void {
    if (this.longLines) return;
    this.ended = true;
    throw new SmtpClientError('ERR_SMTP_CLIENT_LINE_TOO_LONG', `message body has a line longer than ${MAX_LINE_LENGTH} octets (RFC 5322 §2.1.1): encode it (quoted-printable, base64), or send it as BINARYMIME, or set allowLongLines`);
  }

  private stray(out: Uint8Array, o: number): number {
    if (this.policy === 'replace') {
      out[o++] = SP;
      this.atLineStart = false;
      if (++this.lineLen > MAX_LINE_LENGTH) this.tooLong();
    } else {
      out[o++] = CR;
      out[o++] = LF;
      this.atLineStart = true;
      this.lineLen = 0;
    }
    return o;
  }

  private checkReject(data: Uint8Array): void {
    let pendingCR = this.pendingCR;
    for (let i = 0; i < data.length; i++) {
      const b = data[i]!;
      if (pendingCR) {
        pendingCR = false;
        if (b === LF) continue;
        throw new SmtpClientError('ERR_SMTP_CLIENT_BARE_LINE_ENDING', 'message body holds a bare CR');
      }
      if (b === CR) pendingCR = true;
      else if (b === LF) throw new SmtpClientError('ERR_SMTP_CLIENT_BARE_LINE_ENDING', 'message body holds a bare LF');
    }
  }
}

/**
 * Encodes a whole body in one call: the exact bytes sent after the 354 reply, terminator included.
 * A body that is not a string or a `Uint8Array` is `ERR_SMTP_CLIENT_INVALID_PARAMETER`; a line over
 * {@link MAX_LINE_LENGTH} octets is `ERR_SMTP_CLIENT_LINE_TOO_LONG` unless `allowLongLines`; bad
 * options are `ERR_SMTP_CLIENT_INVALID_OPTION` (see {@link BodyEncoder}).
 *
 * @example
 * encodeBody('.hidden\nline'); // '..hidden\r\nline\r\n.\r\n'
 * @see RFC 5321 §4.5.2
 */
export function encodeBody(body: Uint8Array | string, options: BodyEncoderOptions = {}): Uint8Array {
  const enc = new BodyEncoder(options);
  const a = enc.push(bodyData(body, 'body'));
  const b = enc.end();
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * The content a strict receiver reconstructs from {@link encodeBody}: bare CR/LF normalized to
 * CRLF and a final CRLF added to non-empty content (no dot-stuffing; lines of any length). Used by
 * tests and the pair.
 * A body that is not a string or a `Uint8Array` is `ERR_SMTP_CLIENT_INVALID_PARAMETER`.
 *
 * @example
 * normalizeBody('a\nb'); // 'a\r\nb\r\n' as bytes
 * @see RFC 5321 §2.3.8
 */
export function normalizeBody(body: Uint8Array | string): Uint8Array {
  const enc = new BodyEncoder({ dotStuff: false, allowLongLines: true });
  const a = enc.push(bodyData(body, 'body'));
  const b = enc.end();
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
