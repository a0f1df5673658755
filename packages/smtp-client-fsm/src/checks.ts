/**
 * @internal Checks applied to caller-supplied strings before a byte is queued (INJ-1, INJ-6,
 * INJ-8). Paths and parameters are validated by smtp-client-args; its typed errors become this
 * package's, naming the field and never echoing the value.
 */
import { formatPath, parsePath } from 'smtp-client-args';
import { mailboxKey } from '@smtpkit/foundation';
import { SmtpClientError } from './errors.js';
import type { ClientErrorCode } from './errors.js';

/** Throws `ERR_SMTP_CLIENT_CONTROL_CHARACTER` if `value` holds a C0 control byte (TAB included) or DEL. */
export function assertNoControl(what: string, value: string): void {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) throw new SmtpClientError('ERR_SMTP_CLIENT_CONTROL_CHARACTER', `${what} contains a control character`);
  }
}

/** True when `value` can stand as the argument of EHLO: one word, no space or control byte. */
export function isEhloWord(value: unknown): value is string {
  if (typeof value !== 'string' || value === '') return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return false;
  }
  return true;
}

/** True when every character of `value` is ASCII. */
export function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Characters that would make `http://<domain>/` mean something else than a host name. */
const NOT_IN_A_HOST = /[\s:/?#@[\]\\%]/;

/**
 * The address with an internationalized domain written in A-labels (`xn--...`, the ASCII form of
 * its labels, RFC 5890 §2.3.2.1), so that it needs no SMTPUTF8 (RFC 6531: needed only for
 * non-ASCII on the wire): possible when the local part is ASCII. The conversion is the platform's
 * WHATWG URL host parser (UTS #46 processing, as browsers resolve host names).
 * The address itself when it is ASCII; undefined when it cannot be written in ASCII (a non-ASCII
 * local part, or a domain that does not convert to a host name).
 *
 * @example
 * ```ts
 * asciiAddress('user@bücher.example'); // 'user@xn--bcher-kva.example'
 * asciiAddress('üser@bücher.example'); // undefined: the local part needs SMTPUTF8
 * ```
 */
export function asciiAddress(address: string): string | undefined {
  if (isAscii(address)) return address;
  const at = address.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (!isAscii(local) || domain === '' || NOT_IN_A_HOST.test(domain)) return undefined;
  let host: string;
  try {
    host = new URL(`http://${domain}/`).hostname;
  } catch {
    return undefined;
  }
  return isHostName(host) ? `${local}@${host}` : undefined;
}

/**
 * The key under which two spellings of a recipient are one mailbox: the local part exactly, the
 * domain in any case (RFC 5321 §2.4) and in U-labels or A-labels (RFC 5890 §2.3.2.1). The core
 * sends one RCPT per key; `deliver` groups and reports by it too.
 *
 * @example
 * ```ts
 * recipientKey('Bob@Bücher.Example') === recipientKey('Bob@xn--bcher-kva.example'); // true
 * ```
 */
export function recipientKey(address: string): string {
  const at = address.lastIndexOf('@');
  const domain = asciiAddress(`x@${address.slice(at + 1)}`);
  return mailboxKey(at > 0 && domain ? address.slice(0, at + 1) + domain.slice(2) : address);
}

/**
 * A domain name by smtp-client-args' path grammar whose last label has a letter (never an IP
 * address the mapping may have produced).
 */
function isHostName(host: string): boolean {
  try {
    const path = parsePath(`<x@${host}>`, { smtpUtf8: false });
    if (path.kind !== 'mailbox' || path.domainKind !== 'name') return false;
  } catch {
    return false;
  }
  return /[a-z]/.test(host.slice(host.lastIndexOf('.') + 1));
}

/**
 * How a message's envelope goes on the wire: every address written in ASCII when each one can be
 * (`wire` maps the ones whose domain changed to A-labels, undefined when none did), else
 * `smtputf8` and every address as given. SMTPUTF8 is then declared only for a non-ASCII local
 * part, so that no later hop without it can bounce the message for its domains alone.
 *
 * @example
 * ```ts
 * envelopeForms(['a@x.example', 'user@bücher.example']); // { smtputf8: false, wire: Map { 'user@bücher.example' => 'user@xn--bcher-kva.example' } }
 * ```
 */
export function envelopeForms(addresses: Iterable<string>): { readonly smtputf8: boolean; readonly wire: ReadonlyMap<string, string> | undefined } {
  let wire: Map<string, string> | undefined;
  for (const a of addresses) {
    const form = asciiAddress(a);
    if (form === undefined) return { smtputf8: true, wire: undefined };
    if (form !== a) (wire ??= new Map()).set(a, form);
  }
  return { smtputf8: false, wire };
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
