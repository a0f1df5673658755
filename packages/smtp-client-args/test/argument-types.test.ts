// Arguments and options of the wrong type, through the public entry: typed ClientArgsErrors naming
// the argument, never an untyped TypeError or a value handed back as if it were decoded.
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { thrownValue } from '@smtpkit/testkit';
import { SmtpClientArgs, checkArgsAgainst, formatMailFrom, formatRcptTo, isClientArgsError, parseMailFrom, parsePath, parseRcptTo, readMailParameters, readRcptParameters, withoutUnadvertised, xtextDecode, xtextEncode } from 'smtp-client-args';

function failure(fn: () => unknown): [string, string | undefined] | string {
  const e = thrownValue(fn);
  return isClientArgsError(e) ? [e.code, e.argument] : `untyped ${String(e)}`;
}

describe('options.parameters that is not a list of parameter definitions', () => {
  it.each([[5], ['SIZE'], [{ keyword: 'X' }], [[5]], [[null]], [[{ keyword: 5 }]]])('%j is ERR_SMTP_INVALID_OPTION naming options.parameters', (parameters) => {
    expect(failure(() => parseMailFrom('FROM:<a@example.com>', { parameters: parameters as never }))).toEqual(['ERR_SMTP_INVALID_OPTION', 'options.parameters']);
    expect(failure(() => parseRcptTo('TO:<b@example.com>', { parameters: parameters as never }))).toEqual(['ERR_SMTP_INVALID_OPTION', 'options.parameters']);
    expect(failure(() => new SmtpClientArgs({ command: 'mail', parameters: parameters as never }))).toEqual(['ERR_SMTP_INVALID_OPTION', 'options.parameters']);
  });
});

describe('text arguments that are not strings', () => {
  it.each([[5], [null], [undefined], [['a']]])('xtextEncode / xtextDecode / parsePath(%j) is ERR_SMTP_INVALID_ARGUMENT naming text', (text) => {
    expect(failure(() => xtextEncode(text as never))).toEqual(['ERR_SMTP_INVALID_ARGUMENT', 'text']);
    expect(failure(() => xtextDecode(text as never))).toEqual(['ERR_SMTP_INVALID_ARGUMENT', 'text']);
    expect(failure(() => parsePath(text as never))).toEqual(['ERR_SMTP_INVALID_ARGUMENT', 'text']);
  });
});

describe('options objects that are not objects', () => {
  it.each([null, 5, 'x'])('%j is ERR_SMTP_INVALID_OPTION naming options', (options) => {
    expect(failure(() => parseMailFrom('FROM:<a@example.com>', options as never))).toEqual(['ERR_SMTP_INVALID_OPTION', 'options']);
    expect(failure(() => parseRcptTo('TO:<a@example.com>', options as never))).toEqual(['ERR_SMTP_INVALID_OPTION', 'options']);
    expect(failure(() => parsePath('<a@example.com>', options as never))).toEqual(['ERR_SMTP_INVALID_OPTION', 'options']);
    expect(failure(() => xtextDecode('a', options as never))).toEqual(['ERR_SMTP_INVALID_OPTION', 'options']);
    expect(failure(() => new SmtpClientArgs(options as never))).toEqual(['ERR_SMTP_INVALID_OPTION', 'options']);
  });
  it('a list ([] or a non-empty one) is ERR_SMTP_INVALID_OPTION naming options, not the defaults', () => {
    for (const options of [[], ['SIZE'], [{ command: 'mail' }]]) {
      const what = JSON.stringify(options);
      expect(failure(() => parseMailFrom('FROM:<a@example.com>', options as never)), what).toEqual(['ERR_SMTP_INVALID_OPTION', 'options']);
      expect(failure(() => parseRcptTo('TO:<a@example.com>', options as never)), what).toEqual(['ERR_SMTP_INVALID_OPTION', 'options']);
      expect(failure(() => parsePath('<a@example.com>', options as never)), what).toEqual(['ERR_SMTP_INVALID_OPTION', 'options']);
      expect(failure(() => xtextDecode('a', options as never)), what).toEqual(['ERR_SMTP_INVALID_OPTION', 'options']);
      expect(failure(() => new SmtpClientArgs(options as never)), what).toEqual(['ERR_SMTP_INVALID_OPTION', 'options']);
    }
  });
});

describe('checkArgsAgainst context', () => {
  const caps = { has: (k: string) => k === 'SIZE', params: () => ['100'] };
  it.each([Number.NaN, -5, '500', Infinity])('messageSize %j (not a non-negative number) is ERR_SMTP_INVALID_ARGUMENT, not a silent pass', (messageSize) => {
    expect(failure(() => checkArgsAgainst(caps, new SmtpClientArgs({ command: 'mail' }), { messageSize: messageSize as never }))).toEqual([
      'ERR_SMTP_INVALID_ARGUMENT',
      'context.messageSize',
    ]);
  });
  it.each([null, 5])('a context of %j is ERR_SMTP_INVALID_ARGUMENT', (context) => {
    expect(failure(() => checkArgsAgainst(caps, new SmtpClientArgs({ command: 'mail' }), context as never))).toEqual(['ERR_SMTP_INVALID_ARGUMENT', 'context']);
  });
  it('a context that is a list ([] or [500]) is ERR_SMTP_INVALID_ARGUMENT, not an empty context', () => {
    for (const context of [[], [500]]) {
      expect(failure(() => checkArgsAgainst(caps, new SmtpClientArgs({ command: 'mail' }), context as never)), JSON.stringify(context)).toEqual(['ERR_SMTP_INVALID_ARGUMENT', 'context']);
    }
  });
  it('a valid size is still checked', () => {
    expect(checkArgsAgainst(caps, new SmtpClientArgs({ command: 'mail' }), { messageSize: 500 }).map((p) => p.code)).toEqual(['size-exceeded']);
    expect(checkArgsAgainst(caps, new SmtpClientArgs({ command: 'mail' }), { messageSize: 0 })).toEqual([]);
  });
});

describe('readMailParameters / readRcptParameters of something that is not a parameter collection', () => {
  it.each([[[['SIZE', '5']]], [null], [undefined], [5], ['SIZE=5'], [{}]])('%j is ERR_SMTP_INVALID_ARGUMENT naming args', (args) => {
    expect(failure(() => readMailParameters(args as never))).toEqual(['ERR_SMTP_INVALID_ARGUMENT', 'args']);
    expect(failure(() => readRcptParameters(args as never))).toEqual(['ERR_SMTP_INVALID_ARGUMENT', 'args']);
  });
  it('an SmtpClientArgs (or a subclass) is read', () => {
    class Kept extends SmtpClientArgs {}
    for (const args of [new SmtpClientArgs({ command: 'mail' }), new Kept({ command: 'mail' })]) {
      args.set('SIZE', '5');
      expect(readMailParameters(args).size).toBe(5);
      expect(readRcptParameters(args)).toEqual({});
    }
  });
});

describe('checkArgsAgainst / withoutUnadvertised arguments of the wrong type', () => {
  const caps = { has: () => true, params: () => undefined };
  it.each([[null], [undefined], [5], [[5]], [[['BODY', 8]]], [[[8, 'x']]], [[{ 0: 'SIZE', 1: '5' }]]])('args %j is ERR_SMTP_INVALID_ARGUMENT naming args, not a TypeError', (args) => {
    expect(failure(() => checkArgsAgainst(caps, args as never))).toEqual(['ERR_SMTP_INVALID_ARGUMENT', 'args']);
  });
  it.each([[5], ['<a@b>'], [[null]], [[5]]])('context.paths %j is ERR_SMTP_INVALID_ARGUMENT naming context.paths', (paths) => {
    expect(failure(() => checkArgsAgainst(caps, new SmtpClientArgs(), { paths: paths as never }))).toEqual(['ERR_SMTP_INVALID_ARGUMENT', 'context.paths']);
  });
  it.each([[null], [undefined], [[['SIZE', '1']]], [{}]])('withoutUnadvertised(caps, %j) is ERR_SMTP_INVALID_ARGUMENT naming args', (args) => {
    expect(failure(() => withoutUnadvertised(caps, args as never))).toEqual(['ERR_SMTP_INVALID_ARGUMENT', 'args']);
  });
  it('pairs of strings, valueless parameters and a set of paths are still read', () => {
    expect(checkArgsAgainst(caps, [['SIZE', '5'], ['SMTPUTF8', undefined]], { paths: new Set([parsePath('<a@example.com>')]) })).toEqual([]);
  });
});

describe('parseMailFrom / parseRcptTo read a Uint8Array made in another realm', () => {
  it('a Uint8Array that fails instanceof (a vm context, a worker) is still bytes', () => {
    const foreign = (text: string): Uint8Array => runInNewContext('Uint8Array.from(codes)', { codes: [...text].map((c) => c.charCodeAt(0)) }) as Uint8Array;
    expect(foreign('TO:<b@example.com>') instanceof Uint8Array).toBe(false);
    expect(parseMailFrom(foreign('FROM:<a@example.com>')).path).toMatchObject({ kind: 'mailbox', address: 'a@example.com' });
    expect(parseRcptTo(foreign('TO:<b@example.com>')).path).toMatchObject({ kind: 'mailbox', address: 'b@example.com' });
  });
});

describe('values String() cannot convert, from untyped callers', () => {
  const odd: readonly [string, unknown][] = [['a symbol', Symbol('SIZE')], ['an object without a prototype', Object.create(null)]];
  it.each(odd)('has / get / delete / existsAndFetch of %s are ERR_SMTP_INVALID_ARGUMENT naming keyword', (_, k) => {
    const args = new SmtpClientArgs().setSize(5);
    for (const lookup of [() => args.has(k as never), () => args.get(k as never), () => args.delete(k as never), () => args.existsAndFetch(k as never)]) {
      expect(failure(lookup)).toEqual(['ERR_SMTP_INVALID_ARGUMENT', 'keyword']);
    }
    expect(args.get('size')).toBe('5');
  });
  it('a lookup keyword that is not a string is refused, as smtp-capabilities refuses it', () => {
    expect(failure(() => new SmtpClientArgs().has(5 as never))).toEqual(['ERR_SMTP_INVALID_ARGUMENT', 'keyword']);
  });
  it.each(odd)('setNotify with a condition that is %s is ERR_SMTP_INVALID_PARAM naming NOTIFY', (_, c) => {
    expect(failure(() => new SmtpClientArgs({ command: 'rcpt' }).setNotify([c] as never))).toEqual(['ERR_SMTP_INVALID_PARAM', 'NOTIFY']);
  });
  it('an advertised keyword with no text form (an object without a prototype) is ERR_SMTP_INVALID_OPTION naming options.advertised', () => {
    expect(failure(() => parseMailFrom('FROM:<a@example.com> SIZE=5', { advertised: ['SIZE', Object.create(null)] as never }))).toEqual(['ERR_SMTP_INVALID_OPTION', 'options.advertised']);
    expect(failure(() => parseRcptTo('TO:<a@example.com>', { allowedParameters: [Object.create(null)] as never }))).toEqual(['ERR_SMTP_INVALID_OPTION', 'options.allowedParameters']);
  });
  it('capabilities whose params() are not strings do not make checkArgsAgainst throw: the value is not a number', () => {
    for (const params of [[5], [null], [['1000']], null]) {
      const caps = { has: () => true, params: () => params as never };
      expect(checkArgsAgainst(caps, [['SIZE', '2000'], ['BY', '5;R'], ['HOLDFOR', '5']])).toEqual([]);
    }
  });
});

describe('parsePath options.role', () => {
  it.each([['Forward'], ['rcpt'], [null], [5]])('%j is ERR_SMTP_INVALID_OPTION naming options.role, not read as any (which lets <> through)', (role) => {
    expect(failure(() => parsePath('<>', { role: role as never }))).toEqual(['ERR_SMTP_INVALID_OPTION', 'options.role']);
    expect(failure(() => parsePath('<a@example.com>', { role: role as never }))).toEqual(['ERR_SMTP_INVALID_OPTION', 'options.role']);
  });
  it('the three roles, and none, still work', () => {
    expect(failure(() => parsePath('<>', { role: 'forward' }))).toEqual(['ERR_SMTP_NULL_PATH_NOT_ALLOWED', undefined]);
    expect(parsePath('<>', { role: 'reverse' })).toEqual({ kind: 'null' });
    expect(parsePath('<>', { role: 'any' })).toEqual({ kind: 'null' });
    expect(parsePath('<postmaster>', { role: undefined as never })).toEqual({ kind: 'postmaster' });
  });
});

describe('options.parameters: each definition is checked and normalised', () => {
  const full = { keyword: 'XFOO', command: 'mail', extensions: ['X-FOO'], rfc: 'private', value: 'required' } as const;
  it.each([
    ['no command', { keyword: 'XFOO' }],
    ['a command of neither', { ...full, command: 'both' }],
    ['extensions that are not a list', { ...full, extensions: 'X-FOO' }],
    ['an extension that is not a string', { ...full, extensions: [5] }],
    ['an unknown value kind', { ...full, value: 'maybe' }],
    ['a validate that is not a function', { ...full, validate: 5 }],
    ['a keyword that is not an esmtp-keyword', { ...full, keyword: 'X FOO' }],
  ])('%s is ERR_SMTP_INVALID_OPTION naming options.parameters, not a TypeError later', (_, spec) => {
    expect(failure(() => new SmtpClientArgs({ command: 'mail', parameters: [spec as never] }).add('XFOO', '1'))).toEqual(['ERR_SMTP_INVALID_OPTION', 'options.parameters']);
    expect(failure(() => parseMailFrom('FROM:<a@example.com> XFOO=1', { parameters: [spec as never], advertised: ['X-FOO'] }))).toEqual(['ERR_SMTP_INVALID_OPTION', 'options.parameters']);
  });
  it('a keyword and extensions given in lower case work as upper case (they were never matched)', () => {
    const spec = { ...full, keyword: 'xfoo', extensions: ['x-foo'] };
    expect(parseMailFrom('FROM:<a@example.com> XFOO=1', { parameters: [spec] }).args.get('XFOO')).toBe('1');
    expect(parseMailFrom('FROM:<a@example.com> xfoo=1', { parameters: [spec], advertised: ['X-FOO'] }).args.get('XFOO')).toBe('1');
    expect(failure(() => parseMailFrom('FROM:<a@example.com> XFOO=1', { parameters: [spec], advertised: ['SIZE'] }))).toEqual(['ERR_SMTP_PARAM_UNKNOWN', undefined]);
  });
  it('checkArgsAgainst reads a collection\'s own definitions: a private parameter needs its declared extension', () => {
    const args = new SmtpClientArgs({ command: 'mail', parameters: [full] }).set('XFOO', '1');
    expect(checkArgsAgainst({ has: (k) => k === 'X-FOO', params: () => undefined }, args)).toEqual([]);
    expect(checkArgsAgainst({ has: (k) => k === 'XFOO', params: () => undefined }, args).map((p) => p.message)).toEqual(['XFOO needs X-FOO']);
    expect(withoutUnadvertised({ has: () => false, params: () => undefined }, args).size).toBe(0);
  });
});

describe('a typed array where a list is expected', () => {
  /** A Uint8Array whose buffer has been transferred away (detached): iterating it throws a TypeError. */
  function detachedBytes(): Uint8Array {
    const bytes = new Uint8Array(4);
    structuredClone(bytes.buffer, { transfer: [bytes.buffer] });
    return bytes;
  }
  const caps = { has: () => true, params: () => undefined };
  // an empty view is not an empty list, and a detached one cannot be read
  it.each([['an empty Uint8Array', new Uint8Array(0)], ['a detached Uint8Array', detachedBytes()]])('%s is refused with the typed error of any other non-list', (_, bytes) => {
    expect(failure(() => formatMailFrom('<a@example.com>', bytes as never))).toEqual(['ERR_SMTP_INVALID_ARGUMENT', 'args']);
    expect(failure(() => formatRcptTo('<a@example.com>', bytes as never))).toEqual(['ERR_SMTP_INVALID_ARGUMENT', 'args']);
    expect(failure(() => checkArgsAgainst(caps, bytes as never))).toEqual(['ERR_SMTP_INVALID_ARGUMENT', 'args']);
    expect(failure(() => checkArgsAgainst(caps, new SmtpClientArgs(), { paths: bytes as never }))).toEqual(['ERR_SMTP_INVALID_ARGUMENT', 'context.paths']);
    expect(failure(() => new SmtpClientArgs({ command: 'rcpt' }).setNotify(bytes as never))).toEqual(['ERR_SMTP_INVALID_PARAM', 'NOTIFY']);
  });
});
