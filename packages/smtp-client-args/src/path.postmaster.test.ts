// `<Postmaster>` without a domain (RFC 5321 §4.1.1.3): the rcpt rule names it as one exact form,
// apart from Forward-path. A source route belongs to Path, whose Mailbox always has a domain, so
// `<@a.example:postmaster>` is neither form and is refused; `<Postmaster>` itself is an ABNF
// string, read in any ASCII case (RFC 5234 §2.3).
import { describe, expect, it } from 'vitest';
import { POSTMASTER_PATH, parsePath, parseRcptTo } from 'smtp-client-args';

const refusal = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return 'accepted';
};

describe('<Postmaster> without a domain', () => {
  it('is read in any case, on its own', () => {
    for (const p of ['<postmaster>', '<Postmaster>', '<POSTMASTER>', '<pOsTmAsTeR>']) {
      expect(parseRcptTo(`TO:${p}`).path).toBe(POSTMASTER_PATH);
      expect(parsePath(p, { role: 'forward' })).toBe(POSTMASTER_PATH);
    }
  });

  it('is refused behind a source route (501 5.1.3, missing @domain), in any case', () => {
    for (const p of ['<@a.example:postmaster>', '<@a.example:Postmaster>', '<@a.example,@b.example:POSTMASTER>']) {
      expect([p, refusal(() => parseRcptTo(`TO:${p}`))]).toEqual([
        p,
        expect.objectContaining({ code: 'ERR_SMTP_PATH_SYNTAX', reply: { code: 501, enhanced: '5.1.3', text: 'Bad recipient address: missing @domain' } }),
      ]);
      expect([p, refusal(() => parsePath(p, { role: 'forward' }))]).toEqual([p, expect.objectContaining({ code: 'ERR_SMTP_PATH_SYNTAX' })]);
    }
  });

  it('with a domain, a source route is still accepted and dropped (RFC 5321 §4.1.2: MUST be accepted)', () => {
    expect(parseRcptTo('TO:<@a.example:postmaster@x.example>').path).toMatchObject({ kind: 'mailbox', address: 'postmaster@x.example' });
    expect(parseRcptTo('TO:<@a.example:Postmaster@x.example>').path).toMatchObject({ kind: 'mailbox', localPart: 'Postmaster' });
  });

  it('quoted, or with anything more, is not the special form', () => {
    expect(refusal(() => parseRcptTo('TO:<"postmaster">'))).toMatchObject({ code: 'ERR_SMTP_PATH_SYNTAX' });
    expect(refusal(() => parseRcptTo('TO:<postmaster.x>'))).toMatchObject({ code: 'ERR_SMTP_PATH_SYNTAX' });
  });
});
