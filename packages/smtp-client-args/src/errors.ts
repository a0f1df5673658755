/**
 * The error class of smtp-client-args: a stable string `code` per failure and the toolkit's
 * cross-copy brand, so callers test `isClientArgsError(e)` / `e.code`.
 */

import { SmtpkitError, hasPackageBrand, typeName, isOptionsObject } from '@smtpkit/foundation';
import { findControl } from './text.js';

/**
 * Every error code this package throws. Append-only: codes are never renamed or reused.
 *
 * @example
 * ```ts
 * if (isClientArgsError(e) && e.kind === 'remote' && e.code === 'ERR_SMTP_PARAM_UNKNOWN') reply(e.reply);
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
  | 'ERR_SMTP_XTEXT_SYNTAX'
  | 'ERR_SMTP_EXTENSION_REQUIRED'
  | 'ERR_SMTP_COMMAND_TOO_LONG';

/**
 * `ERR_SMTP_INVALID_OPTION` naming `options` when `options` is given but is not an object (a list
 * is not one); the options otherwise (an empty object when undefined). @internal
 */
export function optionsObject<T extends object>(options: T | undefined, fallback: T): T {
  if (options === undefined) return fallback;
  if (!isOptionsObject(options)) {
    throw ClientArgsError.local('ERR_SMTP_INVALID_OPTION', 'options', `options must be an object, got ${typeName(options)}`);
  }
  return options;
}

/**
 * A boolean option: `true`, `false` or `undefined` as given; anything else (`'no'`, `1`, `null`) is
 * `ERR_SMTP_INVALID_OPTION` naming the option (or `code` when the field belongs to an argument).
 * @internal
 */
export function booleanOption(value: unknown, name: string, code: 'ERR_SMTP_INVALID_OPTION' | 'ERR_SMTP_INVALID_ARGUMENT' = 'ERR_SMTP_INVALID_OPTION'): boolean | undefined {
  if (value === undefined || value === true || value === false) return value;
  throw ClientArgsError.local(code, name, `${name} must be true or false, got ${typeName(value)}`);
}

/** `ERR_SMTP_CONTROL_CHARACTER` naming `argument` when `value` holds a control character (never the value). @internal */
export function noControls(value: string, argument: string): void {
  if (findControl(value) >= 0) {
    throw ClientArgsError.local('ERR_SMTP_CONTROL_CHARACTER', argument, `${argument} contains a control character`);
  }
}

/** `ERR_SMTP_INVALID_ARGUMENT` naming `text` unless `text` is a string. @internal */
export function stringArgument(text: unknown, name = 'text'): asserts text is string {
  if (typeof text !== 'string') {
    throw ClientArgsError.local('ERR_SMTP_INVALID_ARGUMENT', name, `${name} must be a string, got ${typeName(text)}`);
  }
}

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
 * The one error class of smtp-client-args, a subclass of the toolkit-wide `SmtpkitError` with a
 * stable `code` and `package: 'smtp-client-args'`. `kind` says which side is at fault:
 *
 * - `'remote'`: a client sent MAIL or RCPT arguments a server must refuse. `reply` is the reply to
 *   send (501, 553, 555 or 552 with an enhanced code; it never echoes the input) and `keyword` the
 *   upper-cased parameter at fault, if one is; the session continues.
 * - `'local'`: a builder was asked for something that cannot go on the wire (a control byte, a bad
 *   path, an invalid parameter value). `argument` names the offending argument; the value is never
 *   echoed.
 *
 * @example
 * ```ts
 * try { parseMailFrom('FROM:<a@b> FOO=1'); }
 * catch (e) { if (isClientArgsError(e) && e.kind === 'remote') send(e.reply); else throw e; }
 * ```
 * @see RFC 5321 §4.1.1.2, §4.1.1.3, §4.1.2, §4.2.2
 */
export class ClientArgsError extends SmtpkitError {
  /** Brand value: `instanceof ClientArgsError` matches this package's errors from any copy. */
  static readonly brandPackage = 'smtp-client-args';
  declare readonly code: ArgsErrorCode;
  /** Local errors: the offending argument, e.g. `path`, `ENVID`, `options.limits`. Remote: `undefined`. */
  readonly argument: string | undefined;
  /** Remote errors: the reply a server should send. Local: `undefined`. */
  readonly reply: ServerReply | undefined;
  /** Remote errors: the parameter keyword at fault, upper-cased, when a parameter is at fault. */
  readonly keyword: string | undefined;

  constructor(
    code: ArgsErrorCode,
    message: string,
    kind: 'remote' | 'local',
    details: { readonly argument?: string; readonly reply?: ServerReply; readonly keyword?: string } = {},
  ) {
    super('smtp-client-args', code, message, kind);
    // Bundlers may rename the class binding (`_ClientArgsError`); the name users see stays fixed.
    this.argument = details.argument;
    this.reply = details.reply;
    this.keyword = details.keyword;
  }

  /** @internal A builder was given `argument` that cannot go on the wire. */
  static local(code: ArgsErrorCode, argument: string, message: string): ClientArgsLocalError {
    return new ClientArgsError(code, message, 'local', { argument }) as ClientArgsLocalError;
  }

  /** @internal A client's MAIL/RCPT arguments must be refused with `reply`. */
  static remote(code: ArgsErrorCode, reply: ServerReply, keyword?: string): ClientArgsRemoteError {
    return new ClientArgsError(code, `${reply.code} ${reply.enhanced} ${reply.text}`, 'remote', keyword === undefined ? { reply } : { reply, keyword }) as ClientArgsRemoteError;
  }
}

/**
 * A {@link ClientArgsError} with `kind: 'remote'`: `reply` is always set.
 *
 * @example
 * ```ts
 * if (isClientArgsError(e) && e.kind === 'remote') session.respond(e.reply); // e: ClientArgsRemoteError
 * ```
 */
export type ClientArgsRemoteError = ClientArgsError & { readonly kind: 'remote'; readonly reply: ServerReply; readonly argument: undefined };

/**
 * A {@link ClientArgsError} with `kind: 'local'`: `argument` is always set.
 *
 * @example
 * ```ts
 * if (isClientArgsError(e) && e.kind === 'local') console.error(`bad ${e.argument}`); // e: ClientArgsLocalError
 * ```
 */
export type ClientArgsLocalError = ClientArgsError & { readonly kind: 'local'; readonly argument: string; readonly reply: undefined; readonly keyword: undefined };

/**
 * True for an error thrown by smtp-client-args (any copy of the package); false for the errors of
 * the other smtpkit packages. Narrow on `e.kind`: `'remote'` has `reply`, `'local'` has `argument`.
 *
 * @example
 * ```ts
 * catch (e) { if (isClientArgsError(e) && e.kind === 'remote') session.respond(e.reply); else throw e; }
 * ```
 * @see RFC 5321 §4.1.2
 */
export function isClientArgsError(e: unknown): e is ClientArgsRemoteError | ClientArgsLocalError {
  return hasPackageBrand(e, 'smtp-client-args');
}
