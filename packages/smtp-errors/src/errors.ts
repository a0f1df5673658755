/**
 * Typed errors of smtp-errors: a stable string `code` per failure and a cross-realm brand, so
 * callers test `isSmtpErrorsError(e)` / `e.code`.
 */

import { SmtpkitError, hasPackageBrand } from '@smtpkit/foundation';

/**
 * Every error code this package throws. Append-only: codes are never renamed or reused.
 * Classifying a reply never throws: only API misuse (bad class ids, bad rules, bad options, bad
 * `providerCodes` entries: `ERR_SMTP_PROVIDER_CODE_INVALID`) does,
 * and `classifyMessage` (smtp-errors/message) on input that is not an Internet message.
 *
 * @example
 * ```ts
 * try { registerClass(10, 'Mine', 'Mine', 'hard'); }
 * catch (e) { if (isSmtpErrorsError(e) && e.code === 'ERR_SMTP_CLASS_BUILTIN') console.log('taken'); }
 * ```
 * @see RFC 3463 §2
 */
export type SmtpErrorsErrorCode =
  | 'ERR_SMTP_CLASS_BUILTIN'
  | 'ERR_SMTP_CLASS_EXISTS'
  | 'ERR_SMTP_CLASS_INVALID_ID'
  | 'ERR_SMTP_CLASS_INVALID'
  | 'ERR_SMTP_CLASS_UNKNOWN'
  | 'ERR_SMTP_RULE_INVALID'
  | 'ERR_SMTP_RULE_SYNTAX'
  | 'ERR_SMTP_INVALID_OPTION'
  | 'ERR_SMTP_MESSAGE_INVALID'
  | 'ERR_SMTP_PROVIDER_CODE_INVALID';

/**
 * The one error class of smtp-errors, thrown for API misuse (bad class ids, bad rules, bad options)
 * and by `classifyMessage` for input that is not an Internet message. A subclass of the
 * toolkit-wide `SmtpkitError` with a stable `code`, `package: 'smtp-errors'` and `kind: 'local'`.
 *
 * @example
 * ```ts
 * try { addRules('example.com,abc,user unknown'); } catch (e) { if (isSmtpErrorsError(e)) console.log(e.code, e.line); }
 * ```
 * @see RFC 3463 §2
 */
export class SmtpErrorsError extends SmtpkitError {
  /** Brand value: `instanceof SmtpErrorsError` matches this package's errors from any copy. */
  static readonly brandPackage = 'smtp-errors';
  declare readonly code: SmtpErrorsErrorCode;
  /** Always `'local'`: these errors are API misuse, never caused by a peer. */
  declare readonly kind: 'local';
  /** For `ERR_SMTP_RULE_SYNTAX`: the 1-based line of the rules text that failed. */
  readonly line: number | undefined;

  constructor(code: SmtpErrorsErrorCode, message: string, line?: number) {
    super('smtp-errors', code, message, 'local');
    // Bundlers may rename the class binding (`_SmtpErrorsError`); the name users see stays fixed.
    this.line = line;
  }
}

/**
 * True when `e` was thrown by smtp-errors (any copy of the package); false for the errors of the
 * other smtpkit packages.
 *
 * @example
 * ```ts
 * try { createClassifier().registerClass(1, "x", "x", "hard"); } catch (e) { if (isSmtpErrorsError(e)) console.log(e.code); }
 * ```
 * @see RFC 3463 §2
 */
export function isSmtpErrorsError(e: unknown): e is SmtpErrorsError {
  return hasPackageBrand(e, 'smtp-errors');
}
