/**
 * Typed errors of smtp-errors: a stable string `code` per failure and a cross-realm brand, so
 * callers test `isSmtpErrorsError(e)` / `e.code` instead of `instanceof`.
 */

const BRAND = Symbol.for('smtpkit.error');

/**
 * Every error code this package throws. Append-only: codes are never renamed or reused.
 * Classifying a reply never throws: only API misuse (bad class ids, bad rules, bad options) does,
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
  | 'ERR_SMTP_MESSAGE_INVALID';

/**
 * The error thrown by smtp-errors for API misuse: carries a stable `code` and a non-enumerable
 * `Symbol.for('smtpkit.error')` brand (shared by every smtpkit package).
 *
 * @example
 * ```ts
 * try { addRules('example.com,abc,user unknown'); } catch (e) { if (isSmtpErrorsError(e)) console.log(e.code, e.line); }
 * ```
 * @see RFC 3463 §2
 */
export class SmtpErrorsError extends Error {
  override readonly name = 'SmtpErrorsError';
  /** Stable, append-only machine-readable code, e.g. `ERR_SMTP_CLASS_BUILTIN`. */
  readonly code: SmtpErrorsErrorCode;
  /** Always `'local'`: these errors are API misuse, never caused by a peer. */
  readonly kind = 'local' as const;
  /** For `ERR_SMTP_RULE_SYNTAX`: the 1-based line of the rules text that failed. */
  readonly line: number | undefined;

  constructor(code: SmtpErrorsErrorCode, message: string, line?: number) {
    super(message);
    this.code = code;
    this.line = line;
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }
}

/**
 * True when `e` was thrown by smtp-errors (checked by brand and code prefix, not `instanceof`, so
 * it works across two copies of the package).
 *
 * @example
 * ```ts
 * try { createClassifier().registerClass(1, "x", "x", "hard"); } catch (e) { if (isSmtpErrorsError(e)) console.log(e.code); }
 * ```
 * @see RFC 3463 §2
 */
export function isSmtpErrorsError(e: unknown): e is SmtpErrorsError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as Record<symbol, unknown>)[BRAND] === true &&
    (e as { name?: unknown }).name === 'SmtpErrorsError'
  );
}
