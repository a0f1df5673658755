// register() reads each field of a definition once, checks it and keeps the value it checked: a
// getter (or a Proxy) that answers the check with a valid keyword and a later read with another
// cannot put a CR or LF into what advertise() writes, nor register a verb under an unchecked name.
import { describe, expect, test } from 'vitest';
import { ExtensionRegistry, type ExtensionDefinition } from 'smtp-capabilities';

/** An accessor that gives `first` on the first read and `later` on every read after it. */
function changing(first: unknown, later: unknown): PropertyDescriptor {
  let reads = 0;
  return { enumerable: true, get: () => (reads++ === 0 ? first : later) };
}

describe('register() reads a definition once', () => {
  test('a keyword that changes after its check is registered and advertised as checked', () => {
    const registry = new ExtensionRegistry();
    registry.register(Object.defineProperties({ advertise: true }, { keyword: changing('X-ONE', 'X-ONE\r\n250 INJECTED') }) as ExtensionDefinition);
    expect(registry.advertise({})).toEqual(['X-ONE']);
    expect(registry.has('X-ONE')).toBe(true);
  });
  test('a verb name that changes after its check is registered as checked', () => {
    const registry = new ExtensionRegistry();
    const verb = Object.defineProperties({}, { name: changing('XONE', 'XONE\r\nRSET') });
    registry.register({ keyword: 'X-ONE', verbs: [verb as { name: string }] });
    expect(registry.verbs().map((v) => v.name)).toEqual(['XONE']);
    expect(registry.verb('XONE')?.keyword).toBe('X-ONE');
  });
});

describe('register() reads the fields a definition inherits too (read once all the same)', () => {
  test('a keyword from a class getter is registered', () => {
    class Ext {
      get keyword(): string {
        return 'X-CLASS';
      }
    }
    const registry = new ExtensionRegistry();
    registry.register(new Ext());
    expect(registry.has('X-CLASS')).toBe(true);
  });
  test('verbs and MAIL parameters from a prototype are kept, not dropped', () => {
    const def = Object.assign(Object.create({ verbs: [{ name: 'XPROTO' }], mailParams: ['XP'] }) as object, { keyword: 'X-PROTO' }) as ExtensionDefinition;
    const registry = new ExtensionRegistry();
    registry.register(def);
    expect(registry.verb('XPROTO')?.keyword).toBe('X-PROTO');
    expect(registry.get('X-PROTO')?.mailParams).toEqual(['XP']);
  });
  test('a verb whose name comes from a class getter is registered under it', () => {
    class Verb {
      get name(): string {
        return 'XGET';
      }
    }
    const registry = new ExtensionRegistry();
    registry.register({ keyword: 'X-GET', verbs: [new Verb()] });
    expect(registry.verb('XGET')?.keyword).toBe('X-GET');
  });
  test('an inherited keyword getter that changes is still read once', () => {
    let reads = 0;
    const proto = { get keyword(): string { return reads++ === 0 ? 'X-ONCE' : 'X-ONCE\r\n250 INJECTED'; } };
    const registry = new ExtensionRegistry();
    registry.register(Object.assign(Object.create(proto) as object, { advertise: true }) as ExtensionDefinition);
    expect(registry.advertise({})).toEqual(['X-ONCE']);
    expect(reads).toBe(1);
  });
  test('a function is no definition, whatever fields it carries', () => {
    const fn = Object.assign(() => undefined, { keyword: 'X-FN' });
    expect(() => new ExtensionRegistry().register(fn as unknown as ExtensionDefinition)).toThrow(expect.objectContaining({ code: 'ERR_SMTP_EXTENSION_INVALID' }));
  });
});
