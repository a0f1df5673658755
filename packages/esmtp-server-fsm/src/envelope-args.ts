/**
 * Strict server-side parsing of the MAIL FROM / RCPT TO argument (RFC 5321 §4.1.2, §3.3; RFC 6531
 * for SMTPUTF8; RFC 3461 xtext), delegated to smtp-client-args with the session's advertised
 * extensions, plus the XCLIENT/XFORWARD xtext decoder. On failure it returns the reply to send.
 */
import { isRemoteProtocolError, parseMailFrom, parseRcptTo } from 'smtp-client-args';
import type { ParseOptions, Path, SmtpClientArgs } from 'smtp-client-args';
import type { ReplyInit } from './reply.js';

/**
 * A parsed path. `address` is '' for the null path `<>`.
 *
 * @example
 * ```ts
 * const p: ParsedPath = { address: 'a@b.example', localPart: 'a', domain: 'b.example' };
 * ```
 * @see RFC 5321 §4.1.2
 */
export interface ParsedPath {
  readonly address: string;
  readonly localPart: string;
  readonly domain: string;
}

/**
 * Parameters in order of appearance, keywords upper-cased; `true` for a keyword with no value.
 *
 * @example
 * ```ts
 * e.parameters.SIZE; // "1000"
 * ```
 * @see RFC 5321 §4.1.2 (esmtp-param)
 */
export type EsmtpParameters = Readonly<Record<string, string | true>>;

/**
 * Result of parsing the argument of MAIL or RCPT.
 *
 * @example
 * ```ts
 * const r = parseEnvelopeArgument('rcpt', '<a@b.example>', policy, DEFAULT_LIMITS); if (!r.ok) send(r.reply);
 * ```
 * @see RFC 5321 §4.1.1.3
 */
export type EnvelopeArgResult =
  | { readonly ok: true; readonly path: ParsedPath; readonly parameters: EsmtpParameters }
  | { readonly ok: false; readonly reply: ReplyInit };

interface PathLimits {
  readonly maxLocalPart: number;
  readonly maxDomain: number;
  readonly maxPath: number;
}

const fail = (code: number, enhanced: string, text: string): EnvelopeArgResult => ({ ok: false, reply: { code, enhanced, text } });

function checkControls(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 127 || (c >= 0x80 && c <= 0x9f) || c === 0x200b || c === 0x2060 || c === 0xfeff) return false;
  }
  return true;
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

/**
 * Which MAIL/RCPT parameters are accepted (from advertised extensions).
 *
 * @example
 * ```ts
 * const policy: ParameterPolicy = { size: true, maxMessageSize: 1e7, eightBitMime: true, binaryMime: false, smtpUtf8: false, dsn: false, requireTls: false, mtPriority: false, deliverBy: false, auth: false, extraMail: new Set(), extraRcpt: new Set() };
 * ```
 * @see RFC 5321 §4.1.1.11
 */
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

function keywordsFor(p: ParameterPolicy): string[] {
  const k: string[] = [];
  if (p.size) k.push('SIZE');
  if (p.eightBitMime) k.push('8BITMIME');
  if (p.binaryMime) k.push('BINARYMIME', 'CHUNKING');
  if (p.smtpUtf8) k.push('SMTPUTF8');
  if (p.dsn) k.push('DSN');
  if (p.requireTls) k.push('REQUIRETLS');
  if (p.mtPriority) k.push('MT-PRIORITY');
  if (p.deliverBy) k.push('DELIVERBY');
  if (p.auth) k.push('AUTH');
  return k;
}

const optionsCache = new WeakMap<ParameterPolicy, { limits: PathLimits; options: Map<string, ParseOptions> }>();

function envelopeParseOptions(kind: 'mail' | 'rcpt', policy: ParameterPolicy, limits: PathLimits, rcptSmtpUtf8: boolean): ParseOptions {
  return {
    advertised: keywordsFor(policy),
    allowedParameters: kind === 'mail' ? policy.extraMail : policy.extraRcpt,
    lenient: { spaceAfterColon: true },
    limits: {
      localPart: limits.maxLocalPart,
      domain: limits.maxDomain,
      path: limits.maxPath,
      messageSize: policy.size && policy.maxMessageSize > 0 ? policy.maxMessageSize : undefined,
    },
    smtpUtf8: kind === 'rcpt' ? rcptSmtpUtf8 : policy.smtpUtf8,
  };
}

/**
 * Parses the text after `MAIL FROM:` / `RCPT TO:` (path then parameters) strictly, with
 * smtp-client-args (`parseMailFrom` / `parseRcptTo`) against the advertised extensions, plus
 * this package's extra checks (C1 controls and zero-width characters in addresses).
 *
 * @example
 * ```ts
 * parseEnvelopeArgument('mail', '<a@b.example> SIZE=100', policy, DEFAULT_LIMITS);
 * ```
 * @see RFC 5321 §4.1.1.2, §4.1.1.3, §4.1.2
 */
export function parseEnvelopeArgument(kind: 'mail' | 'rcpt', text: string, policy: ParameterPolicy, limits: PathLimits, rcptSmtpUtf8 = false): EnvelopeArgResult {
  // One options object per policy, limits and kind, so that smtp-client-args reuses what it derives from it.
  let byKey = optionsCache.get(policy);
  if (byKey === undefined || byKey.limits !== limits) optionsCache.set(policy, (byKey = { limits, options: new Map() }));
  const key = kind === 'mail' ? 'mail' : rcptSmtpUtf8 ? 'rcpt+utf8' : 'rcpt';
  let options = byKey.options.get(key);
  if (options === undefined) byKey.options.set(key, (options = envelopeParseOptions(kind, policy, limits, rcptSmtpUtf8)));
  let path: Path;
  let args: SmtpClientArgs;
  try {
    const r = kind === 'mail' ? parseMailFrom(`FROM:${text}`, options) : parseRcptTo(`TO:${text}`, options);
    path = r.path;
    args = r.args;
  } catch (e) {
    if (isRemoteProtocolError(e)) return { ok: false, reply: { code: e.reply.code, enhanced: e.reply.enhanced, text: e.reply.text } };
    throw e;
  }
  const parsed: ParsedPath =
    path.kind === 'mailbox' ? { address: path.address, localPart: path.localPart, domain: path.domain } : path.kind === 'null' ? { address: '', localPart: '', domain: '' } : { address: 'postmaster', localPart: 'postmaster', domain: '' };
  if (!checkControls(parsed.address)) return fail(501, '5.5.2', 'Control characters are not allowed in addresses');
  const parameters: Record<string, string | true> = {};
  for (const [key, value] of args) parameters[key.toUpperCase()] = value ?? true;
  return { ok: true, path: parsed, parameters };
}
