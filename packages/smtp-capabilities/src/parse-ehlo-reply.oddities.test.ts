// Lines a server should not send but some do: the typed value stays usable where the line is
// unambiguous, and a warning says what was odd (the set is lenient: nothing is refused).
import { describe, expect, test } from 'vitest';
import { parseEhloReply } from 'smtp-capabilities';

const ehlo = (...lines: string[]) => parseEhloReply({ code: 250, lines: ['mx.example Hello', ...lines] });
const warned = (c: { warnings: readonly { code: string; line: number; keyword?: string }[] }) => c.warnings.map((w) => [w.code, w.line, w.keyword]);

describe('parameters a keyword does not take', () => {
  test('PIPELINING foo: pipelining is on, the parameter is kept in params() and reported (RFC 2920 defines none)', () => {
    const c = ehlo('PIPELINING foo');
    expect(c.pipelining).toBe(true);
    expect(c.params('PIPELINING')).toEqual(['foo']);
    expect(c.warnings).toEqual([{ code: 'invalid-param', line: 1, keyword: 'PIPELINING', message: 'PIPELINING takes no parameters; they are ignored' }]);
  });

  test('every keyword defined without parameters is reported alike, and still on', () => {
    const none = ['PIPELINING', 'STARTTLS', '8BITMIME', 'BINARYMIME', 'CHUNKING', 'DSN', 'ENHANCEDSTATUSCODES', 'SMTPUTF8', 'REQUIRETLS'];
    const c = ehlo(...none.map((k) => `${k} x y`));
    expect(warned(c)).toEqual(none.map((k, i) => ['invalid-param', i + 1, k]));
    for (const k of none) expect(c.has(k)).toBe(true);
    expect([c.pipelining, c.startTls, c.eightBitMime, c.chunking, c.dsn, c.enhancedStatusCodes, c.smtpUtf8]).toEqual([true, true, true, true, true, true, true]);
    // without parameters, or a keyword that takes some: no warning
    expect(ehlo(...none, 'AUTH PLAIN LOGIN', 'X-FOO a b c').warnings).toEqual([]);
  });

  test('SIZE 10 20: RFC 1870 allows one number; the first is the limit, the extra one is reported', () => {
    const c = ehlo('SIZE 10 20');
    expect(c.size).toBe(10);
    expect(c.params('SIZE')).toEqual(['10', '20']);
    expect(c.warnings).toEqual([{ code: 'invalid-param', line: 1, keyword: 'SIZE', message: 'SIZE takes one parameter; the rest are ignored' }]);
  });

  test('DELIVERBY and MT-PRIORITY also take one: the first is read, the rest reported', () => {
    const c = ehlo('DELIVERBY 60 120', 'MT-PRIORITY MIXER STANAG4406');
    expect(c.deliverBy).toBe(60);
    expect(c.mtPriority).toBe('MIXER');
    expect(warned(c)).toEqual([
      ['invalid-param', 1, 'DELIVERBY'],
      ['invalid-param', 2, 'MT-PRIORITY'],
    ]);
    expect(ehlo('SIZE', 'SIZE 1', 'DELIVERBY', 'MT-PRIORITY').warnings.filter((w) => w.code === 'invalid-param')).toEqual([]);
  });
});

describe('LIMITS given twice', () => {
  test('a second LIMITS line with other values: the first line wins, reported as a duplicate', () => {
    const c = ehlo('LIMITS RCPTMAX=5', 'LIMITS RCPTMAX=10 MAILMAX=2');
    expect(c.limits).toEqual({ rcptMax: 5 });
    expect(c.params('LIMITS')).toEqual(['RCPTMAX=5']);
    expect(warned(c)).toEqual([['duplicate-keyword', 2, 'LIMITS']]);
  });

  test('the same LIMITS line twice says nothing new: read once, no warning', () => {
    const c = ehlo('LIMITS RCPTMAX=5', 'limits rcptmax=5');
    expect(c.limits).toEqual({ rcptMax: 5 });
    expect(c.warnings).toEqual([]);
  });

  test('one limit twice in a line: the first value is used and the repeat reported', () => {
    const c = ehlo('LIMITS RCPTMAX=5 MAILMAX=3 RCPTMAX=10');
    expect(c.limits).toEqual({ rcptMax: 5, mailMax: 3 });
    expect(c.warnings).toEqual([{ code: 'invalid-param', line: 1, keyword: 'LIMITS', message: 'LIMITS "RCPTMAX=10" needs one positive number per limit' }]);
  });
});

describe('spaces before the keyword', () => {
  test('the keyword and its value are read, and the warning names the spaces, not a bad keyword', () => {
    const c = ehlo('  SIZE 100', ' pipelining');
    expect(c.size).toBe(100);
    expect(c.pipelining).toBe(true);
    expect(c.get('SIZE')).toMatchObject({ form: 'malformed', params: ['100'] });
    expect(c.warnings).toEqual([
      { code: 'invalid-keyword', line: 1, keyword: 'SIZE', message: 'space before EHLO keyword "SIZE"; kept as is' },
      { code: 'invalid-keyword', line: 2, keyword: 'PIPELINING', message: 'space before EHLO keyword "PIPELINING"; kept as is' },
    ]);
  });

  test('a keyword that is bad in itself is still reported as malformed', () => {
    expect(ehlo(' X_FOO').warnings).toEqual([{ code: 'invalid-keyword', line: 1, keyword: 'X_FOO', message: 'malformed EHLO keyword "X_FOO"; kept as is' }]);
  });
});
