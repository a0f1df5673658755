/**
 * The capabilities a server advertised in its EHLO reply: an ordered, open set of keywords with
 * their parameters, plus typed accessors for every registered service extension.
 */

import { indexEntries, scanLine, WarningSink } from './parse-core.js';
import { CapabilitiesError } from './errors.js';
import { isIterableObject, keywordTypeError, stringList, typeName, upperAscii } from './syntax.js';

/**
 * One keyword line of an EHLO reply, as parsed.
 *
 * @example
 * ```ts
 * for (const { keyword, params } of caps) console.log(keyword, params.join(' '));
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export interface CapabilityEntry {
  /** The keyword, upper-cased (keywords are case-insensitive). */
  readonly keyword: string;
  /** The space-separated parameters, exactly as sent (case kept). */
  readonly params: readonly string[];
  /** The line exactly as received (without the `250-` prefix). */
  readonly raw: string;
  /** Index of the line in the reply's `lines` (0 is the domain/greeting line). */
  readonly line: number;
  /**
   * `'standard'` for `KEYWORD params`, `'legacy'` for the pre-RFC `KEYWORD=params` form (as in
   * `AUTH=LOGIN PLAIN`), `'malformed'` when the keyword breaks the RFC 5321 syntax (kept anyway).
   */
  readonly form: 'standard' | 'legacy' | 'malformed';
}

/**
 * Why a line of an EHLO reply was suspicious. Peer input never throws; it produces warnings.
 *
 * @example
 * ```ts
 * const caps = parseEhloReply({ code: 250, lines: ['mx', 'SIZE abc'] });
 * caps.warnings[0]?.code; // 'invalid-param'
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export type CapabilityWarningCode =
  | 'not-ehlo-reply'
  | 'empty-line'
  | 'invalid-keyword'
  | 'invalid-param'
  | 'duplicate-keyword'
  | 'too-many-keywords'
  | 'too-many-params'
  | 'too-many-warnings'
  | 'greeting-looks-like-keyword'
  | 'bad-reply-line';

/**
 * A problem found while parsing an EHLO reply (kept with the line index so it can be logged).
 *
 * @example
 * ```ts
 * for (const w of caps.warnings) log.warn(`EHLO line ${w.line}: ${w.message}`);
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export interface CapabilityWarning {
  readonly code: CapabilityWarningCode;
  /** Index of the offending line in the reply's `lines`. */
  readonly line: number;
  /** The upper-cased keyword concerned, when there is one. */
  readonly keyword?: string;
  /** Human-readable explanation. */
  readonly message: string;
}

/**
 * The limits a server declared with the LIMITS keyword (RFC 9422 §4).
 *
 * @example
 * ```ts
 * const max = caps.limits?.rcptMax ?? Infinity; // recipients per transaction
 * ```
 * @see RFC 9422 §4
 */
export interface ServerLimits {
  /** `RCPTMAX`: recipients per transaction. */
  readonly rcptMax?: number;
  /** `MAILMAX`: transactions per session. */
  readonly mailMax?: number;
  /** `RCPTDOMAINMAX`: distinct recipient domains per transaction. */
  readonly rcptDomainMax?: number;
}

/**
 * What FUTURERELEASE advertises: the longest hold in seconds and the latest release date-time.
 *
 * @example
 * ```ts
 * if ((caps.futureRelease?.maxInterval ?? 0) >= 3600) holdFor(3600);
 * ```
 * @see RFC 4865 §3
 */
export interface FutureRelease {
  /** `max-future-release-interval`: seconds (undefined when missing or invalid: not 1 to 9 digits, RFC 4865's `1*9DIGIT`). */
  readonly maxInterval: number | undefined;
  /** `max-future-release-date-time` as sent, undefined when missing or not an RFC 3339 date-time (the day within its month, hours 00-23). */
  readonly maxDateTime: string | undefined;
}

/** @internal Typed values decoded while parsing. */
export interface TypedValues {
  size?: number;
  auth: Set<string>;
  deliverBy?: number;
  mtPriority?: string;
  futureRelease?: FutureRelease;
  limits?: ServerLimits;
  xclient?: Set<string>;
  xforward?: Set<string>;
  burl?: readonly string[];
  noSoliciting?: readonly string[];
}

/** @internal Everything a {@link Capabilities} is built from. */
export interface CapabilitiesState {
  readonly esmtp: boolean;
  readonly domain: string;
  readonly greeting: string;
  readonly entries: readonly CapabilityEntry[];
  readonly byKeyword: ReadonlyMap<string, CapabilityEntry>;
  readonly warnings: readonly CapabilityWarning[];
  readonly typed: TypedValues;
}

const EMPTY_SET: ReadonlySet<string> = new Set<string>();

/**
 * The capabilities of an SMTP server, from its EHLO reply ({@link parseEhloReply}) or empty for a
 * HELO session ({@link Capabilities.none}). Keyword lookups are case-insensitive; every keyword is
 * kept in order, known or not.
 *
 * @example
 * ```ts
 * const caps = parseEhloReply(reply);
 * if (caps.startTls) await upgrade();
 * if (caps.size && message.length > caps.size) throw new Error('too big for this server');
 * caps.has('x-custom'); caps.params('AUTH'); // ['PLAIN', 'LOGIN']
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export class Capabilities implements Iterable<CapabilityEntry> {
  /** True when the session used EHLO (false for {@link Capabilities.none}). */
  readonly esmtp: boolean;
  /** The domain (or address literal) at the start of the first line. */
  readonly domain: string;
  /** The rest of the first line (may be empty). */
  readonly greeting: string;
  /** Problems found in the reply, in line order (peer input never throws). */
  readonly warnings: readonly CapabilityWarning[];
  readonly #entries: readonly CapabilityEntry[];
  readonly #byKeyword: ReadonlyMap<string, CapabilityEntry>;
  readonly #typed: TypedValues;

  /** @internal Use {@link parseEhloReply}, {@link Capabilities.none} or {@link Capabilities.from}. */
  constructor(state: CapabilitiesState) {
    this.esmtp = state.esmtp;
    this.domain = state.domain;
    this.greeting = state.greeting;
    this.warnings = state.warnings;
    this.#entries = state.entries;
    this.#byKeyword = state.byKeyword;
    this.#typed = state.typed;
  }

  /**
   * The empty capability set of a HELO session (or after STARTTLS, before the new EHLO). A
   * `domain` or `greeting` that is not a string is `ERR_SMTP_INVALID_ARGUMENT`.
   *
   * @example
   * ```ts
   * let caps = Capabilities.none();
   * caps.has('PIPELINING'); // false
   * ```
   * @see RFC 5321 §4.1.1.1, RFC 3207 §4.2
   */
  static none(domain = '', greeting = ''): Capabilities {
    firstLineText(domain, greeting);
    return new Capabilities({
      esmtp: false,
      domain,
      greeting,
      entries: [],
      byKeyword: new Map(),
      warnings: [],
      typed: { auth: new Set() },
    });
  }

  /**
   * Capabilities built from keyword lines, as if parsed from an EHLO reply with that domain and
   * greeting: handy in tests, and for a server that wants to know what it offers. Lines are parsed
   * leniently (same warnings as {@link parseEhloReply}); nothing is thrown for their text. Keywords
   * that are not a list (any iterable, read once, but not a lone string or a typed array) of strings or
   * `{ keyword, params? }` objects are `ERR_SMTP_INVALID_ARGUMENT`, and so are a `domain` or
   * `greeting` that is not a string.
   *
   * @example
   * ```ts
   * const caps = Capabilities.from({ keywords: ['PIPELINING', 'SIZE 1000', { keyword: 'AUTH', params: ['PLAIN'] }] });
   * caps.size; // 1000
   * ```
   * @see RFC 5321 §4.1.1.1
   */
  static from(input: {
    readonly domain?: string;
    readonly greeting?: string;
    readonly keywords: Iterable<string | { readonly keyword: string; readonly params?: readonly string[] }>;
  }): Capabilities {
    const invalid = (): CapabilitiesError =>
      new CapabilitiesError('ERR_SMTP_INVALID_ARGUMENT', 'Capabilities.from keywords must be a list of strings or { keyword, params? }');
    if (typeof input !== 'object' || input === null) throw invalid();
    const sink = new WarningSink(64);
    const entries: CapabilityEntry[] = [];
    let n = 0;
    const keywords: unknown = input.keywords;
    if (!isIterableObject(keywords)) throw invalid();
    for (const k of keywords) {
      n++;
      let line: string;
      if (typeof k === 'string') line = k;
      else if (typeof k === 'object' && k !== null && typeof (k as { keyword?: unknown }).keyword === 'string') {
        const { keyword, params } = k as { keyword: string; params?: unknown };
        const list = stringList(params, invalid);
        line = list?.length ? `${keyword} ${list.join(' ')}` : keyword;
      } else throw invalid();
      const e = scanLine(line, n, 64, sink);
      if (e) entries.push(e);
    }
    const { domain = '', greeting = '' } = input;
    firstLineText(domain, greeting);
    const { byKeyword, typed } = indexEntries(entries, sink);
    return new Capabilities({ esmtp: true, domain, greeting, entries, byKeyword, typed, warnings: sink.list });
  }

  /**
   * True when `keyword` was advertised (case-insensitive; `AUTH=` counts as `AUTH`). A keyword that
   * is not a string is `ERR_SMTP_INVALID_ARGUMENT`, here and in {@link params}, {@link get} and
   * {@link entriesFor}.
   */
  has(keyword: string): boolean {
    if (typeof keyword !== 'string') throw keywordTypeError(keyword);
    return this.#byKeyword.has(upperAscii(keyword));
  }

  /**
   * The parameters of `keyword` (case-insensitive), or `undefined` when not advertised. When a
   * keyword appears more than once, the first standard-form line wins (see {@link entriesFor}).
   *
   * @example
   * ```ts
   * caps.params('size'); // ['35882577']
   * ```
   */
  params(keyword: string): readonly string[] | undefined {
    if (typeof keyword !== 'string') throw keywordTypeError(keyword);
    return this.#byKeyword.get(upperAscii(keyword))?.params;
  }

  /** The entry of `keyword` (case-insensitive) that {@link params} uses, or `undefined`. */
  get(keyword: string): CapabilityEntry | undefined {
    if (typeof keyword !== 'string') throw keywordTypeError(keyword);
    return this.#byKeyword.get(upperAscii(keyword));
  }

  /** Every line advertising `keyword` (case-insensitive), in order (duplicates and `AUTH=` included). */
  entriesFor(keyword: string): CapabilityEntry[] {
    if (typeof keyword !== 'string') throw keywordTypeError(keyword);
    const k = upperAscii(keyword);
    return this.#entries.filter((e) => e.keyword === k);
  }

  /** Every keyword line in order, as {@link CapabilityEntry} objects. */
  entries(): IterableIterator<CapabilityEntry> {
    return this.#entries[Symbol.iterator]();
  }

  /** Same as {@link entries}: `for (const { keyword, params } of caps)`. */
  [Symbol.iterator](): IterableIterator<CapabilityEntry> {
    return this.#entries[Symbol.iterator]();
  }

  /** The distinct keywords, upper-cased, in order of first appearance. */
  get keywords(): readonly string[] {
    return [...this.#byKeyword.keys()];
  }

  /** Number of distinct keywords. */
  get count(): number {
    return this.#byKeyword.size;
  }

  /** The keyword lines as received (no domain line), ready for {@link formatEhloReply} or logging. */
  toLines(): string[] {
    return this.#entries.map((e) => e.raw);
  }

  /**
   * A copy without the given keywords, like Postfix's `smtp_discard_ehlo_keywords` on the client
   * side (e.g. ignore a broken PIPELINING or CHUNKING of one peer). `keywords` is any list of
   * strings (read once); anything else, a lone string or a typed array included, is `ERR_SMTP_INVALID_ARGUMENT`.
   *
   * @example
   * ```ts
   * const usable = caps.without(['PIPELINING']);
   * ```
   */
  without(keywords: Iterable<string>): Capabilities {
    const invalid = (): CapabilitiesError => new CapabilitiesError('ERR_SMTP_INVALID_ARGUMENT', 'without() takes a list of keywords');
    const list = stringList(keywords, invalid);
    if (list === undefined) throw invalid();
    const drop = new Set<string>();
    for (const k of list) drop.add(upperAscii(k));
    if (drop.size === 0) return this;
    return rebuild(this, drop);
  }

  /** Plain data for logs and `JSON.stringify` (`smtp probe --json`). */
  toJSON(): {
    esmtp: boolean;
    domain: string;
    greeting: string;
    keywords: { keyword: string; params: readonly string[] }[];
    warnings: readonly CapabilityWarning[];
  } {
    return {
      esmtp: this.esmtp,
      domain: this.domain,
      greeting: this.greeting,
      keywords: this.#entries.map((e) => ({ keyword: e.keyword, params: e.params })),
      warnings: this.warnings,
    };
  }

  // ---- typed accessors -------------------------------------------------------------------

  /** SIZE (RFC 1870 §4): the maximum message size in bytes; 0 = no fixed limit; undefined = not advertised. */
  get size(): number | undefined {
    return this.#typed.size;
  }
  /** PIPELINING (RFC 2920). */
  get pipelining(): boolean {
    return this.#byKeyword.has('PIPELINING');
  }
  /** STARTTLS (RFC 3207). */
  get startTls(): boolean {
    return this.#byKeyword.has('STARTTLS');
  }
  /** AUTH (RFC 4954): SASL mechanism names, upper-cased, merging every `AUTH` and `AUTH=` line. */
  get auth(): ReadonlySet<string> {
    return this.#typed.auth.size ? this.#typed.auth : EMPTY_SET;
  }
  /** 8BITMIME (RFC 6152). */
  get eightBitMime(): boolean {
    return this.#byKeyword.has('8BITMIME');
  }
  /** BINARYMIME (RFC 3030). */
  get binaryMime(): boolean {
    return this.#byKeyword.has('BINARYMIME');
  }
  /** CHUNKING, the BDAT command (RFC 3030). */
  get chunking(): boolean {
    return this.#byKeyword.has('CHUNKING');
  }
  /** DSN (RFC 3461). */
  get dsn(): boolean {
    return this.#byKeyword.has('DSN');
  }
  /** ENHANCEDSTATUSCODES (RFC 2034). */
  get enhancedStatusCodes(): boolean {
    return this.#byKeyword.has('ENHANCEDSTATUSCODES');
  }
  /** SMTPUTF8 (RFC 6531). */
  get smtpUtf8(): boolean {
    return this.#byKeyword.has('SMTPUTF8');
  }
  /** REQUIRETLS (RFC 8689). */
  get requireTls(): boolean {
    return this.#byKeyword.has('REQUIRETLS');
  }
  /** DELIVERBY (RFC 2852): the minimum BY time in seconds (0 when none given, or when the value is not 1 to 9 digits: an `invalid-param` warning); undefined = not advertised. */
  get deliverBy(): number | undefined {
    return this.#typed.deliverBy;
  }
  /** MT-PRIORITY (RFC 6710): the priority profile name (`''` when none given); undefined = not advertised. */
  get mtPriority(): string | undefined {
    return this.#typed.mtPriority;
  }
  /** FUTURERELEASE (RFC 4865): the longest hold and latest release time; undefined = not advertised. */
  get futureRelease(): FutureRelease | undefined {
    return this.#typed.futureRelease;
  }
  /** LIMITS (RFC 9422): declared limits (empty object when none parsed); undefined = not advertised. */
  get limits(): ServerLimits | undefined {
    return this.#typed.limits;
  }
  /** XCLIENT (Postfix): the attribute names the server accepts, upper-cased; undefined = not advertised. */
  get xclient(): ReadonlySet<string> | undefined {
    return this.#typed.xclient;
  }
  /** XFORWARD (Postfix): the attribute names the server accepts, upper-cased; undefined = not advertised. */
  get xforward(): ReadonlySet<string> | undefined {
    return this.#typed.xforward;
  }
  /** VRFY (RFC 5321 §3.5): advertised as a keyword. */
  get vrfy(): boolean {
    return this.#byKeyword.has('VRFY');
  }
  /** EXPN (RFC 5321 §3.5): advertised as a keyword. */
  get expn(): boolean {
    return this.#byKeyword.has('EXPN');
  }
  /** ETRN (RFC 1985). */
  get etrn(): boolean {
    return this.#byKeyword.has('ETRN');
  }
  /** ATRN (RFC 2645). */
  get atrn(): boolean {
    return this.#byKeyword.has('ATRN');
  }
  /** HELP (RFC 5321 §4.1.1.8): advertised as a keyword. */
  get help(): boolean {
    return this.#byKeyword.has('HELP');
  }
  /** NO-SOLICITING (RFC 3865): the solicitation keywords the server watches for; undefined = not advertised. */
  get noSoliciting(): readonly string[] | undefined {
    return this.#typed.noSoliciting;
  }
  /** MTRK, message tracking (RFC 3885). */
  get mtrk(): boolean {
    return this.#byKeyword.has('MTRK');
  }
  /** CONPERM, content conversion permission (RFC 4141). */
  get conperm(): boolean {
    return this.#byKeyword.has('CONPERM');
  }
  /** CONNEG, content negotiation (RFC 4141). */
  get conneg(): boolean {
    return this.#byKeyword.has('CONNEG');
  }
  /** RRVS, require recipient valid since (RFC 7293). */
  get rrvs(): boolean {
    return this.#byKeyword.has('RRVS');
  }
  /** BURL (RFC 4468): the URL types offered (e.g. `['imap']`, `[]` when none); undefined = not advertised. */
  get burl(): readonly string[] | undefined {
    return this.#typed.burl;
  }
}

/** `ERR_SMTP_INVALID_ARGUMENT` unless the domain and greeting given to `none` / `from` are strings. */
function firstLineText(domain: unknown, greeting: unknown): void {
  for (const [name, v] of [['domain', domain], ['greeting', greeting]] as const) {
    if (typeof v !== 'string') throw new CapabilitiesError('ERR_SMTP_INVALID_ARGUMENT', `${name} must be a string, got ${typeName(v)}`);
  }
}

function rebuild(caps: Capabilities, drop: ReadonlySet<string>): Capabilities {
  const entries = [...caps].filter((e) => !drop.has(e.keyword));
  const warnings = caps.warnings.filter((w) => w.keyword === undefined || !drop.has(w.keyword));
  const { byKeyword, typed } = indexEntries(entries);
  return new Capabilities({ esmtp: caps.esmtp, domain: caps.domain, greeting: caps.greeting, entries, byKeyword, typed, warnings });
}
