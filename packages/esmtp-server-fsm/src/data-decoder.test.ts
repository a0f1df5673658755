import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DataDecoder } from './data-decoder.js';

function decodeAll(chunks: readonly Uint8Array[], policy: 'reject' | 'normalize' = 'reject'): { content: number[]; done: boolean; consumed: number; bare: number } {
  const d = new DataDecoder(policy);
  const content: number[] = [];
  let consumed = 0;
  for (const c of chunks) {
    const r = d.push(c, 0, c.length, (p) => content.push(...p));
    consumed += r.consumed;
    if (r.done) return { content, done: true, consumed, bare: d.bareCr + d.bareLf };
  }
  return { content, done: false, consumed, bare: d.bareCr + d.bareLf };
}

/** Reference: dot-stuff lines of CRLF-only text the way a conforming client does. */
function stuff(text: string): string {
  const lines = text.split('\r\n');
  return lines.map((l) => (l.startsWith('.') ? `.${l}` : l)).join('\r\n');
}

describe('DataDecoder', () => {
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
        const r = decodeAll(chunks);
        expect(r.done).toBe(true);
        expect(new TextDecoder().decode(new Uint8Array(r.content))).toBe(content);
        expect(r.consumed).toBe(fixed.length - 4);
        expect(r.bare).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
  it('never ends except at CRLF.CRLF, on random bytes from a small alphabet (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(13, 10, 46, 97, 0), { maxLength: 40 }), (arr) => {
        const data = new Uint8Array(arr);
        const r = decodeAll([data]);
        const s = '\r\n' + String.fromCharCode(...arr);
        const idx = s.indexOf('\r\n.\r\n');
        if (idx < 0) expect(r.done).toBe(false);
        else {
          expect(r.done).toBe(true);
          expect(r.consumed).toBe(idx + 5 - 2);
        }
        const n = decodeAll([data], 'normalize');
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
