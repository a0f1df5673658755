import { describe, expect, test } from 'vitest';
import { SmtpkitError as FoundationError } from '@smtpkit/foundation';
import { SmtpErrorsError, SmtpkitError, createClassifier, isSmtpErrorsError, isSmtpkitError } from 'smtp-errors';

/** An error of another smtpkit package, as its own bundled copy would construct it. */
class OtherPackageError extends FoundationError {
  static readonly brandPackage = 'smtp-client-args';
  constructor() {
    super('smtp-client-args', 'ERR_SMTP_INVALID_OPTION', 'not ours');
  }
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('nothing thrown');
}

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
    const other = new OtherPackageError();
    expect(isSmtpErrorsError(other)).toBe(false);
    expect(other instanceof SmtpErrorsError).toBe(false);
    expect(isSmtpkitError(other)).toBe(true);
    expect(other instanceof SmtpkitError).toBe(true);
  });
});
