// Keyword lists and other arguments of the wrong type, through the public entry: each is a typed
// CapabilitiesError with a stable code, never an untyped TypeError, and never a lone string read as
// a list of its letters.
import { describe, expect, test } from 'vitest';
import { thrownValue } from '@smtpkit/testkit';
import {
  Capabilities,
  ExtensionRegistry,
  defaultExtensionRegistry,
  formatEhloReply,
  isCapabilitiesError,
  parseEhloReply,
  parseEhloReplyText,
  type SessionSettings,
} from 'smtp-capabilities';

function codeOf(fn: () => unknown): string {
  const e = thrownValue(fn);
  return isCapabilitiesError(e) ? e.code : `untyped ${String(e)}`;
}

const reply = { code: 250, lines: ['mx.example.com hi', 'PIPELINING', 'SIZE 1000', 'VRFY'] };
const NOT_LISTS: readonly [string, unknown][] = [
  ['a lone string', 'PIPELINING'],
  ['a number', 5],
  ['null', null],
  ['a plain object', { PIPELINING: true }],
  ['a list holding a number', ['PIPELINING', 5]],
  // a byte view is no list: an empty one is not an empty list, a detached one throws when iterated
  ['an empty Uint8Array', new Uint8Array(0)],
  ['a detached Uint8Array', detachedBytes()],
];

/** A Uint8Array whose buffer has been transferred away (detached): iterating it throws a TypeError. */
function detachedBytes(): Uint8Array {
  const bytes = new Uint8Array(4);
  structuredClone(bytes.buffer, { transfer: [bytes.buffer] });
  return bytes;
}

describe('keyword lists that are not lists of strings', () => {
  test.each(NOT_LISTS)('parseEhloReply discard: %s is ERR_SMTP_INVALID_OPTION', (_, discard) => {
    expect(codeOf(() => parseEhloReply(reply, { discard: discard as never }))).toBe('ERR_SMTP_INVALID_OPTION');
    expect(codeOf(() => parseEhloReplyText('250 mx\r\n', { discard: discard as never }))).toBe('ERR_SMTP_INVALID_OPTION');
  });
  test.each(NOT_LISTS)('Capabilities.without(%s) is ERR_SMTP_INVALID_ARGUMENT', (_, keywords) => {
    expect(codeOf(() => parseEhloReply(reply).without(keywords as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
  });
  test.each(NOT_LISTS)('Capabilities.from keywords: %s is ERR_SMTP_INVALID_ARGUMENT', (_, keywords) => {
    expect(codeOf(() => Capabilities.from({ keywords: keywords as never }))).toBe('ERR_SMTP_INVALID_ARGUMENT');
  });
  test.each(NOT_LISTS)('formatEhloReply keywords: %s is ERR_SMTP_EHLO_INVALID_KEYWORD', (_, keywords) => {
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: keywords as never }))).toBe('ERR_SMTP_EHLO_INVALID_KEYWORD');
  });
  test.each(NOT_LISTS)('a keyword object whose params are %s is ERR_SMTP_EHLO_INVALID_PARAM or, in from(), ERR_SMTP_INVALID_ARGUMENT', (_, params) => {
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: [{ keyword: 'AUTH', params: params as never }] }))).toBe('ERR_SMTP_EHLO_INVALID_PARAM');
    expect(codeOf(() => Capabilities.from({ keywords: [{ keyword: 'AUTH', params: params as never }] }))).toBe('ERR_SMTP_INVALID_ARGUMENT');
  });
  test.each(NOT_LISTS)('session enable / hide: %s is ERR_SMTP_INVALID_OPTION', (_, list) => {
    const registry = defaultExtensionRegistry();
    expect(codeOf(() => registry.advertise({ enable: list as never }))).toBe('ERR_SMTP_INVALID_OPTION');
    expect(codeOf(() => registry.advertise({ hide: list as never }))).toBe('ERR_SMTP_INVALID_OPTION');
  });
  test.each(NOT_LISTS)('session authMechanisms / xclient / xforward / burl / noSoliciting: %s is ERR_SMTP_INVALID_OPTION', (_, list) => {
    const registry = defaultExtensionRegistry();
    for (const field of ['authMechanisms', 'xclient', 'xforward', 'burl', 'noSoliciting'] as const) {
      const session: SessionSettings = { tls: true, [field]: list as never };
      expect([field, codeOf(() => registry.advertise(session))]).toEqual([field, 'ERR_SMTP_INVALID_OPTION']);
    }
  });
  test.each(NOT_LISTS)('registry.mailParameters / rcptParameters(%s) is ERR_SMTP_INVALID_ARGUMENT', (_, source) => {
    const registry = defaultExtensionRegistry();
    expect(codeOf(() => registry.mailParameters(source as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
    expect(codeOf(() => registry.rcptParameters(source as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
  });
  test.each([[['VRFY']], [5], [null]])('registry.hide / unhide with %j (not a keyword) is ERR_SMTP_INVALID_ARGUMENT', (k) => {
    expect(codeOf(() => defaultExtensionRegistry().hide(k as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
    expect(codeOf(() => defaultExtensionRegistry().unhide(k as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
  });
  test.each(NOT_LISTS.slice(-2))('new ExtensionRegistry(%s) is ERR_SMTP_INVALID_ARGUMENT', (_, definitions) => {
    expect(codeOf(() => new ExtensionRegistry(definitions as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
  });
  test.each([['a lone string', 'ABC'], ['a number', 5]])('register mailParams / rcptParams / verbs: %s is ERR_SMTP_EXTENSION_INVALID', (_, v) => {
    for (const field of ['mailParams', 'rcptParams', 'verbs'] as const) {
      expect(codeOf(() => new ExtensionRegistry().register({ keyword: 'X-A', [field]: v as never }))).toBe('ERR_SMTP_EXTENSION_INVALID');
    }
  });
  test('the lists are read once: a one-shot generator, a set or an array all work', () => {
    function* once(...k: string[]): Generator<string> {
      yield* k;
    }
    expect(parseEhloReply(reply, { discard: once('pipelining', 'vrfy') }).keywords).toEqual(['SIZE']);
    expect(parseEhloReply(reply).without(once('size')).keywords).toEqual(['PIPELINING', 'VRFY']);
    expect(defaultExtensionRegistry().advertise({ enable: once('vrfy'), hide: new Set(['pipelining']) })).toContain('VRFY');
    expect(defaultExtensionRegistry().advertise({ hide: once('pipelining') })).not.toContain('PIPELINING');
    expect([...defaultExtensionRegistry().rcptParameters(once('dsn'))]).toEqual(['NOTIFY', 'ORCPT']);
  });
});

describe('other arguments and options of the wrong type', () => {
  test.each([null, 5, 'x'])('parseEhloReply / parseEhloReplyText options %j are ERR_SMTP_INVALID_OPTION', (options) => {
    expect(codeOf(() => parseEhloReply(reply, options as never))).toBe('ERR_SMTP_INVALID_OPTION');
    expect(codeOf(() => parseEhloReplyText('250 mx\r\n', options as never))).toBe('ERR_SMTP_INVALID_OPTION');
  });
  test.each([5, 'x'])('limits %j (not an object) are ERR_SMTP_INVALID_OPTION', (limits) => {
    expect(codeOf(() => parseEhloReply(reply, { limits: limits as never }))).toBe('ERR_SMTP_INVALID_OPTION');
  });
  test('a list as the options or as limits is ERR_SMTP_INVALID_OPTION (it was read as an object with no fields: the defaults)', () => {
    for (const list of [[], ['PIPELINING'], [10, 5]]) {
      expect(codeOf(() => parseEhloReply(reply, list as never)), JSON.stringify(list)).toBe('ERR_SMTP_INVALID_OPTION');
      expect(codeOf(() => parseEhloReplyText('250 mx\r\n', list as never)), JSON.stringify(list)).toBe('ERR_SMTP_INVALID_OPTION');
      expect(codeOf(() => parseEhloReply(reply, { limits: list as never })), JSON.stringify(list)).toBe('ERR_SMTP_INVALID_OPTION');
    }
  });
  test('a limit given as undefined is its default, as a missing one is', () => {
    expect(parseEhloReply(reply, { limits: { maxKeywords: undefined } as never }).keywords).toEqual(['PIPELINING', 'SIZE', 'VRFY']);
  });
  test.each([null, 5, { code: 250 }, { code: 250, lines: 'mx' }, { code: 250, lines: ['mx', 5] }])('parseEhloReply(%j) is ERR_SMTP_INVALID_ARGUMENT', (r) => {
    expect(codeOf(() => parseEhloReply(r as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
  });
  test.each([null, 5, new ArrayBuffer(4)])('parseEhloReplyText(%j) is ERR_SMTP_INVALID_ARGUMENT', (text) => {
    expect(codeOf(() => parseEhloReplyText(text as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
  });
  test('formatEhloReply: input that is not an object is ERR_SMTP_INVALID_ARGUMENT, options ERR_SMTP_INVALID_OPTION', () => {
    for (const input of [null, 5, 'mx']) expect(codeOf(() => formatEhloReply(input as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
    for (const options of [null, 5]) expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: [] }, options as never))).toBe('ERR_SMTP_INVALID_OPTION');
    // a list is no options object: it gave the defaults silently
    for (const options of [[], [true]]) expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: [] }, options as never)), JSON.stringify(options)).toBe('ERR_SMTP_INVALID_OPTION');
  });
  test.each([null, 5])('advertise(%j) (session not an object) is ERR_SMTP_INVALID_OPTION; new ExtensionRegistry(%j) ERR_SMTP_INVALID_ARGUMENT', (v) => {
    expect(codeOf(() => defaultExtensionRegistry().advertise(v as never))).toBe('ERR_SMTP_INVALID_OPTION');
    expect(codeOf(() => new ExtensionRegistry(v as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
  });
  test('advertise / advertiseEntries of a list (session settings that are not an object) is ERR_SMTP_INVALID_OPTION, not the default advertisement', () => {
    for (const list of [[], [{ maxSize: 0 }]]) {
      expect(codeOf(() => defaultExtensionRegistry().advertise(list as never)), JSON.stringify(list)).toBe('ERR_SMTP_INVALID_OPTION');
      expect(codeOf(() => defaultExtensionRegistry().advertiseEntries(list as never)), JSON.stringify(list)).toBe('ERR_SMTP_INVALID_OPTION');
    }
  });
  test('session mtPriority that is not a string is ERR_SMTP_INVALID_OPTION', () => {
    expect(codeOf(() => defaultExtensionRegistry().advertise({ mtPriority: 5 as never }))).toBe('ERR_SMTP_INVALID_OPTION');
  });
  test('an advertise function returning something other than a result is ERR_SMTP_EHLO_INVALID_PARAM', () => {
    const registry = new ExtensionRegistry([{ keyword: 'X-A', advertise: () => 5 as never }]);
    expect(codeOf(() => registry.advertise({}))).toBe('ERR_SMTP_EHLO_INVALID_PARAM');
    expect(codeOf(() => new ExtensionRegistry().register({ keyword: 'X-B', advertise: 5 as never }))).toBe('ERR_SMTP_EXTENSION_INVALID');
  });
});

describe('values that cannot be shown with String() or JSON.stringify', () => {
  const odd: readonly [string, unknown][] = [['a BigInt', 10n], ['an object without a prototype', Object.create(null)], ['a symbol', Symbol('x')]];
  test.each(odd)('session maxSize / deliverBy / limits / futureRelease of %s is ERR_SMTP_INVALID_OPTION, not a TypeError', (_, v) => {
    const registry = defaultExtensionRegistry();
    for (const session of [{ maxSize: v }, { deliverBy: v }, { limits: { rcptMax: v } }, { futureRelease: { maxInterval: v, maxDateTime: '2030-01-01T00:00:00Z' } }]) {
      expect(codeOf(() => registry.advertise(session as never))).toBe('ERR_SMTP_INVALID_OPTION');
    }
  });
  test.each(odd)('an advertised parameter, a keyword, a verb or a parameter name of %s is a typed error', (_, v) => {
    // a session setting is checked as one (RFC 3339 date-time) before it becomes a parameter
    expect(codeOf(() => defaultExtensionRegistry().advertise({ futureRelease: { maxInterval: 5, maxDateTime: v } } as never))).toBe('ERR_SMTP_INVALID_OPTION');
    expect(codeOf(() => new ExtensionRegistry().register({ keyword: 'X', advertise: () => [v] as never }).advertise({}))).toBe('ERR_SMTP_EHLO_INVALID_PARAM');
    expect(codeOf(() => new ExtensionRegistry().register({ keyword: v as never }))).toBe('ERR_SMTP_EXTENSION_INVALID');
    expect(codeOf(() => new ExtensionRegistry().register({ keyword: 'X', verbs: [{ name: v as never }] }))).toBe('ERR_SMTP_EXTENSION_INVALID');
    expect(codeOf(() => new ExtensionRegistry().register({ keyword: 'X', mailParams: [v as never] }))).toBe('ERR_SMTP_EXTENSION_INVALID');
  });
  test('a number is still shown as written', () => {
    expect(thrownValue(() => defaultExtensionRegistry().advertise({ maxSize: -5 }))).toMatchObject({ message: expect.stringContaining('got -5') });
  });
});

describe('Capabilities.none / from: domain and greeting', () => {
  test.each([[null], [5], [['mx']], [{}]])('a domain or greeting of %j is ERR_SMTP_INVALID_ARGUMENT, not kept as the string accessor', (v) => {
    expect(codeOf(() => Capabilities.none(v as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
    expect(codeOf(() => Capabilities.none('mx', v as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
    expect(codeOf(() => Capabilities.from({ domain: v as never, keywords: [] }))).toBe('ERR_SMTP_INVALID_ARGUMENT');
    expect(codeOf(() => Capabilities.from({ greeting: v as never, keywords: [] }))).toBe('ERR_SMTP_INVALID_ARGUMENT');
  });
  test('strings and the defaults still work', () => {
    expect(Capabilities.none()).toMatchObject({ domain: '', greeting: '' });
    expect(Capabilities.none('mx', 'hi')).toMatchObject({ domain: 'mx', greeting: 'hi' });
    expect(Capabilities.from({ domain: 'mx', keywords: ['SIZE 5'] })).toMatchObject({ domain: 'mx', greeting: '', size: 5 });
  });
});

describe('formatEhloReply maxLineLength: null', () => {
  test('is ERR_SMTP_INVALID_OPTION: only a missing option means the default, as for the parse limits', () => {
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: [] }, { maxLineLength: null as never }))).toBe('ERR_SMTP_INVALID_OPTION');
    expect(formatEhloReply({ domain: 'mx', keywords: [] }, { maxLineLength: undefined as never })).toEqual(['mx']);
  });
});

describe('formatEhloReply greeting', () => {
  test.each(['\u0080', '\u0085', '\u009f'])('a C1 control %j is refused like the C0 ones (a reader shows it as "?")', (c) => {
    expect(codeOf(() => formatEhloReply({ domain: 'mx', greeting: `hi${c}there`, keywords: [] }))).toBe('ERR_SMTP_EHLO_INVALID_TEXT');
  });
  test('U+00A0 and non-ASCII text stay allowed', () => {
    expect(formatEhloReply({ domain: 'mx', greeting: 'h\u00a0é', keywords: [] })).toEqual(['mx h\u00a0é']);
  });
});
