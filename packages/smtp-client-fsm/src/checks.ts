/**
 * @internal Checks applied to caller-supplied strings before a byte is queued (INJ-1, INJ-6,
 * INJ-8). Paths and parameters are validated by smtp-client-args; its typed errors become this
 * package's, naming the field and never echoing the value.
 */
import { formatPath } from 'smtp-client-args';
import { SmtpClientError } from './errors.js';
import type { ClientErrorCode } from './errors.js';

/** Throws `ERR_SMTP_CLIENT_CONTROL_CHARACTER` if `value` holds a C0 control byte (TAB included) or DEL. */
export function assertNoControl(what: string, value: string): void {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) throw new SmtpClientError('ERR_SMTP_CLIENT_CONTROL_CHARACTER', `${what} contains a control character`);
  }
}

/** True when every character of `value` is ASCII. */
export function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0x7f) return false;
  return true;
}

const ARGS_CODES: Readonly<Record<string, ClientErrorCode>> = {
  ERR_SMTP_CONTROL_CHARACTER: 'ERR_SMTP_CLIENT_CONTROL_CHARACTER',
  ERR_SMTP_PATH_TOO_LONG: 'ERR_SMTP_CLIENT_PATH_TOO_LONG',
};

/** Runs an smtp-client-args builder or check, turning its typed error into this package's. */
export function argsCheck<T>(field: string, f: () => T, code: ClientErrorCode = 'ERR_SMTP_CLIENT_INVALID_PARAMETER'): T {
  try {
    return f();
  } catch (e) {
    // Until the shared error classes land everywhere, smtp-client-args' errors are told by their code.
    const c = (e as { code?: unknown } | null)?.code;
    if (typeof c !== 'string' || !c.startsWith('ERR_SMTP_')) throw e;
    const message = e instanceof Error ? e.message.replace(/^path: /, '') : c;
    throw new SmtpClientError(ARGS_CODES[c] ?? code, `${field}: ${message}`, 'local', { cause: e });
  }
}

/**
 * A MAIL FROM / RCPT TO address: no control bytes, no angle brackets (the client adds them), not
 * empty unless the null path is allowed, then smtp-client-args' path grammar and length limits
 * (RFC 5321 §4.1.2, §4.5.3.1.3). Nothing is queued when it throws.
 */
export function checkPath(field: string, address: string, allowNull: boolean): void {
  assertNoControl(field, address);
  if (address === '') {
    if (allowNull) return;
    throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_ADDRESS', `${field} must not be empty`);
  }
  if (address.charCodeAt(0) === 0x3c || address.charCodeAt(address.length - 1) === 0x3e) {
    throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_ADDRESS', `${field}: give the address without '<' and '>'`);
  }
  argsCheck(field, () => formatPath(address, { smtpUtf8: true }), 'ERR_SMTP_CLIENT_INVALID_ADDRESS');
}
