import { describe, expect, test } from 'vitest';
import { guardVerdicts, otherPackageError, thrownValue as thrown } from '@smtpkit/testkit';
import { SmtpErrorsError, SmtpkitError, createClassifier, isSmtpErrorsError, isSmtpkitError } from 'smtp-errors';

describe('SmtpErrorsError', () => {
  test('a thrown error is an SmtpkitError of this package, kind local', () => {
    const e = thrown(() => createClassifier().registerClass(10, 'x', 'x', 'hard'));
    expect(e).toBeInstanceOf(SmtpkitError);
    expect(e).toBeInstanceOf(SmtpErrorsError);
    expect(isSmtpkitError(e)).toBe(true);
    expect(isSmtpErrorsError(e)).toBe(true);
    const s = e as SmtpErrorsError;
    expect([s.package, s.kind, s.code, s.name]).toEqual(['smtp-errors', 'local', 'ERR_SMTP_CLASS_BUILTIN', 'SmtpErrorsError']);
  });

  test('a rule syntax error carries its line', () => {
    const e = thrown(() => createClassifier().addRules('example.com,abc,user unknown')) as SmtpErrorsError;
    expect([e.code, e.line]).toEqual(['ERR_SMTP_RULE_SYNTAX', 1]);
  });

  test("the guard and instanceof are false for another package's error, the base guard true", () => {
    const other = otherPackageError('smtp-client-args');
    expect(isSmtpErrorsError(other)).toBe(false);
    expect(other instanceof SmtpErrorsError).toBe(false);
    expect(isSmtpkitError(other)).toBe(true);
    expect(other instanceof SmtpkitError).toBe(true);
  });
});

describe('isSmtpErrorsError', () => {
  test("needs this package's brand", () => {
    expect(guardVerdicts(isSmtpErrorsError, 'smtp-errors', 'smtp-client-args')).toEqual([true, false, false, false, false]);
  });
});
