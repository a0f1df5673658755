/**
 * parseEhloReply: an EHLO reply (code + lines) to {@link Capabilities}. Line-oriented, linear,
 * bounded, never throws on peer input (security-requirements DOS-10, X-4).
 */

import { Capabilities, type CapabilityEntry } from './capabilities.js';
import { CapabilitiesError } from './errors.js';
import { indexEntries, scanLine, WarningSink } from './parse-core.js';
import { isBytes, isOptionsObject, loneSurrogateIndex, scanEnhancedStatusCode } from '@smtpkit/foundation';
import { stringList, typeName, upperAscii } from './syntax.js';

/**
 * Bounds applied while parsing an EHLO reply; past them, lines or parameters are ignored and a
 * warning says so.
 *
 * @example
 * ```ts
 * parseEhloReply(reply, { limits: { maxKeywords: 64 } });
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export interface EhloParseLimits {
  /** Keyword lines kept (default 256). Postfix's server advertises about 15; real replies stay under 40. */
  readonly maxKeywords: number;
  /** Parameters kept per keyword line (default 64). */
  readonly maxParams: number;
  /** Warnings recorded before a single `too-many-warnings` (default 64). */
  readonly maxWarnings: number;
}

/**
 * Default {@link EhloParseLimits}: 256 keywords, 64 parameters per keyword, 64 warnings.
 * RFC 5321 sets no minimum; the reply itself is bounded by the reply reader (smtp-reply-reader
 * defaults to 512 lines / 64 KiB; Postfix's client stores at most `line_length_limit` per line).
 *
 * @example
 * ```ts
 * parseEhloReply(reply, { limits: { ...DEFAULT_EHLO_PARSE_LIMITS, maxKeywords: 32 } });
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export const DEFAULT_EHLO_PARSE_LIMITS: EhloParseLimits = Object.freeze({
  maxKeywords: 256,
  maxParams: 64,
  maxWarnings: 64,
});

/**
 * Options of {@link parseEhloReply}.
 *
 * @example
 * ```ts
 * parseEhloReply(reply, { discard: ['PIPELINING'] }); // like Postfix smtp_discard_ehlo_keywords
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export interface ParseEhloOptions {
  /** Bounds (merged over {@link DEFAULT_EHLO_PARSE_LIMITS}). */
  readonly limits?: Partial<EhloParseLimits>;
  /** Keywords to ignore, case-insensitive (Postfix `smtp_discard_ehlo_keywords`). */
  readonly discard?: Iterable<string>;
}

/**
 * The reply shape this package reads: smtp-reply-reader's `Reply` satisfies it. `lines` are the
 * texts after `250-` / `250 `; the first is the domain and greeting.
 *
 * @example
 * ```ts
 * const reply: EhloReplyLike = { code: 250, lines: ['mx.example.com Hello', 'PIPELINING'] };
 * ```
 * @see RFC 5321 §4.1.1.1, §4.2
 */
export interface EhloReplyLike {
  readonly code: number;
  readonly lines: readonly string[];
}

const KNOWN_KEYWORDS: ReadonlySet<string> = new Set([
  'SIZE', 'PIPELINING', 'STARTTLS', 'AUTH', '8BITMIME', 'BINARYMIME', 'CHUNKING', 'DSN',
  'ENHANCEDSTATUSCODES', 'SMTPUTF8', 'REQUIRETLS', 'DELIVERBY', 'MT-PRIORITY', 'FUTURERELEASE',
  'LIMITS', 'XCLIENT', 'XFORWARD', 'VRFY', 'EXPN', 'ETRN', 'ATRN', 'HELP', 'NO-SOLICITING', 'MTRK',
  'CONPERM', 'CONNEG', 'RRVS', 'BURL',
]);

function invalidOption(message: string): CapabilitiesError {
  return new CapabilitiesError('ERR_SMTP_INVALID_OPTION', message);
}

/** The options object (undefined = none), its limits and its discard list (upper-cased), checked. */
function resolveOptions(options: ParseEhloOptions | undefined): { limits: EhloParseLimits; discard: Set<string> | undefined } {
  if (options === undefined) return { limits: DEFAULT_EHLO_PARSE_LIMITS, discard: undefined };
  if (!isOptionsObject(options)) throw invalidOption(`options must be an object, got ${typeName(options)}`);
  const list = stringList(options.discard, () => invalidOption('options.discard must be a list of keywords'));
  return { limits: resolveLimits(options.limits), discard: list && new Set(list.map(upperAscii)) };
}

/**
 * True when a keyword line counts against `maxKeywords` (in {@link parseWith} and
 * parseEhloReplyText's bound): it is not empty (or spaces only) and its keyword (up to a space or
 * `=`, as scanLine reads it) is not discarded.
 */
function countsAsKeyword(raw: string, discard: ReadonlySet<string> | undefined): boolean {
  let i = 0;
  while (raw.charCodeAt(i) === 0x20) i++;
  if (i === raw.length) return false;
  if (discard === undefined) return true;
  let j = i;
  while (j < raw.length && raw.charCodeAt(j) !== 0x20 && raw.charCodeAt(j) !== 0x3d) j++;
  return !discard.has(upperAscii(raw.slice(i, j)));
}

function resolveLimits(partial: Partial<EhloParseLimits> | undefined): EhloParseLimits {
  if (partial === undefined) return DEFAULT_EHLO_PARSE_LIMITS;
  if (!isOptionsObject(partial)) throw invalidOption(`limits must be an object, got ${typeName(partial)}`);
  const l = { ...DEFAULT_EHLO_PARSE_LIMITS };
  for (const k of ['maxKeywords', 'maxParams', 'maxWarnings'] as const) {
    const v = partial[k];
    if (v === undefined) continue; // a limit given as undefined is its default, as a missing one is
    if (!Number.isSafeInteger(v) || v < 0) throw invalidOption(`limits.${k} must be a non-negative integer`);
    l[k] = v;
  }
  return l;
}

function invalidReply(message: string): CapabilitiesError {
  return new CapabilitiesError('ERR_SMTP_INVALID_ARGUMENT', message);
}

/**
 * Parses an EHLO reply into {@link Capabilities}. The first line gives `domain` and `greeting`;
 * each later line is one keyword with its parameters. Keywords are case-insensitive and kept in
 * order, known or not; the legacy `AUTH=` form is merged into `auth`. Malformed lines are kept and
 * reported in `warnings`; nothing the peer sends makes it throw. Only API misuse does: a reply that
 * is not `{ code: integer, lines: string[] }` (`ERR_SMTP_INVALID_ARGUMENT`), options that are not an
 * object (a list included), bad limits or a `discard` that is not a list of keywords (`ERR_SMTP_INVALID_OPTION`; a
 * lone string is not read as a list of letters). A reply that is not 250 yields an
 * empty, non-ESMTP set with a `not-ehlo-reply` warning.
 *
 * @example
 * ```ts
 * const caps = parseEhloReply({ code: 250, lines: ['mx.example.com Hi', 'SIZE 35882577', 'AUTH PLAIN LOGIN', 'STARTTLS'] });
 * caps.size;      // 35882577
 * caps.auth;      // Set { 'PLAIN', 'LOGIN' }
 * caps.startTls;  // true
 * ```
 * @see RFC 5321 §4.1.1.1, §4.2
 */
export function parseEhloReply(reply: EhloReplyLike, options?: ParseEhloOptions): Capabilities {
  const { limits, discard } = resolveOptions(options);
  if (typeof reply !== 'object' || reply === null) throw invalidReply(`reply must be { code, lines }, got ${typeName(reply)}`);
  if (!Number.isInteger(reply.code)) throw invalidReply(`reply.code must be an integer, got ${typeName(reply.code)}`);
  if (!Array.isArray(reply.lines)) throw invalidReply(`reply.lines must be an array of strings, got ${typeName(reply.lines)}`);
  return parseWith(reply, discard, limits, new WarningSink(limits.maxWarnings));
}

function parseWith(reply: EhloReplyLike, discard: ReadonlySet<string> | undefined, limits: EhloParseLimits, sink: WarningSink): Capabilities {
  const lines = reply.lines;
  for (const line of lines) if (typeof line !== 'string') throw invalidReply(`reply.lines must be an array of strings, found ${typeName(line)}`);
  const first = lines[0] ?? '';
  const sp = first.indexOf(' ');
  const domain = sp < 0 ? first : first.slice(0, sp);
  const greeting = sp < 0 ? '' : first.slice(sp + 1);

  if (reply.code !== 250) {
    sink.add('not-ehlo-reply', 0, `reply code ${reply.code} is not the 250 of a successful EHLO`);
    if (reply.code < 200 || reply.code > 299) {
      return new Capabilities({ esmtp: false, domain: '', greeting: '', entries: [], byKeyword: new Map(), warnings: sink.list, typed: { auth: new Set() } });
    }
  }
  if (greeting === '' && KNOWN_KEYWORDS.has(upperAscii(domain))) {
    sink.add('greeting-looks-like-keyword', 0, `the first line "${domain}" is the domain/greeting, not a capability`);
  }

  const entries: CapabilityEntry[] = [];
  for (let n = 1; n < lines.length; n++) {
    // only a line that would be kept is one too many: empty and discarded lines do not count
    if (entries.length >= limits.maxKeywords && countsAsKeyword(lines[n]!, discard)) {
      sink.add('too-many-keywords', n, `more than ${limits.maxKeywords} keyword line${limits.maxKeywords === 1 ? '' : 's'}; the rest are ignored`);
      break;
    }
    const e = scanLine(lines[n]!, n, limits.maxParams, sink);
    if (e === undefined || discard?.has(e.keyword)) continue;
    entries.push(e);
  }
  const { byKeyword, typed } = indexEntries(entries, sink);
  return new Capabilities({ esmtp: true, domain, greeting, entries, byKeyword, typed, warnings: sink.list });
}

/** UTF-8 (invalid bytes as U+FFFD), a byte order mark kept: the parser skips one itself, for bytes and strings alike. */
const textDecoder = /* @__PURE__ */ new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Parses an EHLO reply given as wire text (`250-mx\r\n250 SIZE 1000\r\n`) or bytes, e.g. from a
 * log or a transcript, without a reply reader. Lines end in CRLF (a bare LF is accepted, since
 * transcripts are often normalised); each must start with the same 3-digit code and `-` or a
 * space. Lines that do not, anything after the last line, and text that ends before the last line
 * (a cut-off transcript) are reported as `bad-reply-line` warnings; a leading byte order mark is skipped; invalid UTF-8 in bytes, and a lone surrogate in a
 * string, is U+FFFD. Control characters in a line (C0 but HT, DEL,
 * C1, a stray CR) become `?`, as smtp-reply-reader shows them, and an enhanced status code before the
 * text is dropped as the reader drops it (on the first line one of the reply's class, on later
 * lines the first line's). Like {@link parseEhloReply} it never throws on
 * the text (input that is neither a string nor a `Uint8Array` is `ERR_SMTP_INVALID_ARGUMENT`;
 * options as for {@link parseEhloReply}).
 *
 * @example
 * ```ts
 * const caps = parseEhloReplyText('250-mx.example.com\r\n250-PIPELINING\r\n250 SIZE 1000\r\n');
 * caps.size; // 1000
 * ```
 * @see RFC 5321 §4.2, §4.1.1.1
 */
export function parseEhloReplyText(text: string | Uint8Array, options?: ParseEhloOptions): Capabilities {
  const { limits, discard } = resolveOptions(options);
  const sink = new WarningSink(limits.maxWarnings);
  let s: string;
  // a lone surrogate has no UTF-8 form: read as its encoding is (U+FFFD), as the bytes and smtp-reply-reader read it
  if (typeof text === 'string') s = loneSurrogateIndex(text) < 0 ? text : textDecoder.decode(new TextEncoder().encode(text));
  else if (isBytes(text)) s = textDecoder.decode(text);
  else throw invalidReply(`text must be a string or a Uint8Array, got ${typeName(text)}`);
  // A byte order mark (a transcript saved by an editor) is skipped, in a string as the decoder skips it in bytes.
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  const lines: string[] = [];
  let code = -1;
  let enhanced: string | undefined;
  let done = false;
  let n = 0;
  // Bound the work on a huge transcript: stop once the parser has more keyword lines than it keeps
  // (the first line and maxKeywords + 1 of them, so it says so). Empty and discarded lines do not
  // count, as they do not for parseEhloReply: they must not push a later keyword out unreported.
  const maxLines = limits.maxKeywords + 1;
  let counted = 0;
  let start = 0;
  for (; start < s.length && counted <= maxLines; n++) {
    let end = s.indexOf('\n', start);
    if (end < 0) end = s.length;
    const next = end + 1;
    if (end > start && s.charCodeAt(end - 1) === 0x0d) end--;
    const line = s.slice(start, end);
    start = next;
    if (done) {
      if (line !== '') sink.add('bad-reply-line', n, 'text after the last line of the EHLO reply is ignored');
      if (line !== '') break;
      continue;
    }
    const c0 = line.charCodeAt(0) - 0x30;
    const c1 = line.charCodeAt(1) - 0x30;
    const c2 = line.charCodeAt(2) - 0x30;
    const sep = line.charCodeAt(3);
    const isCode = c0 >= 0 && c0 <= 9 && c1 >= 0 && c1 <= 9 && c2 >= 0 && c2 <= 9 && (line.length === 3 || sep === 0x2d || sep === 0x20);
    const lineCode = c0 * 100 + c1 * 10 + c2;
    if (!isCode || (code >= 0 && lineCode !== code)) {
      if (line !== '') sink.add('bad-reply-line', n, `line ${n} is not a reply line of code ${code >= 0 ? code : 'NNN'}; ignored`);
      continue;
    }
    // an enhanced code before the text (RFC 3463 §2, the grammar smtp-reply-reader reads) is
    // dropped with the SP or HT after it, as the reader drops it: on the first line any of the
    // reply's class, on later lines the same one
    let text = line.slice(4);
    const e = scanEnhancedStatusCode((k) => text.charCodeAt(k), 0, text.length);
    const key = e?.code.class === c0 ? `${e.code.subject}.${e.code.detail}` : undefined;
    if (key !== undefined && (code < 0 ? (enhanced = key) : enhanced) === key) text = text.slice(e!.next + 1);
    code = lineCode;
    // Control characters (C0 but HT, DEL, C1; a stray CR among them) become "?", as smtp-reply-reader
    // shows them: nothing the peer sent reaches a log or a terminal as a control. One character class: linear.
    // eslint-disable-next-line no-control-regex
    text = text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, '?');
    if (lines.push(text) === 1 || countsAsKeyword(text, discard)) counted++;
    if (sep !== 0x2d) done = true;
  }
  // the text ran out before a last line (`NNN ` or a bare `NNN`): a cut-off transcript, so more keywords may be missing
  if (code >= 0 && !done && start >= s.length) sink.add('bad-reply-line', n, 'no last line: reply cut short');
  if (code < 0) {
    sink.add('not-ehlo-reply', 0, 'no reply line found');
    return new Capabilities({ esmtp: false, domain: '', greeting: '', entries: [], byKeyword: new Map(), warnings: sink.list, typed: { auth: new Set() } });
  }
  return parseWith({ code, lines }, discard, limits, sink);
}
