/**
 * Typed errors of smtp-client-fsm: one class, {@link SmtpClientError}, with a stable string `code`
 * per failure.
 */

import { SmtpkitError, hasPackageBrand } from '@smtpkit/foundation';

/**
 * Every error code of smtp-client-fsm. Append-only: codes are never renamed or reused.
 *
 * @example
 * if (isSmtpClientError(e) && e.code === 'ERR_SMTP_CLIENT_CONTROL_CHARACTER') rejectInput();
 * @see RFC 5321 §4.1, RFC 3207 §4.2
 */
export type ClientErrorCode =
  // Local: API misuse (thrown).
  | 'ERR_SMTP_CLIENT_INVALID_OPTION'
  | 'ERR_SMTP_CLIENT_CONTROL_CHARACTER'
  | 'ERR_SMTP_CLIENT_INVALID_ADDRESS'
  | 'ERR_SMTP_CLIENT_INVALID_PARAMETER'
  | 'ERR_SMTP_CLIENT_PATH_TOO_LONG'
  | 'ERR_SMTP_CLIENT_BARE_LINE_ENDING'
  | 'ERR_SMTP_CLIENT_STATE_INCOMPLETE'
  | 'ERR_SMTP_CLIENT_UNKNOWN_STATE'
  | 'ERR_SMTP_CLIENT_DUPLICATE_STATE'
  | 'ERR_SMTP_CLIENT_NOT_IN_BODY'
  | 'ERR_SMTP_CLIENT_NOT_AWAITING_TLS'
  | 'ERR_SMTP_CLIENT_CLOSED'
  | 'ERR_SMTP_CLIENT_STATE_LOOP'
  | 'ERR_SMTP_CLIENT_REPLIES_OUTSTANDING'
  | 'ERR_SMTP_CLIENT_RAW_WRITE'
  // Remote or connection-level (reported in `error` events and message results).
  | 'ERR_SMTP_CLIENT_PROTOCOL'
  | 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY'
  | 'ERR_SMTP_CLIENT_STARTTLS_INJECTION'
  | 'ERR_SMTP_CLIENT_TLS_REQUIRED'
  | 'ERR_SMTP_CLIENT_INSECURE_AUTH'
  | 'ERR_SMTP_CLIENT_AUTH_UNAVAILABLE'
  | 'ERR_SMTP_CLIENT_AUTH_FAILED'
  | 'ERR_SMTP_CLIENT_TIMEOUT'
  | 'ERR_SMTP_CLIENT_CONNECTION_LOST'
  | 'ERR_SMTP_CLIENT_TLS_FAILED'
  | 'ERR_SMTP_CLIENT_GREETING_REJECTED'
  | 'ERR_SMTP_CLIENT_HELLO_REJECTED'
  // Message-level local failures (reported in `message-sent` results, never thrown).
  | 'ERR_SMTP_CLIENT_HOOK_FAILED'
  | 'ERR_SMTP_CLIENT_COMMAND_TOO_LONG'
  | 'ERR_SMTP_CLIENT_SMTPUTF8_UNAVAILABLE'
  | 'ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE'
  | 'ERR_SMTP_CLIENT_BINARYMIME_UNAVAILABLE'
  | 'ERR_SMTP_CLIENT_REQUIRETLS_UNAVAILABLE'
  | 'ERR_SMTP_CLIENT_MESSAGE_TOO_LARGE'
  | 'ERR_SMTP_CLIENT_MAILMAX_REACHED'
  | 'ERR_SMTP_CLIENT_RECIPIENT_DEFERRED'
  | 'ERR_SMTP_CLIENT_NO_RECIPIENTS'
  | 'ERR_SMTP_CLIENT_RSET_REFUSED'
  // Local: a body line over 998 octets (thrown, or the message's result for a streamed body).
  | 'ERR_SMTP_CLIENT_LINE_TOO_LONG'
  // `./node`'s `deliver`: `maxAddresses` exchanger addresses tried, recipients left deferred (a result).
  | 'ERR_SMTP_CLIENT_MAX_ADDRESSES_REACHED'
  // `./node`'s `deliver`: `maxSessions` sessions tried, recipients left deferred (a result).
  | 'ERR_SMTP_CLIENT_MAX_SESSIONS_REACHED'
  // `xclientState(..., { required: true })` and a server that does not offer XCLIENT (permanent).
  | 'ERR_SMTP_CLIENT_XCLIENT_UNAVAILABLE'
  // `./node`'s `deliver`: `isAllowedAddress` refused a domain's addresses and none was dialled (a
  // result: permanent when it answered, deferred when it threw).
  | 'ERR_SMTP_CLIENT_ADDRESS_REFUSED'
  // `./node`'s `deliver`: a body factory that threw, rejected or returned no body source, or a source
  // it returned that failed while it was read (a result: deferred).
  | 'ERR_SMTP_CLIENT_BODY_SOURCE_FAILED';

/**
 * The one error class of smtp-client-fsm, a subclass of the smtpkit-wide `SmtpkitError`: a stable
 * `code`, `kind` (`'local'` for API misuse, `'remote'` when the peer or the connection failed),
 * `package` (`'smtp-client-fsm'`) and, for a refused greeting and the like, the server `reply`.
 * `instanceof` works across two copies of the package (it tests a brand, not the prototype).
 *
 * @example
 * try { conn.sendMessage({ from: 'a@b\r\n', to: ['c@d'] }); } catch (e) { if (isSmtpClientError(e)) log(e.code); }
 * @see RFC 5321 §4.1
 */
export class SmtpClientError extends SmtpkitError {
  static readonly brandPackage = 'smtp-client-fsm';
  declare readonly code: ClientErrorCode;
  /** The server reply behind a remote failure, when there was one (e.g. a refused greeting). */
  readonly reply?: { readonly code: number; readonly text: string };

  constructor(code: ClientErrorCode, message: string, kind: 'local' | 'remote' = 'local', options?: { cause?: unknown; reply?: { readonly code: number; readonly text: string } }) {
    super('smtp-client-fsm', code, message, kind, options?.cause !== undefined ? { cause: options.cause } : undefined);
    if (options?.reply) this.reply = options.reply;
  }
}

/**
 * True for an error raised by smtp-client-fsm (any copy of it); `isSmtpkitError` is true for
 * every smtpkit package's errors.
 *
 * @example
 * catch (e) { if (isSmtpClientError(e) && e.kind === 'local') throw e; }
 */
export function isSmtpClientError(e: unknown): e is SmtpClientError {
  return hasPackageBrand(e, 'smtp-client-fsm');
}

/** @internal */
export function usage(code: ClientErrorCode, message: string): SmtpClientError {
  return new SmtpClientError(code, message, 'local');
}

/** Every code, for the run-time check of a code given by the caller (the type keeps the list exhaustive). */
const CODES: Readonly<Record<ClientErrorCode, true>> = {
  ERR_SMTP_CLIENT_INVALID_OPTION: true,
  ERR_SMTP_CLIENT_CONTROL_CHARACTER: true,
  ERR_SMTP_CLIENT_INVALID_ADDRESS: true,
  ERR_SMTP_CLIENT_INVALID_PARAMETER: true,
  ERR_SMTP_CLIENT_PATH_TOO_LONG: true,
  ERR_SMTP_CLIENT_BARE_LINE_ENDING: true,
  ERR_SMTP_CLIENT_STATE_INCOMPLETE: true,
  ERR_SMTP_CLIENT_UNKNOWN_STATE: true,
  ERR_SMTP_CLIENT_DUPLICATE_STATE: true,
  ERR_SMTP_CLIENT_NOT_IN_BODY: true,
  ERR_SMTP_CLIENT_NOT_AWAITING_TLS: true,
  ERR_SMTP_CLIENT_CLOSED: true,
  ERR_SMTP_CLIENT_STATE_LOOP: true,
  ERR_SMTP_CLIENT_REPLIES_OUTSTANDING: true,
  ERR_SMTP_CLIENT_RAW_WRITE: true,
  ERR_SMTP_CLIENT_PROTOCOL: true,
  ERR_SMTP_CLIENT_UNEXPECTED_REPLY: true,
  ERR_SMTP_CLIENT_STARTTLS_INJECTION: true,
  ERR_SMTP_CLIENT_TLS_REQUIRED: true,
  ERR_SMTP_CLIENT_INSECURE_AUTH: true,
  ERR_SMTP_CLIENT_AUTH_UNAVAILABLE: true,
  ERR_SMTP_CLIENT_AUTH_FAILED: true,
  ERR_SMTP_CLIENT_TIMEOUT: true,
  ERR_SMTP_CLIENT_CONNECTION_LOST: true,
  ERR_SMTP_CLIENT_TLS_FAILED: true,
  ERR_SMTP_CLIENT_GREETING_REJECTED: true,
  ERR_SMTP_CLIENT_HELLO_REJECTED: true,
  ERR_SMTP_CLIENT_HOOK_FAILED: true,
  ERR_SMTP_CLIENT_COMMAND_TOO_LONG: true,
  ERR_SMTP_CLIENT_SMTPUTF8_UNAVAILABLE: true,
  ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE: true,
  ERR_SMTP_CLIENT_BINARYMIME_UNAVAILABLE: true,
  ERR_SMTP_CLIENT_REQUIRETLS_UNAVAILABLE: true,
  ERR_SMTP_CLIENT_MESSAGE_TOO_LARGE: true,
  ERR_SMTP_CLIENT_MAILMAX_REACHED: true,
  ERR_SMTP_CLIENT_RECIPIENT_DEFERRED: true,
  ERR_SMTP_CLIENT_NO_RECIPIENTS: true,
  ERR_SMTP_CLIENT_RSET_REFUSED: true,
  ERR_SMTP_CLIENT_LINE_TOO_LONG: true,
  ERR_SMTP_CLIENT_MAX_ADDRESSES_REACHED: true,
  ERR_SMTP_CLIENT_MAX_SESSIONS_REACHED: true,
  ERR_SMTP_CLIENT_XCLIENT_UNAVAILABLE: true,
  ERR_SMTP_CLIENT_ADDRESS_REFUSED: true,
  ERR_SMTP_CLIENT_BODY_SOURCE_FAILED: true,
};

/** @internal True when `code` is one of {@link ClientErrorCode}. */
export function isClientErrorCode(code: unknown): code is ClientErrorCode {
  return typeof code === 'string' && Object.hasOwn(CODES, code);
}
