import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { asciiUpper, utf8Length } from './text.js';

describe('text helpers', () => {
  it('utf8Length equals the TextEncoder length for any string, lone surrogates included (property)', () => {
    const enc = new TextEncoder();
    for (const s of ['', 'a', 'é', '€', '😀', '\ud800', '\udc00x', 'a\ud83d', '\ud83d\ude00\ud83d']) expect(utf8Length(s)).toBe(enc.encode(s).length);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => utf8Length(s) === enc.encode(s).length),
      { numRuns: 500 },
    );
  });
  it('asciiUpper changes only ASCII letters', () => {
    expect(asciiUpper('body=8bitMime')).toBe('BODY=8BITMIME');
    expect(asciiUpper('SIZE')).toBe('SIZE');
    expect(asciiUpper('straße ǆ')).toBe('STRAßE ǆ');
  });
});
