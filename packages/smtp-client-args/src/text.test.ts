import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { asciiUpper, isAtext, utf8Length, utf8LengthOf } from './text.js';

describe('text helpers', () => {
  it('utf8Length equals the TextEncoder length for any string, lone surrogates included (property)', () => {
    const enc = new TextEncoder();
    for (const s of ['', 'a', 'é', '€', '😀', '\ud800', '\udc00x', 'a\ud83d', '\ud83d\ude00\ud83d']) expect(utf8Length(s)).toBe(enc.encode(s).length);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => utf8Length(s) === enc.encode(s).length),
      { numRuns: 500 },
    );
  });
  it('utf8LengthOf(s, from, to) equals utf8Length of the slice, surrogate pairs cut at either end included (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.nat(), fc.nat(), (s, a, b) => {
        const from = a % (s.length + 1);
        const to = from + (b % (s.length - from + 1));
        return utf8LengthOf(s, from, to) === utf8Length(s.slice(from, to));
      }),
      { numRuns: 500 },
    );
    expect(utf8LengthOf('\ud83d\ude00', 0, 1)).toBe(3);
    expect(utf8LengthOf('\ud83d\ude00', 1, 2)).toBe(3);
    expect(utf8LengthOf('a\ud83d\ude00b', 0, 4)).toBe(6);
  });
  it('isAtext is exactly RFC 5322 atext (ASCII letters, digits and 19 specials)', () => {
    const atext = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]$/;
    for (let c = 0; c < 0x3000; c++) expect(isAtext(c)).toBe(atext.test(String.fromCharCode(c)));
    expect(isAtext(Number.NaN)).toBe(false);
    expect(isAtext(-1)).toBe(false);
  });
  it('asciiUpper changes only ASCII letters', () => {
    expect(asciiUpper('body=8bitMime')).toBe('BODY=8BITMIME');
    expect(asciiUpper('SIZE')).toBe('SIZE');
    expect(asciiUpper('straße ǆ')).toBe('STRAßE ǆ');
  });
  it('utf8LengthOf at the edges: a lone high surrogate before non-ASCII, a pair cut by either end, U+0080', () => {
    const enc = new TextEncoder();
    const cases: [string, number, number][] = [
      ['\ud83d\u00e9', 0, 2], ['a\ud83d\u20ac', 0, 3], ['\ud83d\ude00', 0, 1], ['\ud83d\ude00', 1, 2], ['x\ud83d\ude00y', 1, 2],
      ['\u0080', 0, 1], ['\u007f\u0080\u07ff\u0800', 0, 4], ['\ud83d\ude00\ud83d\ude00', 1, 3], ['\ud800\udc00', 0, 2],
    ];
    for (const [s, from, to] of cases) expect(utf8LengthOf(s, from, to), JSON.stringify([s, from, to])).toBe(enc.encode(s.slice(from, to)).length);
  });
});
