import { describe, expect, test } from 'vitest';
import { guardVerdicts, otherPackageError, thrownValue as thrown } from '@smtpkit/testkit';
import { ClientArgsError, SmtpkitError, formatPath, isClientArgsError, isSmtpkitError, parseMailFrom } from 'smtp-client-args';

describe('ClientArgsError', () => {
  test('a refused client input is an SmtpkitError of this package, kind remote, with the reply', () => {
    const e = thrown(() => parseMailFrom('FROM:<a@example.com> FOO=1'));
    expect(e).toBeInstanceOf(SmtpkitError);
    expect(e).toBeInstanceOf(ClientArgsError);
    expect(isSmtpkitError(e)).toBe(true);
    if (!isClientArgsError(e) || e.kind !== 'remote') throw new Error('expected a remote ClientArgsError');
    expect([e.package, e.code, e.name, e.keyword, e.argument]).toEqual(['smtp-client-args', 'ERR_SMTP_PARAM_UNKNOWN', 'ClientArgsError', 'FOO', undefined]);
    expect(e.reply).toEqual({ code: 555, enhanced: '5.5.4', text: 'Unsupported parameter FOO' });
  });

  test('builder misuse is kind local and names the argument', () => {
    const e = thrown(() => formatPath('a@b\r\nDATA'));
    if (!isClientArgsError(e) || e.kind !== 'local') throw new Error('expected a local ClientArgsError');
    expect([e.package, e.code, e.argument, e.reply]).toEqual(['smtp-client-args', 'ERR_SMTP_CONTROL_CHARACTER', 'path', undefined]);
  });

  test("the guard and instanceof are false for another package's error, the base guard true", () => {
    const other = otherPackageError('smtp-errors');
    expect(isClientArgsError(other)).toBe(false);
    expect(other instanceof ClientArgsError).toBe(false);
    expect(isSmtpkitError(other)).toBe(true);
    expect(other instanceof SmtpkitError).toBe(true);
  });
});

describe('isClientArgsError', () => {
  test("needs this package's brand", () => {
    expect(guardVerdicts(isClientArgsError, 'smtp-client-args', 'smtp-errors')).toEqual([true, false, false, false, false]);
  });
});
