// The RFC 3339 date-time that smtp-capabilities (FUTURERELEASE) and smtp-client-args (HOLDUNTIL,
// RRVS) check with: the §5.6 shape and the §5.7 restrictions, against the platform's calendar.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDateTime } from './date-time.js';

describe('isDateTime', () => {
  it.each([
    '2030-01-01T00:00:00Z',
    '2030-12-31T23:59:59z',
    '2030-01-01t00:00:00+23:59',
    '2030-01-01T00:00:00-00:00',
    '2030-01-01T00:00:00.1Z',
    '2030-01-01T00:00:00.123456789-05:00',
    '2024-02-29T00:00:00Z',
    '2000-02-29T00:00:00Z',
    '0000-02-29T00:00:00Z',
    '2030-06-30T23:59:60Z',
    '2030-12-31T23:59:60.25Z',
    '1990-12-31T15:59:60-08:00',
    '2031-01-01T05:29:60+05:30',
    '2030-03-01T00:59:60+01:00',
  ])('%s is a date-time', (v) => {
    expect(isDateTime(v)).toBe(true);
  });

  it.each([
    ['2030-02-31T00:00:00Z', '31 February'],
    ['2023-02-29T00:00:00Z', '29 February of a common year'],
    ['1900-02-29T00:00:00Z', '29 February of 1900'],
    ['2030-04-31T00:00:00Z', '31 April'],
    ['2030-00-01T00:00:00Z', 'month 0'],
    ['2030-13-01T00:00:00Z', 'month 13'],
    ['2030-01-00T00:00:00Z', 'day 0'],
    ['2030-01-32T00:00:00Z', 'day 32'],
    ['2030-01-01T24:00:00Z', 'hour 24'],
    ['2030-01-01T00:60:00Z', 'minute 60'],
    ['2030-01-01T00:00:61Z', 'second 61'],
    ['2030-06-30T12:00:60Z', 'a leap second not at 23:59 UTC'],
    ['2030-06-29T23:59:60Z', 'a leap second not at a month end'],
    ['2030-12-31T23:59:60-08:00', 'a leap second at 23:59 local, 07:59 UTC'],
    ['2030-03-01T00:59:60-01:00', 'a leap second at 01:59 UTC'],
    ['2030-01-01T00:00:00+24:00', 'an offset of 24 hours'],
    ['2030-01-01T00:00:00+01:60', 'an offset minute of 60'],
    ['2030-01-01T00:00:00+0100', 'an offset without a colon'],
    ['2030-01-01T00:00:00', 'no offset'],
    ['2030-01-01T00:00:00.Z', 'a dot without digits'],
    ['2030-01-01T00:00:00ZZ', 'text after it'],
    ['2030-01-01 00:00:00Z', 'a space for T'],
    ['2030-1-01T00:00:00Z', 'a one-digit month'],
    ['+2030-01-01T00:00:00Z', 'a sign before the year'],
    ['２030-01-01T00:00:00Z', 'a full-width digit'],
    ['', 'nothing'],
  ])('%s is not (%s)', (v) => {
    expect(isDateTime(v)).toBe(false);
  });

  it('a day is valid exactly when the calendar has it (property)', () => {
    const pad = (x: number, w: number) => String(x).padStart(w, '0');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), (y, m, d) => {
        const day = new Date(0);
        day.setUTCFullYear(y, m - 1, d);
        const exists = m >= 1 && m <= 12 && d >= 1 && day.getUTCDate() === d;
        expect(isDateTime(`${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T12:00:00Z`)).toBe(exists);
      }),
      { numRuns: 3000 },
    );
  });

  it('a second of 60 is valid exactly at 23:59 UTC on the last day of a month (property)', () => {
    const pad = (x: number) => String(x).padStart(2, '0');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), fc.integer({ min: 0, max: 1439 }), fc.integer({ min: -1439, max: 1439 }), (m, d, local, offset) => {
        const day = new Date(Date.UTC(2030, m - 1, d));
        fc.pre(day.getUTCDate() === d);
        const zone = offset === 0 ? 'Z' : `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
        const v = `2030-${pad(m)}-${pad(d)}T${pad(Math.floor(local / 60))}:${pad(local % 60)}:60${zone}`;
        // the instant a second before: 23:59:59 UTC on a month's last day
        const utc = new Date(Date.UTC(2030, m - 1, d, 0, local - offset, 59));
        const next = new Date(utc.getTime() + 1000);
        expect([v, isDateTime(v)]).toEqual([v, utc.getUTCHours() === 23 && utc.getUTCMinutes() === 59 && next.getUTCDate() === 1]);
      }),
      { numRuns: 3000 },
    );
  });
});
