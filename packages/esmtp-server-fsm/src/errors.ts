/**
 * Typed exceptions of the server session. A negative SMTP reply is never an exception: these are
 * only for API misuse by the application (`LocalProtocolError`).
 */

/**
 * Stable error codes (append-only).
 *
 * @example
 * ```ts
 * if (isServerError(e) && e.code === 'ERR_SMTP_INVALID_REPLY') ...
 * ```
 * @see RFC 5321 §4.2
 */
export type ServerErrorCode =
  | 'ERR_SMTP_NO_PENDING_DECISION'
  | 'ERR_SMTP_INVALID_REPLY'
  | 'ERR_SMTP_INVALID_OPTION'
  | 'ERR_SMTP_CONNECTION_CLOSED'
  | 'ERR_SMTP_DATA_DURING_TLS_HANDSHAKE'
  | 'ERR_SMTP_NOT_AWAITING_TLS'
  | 'ERR_SMTP_UNSAFE_HEADER_VALUE'
  | 'ERR_SMTP_DISPOSED'
  | 'ERR_SMTP_MESSAGE_ABORTED'
  | 'ERR_SMTP_HOOK_TIMEOUT';

const BRAND = Symbol.for('smtpkit.error');

/**
 * Raised when the application uses the session wrongly (answering when no decision is pending,
 * passing a malformed reply, feeding bytes during the TLS handshake...).
 *
 * @example
 * ```ts
 * try { conn.accept(); } catch (e) { if (isServerError(e)) console.log(e.code); }
 * ```
 * @see RFC 5321 §4.2 (replies the application may send)
 */
export class LocalProtocolError extends Error {
  /** Stable machine-readable code. */
  readonly code: ServerErrorCode;
  constructor(code: ServerErrorCode, message: string) {
    super(message);
    this.name = 'LocalProtocolError';
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }
}

/**
 * True for every error thrown by this package (checked by brand, so it works across two copies of
 * the package, unlike `instanceof`).
 *
 * @example
 * ```ts
 * if (isServerError(e) && e.code === 'ERR_SMTP_NO_PENDING_DECISION') { ... }
 * ```
 * @see RFC 5321 §4.2
 */
export function isServerError(e: unknown): e is LocalProtocolError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true && typeof (e as { code?: unknown }).code === 'string';
}
