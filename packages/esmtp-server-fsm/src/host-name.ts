/**
 * The server's own name (the `hostname` option): checked once, when a session is made, and written
 * as it goes into the greeting, every EHLO reply, the 421 replies, SASL challenges and the Received
 * headers built from `session.hostname`. Linear checks, no regular expression on the value.
 */
import { invalidOption } from './options.js';
import { addressLiteralKind, validDomain } from './peer-text.js';

const enc = new TextEncoder();

/**
 * `s` is a dotted-quad IPv4 address (smtp-client-args' address literal grammar, RFC 5321 §4.1.3).
 * Only digits and dots are handed to the grammar: it answers anything else by throwing, which
 * every session start would pay for its host name (about 10 µs).
 */
function isIPv4(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 46 && (c < 48 || c > 57)) return false;
  }
  return addressLiteralKind(`[${s}]`) === 'ipv4';
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, RFC 4291 §2.5.5.2), or undefined. @internal */
export function mappedIPv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  for (const prefix of ['::ffff:', '0:0:0:0:0:ffff:']) {
    if (lower.startsWith(prefix) && isIPv4(address.slice(prefix.length))) return address.slice(prefix.length);
  }
  return undefined;
}

/**
 * A bare IP address as its address literal (RFC 5321 §4.1.3): `192.0.2.1` as `[192.0.2.1]`,
 * `2001:db8::1` as `[IPv6:2001:db8::1]`, an IPv4-mapped IPv6 address as its IPv4 literal (as a
 * Received header writes a client's); undefined for anything that is not a bare IPv4 or IPv6
 * address (checked by smtp-client-args' address literal grammar). @internal
 */
export function bareAddressLiteral(value: string): string | undefined {
  if (value.includes('[') || value.includes(']')) return undefined;
  if (value.includes(':')) {
    if (addressLiteralKind(`[IPv6:${value}]`) !== 'ipv6') return undefined;
    const v4 = mappedIPv4(value);
    return v4 === undefined ? `[IPv6:${value}]` : `[${v4}]`;
  }
  return isIPv4(value) ? `[${value}]` : undefined;
}

/** Whether the last label of the domain `s` is all digits (a TLD never is, RFC 3696 §2: `2.0.0`, `192.0.2.300`). */
function numericLastLabel(s: string): boolean {
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s.charCodeAt(i);
    if (c === 46) return i < s.length - 1;
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * The `hostname` option as the session writes it (the caller checked it is a string): a domain
 * (letter-digit-hyphen labels, `_` tolerated as in HELO, U-labels; no empty label, no trailing
 * dot, a last label that is not all digits) or an IPv4 / IPv6 address literal as it is, a bare
 * IPv4 or IPv6 address as its address literal (see {@link bareAddressLiteral}). At most 255
 * octets (RFC 5321 §4.5.3.1.2), in UTF-8 as written and with each U-label as its A-label, which
 * is at most 63 octets (RFC 5890 §2.3.2.1). Anything else throws `ERR_SMTP_INVALID_OPTION` naming `hostname`:
 * it would break every greeting and EHLO reply (a space, CR/LF), or read as something else (`2.0.0`
 * as an enhanced status code).
 *
 * @example
 * ```ts
 * serverHostname('192.0.2.1'); // '[192.0.2.1]'
 * ```
 * @see RFC 5321 §4.1.2, §4.1.3, §4.3.1; RFC 5890 §2.3.2.1 (U-labels, A-labels); RFC 3696 §2
 */
export function serverHostname(value: string): string {
  // every session of a server is given the same name: the one this function accepted last is not
  // checked again (a string cannot change; a different one is checked in full)
  if (value === lastGiven) return lastResult;
  const result = checkedHostname(value);
  lastGiven = value;
  lastResult = result;
  return result;
}

/** The last value `serverHostname` accepted, and what it returned for it. */
let lastGiven: string | undefined;
let lastResult = '';

function checkedHostname(value: string): string {
  if (value === '') throw invalidOption('hostname', 'must not be empty');
  // a UTF-16 unit is at most 3 octets in UTF-8: only a long name is encoded to be measured
  if (value.length > 85 && enc.encode(value).length > 255) throw invalidOption('hostname', 'must be at most 255 octets (RFC 5321 §4.5.3.1.2)');
  const literal = bareAddressLiteral(value);
  if (literal !== undefined) return literal;
  if (value.charCodeAt(0) === 91) {
    const kind = value.charCodeAt(value.length - 1) === 93 ? addressLiteralKind(value) : undefined;
    if (kind === 'ipv4' || kind === 'ipv6') return value;
    throw invalidOption('hostname', `must be an IPv4 or IPv6 address literal such as [192.0.2.1] or [IPv6:2001:db8::1] when it starts with "[", got ${JSON.stringify(value)}`);
  }
  if (value.charCodeAt(value.length - 1) === 46 || !validDomain(value, true)) {
    throw invalidOption('hostname', `must be a domain (letter-digit-hyphen labels or U-labels as IDNA2008 writes them: NFC, lower case, the Bidi rule; without a trailing dot, at most 63 octets a label and 255 in all in A-label form) or an IP address, got ${JSON.stringify(value)}`);
  }
  if (numericLastLabel(value)) throw invalidOption('hostname', `must not end in an all-digit label (it reads as a number, such as an enhanced status code, or is no valid IP address), got ${JSON.stringify(value)}`);
  return value;
}
