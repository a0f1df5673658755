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
