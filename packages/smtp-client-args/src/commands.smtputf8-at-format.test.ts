// SMTPUTF8 is decided by the command that is formatted, not by the collection when a value was set:
// an escaped UTF-8 value (AUTH=j+C3+B6rg@..., ORCPT=rfc822;+C3+BC@...) that a collection took while
// SMTPUTF8 was in effect for it is refused when the line it goes on does not carry SMTPUTF8.
import { describe, expect, it } from 'vitest';
import { SmtpClientArgs, formatMailFrom, formatRcptTo, isClientArgsError } from 'smtp-client-args';
import { thrownBy } from '@smtpkit/testkit';

const refusal = (f: () => unknown): [string, string | undefined] => {
  const e = thrownBy(f, isClientArgsError);
  return [e.code, e.argument];
};

describe('formatMailFrom: AUTH with a non-ASCII mailbox needs SMTPUTF8 on the line', () => {
  it('set while the smtpUtf8 option was on, formatted without SMTPUTF8: refused, naming AUTH', () => {
    const args = new SmtpClientArgs({ smtpUtf8: true }).setAuth('jörg@b.example');
    expect(refusal(() => formatMailFrom('a@b.example', args))).toEqual(['ERR_SMTP_INVALID_PARAM', 'AUTH']);
    expect(refusal(() => formatMailFrom('a@b.example', args, { smtpUtf8: false }))).toEqual(['ERR_SMTP_INVALID_PARAM', 'AUTH']);
    // the line carries SMTPUTF8 (or the caller says it is in effect): written
    expect(formatMailFrom('a@b.example', args.clone().setSmtpUtf8())).toBe('MAIL FROM:<a@b.example> AUTH=j+C3+B6rg@b.example SMTPUTF8');
  });

  it('set after SMTPUTF8, which was then deleted: refused', () => {
    const args = new SmtpClientArgs().setSmtpUtf8().setAuth('jörg@b.example');
    args.delete('SMTPUTF8');
    expect(refusal(() => formatMailFrom('a@b.example', args))).toEqual(['ERR_SMTP_INVALID_PARAM', 'AUTH']);
  });

  it('an ASCII mailbox needs nothing', () => {
    expect(formatMailFrom('a@b.example', new SmtpClientArgs({ smtpUtf8: true }).setAuth('j+x@b.example'))).toBe('MAIL FROM:<a@b.example> AUTH=j+2Bx@b.example');
  });
});

describe('formatRcptTo: ORCPT escaping a non-ASCII address as rfc822 needs an SMTPUTF8 transaction', () => {
  it('taken by a collection with the smtpUtf8 option, formatted for a transaction without it: refused, naming ORCPT', () => {
    const args = new SmtpClientArgs({ command: 'rcpt', smtpUtf8: true });
    expect(args.add('ORCPT', 'rfc822;+C3+BC@b.example')).toEqual({ ok: true });
    expect(refusal(() => formatRcptTo('c@d.example', args))).toEqual(['ERR_SMTP_INVALID_PARAM', 'ORCPT']);
    expect(formatRcptTo('c@d.example', args, { smtpUtf8: true })).toBe('RCPT TO:<c@d.example> ORCPT=rfc822;+C3+BC@b.example');
  });
});
