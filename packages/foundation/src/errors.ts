/**
 * The one error base of smtpkit. Every package throws exactly one subclass of {@link SmtpkitError}
 * (`ReplyReaderError`, `CapabilitiesError`, `ClientArgsError`, `SmtpErrorsError`,
 * `SmtpClientError`, `SmtpServerError`), each with a stable string `code` and the name of the
 * package that threw it in `package`.
 *
 * Each published package bundles its own copy of this file, so two copies of a class can meet in one
 * program. `instanceof` and the `is*Error` guards therefore test a cross-realm brand
 * (`Symbol.for('smtpkit.error')`, whose value is the package name), not object identity:
 * `e instanceof SmtpkitError` is true for an error of any smtpkit package, and
 * `e instanceof SmtpServerError` only for errors thrown by esmtp-server-fsm.
 */

const BRAND: unique symbol = Symbol.for('smtpkit.error') as never;

/** The package names an smtpkit error can carry in `package`. */
export type SmtpkitPackage =
  | 'smtp-reply-reader'
  | 'smtp-capabilities'
  | 'smtp-client-args'
  | 'smtp-errors'
  | 'smtp-client-fsm'
  | 'esmtp-server-fsm';

/** Options of an smtpkit error: the underlying cause, as for `Error`. */
export interface SmtpkitErrorOptions {
  readonly cause?: unknown;
}

/** The one error class of each package (its name survives bundlers that rename classes). */
const CLASS_NAMES: Readonly<Record<SmtpkitPackage, string>> = {
  'smtp-reply-reader': 'ReplyReaderError',
  'smtp-capabilities': 'CapabilitiesError',
  'smtp-client-args': 'ClientArgsError',
  'smtp-errors': 'SmtpErrorsError',
  'smtp-client-fsm': 'SmtpClientError',
  'esmtp-server-fsm': 'SmtpServerError',
};

const plainInstanceOf = Function.prototype[Symbol.hasInstance] as (this: unknown, v: unknown) => boolean;

function brandOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const brand = (value as { [BRAND]?: unknown })[BRAND];
  return typeof brand === 'string' ? brand : undefined;
}

/**
 * Base class of every error an smtpkit package throws or reports.
 *
 * - `code`: stable and append-only; one code means one thing in every package
 *   (`ERR_SMTP_INVALID_OPTION` is an option that failed validation wherever it is thrown).
 * - `package`: the npm package that raised it.
 * - `kind`: `'remote'` when the peer broke the protocol, `'local'` for API misuse or a local
 *   condition.
 *
 * @example
 * ```ts
 * try { parseReply('abc\r\n'); } catch (e) {
 *   if (isSmtpkitError(e)) console.log(e.package, e.code); // smtp-reply-reader ERR_SMTP_REPLY_SYNTAX
 * }
 * ```
 */
export abstract class SmtpkitError extends Error {
  /** Stable, append-only machine-readable code, for example `ERR_SMTP_LINE_TOO_LONG`. */
  readonly code: string;
  /** The package that raised the error. */
  readonly package: SmtpkitPackage;
  /** `'remote'` when the peer broke the protocol, `'local'` for API misuse or a local condition. */
  readonly kind: 'remote' | 'local';

  /**
   * Subclasses pass their package name; `name` becomes the package's error class name.
   */
  constructor(pkg: SmtpkitPackage, code: string, message: string, kind: 'remote' | 'local' = 'local', options?: SmtpkitErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.package = pkg;
    this.kind = kind;
    Object.defineProperty(this, 'name', { value: CLASS_NAMES[pkg], enumerable: false, configurable: true, writable: true });
    Object.defineProperty(this, BRAND, { value: pkg, enumerable: false });
  }

  /**
   * Cross-copy `instanceof`: the base class matches any branded smtpkit error; a package's class
   * (one with a static `brandPackage`) matches the errors of that package.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (plainInstanceOf.call(this, value)) return true;
    const brand = brandOf(value);
    if (brand === undefined) return false;
    const cls = this as { readonly brandPackage?: SmtpkitPackage };
    if (Object.prototype.hasOwnProperty.call(cls, 'brandPackage')) return brand === cls.brandPackage;
    return Object.prototype.hasOwnProperty.call(cls, 'isSmtpkitBase');
  }

  /** @internal Marks this class as the base that matches every brand. */
  static readonly isSmtpkitBase = true;
}

/**
 * True for an error raised by any smtpkit package (any copy, any version with the same brand).
 *
 * @example
 * ```ts
 * if (isSmtpkitError(e) && e.code === 'ERR_SMTP_INVALID_OPTION') showUsage();
 * ```
 */
export function isSmtpkitError(value: unknown): value is SmtpkitError {
  return brandOf(value) !== undefined;
}

/**
 * @internal The guard behind each package's `is*Error`: true only for errors of `pkg`.
 */
export function hasPackageBrand(value: unknown, pkg: SmtpkitPackage): boolean {
  return brandOf(value) === pkg;
}
