import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '@smtpkit/testkit';
import { isClientArgsError } from 'smtp-client-args';
import { parseEnvelopeArgument } from './envelope-args.js';

describe('parseEnvelopeArgument: the parsed path of each kind', () => {
  it('the null sender <> is the empty address, with its parameters', () => {
    expect(parseEnvelopeArgument('mail', '<>')).toStrictEqual({ ok: true, path: { address: '', localPart: '', domain: '' }, parameters: {} });
    expect(parseEnvelopeArgument('mail', '<> size=10 Body=8BITMIME', { advertised: ['SIZE', '8BITMIME'] })).toStrictEqual({
      ok: true,
      path: { address: '', localPart: '', domain: '' },
      parameters: { SIZE: '10', BODY: '8BITMIME' },
    });
  });
  it.each(['<postmaster>', '<Postmaster>', '<POSTMASTER>'])('the recipient %s is postmaster, with no domain', (arg) => {
    expect(parseEnvelopeArgument('rcpt', arg)).toStrictEqual({ ok: true, path: { address: 'postmaster', localPart: 'postmaster', domain: '' }, parameters: {} });
  });
  it('a mailbox has its local part and domain, postmaster@domain included', () => {
    expect(parseEnvelopeArgument('rcpt', '<postmaster@b.example>')).toStrictEqual({ ok: true, path: { address: 'postmaster@b.example', localPart: 'postmaster', domain: 'b.example' }, parameters: {} });
    expect(parseEnvelopeArgument('mail', '<"a b"@[192.0.2.1]>')).toStrictEqual({ ok: true, path: { address: '"a b"@[192.0.2.1]', localPart: 'a b', domain: '[192.0.2.1]' }, parameters: {} });
  });
});

describe('parseEnvelopeArgument: errors', () => {
  it('a peer syntax error is the reply to send', () => {
    expect(parseEnvelopeArgument('rcpt', '<>')).toStrictEqual({ ok: false, reply: { code: 501, enhanced: '5.1.3', text: 'Bad recipient address: the null path is not a recipient' } });
    expect(parseEnvelopeArgument('mail', '<postmaster>')).toStrictEqual({ ok: false, reply: { code: 501, enhanced: '5.1.7', text: 'Bad sender address: postmaster is not a sender' } });
    expect(parseEnvelopeArgument('mail', '<a@b.example> SIZE=10')).toStrictEqual({ ok: true, path: { address: 'a@b.example', localPart: 'a', domain: 'b.example' }, parameters: { SIZE: '10' } });
    expect(parseEnvelopeArgument('mail', '<a@b.example> SIZE=10', { advertised: [] })).toStrictEqual({ ok: false, reply: { code: 555, enhanced: '5.5.4', text: 'Unsupported parameter SIZE' } });
  });
  it("the caller's own mistake (bad options) is thrown as smtp-client-args' typed error, not made a reply", () => {
    expect(errorCodeOf(() => parseEnvelopeArgument('mail', '<a@b.example>', { limits: { messageSize: -1 } }), isClientArgsError)).toBe('ERR_SMTP_INVALID_OPTION');
    expect(errorCodeOf(() => parseEnvelopeArgument('rcpt', '<a@b.example>', { limits: { localPart: 0 } }), isClientArgsError)).toBe('ERR_SMTP_INVALID_OPTION');
  });
  it('controls and invisible characters are refused anywhere in an address, with SMTPUTF8 too', () => {
    const run = (kind: 'mail' | 'rcpt', path: string): ReturnType<typeof parseEnvelopeArgument> =>
      kind === 'mail' ? parseEnvelopeArgument('mail', `${path} SMTPUTF8`, { advertised: ['SMTPUTF8'] }) : parseEnvelopeArgument('rcpt', path, { smtpUtf8: true });
    // [where, the path with {} for the character, a character that is fine there]
    const places = [
      ['in an atom', '<a{}b@c.example>', '\u00e9'],
      ['in a quoted string', '<"a{}b"@c.example>', '\u00e9'],
      ['quoted with a backslash', '<"a\\{}b"@c.example>', ' '],
      ['in the domain', '<ab@c{}d.example>', '\u00e9'],
    ] as const;
    for (const [where, template, fine] of places) {
      for (const kind of ['mail', 'rcpt'] as const) {
        expect(run(kind, template.replace('{}', fine)).ok, `${kind} ${where}`).toBe(true);
        for (const c of [0x00, 0x09, 0x1f, 0x7f, 0x80, 0x85, 0x9f, 0x200b, 0x2060, 0xfeff]) {
          const r = run(kind, template.replace('{}', String.fromCharCode(c)));
          expect(r.ok ? 'accepted' : r.reply.code, `${kind} ${where} U+${c.toString(16)}`).toBe(501);
        }
      }
    }
  });
});
