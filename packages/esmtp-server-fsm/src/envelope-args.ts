/**
 * Strict server-side parsing of the MAIL FROM / RCPT TO argument: the path and the ESMTP
 * parameters (RFC 5321 §4.1.2, §3.3; RFC 6531 for SMTPUTF8; RFC 3461 xtext). Hand-written scanner,
 * linear time. On failure it returns the reply to send.
 */
import type { ReplyInit } from './reply.js';

/** A parsed path. `address` is '' for the null path `<>`. */
export interface ParsedPath {
  readonly address: string;
  readonly localPart: string;
  readonly domain: string;
}

/** Parameters in order of appearance, keywords upper-cased; `true` for a keyword with no value. */
export type EsmtpParameters = Readonly<Record<string, string | true>>;

/** Result of parsing the argument of MAIL or RCPT. */
export type EnvelopeArgResult =
  | { readonly ok: true; readonly path: ParsedPath; readonly parameters: EsmtpParameters }
  | { readonly ok: false; readonly reply: ReplyInit };

interface PathLimits {
  readonly maxLocalPart: number;
  readonly maxDomain: number;
  readonly maxPath: number;
}

const enc = new TextEncoder();
function byteLength(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return enc.encode(s).length;
  return s.length;
}

const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** RFC 5321 atext plus UTF-8 (RFC 6531) when `utf8`. */
const isAtext = (c: number, utf8: boolean): boolean =>
  isAlnum(c) || "!#$%&'*+-/=?^_`{|}~".includes(String.fromCharCode(c)) || (utf8 && c >= 0x80);

const fail = (code: number, enhanced: string, text: string): EnvelopeArgResult => ({ ok: false, reply: { code, enhanced, text } });

function checkControls(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 127 || (c >= 0x80 && c <= 0x9f) || c === 0x200b || c === 0x2060 || c === 0xfeff) return false;
  }
  return true;
}

function hasNonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return true;
  return false;
}

/** Parses a domain or address literal starting at `i`; returns the end index or -1. */
function scanDomain(s: string, i: number, utf8: boolean): number {
  if (s.charCodeAt(i) === 91 /* [ */) {
    const end = s.indexOf(']', i);
    if (end < 0) return -1;
    for (let k = i + 1; k < end; k++) {
      const c = s.charCodeAt(k);
      if (c <= 32 || c === 91 || c === 92 || c >= 127) return -1;
    }
    return end === i + 1 ? -1 : end + 1;
  }
  let label = 0;
  let k = i;
  for (; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (isAlnum(c) || c === 45 || (utf8 && c >= 0x80)) label++;
    else if (c === 46) {
      if (label === 0) return -1;
      label = 0;
    } else break;
  }
  if (label === 0) return -1;
  return k;
}

/** Parses `<...>` at the start of `s`. */
function parsePath(s: string, allowNull: boolean, utf8: boolean, limits: PathLimits, isRcpt: boolean): { path: ParsedPath; end: number } | ReplyInit {
  const syntax: ReplyInit = { code: 501, enhanced: isRcpt ? '5.1.3' : '5.1.7', text: 'Bad address syntax' };
  if (s.charCodeAt(0) !== 60 /* < */) return syntax;
  let i = 1;
  if (s.charCodeAt(i) === 62 /* > */) {
    if (!allowNull) return syntax;
    return { path: { address: '', localPart: '', domain: '' }, end: 2 };
  }
  // source route: @a,@b: (accepted and ignored, RFC 5321 §4.1.2 / Appendix C)
  if (s.charCodeAt(i) === 64) {
    for (;;) {
      if (s.charCodeAt(i) !== 64) return syntax;
      const e = scanDomain(s, i + 1, utf8);
      if (e < 0) return syntax;
      i = e;
      if (s.charCodeAt(i) === 44) i++;
      else if (s.charCodeAt(i) === 58) {
        i++;
        break;
      } else return syntax;
    }
  }
  const lpStart = i;
  if (s.charCodeAt(i) === 34 /* " */) {
    i++;
    for (;;) {
      if (i >= s.length) return syntax;
      const c = s.charCodeAt(i);
      if (c === 92) {
        const n = s.charCodeAt(i + 1);
        if (!(n >= 32 && n <= 126)) return syntax;
        i += 2;
        continue;
      }
      if (c === 34) {
        i++;
        break;
      }
      if (!((c >= 32 && c <= 126) || (utf8 && c >= 0x80))) return syntax;
      i++;
    }
  } else {
    let atom = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (isAtext(c, true)) atom++;
      else if (c === 46) {
        if (atom === 0) return syntax;
        atom = 0;
      } else break;
    }
    if (atom === 0) return syntax;
  }
  const localPart = s.slice(lpStart, i);
  let domain = '';
  if (s.charCodeAt(i) === 64) {
    const e = scanDomain(s, i + 1, true);
    if (e < 0) return syntax;
    domain = s.slice(i + 1, e);
    i = e;
  } else if (!(isRcpt && localPart.toLowerCase() === 'postmaster')) {
    return syntax;
  }
  if (s.charCodeAt(i) !== 62) return syntax;
  const address = domain ? `${localPart}@${domain}` : localPart;
  if (!checkControls(address)) return { code: 501, enhanced: '5.5.2', text: 'Control characters are not allowed in addresses' };
  if (hasNonAscii(address) && !utf8) return { code: 553, enhanced: '5.6.7', text: 'Non-ASCII addresses require SMTPUTF8' };
  if (byteLength(localPart) > limits.maxLocalPart || byteLength(domain) > limits.maxDomain || byteLength(address) + 2 > limits.maxPath) {
    return { code: 501, enhanced: '5.1.3', text: 'Path too long' };
  }
  return { path: { address, localPart, domain }, end: i + 1 };
}

/**
 * Decodes RFC 3461 xtext; returns undefined on a malformed escape or a control in the result.
 *
 * @example
 * ```ts
 * decodeXtext('a+2Bb'); // "a+b"
 * ```
 * @see RFC 3461 §4
 */
export function decodeXtext(value: string): string | undefined {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 43) {
      const h = value.slice(i + 1, i + 3);
      if (h.length !== 2 || !/^[0-9A-Fa-f]{2}$/.test(h)) return undefined;
      const v = parseInt(h, 16);
      if (v < 32 || v === 127) return undefined;
      out += String.fromCharCode(v);
      i += 2;
    } else if (c < 33 || c > 126 || c === 61) {
      return undefined;
    } else out += value[i];
  }
  return out;
}

/** Which MAIL/RCPT parameters are accepted (from advertised extensions). */
export interface ParameterPolicy {
  readonly size: boolean;
  readonly maxMessageSize: number;
  readonly eightBitMime: boolean;
  readonly binaryMime: boolean;
  readonly smtpUtf8: boolean;
  readonly dsn: boolean;
  readonly requireTls: boolean;
  readonly mtPriority: boolean;
  readonly deliverBy: boolean;
  readonly auth: boolean;
  /** Extra parameter keywords (upper case) accepted and passed through (custom extensions). */
  readonly extraMail: ReadonlySet<string>;
  readonly extraRcpt: ReadonlySet<string>;
}

const unknownParam = (k: string): EnvelopeArgResult => fail(555, '5.5.4', `Unsupported parameter ${k}`);
const badParam = (k: string): EnvelopeArgResult => fail(501, '5.5.4', `Invalid value for ${k}`);

function checkParam(kind: 'mail' | 'rcpt', key: string, value: string | true, p: ParameterPolicy): EnvelopeArgResult | undefined {
  const v = value === true ? undefined : value;
  const digits = (s: string | undefined, max: number): boolean => s !== undefined && s.length >= 1 && s.length <= max && /^[0-9]+$/.test(s);
  if (kind === 'mail') {
    switch (key) {
      case 'SIZE':
        if (!p.size) return unknownParam(key);
        if (!digits(v, 20)) return badParam(key);
        if (p.maxMessageSize > 0 && Number(v) > p.maxMessageSize) return fail(552, '5.3.4', 'Message size exceeds fixed maximum message size');
        return undefined;
      case 'BODY': {
        const u = v?.toUpperCase();
        if (u === '7BIT' || (u === '8BITMIME' && p.eightBitMime) || (u === 'BINARYMIME' && p.binaryMime)) return undefined;
        if (!p.eightBitMime && !p.binaryMime) return unknownParam(key);
        return badParam(key);
      }
      case 'SMTPUTF8':
        if (!p.smtpUtf8) return unknownParam(key);
        return value === true ? undefined : badParam(key);
      case 'RET':
        if (!p.dsn) return unknownParam(key);
        return v?.toUpperCase() === 'FULL' || v?.toUpperCase() === 'HDRS' ? undefined : badParam(key);
      case 'ENVID':
        if (!p.dsn) return unknownParam(key);
        return v !== undefined && v.length <= 100 && decodeXtext(v) !== undefined ? undefined : badParam(key);
      case 'AUTH':
        if (!p.auth) return unknownParam(key);
        return v !== undefined && (v === '<>' || decodeXtext(v) !== undefined) ? undefined : badParam(key);
      case 'REQUIRETLS':
        if (!p.requireTls) return unknownParam(key);
        return value === true ? undefined : badParam(key);
      case 'MT-PRIORITY':
        if (!p.mtPriority) return unknownParam(key);
        return v !== undefined && /^[+-]?[0-9]$/.test(v) ? undefined : badParam(key);
      case 'BY':
        if (!p.deliverBy) return unknownParam(key);
        return v !== undefined && /^-?[0-9]{1,9};[RrNn][Tt]?$/.test(v) ? undefined : badParam(key);
      default:
        return p.extraMail.has(key) ? undefined : unknownParam(key);
    }
  }
  switch (key) {
    case 'NOTIFY': {
      if (!p.dsn || v === undefined) return p.dsn ? badParam(key) : unknownParam(key);
      const items = v.toUpperCase().split(',');
      const ok = items.every((x) => x === 'SUCCESS' || x === 'FAILURE' || x === 'DELAY' || x === 'NEVER');
      if (!ok || (items.includes('NEVER') && items.length > 1) || new Set(items).size !== items.length) return badParam(key);
      return undefined;
    }
    case 'ORCPT': {
      if (!p.dsn) return unknownParam(key);
      const semi = v?.indexOf(';') ?? -1;
      if (v === undefined || semi <= 0 || v.length > 500 || decodeXtext(v.slice(semi + 1)) === undefined) return badParam(key);
      return undefined;
    }
    default:
      return p.extraRcpt.has(key) ? undefined : unknownParam(key);
  }
}

/**
 * Parses the text after `MAIL FROM:` / `RCPT TO:` (path then parameters) strictly.
 *
 * @example
 * ```ts
 * parseEnvelopeArgument('mail', '<a@b.example> SIZE=100', policy, DEFAULT_LIMITS);
 * ```
 * @see RFC 5321 §4.1.1.2, §4.1.1.3, §4.1.2
 */
export function parseEnvelopeArgument(kind: 'mail' | 'rcpt', text: string, policy: ParameterPolicy, limits: PathLimits): EnvelopeArgResult {
  // SMTPUTF8 must be known before the path is judged: look for it among the parameters first.
  const close = text.lastIndexOf('>');
  const tail = close >= 0 ? text.slice(close + 1) : '';
  const utf8Requested = kind === 'mail' ? policy.smtpUtf8 && /(^| )SMTPUTF8( |$)/i.test(tail) : policy.smtpUtf8;
  const parsed = parsePath(text, kind === 'mail', utf8Requested, limits, kind === 'rcpt');
  if (!('path' in parsed)) return { ok: false, reply: parsed };
  const rest = text.slice(parsed.end);
  const parameters: Record<string, string | true> = {};
  if (rest.length > 0) {
    if (rest.charCodeAt(0) !== 32) return fail(501, '5.5.4', 'Garbage after the address');
    for (const item of rest.slice(1).split(' ')) {
      if (item === '') return fail(501, '5.5.4', 'Malformed parameters');
      const eq = item.indexOf('=');
      const key = (eq < 0 ? item : item.slice(0, eq)).toUpperCase();
      if (!/^[A-Z0-9][A-Z0-9-]*$/.test(key)) return fail(501, '5.5.4', 'Malformed parameter keyword');
      let value: string | true = true;
      if (eq >= 0) {
        value = item.slice(eq + 1);
        if (value === '') return fail(501, '5.5.4', 'Empty parameter value');
        for (let i = 0; i < value.length; i++) {
          const c = value.charCodeAt(i);
          if (c < 33 || c === 61 || c === 127 || (c > 127 && !utf8Requested)) return fail(501, '5.5.4', 'Malformed parameter value');
        }
      }
      if (Object.prototype.hasOwnProperty.call(parameters, key)) return fail(501, '5.5.4', `Duplicate parameter ${key}`);
      const bad = checkParam(kind, key, value, policy);
      if (bad) return bad;
      parameters[key] = value;
    }
  }
  return { ok: true, path: parsed.path, parameters };
}
