/**
 * Typed errors of smtp-client-args: a stable string `code` per failure and a cross-realm brand, so
 * callers test `isSmtpError(e)` / `e.code` instead of `instanceof` (which breaks across two copies
 * of the package).
 */

const BRAND = Symbol.for('smtpkit.error');

/**
 * Every error code this package throws. Append-only: codes are never renamed or reused.
 *
 * @example
 * ```ts
 * if (isSmtpError(e) && e.code === 'ERR_SMTP_PARAM_UNKNOWN') reply(e.reply);
 * ```
 * @see RFC 5321 §4.1.2
 */
export type ArgsErrorCode =
  // Remote: what a client sent after MAIL / RCPT is not acceptable (carries the reply to send).
  | 'ERR_SMTP_COMMAND_SYNTAX'
  | 'ERR_SMTP_PATH_SYNTAX'
  | 'ERR_SMTP_PATH_TOO_LONG'
  | 'ERR_SMTP_NULL_PATH_NOT_ALLOWED'
  | 'ERR_SMTP_UTF8_NOT_ALLOWED'
  | 'ERR_SMTP_INVALID_UTF8'
  | 'ERR_SMTP_PARAM_SYNTAX'
  | 'ERR_SMTP_PARAM_DUPLICATE'
  | 'ERR_SMTP_PARAM_UNKNOWN'
  | 'ERR_SMTP_PARAM_VALUE'
  | 'ERR_SMTP_TOO_MANY_PARAMS'
  | 'ERR_SMTP_SIZE_EXCEEDED'
  // Local: API misuse (a builder was given something that cannot go on the wire).
  | 'ERR_SMTP_INVALID_ARGUMENT'
  | 'ERR_SMTP_CONTROL_CHARACTER'
  | 'ERR_SMTP_INVALID_PATH'
  | 'ERR_SMTP_UTF8_REQUIRED'
  | 'ERR_SMTP_INVALID_PARAM'
  | 'ERR_SMTP_INVALID_OPTION'
  | 'ERR_SMTP_XTEXT_SYNTAX';

/**
 * An SMTP reply a server should send back, as plain data (no exception).
 *
 * @example
 * ```ts
 * const r: ServerReply = { code: 555, enhanced: '5.5.4', text: 'Unsupported parameter FOO' };
 * ```
 * @see RFC 5321 §4.2, RFC 3463
 */
export interface ServerReply {
  /** Three-digit reply code, e.g. 501. */
  readonly code: number;
  /** Enhanced status code (RFC 3463), e.g. `5.5.4`. */
  readonly enhanced: string;
  /** Human-readable text, never containing the offending input. */
  readonly text: string;
}

/**
 * Base class of every error thrown by this package: a stable `code` and a non-enumerable
 * `Symbol.for('smtpkit.error')` brand.
 *
 * @example
 * ```ts
 * try { formatPath('a\r\nb@c'); } catch (e) { if (isSmtpError(e)) console.log(e.code); }
 * ```
 * @see RFC 5321 §4.1.2
 */
export abstract class SmtpError extends Error {
  /** Stable, append-only machine-readable code. */
  readonly code: ArgsErrorCode;
  /** `'remote'` when peer input was refused, `'local'` for API misuse. */
  abstract readonly kind: 'remote' | 'local';

  constructor(code: ArgsErrorCode, message: string) {
    super(message);
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }
}

/**
 * The caller asked a builder for something that cannot go on the wire (a control byte, a bad path,
 * an invalid parameter value). `argument` names the offending argument; the value is never echoed.
 *
 * @example
 * ```ts
 * try { formatMailFrom('a@b\r\nDATA', args); } catch (e) { if (isLocalProtocolError(e)) e.argument; } // 'path'
 * ```
 * @see RFC 5321 §4.1.2
 */
export class LocalProtocolError extends SmtpError {
  override readonly name = 'LocalProtocolError';
  readonly kind = 'local' as const;
  /** Name of the offending argument, e.g. `path`, `ENVID`, `options.limits`. */
  readonly argument: string;

  constructor(code: ArgsErrorCode, argument: string, message: string) {
    super(code, message);
    this.argument = argument;
  }
}

/**
 * A client sent MAIL or RCPT arguments a server must refuse. `reply` is the reply to send
 * (501, 553, 555, 552 with an enhanced code); the session continues.
 *
 * @example
 * ```ts
 * try { parseMailFrom('FROM:<a@b> FOO=1'); } catch (e) { if (isRemoteProtocolError(e)) send(e.reply); }
 * ```
 * @see RFC 5321 §4.1.1.2, §4.1.1.3, §4.2.2
 */
export class RemoteProtocolError extends SmtpError {
  override readonly name = 'RemoteProtocolError';
  readonly kind = 'remote' as const;
  /** The reply a server should send. */
  readonly reply: ServerReply;
  /** The parameter keyword at fault, upper-cased, when a parameter is at fault. */
  readonly keyword: string | undefined;

  constructor(code: ArgsErrorCode, reply: ServerReply, keyword?: string) {
    super(code, `${reply.code} ${reply.enhanced} ${reply.text}`);
    this.reply = reply;
    this.keyword = keyword;
  }
}

/**
 * True for any error thrown by an smtpkit package (checks the brand, works across package copies).
 *
 * @example
 * ```ts
 * catch (e) { if (isSmtpError(e)) log(e.code); else throw e; }
 * ```
 * @see RFC 5321 §4.1.2
 */
export function isSmtpError(e: unknown): e is SmtpError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * True for a refused client input carrying a `reply` ({@link RemoteProtocolError}).
 *
 * @example
 * ```ts
 * if (isRemoteProtocolError(e)) session.respond(e.reply);
 * ```
 * @see RFC 5321 §4.2.2
 */
export function isRemoteProtocolError(e: unknown): e is RemoteProtocolError {
  return isSmtpError(e) && e.kind === 'remote';
}

/**
 * True for an error caused by API misuse ({@link LocalProtocolError}).
 *
 * @example
 * ```ts
 * if (isLocalProtocolError(e)) console.error(`bad ${e.argument}`);
 * ```
 * @see RFC 5321 §4.1.2
 */
export function isLocalProtocolError(e: unknown): e is LocalProtocolError {
  return isSmtpError(e) && e.kind === 'local';
}
