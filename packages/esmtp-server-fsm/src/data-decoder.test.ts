import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DataDecoder } from './data-decoder.js';
import { decodeByteByByte, decodeChunks, decodeViews } from '../test/harness.js';

/** Reference: dot-stuff lines of CRLF-only text the way a conforming client does. */
function stuff(text: string): string {
  const lines = text.split('\r\n');
  return lines.map((l) => (l.startsWith('.') ? `.${l}` : l)).join('\r\n');
}

describe('DataDecoder', () => {
  it('the word-at-a-time scan handles a line end in the last partial word of a chunk, at every alignment', () => {
    for (let k = 60; k < 72; k++) {
      for (const tail of ['\r\n', '\r\na', '\r\nab', '\r\nabc', '\na', '\ra', '\r\n.a', '\x00ab']) {
        const bytes = new TextEncoder().encode('x'.repeat(k) + tail);
        const oneByOne = decodeByteByByte(bytes, 'reject');
        for (let shift = 0; shift < 4; shift++) for (let lead = 0; lead < 4; lead++) expect(decodeViews(bytes, shift, lead, [], 'reject')).toBe(oneByOne);
      }
    }
  });
  it('the four-words-at-a-time scan finds one control byte at every position of a long line, and passes bytes above CR', () => {
    // every byte position of several 16-byte blocks, every alignment, each byte value at and around the control range
    for (const value of [0, 1, 9, 10, 12, 13, 14, 31, 46, 127, 128, 255]) {
      for (let at = 0; at < 72; at++) {
        const bytes = new Uint8Array(96).fill(97);
        bytes[at] = value;
        bytes.set([13, 10], 94);
        const oneByOne = decodeByteByByte(bytes, 'reject');
        for (let shift = 0; shift < 4; shift++) expect(decodeViews(bytes, shift, at % 5, [], 'reject')).toBe(oneByOne);
        expect(oneByOne.endsWith(value === 13 ? '|1,0' : value === 10 ? '|0,1' : '|0,0')).toBe(true);
      }
    }
  });
  it('the word-at-a-time scan matches byte-by-byte decoding at every alignment, offset and split (property)', () => {
    // long runs of text (so the 32-bit view is used) with CR, LF, dots and control bytes among them
    const piece = fc.oneof(
      { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\u00e9'), minLength: 1, maxLength: 90 }) },
      { weight: 3, arbitrary: fc.constantFrom('\r\n', '\r\n.', '\r\n..', '\n', '\r', '\x00', '\x0c', '\x0e', '.', '\r\n.\r\n') },
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.nat(3), fc.nat(5), fc.array(fc.nat(), { maxLength: 6 }), fc.constantFrom('reject' as const, 'normalize' as const), (parts, shift, lead, cuts, policy) => {
        const bytes = new TextEncoder().encode(parts.join(''));
        const oneByOne = decodeByteByByte(bytes, policy);
        expect(decodeViews(bytes, shift, lead, cuts, policy)).toBe(oneByOne);
        expect(decodeViews(bytes, shift, lead, [], policy)).toBe(oneByOne);
      }),
      { numRuns: 400 },
    );
  });

  it('round trip: stuffed CRLF content comes back exactly, for any split (property)', () => {
    const line = fc.stringMatching(/^[.a-z ]{0,12}$/);
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 5 }), (lines, cuts) => {
        const content = lines.map((l) => `${l}\r\n`).join('');
        const fixed = new TextEncoder().encode((content ? stuff(content) : '') + '.\r\nTAIL');
        const points = [...new Set(cuts.map((c) => c % (fixed.length + 1)))].sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let prev = 0;
        for (const p of points) {
          chunks.push(fixed.subarray(prev, p));
          prev = p;
        }
        chunks.push(fixed.subarray(prev));
        const r = decodeChunks(chunks);
        expect(r.done).toBe(true);
        expect(r.content).toBe(content);
        expect(r.consumed).toBe(fixed.length - 4);
        expect(r.bareCr + r.bareLf).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
  it('never ends except at CRLF.CRLF, on random bytes from a small alphabet (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(13, 10, 46, 97, 0), { maxLength: 40 }), (arr) => {
        const data = new Uint8Array(arr);
        const r = decodeChunks([data]);
        const s = '\r\n' + String.fromCharCode(...arr);
        const idx = s.indexOf('\r\n.\r\n');
        if (idx < 0) expect(r.done).toBe(false);
        else {
          expect(r.done).toBe(true);
          expect(r.consumed).toBe(idx + 5 - 2);
        }
        const n = decodeChunks([data], 'normalize');
        if (n.done) expect(r.done).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
  it('is linear: 4 MiB of one line with no CRLF is consumed in one pass', () => {
    const big = new Uint8Array(4 * 1024 * 1024).fill(97);
    let pieces = 0;
    const d = new DataDecoder();
    const r = d.push(big, 0, big.length, () => pieces++);
    expect(r.done).toBe(false);
    expect(pieces).toBe(1);
  });
});
