import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientArgsError, isClientArgsError, parseMailFrom, parseRcptTo } from 'smtp-client-args';
import type { ParameterSpec, ParseOptions } from 'smtp-client-args';
import { parseEnvelopeArgument } from './envelope-args.js';
import type { EnvelopeArgResult } from './envelope-args.js';
import { hasUnsafeText } from './peer-text.js';

// parseEnvelopeArgument reads the argument with smtp-client-args' internal entry (no `FROM:` text
// made, no error thrown for a refused command). The reference is what it did through the public
// parsers: parseMailFrom('FROM:' + text) / parseRcptTo('TO:' + text), the thrown reply or the path
// and the collection's parameters. Its own checks (controls in the address, in ORCPT) come after.

type Outcome = EnvelopeArgResult | { thrown: string };

function reference(kind: 'mail' | 'rcpt', text: string, options: ParseOptions): Outcome {
  try {
    const r = kind === 'mail' ? parseMailFrom(`FROM:${text}`, options) : parseRcptTo(`TO:${text}`, options);
    const p = r.path;
    const path = p.kind === 'mailbox' ? { address: p.address, localPart: p.localPart, domain: p.domain } : p.kind === 'null' ? { address: '', localPart: '', domain: '' } : { address: 'postmaster', localPart: 'postmaster', domain: '' };
    return { ok: true, path, parameters: r.args.toJSON() };
  } catch (e) {
    if (isClientArgsError(e) && e.kind === 'remote') return { ok: false, reply: { ...e.reply } };
    return { thrown: isClientArgsError(e) ? `${e.code} ${e.message}` : String(e) };
  }
}

function actual(kind: 'mail' | 'rcpt', text: string, options: ParseOptions): Outcome {
  try {
    return parseEnvelopeArgument(kind, text, options);
  } catch (e) {
    return { thrown: isClientArgsError(e) ? `${e.code} ${e.message}` : String(e) };
  }
}

/** The actual outcome is the reference's, or the reference's path refused by this package's own checks. */
function check(kind: 'mail' | 'rcpt', text: string, options: ParseOptions): void {
  const want = reference(kind, text, options);
  const got = actual(kind, text, options);
  const what = `${kind} ${JSON.stringify(text)}`;
  if ('ok' in want && want.ok && 'ok' in got && !got.ok) {
    // accepted by the grammar, refused here: a control or invisible character in the address, or in the ORCPT address
    if (hasUnsafeText(want.path.address)) expect(got.reply, what).toStrictEqual({ code: 501, enhanced: '5.5.2', text: 'Control characters are not allowed in addresses' });
    else {
      expect(got.reply, what).toStrictEqual({ code: 501, enhanced: '5.5.4', text: 'Invalid value for ORCPT' });
      expect(typeof want.parameters.ORCPT, what).toBe('string');
    }
    return;
  }
  expect(got, what).toStrictEqual(want);
}

const XFOO: ParameterSpec = { keyword: 'XFOO', command: 'mail', extensions: ['XFOO'], rfc: 'private', value: 'optional', validate: (v) => (v === 'bad' ? 'bad' : undefined) };
const OPTIONS: readonly (readonly [string, ParseOptions])[] = [
  ['none', {}],
  ['advertised', Object.freeze({ advertised: Object.freeze(['SIZE', '8BITMIME', 'DSN', 'SMTPUTF8', 'AUTH', 'DELIVERBY', 'MTRK']), limits: Object.freeze({ messageSize: 5000 }), smtpUtf8: true })],
  ['small limits', { advertised: ['SIZE'], limits: { localPart: 4, domain: 12, path: 20, parameters: 2 } }],
  ['lenient', { lenient: { spaceAfterColon: true, missingAngleBrackets: true, extraSpaces: true } }],
  ['custom', { advertised: ['XFOO', 'DSN'], parameters: [XFOO], allowedParameters: ['XBAR'] }],
  ['bad option', { limits: { messageSize: -1 } }],
];

const TEXTS: readonly string[] = [
  '<a@b.example>', '<>', '<postmaster>', '<POSTMASTER>', '<postmaster@b.example>', '<"a b"@[192.0.2.1]>', '<"a\\"b"@b.example>', '<u@[IPv6:2001:db8::1]>',
  '<@r1.example,@r2.example:u@b.example>', '<\u00fc@b.example>', '<\u00fc@b.example> SMTPUTF8', '<a@\u00e9x.example> SMTPUTF8', '<\ud83d@b.example> SMTPUTF8',
  '<a\u200b@b.example> SMTPUTF8', '<a\u0085@b.example> SMTPUTF8', '<"a\u2028"@b.example> SMTPUTF8', '<a@b.example> size=10 Body=8bitmime', '<a@b.example> SIZE=10 size=11',
  '<a@b.example> SIZE=9999', '<a@b.example> SIZE=x', '<a@b.example> ENVID=a+2Bb RET=HDRS', '<a@b.example> AUTH=<>', '<a@b.example> NOTIFY=NEVER',
  '<a@b.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a+2Bb@c.example', '<a@b.example> ORCPT=rfc822;a+0Ab@c.example', '<a@b.example> ORCPT=utf-8;a\\x{200B}b@c.example',
  '<a@b.example> ORCPT=utf-8;\\x{FC}@c.example', '<a@b.example> XFOO', '<a@b.example> XFOO=bad', '<a@b.example> XBAR=1', '<a@b.example> 1A=x',
  '<a@b.example>  SIZE=1', '<a@b.example> SIZE=1 ', ' <a@b.example>', 'a@b.example', '<a@b.example>\r\n', '\r\n', '', `<${'a'.repeat(65)}@b.example>`,
];

describe('parseEnvelopeArgument answers as it did through parseMailFrom / parseRcptTo', () => {
  for (const [name, options] of OPTIONS) {
    it(`each text of the table, options: ${name}`, () => {
      for (const kind of ['mail', 'rcpt'] as const) for (const text of TEXTS) check(kind, text, options);
    });
  }

  it('any text from an alphabet of tricky pieces', () => {
    const piece = fc.constantFrom(...'<>@:,."\\ =+-;[]aZ09\r\n\x00\x7f', 'SIZE=1', 'BODY=8BITMIME', 'SMTPUTF8', 'NOTIFY=NEVER', 'ORCPT=rfc822;', 'ORCPT=utf-8;', '\\x{', 'XFOO', 'postmaster', 'ü', '\u200b', '\u2028', '\ud83d');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), fc.constantFrom(...OPTIONS), fc.constantFrom('mail' as const, 'rcpt' as const), (pieces, [, options], kind) => {
        check(kind, pieces.join(''), options);
      }),
      { numRuns: 2000 },
    );
  });

  it('a text that is not a string is read as its text form, as `FROM:${text}` read it', () => {
    expect(parseEnvelopeArgument('mail', 12 as unknown as string)).toStrictEqual(reference('mail', '12', {}));
    expect(parseEnvelopeArgument('rcpt', { toString: () => '<a@b.example>' } as unknown as string)).toStrictEqual(reference('rcpt', '<a@b.example>', {}));
    // a symbol has a text form too (String(), not a template, which throws a plain TypeError)
    expect(parseEnvelopeArgument('mail', Symbol('x') as unknown as string)).toStrictEqual(reference('mail', 'Symbol(x)', {}));
  });

  it("a remote error thrown by a custom parameter's validate is the reply it carries, as before; another error is thrown", () => {
    const refusal = ClientArgsError.remote('ERR_SMTP_PARAM_VALUE', { code: 550, enhanced: '5.7.1', text: 'Not you' });
    const spec = (validate: NonNullable<ParameterSpec['validate']>): ParseOptions => ({ parameters: [{ keyword: 'XV', command: 'mail', extensions: ['XV'], rfc: 'private', value: 'required', validate }] });
    const throwing = spec(() => {
      throw refusal;
    });
    expect(parseEnvelopeArgument('mail', '<a@b.example> XV=1', throwing)).toStrictEqual({ ok: false, reply: { code: 550, enhanced: '5.7.1', text: 'Not you' } });
    expect(parseEnvelopeArgument('mail', '<a@b.example> XV=1', throwing)).toStrictEqual(reference('mail', '<a@b.example> XV=1', throwing));
    const broken = spec(() => {
      throw new RangeError('boom');
    });
    expect(() => parseEnvelopeArgument('mail', '<a@b.example> XV=1', broken)).toThrow(RangeError);
  });
});
