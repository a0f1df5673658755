// A DELIVERBY advertisement read from a server: RFC 2852 §4 gives min-by-time as 1*9DIGIT, the
// bound advertise() writes; a longer value is reported as the formatter refuses it, and read as none.
import { describe, expect, test } from 'vitest';
import { parseEhloReply } from './parse-ehlo-reply.js';

const read = (line: string) => parseEhloReply({ code: 250, lines: ['mx', line] });

describe('parseEhloReply: DELIVERBY min-by-time', () => {
  test.each([['DELIVERBY', 0], ['DELIVERBY 120', 120], ['DELIVERBY 999999999', 999_999_999]])('%s is %i', (line, n) => {
    const caps = read(line);
    expect(caps.deliverBy).toBe(n);
    expect(caps.warnings).toEqual([]);
  });

  test.each(['DELIVERBY 1234567890', 'DELIVERBY 00000000001', 'DELIVERBY 12x'])('%s is reported and read as no minimum', (line) => {
    const caps = read(line);
    expect(caps.deliverBy).toBe(0);
    expect(caps.warnings).toMatchObject([{ code: 'invalid-param', line: 1, keyword: 'DELIVERBY' }]);
    expect(caps.params('DELIVERBY')).toEqual([line.slice(10)]);
  });
});
