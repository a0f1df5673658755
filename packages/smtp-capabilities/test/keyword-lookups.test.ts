// Keyword lookups of Capabilities and ExtensionRegistry given a keyword that is not a string:
// ERR_SMTP_INVALID_ARGUMENT, never an untyped TypeError from inside the lookup.
import { describe, expect, test } from 'vitest';
import { thrownValue } from '@smtpkit/testkit';
import { Capabilities, defaultExtensionRegistry, isCapabilitiesError } from 'smtp-capabilities';

function codeOf(fn: () => unknown): string {
  const e = thrownValue(fn);
  return isCapabilitiesError(e) ? e.code : `untyped ${e instanceof Error ? e.message : typeof e}`;
}

const NOT_STRINGS: readonly unknown[] = [null, undefined, 5, ['SIZE'], { keyword: 'SIZE' }];

describe('keyword lookups with a keyword that is not a string', () => {
  const caps = Capabilities.from({ keywords: ['SIZE 1000', 'PIPELINING'] });
  test.each(NOT_STRINGS)('Capabilities has / params / get / entriesFor(%j) is ERR_SMTP_INVALID_ARGUMENT', (k) => {
    expect(codeOf(() => caps.has(k as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
    expect(codeOf(() => caps.params(k as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
    expect(codeOf(() => caps.get(k as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
    expect(codeOf(() => caps.entriesFor(k as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
  });
  test.each(NOT_STRINGS)('registry verb / get / has / unregister / mustBeLastInGroup / parameter keywords(%j) is ERR_SMTP_INVALID_ARGUMENT', (k) => {
    const registry = defaultExtensionRegistry();
    expect(codeOf(() => registry.verb(k as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
    expect(codeOf(() => registry.get(k as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
    expect(codeOf(() => registry.has(k as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
    expect(codeOf(() => registry.unregister(k as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
    expect(codeOf(() => registry.mustBeLastInGroup(k as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
    expect(codeOf(() => registry.mailParameterKeywords(k as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
    expect(codeOf(() => registry.rcptParameterKeywords(k as never))).toBe('ERR_SMTP_INVALID_ARGUMENT');
  });
  test.each(NOT_STRINGS)('an advertise function calling ctx.enabled(%j) gets ERR_SMTP_INVALID_ARGUMENT', (k) => {
    const registry = defaultExtensionRegistry().register({ keyword: 'XONE', advertise: (_s, ctx) => ctx.enabled(k as never) });
    expect(codeOf(() => registry.advertise({}))).toBe('ERR_SMTP_INVALID_ARGUMENT');
  });
  test('string keywords still look up case-insensitively', () => {
    expect(caps.has('size')).toBe(true);
    expect(caps.params('Size')).toEqual(['1000']);
    expect(caps.get('pipelining')?.keyword).toBe('PIPELINING');
    expect(caps.entriesFor('size')).toHaveLength(1);
    const registry = defaultExtensionRegistry();
    expect(registry.verb('bdat')?.keyword).toBe('CHUNKING');
    expect(registry.has('chunking')).toBe(true);
    expect(registry.mustBeLastInGroup('starttls')).toBe(true);
    expect(registry.mailParameterKeywords('ret')).toEqual(['DSN']);
  });
});
