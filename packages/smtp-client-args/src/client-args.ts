/**
 * SmtpClientArgs: the ordered, validated collection of ESMTP parameters a client attaches to MAIL
 * FROM or RCPT TO (the modern `smtp_client_args`), with typed helpers that encode every registered
 * parameter. Nothing that reaches `toString()` can hold SP, `=` in a value, or a control byte.
 */

import { ClientArgsError, booleanOption, noControls, optionsObject } from './errors.js';
import { typeName } from '@smtpkit/foundation';
import { DEFAULT_PARAMETERS, checkParam, encodeUtf8AddrXtext, mergeSpecs, parseAuthValue } from './parameters.js';
import type { AddFailureReason, ParameterCommand, ParameterSpec, ValidationContext } from './parameters.js';
import { asciiUpper, findControl, hasNonAscii, isList, isWellFormed, utf8Length } from './text.js';
import { xtextEncode } from './xtext.js';
import { localError, scanPathWith } from './path.js';
import type { PathLimits } from './path.js';

/**
 * Result of {@link SmtpClientArgs.add}: accepted, or refused with a reason (never an exception,
 * like the C function's return code).
 *
 * @example
 * ```ts
 * const r = args.add('SIZE', '1000');
 * if (!r.ok) console.warn(r.reason, r.message);
 * ```
 * @see RFC 5321 §4.1.2
 */
export type AddResult = { readonly ok: true } | { readonly ok: false; readonly reason: AddFailureReason; readonly message: string };

/**
 * Options of {@link SmtpClientArgs}.
 *
 * @example
 * ```ts
 * new SmtpClientArgs({ command: 'rcpt' });
 * ```
 * @see RFC 5321 §4.1.1.2, §4.1.1.3
 */
export interface SmtpClientArgsOptions {
  /** Restrict registered parameters to this command (`NOTIFY` refused for `mail`, ...). */
  readonly command?: ParameterCommand;
  /** Allow non-ASCII values (SMTPUTF8 in effect). Default: true once `SMTPUTF8` was added. */
  readonly smtpUtf8?: boolean;
  /** Extra or overriding parameter definitions (private extensions). */
  readonly parameters?: readonly ParameterSpec[];
  /** Accept lower-case hex in xtext values given to `add` (default true). */
  readonly lowercaseXtextHex?: boolean;
}

/**
 * The value of `existsAndFetch()`: whether the parameter is present and its value (absent for a
 * parameter without value such as `SMTPUTF8`).
 *
 * @example
 * ```ts
 * const { exists, value } = args.existsAndFetch('size');
 * ```
 * @see RFC 5321 §4.1.2
 */
export interface ExistsAndFetch {
  readonly exists: boolean;
  readonly value?: string;
}

/**
 * DSN notification conditions.
 *
 * @example
 * ```ts
 * const when: NotifyCondition[] = ['FAILURE', 'DELAY'];
 * ```
 * @see RFC 3461 §4.1
 */
export type NotifyCondition = 'SUCCESS' | 'FAILURE' | 'DELAY';

const ENTRY_OVERHEAD = 1; // the SP before each parameter

/** An AUTH mailbox's bounds: a host name's, and the MAIL line's for the rest (AUTH adds 500 octets to it, RFC 4954 §3). */
const AUTH_LIMITS: PathLimits = { localPart: Infinity, domain: 255, path: Infinity };

function invalid(argument: string, message: string): ClientArgsError {
  return ClientArgsError.local('ERR_SMTP_INVALID_PARAM', argument, `${argument}: ${message}`);
}

/** A caller string: right type, no control character. */
function text(value: unknown, argument: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(argument, 'expected a non-empty string');
  noControls(value, argument);
  return value;
}

/** A lookup keyword, upper-cased; anything but a string is `ERR_SMTP_INVALID_ARGUMENT` (as in smtp-capabilities' lookups). */
function keyOf(keyword: unknown): string {
  if (typeof keyword !== 'string') throw ClientArgsError.local('ERR_SMTP_INVALID_ARGUMENT', 'keyword', `keyword must be a string, got ${typeName(keyword)}`);
  return asciiUpper(keyword);
}

function safeInt(n: unknown, argument: string, min: number, max: number): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min || n > max) {
    throw invalid(argument, `expected an integer from ${min} to ${max}`);
  }
  return n;
}

/** Registered symbol under which a collection shows its facts to any copy of this package. */
const ARGS_FACTS = Symbol.for('smtp-client-args.collection-facts');

/** Internal: a collection's own parameter table and the command it is for. */
export interface CollectionFacts {
  readonly specs: ReadonlyMap<string, ParameterSpec>;
  readonly command: ParameterCommand | undefined;
}

/**
 * Internal to this package: the facts of an `SmtpClientArgs` made by this copy of the package or
 * by another one (where `instanceof` fails); `undefined` for any other iterable.
 */
export function collectionFacts(args: unknown): CollectionFacts | undefined {
  const facts = typeof args === 'object' && args !== null ? (args as { [ARGS_FACTS]?: Partial<CollectionFacts> })[ARGS_FACTS] : undefined;
  return typeof facts?.specs?.get === 'function' ? (facts as CollectionFacts) : undefined;
}

/**
 * Internal to this package (not exported by its index): reads a collection's stored entries by an
 * upper-case keyword, without the case folding of `get` and `has`. For the parsers' hot paths, on
 * collections whose prototype is exactly `SmtpClientArgs.prototype` (a subclass may override
 * `get`).
 */
export const storedEntries: {
  value(args: SmtpClientArgs, upperKeyword: string): string | undefined;
  has(args: SmtpClientArgs, upperKeyword: string): boolean;
  /** Stores a parameter the server's parser has checked as `add` checks one, as `add` stores it. */
  put(args: SmtpClientArgs, upperKeyword: string, value: string | undefined): void;
} = {
  value: () => undefined,
  has: () => false,
  put: () => undefined,
};

/** The table the next collection made takes (set by `parsedCollection` only, taken first thing). */
let parsedSpecs: ReadonlyMap<string, ParameterSpec> | undefined;

/**
 * Internal to this package: the collection a parse returns, with the table the parse checked with
 * (`specsOf` of its `parameters`), where a collection made by its constructor merges its
 * definitions itself (reading them as it is made).
 */
export function parsedCollection(options: SmtpClientArgsOptions, specs: ReadonlyMap<string, ParameterSpec>): SmtpClientArgs {
  parsedSpecs = specs;
  return new SmtpClientArgs(options);
}

/**
 * An ordered collection of ESMTP parameters for one MAIL FROM or RCPT TO command. Keywords are
 * case-insensitive and stored upper-case; values are checked against RFC 5321 esmtp-value and, for
 * registered parameters, their own grammar. `toString()` renders exactly what goes on the wire.
 *
 * @example
 * ```ts
 * const args = new SmtpClientArgs({ command: 'mail' });
 * args.setSize(12345).setBody('8BITMIME').setEnvid('msg 1');
 * args.toString(); // ' SIZE=12345 BODY=8BITMIME ENVID=msg+201'
 * formatMailFrom('me@example.com', args); // 'MAIL FROM:<me@example.com> SIZE=12345 BODY=8BITMIME ENVID=msg+201'
 * ```
 * @see RFC 5321 §4.1.2, §4.1.1.2, §4.1.1.3
 */
export class SmtpClientArgs implements Iterable<readonly [string, string | undefined]> {
  static {
    storedEntries.value = (args, upperKeyword) => args.#entries.get(upperKeyword);
    storedEntries.has = (args, upperKeyword) => args.#entries.has(upperKeyword);
    storedEntries.put = (args, upperKeyword, value) => {
      args.#entries.set(upperKeyword, value);
      args.#byteLength += SmtpClientArgs.#cost(upperKeyword, value);
    };
    // what another copy of this package (a CommonJS and an ESM build side by side, two installed
    // versions) may read of a collection: its parameter table and its command
    Object.defineProperty(SmtpClientArgs.prototype, ARGS_FACTS, {
      get(this: SmtpClientArgs) {
        return { specs: this.#specs, command: this.#command };
      },
    });
  }

  readonly #entries = new Map<string, string | undefined>();
  readonly #options: SmtpClientArgsOptions;
  readonly #specs: ReadonlyMap<string, ParameterSpec>;
  readonly #command: ParameterCommand | undefined;
  readonly #smtpUtf8: boolean | undefined;
  readonly #lowercaseHex: boolean;
  #byteLength = 0;

  constructor(options?: SmtpClientArgsOptions) {
    const specs = parsedSpecs;
    parsedSpecs = undefined;
    options = optionsObject(options, {});
    if (options.command !== undefined && options.command !== 'mail' && options.command !== 'rcpt') {
      throw ClientArgsError.local('ERR_SMTP_INVALID_OPTION', 'options.command', "options.command must be 'mail' or 'rcpt'");
    }
    this.#options = { ...options };
    this.#specs = specs ?? mergeSpecs(options.parameters);
    this.#command = options.command;
    this.#smtpUtf8 = booleanOption(options.smtpUtf8, 'options.smtpUtf8');
    this.#lowercaseHex = booleanOption(options.lowercaseXtextHex, 'options.lowercaseXtextHex') ?? true;
  }

  /** The command these arguments are for, if restricted. */
  get command(): ParameterCommand | undefined {
    return this.#command;
  }

  #context(): ValidationContext {
    return { smtpUtf8: this.#smtpUtf8 ?? this.#entries.has('SMTPUTF8'), lowercaseXtextHex: this.#lowercaseHex };
  }

  static #cost(keyword: string, value: string | undefined): number {
    return ENTRY_OVERHEAD + keyword.length + (value === undefined ? 0 : 1 + utf8Length(value));
  }

  /**
   * Adds a parameter (`smtp_client_args_add`). Refuses, without throwing, a keyword that is not an
   * esmtp-keyword, a value that is not an esmtp-value or fails the parameter's grammar, a missing
   * or unexpected value, a parameter of the other command, and a duplicate.
   *
   * @example
   * ```ts
   * args.add('SIZE', '1000'); // { ok: true }
   * args.add('size', '2000'); // { ok: false, reason: 'duplicate', ... }
   * args.add('ENVID', 'a\r\nb'); // { ok: false, reason: 'bad-value', ... }
   * ```
   * @see RFC 5321 §4.1.2
   */
  add(keyword: string, value?: string): AddResult {
    const r = this.#ok(keyword, value);
    if (!r.ok) return r;
    if (this.#entries.has(r.keyword)) return { ok: false, reason: 'duplicate', message: `${r.keyword} is already present` };
    this.#entries.set(r.keyword, value);
    this.#byteLength += SmtpClientArgs.#cost(r.keyword, value);
    return { ok: true };
  }

  /**
   * Adds or replaces a parameter, throwing a {@link ClientArgsError} (`ERR_SMTP_INVALID_PARAM`,
   * `argument` = the keyword) when it is invalid. Keeps the original position when replacing.
   *
   * @example
   * ```ts
   * args.set('XFOO', 'bar').set('XFOO', 'baz');
   * ```
   * @see RFC 5321 §4.1.2
   */
  set(keyword: string, value?: string): this {
    const r = this.#ok(keyword, value);
    if (!r.ok) {
      const name = typeof keyword === 'string' && r.reason !== 'bad-keyword' ? asciiUpper(keyword) : 'keyword';
      if (typeof value === 'string' && findControl(value) >= 0) noControls(value, name);
      throw ClientArgsError.local('ERR_SMTP_INVALID_PARAM', name, r.message);
    }
    const old = this.#entries.get(r.keyword);
    if (this.#entries.has(r.keyword)) this.#byteLength -= SmtpClientArgs.#cost(r.keyword, old);
    this.#entries.set(r.keyword, value);
    this.#byteLength += SmtpClientArgs.#cost(r.keyword, value);
    return this;
  }

  /**
   * Removes a parameter (`smtp_client_args_delete`); true if it was present.
   *
   * @example
   * ```ts
   * args.delete('size');
   * ```
   * @see RFC 5321 §4.1.2
   */
  delete(keyword: string): boolean {
    const k = keyOf(keyword);
    if (!this.#entries.has(k)) return false;
    this.#byteLength -= SmtpClientArgs.#cost(k, this.#entries.get(k));
    this.#entries.delete(k);
    return true;
  }

  /**
   * Presence and value in one call (`smtp_client_args_exists_and_fetch`).
   *
   * @example
   * ```ts
   * args.existsAndFetch('BODY'); // { exists: true, value: '8BITMIME' }
   * ```
   * @see RFC 5321 §4.1.2
   */
  existsAndFetch(keyword: string): ExistsAndFetch {
    const value = this.get(keyword);
    return value !== undefined ? { exists: true, value } : { exists: this.has(keyword) };
  }

  /**
   * True if the parameter is present (case-insensitive). A keyword that is not a string is
   * `ERR_SMTP_INVALID_ARGUMENT`, here and in `get`, `delete` and `existsAndFetch`.
   *
   * @example
   * ```ts
   * args.has('smtputf8');
   * ```
   * @see RFC 5321 §4.1.2
   */
  has(keyword: string): boolean {
    return this.#entries.has(keyOf(keyword));
  }

  /**
   * The wire value of a parameter (xtext still encoded), or undefined when absent or valueless.
   *
   * @example
   * ```ts
   * args.get('ENVID'); // 'msg+201'
   * ```
   * @see RFC 5321 §4.1.2
   */
  get(keyword: string): string | undefined {
    return this.#entries.get(keyOf(keyword));
  }

  /**
   * Number of parameters.
   *
   * @example
   * ```ts
   * args.size; // 2
   * ```
   * @see RFC 5321 §4.1.2
   */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * UTF-8 byte length of `toString()` (the C struct's `len`), kept up to date on every change.
   *
   * @example
   * ```ts
   * args.byteLength === new TextEncoder().encode(args.toString()).length; // true
   * ```
   * @see RFC 5321 §4.5.3.1.4 (command line length)
   */
  get byteLength(): number {
    return this.#byteLength;
  }

  /**
   * Renders the parameters as they follow the path on the wire: ` KEY=VALUE` / ` KEY` each, in
   * insertion order; empty string when there are none.
   *
   * @example
   * ```ts
   * args.toString(); // ' SIZE=1000 SMTPUTF8'
   * ```
   * @see RFC 5321 §4.1.2
   */
  toString(): string {
    let out = '';
    for (const [k, v] of this.#entries) out += v === undefined ? ' ' + k : ' ' + k + '=' + v;
    return out;
  }

  /**
   * Iterates `[KEYWORD, value]` pairs in insertion order.
   *
   * @example
   * ```ts
   * for (const [k, v] of args) console.log(k, v);
   * ```
   * @see RFC 5321 §4.1.2
   */
  [Symbol.iterator](): IterableIterator<readonly [string, string | undefined]> {
    return this.#entries.entries();
  }

  /**
   * Same as iterating the collection.
   *
   * @example
   * ```ts
   * [...args.entries()];
   * ```
   * @see RFC 5321 §4.1.2
   */
  entries(): IterableIterator<readonly [string, string | undefined]> {
    return this[Symbol.iterator]();
  }

  /**
   * The upper-case keywords in order.
   *
   * @example
   * ```ts
   * [...args.keys()]; // ['SIZE', 'BODY']
   * ```
   * @see RFC 5321 §4.1.2
   */
  keys(): IterableIterator<string> {
    return this.#entries.keys();
  }

  /**
   * A plain object `{ KEYWORD: value | true }` for logs and JSON.
   *
   * @example
   * ```ts
   * args.toJSON(); // { SIZE: '1000', SMTPUTF8: true }
   * ```
   * @see RFC 5321 §4.1.2
   */
  toJSON(): Record<string, string | true> {
    const o: Record<string, string | true> = {};
    for (const [k, v] of this.#entries) o[k] = v ?? true;
    return o;
  }

  /**
   * A copy with the same options and parameters.
   *
   * @example
   * ```ts
   * const perRecipient = base.clone().setNotify('NEVER');
   * ```
   * @see RFC 5321 §4.1.2
   */
  clone(): SmtpClientArgs {
    const c = new SmtpClientArgs(this.#options);
    for (const [k, v] of this.#entries) c.#entries.set(k, v);
    c.#byteLength = this.#byteLength;
    return c;
  }

  // ---- typed helpers (all replace an existing value and throw ClientArgsError when invalid) ----

  /**
   * `SIZE=n`: the message size in bytes, a non-negative safe integer. RFC 1870 §3.
   *
   * @example
   * ```ts
   * args.setSize(10_485_760);
   * ```
   * @see RFC 1870 §6
   */
  setSize(bytes: number): this {
    return this.set('SIZE', String(safeInt(bytes, 'SIZE', 0, Number.MAX_SAFE_INTEGER)));
  }

  /**
   * `BODY=7BIT|8BITMIME|BINARYMIME`.
   *
   * @example
   * ```ts
   * args.setBody('8BITMIME');
   * ```
   * @see RFC 6152 §2, RFC 3030 §3
   */
  setBody(body: '7BIT' | '8BITMIME' | 'BINARYMIME'): this {
    return this.set('BODY', body);
  }

  /**
   * `RET=FULL|HDRS`: how much of the message a DSN returns.
   *
   * @example
   * ```ts
   * args.setRet('HDRS');
   * ```
   * @see RFC 3461 §4.3
   */
  setRet(ret: 'FULL' | 'HDRS'): this {
    return this.set('RET', ret);
  }

  /**
   * `ENVID=xtext`: the envelope identifier (printable text, at most 100 characters), xtext-encoded.
   *
   * @example
   * ```ts
   * args.setEnvid('a b=c'); // ENVID=a+20b+3Dc
   * ```
   * @see RFC 3461 §4.4
   */
  setEnvid(envid: string): this {
    return this.set('ENVID', xtextEncode(text(envid, 'ENVID')));
  }

  /**
   * `AUTH=xtext|<>`: the authenticated submitter (a mailbox) or `null` (or `'<>'`) for `<>`
   * (unknown). The mailbox is checked as a path's is (RFC 5321 §4.1.2 Mailbox; no angle brackets,
   * source route or bare `postmaster`; its length bounded by the MAIL line's): anything else is
   * `ERR_SMTP_INVALID_PARAM` naming `AUTH`. A non-ASCII mailbox needs SMTPUTF8 in effect (added
   * first, or the `smtpUtf8` option): without it `ERR_SMTP_UTF8_REQUIRED`; with it, its UTF-8
   * bytes are written as xtext (and the MAIL line must carry SMTPUTF8: `formatMailFrom` checks).
   *
   * @example
   * ```ts
   * args.setAuth('e+x@example.com'); // AUTH=e+2Bx@example.com
   * args.setAuth(null); // AUTH=<>
   * args.setSmtpUtf8().setAuth('jörg@example.com'); // AUTH=j+C3+B6rg@example.com
   * ```
   * @see RFC 4954 §5, RFC 6531 §3.3
   */
  setAuth(mailbox: string | null): this {
    if (mailbox === null || mailbox === '<>') return this.set('AUTH', '<>');
    if (!isWellFormed(text(mailbox, 'AUTH'))) throw invalid('AUTH', 'not well-formed UTF-16');
    const m = this.#mailbox(mailbox);
    if (m === 'utf8') throw localError('ERR_SMTP_UTF8_NOT_ALLOWED', 'AUTH', '');
    if (m === 'bad') throw invalid('AUTH', 'not a mailbox');
    return this.set('AUTH', xtextEncode(mailbox));
  }

  /** RFC 4954 §5: `mailbox` is a Mailbox as a path holds one (a leading `@` would be a source route). */
  #mailbox(mailbox: string): 'ok' | 'utf8' | 'bad' {
    const s = `<${mailbox}>`;
    const r = scanPathWith(s, 0, s.length, 'any', this.#context().smtpUtf8, AUTH_LIMITS, false);
    if (!r.ok && r.code === 'ERR_SMTP_UTF8_NOT_ALLOWED') return 'utf8';
    return r.ok && r.path.kind === 'mailbox' && r.next === s.length && mailbox[0] !== '@' ? 'ok' : 'bad';
  }

  /**
   * The parameter's checks, and for the built-in AUTH what `setAuth` checks: its value, decoded,
   * is a Mailbox or `<>` however it was written (`add('AUTH', 'garbage')` wrote `AUTH=garbage`).
   */
  #ok(keyword: string, value: string | undefined): ReturnType<typeof checkParam> {
    const r = checkParam(keyword, value, this.#specs, this.#command, this.#context());
    if (!r.ok || r.spec !== DEFAULT_PARAMETERS.get('AUTH') || value === undefined) return r;
    const m = parseAuthValue(value, this.#context());
    return m === null || (m !== undefined && this.#mailbox(m) === 'ok') ? r : { ok: false, reason: 'bad-value', message: 'AUTH: not a mailbox' };
  }

  /**
   * `SMTPUTF8`: the transaction uses UTF-8 addresses and headers.
   *
   * @example
   * ```ts
   * args.setSmtpUtf8();
   * ```
   * @see RFC 6531 §3.4
   */
  setSmtpUtf8(): this {
    return this.set('SMTPUTF8');
  }

  /**
   * `REQUIRETLS`: the message must only travel over TLS.
   *
   * @example
   * ```ts
   * args.setRequireTls();
   * ```
   * @see RFC 8689 §4
   */
  setRequireTls(): this {
    return this.set('REQUIRETLS');
  }

  /**
   * `MT-PRIORITY=n`, n from -9 to 9.
   *
   * @example
   * ```ts
   * args.setMtPriority(3);
   * ```
   * @see RFC 6710 §3
   */
  setMtPriority(priority: number): this {
    return this.set('MT-PRIORITY', String(safeInt(priority, 'MT-PRIORITY', -9, 9)));
  }

  /**
   * `BY=seconds;N|R[T]`: deliver-by time in seconds (may be negative with mode N), mode Notify or
   * Return, optional trace.
   *
   * @example
   * ```ts
   * args.setBy(3600, 'R'); // BY=3600;R
   * ```
   * @see RFC 2852 §4
   */
  setBy(seconds: number, mode: 'N' | 'R', trace = false): this {
    const s = safeInt(seconds, 'BY', -999_999_999, 999_999_999);
    if (mode !== 'N' && mode !== 'R') throw invalid('BY', 'mode must be N or R');
    return this.set('BY', `${s};${mode}${trace ? 'T' : ''}`);
  }

  /**
   * `HOLDFOR=seconds`: hold the message this long before delivery.
   *
   * @example
   * ```ts
   * args.setHoldFor(600);
   * ```
   * @see RFC 4865 §5
   */
  setHoldFor(seconds: number): this {
    return this.set('HOLDFOR', String(safeInt(seconds, 'HOLDFOR', 0, 999_999_999)));
  }

  /**
   * `HOLDUNTIL=date-time`: hold the message until this RFC 3339 time (a string, e.g. from
   * `new Date(t).toISOString()`).
   *
   * @example
   * ```ts
   * args.setHoldUntil('2030-01-01T00:00:00Z');
   * ```
   * @see RFC 4865 §5
   */
  setHoldUntil(dateTime: string): this {
    return this.set('HOLDUNTIL', text(dateTime, 'HOLDUNTIL'));
  }

  /**
   * `MTRK[=certifier[:timeout]]`: message tracking (certifier in base64 without padding).
   *
   * @example
   * ```ts
   * args.setMtrk('dGVzdA', 3600);
   * ```
   * @see RFC 3885 §4
   */
  setMtrk(certifier?: string, timeout?: number): this {
    if (certifier === undefined) {
      if (timeout !== undefined) throw invalid('MTRK', 'a timeout needs a certifier');
      return this.set('MTRK');
    }
    const t = timeout === undefined ? '' : ':' + String(safeInt(timeout, 'MTRK', 0, 999_999_999));
    return this.set('MTRK', text(certifier, 'MTRK') + t);
  }

  /**
   * `NOTIFY=NEVER` or `NOTIFY=SUCCESS,FAILURE,DELAY` (any non-empty set without repeats).
   *
   * @example
   * ```ts
   * args.setNotify(['SUCCESS', 'FAILURE']);
   * args.setNotify('NEVER');
   * args.setNotify(new Set(['FAILURE'])); // any list: an array, a set, a generator
   * ```
   * @see RFC 3461 §4.1
   */
  setNotify(notify: 'NEVER' | Iterable<NotifyCondition>): this {
    if (notify === 'NEVER') return this.set('NOTIFY', 'NEVER');
    const list: unknown[] | undefined = isList(notify) ? Array.from(notify) : undefined;
    if (!list?.every((c) => typeof c === 'string')) throw invalid('NOTIFY', 'expected NEVER or a list of conditions');
    // The NOTIFY grammar (members, no repeats) is checked by the parameter table.
    return this.set('NOTIFY', list.join(','));
  }

  /**
   * `ORCPT=addr-type;xtext`: the original recipient. With addr-type `utf-8` the address is encoded
   * as RFC 6533 utf-8-addr-xtext (`\x{HEX}` escapes), so it may hold non-ASCII characters; any other
   * addr-type (usually `rfc822`) needs an ASCII address, xtext-encoded.
   *
   * @example
   * ```ts
   * args.setOrcpt('rfc822', 'a+b@example.com'); // ORCPT=rfc822;a+2Bb@example.com
   * args.setOrcpt('utf-8', 'ü@example.com'); // ORCPT=utf-8;\x{FC}@example.com
   * ```
   * @see RFC 3461 §4.2, RFC 6533 §3
   */
  setOrcpt(addrType: string, address: string): this {
    text(addrType, 'ORCPT');
    if (!isWellFormed(text(address, 'ORCPT'))) throw invalid('ORCPT', 'not well-formed UTF-16');
    // addr-type syntax and the 500-character limit are checked by the parameter table.
    if (addrType.toUpperCase() === 'UTF-8') return this.set('ORCPT', `${addrType};${encodeUtf8AddrXtext(address)}`);
    if (hasNonAscii(address)) throw ClientArgsError.local('ERR_SMTP_UTF8_REQUIRED', 'ORCPT', "ORCPT: a non-ASCII address needs addr-type 'utf-8'");
    return this.set('ORCPT', `${addrType};${xtextEncode(address)}`);
  }

  /**
   * `RRVS=date-time[;C|R]`: require the recipient mailbox to be valid since that time; on failure
   * Continue (C) or Reject (R).
   *
   * @example
   * ```ts
   * args.setRrvs('2014-04-03T23:01:00Z', 'R');
   * ```
   * @see RFC 7293 §3
   */
  setRrvs(dateTime: string, mode?: 'C' | 'R'): this {
    text(dateTime, 'RRVS');
    return this.set('RRVS', mode === undefined ? dateTime : `${dateTime};${text(mode, 'RRVS')}`);
  }
}
