import { describe, expect, it } from 'vitest';
import { isClientArgsError, parseMailFrom, parseRcptTo } from 'smtp-client-args';
import type { ClientArgsError } from 'smtp-client-args';
import { thrownBy } from '@smtpkit/testkit';

const refusal = (f: () => unknown): [string, string | undefined] => {
  const e = thrownBy(f, isClientArgsError) as ClientArgsError & { reply?: { text?: string } };
  return [e.code, e.reply?.text];
};

const ALL = { advertised: ['SIZE', '8BITMIME', 'DSN', 'SMTPUTF8', 'AUTH', 'REQUIRETLS'] };

describe('MAIL and RCPT parameters, edge by edge', () => {
  it('a MAIL without parameters has the defaults, exactly', () => {
    expect(parseMailFrom('FROM:<a@example.com>').parameters).toStrictEqual({ smtpUtf8: false, requireTls: false });
    expect(parseRcptTo('TO:<b@example.com>').parameters).toStrictEqual({});
  });

  it('SMTPUTF8 counts wherever it stands among the parameters', () => {
    for (const params of ['SMTPUTF8', 'SMTPUTF8 SIZE=1', 'SIZE=1 SMTPUTF8', 'SIZE=1 BODY=8BITMIME SMTPUTF8', 'SIZE=1 BODY=8BITMIME RET=HDRS ENVID=x SMTPUTF8']) {
      const r = parseMailFrom(`FROM:<ü@example.com> ${params}`, ALL);
      expect(r.parameters.smtpUtf8, params).toBe(true);
      expect(r.path.kind === 'mailbox' && r.path.utf8, params).toBe(true);
    }
  });

  it('a non-ASCII path without SMTPUTF8 is refused, whatever other parameters there are', () => {
    for (const params of ['', ' SIZE=1', ' SIZE=1 BODY=8BITMIME', ' SIZE=1 BODY=8BITMIME RET=HDRS ENVID=x']) {
      const [code, text] = refusal(() => parseMailFrom(`FROM:<ü@example.com>${params}`, ALL));
      expect(code, params).toBe('ERR_SMTP_UTF8_NOT_ALLOWED');
      expect(text, params).toMatch(/\S/);
    }
  });

  it('a duplicate is found at any position, before and after the list grows past four', () => {
    const six = ['SIZE=1', 'BODY=7BIT', 'RET=HDRS', 'ENVID=x', 'AUTH=<>', 'REQUIRETLS'];
    for (let at = 0; at < six.length; at++) {
      const params = [...six.slice(0, at + 1), six[at]!.toLowerCase(), ...six.slice(at + 1)].join(' ');
      const [code] = refusal(() => parseMailFrom(`FROM:<a@example.com> ${params}`, ALL));
      expect(code, params).toBe('ERR_SMTP_PARAM_DUPLICATE');
    }
    expect(parseMailFrom(`FROM:<a@example.com> ${six.join(' ')}`, ALL).parameters).toMatchObject({ size: 1, body: '7BIT', ret: 'HDRS', envid: 'x', requireTls: true });
  });

  it('lower-case xtext hex is accepted by default and refused when the leniency is off', () => {
    expect(parseMailFrom('FROM:<a@example.com> ENVID=a+2bb', ALL).parameters.envid).toBe('a+b');
    expect(refusal(() => parseMailFrom('FROM:<a@example.com> ENVID=a+2bb', { ...ALL, lenient: { lowercaseXtextHex: false } }))[0]).toBe('ERR_SMTP_PARAM_VALUE');
    expect(parseMailFrom('FROM:<a@example.com> ENVID=a+2Bb', { ...ALL, lenient: { lowercaseXtextHex: false } }).parameters.envid).toBe('a+b');
  });

  it('input that is neither text nor bytes is a local error naming the argument', () => {
    const e = thrownBy(() => parseMailFrom(42 as never), isClientArgsError);
    expect([e.kind, e.code]).toEqual(['local', 'ERR_SMTP_INVALID_ARGUMENT']);
    expect(e.message).toMatch(/text must be a string or Uint8Array/);
  });
});
