/**
 * The registered MAIL and RCPT parameters: which command carries each, which EHLO keyword allows it,
 * the RFC that defines it, and a validator for its value. One table shared by the client collection
 * (what may be added) and the server parser (what may be accepted).
 */

import { isDateTime } from '@smtpkit/foundation';
import { ClientArgsError } from './errors.js';
import { tryXtextDecode, xtextEncode } from './xtext.js';
import { asciiUpper, isAlnum, isAtext, keywordEnd, isDigit, isEsmtpValue, hasNonAscii, isControl, isUtf8AddressChar, isWellFormed } from './text.js';

/**
 * Which command a parameter belongs to.
 *
 * @example
 * ```ts
 * const c: ParameterCommand = DEFAULT_PARAMETERS.get('NOTIFY')!.command; // 'rcpt'
 * ```
 * @see RFC 5321 §4.1.1.2, §4.1.1.3
 */
export type ParameterCommand = 'mail' | 'rcpt';

/**
 * Context a value validator gets.
 *
 * @example
 * ```ts
 * const ctx: ValidationContext = { smtpUtf8: true, lowercaseXtextHex: true };
 * ```
 * @see RFC 5321 §4.1.2
 */
export interface ValidationContext {
  /** SMTPUTF8 is in effect (non-ASCII values allowed where the extension says so). */
  readonly smtpUtf8: boolean;
  /** Accept lower-case hex digits in xtext escapes. */
  readonly lowercaseXtextHex: boolean;
}

/**
 * The definition of one ESMTP parameter.
 *
 * @example
 * ```ts
 * const xfoo: ParameterSpec = {
 *   keyword: 'XFOO', command: 'mail', extensions: ['XFOO'], rfc: 'private', value: 'required',
 *   validate: (v) => (v.length <= 10 ? undefined : 'too long'),
 * };
 * ```
 * @see RFC 5321 §4.1.2 (esmtp-param)
 */
export interface ParameterSpec {
  /** The keyword, e.g. `SIZE` (upper-cased when the definition is given in options). */
  readonly keyword: string;
  /** The command that carries it. */
  readonly command: ParameterCommand;
  /** EHLO keywords, any of which allows this parameter (e.g. BODY: 8BITMIME or BINARYMIME); any case. */
  readonly extensions: readonly string[];
  /** Defining document, e.g. `RFC 1870`. */
  readonly rfc: string;
  /** Whether the parameter takes a value. */
  readonly value: 'none' | 'required' | 'optional';
  /** Checks a value (already known to match esmtp-value); returns a reason when invalid. */
  readonly validate?: (value: string, context: ValidationContext) => string | undefined;
}

/** True if `v[from..to)` is one or more ASCII digits. */
export function digits(v: string, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) if (!isDigit(v.charCodeAt(i))) return false;
  return true;
}

// ASCII-only case folding: `toUpperCase` would read look-alikes such as U+0131 (dotless i) or
// U+017F (long s) as I and S.
function upperEq(v: string, word: string): boolean {
  return v.length === word.length && asciiUpper(v) === word;
}

function oneOf(v: string, words: readonly string[]): string | undefined {
  for (const w of words) if (upperEq(v, w)) return w;
  return undefined;
}

/** RFC 3461 NOTIFY: NEVER, or a comma list of SUCCESS / FAILURE / DELAY without repeats. */
export function parseNotify(v: string): 'NEVER' | ('SUCCESS' | 'FAILURE' | 'DELAY')[] | undefined {
  if (upperEq(v, 'NEVER')) return 'NEVER';
  const out: ('SUCCESS' | 'FAILURE' | 'DELAY')[] = [];
  for (const part of v.split(',')) {
    const w = oneOf(part, ['SUCCESS', 'FAILURE', 'DELAY'] as const) as 'SUCCESS' | 'FAILURE' | 'DELAY' | undefined;
    if (w === undefined || out.includes(w)) return undefined;
    out.push(w);
  }
  return out;
}

/** RFC 3461 addr-type is an atom (RFC 5322 atext). */
function isAtom(v: string): boolean {
  if (v.length === 0) return false;
  for (let i = 0; i < v.length; i++) if (!isAtext(v.charCodeAt(i))) return false;
  return true;
}

/**
 * `\x{HEX}` as RFC 6533 HEXPOINT writes it: below U+0080 only SP, `+`, `=` and `\` (it also has
 * the controls, always refused here), else 2 to 6 hex digits, the first not 0. Surrogates and
 * values above U+10FFFF are refused after it.
 */
const HEXPOINT = /\\x\{(20|2b|3d|5c|[89a-f][\da-f]|[1-9a-f][\da-f]{2,5})\}/iy;

/**
 * Decodes RFC 6533 utf-8-addr-xtext / utf-8-addr-unitext: `\x{HEX}` escapes for non-ASCII and for
 * SP, `+`, `=`, `\`, their hex digits in either case (HEXPOINT's ABNF strings are case-insensitive,
 * RFC 5234 §2.3; Postfix reads both) and without a leading zero (HEXPOINT gives each code point one
 * length, so `\x{00E9}` is not a form of `\x{E9}`); raw UTF-8 only with SMTPUTF8 (unitext).
 */
export function decodeUtf8AddrText(v: string, smtpUtf8: boolean): string | undefined {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 0x5c) {
      HEXPOINT.lastIndex = i;
      const m = HEXPOINT.exec(v);
      if (!m) return undefined;
      const cp = parseInt(m[1]!, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
      out += String.fromCodePoint(cp);
      i = HEXPOINT.lastIndex - 1;
      continue;
    }
    if (c === 0x2b || c === 0x3d) return undefined;
    // QCHAR, or (unitext, with SMTPUTF8) a UTF-8 character as it is
    if (!((c >= 33 && c <= 126) || (c > 0x7f && smtpUtf8))) return undefined;
    out += v[i]!;
  }
  for (let i = 0; i < out.length; i++) if (isControl(out.charCodeAt(i))) return undefined;
  return isWellFormed(out) ? out : undefined;
}

/**
 * Encodes an address as RFC 6533 utf-8-addr-xtext (pure ASCII): each escape in HEXPOINT's one
 * form, upper-case hex without a leading zero.
 */
export function encodeUtf8AddrXtext(address: string): string {
  let out = '';
  for (const ch of address) {
    const cp = ch.codePointAt(0)!;
    if (cp > 0x7e || cp < 0x21 || cp === 0x2b || cp === 0x3d || cp === 0x5c) out += '\\x{' + cp.toString(16).toUpperCase() + '}';
    else out += ch;
  }
  return out;
}

/** ORCPT value -> { addrType, address } or undefined. */
export function parseOrcpt(v: string, ctx: ValidationContext): { addrType: string; address: string } | undefined {
  // RFC 3461 §4.2: the parameter value is at most 500 characters.
  if (v.length > 500) return undefined;
  const semi = v.indexOf(';');
  if (semi <= 0) return undefined;
  const addrType = v.slice(0, semi);
  if (!isAtom(addrType)) return undefined;
  // an empty address decodes to '' and is refused below
  const raw = v.slice(semi + 1);
  let address: string | undefined;
  if (upperEq(addrType, 'UTF-8')) address = decodeUtf8AddrText(raw, ctx.smtpUtf8);
  else {
    // RFC 3461 §4.2: US-ASCII before xtext encoding too (`+C3+BC` is not a way around it), as for
    // ENVID. Except in an SMTPUTF8 transaction: Postfix (3.7) relays a UTF-8 recipient there as
    // `ORCPT=rfc822;empf+C3+A4nger@...`, and a server that refused it would bounce that recipient.
    // (Raw non-ASCII text is never xtext: tryXtextDecode refuses it.)
    const r = tryXtextDecode(raw, { lowercaseHex: ctx.lowercaseXtextHex });
    address = r.ok && (ctx.smtpUtf8 || !hasNonAscii(r.value)) ? r.value : undefined;
  }
  return address && visible(address) ? { addrType, address } : undefined;
}

/** No invisible or bidi control character in a decoded address, as in a path (INJ-3), however it was written. */
function visible(a: string): boolean {
  for (let i = 0; i < a.length; i++) if (a.charCodeAt(i) > 0x7f && !isUtf8AddressChar(a, i)) return false;
  return true;
}

/** BY value (RFC 2852 §4): by-time ";" by-mode ["T"]. */
export function parseBy(v: string): { seconds: number; mode: 'N' | 'R'; trace: boolean } | undefined {
  const semi = v.indexOf(';');
  if (semi <= 0) return undefined;
  let i = 0;
  if (v[0] === '+' || v[0] === '-') i = 1;
  if (!digits(v, i, semi) || semi - i > 9) return undefined;
  const seconds = Number(v.slice(0, semi));
  const rest = asciiUpper(v.slice(semi + 1));
  if (rest !== 'N' && rest !== 'R' && rest !== 'NT' && rest !== 'RT') return undefined;
  const mode = rest[0] as 'N' | 'R';
  // RFC 2852 §4: with mode R the by-time must be positive.
  if (mode === 'R' && !(seconds > 0)) return undefined;
  return { seconds: Object.is(seconds, -0) ? 0 : seconds, mode, trace: rest.length === 2 };
}

/** MTRK value (RFC 3885): [certifier [":" timeout]]. */
export function parseMtrk(v: string): { certifier?: string; timeout?: number } | undefined {
  const colon = v.indexOf(':');
  const certifier = colon < 0 ? v : v.slice(0, colon);
  for (let i = 0; i < certifier.length; i++) {
    const c = certifier.charCodeAt(i);
    if (!isAlnum(c) && c !== 0x2b && c !== 0x2f) return undefined; // base64 alphabet without padding
  }
  if (colon < 0) return certifier.length > 0 ? { certifier } : {};
  const t = v.slice(colon + 1);
  if (!digits(t, 0, t.length) || t.length > 9 || certifier.length === 0) return undefined;
  return { certifier, timeout: Number(t) };
}

/** RRVS value (RFC 7293 §3): date-time [";" ("C" / "R")]. */
export function parseRrvs(v: string): { dateTime: string; mode?: 'C' | 'R' } | undefined {
  const semi = v.indexOf(';');
  const dateTime = semi < 0 ? v : v.slice(0, semi);
  if (!isDateTime(dateTime)) return undefined;
  if (semi < 0) return { dateTime };
  const m = asciiUpper(v.slice(semi + 1));
  if (m !== 'C' && m !== 'R') return undefined;
  return { dateTime, mode: m };
}

/** MT-PRIORITY value (RFC 6710 §3): an integer from -9 to 9 with an optional sign. */
export function parseMtPriority(v: string): number | undefined {
  let i = 0;
  if (v[0] === '+' || v[0] === '-') i = 1;
  if (v.length !== i + 1 || !isDigit(v.charCodeAt(i))) return undefined;
  const n = Number(v);
  return Object.is(n, -0) ? 0 : n;
}

/**
 * AUTH value (RFC 4954 §5): an xtext-encoded mailbox, or `<>` (null), which is `<>` however xtext
 * writes it (`+3C+3E`: never a mailbox named `<>`). The mailbox is ASCII (RFC 5321 §4.1.2) unless
 * SMTPUTF8 is in effect; then its UTF-8 may come as it is (RFC 6531 §3.3) or escaped byte by byte.
 * Either way no control, invisible or bidi control character.
 */
export function parseAuthValue(v: string, ctx: ValidationContext): string | null | undefined {
  // with SMTPUTF8, raw non-ASCII text is read as the UTF-8 bytes it stands for
  const r = tryXtextDecode(ctx.smtpUtf8 && isWellFormed(v) ? v.replace(/[\x80-\uffff]+/g, xtextEncode) : v, { lowercaseHex: ctx.lowercaseXtextHex });
  if (!r.ok || !r.value || (!ctx.smtpUtf8 && hasNonAscii(r.value)) || !visible(r.value)) return undefined;
  return r.value === '<>' ? null : r.value;
}

/** ENVID (RFC 3461 §4.4): xtext of at most 100 printable ASCII characters. */
function envidCheck(v: string, ctx: ValidationContext): boolean {
  const r = tryXtextDecode(v, { lowercaseHex: ctx.lowercaseXtextHex });
  // raw non-ASCII text is not xtext (refused by tryXtextDecode); escaped, it is refused here
  return r.ok && !hasNonAscii(r.value) && r.value.length <= 100;
}

/**
 * Every parameter this package knows, keyed by upper-case keyword. Frozen; pass extra
 * {@link ParameterSpec}s through options to add private ones.
 *
 * @example
 * ```ts
 * DEFAULT_PARAMETERS.get('SIZE')?.extensions; // ['SIZE']
 * ```
 * @see RFC 5321 §4.1.2, and each parameter's RFC
 */
export const DEFAULT_PARAMETERS: ReadonlyMap<string, ParameterSpec> = new Map(
  (
    [
      // [keyword, command, EHLO keywords, RFC, value, check]
      ['SIZE', 'mail', 'SIZE', 'RFC 1870', 'required', (v) => digits(v, 0, v.length) && v.length <= 20],
      ['BODY', 'mail', '8BITMIME BINARYMIME', 'RFC 6152, RFC 3030', 'required', (v) => oneOf(v, ['7BIT', '8BITMIME', 'BINARYMIME']) !== undefined],
      ['RET', 'mail', 'DSN', 'RFC 3461', 'required', (v) => oneOf(v, ['FULL', 'HDRS']) !== undefined],
      ['ENVID', 'mail', 'DSN', 'RFC 3461', 'required', envidCheck],
      ['AUTH', 'mail', 'AUTH', 'RFC 4954', 'required', (v, ctx) => parseAuthValue(v, ctx) !== undefined],
      ['SMTPUTF8', 'mail', 'SMTPUTF8', 'RFC 6531', 'none', undefined],
      ['REQUIRETLS', 'mail', 'REQUIRETLS', 'RFC 8689', 'none', undefined],
      ['MT-PRIORITY', 'mail', 'MT-PRIORITY', 'RFC 6710', 'required', (v) => parseMtPriority(v) !== undefined],
      ['BY', 'mail', 'DELIVERBY', 'RFC 2852', 'required', (v) => parseBy(v) !== undefined],
      ['HOLDFOR', 'mail', 'FUTURERELEASE', 'RFC 4865', 'required', (v) => digits(v, 0, v.length) && v.length <= 9],
      ['HOLDUNTIL', 'mail', 'FUTURERELEASE', 'RFC 4865', 'required', isDateTime],
      ['MTRK', 'mail', 'MTRK', 'RFC 3885', 'optional', (v) => parseMtrk(v) !== undefined],
      ['NOTIFY', 'rcpt', 'DSN', 'RFC 3461', 'required', (v) => parseNotify(v) !== undefined],
      ['ORCPT', 'rcpt', 'DSN', 'RFC 3461, RFC 6533', 'required', (v, ctx) => parseOrcpt(v, ctx) !== undefined],
      ['RRVS', 'rcpt', 'RRVS', 'RFC 7293', 'required', (v) => parseRrvs(v) !== undefined],
      // Defined elsewhere; only the generic esmtp-value grammar is checked.
      ['SOLICIT', 'mail', 'NO-SOLICITING', 'RFC 3865', 'required', undefined],
      ['CONPERM', 'mail', 'CONPERM', 'RFC 4141', 'optional', undefined],
      ['CONNEG', 'rcpt', 'CONNEG', 'RFC 4141', 'optional', undefined],
    ] satisfies [string, ParameterCommand, string, string, ParameterSpec['value'], ((v: string, ctx: ValidationContext) => boolean) | undefined][]
  ).map(([keyword, command, extensions, rfc, value, check]) => {
    const spec: ParameterSpec = {
      keyword,
      command,
      extensions: Object.freeze(extensions.split(' ')),
      rfc,
      value,
      ...(check === undefined ? {} : { validate: (v: string, ctx: ValidationContext) => (check(v, ctx) ? undefined : `not a valid ${keyword} value (${rfc})`) }),
    };
    return [keyword, Object.freeze(spec)] as const;
  }),
);

/** Outcome of validating one keyword/value pair. */
export type ParamCheck =
  | { readonly ok: true; readonly keyword: string; readonly spec: ParameterSpec | undefined }
  | { readonly ok: false; readonly reason: AddFailureReason; readonly message: string };

/**
 * Why {@link SmtpClientArgs.add} refused a parameter.
 *
 * @example
 * ```ts
 * const r = args.add('SIZE', 'abc'); if (!r.ok && r.reason === 'bad-value') retry();
 * ```
 * @see RFC 5321 §4.1.2
 */
export type AddFailureReason = 'bad-keyword' | 'bad-value' | 'value-required' | 'value-not-allowed' | 'duplicate' | 'wrong-command';

/** Validates a keyword/value pair against esmtp-param grammar and the spec table. */
export function checkParam(
  keyword: string,
  value: string | undefined,
  specs: ReadonlyMap<string, ParameterSpec>,
  command: ParameterCommand | undefined,
  ctx: ValidationContext,
): ParamCheck {
  if (typeof keyword !== 'string' || !isKeyword(keyword)) {
    return { ok: false, reason: 'bad-keyword', message: 'keyword must match esmtp-keyword' };
  }
  const upper = asciiUpper(keyword);
  const spec = specs.get(upper);
  return valueProblem(upper, value, spec, command, ctx) ?? { ok: true, keyword: upper, spec };
}

/**
 * The checks of {@link checkParam} that follow the keyword's: `upper` is an esmtp-keyword,
 * upper-cased, and `spec` its definition (if any). Undefined when the value is fine, so the
 * server's parser allocates nothing for a good parameter.
 */
export function valueProblem(
  upper: string,
  value: string | undefined,
  spec: ParameterSpec | undefined,
  command: ParameterCommand | undefined,
  ctx: ValidationContext,
): Extract<ParamCheck, { ok: false }> | undefined {
  if (value !== undefined && (typeof value !== 'string' || !isEsmtpValue(value, ctx.smtpUtf8))) {
    return { ok: false, reason: 'bad-value', message: `${upper} value must match esmtp-value` };
  }
  if (spec === undefined) return undefined;
  if (command !== undefined && spec.command !== command) {
    return { ok: false, reason: 'wrong-command', message: `${upper} belongs to ${spec.command.toUpperCase()}` };
  }
  if (value === undefined && spec.value === 'required') return { ok: false, reason: 'value-required', message: `${upper} needs a value` };
  if (value !== undefined && spec.value === 'none') return { ok: false, reason: 'value-not-allowed', message: `${upper} takes no value` };
  if (value !== undefined && spec.validate !== undefined) {
    const why = spec.validate(value, ctx);
    if (why !== undefined) return { ok: false, reason: 'bad-value', message: why };
  }
  return undefined;
}

function isKeyword(s: string): boolean {
  return s.length > 0 && keywordEnd(s, 0, s.length) === s.length;
}

/**
 * Merges user specs over the defaults (a new map; nothing global is mutated). Each is checked (an
 * esmtp-keyword, `command` mail or rcpt, `extensions` a list of strings, `value` none, required or
 * optional, `validate` a function if given: anything else is `ERR_SMTP_INVALID_OPTION`, not a
 * `TypeError` later) and its keyword and extensions upper-cased, as the keywords they are matched
 * with are.
 */
export function mergeSpecs(extra: readonly ParameterSpec[] | undefined): ReadonlyMap<string, ParameterSpec> {
  if (extra === undefined) return DEFAULT_PARAMETERS;
  const list: unknown = extra;
  const invalid = (): ClientArgsError =>
    ClientArgsError.local('ERR_SMTP_INVALID_OPTION', 'options.parameters', 'options.parameters must be an array of parameter definitions ({ keyword, ... })');
  if (!Array.isArray(list)) throw invalid();
  // the common case (every parse passes [] when the caller gave none): the shared table, no copy
  if (list.length === 0) return DEFAULT_PARAMETERS;
  const m = new Map(DEFAULT_PARAMETERS);
  for (const s of list as Partial<ParameterSpec>[]) {
    if (
      typeof s !== 'object' || s === null || typeof s.keyword !== 'string' || !isKeyword(s.keyword) ||
      (s.command !== 'mail' && s.command !== 'rcpt') || !Array.isArray(s.extensions) || !s.extensions.every((e) => typeof e === 'string') ||
      (s.value !== 'none' && s.value !== 'required' && s.value !== 'optional') || (s.validate !== undefined && typeof s.validate !== 'function')
    ) {
      throw invalid();
    }
    const keyword = asciiUpper(s.keyword);
    m.set(keyword, Object.freeze({ ...(s as ParameterSpec), keyword, extensions: Object.freeze(s.extensions.map(asciiUpper)) }));
  }
  return m;
}

/** Internal to this package: whether two lists hold the same items (by identity), in order. */
export const same = (a: readonly unknown[], b: readonly unknown[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The table merged for each list of parameter definitions, with the items it was merged from: the
 * same list gives it again while it holds the same items (options objects made afresh around one
 * list, as a server's per session), and is merged again once changed in place. A definition
 * object itself is read once, as `ParseOptions` says.
 */
const specsByList = new WeakMap<readonly ParameterSpec[], [readonly ParameterSpec[], ReadonlyMap<string, ParameterSpec>]>();

/**
 * Internal to this package: `mergeSpecs(list)`, kept for the list (see specsByList). The parsers'
 * table, and that of the collections they return.
 */
export function specsOf(list: readonly ParameterSpec[] | undefined): ReadonlyMap<string, ParameterSpec> {
  const kept = list && specsByList.get(list);
  if (kept && same(kept[0], list)) return kept[1];
  const specs = mergeSpecs(list);
  // not kept: the built-in table (no list, or an empty one); mergeSpecs threw for what is not a list
  if (specs !== DEFAULT_PARAMETERS) specsByList.set(list!, [list!.slice(), specs]);
  return specs;
}
