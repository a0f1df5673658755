/**
 * MAIL FROM and RCPT TO, both directions: `formatMailFrom` / `formatRcptTo` build the command line
 * from a path and an {@link SmtpClientArgs}; `parseMailFrom` / `parseRcptTo` parse what a client sent
 * after the verb, strictly by default, and throw a {@link ClientArgsError} carrying the reply a
 * server should send.
 */

import { SmtpClientArgs, collectionFacts, parsedCollection, storedEntries } from './client-args.js';
import { ClientArgsError, booleanOption, optionsObject } from './errors.js';
import type { ArgsErrorCode, ServerReply } from './errors.js';
import { DEFAULT_PARAMETERS, checkParam, parseAuthValue, parseBy, parseMtPriority, parseMtrk, parseNotify, parseOrcpt, parseRrvs, same, specsOf, valueProblem } from './parameters.js';
import type { ParameterCommand, ParameterSpec } from './parameters.js';
import { DEFAULT_PATH_LIMITS, frozenPath, lenientOptions, pathReply, renderPath, resolveLimits, scanPathWith, toPath } from './path.js';
import type { LenientOptions, Path, PathLimits } from './path.js';
import { asciiUpper, isList, keywordEnd, strictDecoder as decoder, utf8Length } from './text.js';
import { tryXtextDecode } from './xtext.js';
import { isBytes, typeName, isOptionsObject } from '@smtpkit/foundation';

/**
 * Limits of the server-side parsers: the path limits (bytes), the number of parameters, and the
 * message size the server accepts (checked against `SIZE`).
 *
 * @example
 * ```ts
 * parseMailFrom(text, { limits: { messageSize: 25 * 1024 * 1024 } });
 * ```
 * @see RFC 5321 §4.5.3.1, RFC 1870 §6
 */
export interface ParseLimits extends PathLimits {
  /** Most parameters on one command. Not in any RFC; 32 is far above what real clients send. */
  readonly parameters: number;
  /** Largest `SIZE=` accepted (552 5.3.4 above it); `undefined` = no limit (the default). */
  readonly messageSize: number | undefined;
}

/**
 * Defaults of {@link ParseLimits}: RFC 5321 path minimums (64 / 255 / 256), 32 parameters, no size
 * limit.
 *
 * @example
 * ```ts
 * parseRcptTo(text, { limits: { ...DEFAULT_PARSE_LIMITS, localPart: 128 } });
 * ```
 * @see RFC 5321 §4.5.3.1
 */
export const DEFAULT_PARSE_LIMITS: ParseLimits = Object.freeze({ ...DEFAULT_PATH_LIMITS, parameters: 32, messageSize: undefined });

/**
 * Options of {@link parseMailFrom} and {@link parseRcptTo}.
 *
 * @example
 * ```ts
 * const opts: ParseOptions = { advertised: ['SIZE', '8BITMIME', 'DSN', 'SMTPUTF8'], limits: { messageSize: 10e6 } };
 * parseMailFrom('FROM:<a@b> BODY=8BITMIME', opts);
 * ```
 * Parses reuse what they derive from an options object; a change made in place to it is followed
 * all the same: an item added to, removed from or replaced in an array or a set (`advertised`,
 * `allowedParameters`, `bodyValues`, `parameters`), or a limit changed, is seen by the next parse
 * (a `ParameterSpec` object itself is read once: replace it to change it). Frozen arrays and a
 * frozen `limits` object cannot change and are not compared: freeze them when you parse every
 * command with one options object. Other iterables (a generator) are read once per options object.
 *
 * @see RFC 5321 §4.1.1.2, §4.1.1.3
 */
export interface ParseOptions {
  /**
   * SMTPUTF8 is in effect. For `parseRcptTo`, pass true when this transaction's MAIL FROM carried
   * SMTPUTF8. For `parseMailFrom` the `SMTPUTF8` parameter itself decides (when allowed).
   */
  readonly smtpUtf8?: boolean;
  /** EHLO keywords the server advertised; the parameters they define are allowed. */
  readonly advertised?: Iterable<string>;
  /** Parameter keywords allowed in addition (private extensions). */
  readonly allowedParameters?: Iterable<string>;
  /**
   * `BODY` values accepted (case-insensitive); any other value is refused with 555 5.5.4. Default:
   * derived from `advertised` when given (`7BIT` always, `8BITMIME` when 8BITMIME is advertised,
   * `BINARYMIME` when BINARYMIME is: RFC 6152 §2, RFC 3030 §3), otherwise every valid value.
   */
  readonly bodyValues?: Iterable<string>;
  /** Extra or overriding parameter definitions. */
  readonly parameters?: readonly ParameterSpec[];
  /** Leniency for real-world clients (all off by default). */
  readonly lenient?: LenientOptions;
  /** Limits; missing fields use {@link DEFAULT_PARSE_LIMITS}. */
  readonly limits?: Partial<ParseLimits>;
}

/**
 * The typed meaning of the MAIL parameters (xtext decoded).
 *
 * @example
 * ```ts
 * const { parameters } = parseMailFrom('FROM:<a@b> SIZE=100 RET=HDRS');
 * parameters.size; // 100
 * ```
 * @see RFC 1870, RFC 6152, RFC 3030, RFC 3461, RFC 4954, RFC 6531, RFC 8689, RFC 6710, RFC 2852, RFC 4865, RFC 3885
 */
export interface MailParameters {
  /** Declared size in bytes (SIZE allows 20 digits; above 2^53 the number is approximate). */
  readonly size?: number;
  readonly body?: '7BIT' | '8BITMIME' | 'BINARYMIME';
  readonly ret?: 'FULL' | 'HDRS';
  /** Decoded ENVID. */
  readonly envid?: string;
  /** Decoded AUTH mailbox; `null` for `AUTH=<>` (however xtext writes it: `+3C+3E` too). */
  readonly auth?: string | null;
  readonly smtpUtf8: boolean;
  readonly requireTls: boolean;
  readonly mtPriority?: number;
  readonly by?: { readonly seconds: number; readonly mode: 'N' | 'R'; readonly trace: boolean };
  readonly holdFor?: number;
  readonly holdUntil?: string;
  readonly mtrk?: { readonly certifier?: string; readonly timeout?: number };
}

/**
 * The typed meaning of the RCPT parameters (xtext decoded).
 *
 * @example
 * ```ts
 * const { parameters } = parseRcptTo('TO:<a@b> NOTIFY=SUCCESS,FAILURE', { advertised: ['DSN'] });
 * parameters.notify; // ['SUCCESS', 'FAILURE']
 * ```
 * @see RFC 3461 §4.1, §4.2, RFC 6533, RFC 7293
 */
export interface RcptParameters {
  readonly notify?: 'NEVER' | readonly ('SUCCESS' | 'FAILURE' | 'DELAY')[];
  /** Original recipient, address decoded. */
  readonly orcpt?: { readonly addrType: string; readonly address: string };
  readonly rrvs?: { readonly dateTime: string; readonly mode?: 'C' | 'R' };
}

/**
 * What `parseMailFrom` returns.
 *
 * @example
 * ```ts
 * const { path, args, parameters }: ParsedMailFrom = parseMailFrom('FROM:<> SIZE=10');
 * ```
 * @see RFC 5321 §4.1.1.2
 */
export interface ParsedMailFrom {
  readonly path: Path;
  /** The parameters as received (wire values), in order. */
  readonly args: SmtpClientArgs;
  /** Their typed meaning. */
  readonly parameters: MailParameters;
}

/**
 * What `parseRcptTo` returns.
 *
 * @example
 * ```ts
 * const { path }: ParsedRcptTo = parseRcptTo('TO:<postmaster>');
 * ```
 * @see RFC 5321 §4.1.1.3
 */
export interface ParsedRcptTo {
  readonly path: Path;
  readonly args: SmtpClientArgs;
  readonly parameters: RcptParameters;
}

/**
 * Options of {@link formatMailFrom} / {@link formatRcptTo}.
 *
 * @example
 * ```ts
 * formatRcptTo('ü@example.com', args, { smtpUtf8: true });
 * ```
 * @see RFC 5321 §4.1.2, RFC 6531 §3.4
 */
export interface FormatOptions {
  /** Allow a UTF-8 path. Default for MAIL: the args hold SMTPUTF8; for RCPT: false. */
  readonly smtpUtf8?: boolean;
  /** Path limits in bytes (defaults: RFC 5321 minimums). */
  readonly limits?: Partial<PathLimits>;
}

function reply(code: number, enhanced: string, text: string): ServerReply {
  return { code, enhanced, text };
}

/** One `[keyword, value]` pair of a caller's `args`. */
function pairOf(entry: unknown): readonly [string, string | undefined] {
  if (!Array.isArray(entry)) throw ClientArgsError.local('ERR_SMTP_INVALID_ARGUMENT', 'args', 'args must yield [keyword, value] pairs');
  return entry as unknown as readonly [string, string | undefined];
}

/**
 * What the extension of some parameters adds to the longest MAIL or RCPT line (RFC 5321
 * §4.5.3.1.4 lets extensions raise its 512 octets), once per extension: SIZE 26 (RFC 1870 §3), RET
 * and ENVID 100 on MAIL, NOTIFY and ORCPT 500 on RCPT (RFC 3461 §4), AUTH 500 (RFC 4954 §3),
 * SMTPUTF8 10 (RFC 6531 §3.1). What esmtp-server-fsm grants when they are advertised.
 */
const LONGER = [
  [['SIZE'], 26],
  [['RET', 'ENVID'], 100],
  [['NOTIFY', 'ORCPT'], 500],
  [['AUTH'], 500],
  [['SMTPUTF8'], 10],
] as const;

/**
 * The parameters as they go after the path, from the pairs of a caller's `args` (read once), and the
 * longest line, CRLF included, they allow (see LONGER).
 * `own`: the parameter table of the `SmtpClientArgs` they came from (possibly custom), if they did.
 */
function renderArgs(entries: readonly unknown[], own: ReadonlyMap<string, ParameterSpec> | undefined, command: ParameterCommand, smtpUtf8: boolean): [text: string, limit: number] {
  // Every pair is checked again, a collection's too, with the SMTPUTF8 of this line: a collection
  // checked a value with its own (an escaped UTF-8 AUTH or ORCPT taken while SMTPUTF8 was in
  // effect for it), which the line that is written may not have. A collection's command is checked
  // against the built-in table only (below): its own may define a private parameter for either.
  let out = '';
  const seen = new Set<string>();
  for (const entry of entries) {
    const [k, v] = pairOf(entry);
    let r = checkParam(k, v, own ?? DEFAULT_PARAMETERS, own ? undefined : command, { smtpUtf8, lowercaseXtextHex: true });
    if (r.ok && DEFAULT_PARAMETERS.get(r.keyword)?.command === (command === 'mail' ? 'rcpt' : 'mail')) {
      r = { ok: false, reason: 'wrong-command', message: `${r.keyword} belongs to the other command` };
    }
    if (!r.ok) {
      const name = r.reason === 'bad-keyword' ? 'args' : asciiUpper(String(k));
      throw ClientArgsError.local('ERR_SMTP_INVALID_PARAM', name, `${name}: ${r.message}`);
    }
    if (seen.has(r.keyword)) throw ClientArgsError.local('ERR_SMTP_INVALID_PARAM', r.keyword, `${r.keyword} appears twice`);
    seen.add(r.keyword);
    out += v === undefined ? ' ' + r.keyword : ' ' + r.keyword + '=' + v;
  }
  let limit = 512;
  for (const [keywords, octets] of LONGER) if (keywords.some((k) => seen.has(k))) limit += octets;
  return [out, limit];
}

type ArgsInput = Iterable<readonly [string, string | undefined]>;

/**
 * Builds the command line. `args` is read exactly once (a generator yields its pairs only once):
 * MAIL's SMTPUTF8 test (when `utf8` is undefined) and the rendering use the same pairs.
 */
function formatCommand(command: ParameterCommand, path: Path | string, args: ArgsInput | undefined, options: FormatOptions, utf8: boolean | undefined): string {
  let entries: unknown[] = [];
  let own: ReadonlyMap<string, ParameterSpec> | undefined;
  if (args !== undefined) {
    // a list (an iterable object, not a typed array), so a bad one is a typed error, not a TypeError
    if (!isList(args)) throw ClientArgsError.local('ERR_SMTP_INVALID_ARGUMENT', 'args', 'args must be an SmtpClientArgs');
    own = collectionFacts(args)?.specs;
    entries = [...args];
  }
  // no more than a server parses by default (DEFAULT_PARSE_LIMITS.parameters)
  if (entries.length > DEFAULT_PARSE_LIMITS.parameters) {
    throw ClientArgsError.local('ERR_SMTP_TOO_MANY_PARAMS', 'args', `more than ${String(DEFAULT_PARSE_LIMITS.parameters)} parameters`);
  }
  utf8 ??= entries.some((e) => {
    const k = pairOf(e)[0];
    return typeof k === 'string' && asciiUpper(k) === 'SMTPUTF8';
  });
  const p = toPath(path, 'path', { smtpUtf8: utf8, ...(options.limits === undefined ? {} : { limits: options.limits }) });
  if (p.kind === (command === 'mail' ? 'postmaster' : 'null')) {
    throw ClientArgsError.local('ERR_SMTP_INVALID_PATH', 'path', `path: ${renderPath(p)} not allowed here`);
  }
  const [params, limit] = renderArgs(entries, own, command, utf8);
  const line = (command === 'mail' ? 'MAIL FROM:' : 'RCPT TO:') + renderPath(p) + params;
  const octets = utf8Length(line) + 2;
  if (octets > limit) {
    throw ClientArgsError.local('ERR_SMTP_COMMAND_TOO_LONG', 'args', `command line of ${String(octets)} octets > ${String(limit)}`);
  }
  return line;
}

/**
 * Builds `MAIL FROM:<path> PARAMS` (without the CRLF). The path may be a {@link Path} or a string
 * address (`''` for `<>`); `args` an {@link SmtpClientArgs} or any iterable of `[keyword, value]`
 * pairs, read once (a generator works). Throws a {@link ClientArgsError} naming the argument
 * (`path`, a parameter keyword) for anything that cannot go on the wire; a UTF-8 path needs
 * SMTPUTF8 in the args (or `options.smtpUtf8`), and so does a parameter value that is UTF-8, raw or
 * escaped (an `AUTH` mailbox, an `rfc822` `ORCPT`): checked here, for this line, whatever the
 * collection allowed when the value was set (`ERR_SMTP_INVALID_PARAM` naming the keyword). The
 * line is bounded as RFC 5321 §4.5.3.1.4 bounds it: 512 octets with the CRLF, plus 26 with SIZE
 * (RFC 1870), 100 with RET or ENVID (RFC 3461), 500 with AUTH (RFC 4954), 10 with SMTPUTF8
 * (RFC 6531); a longer one is `ERR_SMTP_COMMAND_TOO_LONG`, and more than 32
 * parameters (what {@link parseMailFrom} takes by default) `ERR_SMTP_TOO_MANY_PARAMS`, both naming
 * `args`.
 *
 * @example
 * ```ts
 * formatMailFrom('', new SmtpClientArgs().setRet('HDRS')); // 'MAIL FROM:<> RET=HDRS'
 * ```
 * @see RFC 5321 §4.1.1.2, §4.1.2
 */
export function formatMailFrom(path: Path | string, args?: Iterable<readonly [string, string | undefined]>, options?: FormatOptions): string {
  options = optionsObject(options, {});
  return formatCommand('mail', path, args, options, booleanOption(options.smtpUtf8, 'options.smtpUtf8'));
}

/**
 * Builds `RCPT TO:<path> PARAMS` (without the CRLF). The null path is refused; a UTF-8 path, and a
 * UTF-8 parameter value (an `rfc822` `ORCPT` escaping one), need `options.smtpUtf8` (the
 * transaction's MAIL FROM carried SMTPUTF8), whatever the collection allowed when it took the value
 * (`ERR_SMTP_INVALID_PARAM` naming the keyword). As for {@link formatMailFrom},
 * the line is at most 512 octets with the CRLF, plus 500 with NOTIFY or ORCPT (RFC 3461 §4)
 * (`ERR_SMTP_COMMAND_TOO_LONG`), with at most 32 parameters (`ERR_SMTP_TOO_MANY_PARAMS`).
 *
 * @example
 * ```ts
 * formatRcptTo('user@example.com', new SmtpClientArgs().setNotify(['FAILURE']));
 * // 'RCPT TO:<user@example.com> NOTIFY=FAILURE'
 * ```
 * @see RFC 5321 §4.1.1.3, §4.1.2
 */
export function formatRcptTo(path: Path | string, args?: Iterable<readonly [string, string | undefined]>, options?: FormatOptions): string {
  options = optionsObject(options, {});
  return formatCommand('rcpt', path, args, options, booleanOption(options.smtpUtf8, 'options.smtpUtf8') ?? false);
}

/**
 * A keyword list option, read once and upper-cased (items as text); undefined when not given.
 * Anything but an iterable object (a number, a lone string, a plain object), or an item with no
 * text form (a symbol), is `ERR_SMTP_INVALID_OPTION` naming the option.
 */
function upperList(name: 'advertised' | 'bodyValues' | 'allowedParameters', list: Iterable<string> | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  const invalid = (): ClientArgsError => ClientArgsError.local('ERR_SMTP_INVALID_OPTION', `options.${name}`, `options.${name} must be a list of keywords`);
  if (typeof list !== 'object' || list === null) throw invalid();
  try {
    // items as text; one String() cannot convert (a symbol, an object without a prototype) is refused too
    return [...list].map((k) => asciiUpper(String(k)));
  } catch {
    throw invalid();
  }
}

function resolveParseLimits(l: Partial<ParseLimits> | undefined): ParseLimits {
  const out = resolveLimits(DEFAULT_PARSE_LIMITS, l, ['localPart', 'domain', 'path', 'parameters']);
  if (out.messageSize !== undefined && (typeof out.messageSize !== 'number' || !(out.messageSize >= 0))) {
    throw ClientArgsError.local('ERR_SMTP_INVALID_OPTION', 'options.limits.messageSize', 'options.limits.messageSize must be a non-negative number');
  }
  return out;
}

/**
 * The parameter keywords allowed for `command`: those of the specs whose extension is advertised,
 * plus the extra ones; every spec of the command when neither list is given. The lists are the
 * options' own, read once and upper-cased (an option may be a one-shot iterable).
 */
function allowedSet(advertised: readonly string[] | undefined, extra: readonly string[] | undefined, specs: ReadonlyMap<string, ParameterSpec>, command: ParameterCommand): Set<string> {
  const out = new Set<string>();
  if (advertised === undefined && extra === undefined) {
    for (const s of specs.values()) if (s.command === command) out.add(s.keyword);
    return out;
  }
  if (advertised !== undefined) {
    const adv = new Set(advertised);
    for (const s of specs.values()) {
      if (s.command === command && s.extensions.some((e) => adv.has(e))) out.add(s.keyword);
    }
  }
  if (extra !== undefined) for (const k of extra) out.add(k);
  return out;
}

interface RawParam {
  readonly upper: string;
  readonly value: string | undefined;
  /** Its definition in the options' table (`Prepared.specs`), if any. */
  readonly spec: ParameterSpec | undefined;
}

/** What a parse derives from its options; reused while the same option objects come back (servers parse every command with one options object). */
interface Prepared {
  /**
   * The keyword lists of the options that can change in place (arrays, by index, and sets; not
   * frozen ones), each with its items as read, and the limits' values unless the limits are frozen.
   * Compared before each reuse, so an item pushed or a limit lowered is followed. The parameter
   * definitions are followed by `specs`: specsOf gives another table once their list changed.
   */
  readonly watch: readonly (readonly [list: Iterable<unknown>, items: readonly unknown[]])[];
  readonly limitValues: readonly unknown[] | undefined;
  /** The option values it was derived from (compared by identity). */
  readonly advertised: ParseOptions['advertised'];
  readonly allowedParameters: ParseOptions['allowedParameters'];
  readonly limitsIn: ParseOptions['limits'];
  readonly bodyValues: ParseOptions['bodyValues'];
  readonly limits: ParseLimits;
  readonly specs: ReadonlyMap<string, ParameterSpec>;
  readonly allowed: Partial<Record<ParameterCommand, Set<string>>>;
  readonly body: readonly string[] | undefined;
  /** `advertised` and `allowedParameters`, read once, upper-cased. */
  readonly advertisedUpper: readonly string[] | undefined;
  readonly extraUpper: readonly string[] | undefined;
}
const preparedByOptions = new WeakMap<ParseOptions, Prepared>();

/** What a parse derives from the content of its options. */
type Derived = Pick<Prepared, 'limits' | 'specs' | 'allowed' | 'body' | 'advertisedUpper' | 'extraUpper'>;

/**
 * Derived values by content, for option objects made afresh with the same content (a server makes
 * them per session): then nothing is derived again for the life of this module. Only for text keywords in
 * re-iterable lists (arrays, sets), numeric or missing limits and the built-in parameter table; a
 * content is stored only after it was derived (and validated) without error. Bounded.
 */
const derivedByContent = new Map<string, Derived>();
const DERIVED_BY_CONTENT_SIZE = 32;
const LIMIT_KEYS = ['localPart', 'domain', 'path', 'parameters', 'messageSize'] as const;

/**
 * Appends a list of keywords to a content key: each as `length:TEXT`, then `.`; a missing list is
 * `-`. Every list ends with its own mark, so no two contents give one key. Undefined if the list
 * cannot be keyed (not an array or set, or an item that is not a string).
 */
function keyList(key: string, list: Iterable<unknown> | undefined): string | undefined {
  if (list === undefined) return key + '-';
  if (!Array.isArray(list) && !(list instanceof Set)) return undefined;
  for (const k of list) {
    if (typeof k !== 'string') return undefined;
    const u = asciiUpper(k);
    key += `${String(u.length)}:${u}`;
  }
  return key + '.';
}

const NO_LIMITS: Partial<ParseLimits> = {};

/** The content key of `options`, or undefined when its content cannot be keyed (then it is derived afresh). */
function contentKey(options: ParseOptions): string | undefined {
  if (options.parameters !== undefined && (!Array.isArray(options.parameters) || options.parameters.length > 0)) return undefined;
  let key = keyList('', options.advertised);
  if (key !== undefined) key = keyList(key, options.allowedParameters);
  if (key !== undefined) key = keyList(key, options.bodyValues);
  if (key === undefined) return undefined;
  // Missing limits and `{}` mean the same; each limit is its number or nothing, then `;`.
  const limits: unknown = options.limits === undefined ? NO_LIMITS : options.limits;
  if (!isOptionsObject(limits)) return undefined;
  for (const k of LIMIT_KEYS) {
    const v: unknown = (limits as Partial<ParseLimits>)[k];
    if (typeof v === 'number') key += String(v);
    else if (v !== undefined) return undefined;
    key += ';';
  }
  return key;
}

/** Items of a list as they are now: an array itself (read by index, no iterator made), a set's in order. */
const itemsOf = (list: Iterable<unknown>): readonly unknown[] => (Array.isArray(list) ? list : [...list]);
const limitValues = (l: Partial<ParseLimits>): unknown[] => LIMIT_KEYS.map((k) => l[k]);

/** See {@link Prepared.watch}. Other iterables cannot be read twice (a generator): they are read once per options object. */
function watchOf(options: ParseOptions): Prepared['watch'] {
  const out: [Iterable<unknown>, readonly unknown[]][] = [];
  for (const list of [options.advertised, options.allowedParameters, options.bodyValues]) {
    if (Array.isArray(list) ? !Object.isFrozen(list) : list instanceof Set) out.push([list as Iterable<unknown>, itemsOf(list as Iterable<unknown>).slice()]);
  }
  return out;
}

function prepare(options: ParseOptions): Prepared {
  const old = preparedByOptions.get(options);
  if (
    old !== undefined &&
    old.advertised === options.advertised &&
    old.allowedParameters === options.allowedParameters &&
    old.limitsIn === options.limits &&
    old.bodyValues === options.bodyValues &&
    old.watch.every(([list, items]) => same(itemsOf(list), items)) &&
    (old.limitValues === undefined || same(limitValues(options.limits!), old.limitValues)) &&
    // last: the others are as derived, so what this may throw is what deriving would throw first
    old.specs === specsOf(options.parameters)
  ) {
    return old;
  }
  return derive(options);
}

/** Derives (or finds by content) what a parse needs from `options`, and keeps it for this object. */
function derive(options: ParseOptions): Prepared {
  const key = contentKey(options);
  let d = key === undefined ? undefined : derivedByContent.get(key);
  if (d === undefined) {
    const adv = upperList('advertised', options.advertised);
    const limits = resolveParseLimits(options.limits);
    const specs = specsOf(options.parameters);
    const body = upperList('bodyValues', options.bodyValues) ?? (adv && ['7BIT', ...adv]);
    const extra = upperList('allowedParameters', options.allowedParameters);
    d = { limits, specs, allowed: {}, body, advertisedUpper: adv, extraUpper: extra };
    if (key !== undefined) {
      if (derivedByContent.size >= DERIVED_BY_CONTENT_SIZE) derivedByContent.clear();
      derivedByContent.set(key, d);
    }
  }
  const p: Prepared = {
    ...d,
    watch: watchOf(options),
    limitValues: typeof options.limits === 'object' && options.limits !== null && !Object.isFrozen(options.limits) ? limitValues(options.limits) : undefined,
    advertised: options.advertised,
    allowedParameters: options.allowedParameters,
    limitsIn: options.limits,
    bodyValues: options.bodyValues,
  };
  preparedByOptions.set(options, p);
  return p;
}

const NO_OPTIONS: ParseOptions = {};
const NO_LENIENCY: LenientOptions = {};

/**
 * Why a client's MAIL or RCPT arguments are refused: what the {@link ClientArgsError} a public
 * parser throws for it carries (its code, the reply to send, the parameter at fault). The parsers'
 * core returns it, so the server's entry answers a bad command without making an error.
 * @internal
 */
export interface ArgsRefusal {
  readonly ok: false;
  readonly code: ArgsErrorCode;
  readonly reply: ServerReply;
  readonly keyword: string | undefined;
}

function refuse(code: ArgsErrorCode, r: ServerReply, keyword?: string): ArgsRefusal {
  return { ok: false, code, reply: r, keyword };
}

function syntaxError(text: string): ArgsRefusal {
  return refuse('ERR_SMTP_COMMAND_SYNTAX', reply(501, '5.5.2', text));
}

function paramError(code: 'ERR_SMTP_PARAM_SYNTAX' | 'ERR_SMTP_PARAM_DUPLICATE' | 'ERR_SMTP_PARAM_VALUE' | 'ERR_SMTP_TOO_MANY_PARAMS', text: string, keyword?: string): ArgsRefusal {
  return refuse(code, reply(501, '5.5.4', text), keyword);
}

/** The error a public parser throws for a refusal. */
function refusalError(r: ArgsRefusal): ClientArgsError {
  return ClientArgsError.remote(r.code, r.reply, r.keyword);
}

/**
 * True when `s` at `at` holds `word` (upper-case ASCII) in any ASCII case: the same test as
 * `asciiUpper(s.slice(at, at + word.length)) === word`, without the slice.
 */
function matchesUpper(s: string, at: number, end: number, word: string): boolean {
  if (end - at < word.length) return false;
  for (let k = 0; k < word.length; k++) {
    let c = s.charCodeAt(at + k);
    if (c >= 97 && c <= 122) c -= 32;
    if (c !== word.charCodeAt(k)) return false;
  }
  return true;
}

/** What `parseCommand` found: the path, the parameters, and how many there were. */
interface ParsedCommand {
  readonly path: Path;
  readonly args: SmtpClientArgs;
  readonly count: number;
}

/**
 * What the core of the parsers found in an acceptable command: the path, the parameters in order
 * (`first`, then `more`: most commands carry none or one, so a list is made only for a second),
 * whether SMTPUTF8 is in effect, and whether xtext may use lower-case hex (for the collection).
 */
interface Accepted {
  readonly ok: true;
  readonly path: Path;
  readonly first: RawParam | undefined;
  readonly more: RawParam[] | undefined;
  readonly count: number;
  readonly utf8: boolean;
  readonly lowercaseHex: boolean;
}

/** Where a command's text ends with its final CRLF left out (the parsers accept it with or without). */
function endWithoutCrlf(s: string): number {
  const end = s.length;
  return end >= 2 && s.charCodeAt(end - 2) === 0x0d && s.charCodeAt(end - 1) === 0x0a ? end - 2 : end;
}

function parseCommand(input: string | Uint8Array, command: ParameterCommand, options: ParseOptions): ParsedCommand {
  options = optionsObject(options, NO_OPTIONS);
  let s: string;
  if (typeof input === 'string') s = input;
  else if (isBytes(input)) {
    try {
      s = decoder.decode(input);
    } catch {
      throw ClientArgsError.remote('ERR_SMTP_INVALID_UTF8', reply(501, '5.5.2', 'Invalid UTF-8 in command'));
    }
  } else throw ClientArgsError.local('ERR_SMTP_INVALID_ARGUMENT', 'text', 'text must be a string or Uint8Array');
  const end = endWithoutCrlf(s);
  const verb = command === 'mail' ? 'MAIL ' : 'RCPT ';
  const prep = command === 'mail' ? 'FROM:' : 'TO:';
  let i = 0;
  if (end >= 5 && matchesUpper(s, 0, end, verb)) i = 5;
  if (!matchesUpper(s, i, end, prep)) throw refusalError(syntaxError(`Syntax: ${verb}${prep}<address> [parameters]`));
  const r = parseArguments(s, i + prep.length, end, command, options);
  if (!r.ok) throw refusalError(r);
  // with the table the parse checked with (its list merged once: specsOf keeps it)
  const args = parsedCollection({ command, smtpUtf8: r.utf8, lowercaseXtextHex: r.lowercaseHex, parameters: options.parameters ?? [] }, specsOf(options.parameters));
  // checked already as `add` checks them (parseArguments): stored as `add` stores them
  if (r.first !== undefined) {
    storedEntries.put(args, r.first.upper, r.first.value);
    if (r.more !== undefined) for (const m of r.more) storedEntries.put(args, m.upper, m.value);
  }
  return { path: frozenPath(r.path), args, count: r.count };
}

/**
 * The core of the MAIL and RCPT parsers: the text after `FROM:` / `TO:` (from `i` to `end`, the
 * CRLF left out), strictly or with the leniency of `options.lenient`. `options` is an object
 * already; its other fields are checked here, in the order every parser checks them (`lenient`,
 * `smtpUtf8`, then what is derived from the rest). A command a server must refuse is returned as
 * its refusal; an option that cannot be used throws (API misuse).
 */
function parseArguments(s: string, i: number, end: number, command: ParameterCommand, options: ParseOptions): Accepted | ArgsRefusal {
  const lenient = lenientOptions(options.lenient, NO_LENIENCY);
  const smtpUtf8 = booleanOption(options.smtpUtf8, 'options.smtpUtf8');
  const derived = prepare(options);
  const { limits, specs } = derived;
  const role = command === 'mail' ? 'reverse' : 'forward';
  if (i < end && s.charCodeAt(i) === 0x20) {
    if (!(lenient.spaceAfterColon ?? false)) return syntaxError(`No space allowed after ${command === 'mail' ? 'FROM:' : 'TO:'}`);
    while (i < end && s.charCodeAt(i) === 0x20) i++;
  }
  const scanned = scanPathWith(s, i, end, role, true, limits, lenient.missingAngleBrackets ?? false);
  if (!scanned.ok) return refuse(scanned.code, pathReply(scanned, role));
  i = scanned.next;

  // Tokenize the parameters: SP esmtp-param *(SP esmtp-param). Most commands carry none or one, so
  // the lists are only made for a second parameter; the first is kept in locals.
  const extraSpaces = lenient.extraSpaces ?? false;
  let count = 0;
  let first: RawParam | undefined;
  let more: RawParam[] | undefined;
  // the keywords seen, kept once there are several (a list scan is quicker for a few, a set keeps it linear)
  let seen: Set<string> | undefined;
  while (i < end) {
    if (s.charCodeAt(i) !== 0x20) {
      return paramError('ERR_SMTP_PARAM_SYNTAX', count === 0 ? 'Unexpected text after the address' : 'Invalid parameter syntax');
    }
    i++;
    if (i < end && s.charCodeAt(i) === 0x20) {
      if (!extraSpaces) return paramError('ERR_SMTP_PARAM_SYNTAX', 'Invalid parameter syntax');
      while (i < end && s.charCodeAt(i) === 0x20) i++;
    }
    if (i === end) {
      if (extraSpaces) break;
      return paramError('ERR_SMTP_PARAM_SYNTAX', 'Invalid parameter syntax');
    }
    const kStart = i;
    i = keywordEnd(s, kStart, end);
    if (i === kStart || (i < end && s.charCodeAt(i) !== 0x3d && s.charCodeAt(i) !== 0x20)) {
      return paramError('ERR_SMTP_PARAM_SYNTAX', 'Invalid parameter syntax');
    }
    const kEnd = i;
    let value: string | undefined;
    if (i < end && s.charCodeAt(i) === 0x3d) {
      const vStart = ++i;
      // to the next SP (values are short: a loop is quicker than a search)
      while (i < end && s.charCodeAt(i) !== 0x20) i++;
      value = s.slice(vStart, i);
    }
    if (count >= limits.parameters) return paramError('ERR_SMTP_TOO_MANY_PARAMS', 'Too many parameters');
    // a keyword of the table is found in the line and taken as the table's own string (the same
    // text, upper-cased): no slice to upper-case, and the lookups below and an object keyed by it
    // (the server's parameters) need not find the interned copy of a text cut from the line
    const spec = findSpec(s, kStart, kEnd, specs);
    const upper = spec !== undefined ? spec.keyword : asciiUpper(s.slice(kStart, kEnd));
    if (first !== undefined && (first.upper === upper || (seen !== undefined ? seen.has(upper) : more !== undefined && more.some((r) => r.upper === upper)))) {
      return paramError('ERR_SMTP_PARAM_DUPLICATE', `Duplicate parameter ${upper}`, upper);
    }
    const r: RawParam = { upper, value, spec };
    if (first === undefined) first = r;
    else {
      (more ??= []).push(r);
      if (seen !== undefined) seen.add(upper);
      else if (more.length >= 4) seen = new Set(more.map((m) => m.upper));
    }
    count++;
  }

  const utf8 = command === 'mail' ? first !== undefined && (first.upper === 'SMTPUTF8' || (more !== undefined && more.some((r) => r.upper === 'SMTPUTF8'))) : (smtpUtf8 ?? false);
  const allowed = (derived.allowed[command] ??= allowedSet(derived.advertisedUpper, derived.extraUpper, specs, command));
  // each must be allowed (advertised, known, of this command), or it is refused: 555 5.5.4
  for (let r: RawParam | undefined = first, k = 0; r !== undefined; r = more?.[k++]) {
    if (!allowed.has(r.upper) || (r.spec !== undefined && r.spec.command !== command)) {
      return refuse('ERR_SMTP_PARAM_UNKNOWN', reply(555, '5.5.4', `Unsupported parameter ${r.upper}`), r.upper);
    }
  }
  // The values, checked as the collection's `add` checks them: its parameter table (the built-in
  // one, or the options' definitions: `specs`, derived from the list as it is now), its context
  // (SMTPUTF8, lower-case xtext hex).
  const lowercaseHex = lenient.lowercaseXtextHex ?? true;
  let body: string | undefined;
  let size: string | undefined;
  for (let r: RawParam | undefined = first, k = 0; r !== undefined; r = more?.[k++]) {
    // a context of its own for each value, as `add` gives each
    if (valueProblem(r.upper, r.value, r.spec, command, { smtpUtf8: utf8, lowercaseXtextHex: lowercaseHex }) !== undefined) return paramError('ERR_SMTP_PARAM_VALUE', `Invalid value for ${r.upper}`, r.upper);
    if (r.upper === 'BODY') body = r.value;
    else if (r.upper === 'SIZE') size = r.value;
  }
  if (command === 'mail' && body !== undefined) {
    const b = asciiUpper(body);
    if (derived.body !== undefined && !derived.body.includes(b)) return refuse('ERR_SMTP_PARAM_UNKNOWN', reply(555, '5.5.4', `BODY=${b} not supported`), 'BODY');
  }
  const path = scanned.path;
  if (path.kind === 'mailbox' && path.utf8 && !utf8) return refuse('ERR_SMTP_UTF8_NOT_ALLOWED', pathReply({ ok: false, code: 'ERR_SMTP_UTF8_NOT_ALLOWED', reason: '' }, role));
  if (limits.messageSize !== undefined && command === 'mail' && size !== undefined && Number(size) > limits.messageSize) {
    return refuse('ERR_SMTP_SIZE_EXCEEDED', reply(552, '5.3.4', 'Message size exceeds fixed maximum message size'), 'SIZE');
  }
  return { ok: true, path, first, more, count, utf8, lowercaseHex };
}

/** The specs of a table by the length of their keyword, for {@link findSpec}; made once a table. */
const specsByLength = new WeakMap<ReadonlyMap<string, ParameterSpec>, (ParameterSpec[] | undefined)[]>();

/**
 * The definition in `specs` of the keyword `s[from..to)` (an esmtp-keyword: letters, digits,
 * hyphens), in any ASCII case: what `specs.get(asciiUpper(s.slice(from, to)))` finds, read in
 * place.
 */
function findSpec(s: string, from: number, to: number, specs: ReadonlyMap<string, ParameterSpec>): ParameterSpec | undefined {
  let byLength = specsByLength.get(specs);
  if (byLength === undefined) {
    byLength = [];
    for (const [k, spec] of specs) (byLength[k.length] ??= []).push(spec);
    specsByLength.set(specs, byLength);
  }
  const list = byLength[to - from];
  if (list !== undefined) for (const spec of list) if (matchesUpper(s, from, to, spec.keyword)) return spec;
  return undefined;
}

/**
 * What {@link parseEnvelopeArguments} returns for an acceptable command: the path (a mailbox is
 * a new object, not frozen: the server copies what it needs of it), and the parameters as
 * {@link SmtpClientArgs.toJSON} gives them (upper-case keywords in order, `true` for one without a
 * value), in a new object.
 * @internal
 */
export interface EnvelopeArguments {
  readonly ok: true;
  readonly path: Path;
  readonly parameters: Record<string, string | true>;
}

/**
 * Internal to smtpkit (esmtp-server-fsm's MAIL and RCPT): the arguments of MAIL or RCPT from the
 * text after `FROM:` / `TO:`, by the grammar, checks and options of {@link parseMailFrom} /
 * {@link parseRcptTo}, with the same outcome as `parseMailFrom('FROM:' + text, options)` (for
 * `rcpt`, `parseRcptTo('TO:' + text, options)`) without the collection, the typed meaning or the
 * thrown error for a refused command: the refusal is returned (code, reply, keyword). Options
 * that cannot be used throw as there; a `command` other than `'mail'` / `'rcpt'` or a `text` that
 * is not a string is `ERR_SMTP_INVALID_ARGUMENT`. Not part of the documented API: it may change in
 * any release.
 * @internal
 *
 * @example
 * ```ts
 * parseEnvelopeArguments('mail', '<a@b.example> SIZE=10', { advertised: ['SIZE'] });
 * // { ok: true, path: { kind: 'mailbox', ... }, parameters: { SIZE: '10' } }
 * ```
 * @see RFC 5321 §4.1.1.2, §4.1.1.3, §4.1.2
 */
export function parseEnvelopeArguments(command: ParameterCommand, text: string, options: ParseOptions = NO_OPTIONS): EnvelopeArguments | ArgsRefusal {
  if ((command !== 'mail' && command !== 'rcpt') || typeof text !== 'string') throw ClientArgsError.local('ERR_SMTP_INVALID_ARGUMENT', 'text', "takes 'mail' or 'rcpt' and a string");
  // the options checked as the public parsers check them (a final CRLF left out as they leave it)
  const r = parseArguments(text, 0, endWithoutCrlf(text), command, optionsObject(options, NO_OPTIONS));
  if (!r.ok) return r;
  const parameters: Record<string, string | true> = {};
  if (r.first !== undefined) {
    parameters[r.first.upper] = r.first.value ?? true;
    if (r.more !== undefined) for (const m of r.more) parameters[m.upper] = m.value ?? true;
  }
  return { ok: true, path: r.path, parameters };
}

/**
 * Parses the arguments of MAIL (`FROM:<path> [params]`, optionally with the `MAIL ` verb and a final
 * CRLF). Strict RFC 5321 by default; throws a {@link ClientArgsError} whose `reply` a server sends:
 * 501 5.5.2 (no `FROM:`), 501 5.1.7 (bad or too long path), 553 5.6.7 (non-ASCII without SMTPUTF8),
 * 501 5.5.4 (garbage, bad or duplicate parameter), 555 5.5.4 (unknown or not advertised parameter,
 * or a BODY value outside `bodyValues`, e.g. `BODY=BINARYMIME` when only 8BITMIME is advertised),
 * 552 5.3.4 (SIZE over `limits.messageSize`).
 *
 * @example
 * ```ts
 * const { path, parameters } = parseMailFrom('FROM:<a@example.com> SIZE=1000 BODY=8BITMIME', { advertised: ['SIZE', '8BITMIME'] });
 * ```
 * @see RFC 5321 §4.1.1.2, §4.1.2, §4.5.3.1, RFC 1869 §6
 */
export function parseMailFrom(text: string | Uint8Array, options: ParseOptions = NO_OPTIONS): ParsedMailFrom {
  const { path, args, count } = parseCommand(text, 'mail', options);
  // without parameters (most MAIL commands) the typed meaning is known without reading them
  return { path, args, parameters: count === 0 ? { smtpUtf8: false, requireTls: false } : readMailParameters(args) };
}

/**
 * Parses the arguments of RCPT (`TO:<path> [params]`). Like {@link parseMailFrom}, with `<postmaster>`
 * accepted, `<>` refused (501 5.1.3) and path errors reported as 501 5.1.3.
 *
 * @example
 * ```ts
 * const { path, parameters } = parseRcptTo('TO:<b@example.com> NOTIFY=NEVER', { advertised: ['DSN'] });
 * ```
 * @see RFC 5321 §4.1.1.3, §4.1.2
 */
export function parseRcptTo(text: string | Uint8Array, options: ParseOptions = NO_OPTIONS): ParsedRcptTo {
  const { path, args, count } = parseCommand(text, 'rcpt', options);
  return { path, args, parameters: count === 0 ? {} : readRcptParameters(args) };
}

const LENIENT_CTX = { smtpUtf8: true, lowercaseXtextHex: true } as const;

type Reader = (value: string) => unknown;

/** True when `args` is a plain collection, whose entries can be read without `get` (see storedEntries). */
function plain(args: SmtpClientArgs): boolean {
  return Object.getPrototypeOf(args) === SmtpClientArgs.prototype;
}

/**
 * Checks that `args` of a read function is a parameter collection (an `SmtpClientArgs`, or an
 * object with its `get` and `has`), so a list or a null is a typed error, not a `TypeError`.
 */
function checkReadable(args: unknown): asserts args is SmtpClientArgs {
  if (typeof args === 'object' && args !== null && typeof (args as SmtpClientArgs).get === 'function' && typeof (args as SmtpClientArgs).has === 'function') return;
  throw ClientArgsError.local('ERR_SMTP_INVALID_ARGUMENT', 'args', `args must be an SmtpClientArgs, got ${typeName(args)}`);
}

/** Copies each present parameter's decoded value into `out` (values that do not parse are skipped). */
function readInto(args: SmtpClientArgs, out: Record<string, unknown>, readers: readonly (readonly [string, string, Reader])[]): void {
  const direct = plain(args);
  for (const [keyword, field, read] of readers) {
    // the reader keywords are upper case: a direct read finds what `get` would
    const v = direct ? storedEntries.value(args, keyword) : args.get(keyword);
    if (v === undefined) continue;
    const r = read(v);
    if (r !== undefined) out[field] = r;
  }
}

const xtext: Reader = (v) => {
  const d = tryXtextDecode(v);
  return d.ok ? d.value : undefined;
};

const MAIL_READERS: readonly (readonly [string, string, Reader])[] = [
  ['SIZE', 'size', Number],
  ['BODY', 'body', asciiUpper],
  ['RET', 'ret', asciiUpper],
  ['ENVID', 'envid', xtext],
  ['AUTH', 'auth', (v) => parseAuthValue(v, LENIENT_CTX)],
  ['MT-PRIORITY', 'mtPriority', parseMtPriority],
  ['BY', 'by', parseBy],
  ['HOLDFOR', 'holdFor', Number],
  ['HOLDUNTIL', 'holdUntil', (v) => v],
  ['MTRK', 'mtrk', parseMtrk],
];

const RCPT_READERS: readonly (readonly [string, string, Reader])[] = [
  ['NOTIFY', 'notify', parseNotify],
  ['ORCPT', 'orcpt', (v) => parseOrcpt(v, LENIENT_CTX)],
  ['RRVS', 'rrvs', parseRrvs],
];

/**
 * Reads the typed meaning of MAIL parameters from a collection (values xtext-decoded). Values that
 * do not parse are left out.
 *
 * @example
 * ```ts
 * readMailParameters(new SmtpClientArgs().setSize(10)).size; // 10
 * ```
 * @see RFC 1870, RFC 3461 §4, RFC 4954 §5
 */
export function readMailParameters(args: SmtpClientArgs): MailParameters {
  checkReadable(args);
  const direct = plain(args);
  const has = (k: string): boolean => (direct ? storedEntries.has(args, k) : args.has(k));
  const out: Record<string, unknown> = { smtpUtf8: has('SMTPUTF8'), requireTls: has('REQUIRETLS') };
  readInto(args, out, MAIL_READERS);
  // MTRK may come without a value.
  if (has('MTRK') && (direct ? storedEntries.value(args, 'MTRK') : args.get('MTRK')) === undefined) out['mtrk'] = {};
  return out as unknown as MailParameters;
}

/**
 * Reads the typed meaning of RCPT parameters from a collection (ORCPT decoded).
 *
 * @example
 * ```ts
 * readRcptParameters(new SmtpClientArgs().setOrcpt('rfc822', 'a+b@c')).orcpt; // { addrType: 'rfc822', address: 'a+b@c' }
 * ```
 * @see RFC 3461 §4.1, §4.2, RFC 6533, RFC 7293
 */
export function readRcptParameters(args: SmtpClientArgs): RcptParameters {
  checkReadable(args);
  const out: Record<string, unknown> = {};
  readInto(args, out, RCPT_READERS);
  return out;
}
