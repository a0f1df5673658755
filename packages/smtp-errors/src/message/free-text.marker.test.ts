// The line that starts the copy of the returned message in a free-text bounce. isOriginalMarker
// replaced a pattern whose `-{2,}.*(...)` tried each split of a line of dashes between its two
// quantifiers and read the rest of the line again for each (quadratic in the line): it must decide
// as that pattern did, and read each unit of a line a bounded number of times.
import { describe, expect, it } from 'vitest';
import { extractFreeText, isOriginalMarker, type ScanSteps } from './free-text.js';

/** The former pattern, as the reference for which lines are markers. */
const FORMER =
  /^\s*(-{2,}.*(below this line|copy of (the|your) message|original message|returned message|message headers|headers of)|-+\s*original message\s*-+|original message follows|the original message (was|is)|received: from |return-path: |-{3,} ?the header of the original|\*\*\* ?original)/i;

/** The units a line is made of in the tests: the markers' words (some in other cases, some cut), dashes, stars and white space. */
const UNITS = [
  '-',
  '--',
  ' ',
  '\t',
  '\u00a0',
  '\r',
  '\u2028',
  'x',
  '*',
  '***',
  'original message',
  'Original Message',
  'ORIGINAL MESSAG',
  'original',
  'below this line',
  'copy of Your message',
  'headers of',
  'the header of the original',
  'Received: from ',
  'return-path: ',
  'original message follows',
  'The original message was',
  'the original message is',
  '\u017fo',
  'K',
];

describe('isOriginalMarker', () => {
  it('decides as the former pattern for every line of up to 4 units', () => {
    const all = (n: number): string[] => (n === 0 ? [''] : all(n - 1).flatMap((s) => UNITS.map((u) => s + u)));
    let markers = 0;
    let checked = 0;
    const wrong: string[] = [];
    for (let n = 0; n <= 4; n++) {
      for (const line of all(n)) {
        const expected = FORMER.test(line);
        if (isOriginalMarker(line) !== expected) wrong.push(line);
        if (expected) markers++;
        checked++;
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBe((UNITS.length ** 5 - 1) / (UNITS.length - 1));
    expect(markers).toBeGreaterThan(10_000);
  });

  it('decides as the former pattern for lines of up to 12 random units', () => {
    let seed = 42;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    let markers = 0;
    const wrong: string[] = [];
    for (let k = 0; k < 50_000; k++) {
      const line = Array.from({ length: next(13) }, () => UNITS[next(UNITS.length)]!).join('');
      const expected = FORMER.test(line);
      if (isOriginalMarker(line) !== expected) wrong.push(line);
      if (expected) markers++;
    }
    expect(wrong).toEqual([]);
    expect(markers).toBeGreaterThan(5_000);
  });

  // The former pattern took some 5 s on a line of 80,000 dashes (16 times what 20,000 took). No
  // timing here: the scan counts the units it reads. Past the dashes it reads each unit once, and
  // compares the words that may follow dashes (111 letters in all) from it, each up to its first
  // difference; the white space and dashes before it and the other forms are read once or twice.
  // So at most 115 reads a unit, whatever the line holds (a quadratic scan of 100,000 units would
  // read some 5 billion).
  it.each([
    ['100,000 dashes', '-'.repeat(100_000), false],
    ['dashes, then the marker words at the end', `${'-'.repeat(100_000)}original message`, true],
    ['two dashes, then words cut one letter short', `--${'original messag'.repeat(6_250)}`, false],
    ['two dashes, then the words of every alternative cut short', `--${'below this lin copy of the messag copy of your messag returned messag message header headers o '.repeat(1_000)}`, false],
    ['white space and dashes in turn', `${' '.repeat(50_000)}-${' '.repeat(50_000)}original message ${' '.repeat(50_000)}x`, false],
    ['dashes, then a line terminator before the words', `--${'x'.repeat(100_000)}\roriginal message`, false],
  ])('%s: decided right, each unit read a bounded number of times', (_, line, marker) => {
    const count: ScanSteps = { steps: 0 };
    expect(isOriginalMarker(line, count)).toBe(marker);
    expect(count.steps).toBeLessThanOrEqual(115 * line.length);
  });

  it('extractFreeText still tests only lines of up to 200 characters (a marker is a short line)', () => {
    const body = (marker: string): string => `<a@rcpt.test>: 550 5.1.1 user unknown\n${marker}\n<b@rcpt.test>: 550 5.1.1 user unknown\n`;
    expect(extractFreeText(body(`--- Original message ${'-'.repeat(179)}`)).map((r) => r.address)).toEqual(['a@rcpt.test']);
    expect(extractFreeText(body(`--- Original message ${'-'.repeat(180)}`)).map((r) => r.address)).toEqual(['a@rcpt.test', 'b@rcpt.test']);
  });
});
