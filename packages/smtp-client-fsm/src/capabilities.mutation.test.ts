// Tests added from surviving mutants of `pnpm mutation smtp-client-fsm` (docs/mutation.md): the
// client's reading of SIZE and LIMITS, and its address and control-character checks.
import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '@smtpkit/testkit';
import { parseReply } from 'smtp-reply-reader';
import { authMechanisms, capabilitiesFromReply, hasCap, limit, sizeLimit } from './capabilities.js';
import { assertAddress, assertNoControl, isAscii } from './control.js';
import { isSmtpClientError } from './errors.js';

function caps(...keywords: string[]) {
  return capabilitiesFromReply(parseReply(['250-mx.example greets you', ...keywords].map((l, i, a) => `250${i < a.length - 1 ? '-' : ' '}${l.replace(/^250-/, '')}`).join('\r\n')));
}

const codeOf = (fn: () => unknown): string | undefined => errorCodeOf(fn, isSmtpClientError);

describe('capabilitiesFromReply', () => {
  it('keeps the greeting line, upper-cases keywords and merges repeated parameters once', () => {
    const c = caps('auth plain', 'AUTH=LOGIN PLAIN', 'PIPELINING');
    expect(c.greeting).toBe('mx.example greets you');
    expect(c.esmtp).toBe(true);
    expect(c.keywords['AUTH']).toEqual(['plain', 'LOGIN', 'PLAIN']);
    expect(authMechanisms(c)).toEqual(['PLAIN', 'LOGIN', 'PLAIN']);
    expect(hasCap(c, 'PIPELINING')).toBe(true);
    expect(hasCap(c, 'toString')).toBe(false);
  });
});

describe('SIZE', () => {
  it.each([
    ['SIZE 1000', 1000],
    ['SIZE 999999999999999', 999999999999999],
    ['SIZE 1000x', 0],
    ['SIZE x1000', 0],
    ['SIZE 1234567890123456', 0],
    ['SIZE', 0],
  ])('%s gives %i', (line, n) => {
    expect(sizeLimit(caps(line))).toBe(n);
  });
});

describe('LIMITS', () => {
  it('reads each name, case-insensitively, only with a positive number of at most nine digits', () => {
    const c = caps('LIMITS rcptmax=20 MAILMAX=0 RCPTDOMAINMAX=9x =5 RCPTDOMAINMAX');
    expect(limit(c, 'RCPTMAX')).toBe(20);
    expect(limit(c, 'MAILMAX')).toBeUndefined();
    expect(limit(c, 'RCPTDOMAINMAX')).toBeUndefined();
    expect(limit(caps('LIMITS MAILMAX=1234567890'), 'MAILMAX')).toBeUndefined();
    expect(limit(caps('LIMITS MAILMAX=x5'), 'MAILMAX')).toBeUndefined();
    expect(limit(caps('LIMITS MAILMAX=123456789'), 'MAILMAX')).toBe(123456789);
    expect(limit(caps('LIMITS XMAILMAX=3 MAILMAX=4'), 'MAILMAX')).toBe(4);
    expect(limit(caps('PIPELINING'), 'MAILMAX')).toBeUndefined();
  });
});

describe('address and control checks', () => {
  it('INJ-6 spaces and angle brackets are allowed only inside a quoted local part', () => {
    expect(codeOf(() => assertAddress('recipient', '"a b<c>"@example.com', false))).toBeUndefined();
    expect(codeOf(() => assertAddress('recipient', '"a\\"b c"@example.com', false))).toBeUndefined();
    expect(codeOf(() => assertAddress('recipient', 'a b@example.com', false))).toBe('ERR_SMTP_CLIENT_INVALID_ADDRESS');
    expect(codeOf(() => assertAddress('recipient', 'a>@example.com', false))).toBe('ERR_SMTP_CLIENT_INVALID_ADDRESS');
    expect(codeOf(() => assertAddress('recipient', '"a@example.com', false))).toBe('ERR_SMTP_CLIENT_INVALID_ADDRESS');
  });
  it('the null path only where allowed; the length limit counts UTF-8 octets', () => {
    expect(codeOf(() => assertAddress('sender', '', true))).toBeUndefined();
    expect(codeOf(() => assertAddress('recipient', '', false))).toBe('ERR_SMTP_CLIENT_INVALID_ADDRESS');
    expect(codeOf(() => assertAddress('recipient', `${'a'.repeat(242)}@example.com`, false))).toBeUndefined();
    expect(codeOf(() => assertAddress('recipient', `${'a'.repeat(243)}@example.com`, false))).toBe('ERR_SMTP_CLIENT_PATH_TOO_LONG');
    expect(codeOf(() => assertAddress('recipient', `${'\u00e9'.repeat(122)}@example.com`, false))).toBe('ERR_SMTP_CLIENT_PATH_TOO_LONG');
  });
  it('INJ-1 controls are refused anywhere, DEL included; isAscii stops at U+007F', () => {
    for (const v of ['\u0000x', 'x\u001f', 'x\u007f']) expect(codeOf(() => assertNoControl('x', v))).toBe('ERR_SMTP_CLIENT_CONTROL_CHARACTER');
    expect(codeOf(() => assertNoControl('x', 'a ~\u0080'))).toBeUndefined();
    expect(isAscii('a\u007f')).toBe(true);
    expect(isAscii('a\u0080')).toBe(false);
    expect(isAscii('\u0080a')).toBe(false);
  });
});
