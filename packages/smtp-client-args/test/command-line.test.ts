// MAIL FROM / RCPT TO lines at their edges: tokenizing, the replies a server sends, options, and
// the builders' argument checks (RFC 5321 §4.1.1.2, §4.1.1.3, §4.1.2).
import { describe, expect, it } from 'vitest';
import { SmtpClientArgs, formatMailFrom, formatRcptTo, isClientArgsError, parseMailFrom, parseRcptTo, readMailParameters, type ClientArgsRemoteError, type ClientArgsLocalError } from 'smtp-client-args';
import type { ParameterSpec } from 'smtp-client-args';
import { thrownBy } from '@smtpkit/testkit';
const isRemoteError = (e: unknown): e is ClientArgsRemoteError => isClientArgsError(e) && e.kind === 'remote';
const isLocalError = (e: unknown): e is ClientArgsLocalError => isClientArgsError(e) && e.kind === 'local';

const refused = (fn: () => unknown) => thrownBy(fn, isRemoteError);

const misuse = (fn: () => unknown) => thrownBy(fn, isLocalError);

describe('the command line: verb, preposition, CRLF', () => {
  it('only a final CRLF is stripped; a bare CR or LF is text after the address', () => {
    expect(parseMailFrom('MAIL FROM:<a@b> SIZE=10\r\n').parameters.size).toBe(10);
    for (const t of ['FROM:<a@b>\n', 'FROM:<a@b>\rx', 'FROM:<a@b>\r']) {
      const r = refused(() => parseMailFrom(t));
      expect([t, r.code, r.reply.code, r.reply.enhanced]).toEqual([t, 'ERR_SMTP_PARAM_SYNTAX', 501, '5.5.4']);
      expect(r.reply.text).toBe('Unexpected text after the address');
    }
  });

  it('a missing preposition is a 501 5.5.2 that shows the syntax', () => {
    const r = refused(() => parseMailFrom('MAIL TO:<a@b>'));
    expect([r.code, r.reply.code, r.reply.enhanced]).toEqual(['ERR_SMTP_COMMAND_SYNTAX', 501, '5.5.2']);
    expect(r.reply.text).toContain('MAIL FROM:');
    expect(refused(() => parseRcptTo('RCPT FROM:<a@b>')).reply.text).toContain('RCPT TO:');
  });

  it('the preposition alone is a missing path, not a syntax error', () => {
    const r = refused(() => parseMailFrom('MAIL FROM:'));
    expect([r.code, r.reply.enhanced]).toEqual(['ERR_SMTP_PATH_SYNTAX', '5.1.7']);
  });

  it('a space after the colon is refused with a reason unless lenient', () => {
    const r = refused(() => parseMailFrom('MAIL FROM: <a@b>'));
    expect([r.code, r.reply.code]).toEqual(['ERR_SMTP_COMMAND_SYNTAX', 501]);
    expect(r.reply.text).toContain('FROM:');
    expect(parseMailFrom('MAIL FROM:   <a@b>', { lenient: { spaceAfterColon: true } }).path).toMatchObject({ address: 'a@b' });
  });

  it('invalid UTF-8 bytes get 501 5.5.2 with a text', () => {
    const r = refused(() => parseMailFrom(new Uint8Array([0x46, 0x52, 0x4f, 0x4d, 0x3a, 0x3c, 0xff, 0x3e])));
    expect([r.code, r.reply.code, r.reply.enhanced]).toEqual(['ERR_SMTP_INVALID_UTF8', 501, '5.5.2']);
    expect(r.reply.text).toMatch(/UTF-8/);
  });

  it('input that is neither a string nor bytes is API misuse naming text', () => {
    for (const bad of [42, null, {}, [1, 2]]) {
      expect(misuse(() => parseMailFrom(bad as unknown as string))).toMatchObject({ code: 'ERR_SMTP_INVALID_ARGUMENT', argument: 'text' });
    }
  });
});

describe('parameter tokens (RFC 5321 §4.1.2 esmtp-param)', () => {
  it('each malformed token gets a 501 5.5.4 with a text', () => {
    for (const t of ['FROM:<a@b>  SIZE=1', 'FROM:<a@b> ', 'FROM:<a@b> =1', 'FROM:<a@b> -X', 'FROM:<a@b> SIZE:1']) {
      const r = refused(() => parseMailFrom(t));
      expect([t, r.code, r.reply.code, r.reply.enhanced]).toEqual([t, 'ERR_SMTP_PARAM_SYNTAX', 501, '5.5.4']);
      expect(r.reply.text).toBe('Invalid parameter syntax');
    }
  });

  it('extra spaces are accepted only when lenient', () => {
    const lenient = { extraSpaces: true } as const;
    expect(parseMailFrom('FROM:<a@b>  SIZE=1  SMTPUTF8  ', { lenient }).args.toString()).toBe(' SIZE=1 SMTPUTF8');
  });

  it('INJ-7: too many parameters, a duplicate, an unknown one: each reply names it', () => {
    const many = refused(() => parseMailFrom('FROM:<a@b> SIZE=1 SMTPUTF8', { limits: { parameters: 1 } }));
    expect([many.code, many.reply.code, many.reply.enhanced]).toEqual(['ERR_SMTP_TOO_MANY_PARAMS', 501, '5.5.4']);
    expect(many.reply.text).toMatch(/\S/);
    const dup = refused(() => parseMailFrom('FROM:<a@b> SIZE=1 size=2'));
    expect([dup.code, dup.keyword]).toEqual(['ERR_SMTP_PARAM_DUPLICATE', 'SIZE']);
    expect(dup.reply.text).toContain('SIZE');
    const unknown = refused(() => parseMailFrom('FROM:<a@b> X-FOO=1'));
    expect([unknown.code, unknown.reply.code, unknown.keyword]).toEqual(['ERR_SMTP_PARAM_UNKNOWN', 555, 'X-FOO']);
    expect(unknown.reply.text).toContain('X-FOO');
    const value = refused(() => parseMailFrom('FROM:<a@b> SIZE=x'));
    expect([value.code, value.keyword]).toEqual(['ERR_SMTP_PARAM_VALUE', 'SIZE']);
    expect(value.reply.text).toContain('SIZE');
  });

  it('a parameter of the other command stays 555 even when allowed by name', () => {
    const r = refused(() => parseRcptTo('TO:<a@b> SIZE=1', { allowedParameters: ['SIZE'] }));
    expect([r.code, r.reply.code, r.keyword]).toEqual(['ERR_SMTP_PARAM_UNKNOWN', 555, 'SIZE']);
  });
});

describe('limits.messageSize (RFC 1870 §6)', () => {
  it('SIZE over the maximum gets 552 5.3.4 naming SIZE; 0 is a valid maximum', () => {
    const r = refused(() => parseMailFrom('FROM:<a@b> SIZE=1', { limits: { messageSize: 0 } }));
    expect([r.code, r.reply.code, r.reply.enhanced, r.keyword]).toEqual(['ERR_SMTP_SIZE_EXCEEDED', 552, '5.3.4', 'SIZE']);
    expect(r.reply.text).toMatch(/size/i);
    expect(parseMailFrom('FROM:<a@b> SIZE=0', { limits: { messageSize: 0 } }).parameters.size).toBe(0);
  });

  it('must be a non-negative number', () => {
    for (const bad of [-1, Number.NaN, '10']) {
      expect(misuse(() => parseMailFrom('FROM:<a@b>', { limits: { messageSize: bad as number } }))).toMatchObject({
        code: 'ERR_SMTP_INVALID_OPTION',
        argument: 'options.limits.messageSize',
        message: expect.stringContaining('non-negative'),
      });
    }
  });
});

describe('readMailParameters', () => {
  it('leaves out a field whose value cannot be read', () => {
    const lax: ParameterSpec = { keyword: 'ENVID', command: 'mail', extensions: ['DSN'], rfc: 'RFC 3461', value: 'required' };
    const args = new SmtpClientArgs({ command: 'mail', parameters: [lax] }).set('ENVID', 'a+zz');
    const p = readMailParameters(args);
    expect('envid' in p).toBe(false);
  });
});

describe('formatMailFrom / formatRcptTo', () => {
  it('a plain iterable is checked against the whole table for its command', () => {
    expect(formatRcptTo('a@b', [['NOTIFY', 'NEVER']])).toBe('RCPT TO:<a@b> NOTIFY=NEVER');
    expect(formatMailFrom('a@b', [['AUTH', 'a+2bb']])).toBe('MAIL FROM:<a@b> AUTH=a+2bb');
    const dup = misuse(() => formatMailFrom('a@b', [['SIZE', '1'], ['size', '2']]));
    expect([dup.code, dup.argument]).toEqual(['ERR_SMTP_INVALID_PARAM', 'SIZE']);
    expect(dup.message).toContain('SIZE');
  });

  it('a collection of the other command cannot be sent, naming the parameter', () => {
    const e = misuse(() => formatRcptTo('a@b', new SmtpClientArgs().set('SIZE', '1')));
    expect([e.code, e.argument]).toEqual(['ERR_SMTP_INVALID_PARAM', 'SIZE']);
    expect(e.message).toMatch(/^SIZE: .*command/);
    const f = misuse(() => formatMailFrom('a@b', new SmtpClientArgs().set('NOTIFY', 'NEVER')));
    expect([f.code, f.argument]).toEqual(['ERR_SMTP_INVALID_PARAM', 'NOTIFY']);
  });

  it('INJ-8: UTF-8 values go out only with SMTPUTF8 in effect', () => {
    const args = new SmtpClientArgs({ command: 'rcpt', smtpUtf8: true }).set('ORCPT', 'utf-8;\u00fc@b');
    expect(formatRcptTo('a@b', args, { smtpUtf8: true })).toBe('RCPT TO:<a@b> ORCPT=utf-8;\u00fc@b');
    expect(misuse(() => formatRcptTo('a@b', args)).code).toBe('ERR_SMTP_INVALID_PARAM');
  });

  it('INJ-8: SMTPUTF8 in args turns UTF-8 on unless smtpUtf8 says otherwise', () => {
    const utf8 = new SmtpClientArgs().setSmtpUtf8();
    expect(formatMailFrom('\u00fc@b', utf8)).toBe('MAIL FROM:<\u00fc@b> SMTPUTF8');
    expect(misuse(() => formatMailFrom('\u00fc@b', utf8, { smtpUtf8: false })).code).toBe('ERR_SMTP_UTF8_REQUIRED');
    expect(misuse(() => formatMailFrom('\u00fc@b', [['SIZE', '1']])).code).toBe('ERR_SMTP_UTF8_REQUIRED');
  });

  it('path limits are honoured', () => {
    expect(misuse(() => formatMailFrom('ab@c', undefined, { limits: { localPart: 1 } })).code).toBe('ERR_SMTP_PATH_TOO_LONG');
    expect(formatMailFrom('a@c', undefined, { limits: { localPart: 1 } })).toBe('MAIL FROM:<a@c>');
  });

  it('the wrong special path for the command is refused, naming it', () => {
    expect(misuse(() => formatMailFrom({ kind: 'postmaster' }))).toMatchObject({ code: 'ERR_SMTP_INVALID_PATH', argument: 'path', message: expect.stringContaining('<postmaster>') });
    expect(misuse(() => formatRcptTo({ kind: 'null' }))).toMatchObject({ code: 'ERR_SMTP_INVALID_PATH', argument: 'path', message: expect.stringContaining('<>') });
  });

  it('args that are not an iterable of pairs are API misuse, never a TypeError', () => {
    for (const bad of [5, null, {}, 'SIZE=1', [5], [null]]) {
      for (const format of [formatMailFrom, formatRcptTo]) {
        expect(misuse(() => format('a@b', bad as unknown as [string, string][]))).toMatchObject({ code: 'ERR_SMTP_INVALID_ARGUMENT', argument: 'args' });
      }
    }
  });
});
