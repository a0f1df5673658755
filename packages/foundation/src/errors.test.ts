import { describe, expect, it } from 'vitest';
import { SmtpkitError, hasPackageBrand, isSmtpkitError } from './errors.js';

// Two "copies" of a package's class, as when two bundles of one package meet in a program.
function packageClass(pkg: 'esmtp-server-fsm' | 'smtp-errors') {
  return class PackageError extends SmtpkitError {
    static readonly brandPackage = pkg;
    constructor(code: string, message: string) {
      super(pkg, code, message, 'local', { cause: 'why' });
    }
  };
}

describe('SmtpkitError', () => {
  it('carries code, package, kind, cause and the subclass name', () => {
    const ServerError = packageClass('esmtp-server-fsm');
    const e = new ServerError('ERR_SMTP_INVALID_OPTION', 'limits.maxMessageSize must be a number');
    expect([e.code, e.package, e.kind, e.cause, e.name, e.message]).toEqual([
      'ERR_SMTP_INVALID_OPTION', 'esmtp-server-fsm', 'local', 'why', 'SmtpServerError', 'limits.maxMessageSize must be a number',
    ]);
    expect(Object.keys(e)).toEqual(['code', 'package', 'kind']);
  });

  it('instanceof works across copies, per package', () => {
    const ServerA = packageClass('esmtp-server-fsm');
    const ServerB = packageClass('esmtp-server-fsm');
    const Errors = packageClass('smtp-errors');
    const a = new ServerA('X', 'x');
    expect(a instanceof ServerB).toBe(true);
    expect(a instanceof SmtpkitError).toBe(true);
    expect(a instanceof Errors).toBe(false);
    expect(new Errors('Y', 'y') instanceof ServerA).toBe(false);
    expect(new Error('plain') instanceof SmtpkitError).toBe(false);
    expect(({ code: 'X' }) instanceof ServerA).toBe(false);
  });

  it('guards test the brand, not the shape', () => {
    const Errors = packageClass('smtp-errors');
    const e = new Errors('ERR_SMTP_CLASS_UNKNOWN', 'no class 999');
    expect(isSmtpkitError(e)).toBe(true);
    expect(hasPackageBrand(e, 'smtp-errors')).toBe(true);
    expect(hasPackageBrand(e, 'esmtp-server-fsm')).toBe(false);
    expect(isSmtpkitError({ code: 'ERR_SMTP_CLASS_UNKNOWN', package: 'smtp-errors' })).toBe(false);
    expect(isSmtpkitError(null)).toBe(false);
    expect(isSmtpkitError('ERR')).toBe(false);
  });
});
