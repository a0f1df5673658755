import { describe, expect, it } from 'vitest';
import { isClientArgsError, parseMailFrom, parseRcptTo, type ParseOptions } from 'smtp-client-args';
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
