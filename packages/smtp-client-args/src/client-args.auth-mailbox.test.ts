// setAuth takes a Mailbox (RFC 4954 §5, RFC 5321 §4.1.2) or `<>`, checked as the package checks a
// path's mailbox: anything else is ERR_SMTP_INVALID_PARAM naming AUTH, never an xtext of any text.
import { describe, expect, it } from 'vitest';
import { SmtpClientArgs, isClientArgsError } from 'smtp-client-args';
import { thrownBy } from '@smtpkit/testkit';

const refusal = (f: () => unknown): [string, string | undefined] => {
  const e = thrownBy(f, isClientArgsError);
  return [e.code, e.argument];
};

describe('setAuth: a mailbox or <>', () => {
  it.each([
    ['no @', 'not-a-mailbox'],
    ['a space', 'a b@example.com'],
    ['no domain', 'a@'],
    ['no local part', '@example.com'],
    ['two @', 'a@b@example.com'],
    ['a bad domain', 'a@-example-.com'],
    ['brackets', '<a@example.com>'],
    ['a source route', '@relay.example:a@example.com'],
    ['postmaster without a domain', 'postmaster'],
    ['text after the mailbox', 'a@example.com x'],
    ['a domain over 255 octets', `a@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}.example`],
  ])('refuses %s', (_name, given) => {
    expect(refusal(() => new SmtpClientArgs().setAuth(given))).toEqual(['ERR_SMTP_INVALID_PARAM', 'AUTH']);
  });

  it('takes a mailbox, quoted local parts and address literals included, and <> (or null)', () => {
    const value = (m: string | null): string | undefined => new SmtpClientArgs().setAuth(m).get('AUTH');
    expect(value('e+x@example.com')).toBe('e+2Bx@example.com');
    expect(value('"a b"@example.com')).toBe('"a+20b"@example.com');
    expect(value('a@[192.0.2.1]')).toBe('a@[192.0.2.1]');
    // no local-part bound of its own: the MAIL line's (AUTH adds 500 octets to it) bounds it
    expect(value(`${'u'.repeat(400)}@example.com`)).toBe(`${'u'.repeat(400)}@example.com`);
    expect(value('<>')).toBe('<>');
    expect(value(null)).toBe('<>');
  });

  it('a non-ASCII mailbox still needs SMTPUTF8 (ERR_SMTP_UTF8_REQUIRED), and with it is still a mailbox', () => {
    expect(refusal(() => new SmtpClientArgs().setAuth('jörg@b.example'))).toEqual(['ERR_SMTP_UTF8_REQUIRED', 'AUTH']);
    expect(new SmtpClientArgs().setSmtpUtf8().setAuth('jörg@b.example').get('AUTH')).toBe('j+C3+B6rg@b.example');
    expect(refusal(() => new SmtpClientArgs().setSmtpUtf8().setAuth('jörg'))).toEqual(['ERR_SMTP_INVALID_PARAM', 'AUTH']);
  });
});

describe('add and set check an AUTH value as setAuth does', () => {
  it.each([['garbage'], ['postmaster'], ['@relay.example:a@example.com'], ['a+20b@example.com'], ['+3Ca@example.com+3E']])('add refuses AUTH=%s; set throws naming AUTH', (value) => {
    const args = new SmtpClientArgs();
    expect(args.add('AUTH', value)).toMatchObject({ ok: false, reason: 'bad-value' });
    expect(args.has('AUTH')).toBe(false);
    expect(refusal(() => new SmtpClientArgs().set('AUTH', value))).toEqual(['ERR_SMTP_INVALID_PARAM', 'AUTH']);
  });

  it('takes <>, an xtext-escaped mailbox and, with SMTPUTF8, an escaped UTF-8 one', () => {
    const args = new SmtpClientArgs();
    expect(args.add('AUTH', '<>')).toEqual({ ok: true });
    expect(new SmtpClientArgs().add('AUTH', 'e+2Bx@example.com')).toEqual({ ok: true });
    expect(new SmtpClientArgs().add('AUTH', '"a+20b"@[192.0.2.1]')).toEqual({ ok: true });
    expect(new SmtpClientArgs().setSmtpUtf8().add('AUTH', 'j+C3+B6rg@example.com')).toEqual({ ok: true });
  });

  it('an AUTH the caller defines in options keeps its own check', () => {
    const args = new SmtpClientArgs({ parameters: [{ keyword: 'AUTH', command: 'mail', extensions: ['AUTH'], rfc: 'private', value: 'required' }] });
    expect(args.add('AUTH', 'anything')).toEqual({ ok: true });
  });
});
