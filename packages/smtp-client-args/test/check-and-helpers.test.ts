// checkArgsAgainst / withoutUnadvertised at the edges of each rule, and the typed SmtpClientArgs
// helpers' argument checks (which argument an error names, and that helpers never throw a TypeError).
import { describe, expect, it } from 'vitest';
import { NULL_PATH, POSTMASTER_PATH, SmtpClientArgs, checkArgsAgainst, isClientArgsError, mailboxPath, withoutUnadvertised, type ClientArgsLocalError } from 'smtp-client-args';
import type { CapabilitiesLike } from 'smtp-client-args';
import { thrownBy } from '@smtpkit/testkit';
const isLocalError = (e: unknown): e is ClientArgsLocalError => isClientArgsError(e) && e.kind === 'local';

function caps(map: Record<string, string[]>): CapabilitiesLike {
  return { has: (k) => k in map, params: (k) => map[k] };
}

function codes(c: CapabilitiesLike, args: Iterable<readonly [string, string | undefined]>, ctx = {}): string[] {
  return checkArgsAgainst(c, args, ctx).map((p) => `${p.code}:${p.keyword}`);
}

const misuse = (fn: () => unknown) => thrownBy(fn, isLocalError);

describe('checkArgsAgainst: the capabilities argument', () => {
  it('must have both has() and params()', () => {
    for (const bad of [null, 5, 'SIZE', {}, { has: () => true }, { params: () => undefined }]) {
      expect(misuse(() => checkArgsAgainst(bad as unknown as CapabilitiesLike, []))).toMatchObject({ code: 'ERR_SMTP_INVALID_ARGUMENT', argument: 'capabilities' });
    }
  });
});

describe('checkArgsAgainst: not-advertised', () => {
  it('the message names every extension that would do', () => {
    const [p] = checkArgsAgainst(caps({}), [['BODY', '8BITMIME']]);
    expect(p).toMatchObject({ code: 'not-advertised', keyword: 'BODY' });
    expect(p?.message).toContain('8BITMIME');
    expect(p?.message).toContain('BINARYMIME');
  });
});

describe('checkArgsAgainst: SIZE (RFC 1870)', () => {
  it('a size equal to the maximum is fine, one byte more is not', () => {
    const c = caps({ SIZE: ['1000'] });
    expect(codes(c, [['SIZE', '1000']])).toEqual([]);
    expect(codes(c, [['SIZE', '1001']])).toEqual(['size-exceeded:SIZE']);
    expect(codes(c, [], { messageSize: 1000 })).toEqual([]);
    const [p] = checkArgsAgainst(c, [], { messageSize: 1001 });
    expect(p?.message).toContain('1000');
  });

  it('a maximum of 20 digits is honoured, a longer one is ignored', () => {
    expect(codes(caps({ SIZE: ['1' + '0'.repeat(19)] }), [], { messageSize: 2e19 })).toEqual(['size-exceeded:SIZE']);
    expect(codes(caps({ SIZE: ['1' + '0'.repeat(20)] }), [], { messageSize: 2e20 })).toEqual([]);
  });
});

describe('checkArgsAgainst: 8BITMIME, BINARYMIME, CHUNKING (RFC 6152, RFC 3030)', () => {
  it('BODY=8BITMIME needs 8BITMIME even when BINARYMIME makes BODY itself advertised', () => {
    expect(codes(caps({ BINARYMIME: [] }), [['BODY', '8BITMIME']])).toEqual(['8bitmime-required:8BITMIME']);
  });

  it('8-bit content without 8BITMIME is reported besides other problems', () => {
    expect(codes(caps({}), [['SIZE', '1']], { eightBit: true })).toEqual(['not-advertised:SIZE', '8bitmime-required:8BITMIME']);
  });

  it('8-bit content declared as 8BITMIME or BINARYMIME is fine', () => {
    const c = caps({ '8BITMIME': [], BINARYMIME: [], CHUNKING: [] });
    expect(codes(c, [['BODY', '8bitmime']], { eightBit: true })).toEqual([]);
    expect(codes(c, [['BODY', 'BINARYMIME']], { eightBit: true })).toEqual([]);
    expect(checkArgsAgainst(c, [['BODY', '7BIT']], { eightBit: true })[0]?.message).toMatch(/BODY=8BITMIME/);
  });

  it('BODY=BINARYMIME needs BINARYMIME itself: 8BITMIME makes BODY known, not that value (a server refuses it with 555)', () => {
    expect(codes(caps({ '8BITMIME': [], CHUNKING: [] }), [['BODY', 'BINARYMIME']])).toEqual(['not-advertised:BODY']);
    expect(checkArgsAgainst(caps({ '8BITMIME': [], CHUNKING: [] }), [['BODY', 'binarymime']])[0]?.message).toBe('BODY=BINARYMIME needs BINARYMIME');
    expect(codes(caps({ '8BITMIME': [] }), [['BODY', 'BINARYMIME']], { eightBit: true })).toEqual(['not-advertised:BODY', 'chunking-required:CHUNKING']);
    // and withoutUnadvertised does not drop it: binary content may not go undeclared (RFC 3030 §3)
    expect(misuse(() => withoutUnadvertised(caps({ SIZE: [], '8BITMIME': [], CHUNKING: [] }), new SmtpClientArgs({ command: 'mail' }).setSize(1).setBody('BINARYMIME')))).toMatchObject({ code: 'ERR_SMTP_EXTENSION_REQUIRED', argument: 'BODY' });
    // neither extension: reported once, as before
    expect(codes(caps({ CHUNKING: [] }), [['BODY', 'BINARYMIME']])).toEqual(['not-advertised:BODY']);
  });

  it('8-bit content sent as BINARYMIME needs no 8BITMIME (RFC 3030)', () => {
    expect(codes(caps({ BINARYMIME: [], CHUNKING: [] }), [['BODY', 'BINARYMIME']], { eightBit: true })).toEqual([]);
  });

  it('BINARYMIME without CHUNKING says so', () => {
    const [p] = checkArgsAgainst(caps({ BINARYMIME: [] }), [['BODY', 'BINARYMIME']]);
    expect(p).toMatchObject({ code: 'chunking-required', keyword: 'CHUNKING', message: expect.stringContaining('CHUNKING') });
  });
});

describe('checkArgsAgainst: SMTPUTF8 (RFC 6531)', () => {
  it('only a non-ASCII mailbox needs it', () => {
    const paths = [NULL_PATH, POSTMASTER_PATH, mailboxPath('a', 'example.com')];
    expect(codes(caps({}), [], { paths })).toEqual([]);
  });

  it('the server must offer it even when MAIL carries it; the message says which is missing', () => {
    const paths = [mailboxPath('\u00fc', 'example.com')];
    expect(codes(caps({}), [['SMTPUTF8', undefined]], { paths })).toEqual(['not-advertised:SMTPUTF8', 'smtputf8-required:SMTPUTF8']);
    const server = checkArgsAgainst(caps({}), [], { paths })[0];
    const mail = checkArgsAgainst(caps({ SMTPUTF8: [] }), [], { paths })[0];
    expect(server?.message).toMatch(/\S/);
    expect(mail?.message).toContain('MAIL FROM');
    expect(server?.message).not.toBe(mail?.message);
  });
});

describe('checkArgsAgainst: DELIVERBY and FUTURERELEASE (RFC 2852, RFC 4865)', () => {
  it('BY in R mode at or above the minimum is fine', () => {
    const c = caps({ DELIVERBY: ['60'] });
    expect(codes(c, [['BY', '60;R']])).toEqual([]);
    expect(codes(c, [['BY', '100;R']])).toEqual([]);
    const [p] = checkArgsAgainst(c, [['BY', '59;R']]);
    expect(p).toMatchObject({ code: 'by-below-minimum', keyword: 'BY', message: expect.stringContaining('60') });
  });

  it('HOLDFOR up to the maximum is fine', () => {
    const c = caps({ FUTURERELEASE: ['100', '2026-12-31T00:00:00Z'] });
    expect(codes(c, [['HOLDFOR', '100']])).toEqual([]);
    expect(codes(c, [['HOLDFOR', '10']])).toEqual([]);
    const [p] = checkArgsAgainst(c, [['HOLDFOR', '101']]);
    expect(p).toMatchObject({ code: 'hold-too-long', keyword: 'HOLDFOR', message: expect.stringContaining('100') });
  });
});

describe('withoutUnadvertised', () => {
  it('drops only what was not advertised, keeping parameters with other problems', () => {
    const args = new SmtpClientArgs({ command: 'mail' }).setSize(5000).setRet('FULL');
    const out = withoutUnadvertised(caps({ SIZE: ['1000'] }), args);
    expect(out.toString()).toBe(' SIZE=5000');
    expect(args.toString()).toBe(' SIZE=5000 RET=FULL');
  });
});

describe('SmtpClientArgs: options and iteration', () => {
  it('options.command must be mail or rcpt', () => {
    expect(misuse(() => new SmtpClientArgs({ command: 'data' as 'mail' }))).toMatchObject({ code: 'ERR_SMTP_INVALID_OPTION', argument: 'options.command' });
  });

  it('entries() yields the keyword/value pairs in insertion order', () => {
    const a = new SmtpClientArgs().set('SIZE', '1').set('SMTPUTF8');
    expect([...a.entries()]).toEqual([
      ['SIZE', '1'],
      ['SMTPUTF8', undefined],
    ]);
  });

  it('keywords are found whatever their case, a and z included', () => {
    const a = new SmtpClientArgs().set('SIzE', '1').set('aUTH', '<>');
    expect([a.has('SIzE'), a.get('size'), a.has('aUTH'), a.get('auTh'), a.delete('sIzE')]).toEqual([true, '1', true, '<>', true]);
  });
});

describe('SmtpClientArgs.set: errors name the keyword', () => {
  it('a bad keyword is named "keyword"; a bad value names the upper-cased keyword', () => {
    expect(misuse(() => new SmtpClientArgs().set('-x'))).toMatchObject({ code: 'ERR_SMTP_INVALID_PARAM', argument: 'keyword' });
    expect(misuse(() => new SmtpClientArgs().set(5 as unknown as string))).toMatchObject({ code: 'ERR_SMTP_INVALID_PARAM', argument: 'keyword' });
    expect(misuse(() => new SmtpClientArgs().set('size', 'x'))).toMatchObject({ code: 'ERR_SMTP_INVALID_PARAM', argument: 'SIZE' });
    expect(misuse(() => new SmtpClientArgs().set('size'))).toMatchObject({ code: 'ERR_SMTP_INVALID_PARAM', argument: 'SIZE' });
  });

  it('INJ-1: a control character anywhere in the value, first position included, is ERR_SMTP_CONTROL_CHARACTER', () => {
    expect(misuse(() => new SmtpClientArgs().set('envid', '\rx'))).toMatchObject({ code: 'ERR_SMTP_CONTROL_CHARACTER', argument: 'ENVID' });
    expect(misuse(() => new SmtpClientArgs().setEnvid('\nx'))).toMatchObject({ code: 'ERR_SMTP_CONTROL_CHARACTER', argument: 'ENVID' });
    expect(misuse(() => new SmtpClientArgs().setHoldUntil('\u0000'))).toMatchObject({ code: 'ERR_SMTP_CONTROL_CHARACTER', argument: 'HOLDUNTIL' });
  });
});

describe('SmtpClientArgs typed helpers: argument checks', () => {
  const a = (): SmtpClientArgs => new SmtpClientArgs();

  it('INJ-2: numbers must be safe integers; the message gives the range', () => {
    expect(misuse(() => a().setSize('5' as unknown as number))).toMatchObject({ code: 'ERR_SMTP_INVALID_PARAM', argument: 'SIZE' });
    const e = misuse(() => a().setMtPriority(10));
    expect(e.argument).toBe('MT-PRIORITY');
    expect(e.message).toMatch(/^MT-PRIORITY: .*-9.*9/);
  });

  it('free text must be a non-empty string, named after its parameter', () => {
    expect(misuse(() => a().setEnvid(5 as unknown as string))).toMatchObject({ code: 'ERR_SMTP_INVALID_PARAM', argument: 'ENVID' });
    expect(misuse(() => a().setHoldUntil(''))).toMatchObject({ code: 'ERR_SMTP_INVALID_PARAM', argument: 'HOLDUNTIL', message: expect.stringMatching(/^HOLDUNTIL: \S/) });
    expect(misuse(() => a().setRrvs(''))).toMatchObject({ code: 'ERR_SMTP_INVALID_PARAM', argument: 'RRVS' });
    expect(misuse(() => a().setRrvs('2026-11-29T12:00:00Z', '' as 'C'))).toMatchObject({ code: 'ERR_SMTP_INVALID_PARAM', argument: 'RRVS' });
    expect(misuse(() => a().setMtrk(''))).toMatchObject({ code: 'ERR_SMTP_INVALID_PARAM', argument: 'MTRK' });
  });

  it('INJ-6: a lone surrogate is refused instead of being sent as U+FFFD', () => {
    expect(misuse(() => a().setAuth('a\ud800@b'))).toMatchObject({ code: 'ERR_SMTP_INVALID_PARAM', argument: 'AUTH', message: expect.stringMatching(/^AUTH: \S/) });
    expect(misuse(() => new SmtpClientArgs({ command: 'rcpt' }).setOrcpt('rfc822', 'a\udc00@b'))).toMatchObject({ code: 'ERR_SMTP_INVALID_PARAM', argument: 'ORCPT' });
  });

  it('BY: seconds and mode are checked, named BY', () => {
    expect(misuse(() => a().setBy(1.5, 'N'))).toMatchObject({ code: 'ERR_SMTP_INVALID_PARAM', argument: 'BY' });
    expect(misuse(() => a().setBy(60, 'X' as 'N'))).toMatchObject({ code: 'ERR_SMTP_INVALID_PARAM', argument: 'BY' });
  });

  it('MTRK: a certifier alone, with a timeout, never a timeout alone', () => {
    expect(a().setMtrk('abc').get('MTRK')).toBe('abc');
    expect(a().setMtrk('abc', 30).get('MTRK')).toBe('abc:30');
    expect(a().setMtrk().has('MTRK')).toBe(true);
    expect(misuse(() => a().setMtrk(undefined, 30))).toMatchObject({ code: 'ERR_SMTP_INVALID_PARAM', argument: 'MTRK', message: expect.stringMatching(/^MTRK: \S/) });
    expect(misuse(() => a().setMtrk('abc', 1.5))).toMatchObject({ code: 'ERR_SMTP_INVALID_PARAM', argument: 'MTRK' });
  });

  it('NOTIFY takes NEVER or a list', () => {
    expect(misuse(() => new SmtpClientArgs({ command: 'rcpt' }).setNotify('SUCCESS' as 'NEVER'))).toMatchObject({
      code: 'ERR_SMTP_INVALID_PARAM',
      argument: 'NOTIFY',
      message: expect.stringMatching(/^NOTIFY: \S/),
    });
  });

  it('INJ-8: ORCPT with a non-ASCII address needs addr-type utf-8', () => {
    const e = misuse(() => new SmtpClientArgs({ command: 'rcpt' }).setOrcpt('rfc822', '\u00fc@b'));
    expect([e.code, e.argument]).toEqual(['ERR_SMTP_UTF8_REQUIRED', 'ORCPT']);
    expect(e.message).toContain('utf-8');
  });
});
