// matchText reads a reply as match(collapseSpace(reply)) does, in one pass when nothing needs
// collapsing or spelling out: it stops at a blank unit, a space run or `ß` and reads again.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BLANK_UNITS, collapseSpace } from './reply-input.js';
import { makeRule, RuleMatcher } from './rules.js';

// eslint-disable-next-line no-control-regex -- the same class as collapseSpace's
const BLANK = /[^\S ]|[\0-\x1f\x7f]/;

describe('RuleMatcher.matchText', () => {
  it('BLANK_UNITS holds every unit of the BMP that collapseSpace changes alone, and no other', () => {
    const found: string[] = [];
    for (let c = 0; c < 65536; c++) if (BLANK.test(String.fromCharCode(c))) found.push(String.fromCharCode(c));
    expect(found.join('')).toBe(BLANK_UNITS);
  });

  it('answers as match on the collapsed text, and gives that text back', () => {
    const rules = [makeRule({ pattern: 'user unknown', id: 10 }, 'user'), makeRule({ pattern: 'grösse|über', id: 23 }, 'builtin'), makeRule({ pattern: 'a_b', id: 50 }, 'builtin')];
    const words = [makeRule({ pattern: 'quota', id: 22 }, 'builtin'), makeRule({ pattern: ' x ', id: 40 }, 'builtin')];
    const read = new RuleMatcher(rules, [words], ['HL:IHU']);
    const collapsed = new RuleMatcher(rules, [words], ['HL:IHU']);
    const unit = fc.constantFrom('a', 'b', 'x', '_', ' ', ' ', '\t', '\n', '\u00a0', '\u3000', 'ß', 'ẞ', 'ö', '5', '0', '.', 'HL:IHU', 'user unknown', 'quota', 'GRÖSSE über');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        const got = read.matchText(text, undefined, 3);
        const want = collapsed.match(collapseSpace(text), undefined, 3);
        expect(read.text).toBe(collapseSpace(text));
        expect(got).toBe(want);
        expect(read.rank).toBe(collapsed.rank);
        expect([...read.codes]).toEqual([...collapsed.codes]);
        expect(read.code).toBe(collapsed.code);
        expect(read.foundIndex(0)).toBe(collapsed.foundIndex(0));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a text that needs nothing done once, as it is', () => {
    const m = new RuleMatcher([makeRule({ pattern: 'user unknown', id: 10 }, 'user')]);
    const text = '550 5.1.1 user unknown';
    expect(m.matchText(text, undefined)?.id).toBe(10);
    expect(m.text).toBe(text);
    expect(m.matchText('550  user\tunknown', undefined)?.id).toBe(10);
    expect(m.text).toBe('550 user unknown');
  });
});
