/**
 * Typed errors of smtp-capabilities. Parsing an EHLO reply never throws (peer input problems become
 * warnings); these errors are for API misuse: formatting an EHLO reply with text that cannot go on
 * the wire, or registering an invalid extension definition.
 */

import { SmtpkitError, hasPackageBrand } from '@smtpkit/foundation';

/**
 * Every error code this package throws. Append-only: codes are never renamed or reused.
 *
 * @example
 * ```ts
 * if (isCapabilitiesError(e) && e.code === 'ERR_SMTP_EHLO_LINE_TOO_LONG') shortenGreeting();
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export type CapabilitiesErrorCode =
  | 'ERR_SMTP_EHLO_INVALID_TEXT'
  | 'ERR_SMTP_EHLO_INVALID_DOMAIN'
  | 'ERR_SMTP_EHLO_INVALID_KEYWORD'
  | 'ERR_SMTP_EHLO_INVALID_PARAM'
  | 'ERR_SMTP_EHLO_LINE_TOO_LONG'
  | 'ERR_SMTP_EXTENSION_INVALID'
  | 'ERR_SMTP_EXTENSION_DUPLICATE'
  | 'ERR_SMTP_INVALID_OPTION'
  | 'ERR_SMTP_INVALID_ARGUMENT'
  | 'ERR_SMTP_EHLO_TOO_MANY_PARAMS'
  | 'ERR_SMTP_EHLO_TOO_MANY_KEYWORDS';

/**
 * The one error class of smtp-capabilities: the caller misused the API (formatting an EHLO reply with
 * text that cannot go on the wire, registering an invalid extension, an invalid option). A subclass of
 * the toolkit-wide `SmtpkitError` with a stable `code`, `package: 'smtp-capabilities'` and
 * `kind: 'local'` (parsing peer input never throws: problems become warnings).
 *
 * @example
 * ```ts
 * try { formatEhloReply({ domain: 'mx', keywords: ['SIZE\r\nX'] }); }
 * catch (e) { if (isCapabilitiesError(e)) console.log(e.code); } // ERR_SMTP_EHLO_INVALID_TEXT
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export class CapabilitiesError extends SmtpkitError {
  /** Brand value: `instanceof CapabilitiesError` matches this package's errors from any copy. */
  static readonly brandPackage = 'smtp-capabilities';
  declare readonly code: CapabilitiesErrorCode;
  /** Always `'local'`: these errors report API misuse, never peer input. */
  declare readonly kind: 'local';

  constructor(code: CapabilitiesErrorCode, message: string) {
    super('smtp-capabilities', code, message, 'local');
    // Bundlers may rename the class binding (`_CapabilitiesError`); the name users see stays fixed.
  }
}

/**
 * True for an error thrown by smtp-capabilities (any copy of the package); false for the errors of
 * the other smtpkit packages.
 *
 * @example
 * ```ts
 * catch (e) { if (isCapabilitiesError(e)) log(e.code); else throw e; }
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export function isCapabilitiesError(e: unknown): e is CapabilitiesError {
  return hasPackageBrand(e, 'smtp-capabilities');
}
