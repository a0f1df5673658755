import { describe, expect, it } from 'vitest';
import { bytes, resultsForEverySplit } from '@smtpkit/testkit';
import { DataDecoder } from './data-decoder.js';
import { decodeChunks } from '../test/harness.js';
import type { ServerBareLineEndingPolicy } from './data-decoder.js';

interface Case {
  readonly input: string;
  readonly policy: ServerBareLineEndingPolicy;
  /** The pieces emitted for the input in one push. */
  readonly pieces: readonly string[];
  readonly done: boolean;
  readonly consumed: number;
  readonly bareCr: number;
  readonly bareLf: number;
}

/** For every split of the input: the content, the outcome, the counts, and whether an empty piece was emitted. */
function everySplit(c: Case): { distinct: string[]; first: unknown } {
  return resultsForEverySplit(c.input, (chunks) => {
    const r = decodeChunks(chunks, c.policy);
    return { content: r.content, done: r.done, consumed: r.consumed, bareCr: r.bareCr, bareLf: r.bareLf, emptyPiece: r.pieces.includes('') };
  });
}

const cases: readonly (readonly [string, Case])[] = [
  // policy 'reject': bare line endings stay in the content as they came, and are counted
  ['reject: a bare LF is content, counted', { input: 'a\nb\r\n.\r\n', policy: 'reject', pieces: ['a\nb\r\n'], done: true, consumed: 8, bareCr: 0, bareLf: 1 }],
  ['reject: a bare CR is content, counted', { input: 'a\rb\r\n.\r\n', policy: 'reject', pieces: ['a\rb\r\n'], done: true, consumed: 8, bareCr: 1, bareLf: 0 }],
  ['reject: CR CR LF is one bare CR, then a line end', { input: 'a\r\r\n.\r\n', policy: 'reject', pieces: ['a\r\r\n'], done: true, consumed: 7, bareCr: 1, bareLf: 0 }],
  ['reject: CR CR CR LF is two bare CRs, then a line end', { input: 'a\r\r\r\n.\r\n', policy: 'reject', pieces: ['a\r\r\r\n'], done: true, consumed: 8, bareCr: 2, bareLf: 0 }],
  ['reject: a line after a bare LF does not start a line (its dot is content, never the end)', { input: '\n.\r\n', policy: 'reject', pieces: ['\n.\r\n'], done: false, consumed: 4, bareCr: 0, bareLf: 1 }],
  ['reject: a stuffed dot before a bare CR is removed, the CR kept', { input: '.\rb\r\n.\r\n', policy: 'reject', pieces: ['\r', 'b\r\n'], done: true, consumed: 8, bareCr: 1, bareLf: 0 }],
  // policy 'normalize': bare line endings become CRLF; a dot line right after one is dropped
  ['normalize: a bare LF becomes CRLF', { input: 'a\nb\r\n.\r\n', policy: 'normalize', pieces: ['a', '\r\n', 'b\r\n'], done: true, consumed: 8, bareCr: 0, bareLf: 1 }],
  ['normalize: a bare CR becomes CRLF', { input: 'a\rb\r\n.\r\n', policy: 'normalize', pieces: ['a\r', '\n', 'b\r\n'], done: true, consumed: 8, bareCr: 1, bareLf: 0 }],
  ['normalize: two bare LFs, then a dot line that is dropped, not the end', { input: '\n\n.\r\n', policy: 'normalize', pieces: ['\r\n', '\r\n'], done: false, consumed: 5, bareCr: 0, bareLf: 2 }],
  ['normalize: after a bare LF, a stuffed dot is removed', { input: 'a\n.b\r\n.\r\n', policy: 'normalize', pieces: ['a', '\r\n', 'b\r\n'], done: true, consumed: 9, bareCr: 0, bareLf: 1 }],
  ['normalize: after a bare LF, a dot line ended by a bare LF is dropped', { input: 'a\n.\nb\r\n.\r\n', policy: 'normalize', pieces: ['a', '\r\n', 'b\r\n'], done: true, consumed: 10, bareCr: 0, bareLf: 2 }],
  ['normalize: after a bare LF, dot and bare CR: the dot is removed, the CR made a line end', { input: 'a\n.\rb\r\n.\r\n', policy: 'normalize', pieces: ['a', '\r\n', '\r', '\n', 'b\r\n'], done: true, consumed: 10, bareCr: 1, bareLf: 1 }],
  ['normalize: after a bare LF, a dot CRLF line is dropped, never the end', { input: 'a\n.\r\nb\r\n.\r\n', policy: 'normalize', pieces: ['a', '\r\n', 'b\r\n'], done: true, consumed: 11, bareCr: 0, bareLf: 1 }],
  ['normalize: a stuffed dot before a bare CR is removed, the CR made a line end', { input: '.\rb', policy: 'normalize', pieces: ['\r', '\n', 'b'], done: false, consumed: 3, bareCr: 1, bareLf: 0 }],
  // no empty pieces: a dot at the very start, a chunk ending right after a removed dot
  ['reject: a stuffed dot at the very start', { input: '..a\r\n.\r\n', policy: 'reject', pieces: ['.a\r\n'], done: true, consumed: 8, bareCr: 0, bareLf: 0 }],
  ['normalize: a stuffed dot at the very start', { input: '..a\r\n.\r\n', policy: 'normalize', pieces: ['.a\r\n'], done: true, consumed: 8, bareCr: 0, bareLf: 0 }],
  ['reject: the input ends right after a line-leading dot', { input: 'a\r\n.', policy: 'reject', pieces: ['a\r\n'], done: false, consumed: 4, bareCr: 0, bareLf: 0 }],
];

describe('DataDecoder: bare CR and bare LF under both policies, exact pieces, any split', () => {
  it.each(cases)('%s', (_name, c) => {
    const whole = decodeChunks([bytes(c.input)], c.policy);
    expect(whole).toEqual({ pieces: c.pieces, content: c.pieces.join(''), done: c.done, consumed: c.consumed, bareCr: c.bareCr, bareLf: c.bareLf });
    // the same content, outcome and counts, and never an empty piece, whole, byte by byte and at every split point
    const { distinct, first } = everySplit(c);
    expect(distinct).toHaveLength(1);
    expect(first).toEqual({ content: c.pieces.join(''), done: c.done, consumed: c.consumed, bareCr: c.bareCr, bareLf: c.bareLf, emptyPiece: false });
  });

  it('the default policy is reject', () => {
    const d = new DataDecoder();
    const pieces: string[] = [];
    d.push(bytes('a\nb\rc'), 0, 5, (p) => pieces.push(String.fromCharCode(...p)));
    expect(pieces).toEqual(['a\nb\rc']);
    expect([d.bareCr, d.bareLf]).toEqual([1, 1]);
  });
});

describe('DataDecoder: ranges that do not start at 0', () => {
  it('consumed counts from `from`, whether or not the data ended', () => {
    const data = bytes('HEADa\r\n.\r\nTAIL');
    const d = new DataDecoder();
    const pieces: string[] = [];
    const emit = (p: Uint8Array): void => void pieces.push(String.fromCharCode(...p));
    expect(d.push(data, 4, 8, emit)).toEqual({ consumed: 4, done: false });
    expect(d.push(data, 8, 15, emit)).toEqual({ consumed: 2, done: true });
    expect(pieces).toEqual(['a\r\n']);
  });
  it('every sub-range of a line: consumed is its length, the piece is the range', () => {
    const data = bytes('0123456789abcdef');
    for (let from = 0; from <= data.length; from++) {
      for (let to = from; to <= data.length; to++) {
        const pieces: string[] = [];
        const r = new DataDecoder().push(data, from, to, (p) => pieces.push(String.fromCharCode(...p)));
        expect(r).toEqual({ consumed: to - from, done: false });
        expect(pieces).toEqual(to > from ? ['0123456789abcdef'.slice(from, to)] : []);
      }
    }
  });
});
