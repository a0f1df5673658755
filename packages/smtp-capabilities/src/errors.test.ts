import { describe, expect, test } from 'vitest';
import { guardVerdicts, otherPackageError, thrownValue as thrown } from '@smtpkit/testkit';
import { CapabilitiesError, ExtensionRegistry, SmtpkitError, formatEhloReply, isCapabilitiesError, isSmtpkitError } from 'smtp-capabilities';

describe('CapabilitiesError', () => {
  test('a thrown error is an SmtpkitError of this package, kind local', () => {
    const e = thrown(() => formatEhloReply({ domain: 'mx.example', keywords: ['SIZE\r\nX'] }));
    expect(e).toBeInstanceOf(SmtpkitError);
    expect(e).toBeInstanceOf(CapabilitiesError);
    expect(isSmtpkitError(e)).toBe(true);
    expect(isCapabilitiesError(e)).toBe(true);
    const c = e as CapabilitiesError;
    expect([c.package, c.kind, c.code, c.name]).toEqual(['smtp-capabilities', 'local', 'ERR_SMTP_EHLO_INVALID_TEXT', 'CapabilitiesError']);
  });

  test('registry errors too', () => {
    const r = new ExtensionRegistry();
    const e = thrown(() => r.register({ keyword: 'BAD KEYWORD' }));
    expect(isCapabilitiesError(e)).toBe(true);
    expect((e as CapabilitiesError).code).toBe('ERR_SMTP_EXTENSION_INVALID');
  });

  test("the guard and instanceof are false for another package's error, the base guard true", () => {
    const other = otherPackageError('smtp-reply-reader');
    expect(isCapabilitiesError(other)).toBe(false);
    expect(other instanceof CapabilitiesError).toBe(false);
    expect(isSmtpkitError(other)).toBe(true);
    expect(other instanceof SmtpkitError).toBe(true);
  });
});

describe('isCapabilitiesError', () => {
  test("needs this package's brand; the brand is not enumerable", () => {
    const e = new CapabilitiesError('ERR_SMTP_INVALID_OPTION', 'x');
    expect(isCapabilitiesError(e)).toBe(true);
    expect(Object.getOwnPropertyDescriptor(e, Symbol.for('smtpkit.error'))?.enumerable).toBe(false);
    expect(guardVerdicts(isCapabilitiesError, 'smtp-capabilities', 'smtp-reply-reader')).toEqual([true, false, false, false, false]);
  });
});
