// The enhanced status code grammar of RFC 3463 §2 that smtp-reply-reader and smtp-capabilities share:
// class 2, 4 or 5, subject and detail of one to three digits without a leading zero, then SP, HT or the end.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanEnhancedStatusCode } from './enhanced-status-code.js';

const scan = (t: string, start = 0, end = t.length) => scanEnhancedStatusCode((i) => t.charCodeAt(i), start, end);

describe('scanEnhancedStatusCode', () => {
  it.each([
    ['2.0.0', 2, 0, 0, 5],
    ['4.7.0', 4, 7, 0, 5],
    ['5.7.1 denied', 5, 7, 1, 5],
    ['5.7.1\tdenied', 5, 7, 1, 5],
    ['5.1.10', 5, 1, 10, 6],
    ['5.999.999', 5, 999, 999, 9],
    ['2.0.0  two spaces', 2, 0, 0, 5],
  ] as const)('%j is class %i, subject %i, detail %i, ending at %i', (t, cls, subject, detail, next) => {
    expect(scan(t)).toEqual({ code: { class: cls, subject, detail }, next });
  });

  it.each([
    ['5.7.1234', 'a detail of four digits'],
    ['2.1000.0', 'a subject of four digits'],
    ['2.00.0', 'a subject with a leading zero'],
    ['2.0.00', 'a detail with a leading zero'],
    ['5.01.1', 'a subject with a leading zero'],
    ['5.1.010', 'a detail with a leading zero'],
    ['2.000.000', 'zeros written three times'],
    ['6.0.0', 'class 6'],
    ['3.0.0', 'class 3'],
    ['1.0.0', 'class 1'],
    ['02.0.0', 'a class of two digits'],
    ['2.0.', 'no detail'],
    ['2.0', 'no second dot'],
    ['2..0', 'no subject'],
    ['2.0.0.0', 'a fourth field'],
    ['2.0.0x', 'trailing text'],
    ['2.0.0-', 'a trailing hyphen'],
    ['2.0.0\u00a0x', 'a no-break space after it'],
    ['.2.0.0', 'a leading dot'],
    [' 2.0.0', 'a leading space'],
    ['\uff12.0.0', 'a full-width digit'],
    ['2.\u0660.0', 'an Arabic-Indic digit'],
    ['2.a.0', 'a letter'],
    ['', 'nothing'],
    ['2', 'a class alone'],
  ])('%j is no code (%s)', (t) => {
    expect(scan(t)).toBeUndefined();
  });

  it('reads only from start to end', () => {
    expect(scan('xx5.1.1 y', 2)).toEqual({ code: { class: 5, subject: 1, detail: 1 }, next: 7 });
    // a code cut at `end` ends there; a digit at `end` is not read
    expect(scan('5.1.12', 0, 5)).toEqual({ code: { class: 5, subject: 1, detail: 1 }, next: 5 });
    expect(scan('5.1.1', 0, 4)).toBeUndefined();
    expect(scan('2.', 0, 1)).toBeUndefined();
    const read: number[] = [];
    scanEnhancedStatusCode((i) => (read.push(i), '5.123.456x'.charCodeAt(i)), 0, 9);
    expect(Math.max(...read)).toBeLessThan(9);
  });

  it('agrees with the ABNF of RFC 3463 §2 and its no-leading-zero rule (property)', () => {
    const sub = '(?:0|[1-9][0-9]{0,2})';
    const grammar = new RegExp(`^[245]\\.${sub}\\.${sub}(?=[ \\t]|$)`);
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('2', '4', '5', '0', '1', '9', '.', ' ', '\t', 'x'), maxLength: 14 }), (t) => {
        const m = grammar.exec(t);
        const got = scan(t);
        expect(got?.next).toBe(m?.[0].length);
        if (m && got) expect(`${got.code.class}.${got.code.subject}.${got.code.detail}`).toBe(m[0]);
      }),
      { numRuns: 3000 },
    );
  });
});
