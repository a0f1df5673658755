// HOLDUNTIL and RRVS values are RFC 3339 date-times checked by the one checker smtp-capabilities also
// uses for FUTURERELEASE: a second of 60 is a leap second, which RFC 3339 §5.7 places at 23:59:60 UTC
// on the last day of a month (at another local time in another zone), and nowhere else.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMETERS, parseRrvs } from './parameters.js';

const holdUntil = DEFAULT_PARAMETERS.get('HOLDUNTIL')!;

describe('HOLDUNTIL and RRVS: a second of 60 only where a leap second can be', () => {
  it.each([
    ['2030-06-30T23:59:60Z', true],
    ['2030-12-31T23:59:60.5Z', true],
    ['2030-12-31T15:59:60-08:00', true],
    ['2031-01-01T05:29:60+05:30', true],
    ['2030-06-30T12:00:60Z', false],
    ['2030-06-29T23:59:60Z', false],
    ['2030-12-31T23:59:60-08:00', false],
    ['2030-12-31T23:58:60Z', false],
  ] as const)('%s: %s', (v, ok) => {
    expect(holdUntil.validate!(v, { smtpUtf8: false, lowercaseXtextHex: false }) === undefined).toBe(ok);
    expect(parseRrvs(v) !== undefined).toBe(ok);
  });
});
