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
