// FUTURERELEASE's max-future-release-date-time is an RFC 3339 §5.6 date-time (RFC 4865 §3, erratum
// 2040), checked with the rules of RFC 3339 §5.7 as smtp-client-args checks HOLDUNTIL (one checker,
// in @smtpkit/foundation): the day within its month, hours 00-23, a second of 60 only for a leap second.
import { describe, expect, test } from 'vitest';
import { isCapabilitiesError } from './errors.js';
import { defaultExtensionRegistry } from './registry.js';

function advertised(maxDateTime: string): string {
  try {
    return defaultExtensionRegistry().advertise({ futureRelease: { maxInterval: 604800, maxDateTime } }).find((l) => l.startsWith('FUTURERELEASE')) ?? 'none';
  } catch (e) {
    return isCapabilitiesError(e) ? e.code : 'untyped';
  }
}

describe('advertise({ futureRelease }): maxDateTime is an RFC 3339 date-time', () => {
  test.each([
    '2030-01-31T00:00:00Z',
    '2024-02-29T12:00:00Z', // a leap year
    '2000-02-29T12:00:00Z', // every 400th year
    '2030-04-30T23:59:59.999+02:00',
    '2030-06-30T23:59:60Z', // a leap second: 23:59:60 UTC on the last day of a month
    '2030-12-31T15:59:60-08:00', // the same instant in another zone
    '2031-01-01T05:29:60+05:30',
    '2030-01-01t00:00:00z',
  ])('%s is advertised', (v) => {
    expect(advertised(v)).toBe(`FUTURERELEASE 604800 ${v}`);
  });

  test.each([
    ['2030-02-31T00:00:00Z', '31 February'],
    ['2030-02-30T00:00:00Z', '30 February'],
    ['2023-02-29T00:00:00Z', '29 February of a common year'],
    ['2100-02-29T00:00:00Z', '29 February of a century not divisible by 400'],
    ['2030-04-31T00:00:00Z', '31 April'],
    ['2030-01-01T24:00:00Z', 'hour 24 (RFC 3339 §5.7 allows 00-23)'],
    ['2030-06-30T23:59:61Z', 'second 61'],
    ['2030-06-30T12:00:60Z', 'second 60 not at 23:59 UTC'],
    ['2030-06-29T23:59:60Z', 'second 60 not on the last day of a month'],
    ['2030-12-31T23:59:60-08:00', 'second 60 at 23:59 local time that is not 23:59 UTC'],
    ['2030-01-01T00:00:00+24:00', 'an offset of 24 hours'],
    ['2030-01-01T00:00:00.Z', 'a dot without digits'],
    ['2030-01-01T00:00:00', 'no offset'],
  ])('%s is ERR_SMTP_INVALID_OPTION (%s)', (v) => {
    expect(advertised(v)).toBe('ERR_SMTP_INVALID_OPTION');
  });
});
