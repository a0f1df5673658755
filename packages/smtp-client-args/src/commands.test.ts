import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { NULL_PATH, POSTMASTER_PATH, SmtpClientArgs, formatMailFrom, formatRcptTo, isClientArgsError, mailboxPath, parseMailFrom, parseRcptTo, type ClientArgsRemoteError, type ClientArgsLocalError } from 'smtp-client-args';
import type { ParseOptions, Path } from 'smtp-client-args';
import { thrownBy } from '@smtpkit/testkit';
const isRemoteError = (e: unknown): e is ClientArgsRemoteError => isClientArgsError(e) && e.kind === 'remote';
const isLocalError = (e: unknown): e is ClientArgsLocalError => isClientArgsError(e) && e.kind === 'local';

interface Case {
  id: string;
  command: 'mail' | 'rcpt';
  text: string;
  code: string;
  reply: [number, string];
  smtpUtf8?: boolean;
  advertised?: string[];
  allowed?: string[];
  messageSize?: number;
}

const fixture = JSON.parse(readFileSync(new URL('../test/fixtures/refusals.json', import.meta.url), 'utf8')) as { cases: Case[] };

const refusal = (fn: () => unknown) => thrownBy(fn, isRemoteError);

describe('parseMailFrom / parseRcptTo: strict refusals (fixture)', () => {
  it.each(fixture.cases.map((c) => [`${c.id}: ${c.command.toUpperCase()} ${JSON.stringify(c.text)}`, c] as const))('%s', (_name, c) => {
    const options: ParseOptions = {
      ...(c.smtpUtf8 === undefined ? {} : { smtpUtf8: c.smtpUtf8 }),
      ...(c.advertised === undefined ? {} : { advertised: c.advertised }),
      ...(c.allowed === undefined ? {} : { allowedParameters: c.allowed }),
      ...(c.messageSize === undefined ? {} : { limits: { messageSize: c.messageSize } }),
    };
    const parse = c.command === 'mail' ? parseMailFrom : parseRcptTo;
    const r = refusal(() => parse(c.text, options));
    expect(r.code).toBe(c.code);
    expect([r.reply.code, r.reply.enhanced]).toEqual(c.reply);
    expect(r.reply.text).not.toMatch(/[\r\n]/);
  });
});

const accepted = JSON.parse(readFileSync(new URL('../test/fixtures/accepted.json', import.meta.url), 'utf8')) as {
  advertised: string[];
  cases: { command: 'mail' | 'rcpt'; text: string; address: string | null; args: string }[];
};

describe('parseMailFrom / parseRcptTo: real-world shapes are accepted (fixture)', () => {
  it.each(accepted.cases.map((c) => [`${c.command.toUpperCase()} ${c.text}`, c] as const))('%s', (_name, c) => {
    const parse = c.command === 'mail' ? parseMailFrom : parseRcptTo;
    const r = parse(c.text, { advertised: accepted.advertised, smtpUtf8: c.command === 'rcpt' });
    const address = r.path.kind === 'mailbox' ? r.path.address : r.path.kind === 'null' ? null : 'postmaster';
    expect(address).toBe(c.address);
    expect(r.args.toString()).toBe(c.args);
    // What we parse, we can write back, and it parses to the same thing.
    if (r.path.kind !== (c.command === 'mail' ? 'postmaster' : 'null')) {
      const line = c.command === 'mail' ? formatMailFrom(r.path, r.args) : formatRcptTo(r.path, r.args, { smtpUtf8: true });
      const again = parse(line, { advertised: accepted.advertised, smtpUtf8: c.command === 'rcpt' });
      expect(again.path).toEqual(r.path);
      expect(again.args.toString()).toBe(r.args.toString());
    }
  });
});

describe('parseMailFrom / parseRcptTo: accepted input', () => {
  it('parses path, args and typed parameters', () => {
    const r = parseMailFrom('FROM:<a@example.com> SIZE=1000 BODY=8bitmime RET=hdrs ENVID=x+2By AUTH=<>');
    expect(r.path).toMatchObject({ address: 'a@example.com' });
    expect(r.args.toString()).toBe(' SIZE=1000 BODY=8bitmime RET=hdrs ENVID=x+2By AUTH=<>');
    expect(r.parameters).toEqual({ size: 1000, body: '8BITMIME', ret: 'HDRS', envid: 'x+y', auth: null, smtpUtf8: false, requireTls: false });
  });
  it('INJ-7: <postmaster> is accepted as a recipient; the null path as a sender', () => {
    expect(parseRcptTo('TO:<postmaster>').path).toBe(POSTMASTER_PATH);
    expect(parseRcptTo('TO:<POSTMASTER>').path).toBe(POSTMASTER_PATH);
    expect(parseMailFrom('FROM:<>').path).toBe(NULL_PATH);
    expect(parseRcptTo('TO:<postmaster@example.com>').path).toMatchObject({ kind: 'mailbox', localPart: 'postmaster' });
  });
  it('INJ-7: source route accepted and ignored; quoted local part handled', () => {
    expect(parseMailFrom('FROM:<@a,@b:u@d>').path).toMatchObject({ address: 'u@d' });
    expect(parseMailFrom('FROM:<"a\\"b"@c>').path).toMatchObject({ localPart: 'a"b' });
  });
  it('option objects made afresh with the same content parse alike, and never borrow from other content', () => {
    const refusedBy = (line: string, o: ParseOptions): string | undefined => {
      try {
        parseMailFrom(line, o);
        return undefined;
      } catch (e) {
        if (isRemoteError(e)) return e.code;
        throw e;
      }
    };
    for (let round = 0; round < 3; round++) {
      // more distinct contents than the cache holds, each seen in fresh objects every round
      for (let n = 0; n < 40; n++) {
        const x = `X${String(n)}`;
        expect(refusedBy(`FROM:<a@b> ${x}=1`, { advertised: ['SIZE'], allowedParameters: [x] })).toBeUndefined();
        expect(refusedBy(`FROM:<a@b> X${String(n + 1)}=1`, { advertised: ['SIZE'], allowedParameters: new Set([x]) })).toBe('ERR_SMTP_PARAM_UNKNOWN');
        expect(refusedBy(`FROM:<a@b> SIZE=${String(n + 1)}`, { advertised: ['SIZE'], limits: { messageSize: n } })).toBe('ERR_SMTP_SIZE_EXCEEDED');
        expect(refusedBy(`FROM:<a@b> SIZE=${String(n)}`, { advertised: ['SIZE'], limits: { messageSize: n } })).toBeUndefined();
      }
      expect(refusedBy('FROM:<a@b> SIZE=1', { advertised: ['DSN'] })).toBe('ERR_SMTP_PARAM_UNKNOWN');
      expect(refusedBy('FROM:<a@b> SIZE=1', { advertised: ['SIZE,DSN'] })).toBe('ERR_SMTP_PARAM_UNKNOWN');
      expect(refusedBy('FROM:<a@b> RET=HDRS', { advertised: ['SIZE', 'DSN'] })).toBeUndefined();
      expect(refusedBy('FROM:<a@b> BODY=8BITMIME', { advertised: ['8BITMIME'] })).toBeUndefined();
      expect(refusedBy('FROM:<a@b> BODY=8BITMIME', { advertised: ['8BITMIME'], bodyValues: ['7BIT'] })).toBe('ERR_SMTP_PARAM_UNKNOWN');
      expect(refusedBy('FROM:<a@b> BODY=8BITMIME', { advertised: ['8BITMIME'], bodyValues: ['7BIT', '8bitmime'] })).toBeUndefined();
      expect(refusedBy('FROM:<a@b> A=1 B=2', { allowedParameters: ['A', 'B'], limits: { parameters: 1 } })).toBe('ERR_SMTP_TOO_MANY_PARAMS');
      expect(refusedBy('FROM:<a@b> A=1 B=2', { allowedParameters: ['A', 'B'], limits: { parameters: 2 } })).toBeUndefined();
      expect(refusedBy(`FROM:<${'a'.repeat(65)}@b>`, { advertised: ['SIZE'] })).toBe('ERR_SMTP_PATH_TOO_LONG');
      expect(refusedBy(`FROM:<${'a'.repeat(65)}@b>`, { advertised: ['SIZE'], limits: { localPart: 65 } })).toBeUndefined();
      // invalid limits are refused every time, whatever content was seen before
      for (const bad of [{ localPart: Number.NaN }, { localPart: 0 }, { localPart: -0 }, { localPart: 1.5 }, { localPart: '64' }, { messageSize: -1 }, { parameters: Infinity }]) {
        expect(() => parseMailFrom('FROM:<a@b>', { advertised: ['SIZE'], limits: bad as never })).toThrow(/options\.limits/);
      }
      expect(refusedBy('FROM:<a@b> SIZE=1', { advertised: ['SIZE'], limits: { messageSize: -0 } })).toBe('ERR_SMTP_SIZE_EXCEEDED');
      expect(refusedBy('FROM:<a@b> SIZE=0', { advertised: ['SIZE'], limits: { messageSize: 0 } })).toBeUndefined();
      // keywords that are not text, and custom parameter tables, are derived afresh each time
      expect(refusedBy('FROM:<a@b> SIZE=1', { advertised: [8 as unknown as string, 'SIZE'] })).toBeUndefined();
      expect(refusedBy('FROM:<a@b> XP=1', { parameters: [{ keyword: 'XP', command: 'mail', extensions: ['XP'], rfc: 'private', value: 'required' }], advertised: ['XP'] })).toBeUndefined();
      expect(refusedBy('FROM:<a@b> XP=1', { advertised: ['XP'] })).toBe('ERR_SMTP_PARAM_UNKNOWN');
    }
  });
  it('finds a duplicate parameter wherever it is among many, and keeps every parameter in order', () => {
    const kw = ['XA', 'XB', 'XC', 'XD', 'XE', 'XF', 'XG', 'XH'];
    const opts = { allowedParameters: kw };
    const all = parseMailFrom(`FROM:<a@b> ${kw.map((k, n) => `${k}=${String(n)}`).join(' ')}`, opts);
    expect([...all.args]).toEqual(kw.map((k, n) => [k, String(n)]));
    for (let n = 1; n <= kw.length; n++) {
      for (let d = 0; d < n; d++) {
        const line = `FROM:<a@b> ${[...kw.slice(0, n), kw[d]!.toLowerCase()].join(' ')}`;
        const e = refusal(() => parseMailFrom(line, opts));
        expect(e.code).toBe('ERR_SMTP_PARAM_DUPLICATE');
        expect(e.keyword).toBe(kw[d]);
      }
    }
  });
  it('counts path limits in UTF-8 bytes, and ASCII one byte per character', () => {
    const limits = { localPart: 10, domain: 12, path: 30 };
    expect(parseRcptTo(`TO:<${'a'.repeat(10)}@b>`, { limits }).path).toMatchObject({ localPart: 'a'.repeat(10) });
    expect(refusal(() => parseRcptTo(`TO:<${'a'.repeat(11)}@b>`, { limits })).code).toBe('ERR_SMTP_PATH_TOO_LONG');
    expect(parseRcptTo(`TO:<${'é'.repeat(5)}@b>`, { limits, smtpUtf8: true }).path).toMatchObject({ localPart: 'é'.repeat(5) });
    expect(refusal(() => parseRcptTo(`TO:<${'é'.repeat(5)}x@b>`, { limits, smtpUtf8: true })).code).toBe('ERR_SMTP_PATH_TOO_LONG');
    expect(refusal(() => parseRcptTo(`TO:<"${'a'.repeat(9)}"@b>`, { limits })).code).toBe('ERR_SMTP_PATH_TOO_LONG');
    expect(parseRcptTo(`TO:<a@${'d'.repeat(12)}>`, { limits }).path).toMatchObject({ domain: 'd'.repeat(12) });
    expect(refusal(() => parseRcptTo(`TO:<a@${'d'.repeat(13)}>`, { limits })).code).toBe('ERR_SMTP_PATH_TOO_LONG');
    expect(refusal(() => parseRcptTo(`TO:<a@${'ü'.repeat(6)}d>`, { limits, smtpUtf8: true })).code).toBe('ERR_SMTP_PATH_TOO_LONG');
    expect(parseRcptTo(`TO:<a@${'ü'.repeat(6)}>`, { limits, smtpUtf8: true }).path).toMatchObject({ domain: 'ü'.repeat(6) });
    // the path as written, source route included
    expect(refusal(() => parseRcptTo(`TO:<@${'r'.repeat(8)}.${'r'.repeat(8)}:a@b.c.d.e.f>`, { limits })).code).toBe('ERR_SMTP_PATH_TOO_LONG');
    expect(parseRcptTo(`TO:<@${'r'.repeat(10)}:a.b@c.d>`, { limits }).path).toMatchObject({ address: 'a.b@c.d' });
  });
  it('the address of an unquoted local part is the text as written; a quoted one is re-rendered', () => {
    expect(parseMailFrom('FROM:<A.b+c@Example.COM>').path).toMatchObject({ address: 'A.b+c@Example.COM', localPart: 'A.b+c', domain: 'Example.COM' });
    expect(parseMailFrom('FROM:<"abc"@d>').path).toMatchObject({ address: 'abc@d', localPart: 'abc' });
    expect(parseMailFrom('FROM:<"a b"@d>').path).toMatchObject({ address: '"a b"@d' });
    expect(parseMailFrom('FROM:<a@[192.0.2.1]> SIZE=5').path).toMatchObject({ address: 'a@[192.0.2.1]' });
  });
  it('accepts the verb, any case, and a final CRLF', () => {
    expect(parseMailFrom('MaIl FrOm:<a@b>').path).toMatchObject({ address: 'a@b' });
    expect(refusal(() => parseMailFrom('MAIL FRO:<a@b>')).code).toBe('ERR_SMTP_COMMAND_SYNTAX');
    expect(refusal(() => parseRcptTo('RCPT T')).code).toBe('ERR_SMTP_COMMAND_SYNTAX');
    expect(parseMailFrom('mail from:<a@b>\r\n').path).toMatchObject({ address: 'a@b' });
    expect(parseRcptTo('RCPT To:<a@b>').path).toMatchObject({ address: 'a@b' });
  });
  it('accepts bytes; invalid UTF-8 gets 501 5.5.2', () => {
    expect(parseMailFrom(new TextEncoder().encode('FROM:<a@b> SIZE=1')).parameters.size).toBe(1);
    expect(refusal(() => parseMailFrom(new Uint8Array([0x46, 0x52, 0x4f, 0x4d, 0x3a, 0x3c, 0xff, 0x3e]))).code).toBe('ERR_SMTP_INVALID_UTF8');
  });
  it('INJ-8: UTF-8 paths with SMTPUTF8 (MAIL: the parameter; RCPT: the option)', () => {
    const m = parseMailFrom('FROM:<ü@bücher.de> SMTPUTF8', { advertised: ['SMTPUTF8'] });
    expect(m.path).toMatchObject({ utf8: true });
    expect(m.parameters.smtpUtf8).toBe(true);
    expect(refusal(() => parseMailFrom('FROM:<ü@x> SMTPUTF8', { advertised: ['SIZE'] })).reply.code).toBe(555);
    expect(parseRcptTo('TO:<ü@x>', { smtpUtf8: true }).path).toMatchObject({ utf8: true });
    expect(parseRcptTo('TO:<a@b> ORCPT=utf-8;ü@x', { smtpUtf8: true }).parameters.orcpt).toEqual({ addrType: 'utf-8', address: 'ü@x' });
    expect(parseRcptTo('TO:<a@b> ORCPT=utf-8;\\x{FC}@x').parameters.orcpt).toEqual({ addrType: 'utf-8', address: 'ü@x' });
  });
  it('advertised and allowed parameters decide what is accepted (555 5.5.4 otherwise)', () => {
    const opts = { advertised: ['SIZE', 'DSN', '8BITMIME'], allowedParameters: ['XFOO'] };
    expect(parseMailFrom('FROM:<a@b> SIZE=1 RET=FULL BODY=7BIT XFOO=bar', opts).args.size).toBe(4);
    const r = refusal(() => parseMailFrom('FROM:<a@b> REQUIRETLS', opts));
    expect(r).toMatchObject({ code: 'ERR_SMTP_PARAM_UNKNOWN', keyword: 'REQUIRETLS', reply: { code: 555, enhanced: '5.5.4' } });
    expect(refusal(() => parseRcptTo('TO:<a@b> RET=FULL', opts)).reply.code).toBe(555);
  });
  it('BODY values follow what is advertised: BINARYMIME needs BINARYMIME, 8BITMIME needs 8BITMIME (555 5.5.4)', () => {
    const only8 = { advertised: ['8BITMIME', 'PIPELINING'] };
    const r = refusal(() => parseMailFrom('FROM:<a@b> BODY=BINARYMIME', only8));
    expect(r).toMatchObject({ code: 'ERR_SMTP_PARAM_UNKNOWN', keyword: 'BODY', reply: { code: 555, enhanced: '5.5.4' } });
    expect(r.reply.text).toContain('BODY=BINARYMIME');
    expect(refusal(() => parseMailFrom('FROM:<a@b> body=binarymime', only8)).reply.code).toBe(555);
    expect(parseMailFrom('FROM:<a@b> BODY=8bitmime', only8).parameters.body).toBe('8BITMIME');
    expect(parseMailFrom('FROM:<a@b> BODY=7BIT', only8).parameters.body).toBe('7BIT');
    const binOnly = { advertised: ['binarymime', 'CHUNKING'] };
    expect(parseMailFrom('FROM:<a@b> BODY=BINARYMIME', binOnly).parameters.body).toBe('BINARYMIME');
    expect(refusal(() => parseMailFrom('FROM:<a@b> BODY=8BITMIME', binOnly)).reply.code).toBe(555);
    const both = { advertised: ['8BITMIME', 'BINARYMIME', 'CHUNKING'] };
    for (const v of ['7BIT', '8BITMIME', 'BINARYMIME']) expect(parseMailFrom(`FROM:<a@b> BODY=${v}`, both).parameters.body).toBe(v);
    // an invalid value stays a syntax error (501), not a refusal of the extension
    expect(refusal(() => parseMailFrom('FROM:<a@b> BODY=9BIT', only8)).reply.code).toBe(501);
  });
  it('bodyValues overrides what is derived; without advertised every valid BODY value is accepted', () => {
    expect(parseMailFrom('FROM:<a@b> BODY=BINARYMIME').parameters.body).toBe('BINARYMIME');
    expect(parseMailFrom('FROM:<a@b> BODY=BINARYMIME', { allowedParameters: ['BODY'] }).parameters.body).toBe('BINARYMIME');
    expect(refusal(() => parseMailFrom('FROM:<a@b> BODY=BINARYMIME', { bodyValues: ['7BIT', '8BITMIME'] })).reply.code).toBe(555);
    expect(parseMailFrom('FROM:<a@b> BODY=BINARYMIME', { advertised: ['8BITMIME'], bodyValues: ['binarymime'] }).parameters.body).toBe('BINARYMIME');
    expect(refusal(() => parseMailFrom('FROM:<a@b> BODY=7BIT', { advertised: ['8BITMIME'], bodyValues: [] })).reply.code).toBe(555);
  });
  it('custom parameter specs validate private extensions', () => {
    const opts: ParseOptions = {
      allowedParameters: ['XPRIO'],
      parameters: [{ keyword: 'XPRIO', command: 'mail', extensions: ['XPRIO'], rfc: 'private', value: 'required', validate: (v) => (v === 'hi' || v === 'lo' ? undefined : 'hi|lo') }],
    };
    expect(parseMailFrom('FROM:<a@b> XPRIO=hi', opts).args.get('xprio')).toBe('hi');
    expect(refusal(() => parseMailFrom('FROM:<a@b> XPRIO=mid', opts)).reply.code).toBe(501);
  });
  it('lenient options for real-world clients', () => {
    expect(parseMailFrom('FROM: <a@b>', { lenient: { spaceAfterColon: true } }).path).toMatchObject({ address: 'a@b' });
    expect(parseMailFrom('FROM:a@b SIZE=1', { lenient: { missingAngleBrackets: true } }).parameters.size).toBe(1);
    expect(parseMailFrom('FROM: a@b', { lenient: { spaceAfterColon: true, missingAngleBrackets: true } }).path).toMatchObject({ address: 'a@b' });
    expect(parseMailFrom('FROM:<a@b>  SIZE=1  ', { lenient: { extraSpaces: true } }).parameters.size).toBe(1);
    expect(refusal(() => parseMailFrom('FROM:<a@b> ENVID=+0d', { lenient: { lowercaseXtextHex: false } })).reply.code).toBe(501);
    expect(refusal(() => parseMailFrom('FROM:<a@b> ENVID=a+2bb', { lenient: { lowercaseXtextHex: false } })).reply.code).toBe(501);
    expect(parseMailFrom('FROM:<a@b> ENVID=a+2bb').parameters.envid).toBe('a+b');
  });
  it('limits: parameter count, message size, path', () => {
    const many = 'FROM:<a@b>' + Array.from({ length: 4 }, (_, i) => ` X${i}=1`).join('');
    expect(refusal(() => parseMailFrom(many, { allowedParameters: ['X0', 'X1', 'X2', 'X3'], limits: { parameters: 3 } })).code).toBe('ERR_SMTP_TOO_MANY_PARAMS');
    expect(parseMailFrom('FROM:<a@b> SIZE=1000', { limits: { messageSize: 1000 } }).parameters.size).toBe(1000);
    expect(() => parseMailFrom('FROM:<a@b>', { limits: { parameters: 0 } })).toThrow(/parameters/);
  });
  it('a long hostile line is refused quickly and without a stack overflow (linear scan)', () => {
    const n = 200_000;
    expect(refusal(() => parseMailFrom('FROM:<' + 'a.'.repeat(n) + 'a@b>')).code).toBe('ERR_SMTP_PATH_TOO_LONG');
    expect(refusal(() => parseMailFrom('FROM:<a@b> ' + 'X=1 '.repeat(n))).code).toBe('ERR_SMTP_PARAM_DUPLICATE');
    const distinct = Array.from({ length: 1000 }, (_, i) => ` X${i}=1`).join('');
    expect(refusal(() => parseMailFrom('FROM:<a@b>' + distinct)).code).toBe('ERR_SMTP_TOO_MANY_PARAMS');
    expect(refusal(() => parseMailFrom('FROM:<a@b> ENVID=' + '+41'.repeat(n))).code).toBe('ERR_SMTP_PARAM_VALUE');
    expect(refusal(() => parseMailFrom('FROM:<@' + 'a,@'.repeat(n) + 'b:c@d>')).code).toBe('ERR_SMTP_PATH_TOO_LONG');
    expect(refusal(() => parseMailFrom('FROM:<"' + '\\a'.repeat(n) + '"@b>')).code).toBe('ERR_SMTP_PATH_TOO_LONG');
  });
  it('byte-level fuzz: only typed errors (property)', () => {
    const alphabet = fc.constantFrom(...'<>@:,."\\ =+-;[]aAzZ09\r\n\x00\x7f', 'FROM:', 'TO:', 'SIZE=', 'NOTIFY=', 'ORCPT=rfc822;', 'ENVID=', 'IPv6:', 'ü', '\u200b');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), fc.boolean(), (parts, raw, lenient) => {
        const text = parts.join('');
        const options: ParseOptions = lenient ? { lenient: { spaceAfterColon: true, missingAngleBrackets: true, extraSpaces: true }, smtpUtf8: true } : {};
        for (const input of [text, 'FROM:' + text, 'TO:' + text, raw]) {
          for (const parse of [parseMailFrom, parseRcptTo]) {
            try {
              const r = parse(input, options);
              expect(r.args.toString()).not.toMatch(/[\r\n\0]/);
            } catch (e) {
              expect(isRemoteError(e)).toBe(true);
            }
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('formatMailFrom / formatRcptTo', () => {
  it('builds command lines', () => {
    expect(formatMailFrom('', new SmtpClientArgs().setRet('HDRS'))).toBe('MAIL FROM:<> RET=HDRS');
    expect(formatMailFrom('a@b')).toBe('MAIL FROM:<a@b>');
    expect(formatRcptTo(POSTMASTER_PATH)).toBe('RCPT TO:<postmaster>');
    expect(formatRcptTo('x@y', new SmtpClientArgs().setNotify(['FAILURE']))).toBe('RCPT TO:<x@y> NOTIFY=FAILURE');
    expect(formatMailFrom('ü@x', new SmtpClientArgs().setSmtpUtf8())).toBe('MAIL FROM:<ü@x> SMTPUTF8');
  });
  it('refuses what cannot go on the wire, naming the argument', () => {
    const code = (fn: () => unknown): [string, string] => {
      try {
        fn();
      } catch (e) {
        if (isLocalError(e)) return [e.code, e.argument];
        throw e;
      }
      throw new Error('no error');
    };
    expect(code(() => formatRcptTo(''))).toEqual(['ERR_SMTP_INVALID_PATH', 'path']);
    expect(code(() => formatMailFrom(POSTMASTER_PATH))).toEqual(['ERR_SMTP_INVALID_PATH', 'path']);
    expect(code(() => formatMailFrom('ü@x'))).toEqual(['ERR_SMTP_UTF8_REQUIRED', 'path']);
    expect(code(() => formatRcptTo('ü@x'))).toEqual(['ERR_SMTP_UTF8_REQUIRED', 'path']);
    expect(code(() => formatMailFrom('a@b>\r\nRCPT TO:<x@y'))).toEqual(['ERR_SMTP_CONTROL_CHARACTER', 'path']);
    expect(code(() => formatMailFrom('a@b', new SmtpClientArgs().setNotify('NEVER')))).toEqual(['ERR_SMTP_INVALID_PARAM', 'NOTIFY']);
    // A forged iterable cannot smuggle bytes either (defence in depth).
    const forged: [string, string | undefined][] = [['SIZE', '1\r\nDATA']];
    expect(code(() => formatMailFrom('a@b', forged))).toEqual(['ERR_SMTP_INVALID_PARAM', 'SIZE']);
    expect(code(() => formatMailFrom('a@b', [['X\r\nY', undefined]]))).toEqual(['ERR_SMTP_INVALID_PARAM', 'args']);
    expect(code(() => formatMailFrom('a@b', [['SIZE', '1'], ['size', '2']]))).toEqual(['ERR_SMTP_INVALID_PARAM', 'SIZE']);
  });
});

// ---- round trip: format -> parse preserves every path and parameter ----

const localChars = fc.constantFrom(...'abcXYZ019.!#$%&\'*+-/=?^_`{|}~ "\\(),:;<>@[]');
const label = fc
  .tuple(fc.constantFrom(...'abcz09'), fc.string({ unit: fc.constantFrom(...'abz09-'), maxLength: 6 }), fc.constantFrom(...'az9'))
  .map(([a, mid, b]) => a + mid + b);
const domain = fc.oneof(
  fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.')),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => `[${o.join('.')}]`),
  fc.constantFrom('[IPv6:2001:db8::1]', '[IPv6:::]', '[x-tag:any]'),
);
const mailbox = fc.tuple(fc.string({ unit: localChars, minLength: 1, maxLength: 20 }), domain).map(([l, d]) => mailboxPath(l, d));
const printable = fc.string({ unit: fc.constantFrom(...'ab Z9+=\\~!"<>;:'), minLength: 1, maxLength: 30 });

type Step = (a: SmtpClientArgs) => unknown;
const mailSteps: fc.Arbitrary<Step>[] = [
  fc.nat().map((n) => (a: SmtpClientArgs) => a.setSize(n)),
  fc.constantFrom('7BIT', '8BITMIME', 'BINARYMIME' as const).map((b) => (a: SmtpClientArgs) => a.setBody(b)),
  fc.constantFrom('FULL', 'HDRS' as const).map((r) => (a: SmtpClientArgs) => a.setRet(r)),
  printable.map((e) => (a: SmtpClientArgs) => a.setEnvid(e)),
  fc.option(mailbox).map((m) => (a: SmtpClientArgs) => a.setAuth(m && m.address)),
  fc.constant((a: SmtpClientArgs) => a.setRequireTls()),
  fc.integer({ min: -9, max: 9 }).map((p) => (a: SmtpClientArgs) => a.setMtPriority(p)),
  fc.integer({ min: 1, max: 1e6 }).map((s) => (a: SmtpClientArgs) => a.setBy(s, 'R', s % 2 === 0)),
  fc.integer({ min: 0, max: 1e6 }).map((s) => (a: SmtpClientArgs) => a.setHoldFor(s)),
  fc.constant((a: SmtpClientArgs) => a.setHoldUntil('2030-01-01T00:00:00Z')),
];
const rcptSteps: fc.Arbitrary<Step>[] = [
  fc.oneof(fc.constant('NEVER' as const), fc.subarray(['SUCCESS', 'FAILURE', 'DELAY'] as const, { minLength: 1 })).map((n) => (a: SmtpClientArgs) => a.setNotify(n)),
  printable.map((o) => (a: SmtpClientArgs) => a.setOrcpt('rfc822', o)),
  fc.string({ unit: fc.constantFrom(...'aü€😀+=\\@'), minLength: 1, maxLength: 10 }).map((o) => (a: SmtpClientArgs) => a.setOrcpt('utf-8', o)),
  fc.constantFrom('C', 'R', undefined).map((m) => (a: SmtpClientArgs) => a.setRrvs('2014-04-03T23:01:00+02:00', m)),
];

function build(command: 'mail' | 'rcpt', steps: Step[]): SmtpClientArgs {
  const a = new SmtpClientArgs({ command });
  for (const s of steps) s(a);
  return a;
}

describe('round trip format -> parse (property)', () => {
  it('MAIL FROM preserves the path and every parameter', () => {
    fc.assert(
      fc.property(fc.oneof(mailbox, fc.constant<Path>(NULL_PATH)), fc.array(fc.oneof(...mailSteps), { maxLength: 8 }), (path, steps) => {
        const args = build('mail', steps);
        const line = formatMailFrom(path, args);
        const parsed = parseMailFrom(line.slice('MAIL '.length), { limits: { path: 1000, localPart: 1000 } });
        expect(parsed.path).toEqual(path);
        expect([...parsed.args]).toEqual([...args]);
        expect(parsed.parameters).toEqual(parseMailFrom(line, { limits: { path: 1000, localPart: 1000 } }).parameters);
      }),
      { numRuns: 300 },
    );
  });
  it('RCPT TO preserves the path and every parameter (decoded values too)', () => {
    fc.assert(
      fc.property(fc.oneof(mailbox, fc.constant<Path>(POSTMASTER_PATH)), fc.array(fc.oneof(...rcptSteps), { maxLength: 5 }), (path, steps) => {
        const args = build('rcpt', steps);
        const parsed = parseRcptTo(formatRcptTo(path, args).slice('RCPT '.length), { limits: { path: 1000, localPart: 1000 } });
        expect(parsed.path).toEqual(path);
        expect([...parsed.args]).toEqual([...args]);
        if (args.has('ORCPT')) expect(parsed.parameters.orcpt).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });
  it('ENVID=<> is text, not the AUTH null mailbox', () => {
    expect(parseMailFrom('FROM:<a@b> ENVID=<>').parameters.envid).toBe('<>');
  });
  it('ORCPT and ENVID decoded values survive the trip', () => {
    fc.assert(
      fc.property(printable, printable, (envid, orcpt) => {
        const m = parseMailFrom(formatMailFrom('a@b', new SmtpClientArgs().setEnvid(envid)));
        expect(m.parameters.envid).toBe(envid);
        const r = parseRcptTo(formatRcptTo('a@b', new SmtpClientArgs().setOrcpt('rfc822', orcpt)));
        expect(r.parameters.orcpt).toEqual({ addrType: 'rfc822', address: orcpt });
      }),
      { numRuns: 200 },
    );
  });
  it('every error is branded', () => {
    try {
      parseMailFrom('nonsense');
    } catch (e) {
      expect(isClientArgsError(e)).toBe(true);
      expect(Object.keys(e as object)).not.toContain(Symbol.for('smtpkit.error'));
    }
  });
});

describe('round trip with SMTPUTF8 (property)', () => {
  const uLocal = fc.string({ unit: fc.constantFrom(...'aZ9.+ü€😀ß "'), minLength: 1, maxLength: 12 });
  const uLabel = fc.tuple(fc.constantFrom('a', 'ü', '9', 'я'), fc.string({ unit: fc.constantFrom('b', '-', 'ö', '中'), maxLength: 5 }), fc.constantFrom('z', 'é', '0'))
    .map(([a, m, b]) => a + m + b);
  const uDomain = fc.array(uLabel, { minLength: 1, maxLength: 3 }).map((l) => l.join('.'));
  it('INJ-8: UTF-8 mailboxes survive MAIL FROM ... SMTPUTF8 and RCPT TO with smtpUtf8', () => {
    fc.assert(
      fc.property(uLocal, uDomain, fc.string({ unit: fc.constantFrom('a', 'ü', '+', '=', '\\'), minLength: 1, maxLength: 8 }), (local, domain, orcpt) => {
        let path: Path;
        try {
          path = mailboxPath(local, domain);
        } catch (e) {
          expect(isLocalError(e)).toBe(true);
          return;
        }
        const limits = { localPart: 1000, path: 1000 };
        const mail = parseMailFrom(formatMailFrom(path, new SmtpClientArgs().setSmtpUtf8(), { limits }), { limits });
        expect(mail.path).toEqual(path);
        const rcptArgs = new SmtpClientArgs({ command: 'rcpt' }).setOrcpt('utf-8', orcpt + '@' + domain);
        const rcpt = parseRcptTo(formatRcptTo(path, rcptArgs, { smtpUtf8: true, limits }), { smtpUtf8: true, limits });
        expect(rcpt.path).toEqual(path);
        expect(rcpt.parameters.orcpt).toEqual({ addrType: 'utf-8', address: orcpt + '@' + domain });
        if (path.kind === 'mailbox' && path.utf8) {
          expect(() => parseMailFrom(formatMailFrom(path, new SmtpClientArgs().setSmtpUtf8(), { limits }).replace(' SMTPUTF8', ''), { limits })).toThrow(/553/);
        }
      }),
      { numRuns: 200 },
    );
  });
});
