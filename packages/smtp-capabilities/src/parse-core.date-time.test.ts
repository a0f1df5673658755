// A FUTURERELEASE advertisement read from a server: its max-future-release-date-time is checked with
// the RFC 3339 checker the formatter and smtp-client-args use; one that is not a date-time is
// reported and not given as one, as a max interval that is not a number is not.
import { describe, expect, test } from 'vitest';
import { parseEhloReply } from './parse-ehlo-reply.js';

const read = (line: string) => parseEhloReply({ code: 250, lines: ['mx', line] });

describe('parseEhloReply: FUTURERELEASE max date-time', () => {
  test.each(['2030-06-30T23:59:60Z', '2024-02-29T00:00:00Z', '2030-01-01T00:00:00.5+05:30'])('%s is kept', (v) => {
    const caps = read(`FUTURERELEASE 604800 ${v}`);
    expect(caps.futureRelease).toEqual({ maxInterval: 604800, maxDateTime: v });
    expect(caps.warnings).toEqual([]);
  });

  test.each(['2030-02-31T00:00:00Z', '2023-02-29T00:00:00Z', '2030-01-01T24:00:00Z', '2030-06-30T12:00:60Z', 'tomorrow'])('%s is reported and undefined', (v) => {
    const caps = read(`FUTURERELEASE 604800 ${v}`);
    expect(caps.futureRelease).toEqual({ maxInterval: 604800, maxDateTime: undefined });
    expect(caps.warnings).toMatchObject([{ code: 'invalid-param', line: 1, keyword: 'FUTURERELEASE' }]);
    // the line as sent stays available
    expect(caps.params('FUTURERELEASE')).toEqual(['604800', v]);
  });
});
