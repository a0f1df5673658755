// A FUTURERELEASE advertisement read from a server: RFC 4865 gives max-future-release-interval as
// 1*9DIGIT, the bound advertise() writes (and HOLDFOR's); a longer value is reported as the
// formatter refuses it, and read as no interval, as DELIVERBY's min-by-time is.
import { describe, expect, test } from 'vitest';
import { parseEhloReply } from './parse-ehlo-reply.js';

const read = (line: string) => parseEhloReply({ code: 250, lines: ['mx', line] });
const when = '2030-01-01T00:00:00Z';

describe('parseEhloReply: FUTURERELEASE max-future-release-interval', () => {
  test.each([['0', 0], ['604800', 604_800], ['999999999', 999_999_999], ['000000001', 1]])('%s is %i', (v, n) => {
    const caps = read(`FUTURERELEASE ${v} ${when}`);
    expect(caps.futureRelease).toEqual({ maxInterval: n, maxDateTime: when });
    expect(caps.warnings).toEqual([]);
  });

  test.each(['1000000000', '0000000001', '99999999999999999999'])('%s (ten digits or more) is reported and read as no interval', (v) => {
    const caps = read(`FUTURERELEASE ${v} ${when}`);
    expect(caps.futureRelease).toEqual({ maxInterval: undefined, maxDateTime: when });
    expect(caps.warnings).toMatchObject([{ code: 'invalid-param', line: 1, keyword: 'FUTURERELEASE' }]);
    expect(caps.warnings[0]!.message).toContain('9 digits');
    expect(caps.params('FUTURERELEASE')).toEqual([v, when]);
  });
});
