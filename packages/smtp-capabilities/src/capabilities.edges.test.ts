// capabilities: the exact boundaries and edge cases (each test pins one behaviour a subtly wrong
// implementation would otherwise get away with).
import { describe, expect, test } from 'vitest';
import { Capabilities, parseEhloReply } from 'smtp-capabilities';

describe('typed values refuse signed and over-long numbers', () => {
  test.each(['-1', '+5', '1'.repeat(21), '1e3'])('SIZE %j: not a size, warned', (v) => {
    const caps = parseEhloReply({ code: 250, lines: ['mx', `SIZE ${v}`] });
    expect(caps.size === undefined || caps.size === 0).toBe(true);
    expect(caps.size).not.toBe(Number(v));
    expect(caps.warnings.map((w) => w.code)).toContain('invalid-param');
  });
  test('SIZE with 20 digits within the safe range is taken', () => {
    expect(parseEhloReply({ code: 250, lines: ['mx', 'SIZE 00000000000000001000'] }).size).toBe(1000);
  });
  test('FUTURERELEASE without a date-time is warned about', () => {
    const caps = parseEhloReply({ code: 250, lines: ['mx', 'FUTURERELEASE 604800'] });
    expect(caps.futureRelease).toEqual({ maxInterval: 604800, maxDateTime: undefined });
    expect(caps.warnings.map((w) => w.code)).toEqual(['invalid-param']);
  });
  test('LIMITS: a name without "=", a zero, and the first of two values (the repeat reported)', () => {
    const caps = parseEhloReply({ code: 250, lines: ['mx', 'LIMITS RCPTMAX MAILMAX=0 RCPTDOMAINMAX=3 RCPTDOMAINMAX=9'] });
    expect(caps.limits).toEqual({ rcptDomainMax: 3 });
    expect(caps.warnings.filter((w) => w.code === 'invalid-param')).toHaveLength(3);
  });
});

describe('keyword syntax and reply codes', () => {
  test.each(['X~Y', 'X{', 'A|B', 'Xé'])('%j is kept but marked malformed', (kw) => {
    const caps = parseEhloReply({ code: 250, lines: ['mx', kw] });
    expect(caps.get(kw)?.form).toBe('malformed');
    expect(caps.warnings.map((w) => w.code)).toContain('invalid-keyword');
  });
  test.each([200, 299])('a %i reply is parsed, with a warning', (code) => {
    const caps = parseEhloReply({ code, lines: ['mx', 'PIPELINING'] });
    expect(caps.pipelining).toBe(true);
    expect(caps.warnings.map((w) => w.code)).toEqual(['not-ehlo-reply']);
  });
  test.each([199, 300, 550])('a %i reply gives no capabilities', (code) => {
    const caps = parseEhloReply({ code, lines: ['mx', 'PIPELINING'] });
    expect(caps.pipelining).toBe(false);
    expect(caps.esmtp).toBe(false);
  });
  test('a standard AUTH line after AUTH= is the one params() returns, mechanisms merged', () => {
    const caps = parseEhloReply({ code: 250, lines: ['mx', 'AUTH=LOGIN', 'AUTH PLAIN LOGIN'] });
    expect(caps.get('AUTH')?.form).toBe('standard');
    expect(caps.params('AUTH')).toEqual(['PLAIN', 'LOGIN']);
    expect([...caps.auth].sort()).toEqual(['LOGIN', 'PLAIN']);
    const legacyLast = parseEhloReply({ code: 250, lines: ['mx', 'AUTH PLAIN', 'AUTH=LOGIN'] });
    expect(legacyLast.get('AUTH')?.form).toBe('standard');
    expect(legacyLast.params('AUTH')).toEqual(['PLAIN']);
  });
});

describe('Capabilities.none, from and without', () => {
  test('none() defaults to an empty domain and greeting', () => {
    const caps = Capabilities.none();
    expect([caps.esmtp, caps.domain, caps.greeting, caps.count, caps.keywords]).toEqual([false, '', '', 0, []]);
    expect(caps.auth.size).toBe(0);
    expect(Capabilities.none('mx', 'hi')).toMatchObject({ domain: 'mx', greeting: 'hi' });
  });
  test('from() with an empty params list and no domain', () => {
    const caps = Capabilities.from({ keywords: [{ keyword: 'PIPELINING', params: [] }, { keyword: 'SIZE', params: ['100'] }] });
    expect(caps.toLines()).toEqual(['PIPELINING', 'SIZE 100']);
    expect([caps.domain, caps.greeting, caps.size]).toEqual(['', '', 100]);
  });
  test('without() keeps the other entries and only the warnings of kept or no keyword', () => {
    const caps = parseEhloReply({ code: 250, lines: ['mx', 'SIZE abc', 'PIPELINING', 'X~Y', ''] });
    const kept = caps.without(['size']);
    expect(kept.keywords).toEqual(['PIPELINING', 'X~Y']);
    expect(kept.size).toBeUndefined();
    expect(kept.warnings.some((w) => w.keyword === 'SIZE')).toBe(false);
    expect(kept.warnings.length).toBe(caps.warnings.filter((w) => w.keyword !== 'SIZE').length);
    expect(kept.warnings.length).toBeGreaterThan(0);
  });
});
