// Boolean options and session settings given something other than true, false or undefined,
// through the public entry: a typed CapabilitiesError naming the option, never a truthy 'no' read
// as true or a 1 silently read as false.
import { describe, expect, test } from 'vitest';
import { thrownValue } from '@smtpkit/testkit';
import { ExtensionRegistry, defaultExtensionRegistry, formatEhloReply, isCapabilitiesError, type SessionSettings } from 'smtp-capabilities';

function failure(fn: () => unknown): [string, string] | string {
  const e = thrownValue(fn);
  return isCapabilitiesError(e) ? [e.code, e.message] : `untyped ${e instanceof Error ? e.message : typeof e}`;
}

const NOT_BOOLEANS: readonly unknown[] = ['no', 'true', 0, 1, null, {}];
const input = { domain: 'mx.example.com', keywords: ['AUTH PLAIN LOGIN'] };

describe('boolean options that are not booleans', () => {
  test.each(NOT_BOOLEANS)('formatEhloReply legacyAuth: %j is ERR_SMTP_INVALID_OPTION naming legacyAuth', (v) => {
    expect(failure(() => formatEhloReply(input, { legacyAuth: v as never }))).toEqual(['ERR_SMTP_INVALID_OPTION', expect.stringContaining('legacyAuth')]);
  });
  test.each(NOT_BOOLEANS)('session tls / startTls / authenticated / authBeforeTls / requireTls: %j is ERR_SMTP_INVALID_OPTION naming the setting', (v) => {
    const registry = defaultExtensionRegistry();
    for (const field of ['tls', 'startTls', 'authenticated', 'authBeforeTls', 'requireTls'] as const) {
      const session: SessionSettings = { authMechanisms: ['PLAIN'], [field]: v as never };
      expect([field, failure(() => registry.advertise(session))]).toEqual([field, ['ERR_SMTP_INVALID_OPTION', expect.stringContaining(`session ${field}`)]]);
    }
  });
  test.each(NOT_BOOLEANS)('register replace: %j is ERR_SMTP_INVALID_OPTION naming replace', (v) => {
    const registry = new ExtensionRegistry([{ keyword: 'XONE' }]);
    expect(failure(() => registry.register({ keyword: 'XONE' }, { replace: v as never }))).toEqual(['ERR_SMTP_INVALID_OPTION', expect.stringContaining('replace')]);
    expect(failure(() => registry.register({ keyword: 'XTWO' }, { replace: v as never }))).toEqual(['ERR_SMTP_INVALID_OPTION', expect.stringContaining('replace')]);
  });
  test.each([null, 5, 'yes'])('register options that are not an object (%j) are ERR_SMTP_INVALID_OPTION', (v) => {
    expect(failure(() => new ExtensionRegistry().register({ keyword: 'XONE' }, v as never))).toEqual(['ERR_SMTP_INVALID_OPTION', expect.any(String)]);
  });
  test('register options given as a list ([] or [true], meant as { replace: true }) are ERR_SMTP_INVALID_OPTION', () => {
    for (const v of [[], [true]]) {
      const registry = new ExtensionRegistry([{ keyword: 'XONE' }]);
      expect(failure(() => registry.register({ keyword: 'XONE' }, v as never)), JSON.stringify(v)).toEqual(['ERR_SMTP_INVALID_OPTION', expect.any(String)]);
      expect(failure(() => new ExtensionRegistry().register({ keyword: 'XTWO' }, v as never)), JSON.stringify(v)).toEqual(['ERR_SMTP_INVALID_OPTION', expect.any(String)]);
    }
  });
  test.each(NOT_BOOLEANS)('a verb definition mustBeLastInGroup of %j is ERR_SMTP_EXTENSION_INVALID naming it', (v) => {
    expect(failure(() => new ExtensionRegistry().register({ keyword: 'XONE', verbs: [{ name: 'XONE', mustBeLastInGroup: v as never }] }))).toEqual([
      'ERR_SMTP_EXTENSION_INVALID',
      expect.stringContaining('mustBeLastInGroup'),
    ]);
  });
});

describe('true, false and undefined keep their meaning', () => {
  test('legacyAuth', () => {
    expect(formatEhloReply(input, { legacyAuth: true })).toEqual(['mx.example.com', 'AUTH PLAIN LOGIN', 'AUTH=PLAIN LOGIN']);
    expect(formatEhloReply(input, { legacyAuth: false })).toEqual(['mx.example.com', 'AUTH PLAIN LOGIN']);
  });
  test('session flags', () => {
    const registry = defaultExtensionRegistry();
    expect(registry.advertise({ tls: true, authMechanisms: ['PLAIN'] })).toContain('AUTH PLAIN');
    expect(registry.advertise({ tls: false, startTls: true, authenticated: false, authBeforeTls: false, requireTls: false, authMechanisms: ['PLAIN'] })).toContain('STARTTLS');
    expect(registry.advertise({ tls: false, authMechanisms: ['PLAIN'] })).not.toContain('AUTH PLAIN');
  });
  test('replace and mustBeLastInGroup', () => {
    const registry = new ExtensionRegistry([{ keyword: 'XONE' }]);
    expect(failure(() => registry.register({ keyword: 'XONE' }, { replace: false }))[0]).toBe('ERR_SMTP_EXTENSION_DUPLICATE');
    registry.register({ keyword: 'XONE', verbs: [{ name: 'XONE', mustBeLastInGroup: true }] }, { replace: true });
    expect(registry.mustBeLastInGroup('XONE')).toBe(true);
  });
});
