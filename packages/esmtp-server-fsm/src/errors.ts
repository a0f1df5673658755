/**
 * The one error class of esmtp-server-fsm. A negative SMTP reply is never an exception: these are
 * only for API misuse by the application and local conditions.
 */
import { SmtpkitError, hasPackageBrand } from '@smtpkit/foundation';

/**
 * Stable error codes (append-only).
 *
 * @example
 * ```ts
 * if (isSmtpServerError(e) && e.code === 'ERR_SMTP_INVALID_REPLY') ...
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
  | 'ERR_SMTP_HOOK_TIMEOUT'
  | 'ERR_SMTP_INVALID_TRANSITION'
  | 'ERR_SMTP_INVALID_CONTINUATION'
  | 'ERR_SMTP_INVALID_ARGUMENT'
  | 'ERR_SMTP_PROXY_HEADER_INVALID'
  | 'ERR_SMTP_TLS_SNI_FAILED';

/**
 * Raised when the application uses the session wrongly (answering when no decision is pending,
 * passing a malformed reply, feeding bytes during the TLS handshake...), and by the Node adapter
 * for its own local conditions. `kind` is `'local'`.
 *
 * @example
 * ```ts
 * try { conn.accept(); } catch (e) { if (isSmtpServerError(e)) console.log(e.code); }
 * ```
 * @see RFC 5321 §4.2 (replies the application may send)
 */
export class SmtpServerError extends SmtpkitError {
  static readonly brandPackage = 'esmtp-server-fsm';
  declare readonly code: ServerErrorCode;
  constructor(code: ServerErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super('esmtp-server-fsm', code, message, 'local', options);
  }
}

/**
 * True for every error thrown by this package, in any copy of it (checked by brand, not identity);
 * false for errors of the other smtpkit packages (`isSmtpkitError` covers all of them).
 *
 * @example
 * ```ts
 * if (isSmtpServerError(e) && e.code === 'ERR_SMTP_NO_PENDING_DECISION') { ... }
 * ```
 * @see RFC 5321 §4.2
 */
export function isSmtpServerError(e: unknown): e is SmtpServerError {
  return hasPackageBrand(e, 'esmtp-server-fsm');
}
