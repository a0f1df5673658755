// Value grammars of the built-in parameter table, pinned at their edges through the public API
// (SmtpClientArgs.add for the client side, parseMailFrom / parseRcptTo for the server side).
import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '@smtpkit/testkit';
import { SmtpClientArgs, isClientArgsError, parseMailFrom, parseRcptTo, readRcptParameters, type ClientArgsRemoteError } from 'smtp-client-args';
import type { SmtpClientArgsOptions } from 'smtp-client-args';
const isRemoteError = (e: unknown): e is ClientArgsRemoteError => isClientArgsError(e) && e.kind === 'remote';

function accepts(keyword: string, value: string | undefined, options: SmtpClientArgsOptions = {}): boolean {
  const r = new SmtpClientArgs(options).add(keyword, value);
  if (!r.ok) expect(r.reason).toBe('bad-value');
  return r.ok;
}

const mail = { command: 'mail' } as const;
const rcpt = { command: 'rcpt' } as const;

describe('SIZE, HOLDFOR: decimal digits only, bounded length (RFC 1870, RFC 4865)', () => {
  it('SIZE takes up to 20 digits, 0 included', () => {
    expect(accepts('SIZE', '0')).toBe(true);
    expect(accepts('SIZE', '9'.repeat(20))).toBe(true);
    expect(accepts('SIZE', '9'.repeat(21))).toBe(false);
    expect(accepts('SIZE', '12a')).toBe(false);
    expect(accepts('SIZE', '-1')).toBe(false);
  });

  it('HOLDFOR takes up to 9 digits and nothing else', () => {
    expect(accepts('HOLDFOR', '0')).toBe(true);
    expect(accepts('HOLDFOR', '999999999')).toBe(true);
    expect(accepts('HOLDFOR', '1000000000')).toBe(false);
    expect(accepts('HOLDFOR', 'abc')).toBe(false);
    expect(accepts('HOLDFOR', '1e3')).toBe(false);
    expect(parseMailFrom('FROM:<a@b> HOLDFOR=999999999').parameters.holdFor).toBe(999_999_999);
  });

  it('HOLDFOR of ten digits or more (RFC 4865 holdfor-value: 1*9DIGIT) is refused on every path, leading zeros counted', () => {
    for (const v of ['1000000000', '0000000001', '9'.repeat(20)]) {
      expect(accepts('HOLDFOR', v), v).toBe(false);
      expect(accepts('HOLDFOR', v, mail), v).toBe(false);
      expect(() => parseMailFrom(`FROM:<a@b> HOLDFOR=${v}`), v).toThrow(expect.objectContaining({ code: 'ERR_SMTP_PARAM_VALUE', keyword: 'HOLDFOR', reply: expect.objectContaining({ code: 501 }) }));
    }
    expect(accepts('HOLDFOR', '000000001')).toBe(true);
    expect(errorCodeOf(() => new SmtpClientArgs().setHoldFor(1_000_000_000), isClientArgsError)).toBe('ERR_SMTP_INVALID_PARAM');
    expect(new SmtpClientArgs().setHoldFor(999_999_999).get('HOLDFOR')).toBe('999999999');
  });
});

describe('MT-PRIORITY: one digit with an optional sign, -9..9 (RFC 6710)', () => {
  it('accepts +N and -N, refuses two digits', () => {
    expect(accepts('MT-PRIORITY', '+5')).toBe(true);
    expect(accepts('MT-PRIORITY', '-9')).toBe(true);
    expect(accepts('MT-PRIORITY', '10')).toBe(false);
    expect(accepts('MT-PRIORITY', '+')).toBe(false);
    expect(parseMailFrom('FROM:<a@b> MT-PRIORITY=+5').parameters.mtPriority).toBe(5);
  });

  it('-0 reads as 0 (never negative zero)', () => {
    expect(Object.is(parseMailFrom('FROM:<a@b> MT-PRIORITY=-0').parameters.mtPriority, 0)).toBe(true);
  });
});

describe('BY: by-time ";" by-mode [T] (RFC 2852)', () => {
  it('a signed by-time of up to 9 digits', () => {
    expect(accepts('BY', '+60;R')).toBe(true);
    expect(accepts('BY', '-60;N')).toBe(true);
    expect(accepts('BY', '+999999999;N')).toBe(true);
    expect(accepts('BY', '999999999;N')).toBe(true);
    expect(accepts('BY', '1000000000;N')).toBe(false);
  });

  it('a sign alone or no by-time is refused', () => {
    expect(accepts('BY', '+;N')).toBe(false);
    expect(accepts('BY', '-;N')).toBe(false);
    expect(accepts('BY', ';N')).toBe(false);
    expect(accepts('BY', '60')).toBe(false);
  });

  it('modes N, R, NT, RT (any case); R needs a positive time', () => {
    for (const m of ['N', 'R', 'NT', 'RT', 'nt', 'rt']) expect(accepts('BY', `60;${m}`)).toBe(true);
    for (const m of ['T', 'X', 'NN', 'RTT', '']) expect(accepts('BY', `60;${m}`)).toBe(false);
    expect(accepts('BY', '0;R')).toBe(false);
    expect(accepts('BY', '0;N')).toBe(true);
  });

  it('reads seconds, mode and trace; -0 reads as 0', () => {
    expect(parseMailFrom('FROM:<a@b> BY=+120;rt').parameters.by).toEqual({ seconds: 120, mode: 'R', trace: true });
    expect(parseMailFrom('FROM:<a@b> BY=-5;N').parameters.by).toEqual({ seconds: -5, mode: 'N', trace: false });
    const zero = parseMailFrom('FROM:<a@b> BY=-0;N').parameters.by;
    expect(Object.is(zero?.seconds, 0)).toBe(true);
  });
});

describe('MTRK: [certifier [":" timeout]] (RFC 3885)', () => {
  it('the certifier is base64 without padding: + and / included, other marks refused', () => {
    expect(accepts('MTRK', 'ab+/Cd9')).toBe(true);
    expect(accepts('MTRK', 'ab.c')).toBe(false);
    expect(accepts('MTRK', 'ab_c')).toBe(false);
  });

  it('a timeout of up to 9 digits, and only after a certifier', () => {
    expect(accepts('MTRK', 'abc:999999999')).toBe(true);
    expect(accepts('MTRK', 'abc:1000000000')).toBe(false);
    expect(accepts('MTRK', 'abc:')).toBe(false);
    expect(accepts('MTRK', 'abc:1x')).toBe(false);
    expect(accepts('MTRK', ':30')).toBe(false);
  });

  it('reads the certifier and the timeout', () => {
    expect(parseMailFrom('FROM:<a@b> MTRK=abc').parameters.mtrk).toEqual({ certifier: 'abc' });
    expect(parseMailFrom('FROM:<a@b> MTRK=abc:30').parameters.mtrk).toEqual({ certifier: 'abc', timeout: 30 });
    expect(parseMailFrom('FROM:<a@b> MTRK').parameters.mtrk).toEqual({});
  });
});

describe('HOLDUNTIL and RRVS: RFC 3339 date-time', () => {
  const ok = [
    '2026-11-29T12:00:00Z',
    '2026-11-29t12:00:00z',
    '2026-12-31T23:59:60Z',
    '2026-01-01T00:00:00.5Z',
    '2026-01-01T00:00:00.123456+23:59',
    '2026-01-01T00:00:00-05:00',
  ];
  const bad = [
    '2026-11-29',
    '2026-11-29T12:00',
    '2026-11-29T12:00:0',
    '2026-11-29X12:00:00Z',
    '2026/11/29T12:00:00Z',
    '2026-11-29T12-00-00Z',
    '20261-1-29T12:00:00Z',
    '2026-00-29T12:00:00Z',
    '2026-13-29T12:00:00Z',
    '2026-12-00T12:00:00Z',
    '2026-12-32T12:00:00Z',
    '2026-12-31T24:00:00Z',
    '2026-12-31T23:60:00Z',
    '2026-12-31T23:59:61Z',
    '2026-12-31T23:59:59.Z',
    '2026-12-31T23:59:59X',
    '2026-12-31T23:59:59',
    '2026-12-31T23:59:59+24:00',
    '2026-12-31T23:59:59+23:60',
    '2026-12-31T23:59:59+0500',
    '2026-12-31T23:59:59*05:00',
    '2026-12-31T23:59:59+05:00Z',
  ];

  it('accepts the edges of each field, t/z in any case, fractions and offsets', () => {
    for (const v of ok) expect([v, accepts('HOLDUNTIL', v)]).toEqual([v, true]);
    for (const v of ok) expect([v, accepts('RRVS', v, rcpt)]).toEqual([v, true]);
  });

  it('refuses a field out of range, a wrong separator or a truncated value', () => {
    for (const v of bad) expect([v, accepts('HOLDUNTIL', v)]).toEqual([v, false]);
    for (const v of bad) expect([v, accepts('RRVS', v, rcpt)]).toEqual([v, false]);
  });

  it('each limit is exclusive just above the maximum', () => {
    expect(accepts('HOLDUNTIL', '2026-12-31T23:59:59Z')).toBe(true);
    expect(accepts('HOLDUNTIL', '2026-12-31T00:00:00+23:59')).toBe(true);
  });

  it('RRVS takes an optional mode C or R', () => {
    expect(accepts('RRVS', '2026-11-29T12:00:00Z;C', rcpt)).toBe(true);
    expect(accepts('RRVS', '2026-11-29T12:00:00Z;r', rcpt)).toBe(true);
    expect(accepts('RRVS', '2026-11-29T12:00:00Z;X', rcpt)).toBe(false);
    expect(parseRcptTo('TO:<a@b> RRVS=2026-11-29T12:00:00Z').parameters.rrvs).toEqual({ dateTime: '2026-11-29T12:00:00Z' });
    expect(parseRcptTo('TO:<a@b> RRVS=2026-11-29T12:00:00Z;c').parameters.rrvs).toEqual({ dateTime: '2026-11-29T12:00:00Z', mode: 'C' });
  });
});

describe('NOTIFY: NEVER or a list of SUCCESS, FAILURE, DELAY without repeats (RFC 3461)', () => {
  it('accepts any case and order, refuses repeats and NEVER in a list', () => {
    expect(accepts('NOTIFY', 'delay,Success', rcpt)).toBe(true);
    expect(accepts('NOTIFY', 'SUCCESS,SUCCESS', rcpt)).toBe(false);
    expect(accepts('NOTIFY', 'NEVER,SUCCESS', rcpt)).toBe(false);
    expect(accepts('NOTIFY', 'SUCCES', rcpt)).toBe(false);
    expect(parseRcptTo('TO:<a@b> NOTIFY=delay,failure').parameters.notify).toEqual(['DELAY', 'FAILURE']);
  });
});

describe('ORCPT: addr-type ";" xtext, at most 500 characters (RFC 3461 §4.2)', () => {
  it('500 characters are accepted, 501 refused', () => {
    const at500 = 'rfc822;' + 'a'.repeat(500 - 'rfc822;'.length);
    expect(accepts('ORCPT', at500, rcpt)).toBe(true);
    expect(accepts('ORCPT', at500 + 'a', rcpt)).toBe(false);
  });

  it('the addr-type is an atom and the address is not empty', () => {
    expect(accepts('ORCPT', 'rfc.822;a@b', rcpt)).toBe(false);
    expect(accepts('ORCPT', ';a@b', rcpt)).toBe(false);
    expect(accepts('ORCPT', 'rfc822;', rcpt)).toBe(false);
    expect(accepts('ORCPT', 'x-private;a@b', rcpt)).toBe(true);
  });

  it('a non-ASCII address needs addr-type utf-8, even with SMTPUTF8', () => {
    expect(accepts('ORCPT', 'rfc822;ü@b', { command: 'rcpt', smtpUtf8: true })).toBe(false);
    expect(accepts('ORCPT', 'utf-8;ü@b', { command: 'rcpt', smtpUtf8: true })).toBe(true);
  });

  it('a non-ASCII address is not let in xtext-encoded either (RFC 3461 §4.2: US-ASCII before encoding), as setOrcpt refuses it', () => {
    expect(accepts('ORCPT', 'rfc822;+C3+BC@b', rcpt)).toBe(false);
    expect(accepts('ORCPT', 'rfc822;+c3+bc@b', { command: 'rcpt', smtpUtf8: true, lowercaseXtextHex: true })).toBe(true);
    expect(() => parseRcptTo('TO:<a@b> ORCPT=rfc822;+C3+BC@b', { advertised: ['DSN'] })).toThrow(expect.objectContaining({ code: 'ERR_SMTP_PARAM_VALUE', keyword: 'ORCPT' }));
    expect(accepts('ORCPT', 'rfc822;+7E+20a@b', rcpt)).toBe(true);
    expect(accepts('ORCPT', 'utf-8;\\x{FC}@b', rcpt)).toBe(true);
  });

  it('in an SMTPUTF8 transaction an xtext-encoded UTF-8 address is read, as Postfix relays a UTF-8 recipient (rfc822;empf+C3+A4nger@...)', () => {
    const utf8 = { command: 'rcpt' as const, smtpUtf8: true };
    expect(accepts('ORCPT', 'rfc822;empf+C3+A4nger@b.test', utf8)).toBe(true);
    const parsed = parseRcptTo('TO:<empfänger@b.test> ORCPT=rfc822;empf+C3+A4nger@b.test', { advertised: ['DSN', 'SMTPUTF8'], smtpUtf8: true });
    expect(readRcptParameters(parsed.args).orcpt).toMatchObject({ addrType: 'rfc822', address: 'empfänger@b.test' });
    // not valid UTF-8 once decoded: refused even then
    expect(accepts('ORCPT', 'rfc822;+C3@b.test', utf8)).toBe(false);
  });

  it('INJ-4: lower-case xtext hex follows lowercaseXtextHex', () => {
    expect(accepts('ORCPT', 'rfc822;a+2bb@c', rcpt)).toBe(true);
    expect(accepts('ORCPT', 'rfc822;a+2bb@c', { command: 'rcpt', lowercaseXtextHex: false })).toBe(false);
    expect(accepts('ORCPT', 'rfc822;a+2Bb@c', { command: 'rcpt', lowercaseXtextHex: false })).toBe(true);
  });
});

describe('ORCPT utf-8-addr-xtext (RFC 6533 §3)', () => {
  const u = { command: 'rcpt', smtpUtf8: true } as const;
  const read = (v: string): string | undefined => parseRcptTo(`TO:<a@b> ORCPT=${v}`, { smtpUtf8: true }).parameters.orcpt?.address;

  it('\\x{HEX} escapes of 2 to 6 hex digits decode to the code point', () => {
    expect(read('utf-8;a\\x{E9}b@c')).toBe('aéb@c');
    expect(read('utf-8;\\x{10FFFF}@c')).toBe('\u{10FFFF}@c');
    expect(read('utf-8;\\x{D7FF}@c')).toBe('\uD7FF@c');
    expect(read('utf-8;\\x{2B}\\x{3D}\\x{5C}@c')).toBe('+=\\@c');
    expect(read('utf-8;!a~@c')).toBe('!a~@c');
  });

  it('refuses malformed, oversized, surrogate and needless escapes', () => {
    for (const v of [
      'utf-8;a\\y{E9}@c',
      'utf-8;a\\x(E9}@c',
      'utf-8;a\\x{}@c',
      'utf-8;a\\x{E9@c',
      'utf-8;a\\x{E:}@c',
      'utf-8;a\\x{00000E9}@c',
      'utf-8;a\\x{0000E9}@c',
      'utf-8;a\\x{110000}@c',
      'utf-8;a\\x{D800}@c',
      'utf-8;a\\x{DFFF}@c',
      'utf-8;a\\x{41}@c',
      'utf-8;a+b@c',
    ]) {
      expect([v, accepts('ORCPT', v, u)]).toEqual([v, false]);
    }
  });

  it('hex digits of either case are read (RFC 5234 §2.3: the ABNF strings of HEXPOINT are case-insensitive), as Postfix reads them', () => {
    expect(read('utf-8;a\\x{e9}b@c')).toBe('aéb@c');
    expect(read('utf-8;\\x{1f60a}\\x{1F60a}@c')).toBe('\u{1F60A}\u{1F60A}@c');
    expect(read('utf-8;\\x{2b}\\x{3d}\\x{5c}@c')).toBe('+=\\@c');
    expect(accepts('ORCPT', 'utf-8;j\\x{f6}rg@example.com', rcpt)).toBe(true);
    expect(parseRcptTo('TO:<a@b> ORCPT=utf-8;j\\x{f6}rg@example.com', { advertised: ['DSN'] }).parameters.orcpt).toEqual({ addrType: 'utf-8', address: 'j\u00f6rg@example.com' });
    // still no surrogate, control or needless ASCII escape in lower case
    for (const v of ['utf-8;a\\x{d800}@c', 'utf-8;a\\x{7f}@c', 'utf-8;a\\x{9f}@c', 'utf-8;a\\x{6a}@c']) expect([v, accepts('ORCPT', v, u)]).toEqual([v, false]);
  });

  it('INJ-3: an escape that decodes to a control character is refused', () => {
    expect(accepts('ORCPT', 'utf-8;a\\x{85}@c', u)).toBe(false);
    expect(accepts('ORCPT', 'utf-8;a\\x{9F}@c', u)).toBe(false);
    expect(accepts('ORCPT', 'utf-8;a\\x{A0}@c', u)).toBe(true);
  });

  it('\\x{20} is a valid escape: an address with a space survives setOrcpt and parseRcptTo', () => {
    expect(read('utf-8;"a\\x{20}b"@c')).toBe('"a b"@c');
    const a = new SmtpClientArgs(u).setOrcpt('utf-8', '"j doe"@example.com');
    expect(a.get('ORCPT')).toBe('utf-8;"j\\x{20}doe"@example.com');
    expect(accepts('ORCPT', 'utf-8;a\\x{1F}@c', u)).toBe(false);
    expect(accepts('ORCPT', 'utf-8;a\\x{7F}@c', u)).toBe(false);
  });

  it('setOrcpt escapes SP, +, =, \\ and non-ASCII, and keeps ! and ~ literal', () => {
    const a = new SmtpClientArgs(u).setOrcpt('utf-8', 'a b!~+=\\é@c');
    expect(a.get('ORCPT')).toBe('utf-8;a\\x{20}b!~\\x{2B}\\x{3D}\\x{5C}\\x{E9}@c');
    expect(parseRcptTo(`TO:<a@b> ORCPT=${a.get('ORCPT')!}`, { smtpUtf8: true }).parameters.orcpt).toEqual({ addrType: 'utf-8', address: 'a b!~+=\\é@c' });
  });
});

describe('AUTH and ENVID: xtext values (RFC 4954, RFC 3461)', () => {
  it('AUTH must be valid xtext; lower-case hex follows lowercaseXtextHex', () => {
    expect(accepts('AUTH', 'a+zz@b')).toBe(false);
    expect(accepts('AUTH', 'a+2@b')).toBe(false);
    expect(accepts('AUTH', 'a+2bb@c')).toBe(true);
    expect(accepts('AUTH', 'a+2bb@c', { lowercaseXtextHex: false })).toBe(false);
    expect(accepts('AUTH', '<>')).toBe(true);
  });

  it('ENVID decodes to at most 100 characters', () => {
    expect(accepts('ENVID', 'x'.repeat(100))).toBe(true);
    expect(accepts('ENVID', 'x'.repeat(101))).toBe(false);
    expect(accepts('ENVID', '+41'.repeat(100))).toBe(true);
  });
});

describe('keyword values are ASCII words: no Unicode look-alikes (RFC 5321 §4.1.2)', () => {
  const u = { smtpUtf8: true } as const;
  it('BODY, RET and NOTIFY refuse words that only upper-case to a known value', () => {
    expect(accepts('BODY', '8B\u0131TMIME', u)).toBe(false); // dotless i upper-cases to I
    expect(accepts('NOTIFY', '\u017fUCCESS', { command: 'rcpt', smtpUtf8: true })).toBe(false); // long s upper-cases to S
    expect(accepts('NOTIFY', 'SUCCE\u00df', { command: 'rcpt', smtpUtf8: true })).toBe(false); // sharp s upper-cases to SS
    expect(accepts('RET', 'FULL', u)).toBe(true);
  });

  it('a server never reads such a word as a known BODY value', () => {
    expect(errorCodeOf(() => parseMailFrom('FROM:<a@b> SMTPUTF8 BODY=8B\u0131TMIME'), isRemoteError)).toBe('ERR_SMTP_PARAM_VALUE');
  });
});

describe('argument checks before the grammar', () => {
  it('a keyword or value that is not a string is refused, not thrown', () => {
    const a = new SmtpClientArgs(mail);
    expect(a.add(42 as unknown as string)).toMatchObject({ ok: false, reason: 'bad-keyword' });
    expect(a.add('SIZE', 42 as unknown as string)).toMatchObject({ ok: false, reason: 'bad-value' });
    expect(a.add('X-FOO', 42 as unknown as string)).toMatchObject({ ok: false, reason: 'bad-value' });
    expect(a.size).toBe(0);
  });

  it('a parameter of the other command names the command it belongs to', () => {
    expect(new SmtpClientArgs(mail).add('NOTIFY', 'NEVER')).toMatchObject({ ok: false, reason: 'wrong-command', message: expect.stringContaining('RCPT') });
    expect(new SmtpClientArgs(rcpt).add('SIZE', '1')).toMatchObject({ ok: false, reason: 'wrong-command', message: expect.stringContaining('MAIL') });
  });

  it('refusals carry a message naming the keyword', () => {
    const a = new SmtpClientArgs(mail);
    expect(a.add('SIZE')).toMatchObject({ reason: 'value-required', message: expect.stringContaining('SIZE') });
    expect(a.add('SMTPUTF8', 'x')).toMatchObject({ reason: 'value-not-allowed', message: expect.stringContaining('SMTPUTF8') });
    expect(a.add('SIZE', 'x=y')).toMatchObject({ reason: 'bad-value', message: expect.stringContaining('SIZE') });
    expect(a.add('SIZE', 'x')).toMatchObject({ reason: 'bad-value', message: expect.stringContaining('SIZE') });
    expect(a.add('-X')).toMatchObject({ reason: 'bad-keyword', message: expect.stringMatching(/\S/) });
    a.add('SIZE', '1');
    expect(a.add('size', '2')).toMatchObject({ reason: 'duplicate', message: expect.stringContaining('SIZE') });
  });
});

describe('HOLDUNTIL and RRVS: the day must exist in its month (RFC 3339 §5.7)', () => {
  it('February 29 only in leap years (every 4th, not every 100th, every 400th); no 31st in 30-day months', () => {
    for (const [date, ok] of [
      ['2030-02-28', true], ['2030-02-29', false], ['2030-02-31', false], ['2028-02-29', true], ['2000-02-29', true], ['2100-02-29', false],
      ['2030-04-30', true], ['2030-04-31', false], ['2030-06-31', false], ['2030-09-31', false], ['2030-11-31', false],
      ['2030-01-31', true], ['2030-03-31', true], ['2030-07-31', true], ['2030-08-31', true], ['2030-10-31', true], ['2030-12-31', true],
    ] as const) {
      const v = `${date}T00:00:00Z`;
      expect(accepts('HOLDUNTIL', v, mail), v).toBe(ok);
      expect(accepts('RRVS', v, rcpt), v).toBe(ok);
      expect(errorCodeOf(() => parseMailFrom(`FROM:<a@b> HOLDUNTIL=${v}`), isRemoteError) ?? 'ok', v).toBe(ok ? 'ok' : 'ERR_SMTP_PARAM_VALUE');
      expect(errorCodeOf(() => parseRcptTo(`TO:<a@b> RRVS=${v}`), isRemoteError) ?? 'ok', v).toBe(ok ? 'ok' : 'ERR_SMTP_PARAM_VALUE');
      expect(errorCodeOf(() => new SmtpClientArgs(mail).setHoldUntil(v), isClientArgsError) ?? 'ok', v).toBe(ok ? 'ok' : 'ERR_SMTP_INVALID_PARAM');
    }
  });
});

describe('ORCPT: no invisible or bidi control characters in the address, as in paths (INJ-3)', () => {
  it('U+202E, U+200B, U+00AD are refused whether escaped as \\x{...}, raw under SMTPUTF8 or xtext-encoded', () => {
    const utf8 = { smtpUtf8: true } as const;
    for (const cp of [0x202e, 0x200b, 0x00ad, 0x2066, 0xfeff]) {
      const ch = String.fromCodePoint(cp);
      const hex = cp.toString(16).toUpperCase();
      const xtext = [...new TextEncoder().encode(ch)].map((b) => `+${b.toString(16).toUpperCase()}`).join('');
      for (const [value, options] of [
        [`utf-8;evil\\x{${hex}}moc.elpmaxe@x`, {}],
        [`utf-8;evil${ch}x@example.com`, utf8],
        [`rfc822;a${xtext}b@c`, utf8],
      ] as const) {
        expect(errorCodeOf(() => parseRcptTo(`TO:<a@b> ORCPT=${value}`, options), isRemoteError), `${hex} ${value}`).toBe('ERR_SMTP_PARAM_VALUE');
      }
      expect(errorCodeOf(() => new SmtpClientArgs({ command: 'rcpt', smtpUtf8: true }).setOrcpt('utf-8', `a${ch}b@c`), isClientArgsError), hex).toBe('ERR_SMTP_INVALID_PARAM');
    }
    // visible non-ASCII is still taken
    expect(parseRcptTo('TO:<a@b> ORCPT=utf-8;j\\x{F6}rg@example.com').parameters.orcpt).toEqual({ addrType: 'utf-8', address: 'j\u00f6rg@example.com' });
    expect(parseRcptTo('TO:<a@b> ORCPT=rfc822;empf+C3+A4nger@example.com', utf8).parameters.orcpt).toEqual({ addrType: 'rfc822', address: 'empf\u00e4nger@example.com' });
  });
});

describe('a value where none is allowed, none where one is needed (RFC 5321 §4.1.2 esmtp-param)', () => {
  const refusal = (line: string): [string, unknown, unknown, unknown, unknown] => {
    try {
      if (line.startsWith('FROM:')) parseMailFrom(line);
      else parseRcptTo(line);
    } catch (e) {
      if (isRemoteError(e)) return [line, e.code, e.reply.code, e.reply.enhanced, e.reply.text];
      throw e;
    }
    return [line, 'accepted', undefined, undefined, undefined];
  };

  it('SMTPUTF8, REQUIRETLS with a value and SIZE, BODY, NOTIFY, ORCPT without one (or with an empty one) are 501 5.5.4 naming no input', () => {
    for (const line of [
      'FROM:<a@b> SMTPUTF8=YES',
      'FROM:<a@b> SMTPUTF8=',
      'FROM:<a@b> REQUIRETLS=YES',
      'FROM:<a@b> requiretls=1',
      'FROM:<a@b> SIZE',
      'FROM:<a@b> SIZE=',
      'FROM:<a@b> BODY',
      'TO:<a@b> NOTIFY',
      'TO:<a@b> NOTIFY=',
      'TO:<a@b> ORCPT',
    ]) {
      const keyword = line.slice(line.indexOf('> ') + 2).split('=')[0]!.toUpperCase();
      expect(refusal(line)).toEqual([line, 'ERR_SMTP_PARAM_VALUE', 501, '5.5.4', `Invalid value for ${keyword}`]);
    }
    // the same keywords in their right form are taken
    expect(parseMailFrom('FROM:<a@b> smtputf8 RequireTLS SIZE=0').parameters).toMatchObject({ smtpUtf8: true, requireTls: true, size: 0 });
  });
});
