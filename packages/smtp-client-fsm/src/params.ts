/** DSN options and xtext for MAIL/RCPT parameters (the hooks use smtp-client-args' `SmtpClientArgs`). */
import { SmtpClientError } from './errors.js';

/**
 * Encodes a free-text value as xtext (RFC 3461 §4): `+XX` for `+`, `=`, and bytes outside 33-126.
 *
 * @example
 * xtext('a b=c'); // 'a+20b+3Dc'
 * @see RFC 3461 §4
 */
export function xtext(value: string): string {
  const bytes = new TextEncoder().encode(value);
  let out = '';
  for (const b of bytes) {
    if (b < 33 || b > 126 || b === 0x2b || b === 0x3d) out += '+' + b.toString(16).toUpperCase().padStart(2, '0');
    else out += String.fromCharCode(b);
  }
  return out;
}

/**
 * DSN parameters of a message (RFC 3461), sent only when the server advertises DSN.
 *
 * @example
 * const dsn: DsnOptions = { ret: 'HDRS', envid: 'abc', notify: ['FAILURE', 'DELAY'] };
 * @see RFC 3461 §4
 */
export interface DsnOptions {
  readonly ret?: 'FULL' | 'HDRS';
  readonly envid?: string;
  readonly notify?: readonly ('NEVER' | 'SUCCESS' | 'FAILURE' | 'DELAY')[];
  /** Original recipient per recipient address (sent as `ORCPT=rfc822;<xtext>`). */
  readonly orcpt?: Readonly<Record<string, string>>;
}

/** @internal Validates NOTIFY (NEVER alone or a subset of the others). */
export function notifyValue(list: readonly string[]): string {
  const allowed = new Set(['NEVER', 'SUCCESS', 'FAILURE', 'DELAY']);
  const upper = list.map((x) => x.toUpperCase());
  if (upper.length === 0 || upper.some((x) => !allowed.has(x)) || (upper.includes('NEVER') && upper.length > 1)) {
    throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'NOTIFY must be NEVER or a list of SUCCESS, FAILURE, DELAY');
  }
  return upper.join(',');
}
