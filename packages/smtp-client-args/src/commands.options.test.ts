import { describe, expect, it } from 'vitest';
import { SmtpClientArgs, isClientArgsError, parseMailFrom, parseRcptTo, type ParameterSpec, type ParseOptions } from 'smtp-client-args';
import { errorCodeOf } from '@smtpkit/testkit';

// Parses reuse what they derive from their options: by the options object (while its fields are the
// same values) and by content (a server that builds an equal options object per command). These
// tests check that each parse still follows its own options, whatever was parsed before it.

type Outcome = string;

const canon = (o: object): string => JSON.stringify(o, Object.keys(o).sort());
/** The outcome of a MAIL that parses, with these typed parameters besides the defaults. */
const ok = (p: object = {}): Outcome => `ok ${canon({ smtpUtf8: false, requireTls: false, ...p })}`;

/** The parse's outcome: `ok` and the typed parameters, or the typed error's code. */
function outcome(parse: () => string): Outcome {
  let out = '';
  return errorCodeOf(() => (out = parse()), isClientArgsError) ?? out;
}

const mail = (input: string, options: ParseOptions): Outcome => outcome(() => `ok ${canon(parseMailFrom(input, options).parameters)}`);
const rcpt = (input: string, options: ParseOptions): Outcome => outcome(() => (parseRcptTo(input, options), 'ok'));

/** Options (made afresh by `make`) and a command whose outcome depends on them. */
interface Case {
  readonly name: string;
  readonly make: () => ParseOptions;
  readonly run: (options: ParseOptions) => Outcome;
  readonly expected: Outcome;
}

const from = (params: string) => (o: ParseOptions) => mail(`FROM:<a@example.com>${params}`, o);
const UNKNOWN = 'ERR_SMTP_PARAM_UNKNOWN';

// Neighbours whose contents differ by as little as possible: a content key that loses a list's
// boundaries, its tag, a limit's value or a field would make one reuse another's derivation.
const CASES: readonly Case[] = [
  { name: 'advertised SIZE', make: () => ({ advertised: ['SIZE'] }), run: from(' SIZE=10'), expected: ok({ size: 10 }) },
  { name: 'advertised SIZ and E', make: () => ({ advertised: ['SIZ', 'E'] }), run: from(' SIZE=10'), expected: UNKNOWN },
  { name: 'advertised 8BITMIME', make: () => ({ advertised: ['8BITMIME'] }), run: from(' SIZE=10'), expected: UNKNOWN },
  { name: 'allowed AB and C', make: () => ({ allowedParameters: ['AB', 'C'] }), run: from(' AB'), expected: ok() },
  { name: 'allowed A and BC', make: () => ({ allowedParameters: ['A', 'BC'] }), run: from(' AB'), expected: UNKNOWN },
  { name: 'allowed ABC', make: () => ({ allowedParameters: ['ABC'] }), run: from(' AB'), expected: UNKNOWN },
  { name: 'advertised XAB (not an allowance)', make: () => ({ advertised: ['XAB'] }), run: from(' XAB'), expected: UNKNOWN },
  { name: 'allowed XAB', make: () => ({ allowedParameters: ['XAB'] }), run: from(' XAB'), expected: ok() },
  { name: 'allowed XAB, lower case', make: () => ({ allowedParameters: new Set(['xab']) }), run: from(' XAB'), expected: ok() },
  { name: 'body values 8BITMIME', make: () => ({ bodyValues: ['8BITMIME'] }), run: from(' BODY=8BITMIME'), expected: ok({ body: '8BITMIME' }) },
  { name: 'body values 7BIT', make: () => ({ bodyValues: ['7BIT'] }), run: from(' BODY=8BITMIME'), expected: UNKNOWN },
  { name: 'advertised 8BITMIME, body derived', make: () => ({ advertised: ['8BITMIME'] }), run: from(' BODY=8BITMIME'), expected: ok({ body: '8BITMIME' }) },
  { name: 'advertised SIZE, body derived', make: () => ({ advertised: ['SIZE'] }), run: from(' BODY=8BITMIME'), expected: UNKNOWN },
  { name: 'no options', make: () => ({}), run: from(' BODY=8BITMIME'), expected: ok({ body: '8BITMIME' }) },
  { name: 'message size 5', make: () => ({ limits: { messageSize: 5 } }), run: from(' SIZE=10'), expected: 'ERR_SMTP_SIZE_EXCEEDED' },
  { name: 'message size 50', make: () => ({ limits: { messageSize: 50 } }), run: from(' SIZE=10'), expected: ok({ size: 10 }) },
  { name: 'one parameter at most', make: () => ({ limits: { parameters: 1 } }), run: from(' SIZE=10 BODY=7BIT'), expected: 'ERR_SMTP_TOO_MANY_PARAMS' },
  { name: 'two parameters at most', make: () => ({ limits: { parameters: 2 } }), run: from(' SIZE=10 BODY=7BIT'), expected: ok({ size: 10, body: '7BIT' }) },
  { name: 'local part of 3', make: () => ({ limits: { localPart: 3 } }), run: (o) => rcpt('TO:<abcd@example.com>', o), expected: 'ERR_SMTP_PATH_TOO_LONG' },
  { name: 'local part of 4', make: () => ({ limits: { localPart: 4 } }), run: (o) => rcpt('TO:<abcd@example.com>', o), expected: 'ok' },
  { name: 'domain of 10', make: () => ({ limits: { domain: 10 } }), run: (o) => rcpt('TO:<a@example.com>', o), expected: 'ERR_SMTP_PATH_TOO_LONG' },
  { name: 'domain of 11', make: () => ({ limits: { domain: 11 } }), run: (o) => rcpt('TO:<a@example.com>', o), expected: 'ok' },
  { name: 'path of 14', make: () => ({ limits: { path: 14 } }), run: (o) => rcpt('TO:<a@example.com>', o), expected: 'ERR_SMTP_PATH_TOO_LONG' },
  { name: 'path of 15', make: () => ({ limits: { path: 15 } }), run: (o) => rcpt('TO:<a@example.com>', o), expected: 'ok' },
  {
    name: 'a custom parameter definition',
    make: () => ({ parameters: [{ keyword: 'XPRIO', command: 'mail', extensions: ['XPRIO'], rfc: 'private', value: 'required' }], advertised: ['XPRIO'] }),
    run: from(' XPRIO=1'),
    expected: ok(),
  },
  { name: 'advertised as a generator', make: () => ({ advertised: (function* () { yield 'SIZE'; })() }), run: from(' SIZE=10'), expected: ok({ size: 10 }) },
];

describe('parse options are followed whatever was parsed before', () => {
  it('each case alone gives its outcome', () => {
    for (const c of CASES) expect(c.run(c.make()), c.name).toBe(c.expected);
  });

  it('fresh option objects of neighbouring contents, forwards, backwards and twice over', () => {
    for (const order of [CASES, [...CASES].reverse(), [...CASES, ...CASES]]) {
      for (const c of order) expect(c.run(c.make()), c.name).toBe(c.expected);
    }
  });

  it('the same option objects again, in another order', () => {
    const made = CASES.map((c) => ({ c, o: c.make() }));
    for (const { c, o } of made) expect(c.run(o), c.name).toBe(c.expected);
    for (const { c, o } of [...made].reverse()) if (!c.name.includes('generator')) expect(c.run(o), c.name).toBe(c.expected);
  });

  it('a field given a new value on the same object is followed', () => {
    const o: { -readonly [K in keyof ParseOptions]: ParseOptions[K] } = { advertised: ['SIZE'] };
    expect(from(' SIZE=10')(o)).toMatch(/^ok/);
    o.advertised = ['8BITMIME'];
    expect(from(' SIZE=10')(o)).toBe(UNKNOWN);
    o.allowedParameters = ['SIZE'];
    expect(from(' SIZE=10')(o)).toMatch(/^ok/);
    o.limits = { messageSize: 5 };
    expect(from(' SIZE=10')(o)).toBe('ERR_SMTP_SIZE_EXCEEDED');
    o.bodyValues = ['7BIT'];
    expect(from(' BODY=8BITMIME')(o)).toBe(UNKNOWN);
    o.bodyValues = ['8BITMIME'];
    expect(from(' BODY=8BITMIME')(o)).toMatch(/^ok/);
    o.parameters = [{ keyword: 'XPRIO', command: 'mail', extensions: ['XPRIO'], rfc: 'private', value: 'required' }];
    expect(from(' XPRIO=1')(o)).toBe(UNKNOWN);
    o.advertised = ['XPRIO'];
    expect(from(' XPRIO=1')(o)).toMatch(/^ok/);
  });

  it('many different contents (more than the content cache holds) each keep their own limits', () => {
    for (let round = 0; round < 2; round++) {
      for (let n = 1; n <= 80; n++) {
        const o: ParseOptions = { limits: { localPart: n } };
        expect(rcpt(`TO:<${'x'.repeat(40)}@example.com>`, o), `localPart ${n}`).toBe(n >= 40 ? 'ok' : 'ERR_SMTP_PATH_TOO_LONG');
      }
    }
  });
});

/** `items` behind a proxy that counts how often the list is iterated (a derivation reads it once more). */
function counted(items: string[]): { readonly list: string[]; readonly reads: () => number } {
  let n = 0;
  const list = new Proxy(items, {
    get(target, key, receiver) {
      if (key === Symbol.iterator) n++;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { list, reads: () => n };
}

describe('what a parse derives from its options is reused', () => {
  it('a fresh options object with a content seen before is keyed, not derived again; the same object is neither', () => {
    const first = counted(['SIZE', 'XREUSEA']);
    expect(from(' SIZE=10')({ advertised: first.list })).toBe(ok({ size: 10 }));
    expect(first.reads()).toBe(2); // the content key, then the derivation
    const second = counted(['size', 'xreusea']); // the same content in another case
    const o: ParseOptions = { advertised: second.list, limits: {} };
    expect(from(' SIZE=10')(o)).toBe(ok({ size: 10 }));
    expect(second.reads()).toBe(1); // the content key only
    expect(from(' SIZE=10')(o)).toBe(ok({ size: 10 }));
    expect(second.reads()).toBe(1); // nothing: the object itself was seen
  });

  it('each keyed field takes part in the content', () => {
    const base = counted(['XREUSEB']);
    expect(from(' XREUSEB')({ allowedParameters: base.list, bodyValues: ['7BIT'], limits: { messageSize: 100 } })).toBe(ok());
    const again = counted(['XREUSEB']);
    expect(from(' XREUSEB')({ allowedParameters: again.list, bodyValues: ['7BIT'], limits: { messageSize: 100 } })).toBe(ok());
    expect(again.reads()).toBe(1);
    const otherBody = counted(['XREUSEB']);
    expect(from(' XREUSEB')({ allowedParameters: otherBody.list, bodyValues: ['8BITMIME'], limits: { messageSize: 100 } })).toBe(ok());
    expect(otherBody.reads()).toBe(2);
    const otherLimit = counted(['XREUSEB']);
    expect(from(' XREUSEB')({ allowedParameters: otherLimit.list, bodyValues: ['7BIT'], limits: { messageSize: 101 } })).toBe(ok());
    expect(otherLimit.reads()).toBe(2);
    const emptyParameters = counted(['XREUSEB']);
    expect(from(' XREUSEB')({ allowedParameters: emptyParameters.list, bodyValues: ['7BIT'], limits: { messageSize: 100 }, parameters: [] })).toBe(ok());
    expect(emptyParameters.reads()).toBe(1); // no definitions is the built-in table
  });

  it('options with their own parameter definitions are derived each time', () => {
    const spec = { keyword: 'XREUSEC', command: 'mail', extensions: ['XREUSEC'], rfc: 'private', value: 'none' } as const;
    for (let round = 0; round < 2; round++) {
      const adv = counted(['XREUSEC']);
      expect(from(' XREUSEC')({ advertised: adv.list, parameters: [spec] })).toBe(ok());
      expect(adv.reads()).toBe(1); // derived, never keyed
      expect(from(' XREUSEC')({ advertised: ['XREUSEC'] })).toBe(UNKNOWN); // without the definition
    }
  });
});

describe('the reuse stays correct and bounded', () => {
  it('a set is keyed like an array', () => {
    let n = 0;
    class CountingSet extends Set<string> {
      override [Symbol.iterator](): SetIterator<string> {
        n++;
        return super[Symbol.iterator]();
      }
    }
    // the content key, the derivation, and the snapshot a later parse with this object compares with
    expect(from(' XREUSED')({ allowedParameters: new CountingSet(['XREUSED']) })).toBe(ok());
    expect(n).toBe(3);
    // the content key (then the derivation is reused), and the snapshot
    expect(from(' XREUSED')({ allowedParameters: new CountingSet(['XREUSED']) })).toBe(ok());
    expect(n).toBe(5);
  });

  it('contents seen in turn are each kept', () => {
    const a = counted(['XREUSEE']);
    expect(from(' XREUSEE')({ allowedParameters: a.list })).toBe(ok());
    expect(from(' XREUSEF')({ allowedParameters: ['XREUSEF'] })).toBe(ok());
    const again = counted(['XREUSEE']);
    expect(from(' XREUSEE')({ allowedParameters: again.list })).toBe(ok());
    expect(again.reads()).toBe(1);
  });

  it('the store of contents is bounded: after many others, a content is derived again', () => {
    expect(from(' XREUSEG')({ allowedParameters: ['XREUSEG'] })).toBe(ok());
    for (let n = 0; n < 40; n++) expect(from(' XREUSEG')({ allowedParameters: ['XREUSEG'], limits: { messageSize: n } })).toBe(ok());
    const again = counted(['XREUSEG']);
    expect(from(' XREUSEG')({ allowedParameters: again.list })).toBe(ok());
    expect(again.reads()).toBe(2);
  });

  it('new parameter definitions on the same object are followed before the list that uses them changes', () => {
    const o: { -readonly [K in keyof ParseOptions]: ParseOptions[K] } = { advertised: ['XPRIO'] };
    expect(from(' XPRIO=1')(o)).toBe(UNKNOWN);
    o.parameters = [{ keyword: 'XPRIO', command: 'mail', extensions: ['XPRIO'], rfc: 'private', value: 'required' }];
    expect(from(' XPRIO=1')(o)).toBe(ok());
    delete o.parameters;
    expect(from(' XPRIO=1')(o)).toBe(UNKNOWN);
  });
});

describe('contents that differ only in which list is empty or missing, or which limit is set, stay apart', () => {
  // An empty list and a missing one mean different things, and so does the same number on another limit.
  const PAIRS: readonly Case[] = [
    { name: 'no parameter allowed', make: () => ({ allowedParameters: [] }), run: from(' SIZE=10'), expected: UNKNOWN },
    { name: 'no body value accepted', make: () => ({ bodyValues: [] }), run: from(' SIZE=10'), expected: ok({ size: 10 }) },
    { name: 'no body value accepted, BODY given', make: () => ({ bodyValues: [] }), run: from(' BODY=7BIT'), expected: UNKNOWN },
    { name: 'nothing advertised', make: () => ({ advertised: [] }), run: from(' BODY=7BIT'), expected: UNKNOWN },
    { name: 'nothing advertised, one allowed', make: () => ({ advertised: [], allowedParameters: ['BODY'] }), run: from(' BODY=8BITMIME'), expected: UNKNOWN },
    { name: 'nothing advertised, one allowed, its base value', make: () => ({ advertised: [], allowedParameters: ['BODY'] }), run: from(' BODY=7BIT'), expected: ok({ body: '7BIT' }) },
    { name: 'one advertised, nothing allowed', make: () => ({ advertised: ['8BITMIME'], allowedParameters: [] }), run: from(' BODY=8BITMIME'), expected: ok({ body: '8BITMIME' }) },
    { name: 'local part of 3', make: () => ({ limits: { localPart: 3 } }), run: (o) => rcpt('TO:<abcd@ex.example>', o), expected: 'ERR_SMTP_PATH_TOO_LONG' },
    { name: 'domain of 3', make: () => ({ limits: { domain: 3 } }), run: (o) => rcpt('TO:<abcd@ex.example>', o), expected: 'ERR_SMTP_PATH_TOO_LONG' },
    { name: 'local part of 3, domain unlimited', make: () => ({ limits: { localPart: 3 } }), run: (o) => rcpt('TO:<abc@ex.example>', o), expected: 'ok' },
    { name: 'domain of 3, local part unlimited', make: () => ({ limits: { domain: 3 } }), run: (o) => rcpt('TO:<abc@ex.example>', o), expected: 'ERR_SMTP_PATH_TOO_LONG' },
    { name: 'path of 3', make: () => ({ limits: { path: 3 } }), run: (o) => rcpt('TO:<a@b>', o), expected: 'ERR_SMTP_PATH_TOO_LONG' },
    { name: 'parameters 3', make: () => ({ limits: { parameters: 3 } }), run: from(' SIZE=1 BODY=7BIT RET=FULL ENVID=x'), expected: 'ERR_SMTP_TOO_MANY_PARAMS' },
    { name: 'parameters 4', make: () => ({ limits: { parameters: 4 } }), run: from(' SIZE=1 BODY=7BIT RET=FULL ENVID=x'), expected: ok({ size: 1, body: '7BIT', ret: 'FULL', envid: 'x' }) },
    { name: 'message size 3', make: () => ({ limits: { messageSize: 3 } }), run: from(' SIZE=4'), expected: 'ERR_SMTP_SIZE_EXCEEDED' },
    { name: 'message size 0', make: () => ({ limits: { messageSize: 0 } }), run: from(' SIZE=4'), expected: 'ERR_SMTP_SIZE_EXCEEDED' },
    { name: 'no limits', make: () => ({ limits: {} }), run: from(' SIZE=4'), expected: ok({ size: 4 }) },
  ];

  it('in any order', () => {
    for (const order of [PAIRS, [...PAIRS].reverse(), [...PAIRS, ...PAIRS]]) {
      for (const c of order) expect(c.run(c.make()), c.name).toBe(c.expected);
    }
  });
});

describe('options that are not valid stay refused whatever was parsed before', () => {
  const BAD: readonly [string, unknown][] = [
    ['options.limits', 5],
    ['options.limits', null],
    ['options.limits', 'x'],
    // a list is no limits object: it had the content key of no limits, so it was read as the defaults
    ['options.limits', []],
    ['options.limits', [64, 255]],
    ['options.limits.localPart', { localPart: '64' }],
    ['options.limits.domain', { domain: 0 }],
    ['options.limits.path', { path: 1.5 }],
    ['options.limits.parameters', { parameters: Number.NaN }],
    ['options.limits.messageSize', { messageSize: '5' }],
    ['options.limits.messageSize', { messageSize: -1 }],
  ];

  it('after valid options of the nearest content, each bad one is a typed error naming the option', () => {
    for (let round = 0; round < 2; round++) {
      for (const [argument, limits] of BAD) {
        expect(from('')({}), 'valid, no limits').toBe(ok());
        expect(from('')({ limits: { localPart: 64, domain: 255, path: 256, parameters: 32, messageSize: 5 } }), 'valid, every limit').toBe(ok());
        let thrown: unknown;
        try {
          parseMailFrom('FROM:<a@example.com>', { limits: limits as NonNullable<ParseOptions['limits']> });
        } catch (e) {
          thrown = e;
        }
        expect(isClientArgsError(thrown), `${argument} ${JSON.stringify(limits)}`).toBe(true);
        expect(thrown).toMatchObject({ code: 'ERR_SMTP_INVALID_OPTION', argument });
      }
    }
  });
});

describe('keyword list options that are not lists of strings', () => {
  const BAD: readonly (readonly ['advertised' | 'bodyValues' | 'allowedParameters', unknown])[] = [
    ['advertised', 5],
    ['advertised', 'SIZE'],
    ['advertised', null],
    ['advertised', { SIZE: true }],
    ['bodyValues', '8BITMIME'],
    ['allowedParameters', 42],
    ['allowedParameters', { [Symbol.iterator]: () => 1 }],
  ];

  it.each(BAD)('options.%s = %o (not a list) is a typed error naming the option, never a TypeError', (name, value) => {
    for (const parse of [() => parseMailFrom('FROM:<a@example.com>', { [name]: value }), () => parseRcptTo('TO:<b@example.com>', { [name]: value })]) {
      let thrown: unknown;
      try {
        parse();
      } catch (e) {
        thrown = e;
      }
      expect(isClientArgsError(thrown)).toBe(true);
      expect(thrown).toMatchObject({ code: 'ERR_SMTP_INVALID_OPTION', argument: `options.${name}` });
    }
  });

  it('any iterable of strings is taken, a one-shot generator included', () => {
    function* keywords(): Generator<string> {
      yield 'size';
      yield '8bitmime';
    }
    expect(mail('FROM:<a@example.com> SIZE=10 BODY=8BITMIME', { advertised: keywords() })).toBe(ok({ size: 10, body: '8BITMIME' }));
    expect(mail('FROM:<a@example.com> SIZE=10', { advertised: new Set(['SIZE']) })).toBe(ok({ size: 10 }));
  });
});

describe('an options object changed in place is followed (its lists and limits are compared with what was derived)', () => {
  it('advertised.push(DSN): RET=FULL is then accepted; emptied: SIZE is then refused', () => {
    const opts = { advertised: ['SIZE', '8BITMIME'], limits: { messageSize: 1000 } };
    expect(from(' RET=FULL')(opts)).toBe(UNKNOWN);
    opts.advertised.push('DSN');
    expect(from(' RET=FULL')(opts)).toBe(ok({ ret: 'FULL' }));
    opts.advertised.length = 0;
    expect(from(' SIZE=1')(opts)).toBe(UNKNOWN);
  });

  it('an item replaced in a list of the same length', () => {
    const opts = { advertised: ['8BITMIME'], allowedParameters: ['XA'], bodyValues: ['7BIT'] };
    expect(from(' XA BODY=7BIT')(opts)).toBe(ok({ body: '7BIT' }));
    opts.allowedParameters[0] = 'XB';
    expect(from(' XA')(opts)).toBe(UNKNOWN);
    expect(from(' XB')(opts)).toBe(ok());
    opts.bodyValues[0] = '8BITMIME';
    expect(from(' BODY=7BIT')(opts)).toBe(UNKNOWN);
    expect(from(' BODY=8BITMIME')(opts)).toBe(ok({ body: '8BITMIME' }));
    opts.advertised[0] = 'DSN';
    expect(from(' BODY=8BITMIME')(opts)).toBe(UNKNOWN);
    expect(from(' RET=FULL')(opts)).toBe(ok({ ret: 'FULL' }));
  });

  it('a list changed and then frozen; a frozen list (which cannot change) read again', () => {
    const advertised = ['SIZE'];
    const opts: ParseOptions = { advertised };
    expect(from(' RET=FULL')(opts)).toBe(UNKNOWN);
    advertised.push('DSN');
    Object.freeze(advertised);
    expect(from(' RET=FULL')(opts)).toBe(ok({ ret: 'FULL' }));
    expect(from(' RET=HDRS')(opts)).toBe(ok({ ret: 'HDRS' }));
  });

  it('a set that gains or loses an item', () => {
    const allowed = new Set(['XA']);
    const opts: ParseOptions = { allowedParameters: allowed };
    expect(from(' XB')(opts)).toBe(UNKNOWN);
    allowed.add('XB');
    expect(from(' XB')(opts)).toBe(ok());
    allowed.delete('XB');
    expect(from(' XB')(opts)).toBe(UNKNOWN);
  });

  it('limits.messageSize lowered from 10000 to 100 (and raised back); the other limits too', () => {
    const opts = { limits: { messageSize: 10_000, localPart: 64, parameters: 32 } as { messageSize: number; localPart: number; parameters?: number } };
    expect(from(' SIZE=500')(opts)).toBe(ok({ size: 500 }));
    opts.limits.messageSize = 100;
    expect(from(' SIZE=500')(opts)).toBe('ERR_SMTP_SIZE_EXCEEDED');
    opts.limits.messageSize = 10_000;
    expect(from(' SIZE=500')(opts)).toBe(ok({ size: 500 }));
    opts.limits.localPart = 3;
    expect(rcpt('TO:<abcd@example.com>', opts)).toBe('ERR_SMTP_PATH_TOO_LONG');
    opts.limits.parameters = 1;
    expect(from(' SIZE=1 BODY=7BIT')(opts)).toBe('ERR_SMTP_TOO_MANY_PARAMS');
    delete opts.limits.parameters;
    expect(from(' SIZE=1 BODY=7BIT')(opts)).toBe(ok({ size: 1, body: '7BIT' }));
  });

  it('frozen lists and limits (which cannot change) are followed as given; limits changed, then frozen', () => {
    const opts: ParseOptions = { advertised: Object.freeze(['SIZE']), allowedParameters: Object.freeze(['XA']), limits: Object.freeze({ messageSize: 100 }) };
    for (let round = 0; round < 2; round++) {
      expect(from(' SIZE=100 XA')(opts)).toBe(ok({ size: 100 }));
      expect(from(' SIZE=101')(opts)).toBe('ERR_SMTP_SIZE_EXCEEDED');
    }
    const limits = { messageSize: 100 };
    const later: ParseOptions = { limits };
    expect(from(' SIZE=500')(later)).toBe('ERR_SMTP_SIZE_EXCEEDED');
    limits.messageSize = 1000;
    Object.freeze(limits);
    expect(from(' SIZE=500')(later)).toBe(ok({ size: 500 }));
  });

  it('a parameter definition added to the same list', () => {
    const parameters: ParameterSpec[] = [];
    const opts: ParseOptions = { allowedParameters: ['XPRIO', 'XOTHER'], parameters };
    expect(from(' XPRIO')(opts)).toBe(ok());
    parameters.push({ keyword: 'XPRIO', command: 'mail', extensions: ['XPRIO'], rfc: 'private', value: 'required' });
    expect(from(' XPRIO')(opts)).toBe('ERR_SMTP_PARAM_VALUE');
  });

  it('a parameter definition replaced in or removed from the same list', () => {
    const parameters: ParameterSpec[] = [{ keyword: 'XPRIO', command: 'mail', extensions: ['XPRIO'], rfc: 'private', value: 'required' }];
    const opts: ParseOptions = { allowedParameters: ['XPRIO'], parameters };
    expect(from(' XPRIO')(opts)).toBe('ERR_SMTP_PARAM_VALUE');
    // the same list in fresh options objects (a server's per session)
    expect(from(' XPRIO')({ ...opts })).toBe('ERR_SMTP_PARAM_VALUE');
    parameters[0] = { ...parameters[0]!, value: 'none' };
    expect(from(' XPRIO')(opts)).toBe(ok());
    expect(from(' XPRIO')({ ...opts })).toBe(ok());
    expect(from(' XPRIO=1')({ ...opts })).toBe('ERR_SMTP_PARAM_VALUE');
    parameters.pop();
    expect(from(' XPRIO=1')(opts)).toBe(ok());
    expect(from(' XPRIO=1')({ ...opts })).toBe(ok());
  });

  it('a parameter definition list made invalid in place throws, as a new one would', () => {
    const parameters: unknown[] = [{ keyword: 'XPRIO', command: 'mail', extensions: ['XPRIO'], rfc: 'private', value: 'none' }];
    const opts = { allowedParameters: ['XPRIO'], parameters } as ParseOptions;
    expect(from(' XPRIO')(opts)).toBe(ok());
    parameters.push({ keyword: 'XB', command: 'data', extensions: [], rfc: 'private', value: 'none' });
    expect(from(' XPRIO')(opts)).toBe('ERR_SMTP_INVALID_OPTION');
    expect(from(' XPRIO')({ ...opts })).toBe('ERR_SMTP_INVALID_OPTION');
    parameters.pop();
    expect(from(' XPRIO')({ ...opts })).toBe(ok());
  });

  // Each parse with definitions merged them with the built-in table three times (the options'
  // derivation, the value check, the collection it returns), for options objects made afresh
  // around one list (a server's per session) as for the same object; then the collection it
  // returns still merged them again for each parse.
  it('one list of definitions is merged once while it holds the same items, however many options objects carry it, the collections parses return included', () => {
    let reads = 0;
    const spec = {
      get keyword(): string {
        reads++;
        return 'XPRIO';
      },
      command: 'mail',
      extensions: ['XPRIO'],
      rfc: 'private',
      value: 'required',
    } as const satisfies ParameterSpec;
    const parameters: ParameterSpec[] = [spec];
    // what the collection a parse returns reads itself (it holds the definitions)
    new SmtpClientArgs({ parameters });
    const perCollection = reads;
    expect(perCollection).toBeGreaterThan(0);
    // the first parse merges the list for its derivation, and its collection takes that table
    expect(from(' XPRIO=1')({ allowedParameters: ['XPRIO'], parameters })).toBe(ok());
    expect(reads).toBe(2 * perCollection);
    for (const frozen of [false, true]) {
      const list = frozen ? Object.freeze([spec]) : parameters;
      if (frozen) expect(from(' XPRIO=1')({ parameters: list })).toBe(ok());
      const before = reads;
      for (let n = 0; n < 3; n++) {
        expect(from(' XPRIO=1')({ allowedParameters: ['XPRIO'], parameters: list })).toBe(ok());
        expect(from(' XPRIO')({ allowedParameters: ['XPRIO'], parameters: list })).toBe('ERR_SMTP_PARAM_VALUE');
        expect(rcpt('TO:<b@example.com>', { parameters: list })).toBe('ok');
      }
      // not even the collections of the 6 parses that got that far
      expect(reads - before, frozen ? 'a frozen list' : 'a list').toBe(0);
    }
    // changed in place: merged again
    const before = reads;
    parameters.push({ keyword: 'XOTHER', command: 'rcpt', extensions: ['XOTHER'], rfc: 'private', value: 'none' });
    expect(from(' XPRIO=1')({ allowedParameters: ['XPRIO'], parameters })).toBe(ok());
    expect(reads - before).toBe(perCollection);
    // and a collection a parse returns holds the new definition (XOTHER belongs to RCPT)
    expect(parseMailFrom('MAIL FROM:<a@example.com>', { parameters }).args.add('XOTHER')).toMatchObject({ ok: false, reason: 'wrong-command' });
    expect(reads - before).toBe(perCollection);
  });

  it('a list that cannot be read twice (a generator) is read once per options object, as before', () => {
    function* once(): Generator<string> {
      yield 'SIZE';
    }
    const opts: ParseOptions = { advertised: once() };
    expect(from(' SIZE=1')(opts)).toBe(ok({ size: 1 }));
    expect(from(' SIZE=1')(opts)).toBe(ok({ size: 1 }));
  });
});
