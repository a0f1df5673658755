/**
 * Reverse- and forward-paths (RFC 5321 §4.1.2): the null path, `<postmaster>`, mailboxes with dot-atom
 * or quoted local parts, domain names and address literals, source routes (accepted, dropped), and
 * UTF-8 addresses (RFC 6531). One hand-written scanner serves both the server parser and the client
 * builders; it never backtracks, so it runs in linear time.
 */

import { ClientArgsError, booleanOption, noControls, optionsObject, stringArgument } from './errors.js';
import type { ArgsErrorCode, ServerReply } from './errors.js';
import { hexValue, isAlnum, isAtext, isDigit, isUtf8AddressChar, isWellFormed, keywordEnd, utf8Length, utf8LengthOf } from './text.js';
import { punycodeLength, typeName, isOptionsObject } from '@smtpkit/foundation';

/**
 * The null reverse-path `<>` (bounces, DSNs).
 *
 * @example
 * ```ts
 * parsePath('<>'); // { kind: 'null' }
 * ```
 * @see RFC 5321 §4.5.5
 */
export interface NullPath {
  readonly kind: 'null';
}

/**
 * The special forward-path `<postmaster>` (no domain).
 *
 * @example
 * ```ts
 * parseRcptTo('TO:<Postmaster>').path; // { kind: 'postmaster' }
 * ```
 * @see RFC 5321 §4.1.1.3
 */
export interface PostmasterPath {
  readonly kind: 'postmaster';
}

/**
 * What the domain of a mailbox is: a host name (`name`), or an address literal: `[192.0.2.1]`
 * (`ipv4`), `[IPv6:2001:db8::1]` (`ipv6`), `[tag:content]` (`general`).
 *
 * @example
 * ```ts
 * mailboxPath('a', '[192.0.2.1]').domainKind; // 'ipv4'
 * ```
 * @see RFC 5321 §4.1.3
 */
export type DomainKind = 'name' | 'ipv4' | 'ipv6' | 'general';

/**
 * A mailbox path.
 *
 * @example
 * ```ts
 * const m: MailboxPath = mailboxPath('john doe', 'example.com'); // m.address === '"john doe"@example.com'
 * ```
 * @see RFC 5321 §4.1.2
 */
export interface MailboxPath {
  readonly kind: 'mailbox';
  /** The local part as text: quotes removed and quoted pairs unescaped (`"a b"` -> `a b`). */
  readonly localPart: string;
  /** The domain as written; address literals keep their brackets (`[192.0.2.1]`). */
  readonly domain: string;
  /** What kind of domain this is. */
  readonly domainKind: DomainKind;
  /** True when the local part or domain holds non-ASCII characters (needs SMTPUTF8). */
  readonly utf8: boolean;
  /** The canonical address as it goes between the angle brackets (`"a b"@example.com`). */
  readonly address: string;
}

/**
 * A reverse-path (MAIL FROM) or forward-path (RCPT TO).
 *
 * @example
 * ```ts
 * const p: Path = parsePath('<user@example.com>');
 * if (p.kind === 'mailbox') console.log(p.domain);
 * ```
 * @see RFC 5321 §4.1.2
 */
export type Path = NullPath | PostmasterPath | MailboxPath;

/**
 * The null path `<>`.
 *
 * @example
 * ```ts
 * formatMailFrom(NULL_PATH, new SmtpClientArgs()); // 'MAIL FROM:<>'
 * ```
 * @see RFC 5321 §4.5.5
 */
export const NULL_PATH: NullPath = Object.freeze({ kind: 'null' as const });

/**
 * The forward-path `<postmaster>`.
 *
 * @example
 * ```ts
 * formatRcptTo(POSTMASTER_PATH, new SmtpClientArgs()); // 'RCPT TO:<postmaster>'
 * ```
 * @see RFC 5321 §4.1.1.3
 */
export const POSTMASTER_PATH: PostmasterPath = Object.freeze({ kind: 'postmaster' as const });

/**
 * Size limits of a path, in UTF-8 bytes.
 *
 * @example
 * ```ts
 * parsePath('<a@b>', { limits: { localPart: 128 } });
 * ```
 * @see RFC 5321 §4.5.3.1.1, §4.5.3.1.2, §4.5.3.1.3
 */
export interface PathLimits {
  /** Local part as written (quotes included). RFC minimum 64; Postfix and Exim accept more. */
  readonly localPart: number;
  /** Domain as written (brackets included). RFC minimum 255. */
  readonly domain: number;
  /** The whole path as written, `<…>` with its brackets and any source route (`<@relay:a@b>`). RFC minimum 256. */
  readonly path: number;
}

/**
 * The RFC 5321 §4.5.3.1 minimums: local part 64, domain 255, path 256 bytes. A server must accept
 * at least these; Postfix and Exim do not enforce a local-part limit below the line length, so raise
 * them if you relay for such systems.
 *
 * @example
 * ```ts
 * parsePath(text, { limits: { ...DEFAULT_PATH_LIMITS, path: 512 } });
 * ```
 * @see RFC 5321 §4.5.3.1
 */
export const DEFAULT_PATH_LIMITS: PathLimits = Object.freeze({ localPart: 64, domain: 255, path: 256 });

/**
 * Leniency switches for real-world clients; all default to false (strict RFC 5321).
 *
 * @example
 * ```ts
 * parseMailFrom('FROM: a@b', { lenient: { spaceAfterColon: true, missingAngleBrackets: true } });
 * ```
 * @see RFC 5321 §4.1.2
 */
export interface LenientOptions {
  /** Accept spaces between `FROM:` / `TO:` and the path (`MAIL FROM: <a@b>`). */
  readonly spaceAfterColon?: boolean;
  /** Accept a path without angle brackets (`MAIL FROM:a@b`). */
  readonly missingAngleBrackets?: boolean;
  /** Accept `+0d` as an xtext escape (default true, per INJ-4; decoded text is still checked). */
  readonly lowercaseXtextHex?: boolean;
  /** Accept several spaces between parameters and trailing spaces at the end of the line. */
  readonly extraSpaces?: boolean;
}

const LENIENT_KEYS = ['spaceAfterColon', 'missingAngleBrackets', 'lowercaseXtextHex', 'extraSpaces'] as const;
/** The option names of LENIENT_KEYS, as errors name them (built once, not per call). */
const LENIENT_NAMES = LENIENT_KEYS.map((k) => `options.lenient.${k}`);

/**
 * `options.lenient` checked: `ERR_SMTP_INVALID_OPTION` naming `options.lenient` when it is given
 * but is not an object (a list included), or `options.lenient.<name>` for a field other than true/false/undefined.
 * @internal
 */
export function lenientOptions(lenient: LenientOptions | undefined, fallback: LenientOptions): LenientOptions {
  if (lenient === undefined) return fallback;
  if (!isOptionsObject(lenient)) {
    throw ClientArgsError.local('ERR_SMTP_INVALID_OPTION', 'options.lenient', `options.lenient must be an object, got ${typeName(lenient)}`);
  }
  for (let i = 0; i < LENIENT_KEYS.length; i++) booleanOption(lenient[LENIENT_KEYS[i]!], LENIENT_NAMES[i]!);
  return lenient;
}

/**
 * Options of {@link parsePath} and {@link formatPath}.
 *
 * @example
 * ```ts
 * parsePath('<ü@example.com>', { smtpUtf8: true, role: 'forward' });
 * ```
 * @see RFC 5321 §4.1.2, RFC 6531 §3.3
 */
export interface PathOptions {
  /** Allow non-ASCII local parts and domains (SMTPUTF8 in effect). Default false. */
  readonly smtpUtf8?: boolean;
  /** Byte limits; missing fields use {@link DEFAULT_PATH_LIMITS}. */
  readonly limits?: Partial<PathLimits>;
  /** `reverse` (MAIL: `<>` allowed), `forward` (RCPT: `<postmaster>` allowed), `any` (default). */
  readonly role?: 'reverse' | 'forward' | 'any';
  /** Leniency (server side); only `missingAngleBrackets` applies to a bare path. */
  readonly lenient?: LenientOptions;
}

/** Internal scan failure. */
export interface PathFailure {
  readonly ok: false;
  readonly code: ArgsErrorCode;
  readonly reason: string;
}

/** Internal scan success. */
export interface PathSuccess {
  readonly ok: true;
  readonly path: Path;
  readonly next: number;
}

function fail(code: ArgsErrorCode, reason: string): PathFailure {
  return { ok: false, code, reason };
}

/** Merges limits over defaults, checking that every field is a positive safe integer. */
export function resolveLimits<T extends object>(defaults: T, limits: Partial<T> | undefined, keys: readonly (keyof T & string)[]): T {
  if (limits === undefined) return defaults;
  if (!isOptionsObject(limits)) {
    throw ClientArgsError.local('ERR_SMTP_INVALID_OPTION', 'options.limits', 'options.limits must be an object');
  }
  const out = { ...defaults, ...limits };
  for (const k of keys) {
    const v = out[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
      throw ClientArgsError.local('ERR_SMTP_INVALID_OPTION', `options.limits.${k}`, `options.limits.${k} must be a positive integer`);
    }
  }
  return out;
}

const PATH_KEYS = ['localPart', 'domain', 'path'] as const;

/**
 * Why the character at `i`, where a domain stops, cannot be in a domain, or undefined for a
 * structural one (the end, a dot, the closing bracket): white space (trailing when only spaces and
 * the end follow), or another character (not named: a reply never echoes the input).
 */
function domainCharFailure(s: string, i: number, end: number): PathFailure | undefined {
  const c = s.charCodeAt(i);
  if (i >= end || c === 0x2e || c === 0x3e) return undefined;
  if (c === 0x20) while (s.charCodeAt(++i) === 0x20);
  return fail('ERR_SMTP_PATH_SYNTAX', c !== 0x20 ? 'invalid character in the domain' : i >= end || s.charCodeAt(i) === 0x3e ? 'trailing whitespace after the domain' : 'whitespace in the domain');
}

/**
 * Scans a domain name or address literal starting at `pos`; returns its end (and for a name its
 * length in A-label form, `aLength`) or a failure.
 */
function scanDomain(s: string, pos: number, end: number): { ok: true; next: number; kind: DomainKind; utf8: boolean; aLength?: number } | PathFailure {
  if (pos >= end) return fail('ERR_SMTP_PATH_SYNTAX', 'bad domain');
  if (s.charCodeAt(pos) === 0x5b) return scanLiteral(s, pos, end);
  let i = pos;
  let utf8 = false;
  // octets of the name in A-label form: each label and the dot after it
  let aLength = -1;
  while (true) {
    // sub-domain = Let-dig [Ldh-str], or a U-label with SMTPUTF8.
    const labelStart = i;
    let last = -1;
    // the label's ASCII characters and its other code points
    let ascii = 0;
    let wide = 0;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (isAlnum(c)) last = c;
      else if (c === 0x2d) {
        if (i === labelStart) return fail('ERR_SMTP_PATH_SYNTAX', 'bad domain');
        last = c;
      } else if (c > 0x7f) {
        if (!isUtf8AddressChar(s, i)) return fail('ERR_SMTP_PATH_SYNTAX', 'bad domain');
        utf8 = true;
        last = c;
        // a surrogate pair is one code point
        if ((c & 0xfc00) !== 0xdc00) wide++;
        ascii--;
      } else break;
      ascii++;
      i++;
    }
    if (i === labelStart) return domainCharFailure(s, i, end) ?? fail('ERR_SMTP_PATH_SYNTAX', 'bad domain');
    if (last === 0x2d) return fail('ERR_SMTP_PATH_SYNTAX', 'bad domain');
    // RFC 1035 §2.3.4: 63 octets a label, a U-label measured as its A-label (`xn--` and its
    // Punycode, RFC 5890 §2.3.2.1) as esmtp-server-fsm measures it. That has at least its ASCII, a
    // hyphen after that and a character for each other code point: only a label within 63 so
    // counted (at most 59 code points, short work) is encoded to be measured exactly.
    let length = wide > 0 ? 4 + ascii + (ascii > 0 ? 1 : 0) + wide : ascii;
    if (wide > 0 && length <= 63) length = 4 + punycodeLength(s.slice(labelStart, i));
    if (length > 63) return fail('ERR_SMTP_PATH_SYNTAX', 'domain label too long');
    aLength += length + 1;
    if (i < end && s.charCodeAt(i) === 0x2e) {
      i++;
      continue;
    }
    break;
  }
  return { ok: true, next: i, kind: 'name', utf8, aLength };
}

function scanIpv4(s: string, from: number, to: number): boolean {
  let parts = 0;
  let i = from;
  while (true) {
    const start = i;
    let v = 0;
    while (i < to && isDigit(s.charCodeAt(i)) && i - start < 3) {
      v = v * 10 + (s.charCodeAt(i) - 0x30);
      i++;
    }
    if (i === start || v > 255) return false;
    parts++;
    if (i === to) return parts === 4;
    if (s.charCodeAt(i) !== 0x2e || parts === 4) return false;
    i++;
  }
}

/** RFC 5321 §4.1.3 IPv6-addr (full, compressed, with or without an IPv4 tail). */
function scanIpv6(s: string, from: number, to: number): boolean {
  let groups = 0;
  let compressed = false;
  let i = from;
  if (to - from >= 2 && s.charCodeAt(i) === 0x3a && s.charCodeAt(i + 1) === 0x3a) {
    compressed = true;
    i += 2;
    if (i === to) return true;
  } else if (i < to && s.charCodeAt(i) === 0x3a) return false;
  while (i < to) {
    // Try an IPv4 tail: digits followed by '.' before the next ':'.
    let j = i;
    while (j < to && hexValue(s.charCodeAt(j), true) >= 0) j++;
    if (j < to && s.charCodeAt(j) === 0x2e) {
      if (!scanIpv4(s, i, to)) return false;
      groups += 2;
      i = to;
      break;
    }
    if (j === i || j - i > 4) return false;
    groups++;
    i = j;
    if (i === to) break;
    if (s.charCodeAt(i) !== 0x3a) return false;
    i++;
    if (i < to && s.charCodeAt(i) === 0x3a) {
      if (compressed) return false;
      compressed = true;
      i++;
      if (i === to) break;
    } else if (i === to) return false;
  }
  return compressed ? groups <= 6 : groups === 8;
}

function scanLiteral(s: string, pos: number, end: number): { ok: true; next: number; kind: DomainKind; utf8: boolean } | PathFailure {
  let close = pos + 1;
  while (close < end && s.charCodeAt(close) !== 0x5d) {
    const c = s.charCodeAt(close);
    // dcontent = %d33-90 / %d94-126
    if (c < 33 || c > 126 || c === 0x5b || c === 0x5c) return fail('ERR_SMTP_PATH_SYNTAX', 'bad address literal');
    close++;
  }
  if (close >= end) return fail('ERR_SMTP_PATH_SYNTAX', 'bad address literal');
  const from = pos + 1;
  if (close === from) return fail('ERR_SMTP_PATH_SYNTAX', 'bad address literal');
  if (isDigit(s.charCodeAt(from)) && scanIpv4(s, from, close)) return { ok: true, next: close + 1, kind: 'ipv4', utf8: false };
  // Standardized-tag ":" 1*dcontent
  // (Ldh-str: a letter or digit first, no hyphen last; s[close] is "]", never ":")
  const i = keywordEnd(s, from, close);
  if (i === from || s.charCodeAt(i) !== 0x3a || s.charCodeAt(i - 1) === 0x2d) {
    return fail('ERR_SMTP_PATH_SYNTAX', 'bad address literal');
  }
  const tag = s.slice(from, i);
  if (tag.length === 4 && tag.toLowerCase() === 'ipv6') {
    if (!scanIpv6(s, i + 1, close)) return fail('ERR_SMTP_PATH_SYNTAX', 'bad address literal');
    return { ok: true, next: close + 1, kind: 'ipv6', utf8: false };
  }
  if (i + 1 >= close) return fail('ERR_SMTP_PATH_SYNTAX', 'bad address literal');
  return { ok: true, next: close + 1, kind: 'general', utf8: false };
}

/** True if `local` can be written as an unquoted dot-string (the scan of an unquoted local part, to its end). */
function isDotString(local: string): boolean {
  const r = scanLocalPart(local, 0, local.length);
  return r.ok && !r.quoted && r.next === local.length;
}

/** Renders a local part: as a dot-string when possible, otherwise as a quoted string. */
function renderLocalPart(local: string): string {
  if (isDotString(local)) return local;
  let out = '"';
  for (let i = 0; i < local.length; i++) {
    const ch = local[i]!;
    out += ch === '"' || ch === '\\' ? '\\' + ch : ch;
  }
  return out + '"';
}

interface LocalScan {
  readonly ok: true;
  readonly next: number;
  readonly value: string;
  readonly quoted: boolean;
  readonly utf8: boolean;
}

const LOCAL_TOO_LONG = fail('ERR_SMTP_PATH_TOO_LONG', 'local part too long');

/**
 * Scans a local part from `pos`. `max`: its limit in octets as written; the scan stops as soon as
 * more code units than that are read (each is at least one octet), so the work is bounded by the
 * limit, not by the input.
 */
function scanLocalPart(s: string, pos: number, end: number, max = Infinity): LocalScan | PathFailure {
  if (pos < end && s.charCodeAt(pos) === 0x22) {
    let i = pos + 1;
    let value = '';
    let from = i;
    let utf8 = false;
    while (true) {
      if (i - pos > max) return LOCAL_TOO_LONG;
      if (i >= end) return fail('ERR_SMTP_PATH_SYNTAX', 'bad local part');
      const c = s.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) {
        value += s.slice(from, i);
        const d = i + 1 < end ? s.charCodeAt(i + 1) : -1;
        // quoted-pairSMTP = %d92 %d32-126
        if (d < 32 || d > 126) return fail('ERR_SMTP_PATH_SYNTAX', 'bad local part');
        value += s[i + 1]!;
        i += 2;
        from = i;
        continue;
      }
      if (c >= 32 && c <= 126) {
        i++;
        continue;
      }
      if (isUtf8AddressChar(s, i)) {
        utf8 = true;
        i++;
        continue;
      }
      return fail('ERR_SMTP_PATH_SYNTAX', 'bad local part');
    }
    value += s.slice(from, i);
    return { ok: true, next: i + 1, value, quoted: true, utf8 };
  }
  let i = pos;
  let prevDot = true;
  let utf8 = false;
  while (i < end) {
    if (i - pos > max) return LOCAL_TOO_LONG;
    const c = s.charCodeAt(i);
    if (c === 0x2e) {
      if (prevDot) return fail('ERR_SMTP_PATH_SYNTAX', 'bad local part');
      prevDot = true;
    } else if (isAtext(c)) prevDot = false;
    else if (c > 0x7f) {
      if (!isUtf8AddressChar(s, i)) return fail('ERR_SMTP_PATH_SYNTAX', 'bad local part');
      utf8 = true;
      prevDot = false;
    } else break;
    i++;
  }
  if (i === pos) return fail('ERR_SMTP_PATH_SYNTAX', 'bad local part');
  if (prevDot) return fail('ERR_SMTP_PATH_SYNTAX', 'bad local part');
  return { ok: true, next: i, value: s.slice(pos, i), quoted: false, utf8 };
}

/** Where a path ends after its domain at `at`: past the `>` (bracketed) or at `stop` (bare); -1 if it does not. */
function closeAt(s: string, at: number, stop: number, bracketed: boolean): number {
  if (bracketed) return at < stop && s.charCodeAt(at) === 0x3e ? at + 1 : -1;
  return at === stop ? at : -1;
}

interface ScanOptions {
  readonly role: 'reverse' | 'forward' | 'any';
  readonly smtpUtf8: boolean;
  readonly limits: PathLimits;
  readonly bare: boolean;
}

/**
 * Scans a path in `s` from `pos` (up to `end`). With `bare` the angle brackets are optional and an
 * unbracketed path ends at the first SP. Internal: callers turn failures into typed errors.
 */
export function scanPath(s: string, pos: number, end: number, o: ScanOptions): PathSuccess | PathFailure {
  const r = scanPathWith(s, pos, end, o.role, o.smtpUtf8, o.limits, o.bare);
  return r.ok ? { ok: true, path: frozenPath(r.path), next: r.next } : r;
}

/**
 * A path as the package hands it out: frozen. {@link scanPathWith} leaves a mailbox unfrozen (the
 * server's parser only reads it, and a freeze costs more than the rest of a short path's scan);
 * whatever gives one to a caller freezes it with this.
 */
export function frozenPath<P extends Path>(p: P): P {
  return p.kind === 'mailbox' ? Object.freeze(p) : p;
}

/**
 * {@link scanPath} with its options one by one, so the parsers of every MAIL and RCPT make no
 * options object: `role` says which special paths are allowed, `smtpUtf8` whether non-ASCII
 * addresses are, `limits` bound the path. A mailbox path is not frozen yet ({@link frozenPath}).
 */
export function scanPathWith(s: string, pos: number, end: number, role: 'reverse' | 'forward' | 'any', smtpUtf8: boolean, limits: PathLimits, bare: boolean): PathSuccess | PathFailure {
  let i = pos;
  const bracketed = i < end && s.charCodeAt(i) === 0x3c;
  if (!bracketed && !bare) return fail('ERR_SMTP_PATH_SYNTAX', 'missing angle brackets');
  if (bracketed) i++;
  let stop = end;
  if (!bracketed) {
    // An unbracketed path (lenient) ends at the first SP.
    const sp = s.indexOf(' ', i);
    if (sp >= 0 && sp < end) stop = sp;
  }
  if (bracketed && i < end && s.charCodeAt(i) === 0x3e) {
    if (role === 'forward') return fail('ERR_SMTP_NULL_PATH_NOT_ALLOWED', 'the null path is not a recipient');
    return { ok: true, path: NULL_PATH, next: i + 1 };
  }
  // Source route: A-d-l ":" (accepted and dropped, RFC 5321 §4.1.1.3 / Appendix C).
  // `routeUtf8`: it has non-ASCII text (then the path is measured in octets, see below).
  let routeUtf8 = false;
  const routed = i < stop && s.charCodeAt(i) === 0x40;
  if (routed) {
    while (true) {
      i++; // '@'
      const d = scanDomain(s, i, stop);
      if (!d.ok) return d;
      if (d.utf8) routeUtf8 = true;
      i = d.next;
      if (i < stop && s.charCodeAt(i) === 0x2c) {
        i++;
        if (i >= stop || s.charCodeAt(i) !== 0x40) return fail('ERR_SMTP_PATH_SYNTAX', 'bad source route');
        continue;
      }
      if (i < stop && s.charCodeAt(i) === 0x3a) {
        i++;
        break;
      }
      return fail('ERR_SMTP_PATH_SYNTAX', 'bad source route');
    }
  }
  const localStart = i;
  const local = scanLocalPart(s, i, stop, limits.localPart);
  if (!local.ok) return local;
  i = local.next;
  const localEnd = i;
  if (i >= stop || s.charCodeAt(i) !== 0x40) {
    // `<postmaster>` without a domain (forward-paths only), case-insensitive, and only as that exact
    // form: behind a source route the path is a Mailbox, which has a domain (RFC 5321 §4.1.1.3).
    const after = closeAt(s, i, stop, bracketed);
    if (after >= 0 && !routed && !local.quoted && local.value.length === 10 && local.value.toLowerCase() === 'postmaster') {
      if (role === 'reverse') return fail('ERR_SMTP_PATH_SYNTAX', 'postmaster is not a sender');
      return { ok: true, path: POSTMASTER_PATH, next: after };
    }
    // Nothing after the local part, or only the closing bracket: the domain is missing; anything else is out of place.
    return fail('ERR_SMTP_PATH_SYNTAX', i >= stop || after >= 0 ? 'missing @domain' : 'invalid character in path');
  }
  i++;
  const domainStart = i;
  const dom = scanDomain(s, i, stop);
  if (!dom.ok) return dom;
  i = dom.next;
  const after = closeAt(s, i, stop, bracketed);
  if (after < 0) return bracketed ? (domainCharFailure(s, i, stop) ?? fail('ERR_SMTP_PATH_SYNTAX', 'path not closed by ">"')) : fail('ERR_SMTP_PATH_SYNTAX', 'invalid character in path');
  const domain = s.slice(domainStart, i);
  const utf8 = local.utf8 || dom.utf8;
  if (utf8 && !smtpUtf8) return fail('ERR_SMTP_UTF8_NOT_ALLOWED', 'non-ASCII address without SMTPUTF8');
  if (utf8 && (!isWellFormed(local.value) || !isWellFormed(domain))) return fail('ERR_SMTP_PATH_SYNTAX', 'bad UTF-16');
  // An unquoted local part passed the dot-string scan, so it renders as written: the address is
  // the text from the local part to the end of the domain, one slice.
  const address = local.quoted ? renderLocalPart(local.value) + '@' + domain : s.slice(localStart, i);
  // ASCII text is one byte per code unit: count only when there is non-ASCII text.
  if ((utf8 ? utf8LengthOf(s, localStart, localEnd) : localEnd - localStart) > limits.localPart) return LOCAL_TOO_LONG;
  // in octets as written and in A-label form (longer for some U-labels), as esmtp-server-fsm measures a host name
  if (Math.max(dom.utf8 ? utf8Length(domain) : domain.length, dom.aLength ?? 0) > limits.domain) return fail('ERR_SMTP_PATH_TOO_LONG', 'domain too long');
  // The path as written (source route included; brackets counted even when they were missing).
  // Only its local part, domain and route can hold non-ASCII text: without any, one octet a unit.
  if ((utf8 || routeUtf8 ? utf8LengthOf(s, pos, after) : after - pos) + (bracketed ? 0 : 2) > limits.path) return fail('ERR_SMTP_PATH_TOO_LONG', 'path too long');
  return {
    ok: true,
    next: after,
    // not frozen here: see frozenPath
    path: { kind: 'mailbox', localPart: local.value, domain, domainKind: dom.kind, utf8, address },
  };
}

/** The reply a server sends for a path failure. */
export function pathFailureReply(f: PathFailure, role: 'reverse' | 'forward' | 'any'): ClientArgsError {
  return ClientArgsError.remote(f.code, pathReply(f, role));
}

/** The reply of {@link pathFailureReply}'s error, without the error. */
export function pathReply(f: PathFailure, role: 'reverse' | 'forward' | 'any'): ServerReply {
  const who = role === 'reverse' ? 'sender' : role === 'forward' ? 'recipient' : 'mailbox';
  return f.code === 'ERR_SMTP_UTF8_NOT_ALLOWED'
    ? { code: 553, enhanced: '5.6.7', text: `Non-ASCII ${who} address requires SMTPUTF8` }
    : { code: 501, enhanced: role === 'reverse' ? '5.1.7' : '5.1.3', text: `Bad ${who} address: ${f.reason}` };
}

/**
 * Parses a complete path such as `<user@example.com>`, `<>`, `<postmaster>`, `<"a b"@[192.0.2.1]>`,
 * `<@relay:user@example.com>` (source route dropped). Throws a {@link ClientArgsError} whose
 * `reply` is what a server should send (501 5.1.7 / 5.1.3, 553 5.6.7 without SMTPUTF8). An
 * `options.role` other than `'reverse'`, `'forward'` or `'any'` is `ERR_SMTP_INVALID_OPTION`.
 *
 * @example
 * ```ts
 * const p = parsePath('<"john doe"@example.com>');
 * // { kind: 'mailbox', localPart: 'john doe', domain: 'example.com', address: '"john doe"@example.com', ... }
 * ```
 * @see RFC 5321 §4.1.2, §4.5.3.1, RFC 6531 §3.3
 */
export function parsePath(text: string, options?: PathOptions): Path {
  stringArgument(text);
  options = optionsObject(options, {});
  const role = options.role === undefined ? 'any' : options.role;
  // an unknown role ('Forward', null) would read as 'any' and let `<>` or `<postmaster>` through
  if (role !== 'any' && role !== 'reverse' && role !== 'forward') {
    throw ClientArgsError.local('ERR_SMTP_INVALID_OPTION', 'options.role', "options.role must be 'reverse', 'forward' or 'any'");
  }
  const r = scanPathWith(
    text,
    0,
    text.length,
    role,
    booleanOption(options.smtpUtf8, 'options.smtpUtf8') ?? false,
    resolveLimits(DEFAULT_PATH_LIMITS, options.limits, PATH_KEYS),
    lenientOptions(options.lenient, {}).missingAngleBrackets ?? false,
  );
  if (!r.ok) throw pathFailureReply(r, role);
  if (r.next !== text.length) {
    throw pathFailureReply(fail('ERR_SMTP_PATH_SYNTAX', 'unexpected text after the path'), role);
  }
  return frozenPath(r.path);
}

/**
 * Internal to this package: the local error for a path problem a caller made, naming `argument`
 * (`ERR_SMTP_UTF8_NOT_ALLOWED` turns into `ERR_SMTP_UTF8_REQUIRED`, as a caller can add SMTPUTF8).
 */
export function localError(code: ArgsErrorCode, argument: string, reason: string): ClientArgsError {
  if (code === 'ERR_SMTP_UTF8_NOT_ALLOWED') {
    return ClientArgsError.local('ERR_SMTP_UTF8_REQUIRED', argument, `${argument}: non-ASCII address needs SMTPUTF8`);
  }
  if (code === 'ERR_SMTP_PATH_TOO_LONG') return ClientArgsError.local(code, argument, `${argument}: ${reason}`);
  return ClientArgsError.local('ERR_SMTP_INVALID_PATH', argument, `${argument}: ${reason}`);
}

/** Validates a local part and domain given by a caller and builds the mailbox. */
function buildMailbox(localPart: unknown, domain: unknown, argLocal: string, argDomain: string, smtpUtf8: boolean, limits: PathLimits): MailboxPath {
  if (typeof localPart !== 'string') throw ClientArgsError.local('ERR_SMTP_INVALID_ARGUMENT', argLocal, `${argLocal}: expected a string`);
  if (typeof domain !== 'string') throw ClientArgsError.local('ERR_SMTP_INVALID_ARGUMENT', argDomain, `${argDomain}: expected a string`);
  noControls(localPart, argLocal);
  noControls(domain, argDomain);
  for (let i = 0; i < localPart.length; i++) {
    const c = localPart.charCodeAt(i);
    if (c > 0x7f && !isUtf8AddressChar(localPart, i)) throw localError('ERR_SMTP_PATH_SYNTAX', argLocal, 'invisible character');
  }
  if (!isWellFormed(localPart)) throw localError('ERR_SMTP_PATH_SYNTAX', argLocal, 'not well-formed UTF-16');
  const d = scanDomain(domain, 0, domain.length);
  if (!d.ok || d.next !== domain.length) throw localError('ERR_SMTP_PATH_SYNTAX', argDomain, 'not a host name or address literal');
  const text = '<' + renderLocalPart(localPart) + '@' + domain + '>';
  const r = scanPathWith(text, 0, text.length, 'any', smtpUtf8, limits, false);
  if (!r.ok) throw localError(r.code, argLocal === argDomain ? argLocal : 'path', r.reason);
  return frozenPath(r.path as MailboxPath);
}

/**
 * Builds a validated mailbox path from a local part (plain text; quoted on the wire if needed) and a
 * domain (a host name or a bracketed address literal). Throws a {@link ClientArgsError} naming
 * `localPart` or `domain`.
 *
 * @example
 * ```ts
 * mailboxPath('john doe', 'example.com').address; // '"john doe"@example.com'
 * ```
 * @see RFC 5321 §4.1.2
 */
export function mailboxPath(localPart: string, domain: string, options?: Pick<PathOptions, 'smtpUtf8' | 'limits'>): MailboxPath {
  options = optionsObject(options, {});
  return buildMailbox(localPart, domain, 'localPart', 'domain', booleanOption(options.smtpUtf8, 'options.smtpUtf8') ?? true, resolveLimits(DEFAULT_PATH_LIMITS, options.limits, PATH_KEYS));
}

/** Resolves a caller's path (object or string) into a validated {@link Path}. */
export function toPath(path: Path | string, argument: string, options: Pick<PathOptions, 'smtpUtf8' | 'limits'> = {}): Path {
  const limits = resolveLimits(DEFAULT_PATH_LIMITS, options.limits, PATH_KEYS);
  const smtpUtf8 = options.smtpUtf8 ?? false;
  if (typeof path === 'string') {
    noControls(path, argument);
    const text = path.length >= 2 && path.charCodeAt(0) === 0x3c && path.charCodeAt(path.length - 1) === 0x3e ? path : '<' + path + '>';
    const r = scanPathWith(text, 0, text.length, 'any', smtpUtf8, limits, false);
    if (!r.ok) throw localError(r.code, argument, r.reason);
    if (r.next !== text.length) throw localError('ERR_SMTP_PATH_SYNTAX', argument, 'unexpected text after the path');
    return frozenPath(r.path);
  }
  switch (typeof path === 'object' && path !== null ? path.kind : undefined) {
    case 'null':
      return NULL_PATH;
    case 'postmaster':
      return POSTMASTER_PATH;
    case 'mailbox': {
      // Re-validate: the object may have been built by hand.
      const m = path as MailboxPath;
      return buildMailbox(m.localPart, m.domain, argument, argument, smtpUtf8, limits);
    }
    default:
      throw ClientArgsError.local('ERR_SMTP_INVALID_ARGUMENT', argument, `${argument}: expected a Path or a string`);
  }
}

/**
 * Renders a path with its angle brackets, validating it first: `<>`, `<postmaster>`,
 * `<local@domain>` (the local part quoted when needed). A string is taken as an address with or
 * without brackets (`''` is the null path). Throws a {@link ClientArgsError} naming `path`
 * (control characters, bad syntax, over a limit, non-ASCII without `smtpUtf8`).
 *
 * @example
 * ```ts
 * formatPath('user@example.com'); // '<user@example.com>'
 * formatPath(mailboxPath('a b', 'example.com')); // '<"a b"@example.com>'
 * ```
 * @see RFC 5321 §4.1.2
 */
export function formatPath(path: Path | string, options?: Pick<PathOptions, 'smtpUtf8' | 'limits'>): string {
  options = optionsObject(options, {});
  booleanOption(options.smtpUtf8, 'options.smtpUtf8');
  const p = toPath(path, 'path', options);
  return renderPath(p);
}

/** Renders an already validated path. */
export function renderPath(p: Path): string {
  switch (p.kind) {
    case 'null':
      return '<>';
    case 'postmaster':
      return '<postmaster>';
    case 'mailbox':
      return '<' + p.address + '>';
  }
}
