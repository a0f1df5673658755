/** Checks applied to every caller-supplied string before a byte is queued (INJ-1, INJ-6, INJ-8). */
import { SmtpClientError } from './errors.js';

const encoder = new TextEncoder();

/**
 * Throws `ERR_SMTP_CLIENT_CONTROL_CHARACTER` if `value` holds a C0 control byte (TAB included) or DEL.
 * The error names the argument, never the value.
 *
 * @example
 * assertNoControl('EHLO name', 'mx.example'); // ok
 * @see RFC 5321 §2.3.8, §4.1.2
 */
export function assertNoControl(what: string, value: string): void {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) {
      throw new SmtpClientError('ERR_SMTP_CLIENT_CONTROL_CHARACTER', `${what} contains a control character`);
    }
  }
}

/** True when every character of `value` is ASCII. @internal */
export function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** UTF-8 length of a string. @internal */
export function utf8Length(value: string): number {
  return encoder.encode(value).length;
}

/**
 * Maximum reverse-path / forward-path length in octets, brackets included (INJ-6).
 *
 * @example
 * if (address.length + 2 > MAX_PATH_OCTETS) reject();
 * @see RFC 5321 §4.5.3.1.3
 */
export const MAX_PATH_OCTETS = 256;

/**
 * Validates a mailbox for MAIL FROM / RCPT TO: no control bytes, no angle brackets, no spaces
 * outside a quoted local part, at most 254 octets (256 with brackets). `''` is the null path.
 *
 * @example
 * assertAddress('recipient', 'user@example.com');
 * @see RFC 5321 §4.1.2, §4.5.3.1.3
 */
export function assertAddress(what: string, address: string, allowNull: boolean): void {
  assertNoControl(what, address);
  if (address === '') {
    if (allowNull) return;
    throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_ADDRESS', `${what} must not be empty`);
  }
  let quoted = false;
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i);
    if (c === 0x22) quoted = !quoted;
    else if (c === 0x5c && quoted) i++;
    else if (!quoted && (c === 0x3c || c === 0x3e || c === 0x20)) {
      throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_ADDRESS', `${what} holds '<', '>' or a space`);
    }
  }
  if (quoted) throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_ADDRESS', `${what} has an unterminated quote`);
  if (utf8Length(address) + 2 > MAX_PATH_OCTETS) {
    throw new SmtpClientError('ERR_SMTP_CLIENT_PATH_TOO_LONG', `${what} is longer than ${MAX_PATH_OCTETS - 2} octets`);
  }
}
