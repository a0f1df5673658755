import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '@smtpkit/testkit';
import { parseEnvelopeArguments, parseMailFrom, parseRcptTo } from './commands.js';
import type { ParseOptions } from './commands.js';
import { isClientArgsError } from './errors.js';
import type { ParameterSpec } from './parameters.js';

// parseEnvelopeArguments (esmtp-server-fsm's entry) reads the text after FROM: / TO: without the
// collection, the typed meaning or a thrown error. For every text and options it must give what
// parseMailFrom('FROM:' + text) / parseRcptTo('TO:' + text) give: the same path, the parameters the
// collection holds (as its toJSON), or the same refusal (code, reply, keyword) as the error's.

type Outcome = { ok: true; path: unknown; parameters: unknown } | { ok: false; code: string; reply: unknown; keyword: string | undefined } | { thrown: string };

function viaPublic(kind: 'mail' | 'rcpt', text: string, options: ParseOptions): Outcome {
  try {
    const r = kind === 'mail' ? parseMailFrom(`FROM:${text}`, options) : parseRcptTo(`TO:${text}`, options);
    return { ok: true, path: { ...r.path }, parameters: r.args.toJSON() };
  } catch (e) {
    if (isClientArgsError(e) && e.kind === 'remote') return { ok: false, code: e.code, reply: e.reply, keyword: e.keyword };
    return { thrown: isClientArgsError(e) ? `${e.code} ${e.message}` : String(e) };
  }
}

function viaInternal(kind: 'mail' | 'rcpt', text: string, options: ParseOptions): Outcome {
  try {
    const r = parseEnvelopeArguments(kind, text, options);
    return r.ok ? { ok: true, path: { ...r.path }, parameters: r.parameters } : { ok: false, code: r.code, reply: r.reply, keyword: r.keyword };
  } catch (e) {
    return { thrown: isClientArgsError(e) ? `${e.code} ${e.message}` : String(e) };
  }
}

const XFOO: ParameterSpec = { keyword: 'xfoo', command: 'mail', extensions: ['XFOO'], rfc: 'private', value: 'optional', validate: (v) => (v === 'bad' ? 'bad' : undefined) };
const OPTIONS: readonly (readonly [string, ParseOptions])[] = [
  ['none', {}],
  ['advertised', { advertised: ['SIZE', '8BITMIME', 'DSN', 'SMTPUTF8', 'AUTH', 'DELIVERBY', 'MT-PRIORITY', 'FUTURERELEASE', 'MTRK', 'RRVS', 'REQUIRETLS'] }],
  ['8bit only', { advertised: ['8BITMIME', 'SIZE'], limits: { messageSize: 1000 } }],
  ['utf8 rcpt', { smtpUtf8: true, advertised: ['DSN', 'SMTPUTF8'] }],
  ['small limits', { limits: { localPart: 4, domain: 12, path: 20, parameters: 2 } }],
  ['lenient', { lenient: { spaceAfterColon: true, missingAngleBrackets: true, extraSpaces: true, lowercaseXtextHex: false } }],
  ['custom', { advertised: ['XFOO', 'SIZE'], parameters: [XFOO], allowedParameters: ['XBAR'] }],
  ['body values', { bodyValues: ['7BIT'] }],
  ['bad option', { limits: { localPart: 0 } }],
  ['bad smtpUtf8', { smtpUtf8: 'yes' as unknown as boolean }],
];

const TEXTS: readonly string[] = [
  '<a@b.example>', '<>', '<postmaster>', '<PostMaster>', '<postmaster@b.example>', '<"a b"@b.example>', '<"a\\"b\\\\c"@b.example>',
  '<"@"@[192.0.2.1]>', '<u@[IPv6:2001:db8::1]>', '<u@[tag:x]>', '<u@[1.2.3]>', '<@r1.example,@r2.example:u@b.example>', '<@r\u00e9.example:u@b.example>',
  '<\u00fc@b.example>', '<a@\u00e9x.example>', '<"\u00e9"@b.example>', '<\ud83d\ude00@b.example>', '<\ud83d@b.example>', '<a@b\udc00.example>',
  '<a\u200b@b.example>', '<a@b.example> SMTPUTF8', '<\u00fc@b.example> SMTPUTF8', '<\u00fc@b.example> smtputf8 BODY=8bitmime',
  '<a@b.example> SIZE=10', '<a@b.example> size=10 Size=11', '<a@b.example> SIZE=1001', '<a@b.example> SIZE=x', '<a@b.example> SIZE', '<a@b.example> SIZE=',
  '<a@b.example> BODY=BINARYMIME', '<a@b.example> BODY=7bit', '<a@b.example> RET=HDRS ENVID=a+2Bb', '<a@b.example> ENVID=a+2bb', '<a@b.example> ENVID=a+ZZ',
  '<a@b.example> AUTH=<>', '<a@b.example> AUTH=e+2Bx@b.example', '<a@b.example> BY=120;R', '<a@b.example> MT-PRIORITY=-3', '<a@b.example> HOLDFOR=60',
  '<a@b.example> MTRK', '<a@b.example> MTRK=dGVzdA:60', '<a@b.example> REQUIRETLS', '<a@b.example> NOTIFY=NEVER', '<a@b.example> XFOO', '<a@b.example> XFOO=bad',
  '<a@b.example> XFOO=ok XBAR=1', '<a@b.example> XBAR', '<a@b.example> 123=x SIZE=1', '<a@b.example> -X=1', '<a@b.example> A B C D E F',
  '<a@b.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a+2Bb@c.example', '<a@b.example> ORCPT=utf-8;\\x{FC}@c.example', '<a@b.example> RRVS=2014-04-03T23:01:00Z;C',
  '<a@b.example>  SIZE=1', '<a@b.example> SIZE=1 ', '<a@b.example>x', '<a@b.example> =1', '<a@b.example> S\u00cdZE=1', '<a@b.example> SIZE=1\u00e9',
  ' <a@b.example>', '  <a@b.example>', 'a@b.example', 'a@b.example SIZE=1', '<a@b.example', '<a@b.example >', '<a@b..example>', '<a..b@c.example>',
  '<a@b.example>\r\n', '<a@b.example> SIZE=1\r\n', '\r\n', '', '<a@b.example>\n', '<a@b.example>\r',
  `<${'a'.repeat(64)}@b.example>`, `<${'a'.repeat(65)}@b.example>`, `<a@${'b'.repeat(63)}.example>`, `<a@${'b'.repeat(64)}.example>`,
  `<a@${`${'b'.repeat(60)}.`.repeat(4)}example>`, `<${'\u00e9'.repeat(40)}@b.example> SMTPUTF8`, `<a@b.example> ENVID=${'x'.repeat(101)}`,
];

describe('parseEnvelopeArguments gives what parseMailFrom / parseRcptTo give for the text after FROM: / TO:', () => {
  for (const [name, options] of OPTIONS) {
    it(`each text of the table, options: ${name}`, () => {
      for (const kind of ['mail', 'rcpt'] as const) {
        for (const text of TEXTS) expect(viaInternal(kind, text, options), `${kind} ${JSON.stringify(text)}`).toStrictEqual(viaPublic(kind, text, options));
      }
    });
  }

  it('the parameters keep their order and their values; the record is a new object each time', () => {
    const opts: ParseOptions = { advertised: ['SIZE', '8BITMIME', 'DSN', 'SMTPUTF8'] };
    const a = parseEnvelopeArguments('mail', '<a@b.example> smtputf8 Body=8BITMIME size=5 RET=FULL', opts);
    const b = parseEnvelopeArguments('mail', '<a@b.example> smtputf8 Body=8BITMIME size=5 RET=FULL', opts);
    expect(a.ok && Object.entries(a.parameters)).toStrictEqual([['SMTPUTF8', true], ['BODY', '8BITMIME'], ['SIZE', '5'], ['RET', 'FULL']]);
    expect(a.ok && b.ok && a.parameters !== b.parameters && a.path !== b.path).toBe(true);
  });

  it('any text from an alphabet of tricky pieces, with any of the options', () => {
    const piece = fc.constantFrom(...'<>@:,."\\ =+-;[]aAzZ09\r\n\x00\x7f', 'SIZE=', 'size', 'BODY=8BITMIME', 'SMTPUTF8', 'NOTIFY=', 'ORCPT=rfc822;', 'ENVID=', 'XFOO', 'IPv6:', 'postmaster', 'ü', '\u200b', '\ud83d', '\ude00');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), fc.constantFrom(...OPTIONS), fc.constantFrom('mail' as const, 'rcpt' as const), (pieces, [, options], kind) => {
        const text = pieces.join('');
        expect(viaInternal(kind, text, options)).toStrictEqual(viaPublic(kind, text, options));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseEnvelopeArguments: a caller mistake is a typed error, as for parseMailFrom / parseRcptTo', () => {
  const codeOf = (f: () => unknown): string | undefined => errorCodeOf(f, isClientArgsError);

  it('text that is not a string', () => {
    for (const bad of [undefined, null, 5, {}, ['<a@b.example>'], new TextEncoder().encode('<a@b.example>')]) {
      expect(codeOf(() => parseEnvelopeArguments('mail', bad as string))).toBe('ERR_SMTP_INVALID_ARGUMENT');
      expect(codeOf(() => parseEnvelopeArguments('rcpt', bad as string))).toBe('ERR_SMTP_INVALID_ARGUMENT');
    }
  });

  it("a command other than 'mail' or 'rcpt'", () => {
    for (const bad of ['MAIL', 'data', '', undefined, 1]) {
      expect(codeOf(() => parseEnvelopeArguments(bad as 'mail', '<a@b.example>'))).toBe('ERR_SMTP_INVALID_ARGUMENT');
    }
  });
});
