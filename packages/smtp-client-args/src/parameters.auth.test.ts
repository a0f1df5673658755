// MAIL AUTH= (RFC 4954 §5): an xtext-encoded mailbox, or `<>` for "submitter unknown". The mailbox
// is an RFC 5321 Mailbox, ASCII unless SMTPUTF8 is in use; RFC 6531 §3.3 lets UTF-8 into parameter
// values (and Mailbox) only in an SMTPUTF8 transaction.
import { describe, expect, it } from 'vitest';
import { SmtpClientArgs, formatMailFrom, parseMailFrom, readMailParameters } from 'smtp-client-args';

const outcome = (fn: () => unknown): unknown => {
  try {
    return fn();
  } catch (e) {
    return e;
  }
};
const auth = (line: string): unknown => outcome(() => parseMailFrom(`FROM:<a@b.example> ${line}`, { advertised: ['AUTH', 'SMTPUTF8'] }).parameters.auth);
const BAD_AUTH = expect.objectContaining({ code: 'ERR_SMTP_PARAM_VALUE', keyword: 'AUTH', reply: { code: 501, enhanced: '5.5.4', text: 'Invalid value for AUTH' } });

describe('AUTH=<> round trip', () => {
  it("setAuth('<>') and setAuth(null) both write AUTH=<>, which parses back to null (`<>`)", () => {
    for (const m of ['<>', null]) {
      const line = formatMailFrom('a@b.example', new SmtpClientArgs().setAuth(m));
      expect(line).toBe('MAIL FROM:<a@b.example> AUTH=<>');
      const parsed = parseMailFrom(line.slice('MAIL '.length));
      expect(parsed.parameters.auth).toBeNull();
      expect(parsed.args.get('AUTH')).toBe('<>');
      // and what was read writes the same line again
      expect(formatMailFrom('a@b.example', new SmtpClientArgs().setAuth(parsed.parameters.auth!))).toBe(line);
    }
  });

  it('an xtext spelling of <> is <> too: never a mailbox named "<>"', () => {
    for (const v of ['+3C+3E', '+3C>', '<+3E', '+3c+3e']) expect([v, auth(`AUTH=${v}`)]).toEqual([v, null]);
    expect(readMailParameters(new SmtpClientArgs().set('AUTH', '+3C+3E')).auth).toBeNull();
  });
});

describe('AUTH= with a non-ASCII mailbox', () => {
  it('without SMTPUTF8 the parser refuses it, raw or xtext-encoded', () => {
    expect(auth('AUTH=j+C3+B6rg@b.example')).toEqual(BAD_AUTH);
    expect(auth('AUTH=jörg@b.example')).toEqual(BAD_AUTH);
    expect(auth('AUTH=j+2Bx@b.example')).toBe('j+x@b.example');
  });

  it('with SMTPUTF8 the parser reads it raw (RFC 6531 §3.3) or xtext-encoded, escapes and raw text mixed', () => {
    expect(auth('SMTPUTF8 AUTH=jörg@b.example')).toBe('jörg@b.example');
    expect(auth('AUTH=jörg@b.example SMTPUTF8')).toBe('jörg@b.example');
    expect(auth('SMTPUTF8 AUTH=j+C3+B6rg@b.example')).toBe('jörg@b.example');
    expect(auth('SMTPUTF8 AUTH=j+C3+B6r+2Bü@b.example')).toBe('jör+ü@b.example');
    expect(auth('SMTPUTF8 AUTH=\u{1F60A}@b.example')).toBe('\u{1F60A}@b.example');
  });

  it('with SMTPUTF8 still no invalid UTF-8, control or invisible character, however written', () => {
    for (const v of ['j+C3rg@b.example', 'a+C2+85b@b.example', 'a+E2+80+AEb@b.example', 'a\u202Eb@b.example', 'a\u200Bb@b.example', 'ü+0D+0A@b.example']) {
      expect([v, auth(`SMTPUTF8 AUTH=${v}`)]).toEqual([v, BAD_AUTH]);
    }
  });

  it('setAuth refuses it without SMTPUTF8 (ERR_SMTP_UTF8_REQUIRED naming AUTH), and writes it as xtext with', () => {
    expect(outcome(() => new SmtpClientArgs().setAuth('jörg@b.example'))).toMatchObject({ code: 'ERR_SMTP_UTF8_REQUIRED', argument: 'AUTH' });
    expect(outcome(() => new SmtpClientArgs({ smtpUtf8: false }).setSmtpUtf8().setAuth('jörg@b.example'))).toMatchObject({ code: 'ERR_SMTP_UTF8_REQUIRED', argument: 'AUTH' });
    const line = formatMailFrom('a@b.example', new SmtpClientArgs().setSmtpUtf8().setAuth('jörg@b.example'));
    expect(line).toBe('MAIL FROM:<a@b.example> SMTPUTF8 AUTH=j+C3+B6rg@b.example');
    expect(parseMailFrom(line.slice('MAIL '.length)).parameters.auth).toBe('jörg@b.example');
    expect(new SmtpClientArgs({ smtpUtf8: true }).setAuth('jörg@b.example').get('AUTH')).toBe('j+C3+B6rg@b.example');
  });

  it('a pair list without SMTPUTF8 cannot carry it either', () => {
    expect(outcome(() => formatMailFrom('a@b.example', [['AUTH', 'j+C3+B6rg@b.example']]))).toMatchObject({ code: 'ERR_SMTP_INVALID_PARAM', argument: 'AUTH' });
    expect(formatMailFrom('a@b.example', [['SMTPUTF8', undefined], ['AUTH', 'j+C3+B6rg@b.example']])).toBe('MAIL FROM:<a@b.example> SMTPUTF8 AUTH=j+C3+B6rg@b.example');
  });
});
