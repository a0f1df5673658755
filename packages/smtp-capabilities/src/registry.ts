/**
 * ExtensionRegistry: the per-instance table of ESMTP service extensions a server advertises and
 * dispatches (custom verbs, MAIL/RCPT parameters) and a client or args validator consults.
 * Modernises Momentum's `esmtp_extensions_register` and the per-session `smtp_capabilities` dict.
 */

import { Capabilities } from './capabilities.js';
import { CapabilitiesError } from './errors.js';
import { formatEhloReply } from './format-ehlo-reply.js';
import { parseEhloReply } from './parse-ehlo-reply.js';
import type { SessionSettings } from './session.js';
import { booleanOption, shown, indexOfForbidden, isEhloKeyword, isEhloParam, isIterableObject, keywordTypeError, stringList, typeName, upperAscii } from './syntax.js';
import { BUILTIN_EXTENSIONS } from './builtin-extensions.js';
import { isOptionsObject } from '@smtpkit/foundation';

/**
 * What an advertise function returns: `false`/`null`/`undefined` = not advertised, `true` = the
 * keyword alone, a string = its parameter text, an array = its parameters.
 *
 * @example
 * ```ts
 * const adv: AdvertiseResult = ['PLAIN', 'LOGIN'];
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export type AdvertiseResult = boolean | string | readonly string[] | null | undefined;

/**
 * Helpers handed to an advertise function for the session being answered.
 *
 * @example
 * ```ts
 * advertise: (session, ctx) => ctx.enabled('X-FOO')
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export interface AdvertiseContext {
  /** True when the session's `enable` list names `keyword` (case-insensitive). */
  enabled(keyword: string): boolean;
}

/**
 * A verb (command) an extension adds to the server's command set.
 *
 * @example
 * ```ts
 * const v: VerbDefinition = { name: 'XCLIENT', mustBeLastInGroup: true };
 * ```
 * @see RFC 2920 §3.1
 */
export interface VerbDefinition {
  /** The command name, e.g. `BDAT` (case-insensitive). */
  readonly name: string;
  /** The command changes state in a way that forbids pipelining after it (RFC 2920 §3.1). */
  readonly mustBeLastInGroup?: boolean;
  /**
   * For a verb whose command line is followed at once by a block of bytes, as BDAT's chunk is (RFC
   * 3030): the block's length in bytes, read from the command's argument (what follows the verb and
   * its SP); `undefined` when the argument does not give one. A server reads (or skips) exactly that
   * many bytes whatever it answers the command, so they never run as commands; an argument without
   * a length gets `501` and the connection closes. Such a verb cannot be `mustBeLastInGroup` (its
   * block follows it in the same flight).
   *
   * @example
   * ```ts
   * { name: 'XPUT', blockLength: (arg) => (/^[0-9]{1,9}$/.test(arg) ? Number(arg) : undefined) }
   * ```
   */
  readonly blockLength?: (argument: string) => number | undefined;
}

/**
 * A service extension: its EHLO keyword, how it is advertised per session, the verbs it adds and
 * the MAIL/RCPT parameters it allows.
 *
 * @example
 * ```ts
 * registry.register({
 *   keyword: 'X-TRACE',
 *   advertise: (session, ctx) => ctx.enabled('X-TRACE') && session.tls === true,
 *   verbs: [{ name: 'XTRACE', mustBeLastInGroup: false }],
 *   mailParams: ['XTRACEID'],
 * });
 * ```
 * @see RFC 5321 §2.2.2, §4.1.1.1
 */
export interface ExtensionDefinition<S extends SessionSettings = SessionSettings> {
  /** The EHLO keyword (`(ALPHA / DIGIT) *(ALPHA / DIGIT / "-")`, stored upper-case). */
  readonly keyword: string;
  /** Where it is specified, e.g. `RFC 1870`. */
  readonly rfc?: string;
  /** One-line description for docs and `smtp probe`. */
  readonly description?: string;
  /**
   * How it is advertised: `true` (default) = always, keyword alone; `false` = never unless the
   * function form says so; a string or array = static parameters; a function = decided per session.
   */
  readonly advertise?: boolean | string | readonly string[] | ((session: S, ctx: AdvertiseContext) => AdvertiseResult);
  /** Verbs it adds. */
  readonly verbs?: readonly VerbDefinition[];
  /** MAIL FROM parameters it allows (upper-case names, e.g. `['SIZE']`). */
  readonly mailParams?: readonly string[];
  /** RCPT TO parameters it allows (e.g. `['NOTIFY', 'ORCPT']`). */
  readonly rcptParams?: readonly string[];
}

/**
 * A verb found by {@link ExtensionRegistry.verb}: its definition plus the extension that owns it.
 *
 * @example
 * ```ts
 * const v = registry.verb('bdat'); // { name: 'BDAT', keyword: 'CHUNKING', mustBeLastInGroup: false, ... }
 * ```
 * @see RFC 2920 §3.1
 */
export interface ResolvedVerb<S extends SessionSettings = SessionSettings> {
  /** Upper-case command name. */
  readonly name: string;
  /** The EHLO keyword of the extension adding the verb. */
  readonly keyword: string;
  readonly mustBeLastInGroup: boolean;
  /** The length of the block that follows the command line (see {@link VerbDefinition.blockLength}). */
  readonly blockLength?: (argument: string) => number | undefined;
  readonly extension: ExtensionDefinition<S>;
}

/**
 * Where {@link ExtensionRegistry.mailParameters} takes the advertised keywords from: a parsed
 * {@link Capabilities} (of this copy of the package or another: anything with a `keywords` list),
 * a list of keywords, or nothing (= every registered extension).
 *
 * @example
 * ```ts
 * registry.mailParameters(['SIZE', 'DSN']); // Set { 'SIZE', 'RET', 'ENVID' }
 * ```
 * @see RFC 5321 §4.1.2
 */
export type KeywordSource = Capabilities | { readonly keywords: readonly string[] } | Iterable<string> | undefined;

/** The core verbs RFC 2920 §3.1 (plus RFC 3207/4954 for STARTTLS and AUTH) puts last in a group. */
const CORE_LAST_IN_GROUP: ReadonlySet<string> = new Set(['EHLO', 'HELO', 'LHLO', 'DATA', 'VRFY', 'EXPN', 'TURN', 'QUIT', 'NOOP']);

/**
 * A copy of `input`'s own enumerable fields and of the `known` ones wherever they are (a class
 * getter, a prototype), each read once; anything but an object gives an empty copy.
 */
function copied<T>(input: T, known: readonly string[]): Partial<T> {
  const out: Record<string, unknown> = {};
  if (typeof input === 'object' && input !== null) for (const k of new Set([...Object.keys(input), ...known])) if (k in input) out[k] = (input as Record<string, unknown>)[k];
  return out as Partial<T>;
}

function normaliseDefinition<S extends SessionSettings>(input: ExtensionDefinition<S>): ExtensionDefinition<S> {
  // every field read once: what is checked is what is kept (a getter cannot change it in between)
  // (a copy of anything but an object has no keyword: refused below like the value itself)
  const def = copied(input, ['keyword', 'advertise', 'verbs', 'mailParams', 'rcptParams']) as ExtensionDefinition<S>;
  if (typeof def.keyword !== 'string' || !isEhloKeyword(def.keyword)) {
    throw new CapabilitiesError('ERR_SMTP_EXTENSION_INVALID', `extension keyword ${shown(def.keyword)} is not an EHLO keyword`);
  }
  const invalid = (what: string) => (): CapabilitiesError => new CapabilitiesError('ERR_SMTP_EXTENSION_INVALID', `${def.keyword}: ${what} must be a list`);
  const names = (value: readonly string[] | undefined, what: string): readonly string[] | undefined => {
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw invalid(`${what}s`)();
    const list: readonly unknown[] = value;
    return Object.freeze(
      list.map((n) => {
        if (typeof n !== 'string' || !isEhloKeyword(n)) throw new CapabilitiesError('ERR_SMTP_EXTENSION_INVALID', `${def.keyword}: ${what} ${shown(n)} is not a valid name`);
        return upperAscii(n);
      }),
    );
  };
  if (def.verbs !== undefined && !Array.isArray(def.verbs)) throw invalid('verbs')();
  const advertise: unknown = def.advertise;
  if (advertise !== undefined && typeof advertise !== 'boolean' && typeof advertise !== 'string' && typeof advertise !== 'function' && !Array.isArray(advertise)) {
    throw new CapabilitiesError('ERR_SMTP_EXTENSION_INVALID', `${def.keyword}: advertise must be a boolean, a string, a list or a function, got ${typeName(advertise)}`);
  }
  const verbList: readonly VerbDefinition[] | undefined = def.verbs;
  const verbs = verbList?.map((verb) => {
    const v = copied(verb, ['name', 'mustBeLastInGroup', 'blockLength']);
    if (typeof v.name !== 'string' || !isEhloKeyword(v.name)) throw new CapabilitiesError('ERR_SMTP_EXTENSION_INVALID', `${def.keyword}: verb ${shown(v.name)} is not a valid command name`);
    const last = booleanOption(v.mustBeLastInGroup, `${def.keyword}: verb ${v.name} mustBeLastInGroup`, 'ERR_SMTP_EXTENSION_INVALID');
    const block: unknown = v.blockLength;
    if (block !== undefined && typeof block !== 'function') throw new CapabilitiesError('ERR_SMTP_EXTENSION_INVALID', `${def.keyword}: verb ${v.name} blockLength must be a function, got ${typeName(block)}`);
    if (block !== undefined && last === true) throw new CapabilitiesError('ERR_SMTP_EXTENSION_INVALID', `${def.keyword}: verb ${v.name} with a blockLength cannot be mustBeLastInGroup`);
    return Object.freeze({ name: upperAscii(v.name), mustBeLastInGroup: last === true, ...(block !== undefined ? { blockLength: v.blockLength } : {}) });
  });
  const out: ExtensionDefinition<S> = { ...def, keyword: upperAscii(def.keyword) };
  const mailParams = names(def.mailParams, 'MAIL parameter');
  const rcptParams = names(def.rcptParams, 'RCPT parameter');
  return Object.freeze({
    ...out,
    ...(verbs ? { verbs: Object.freeze(verbs) } : {}),
    ...(mailParams ? { mailParams } : {}),
    ...(rcptParams ? { rcptParams } : {}),
  });
}

function toParams(keyword: string, r: AdvertiseResult): readonly string[] | undefined {
  if (r === false || r === null || r === undefined) return undefined;
  if (r === true) return [];
  if (typeof r !== 'string' && !Array.isArray(r)) {
    throw new CapabilitiesError('ERR_SMTP_EHLO_INVALID_PARAM', `${keyword}: advertise gave ${typeName(r)}`);
  }
  const list: readonly unknown[] = typeof r === 'string' ? r.split(' ').filter((p) => p !== '') : r;
  for (const p of list) {
    if (typeof p !== 'string' || indexOfForbidden(p) >= 0 || !isEhloParam(p)) {
      throw new CapabilitiesError('ERR_SMTP_EHLO_INVALID_PARAM', `${keyword}: advertised parameter ${shown(p)} must be 1*(%d33-126)`);
    }
  }
  return list as readonly string[];
}

function keywordsOf(source: KeywordSource): Set<string> | undefined {
  if (source === undefined) return undefined;
  if (source instanceof Capabilities) return new Set(source.keywords);
  // a Capabilities of another installed copy of this package (a second version in node_modules)
  const held: unknown = typeof source === 'object' && source !== null && !Array.isArray(source) ? (source as { keywords?: unknown }).keywords : undefined;
  const list = stringList(Array.isArray(held) ? held : source, () => new CapabilitiesError('ERR_SMTP_INVALID_ARGUMENT', `the advertised keywords must be a Capabilities or a list of keywords, got ${typeName(source)}`));
  return new Set(list!.map(upperAscii));
}

/** A keyword advertised only with another (RFC 6531 §3.1, RFC 3030 §3). */
const NEEDS: Record<string, string | undefined> = { SMTPUTF8: '8BITMIME', BINARYMIME: 'CHUNKING' };

/** The boolean settings of {@link SessionSettings}, checked once per advertise. */
const SESSION_FLAGS = ['tls', 'startTls', 'authenticated', 'authBeforeTls', 'requireTls'] as const;

function keywordArgument(k: unknown): string {
  if (typeof k !== 'string') throw keywordTypeError(k);
  return upperAscii(k);
}

/**
 * A per-instance registry of ESMTP service extensions (no shared global state). Servers use it to
 * build the EHLO keyword list for a session ({@link advertise}), hide keywords, and look up custom
 * verbs and allowed MAIL/RCPT parameters; clients and smtp-client-args use the parameter lookups
 * to validate what they may send. Start from {@link defaultExtensionRegistry} for every built-in.
 *
 * @example
 * ```ts
 * const registry = defaultExtensionRegistry();
 * registry.hide('VRFY');
 * registry.register({ keyword: 'XTRACE', verbs: [{ name: 'XTRACE' }] });
 * const lines = registry.advertise({ tls: true, maxSize: 10_240_000, authMechanisms: ['PLAIN'] });
 * formatEhloReply({ domain: 'mx.example.com', keywords: lines });
 * ```
 * @see RFC 5321 §2.2.2, §4.1.1.1; RFC 2920 §3.1
 */
export class ExtensionRegistry<S extends SessionSettings = SessionSettings> {
  readonly #defs = new Map<string, ExtensionDefinition<S>>();
  readonly #verbs = new Map<string, ResolvedVerb<S>>();
  readonly #hidden = new Set<string>();

  /**
   * A registry holding `definitions` (none by default).
   *
   * @example
   * ```ts
   * const empty = new ExtensionRegistry();
   * const mine = new ExtensionRegistry([{ keyword: 'PIPELINING' }]);
   * ```
   */
  constructor(definitions: Iterable<ExtensionDefinition<S>> = []) {
    if (!isIterableObject(definitions)) {
      throw new CapabilitiesError('ERR_SMTP_INVALID_ARGUMENT', `definitions must be a list of extension definitions, got ${typeName(definitions)}`);
    }
    for (const d of definitions) this.register(d);
  }

  /**
   * Adds an extension. Throws `ERR_SMTP_EXTENSION_DUPLICATE` when the keyword is already registered
   * (unless `replace` is set: the new definition then takes the old one's place, verbs included) or
   * when one of its verbs belongs to another extension or is named twice. A refused registration
   * changes nothing. A `replace` other than `true`, `false` or `undefined`, or options that are
   * not an object (a list included), are `ERR_SMTP_INVALID_OPTION`. The definition (and each verb) is read once, as
   * a copy of its own fields and of those it inherits that the registry reads (`keyword`,
   * `advertise`, `verbs`, `mailParams`, `rcptParams`; a verb's `name`, `mustBeLastInGroup`,
   * `blockLength`: a class getter works): what is checked is what is kept.
   *
   * @example
   * ```ts
   * registry.register({ keyword: 'SIZE', advertise: () => '52428800', mailParams: ['SIZE'] }, { replace: true });
   * ```
   * @see RFC 5321 §2.2.2
   */
  register(definition: ExtensionDefinition<S>, options?: { readonly replace?: boolean }): this {
    if (options !== undefined && !isOptionsObject(options)) {
      throw new CapabilitiesError('ERR_SMTP_INVALID_OPTION', `register options must be an object, got ${typeName(options)}`);
    }
    const replace = booleanOption(options?.replace, 'replace') ?? false;
    const def = normaliseDefinition(definition);
    const old = this.#defs.get(def.keyword);
    if (old && !replace) throw new CapabilitiesError('ERR_SMTP_EXTENSION_DUPLICATE', `extension ${def.keyword} is already registered`);
    // every check before any change: a refused registration leaves the registry as it was
    const names = new Set<string>();
    for (const v of def.verbs ?? []) {
      // a verb of its own (being replaced) is free; one named twice, or another extension's, is not
      const owner = names.has(v.name) ? def.keyword : this.#verbs.get(v.name)?.keyword;
      if (owner !== undefined && (owner !== def.keyword || names.has(v.name))) {
        throw new CapabilitiesError('ERR_SMTP_EXTENSION_DUPLICATE', `verb ${v.name} already belongs to ${owner}`);
      }
      names.add(v.name);
    }
    for (const v of old?.verbs ?? []) this.#verbs.delete(v.name);
    // a replaced definition keeps its place in the advertised order
    this.#defs.set(def.keyword, def);
    for (const v of def.verbs ?? []) {
      this.#verbs.set(v.name, Object.freeze({ name: v.name, keyword: def.keyword, mustBeLastInGroup: v.mustBeLastInGroup === true, ...(v.blockLength ? { blockLength: v.blockLength } : {}), extension: def }));
    }
    return this;
  }

  /** Removes an extension and its verbs; returns whether it was registered. */
  unregister(keyword: string): boolean {
    if (typeof keyword !== 'string') throw keywordTypeError(keyword);
    const k = upperAscii(keyword);
    const def = this.#defs.get(k);
    if (!def) return false;
    this.#defs.delete(k);
    for (const v of def.verbs ?? []) this.#verbs.delete(v.name);
    return true;
  }

  /** The definition registered for `keyword` (case-insensitive). */
  get(keyword: string): ExtensionDefinition<S> | undefined {
    if (typeof keyword !== 'string') throw keywordTypeError(keyword);
    return this.#defs.get(upperAscii(keyword));
  }

  /** True when `keyword` is registered (hidden or not). */
  has(keyword: string): boolean {
    if (typeof keyword !== 'string') throw keywordTypeError(keyword);
    return this.#defs.has(upperAscii(keyword));
  }

  /** Every definition, in registration order (the order keywords are advertised in). */
  definitions(): ExtensionDefinition<S>[] {
    return [...this.#defs.values()];
  }

  /**
   * Stops advertising keywords for every session of this registry (Postfix
   * `smtpd_discard_ehlo_keywords`); the definitions stay, so verbs remain known.
   *
   * @example
   * ```ts
   * registry.hide('VRFY', 'ETRN');
   * ```
   */
  hide(...keywords: string[]): this {
    for (const k of keywords) this.#hidden.add(keywordArgument(k));
    return this;
  }

  /** Undoes {@link hide}. */
  unhide(...keywords: string[]): this {
    for (const k of keywords) this.#hidden.delete(keywordArgument(k));
    return this;
  }

  /** Keywords hidden registry-wide. */
  hidden(): string[] {
    return [...this.#hidden];
  }

  /**
   * The keywords to advertise for `session`, as `{ keyword, params }`, in registration order,
   * leaving out hidden ones (registry-wide and `session.hide`), and SMTPUTF8 without 8BITMIME
   * (RFC 6531 §3.1) or BINARYMIME without CHUNKING (RFC 3030 §3). A `session` that is not an object
   * (a list included) is `ERR_SMTP_INVALID_OPTION`.
   *
   * @example
   * ```ts
   * registry.advertiseEntries({ maxSize: 0 }); // [{ keyword: 'PIPELINING', params: [] }, { keyword: 'SIZE', params: [] }, ...]
   * ```
   * @see RFC 5321 §4.1.1.1
   */
  advertiseEntries(session: S): { keyword: string; params: readonly string[] }[] {
    if (!isOptionsObject(session)) {
      throw new CapabilitiesError('ERR_SMTP_INVALID_OPTION', `the session settings must be an object, got ${typeName(session)}`);
    }
    const list = (what: 'enable' | 'hide'): string[] | undefined =>
      stringList(session[what], () => new CapabilitiesError('ERR_SMTP_INVALID_OPTION', `session ${what} must be a list of keywords`));
    const enable = list('enable');
    const hide = list('hide');
    for (const k of SESSION_FLAGS) booleanOption(session[k], `session ${k}`);
    let enabled: Set<string> | undefined;
    if (enable !== undefined) {
      enabled = new Set();
      for (const k of enable) enabled.add(upperAscii(k));
    }
    let hidden: Set<string> = this.#hidden;
    if (hide !== undefined) {
      hidden = new Set(this.#hidden);
      for (const k of hide) hidden.add(upperAscii(k));
    }
    const ctx: AdvertiseContext = {
      enabled: (k) => {
        if (typeof k !== 'string') throw keywordTypeError(k);
        return enabled?.has(upperAscii(k)) ?? false;
      },
    };
    const out: { keyword: string; params: readonly string[] }[] = [];
    for (const def of this.#defs.values()) {
      if (hidden.has(def.keyword)) continue;
      const spec = def.advertise ?? true;
      const r: AdvertiseResult = typeof spec === 'function' ? spec(session, ctx) : spec;
      const params = toParams(def.keyword, r);
      if (params !== undefined) out.push({ keyword: def.keyword, params });
    }
    // not one without the other: SMTPUTF8 announces 8BITMIME too (RFC 6531 §3.1), BINARYMIME is sent by BDAT (RFC 3030 §3)
    const on = out.map((e) => e.keyword);
    return out.filter((e) => on.includes(NEEDS[e.keyword] ?? e.keyword));
  }

  /**
   * The keyword lines to advertise for `session` (e.g. `['PIPELINING', 'SIZE 10240000']`), ready
   * for {@link formatEhloReply}'s `keywords`.
   *
   * @example
   * ```ts
   * const lines = registry.advertise({ tls: false, startTls: true, maxSize: 10_240_000 });
   * ```
   * @see RFC 5321 §4.1.1.1
   */
  advertise(session: S): string[] {
    return this.advertiseEntries(session).map((e) => (e.params.length ? `${e.keyword} ${e.params.join(' ')}` : e.keyword));
  }

  /**
   * What a client would parse from this session's EHLO reply: lets a server check what it
   * advertised (e.g. `caps.chunking` before accepting BDAT). An advertisement a client would not
   * read back whole (more than 64 parameters on a line, more than 256 keywords) is
   * `ERR_SMTP_EHLO_TOO_MANY_PARAMS` / `ERR_SMTP_EHLO_TOO_MANY_KEYWORDS`, as from {@link formatEhloReply}.
   *
   * @example
   * ```ts
   * const offered = registry.capabilities(session, 'mx.example.com');
   * if (!offered.chunking) reply502();
   * ```
   * @see RFC 5321 §4.1.1.1
   */
  capabilities(session: S, domain = 'localhost', greeting = ''): Capabilities {
    return parseEhloReply({ code: 250, lines: formatEhloReply({ domain, greeting, keywords: this.advertiseEntries(session) }, { maxLineLength: Number.MAX_SAFE_INTEGER }) });
  }

  /**
   * The extension verb `name` (case-insensitive), for the server to dispatch a command it does not
   * know natively, or `undefined`. A name that is not a string is `ERR_SMTP_INVALID_ARGUMENT`, as
   * for the other keyword lookups (`get`, `has`, `unregister`, `mustBeLastInGroup`,
   * `mailParameterKeywords`, `rcptParameterKeywords`).
   *
   * @example
   * ```ts
   * const v = registry.verb(command.verb);
   * if (v && offered.has(v.keyword)) dispatch(v);
   * ```
   * @see RFC 5321 §2.2.2; RFC 2920 §3.1
   */
  verb(name: string): ResolvedVerb<S> | undefined {
    if (typeof name !== 'string') throw keywordTypeError(name);
    return this.#verbs.get(upperAscii(name));
  }

  /** Every extension verb, in registration order. */
  verbs(): ResolvedVerb<S>[] {
    return [...this.#verbs.values()];
  }

  /**
   * True when `verb` must be the last command of a pipelined group: the RFC 2920 §3.1 core list
   * (EHLO, HELO, LHLO, DATA, VRFY, EXPN, TURN, QUIT, NOOP) or an extension verb declared so
   * (STARTTLS, AUTH, XCLIENT, ATRN, ETRN, ... in the default registry).
   *
   * @example
   * ```ts
   * registry.mustBeLastInGroup('STARTTLS'); // true
   * registry.mustBeLastInGroup('RCPT');     // false
   * ```
   * @see RFC 2920 §3.1
   */
  mustBeLastInGroup(verb: string): boolean {
    if (typeof verb !== 'string') throw keywordTypeError(verb);
    const v = upperAscii(verb);
    return CORE_LAST_IN_GROUP.has(v) || this.#verbs.get(v)?.mustBeLastInGroup === true;
  }

  /**
   * The MAIL FROM parameters allowed by the advertised keywords in `source` (every registered
   * extension when omitted), upper-case.
   *
   * @example
   * ```ts
   * registry.mailParameters(caps).has('SIZE'); // true when the server advertised SIZE
   * ```
   * @see RFC 5321 §4.1.2, §4.1.1.2
   */
  mailParameters(source?: KeywordSource): ReadonlySet<string> {
    return this.#params(source, 'mailParams');
  }

  /**
   * The RCPT TO parameters allowed by the advertised keywords in `source` (every registered
   * extension when omitted), upper-case.
   *
   * @example
   * ```ts
   * registry.rcptParameters(['DSN']); // Set { 'NOTIFY', 'ORCPT' }
   * ```
   * @see RFC 5321 §4.1.2, §4.1.1.3
   */
  rcptParameters(source?: KeywordSource): ReadonlySet<string> {
    return this.#params(source, 'rcptParams');
  }

  /**
   * The extensions (keywords) that allow MAIL FROM parameter `name`, e.g. `BODY` -> `['8BITMIME', 'BINARYMIME']`.
   *
   * @example
   * ```ts
   * registry.mailParameterKeywords('ret'); // ['DSN']
   * ```
   * @see RFC 5321 §4.1.2
   */
  mailParameterKeywords(name: string): string[] {
    if (typeof name !== 'string') throw keywordTypeError(name);
    return this.#owners(name, 'mailParams');
  }

  /**
   * The extensions (keywords) that allow RCPT TO parameter `name`, e.g. `NOTIFY` -> `['DSN']`.
   *
   * @example
   * ```ts
   * registry.rcptParameterKeywords('RRVS'); // ['RRVS']
   * ```
   * @see RFC 5321 §4.1.2
   */
  rcptParameterKeywords(name: string): string[] {
    if (typeof name !== 'string') throw keywordTypeError(name);
    return this.#owners(name, 'rcptParams');
  }

  #params(source: KeywordSource, field: 'mailParams' | 'rcptParams'): ReadonlySet<string> {
    const keywords = keywordsOf(source);
    const out = new Set<string>();
    for (const def of this.#defs.values()) {
      if (keywords && !keywords.has(def.keyword)) continue;
      for (const p of def[field] ?? []) out.add(p);
    }
    return out;
  }

  #owners(name: string, field: 'mailParams' | 'rcptParams'): string[] {
    const n = upperAscii(name);
    const out: string[] = [];
    for (const def of this.#defs.values()) if (def[field]?.includes(n)) out.push(def.keyword);
    return out;
  }
}

/**
 * A fresh registry holding every built-in extension ({@link BUILTIN_EXTENSIONS}); each call returns
 * a new, independent instance (no shared mutable global).
 *
 * @example
 * ```ts
 * const registry = defaultExtensionRegistry().hide('VRFY');
 * ```
 * @see RFC 5321 §2.2.2
 */
export function defaultExtensionRegistry<S extends SessionSettings = SessionSettings>(): ExtensionRegistry<S> {
  return new ExtensionRegistry<S>(BUILTIN_EXTENSIONS);
}
