// registry: the exact boundaries and edge cases of extension definitions (each test pins one
// behaviour a subtly wrong implementation would otherwise get away with).
import { describe, expect, test } from 'vitest';
import { errorCodeOf } from '@smtpkit/testkit';
import { ExtensionRegistry, defaultExtensionRegistry, isCapabilitiesError, type ExtensionDefinition } from 'smtp-capabilities';

const codeOf = (fn: () => unknown): string | undefined => errorCodeOf(fn, isCapabilitiesError);

describe('ExtensionRegistry refuses bad definitions with a typed error', () => {
  test.each([
    ['null', null],
    ['a keyword that is not a string', { keyword: 5 }],
    ['a null verb', { keyword: 'X-A', verbs: [null] }],
    ['a verb with a bad name', { keyword: 'X-A', verbs: [{ name: 'A B' }] }],
    ['a MAIL parameter that is not a string', { keyword: 'X-A', mailParams: [5] }],
  ])('%s', (_name, def) => {
    expect(codeOf(() => new ExtensionRegistry().register(def as unknown as ExtensionDefinition))).toBe('ERR_SMTP_EXTENSION_INVALID');
  });
  test('a registered definition keeps its fields, upper-cased', () => {
    const reg = new ExtensionRegistry().register({ keyword: 'x-a', rfc: 'none', description: 'd', mailParams: ['x-p'], advertise: () => 'p1  p2' });
    expect(reg.get('X-A')).toMatchObject({ keyword: 'X-A', rfc: 'none', description: 'd', mailParams: ['X-P'] });
    expect(reg.advertise({})).toContain('X-A p1 p2');
  });
  test.each([[[5]], [['a\r']], [['']]])('an advertised parameter %j is refused', (params) => {
    const reg = new ExtensionRegistry().register({ keyword: 'X-A', advertise: () => params as string[] });
    expect(codeOf(() => reg.advertise({}))).toBe('ERR_SMTP_EHLO_INVALID_PARAM');
  });
  test('advertise false, null or undefined leaves the keyword out', () => {
    for (const r of [false, null, undefined]) {
      const reg = new ExtensionRegistry().register({ keyword: 'X-A', advertise: () => r });
      expect(reg.advertise({})).toEqual([]);
    }
  });
});

describe('register: a refused registration changes nothing', () => {
  test('replace with a verb of another extension keeps the old definition and its verbs', () => {
    const r = defaultExtensionRegistry();
    const before = r.advertise({});
    expect(codeOf(() => r.register({ keyword: 'CHUNKING', verbs: [{ name: 'STARTTLS' }] }, { replace: true }))).toBe('ERR_SMTP_EXTENSION_DUPLICATE');
    expect(r.has('CHUNKING')).toBe(true);
    expect(r.verb('BDAT')?.keyword).toBe('CHUNKING');
    expect(r.verb('STARTTLS')?.keyword).toBe('STARTTLS');
    expect(r.advertise({})).toEqual(before);
  });
  test('a verb named twice in one definition is refused, with or without replace', () => {
    const r = new ExtensionRegistry();
    expect(codeOf(() => r.register({ keyword: 'X-A', verbs: [{ name: 'XA' }, { name: 'xa', mustBeLastInGroup: true }] }))).toBe('ERR_SMTP_EXTENSION_DUPLICATE');
    expect(r.has('X-A')).toBe(false);
    expect(r.verb('XA')).toBeUndefined();
    r.register({ keyword: 'X-A', verbs: [{ name: 'XA' }] });
    expect(codeOf(() => r.register({ keyword: 'X-A', verbs: [{ name: 'XA' }, { name: 'XA' }] }, { replace: true }))).toBe('ERR_SMTP_EXTENSION_DUPLICATE');
    expect(r.verb('XA')?.mustBeLastInGroup).toBe(false);
  });
  test('replace keeps its own verbs free, drops the ones it no longer has, and keeps its place in the order', () => {
    const r = defaultExtensionRegistry();
    const order = r.definitions().map((d) => d.keyword);
    r.register({ keyword: 'CHUNKING', verbs: [{ name: 'BDAT', mustBeLastInGroup: true }] }, { replace: true });
    expect(r.verb('BDAT')).toMatchObject({ keyword: 'CHUNKING', mustBeLastInGroup: true });
    expect(r.definitions().map((d) => d.keyword)).toEqual(order);
    r.register({ keyword: 'CHUNKING' }, { replace: true });
    expect(r.verb('BDAT')).toBeUndefined();
    expect(r.advertise({})).toEqual(['PIPELINING', 'ENHANCEDSTATUSCODES', '8BITMIME', 'CHUNKING', 'DSN', 'SMTPUTF8']);
  });
});

describe('a verb with a blockLength (its block follows the command line at once)', () => {
  const length = (arg: string): number | undefined => (/^[0-9]+$/.test(arg) ? Number(arg) : undefined);

  test('is carried by verb() and verbs(), and by a definition registered again from definitions()', () => {
    const r = new ExtensionRegistry().register({ keyword: 'XPUT', verbs: [{ name: 'xput', blockLength: length }, { name: 'XGET' }] });
    expect(r.verb('XPUT')).toMatchObject({ name: 'XPUT', keyword: 'XPUT', mustBeLastInGroup: false, blockLength: length });
    expect(r.verb('XGET')).not.toHaveProperty('blockLength');
    const copy = new ExtensionRegistry().register(r.get('XPUT')!);
    expect(copy.verb('xput')?.blockLength).toBe(length);
  });

  test.each([
    ['not a function', { name: 'XPUT', blockLength: 5 }],
    ['a string', { name: 'XPUT', blockLength: 'n' }],
    ['on a mustBeLastInGroup verb', { name: 'XPUT', mustBeLastInGroup: true, blockLength: length }],
  ])('%s: ERR_SMTP_EXTENSION_INVALID, nothing registered', (_name, verb) => {
    const r = new ExtensionRegistry();
    expect(codeOf(() => r.register({ keyword: 'XPUT', verbs: [verb] } as unknown as ExtensionDefinition))).toBe('ERR_SMTP_EXTENSION_INVALID');
    expect(r.has('XPUT')).toBe(false);
  });
});
