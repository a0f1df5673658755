/**
 * Typed errors of smtp-capabilities. Parsing an EHLO reply never throws (peer input problems become
 * warnings); these errors are for API misuse: formatting an EHLO reply with text that cannot go on
 * the wire, or registering an invalid extension definition.
 */

const BRAND = Symbol.for('smtpkit.error');

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
  | 'ERR_SMTP_INVALID_OPTION';

/**
 * The caller misused the API of smtp-capabilities. Carries a stable `code`, `kind: 'local'` and the
 * non-enumerable `Symbol.for('smtpkit.error')` brand shared by every smtpkit package, so
 * `isSmtpError` / `isLocalProtocolError` of smtp-reply-reader recognise it too.
 *
 * @example
 * ```ts
 * try { formatEhloReply({ domain: 'mx', keywords: ['SIZE\r\nX'] }); }
 * catch (e) { if (isCapabilitiesError(e)) console.log(e.code); } // ERR_SMTP_EHLO_INVALID_TEXT
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export class CapabilitiesError extends Error {
  override readonly name = 'CapabilitiesError';
  /** Stable, append-only machine-readable code. */
  readonly code: CapabilitiesErrorCode;
  /** Always `'local'`: these errors report API misuse, never peer input. */
  readonly kind = 'local' as const;

  constructor(code: CapabilitiesErrorCode, message: string) {
    super(message);
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }
}

/**
 * True for an error thrown by smtp-capabilities (checks the brand and the code prefix, so it works
 * across two copies of the package).
 *
 * @example
 * ```ts
 * catch (e) { if (isCapabilitiesError(e)) log(e.code); else throw e; }
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export function isCapabilitiesError(e: unknown): e is CapabilitiesError {
  if (typeof e !== 'object' || e === null) return false;
  const r = e as Record<PropertyKey, unknown>;
  return r[BRAND] === true && r.kind === 'local' && typeof r.code === 'string' && CODES.has(r.code);
}

const CODES: ReadonlySet<string> = new Set<CapabilitiesErrorCode>([
  'ERR_SMTP_EHLO_INVALID_TEXT',
  'ERR_SMTP_EHLO_INVALID_DOMAIN',
  'ERR_SMTP_EHLO_INVALID_KEYWORD',
  'ERR_SMTP_EHLO_INVALID_PARAM',
  'ERR_SMTP_EHLO_LINE_TOO_LONG',
  'ERR_SMTP_EXTENSION_INVALID',
  'ERR_SMTP_EXTENSION_DUPLICATE',
  'ERR_SMTP_INVALID_OPTION',
]);
