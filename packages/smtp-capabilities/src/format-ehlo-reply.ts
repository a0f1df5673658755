/**
 * formatEhloReply: the lines of the EHLO reply a server sends, validated so nothing can inject a
 * line or break the grammar (RFC 5321 §4.1.1.1, §4.5.3.1.5).
 */

import { loneSurrogateIndex, replyTextFault, isOptionsObject } from '@smtpkit/foundation';
import { CapabilitiesError } from './errors.js';
import { DEFAULT_EHLO_PARSE_LIMITS } from './parse-ehlo-reply.js';
import { mostParams } from './parse-core.js';
import { booleanOption, indexOfForbidden, isEhloKeyword, isEhloParam, isIterableObject, stringList, typeName, upperAscii, utf8Length } from './syntax.js';

/**
 * One keyword to advertise: a line such as `'SIZE 10240000'`, or an object.
 *
 * @example
 * ```ts
 * const k: EhloKeyword[] = ['PIPELINING', 'SIZE 10240000', { keyword: 'AUTH', params: ['PLAIN', 'LOGIN'] }];
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export type EhloKeyword = string | { readonly keyword: string; readonly params?: readonly string[] };

/**
 * Input of {@link formatEhloReply}.
 *
 * @example
 * ```ts
 * formatEhloReply({ domain: 'mx.example.com', greeting: 'Hello client', keywords: ['PIPELINING'] });
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export interface EhloReplyInput {
  /**
   * The server's domain or address literal (no spaces). Not one shaped like an enhanced status
   * code (`2.0.0`): clients would read it as one (`ERR_SMTP_EHLO_INVALID_DOMAIN`).
   */
  readonly domain: string;
  /** Free text after the domain on the first line. */
  readonly greeting?: string;
  /** The keywords, in order. */
  readonly keywords: Iterable<EhloKeyword>;
}

/**
 * Options of {@link formatEhloReply}.
 *
 * @example
 * ```ts
 * formatEhloReply(input, { legacyAuth: true }); // adds "AUTH=PLAIN LOGIN" after "AUTH PLAIN LOGIN"
 * ```
 * @see RFC 5321 §4.5.3.1.5
 */
export interface FormatEhloOptions {
  /**
   * Longest reply line in bytes (UTF-8 octets), counting the `250-` and the CRLF. Default 512, the
   * RFC 5321 §4.5.3.1.5 limit every client must accept (Postfix and Exim write far shorter EHLO
   * lines): a keyword line of 506 octets, 512 on the wire, is written, one of 507 is
   * `ERR_SMTP_EHLO_LINE_TOO_LONG`. parseEhloReply sets no line limit of its own; a reply reader
   * held to the RFC's 512 (smtp-reply-reader's `maxLineLength` minimum) reads every line written
   * with the default.
   */
  readonly maxLineLength?: number;
  /**
   * Also emit the pre-RFC `AUTH=mech ...` line, as Postfix's `broken_sasl_auth_clients = yes` does.
   * A value other than `true`, `false` or `undefined` is `ERR_SMTP_INVALID_OPTION`.
   */
  readonly legacyAuth?: boolean;
}

/**
 * Default longest EHLO reply line in bytes including code and CRLF (RFC 5321 §4.5.3.1.5: 512).
 *
 * @example
 * ```ts
 * formatEhloReply(input, { maxLineLength: DEFAULT_MAX_EHLO_LINE_LENGTH });
 * ```
 * @see RFC 5321 §4.5.3.1.5
 */
export const DEFAULT_MAX_EHLO_LINE_LENGTH = 512;

function fail(code: ConstructorParameters<typeof CapabilitiesError>[0], msg: string): never {
  throw new CapabilitiesError(code, msg);
}

function checkText(what: string, s: string): void {
  if (typeof s !== 'string') fail('ERR_SMTP_EHLO_INVALID_TEXT', `${what} must be a string`);
  if (indexOfForbidden(s) >= 0) fail('ERR_SMTP_EHLO_INVALID_TEXT', `${what} must not contain CR, LF or NUL`);
  // a lone surrogate has no UTF-8 form: an encoder would send U+FFFD in its place
  const lone = loneSurrogateIndex(s);
  if (lone >= 0) fail('ERR_SMTP_EHLO_INVALID_TEXT', `${what} contains a lone surrogate at index ${lone}`);
}

/**
 * Normalises one keyword to `[KEYWORD, params]`, validating everything. `legacy`: the line is the
 * pre-RFC `AUTH=mech ...` form (as `legacyAuth` writes it, and `Capabilities.toLines()` gives back).
 */
function keywordLine(k: EhloKeyword): { keyword: string; params: readonly string[]; legacy: boolean } {
  let keyword: string;
  let params: readonly string[];
  let legacy = false;
  if (typeof k === 'string') {
    checkText('EHLO keyword line', k);
    legacy = upperAscii(k.slice(0, 5)) === 'AUTH=';
    const parts = (legacy ? `AUTH ${k.slice(5)}` : k).split(' ');
    keyword = parts[0] ?? '';
    params = parts.slice(1);
    if (params.some((p) => p === '')) fail('ERR_SMTP_EHLO_INVALID_PARAM', `EHLO keyword line ${JSON.stringify(k)} has an empty parameter`);
  } else if (typeof k === 'object' && k !== null && typeof k.keyword === 'string') {
    keyword = k.keyword;
    params = stringList(k.params, () => new CapabilitiesError('ERR_SMTP_EHLO_INVALID_PARAM', `${k.keyword} params must be a list of strings`)) ?? [];
    checkText('EHLO keyword', keyword);
    for (const p of params) checkText(`${keyword} parameter`, p);
  } else {
    return fail('ERR_SMTP_EHLO_INVALID_KEYWORD', 'an EHLO keyword must be a string or { keyword, params }');
  }
  if (!isEhloKeyword(keyword)) fail('ERR_SMTP_EHLO_INVALID_KEYWORD', `${JSON.stringify(keyword)} is not an EHLO keyword ((ALPHA / DIGIT) *(ALPHA / DIGIT / "-"))`);
  for (const p of params) {
    if (!isEhloParam(p)) fail('ERR_SMTP_EHLO_INVALID_PARAM', `${keyword} parameter ${JSON.stringify(p)} must be 1*(%d33-126)`);
  }
  // what parseEhloReply keeps of a line: a longer list would not be read back whole
  if (params.length > DEFAULT_EHLO_PARSE_LIMITS.maxParams) fail('ERR_SMTP_EHLO_TOO_MANY_PARAMS', `${keyword}: over 64 parameters`);
  const upper = upperAscii(keyword);
  // nor would parameters its RFC does not define (`PIPELINING foo`: an invalid-param warning there)
  if (params.length > mostParams(upper, params.length)) fail('ERR_SMTP_EHLO_INVALID_PARAM', `${upper}: too many parameters`);
  return { keyword: upper, params, legacy };
}

/**
 * The lines of an EHLO reply, without the `250-` / `250 ` prefixes: the domain and greeting, then
 * one line per keyword (no trailing space after a value-less keyword). Throws a
 * {@link CapabilitiesError} for CR, LF or NUL anywhere, another control character (C0 but HT, DEL,
 * C1) in the greeting, a domain shaped like an enhanced status code (`2.0.0`: no host name, RFC
 * 1123 §2.1, and a client would take it for the reply's code, RFC 2034 §4), a bad keyword or
 * parameter, `keywords` or `params` that are not lists (a lone string or a typed array is not a list), or a line
 * longer than `maxLineLength` on the wire (`250-` and CRLF counted: 506 octets of text at the
 * default 512). Nothing is written that {@link parseEhloReply} would not read back
 * whole: more than 64 parameters on a line is `ERR_SMTP_EHLO_TOO_MANY_PARAMS`, more than 256
 * keyword lines `ERR_SMTP_EHLO_TOO_MANY_KEYWORDS` (its default limits), and a parameter for a
 * keyword whose RFC defines none (PIPELINING, STARTTLS, 8BITMIME, BINARYMIME, CHUNKING, DSN,
 * ENHANCEDSTATUSCODES, SMTPUTF8, REQUIRETLS), or a second one for SIZE, DELIVERBY or MT-PRIORITY,
 * `ERR_SMTP_EHLO_INVALID_PARAM` (the parser warns `invalid-param` and drops them). The legacy `AUTH=mech ...`
 * line (what `legacyAuth` adds, and `Capabilities.toLines()` gives back) is taken as a keyword
 * line, and then not added again. Feed the result to smtp-reply-reader's `formatReply`, or use
 * {@link formatEhloReplyText}. `options` that are not an object (a list included) are
 * `ERR_SMTP_INVALID_OPTION`.
 *
 * @example
 * ```ts
 * formatEhloReply({ domain: 'mx.example.com', greeting: 'at your service', keywords: ['PIPELINING', 'SIZE 10240000'] });
 * // ['mx.example.com at your service', 'PIPELINING', 'SIZE 10240000']
 * ```
 * @see RFC 5321 §4.1.1.1, §4.5.3.1.5
 */
export function formatEhloReply(input: EhloReplyInput, options?: FormatEhloOptions): string[] {
  if (options === undefined) options = {};
  else if (!isOptionsObject(options)) fail('ERR_SMTP_INVALID_OPTION', `options must be an object, got ${typeName(options)}`);
  if (typeof input !== 'object' || input === null) fail('ERR_SMTP_INVALID_ARGUMENT', `input must be { domain, greeting?, keywords }, got ${typeName(input)}`);
  const keywords: unknown = input.keywords;
  if (!isIterableObject(keywords)) {
    fail('ERR_SMTP_EHLO_INVALID_KEYWORD', `keywords must be a list, got ${typeName(keywords)}`);
  }
  const legacyAuth = booleanOption(options.legacyAuth, 'legacyAuth') ?? false;
  // only a missing option means the default (null is refused, as elsewhere in smtpkit)
  const max = options.maxLineLength === undefined ? DEFAULT_MAX_EHLO_LINE_LENGTH : options.maxLineLength;
  if (!Number.isSafeInteger(max) || max < 16) fail('ERR_SMTP_INVALID_OPTION', 'maxLineLength must be an integer of at least 16');
  const budget = max - 6; // "250-" + CRLF
  const { domain, greeting = '' } = input;
  checkText('domain', domain);
  checkText('greeting', greeting);
  // the reply-text rule of every smtpkit formatter (checkText has refused a lone surrogate already)
  if (replyTextFault(greeting) !== undefined) fail('ERR_SMTP_EHLO_INVALID_TEXT', 'greeting must not contain control characters other than HT');
  // `2.0.0` (no host name: RFC 1123 §2.1) would be read back as an enhanced status code (RFC 2034 §4)
  if (domain === '' || !isEhloParam(domain) || /^[245]\.\d{1,3}\.\d{1,3}$/.test(domain)) {
    fail('ERR_SMTP_EHLO_INVALID_DOMAIN', 'domain must be printable ASCII without spaces, not an enhanced status code');
  }
  const first = greeting === '' ? domain : `${domain} ${greeting}`;
  const out: string[] = [];
  const push = (line: string): void => {
    if (utf8Length(line) > budget) fail('ERR_SMTP_EHLO_LINE_TOO_LONG', `EHLO reply line of ${utf8Length(line) + 6} bytes exceeds ${max}`);
    // the first line and as many keyword lines as parseEhloReply keeps
    if (out.length > DEFAULT_EHLO_PARSE_LIMITS.maxKeywords) fail('ERR_SMTP_EHLO_TOO_MANY_KEYWORDS', 'over 256 keyword lines');
    out.push(line);
  };
  push(first);
  let auth: readonly string[] | undefined;
  // a legacy line given (from Capabilities.toLines()) is not written a second time
  let legacyGiven = false;
  // a keyword given twice would be read back as its first line only (AUTH lines are merged)
  const seen = new Set<string>();
  for (const k of keywords as Iterable<EhloKeyword>) {
    const { keyword, params, legacy } = keywordLine(k);
    if (keyword !== 'AUTH') {
      if (seen.has(keyword)) fail('ERR_SMTP_EHLO_INVALID_KEYWORD', `${keyword} given twice`);
      seen.add(keyword);
    }
    push(legacy ? `AUTH=${params.join(' ')}` : params.length ? `${keyword} ${params.join(' ')}` : keyword);
    legacyGiven ||= legacy;
    if (keyword === 'AUTH' && !legacy) auth ??= params;
  }
  if (legacyAuth && !legacyGiven && auth !== undefined && auth.length > 0) push(`AUTH=${auth.join(' ')}`);
  return out;
}

/**
 * The full wire text of an EHLO reply: `250-` on every line but the last, `250 ` on the last, CRLF
 * after each.
 *
 * @example
 * ```ts
 * formatEhloReplyText({ domain: 'mx', keywords: ['PIPELINING'] }); // '250-mx\r\n250 PIPELINING\r\n'
 * ```
 * @see RFC 5321 §4.2.1
 */
export function formatEhloReplyText(input: EhloReplyInput, options: FormatEhloOptions = {}): string {
  const lines = formatEhloReply(input, options);
  let s = '';
  for (let i = 0; i < lines.length; i++) s += (i === lines.length - 1 ? '250 ' : '250-') + lines[i]! + '\r\n';
  return s;
}

/**
 * {@link formatEhloReplyText} as UTF-8 bytes, ready to write to a socket.
 *
 * @example
 * ```ts
 * socket.write(formatEhloReplyBytes({ domain: 'mx', keywords: ['PIPELINING'] }));
 * ```
 * @see RFC 5321 §4.2.1
 */
export function formatEhloReplyBytes(input: EhloReplyInput, options: FormatEhloOptions = {}): Uint8Array {
  return new TextEncoder().encode(formatEhloReplyText(input, options));
}
