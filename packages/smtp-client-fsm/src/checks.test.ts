// The client's own input checks (paths through smtp-client-args, control characters) and how it
// reads SIZE and LIMITS from smtp-capabilities' model.
import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '@smtpkit/testkit';
import { parseReply } from 'smtp-reply-reader';
import { parseEhloReply } from 'smtp-capabilities';
import { argsCheck, asciiAddress, assertNoControl, checkPath, isAscii, recipientKey } from './checks.js';
import { isSmtpClientError } from './errors.js';

function caps(...keywords: string[]) {
  return parseEhloReply(parseReply(['250-mx.example greets you', ...keywords].map((l, i, a) => `250${i < a.length - 1 ? '-' : ' '}${l.replace(/^250-/, '')}`).join('\r\n')));
}

const codeOf = (fn: () => unknown): string | undefined => errorCodeOf(fn, isSmtpClientError);

describe('capabilities as the client reads them (smtp-capabilities)', () => {
  it('AUTH= merges into AUTH, keywords are case-insensitive, prototype names are not keywords', () => {
    const c = caps('auth plain', 'AUTH=LOGIN PLAIN', 'PIPELINING');
    expect(c.greeting).toBe('greets you');
    expect(c.esmtp).toBe(true);
    expect([...c.auth]).toEqual(['PLAIN', 'LOGIN']);
    expect(c.pipelining).toBe(true);
    expect(c.has('toString')).toBe(false);
  });

  it.each([
    ['SIZE 1000', 1000],
    ['SIZE 999999999999999', 999999999999999],
    ['SIZE 1000x', 0],
    ['SIZE x1000', 0],
    ['SIZE', 0],
  ])('%s gives a limit of %i (0: none)', (line, n) => {
    expect(caps(line).size ?? 0).toBe(n);
  });

  it('LIMITS: each name case-insensitively, only with a positive number', () => {
    const c = caps('LIMITS rcptmax=20 MAILMAX=0 RCPTDOMAINMAX=9x =5 RCPTDOMAINMAX');
    expect(c.limits?.rcptMax).toBe(20);
    expect(c.limits?.mailMax || undefined).toBeUndefined();
    expect(c.limits?.rcptDomainMax).toBeUndefined();
    expect(caps('LIMITS MAILMAX=x5').limits?.mailMax).toBeUndefined();
    expect(caps('LIMITS MAILMAX=123456789').limits?.mailMax).toBe(123456789);
    expect(caps('LIMITS XMAILMAX=3 MAILMAX=4').limits?.mailMax).toBe(4);
    expect(caps('PIPELINING').limits?.mailMax).toBeUndefined();
  });
});

describe('address and control checks', () => {
  it('INJ-6 spaces and angle brackets are allowed only inside a quoted local part', () => {
    expect(codeOf(() => checkPath('recipient', '"a b<c>"@example.com', false))).toBeUndefined();
    expect(codeOf(() => checkPath('recipient', '"a\\"b c"@example.com', false))).toBeUndefined();
    expect(codeOf(() => checkPath('recipient', 'a b@example.com', false))).toBe('ERR_SMTP_CLIENT_INVALID_ADDRESS');
    expect(codeOf(() => checkPath('recipient', 'a>@example.com', false))).toBe('ERR_SMTP_CLIENT_INVALID_ADDRESS');
    expect(codeOf(() => checkPath('recipient', '<a@example.com>', false))).toBe('ERR_SMTP_CLIENT_INVALID_ADDRESS');
    expect(codeOf(() => checkPath('recipient', 'a@example.com>', false))).toBe('ERR_SMTP_CLIENT_INVALID_ADDRESS');
    expect(codeOf(() => checkPath('recipient', '"a@example.com', false))).toBe('ERR_SMTP_CLIENT_INVALID_ADDRESS');
  });

  it('the null path only where allowed; lengths are counted in UTF-8 octets', () => {
    expect(codeOf(() => checkPath('sender', '', true))).toBeUndefined();
    expect(codeOf(() => checkPath('recipient', '', false))).toBe('ERR_SMTP_CLIENT_INVALID_ADDRESS');
    expect(codeOf(() => checkPath('recipient', `${'a'.repeat(64)}@example.com`, false))).toBeUndefined();
    expect(codeOf(() => checkPath('recipient', `${'a'.repeat(65)}@example.com`, false))).toBe('ERR_SMTP_CLIENT_PATH_TOO_LONG');
    expect(codeOf(() => checkPath('recipient', `a@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(10)}.example`, false))).toBe('ERR_SMTP_CLIENT_PATH_TOO_LONG');
    expect(codeOf(() => checkPath('recipient', `${'\u00e9'.repeat(33)}@example.com`, false))).toBe('ERR_SMTP_CLIENT_PATH_TOO_LONG');
  });

  it('INJ-1 controls are refused anywhere, DEL included, and the error never echoes the value', () => {
    for (const v of ['\u0000x', 'x\u001f', 'x\u007f']) expect(codeOf(() => assertNoControl('x', v))).toBe('ERR_SMTP_CLIENT_CONTROL_CHARACTER');
    expect(codeOf(() => assertNoControl('x', 'a ~\u0080'))).toBeUndefined();
    for (const v of ['a\r\nRCPT TO:<x@y>@example.com', 'a\t@example.com', 'a@example.com\u0000']) {
      expect(codeOf(() => checkPath('to[0]', v, false))).toBe('ERR_SMTP_CLIENT_CONTROL_CHARACTER');
      try {
        checkPath('to[0]', v, false);
      } catch (e) {
        expect((e as Error).message).not.toContain('RCPT');
      }
    }
  });

  it('isAscii stops at U+007F', () => {
    expect(isAscii('a\u007f')).toBe(true);
    expect(isAscii('a\u0080')).toBe(false);
    expect(isAscii('\u0080a')).toBe(false);
  });

  it('argsCheck maps smtp-client-args errors and lets anything else through', () => {
    const fail = (code: string) => () => { throw Object.assign(new Error('path: bad'), { code }); };
    expect(codeOf(() => argsCheck('f', fail('ERR_SMTP_INVALID_PARAM')))).toBe('ERR_SMTP_CLIENT_INVALID_PARAMETER');
    expect(codeOf(() => argsCheck('f', fail('ERR_SMTP_CONTROL_CHARACTER')))).toBe('ERR_SMTP_CLIENT_CONTROL_CHARACTER');
    expect(codeOf(() => argsCheck('f', fail('ERR_SMTP_PATH_TOO_LONG')))).toBe('ERR_SMTP_CLIENT_PATH_TOO_LONG');
    expect(() => argsCheck('f', () => { throw new TypeError('x'); })).toThrow(TypeError);
    expect(argsCheck('f', () => 7)).toBe(7);
  });
});

describe('asciiAddress: an internationalized domain in A-labels, for a server without SMTPUTF8', () => {
  it.each<[string, string | undefined]>([
    ['user@example.org', 'user@example.org'],
    ['user@b\u00fccher.example', 'user@xn--bcher-kva.example'],
    ['user@B\u00dcCHER.example', 'user@xn--bcher-kva.example'],
    ['user@\u4f8b\u3048.\u30c6\u30b9\u30c8', 'user@xn--r8jz45g.xn--zckzah'],
    ['"a b"@b\u00fccher.example', '"a b"@xn--bcher-kva.example'],
    // the local part needs SMTPUTF8: no ASCII form
    ['\u00fcser@b\u00fccher.example', undefined],
    ['\u00fcser@example.org', undefined],
    // full-width digits map to an IPv4 address: not a host name
    ['user@\uff11\uff12\uff17\uff0e\uff10\uff0e\uff10\uff0e\uff11', undefined],
    // nothing that would make the URL mean another host (port, path, user info)
    ['user@b\u00fccher.example:25', undefined],
    ['user@b\u00fccher.example/x', undefined],
    ['user@x@b\u00fccher.example', 'user@x@xn--bcher-kva.example'],
    ['b\u00fccher.example', undefined],
    ['user@b\u00fccher..example', undefined],
  ])('%j -> %j', (address, expected) => {
    expect(asciiAddress(address)).toBe(expected);
  });
});

describe('recipientKey: one mailbox under any spelling of its domain (what the core and deliver() fold)', () => {
  it('the domain in any case and in U-labels or A-labels is one key; the local part counts exactly', () => {
    const key = recipientKey('carol@b\u00fccher.example');
    expect(['carol@xn--bcher-kva.example', 'carol@XN--BCHER-KVA.EXAMPLE', 'carol@B\u00dcCHER.Example'].map(recipientKey)).toEqual([key, key, key]);
    expect(recipientKey('Carol@b\u00fccher.example')).not.toBe(key);
    expect(recipientKey('bob@Y.TEST')).toBe(recipientKey('bob@y.test'));
    expect(recipientKey('\u00fcser@B\u00dcCHER.example')).toBe(recipientKey('\u00fcser@xn--bcher-kva.example'));
  });
});
