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
