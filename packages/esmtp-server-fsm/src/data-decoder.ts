/**
 * DATA phase: incremental end-of-data detection and dot-unstuffing (RFC 5321 §4.5.2, §4.1.1.4).
 * End of data is recognised ONLY at <CRLF>.<CRLF> (or `.` <CRLF> right after the 354). Bare CR and
 * bare LF never end a line here; they are counted (policy `reject`) or turned into CRLF (policy
 * `normalize`, where a `.` line next to a bare line ending is dropped, never taken as the end).
 * Content keeps the CRLFs exactly as received; only the stuffed leading dot is removed.
 */

import { isBytes } from '@smtpkit/foundation';
import type { BareLineEndingPolicy } from '@smtpkit/foundation';
import { SmtpServerError } from './errors.js';

/**
 * How a server handles bare CR / bare LF in message content: `reject` (the message is refused
 * after its real end) or `normalize` (each becomes CRLF). The shared policy's third value,
 * `replace`, is a client's choice only: a server must not alter the content it accepts.
 *
 * @example
 * ```ts
 * new ServerConnection({ bareLineEndings: 'normalize' });
 * ```
 * @see RFC 5321 §2.3.8
 */
export type ServerBareLineEndingPolicy = Exclude<BareLineEndingPolicy, 'replace'>;

const CR = 13;
const LF = 10;
const DOT = 46;
const CRLF = new Uint8Array([CR, LF]);
const LF_ONLY = new Uint8Array([LF]);
const CR_ONLY = new Uint8Array([CR]);

const LINE_START = 0;
const MID = 1;
const SEEN_CR = 2;
const DOT_FIRST = 3;
const DOT_CR = 4;
const SOFT_LINE_START = 5;
const SOFT_DOT = 6;
const SOFT_DOT_CR = 7;

/**
 * Word-at-a-time test: the top bit of a byte of the result is set when that byte of `x` is below 14
 * (CR or another control byte). Exact for the lowest such byte, which is all a "some byte" test
 * needs. Works on the 32 bits of `x` whether it is read signed or unsigned (the bitwise operators
 * take them modulo 2^32).
 */
const CONTROL_BITS = (x: number): number => (x - 0x0e0e0e0e) & ~x & 0x80808080;

/** Byte 0 of a word is its low byte (the word scan finds a byte's place from its bit position). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * An aligned 32-bit view of `data[from, to)` for the word-at-a-time scan, or undefined when the
 * range is short (under 64 bytes: not worth the view) or the platform is big-endian. `base` is the index in `data` of word 0.
 * The view is signed (Int32Array): its elements stay small integers for the engine, where unsigned
 * ones above 2^31 would not.
 */
function wordView(data: Uint8Array, from: number, to: number): { readonly words: Int32Array | undefined; readonly base: number } {
  const start = (data.byteOffset + from + 3) & ~3;
  const count = (data.byteOffset + to - start) >> 2;
  return { words: LITTLE_ENDIAN && to - from >= 64 && count > 0 ? new Int32Array(data.buffer, start, count) : undefined, base: start - data.byteOffset };
}

/**
 * Result of one `push`.
 *
 * @example
 * ```ts
 * const r = decoder.push(bytes, 0, bytes.length, emit); if (r.done) rest = bytes.subarray(r.consumed);
 * ```
 * @see RFC 5321 §4.5.2
 */
export interface DataDecodeResult {
  /** Bytes of the input consumed (all of it unless the end of data was found). */
  readonly consumed: number;
  /** True when the terminating `.` line was consumed. */
  readonly done: boolean;
}

/**
 * Incremental DATA decoder: feed it the bytes after the 354 reply; it calls `emit` with content
 * pieces (views into the input, or small constants) and stops right after `<CRLF>.<CRLF>`.
 *
 * @example
 * ```ts
 * const d = new DataDecoder('reject');
 * const r = d.push(bytes, 0, bytes.length, (piece) => store(piece));
 * if (r.done) rest = bytes.subarray(r.consumed);
 * ```
 * @see RFC 5321 §4.5.2, §4.1.1.4
 */
export class DataDecoder {
  private state = LINE_START;
  /** Bare CR bytes seen in content. */
  bareCr = 0;
  /** Bare LF bytes seen in content. */
  bareLf = 0;

  constructor(private readonly policy: ServerBareLineEndingPolicy = 'reject') {
    if (policy !== 'reject' && policy !== 'normalize') {
      throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `bare line-ending policy must be reject or normalize, got ${String(policy)}`);
    }
  }

  /**
   * Decodes `data[from, to)`; see the class description. A `to` past the end of `data` stops at
   * its end (as `subarray` does). Throws `ERR_SMTP_INVALID_ARGUMENT` when `data` is not a
   * `Uint8Array`, `from` is not an integer from 0 to `data.length`, `to` is not an integer
   * (or `Infinity`) at least `from`, or `emit` is not a function.
   */
  push(data: Uint8Array, from: number, to: number, emit: (piece: Uint8Array) => void): DataDecodeResult {
    if (!isBytes(data) || typeof emit !== 'function' || !Number.isInteger(from) || from < 0 || from > data.length || !(Number.isInteger(to) || to === Infinity) || to < from) {
      throw new SmtpServerError('ERR_SMTP_INVALID_ARGUMENT', 'DataDecoder.push needs a Uint8Array, a range 0 <= from <= its length, from <= to, and an emit function');
    }
    if (to > data.length) to = data.length;
    const normalize = this.policy === 'normalize';
    let state = this.state;
    let seg = from;
    let i = from;
    const { words, base } = wordView(data, from, to);
    const nWords = words === undefined ? 0 : words.length;
    const wordsEnd = base + (nWords << 2);
    while (i < to) {
      const b = data[i]!;
      switch (state) {
        case LINE_START:
          if (b === DOT) {
            if (i > seg) emit(data.subarray(seg, i));
            seg = i + 1;
            state = DOT_FIRST;
            i++;
            continue;
          }
          state = MID;
          continue; // reprocess in MID
        case SOFT_LINE_START:
          // entered only right after a normalized line ending (or at the start of a push), so
          // nothing before this byte is waiting to be emitted
          if (b === DOT) {
            seg = i + 1;
            state = SOFT_DOT;
            i++;
            continue;
          }
          state = MID;
          continue;
        case MID: {
          // Fast path: one pass over the bytes, stopping only at CR or LF (every other byte is
          // above 13), and staying here across ordinary CRLF line ends (next line not starting
          // with '.', CR or LF).
          let j = i;
          for (;;) {
            // Skip content bytes (all above CR) a word at a time: the word that holds j with the
            // bytes before j masked off, then four words (16 bytes) per loop turn with one
            // branch, then word by word; the lowest flagged byte of the word that has one is
            // found with clz32, so no byte loop runs before or after a line's words. Only the
            // unaligned head and tail of the range go byte by byte. A flagged byte that is not
            // a control byte (a borrow from a masked one) only costs one more turn below.
            if (j >= base && j < wordsEnd) {
              let w = (j - base) >> 2;
              let bits = CONTROL_BITS(words![w]!) & (-1 << (((j - base) & 3) << 3));
              if (bits === 0) {
                w++;
                // CONTROL_BITS of four words, with the mask applied once to their union (the
                // same test: AND distributes over OR)
                while (w + 3 < nWords) {
                  const a = words![w]!;
                  const b = words![w + 1]!;
                  const c = words![w + 2]!;
                  const d = words![w + 3]!;
                  if (((((a - 0x0e0e0e0e) & ~a) | ((b - 0x0e0e0e0e) & ~b) | ((c - 0x0e0e0e0e) & ~c) | ((d - 0x0e0e0e0e) & ~d)) & 0x80808080) !== 0) break;
                  w += 4;
                }
                for (; w < nWords; w++) {
                  bits = CONTROL_BITS(words![w]!);
                  if (bits !== 0) break;
                }
              }
              if (bits !== 0) {
                j = base + (w << 2) + ((31 - Math.clz32(bits & -bits)) >> 3);
              } else {
                j = wordsEnd;
                while (j < to && data[j]! > CR) j++;
              }
            } else {
              const stop = j < base && base < to ? base : to;
              while (j < stop && data[j]! > CR) j++;
              if (j === stop && stop < to) continue;
            }
            if (j >= to) break;
            const c = data[j]!;
            if (c !== CR) {
              if (c === LF) break; // bare LF
              j++; // another control byte: content
              continue;
            }
            if (j + 2 >= to || data[j + 1] !== LF) break;
            const next = data[j + 2]!;
            if (next === DOT || next === CR || next === LF) break;
            j += 2;
          }
          i = j;
          if (i >= to) continue;
          if (data[i] === LF) {
            // bare LF
            this.bareLf++;
            if (normalize) {
              if (i > seg) emit(data.subarray(seg, i));
              emit(CRLF);
              seg = i + 1;
              state = SOFT_LINE_START;
            }
            i++;
            continue;
          }
          state = SEEN_CR;
          i++;
          continue;
        }
        case SEEN_CR:
          if (b === LF) {
            state = LINE_START;
            i++;
            continue;
          }
          // the previous CR was bare
          this.bareCr++;
          if (normalize) {
            if (i > seg) emit(data.subarray(seg, i));
            emit(LF_ONLY);
            seg = i;
            state = SOFT_LINE_START;
            continue;
          }
          state = b === CR ? SEEN_CR : MID;
          if (b === CR) i++;
          continue;
        case DOT_FIRST:
          if (b === CR) {
            // provisionally drop the CR too: it is part of the terminator if LF follows
            seg = i + 1;
            state = DOT_CR;
            i++;
            continue;
          }
          state = MID; // the leading dot was stuffing: removed
          continue;
        case DOT_CR:
          if (b === LF) {
            this.state = LINE_START;
            return { consumed: i + 1 - from, done: true };
          }
          emit(CR_ONLY); // ".\r" + other: dot removed, the CR is content (and bare)
          state = SEEN_CR;
          continue;
        case SOFT_DOT:
          if (b === CR) {
            seg = i + 1;
            state = SOFT_DOT_CR;
            i++;
            continue;
          }
          if (b === LF) {
            // "." line ended by bare LF after a bare line ending: dropped
            this.bareLf++;
            seg = i + 1;
            state = SOFT_LINE_START;
            i++;
            continue;
          }
          state = MID;
          continue;
        case SOFT_DOT_CR:
          if (b === LF) {
            // "." CRLF right after a bare line ending: dropped, never the end of data
            seg = i + 1;
            state = LINE_START;
            i++;
            continue;
          }
          emit(CR_ONLY);
          state = SEEN_CR;
          continue;
        default:
          i++;
      }
    }
    if (to > seg) emit(data.subarray(seg, to));
    this.state = state;
    return { consumed: to - from, done: false };
  }
}
