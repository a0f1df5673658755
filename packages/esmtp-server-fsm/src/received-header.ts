/**
 * A safe builder for the `Received:` trace header (RFC 5321 §4.4, RFC 3848 `with` keywords).
 * Every value is checked: no CR, LF or other control characters can reach the header
 * (greenmail #1009-style trace injection), and free text goes into a comment with its
 * parentheses and backslashes escaped.
 */
import { SmtpServerError } from './errors.js';
import { bareAddressLiteral, mappedIPv4 } from './host-name.js';
import { unsafeTextAt } from './peer-text.js';

/**
 * The facts of one hop. `date` is an RFC 5322 date-time string supplied by the caller.
 *
 * @example
 * ```ts
 * const info: ReceivedInfo = { by: 'mx.example', protocol: 'ESMTPS', date: new Date().toUTCString() };
 * ```
 * @see RFC 5321 §4.4
 */
export interface ReceivedInfo {
  /** The name the client gave in HELO/EHLO. */
  readonly helo?: string;
  /**
   * The client's IP address (and optionally its verified reverse name): IPv4, IPv6 (written
   * `[IPv6:...]`), IPv4-mapped IPv6 (written as the IPv4 literal) or already an address literal.
   */
  readonly clientAddress?: string;
  readonly clientHostname?: string;
  /** Our host name (`session.hostname`); a bare IP address is written as its address literal. */
  readonly by: string;
  /** RFC 3848 protocol: SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA, LMTP... */
  readonly protocol: string;
  readonly id?: string;
  /** A single recipient, only when the message has exactly one (privacy). */
  readonly for?: string;
  /** TLS details for a comment, e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384". */
  readonly tls?: string;
  readonly date: string;
}

function clean(field: string, value: string, atomOnly: boolean): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    // atom specials include '"': a quote in a token would open a quoted string that never ends
    if (unsafeTextAt(value, i) || (atomOnly && (c === 32 || c === 34 || c === 40 || c === 41 || c === 59 || c === 60 || c === 62 || c === 92))) {
      throw new SmtpServerError('ERR_SMTP_UNSAFE_HEADER_VALUE', `unsafe character in Received ${field}`);
    }
  }
  return value;
}

/**
 * The `for` path: an address whose local part may be a quoted string (RFC 5321 §4.1.2:
 * `"john smith"@d.example`). Quotes must balance (a backslash escapes inside them); outside
 * quotes no space or special; no control, separator or format character anywhere.
 */
function cleanPath(value: string): string {
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (unsafeTextAt(value, i)) throw new SmtpServerError('ERR_SMTP_UNSAFE_HEADER_VALUE', 'unsafe character in Received for');
    if (quoted) {
      if (c === 92) {
        // quoted-pair: the escaped character is checked like any other
        i++;
        if (i >= value.length || unsafeTextAt(value, i)) throw new SmtpServerError('ERR_SMTP_UNSAFE_HEADER_VALUE', 'unsafe character in Received for');
      } else if (c === 34) quoted = false;
      continue;
    }
    if (c === 34) quoted = true;
    else if (c === 32 || c === 40 || c === 41 || c === 59 || c === 60 || c === 62 || c === 92) {
      throw new SmtpServerError('ERR_SMTP_UNSAFE_HEADER_VALUE', 'unsafe character in Received for');
    }
  }
  if (quoted) throw new SmtpServerError('ERR_SMTP_UNSAFE_HEADER_VALUE', 'unbalanced quote in Received for');
  return value;
}

/**
 * The client's address as the address literal of TCP-info (RFC 5321 §4.4, §4.1.3): `[192.0.2.1]`,
 * `[IPv6:2001:db8::1]`; an IPv4-mapped IPv6 address (how a dual-stack socket reports an IPv4
 * client) as its IPv4 literal; an address tagged `IPv6:` (XCLIENT's ADDR form) tagged once; a value
 * already in literal form (`[...]`) as it is. A bracket anywhere else is refused.
 */
function addressLiteral(address: string): string {
  const open = address.indexOf('[');
  const close = address.indexOf(']');
  if (open === 0 && close === address.length - 1 && address.length > 2 && address.indexOf('[', 1) < 0) return address;
  if (open >= 0 || close >= 0) throw new SmtpServerError('ERR_SMTP_UNSAFE_HEADER_VALUE', 'unsafe character in Received clientAddress');
  const bare = address.slice(0, 5).toLowerCase() === 'ipv6:' ? address.slice(5) : address;
  if (bare === address && !address.includes(':')) return `[${address}]`;
  const v4 = mappedIPv4(bare);
  return v4 === undefined ? `[IPv6:${bare}]` : `[${v4}]`;
}

const comment = (s: string): string => s.replace(/[\\()]/g, (c) => `\\${c}`);

/**
 * Builds a `Received:` header line (folded, CRLF-terminated). Throws
 * `ERR_SMTP_UNSAFE_HEADER_VALUE` when a token field holds a control, space, quote or special, or
 * when any field holds a line/paragraph separator or a bidi/format character; `for` may be a
 * quoted local part with balanced quotes (`"john smith"@d.example`).
 *
 * @example
 * ```ts
 * buildReceivedHeader({ helo: 'client.example', clientAddress: '192.0.2.1', by: 'mx.example',
 *   protocol: conn.session.protocol, id: 'abc123', date: new Date().toUTCString() });
 * ```
 * @see RFC 5321 §4.4, RFC 3848 §2
 */
export function buildReceivedHeader(info: ReceivedInfo): string {
  if (typeof info !== 'object' || info === null) throw new SmtpServerError('ERR_SMTP_UNSAFE_HEADER_VALUE', 'Received info must be an object');
  for (const field of ['by', 'protocol', 'date', 'helo', 'clientAddress', 'clientHostname', 'id', 'for', 'tls'] as const) {
    const value: unknown = info[field];
    const required = field === 'by' || field === 'protocol' || field === 'date';
    if ((required || value !== undefined) && typeof value !== 'string') throw new SmtpServerError('ERR_SMTP_UNSAFE_HEADER_VALUE', `Received ${field} must be a string`);
  }
  if (info.by === '') throw new SmtpServerError('ERR_SMTP_UNSAFE_HEADER_VALUE', 'Received by must not be empty');
  const parts: string[] = [];
  // checked even when it is not written (no helo nor address), as every given field is
  const hostname = info.clientHostname === undefined ? undefined : clean('clientHostname', info.clientHostname, true);
  if (info.helo !== undefined || info.clientAddress !== undefined) {
    let from = `from ${clean('helo', info.helo ?? 'unknown', true)}`;
    const inner: string[] = [];
    if (hostname !== undefined) inner.push(hostname);
    if (info.clientAddress !== undefined) inner.push(addressLiteral(clean('clientAddress', info.clientAddress, true)));
    if (inner.length) from += ` (${inner.join(' ')})`;
    parts.push(from);
  }
  // our own name: a bare IP address (a server's `hostname` given as one) as its address literal
  const by = clean('by', info.by, true);
  parts.push(`by ${bareAddressLiteral(by) ?? by}`);
  let withPart = `with ${clean('protocol', info.protocol, true)}`;
  if (info.tls !== undefined) withPart += ` (${comment(clean('tls', info.tls, false))})`;
  parts.push(withPart);
  if (info.id !== undefined) parts.push(`id ${clean('id', info.id, true)}`);
  if (info.for !== undefined) parts.push(`for <${cleanPath(info.for)}>`);
  return `Received: ${parts.join('\r\n\t')};\r\n\t${clean('date', info.date, false)}\r\n`;
}
