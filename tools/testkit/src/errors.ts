import { SmtpkitError } from '@smtpkit/foundation';
import type { SmtpkitPackage } from '@smtpkit/foundation';

/**
 * The stable `code` of the typed error `fn` throws, for tests of API misuse and bad input:
 * `undefined` when it returns, and a `not <guard>` marker when it throws something the package's
 * guard (`isXxxError`) does not recognise, so an untyped crash fails the expectation too.
 */
export function errorCodeOf(fn: () => unknown, isTyped: (e: unknown) => e is { readonly code: string }): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isTyped(e) ? e.code : `not ${isTyped.name || 'a typed error'}`;
  }
}

/** The type a guard (`(e: unknown) => e is T`) recognises; a union for a union of guards. */
type Guarded<G> = G extends (e: unknown) => e is infer T ? T : never;

/**
 * The typed error `fn` throws, for tests that look at more than its code (the reply, the argument
 * it names, its message). Fails when `fn` returns, or throws something none of the package's
 * guards (`isXxxError`) recognises.
 */
export function thrownBy<G extends readonly ((e: unknown) => e is unknown)[]>(fn: () => unknown, ...guards: G): Guarded<G[number]> {
  try {
    fn();
  } catch (e) {
    if (guards.some((guard) => guard(e))) return e as Guarded<G[number]>;
    throw e;
  }
  throw new Error(`expected an error that ${guards.map((g) => g.name).join(' or ')} recognises`);
}

/**
 * An error of another smtpkit package, built the way that package's own bundled copy of the
 * foundation builds it: for tests that a package's guard and `instanceof` refuse other packages'
 * errors while `isSmtpkitError` accepts them.
 */
export function otherPackageError(pkg: SmtpkitPackage): SmtpkitError {
  class OtherPackageError extends SmtpkitError {
    static readonly brandPackage = pkg;
    constructor() {
      super(pkg, 'ERR_SMTP_INVALID_OPTION', 'an error of another package');
    }
  }
  return new OtherPackageError();
}

/**
 * What a package guard (`isXxxError`) answers for look-alikes of `pkg`'s errors: objects that carry
 * the brand with `pkg`'s name, with the old `true` value, with another package's name, with no
 * brand, and non-objects. A correct guard answers `[true, false, false, false, false]`.
 */
export function guardVerdicts(guard: (e: unknown) => boolean, pkg: SmtpkitPackage, other: SmtpkitPackage): readonly boolean[] {
  const brand = Symbol.for('smtpkit.error');
  const shape = { kind: 'local', code: 'ERR_SMTP_INVALID_OPTION' };
  return [
    guard({ [brand]: pkg, ...shape }),
    guard({ [brand]: true, ...shape }),
    guard({ [brand]: other, ...shape }),
    guard(shape),
    [null, undefined, 'ERR_SMTP_INVALID_OPTION', 0].some((v) => guard(v)),
  ];
}

/** What `fn` throws (fails when it returns). */
export function thrownValue(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('nothing thrown');
}
