/**
 * Options of a server session: their types, defaults and validation.
 */
import type { SaslMechanism, TlsSecurity } from '@smtpkit/foundation';
import type { ServerBareLineEndingPolicy } from './data-decoder.js';
import { BUILTIN_MECHANISMS, KNOWN_MECHANISMS, TLS_SECURITY_LEVELS, asciiUpper, inheritedFields, isOptionsObject } from '@smtpkit/foundation';
import { BUILTIN_EXTENSIONS } from 'smtp-capabilities';
import type { ExtensionDefinition, ExtensionRegistry } from 'smtp-capabilities';
import type { EsmtpParameters } from './envelope-args.js';
import { SmtpServerError } from './errors.js';
import type { ClientAttributes, PolicyPoint } from './events.js';
import { DEFAULT_EXTENSIONS } from './extensions.js';
import { safeLine } from './reply.js';
import type { ServerExtensions } from './extensions.js';
import { DEFAULT_LIMITS, DEFAULT_TIMEOUTS } from './limits.js';
import type { ServerLimits, ServerTimeouts } from './limits.js';

/**
 * Options of a session. Everything is optional; defaults are safe.
 *
 * @example
 * ```ts
 * const conn = new ServerConnection({ hostname: 'mx.example', limits: { maxMessageSize: 1e6 } });
 * ```
 * @see RFC 5321 §4.1, §4.5.3
 */
export interface ServerOptions {
  /**
   * Our host name, used in the greeting, EHLO and 421 replies (and `session.hostname`). Default
   * `localhost`. A domain (LDH labels, `_` tolerated, U-labels sent as given) or an IPv4/IPv6 address
   * literal; a bare IP address (`192.0.2.1`, `::1`) is taken as its address literal (`[192.0.2.1]`,
   * `[IPv6:::1]`). Anything else (empty, spaces, CR/LF, a trailing dot, an all-digit last label
   * such as `2.0.0`, over 255 octets) is `ERR_SMTP_INVALID_OPTION`.
   */
  readonly hostname?: string;
  /** Text after `<hostname> ESMTP` in the greeting. */
  readonly banner?: string;
  /** LMTP mode (RFC 2033): LHLO instead of HELO/EHLO, one reply per recipient after the body. */
  readonly lmtp?: boolean;
  /**
   * One switch per row of `SERVER_EXTENSIONS` that has one (defaults: `DEFAULT_EXTENSIONS`).
   * STARTTLS, AUTH, XCLIENT and XFORWARD have none: `starttls`, `auth`, `xclient` and `xforward`
   * decide them, so a name that is not a switch (`extensions.starttls`) is `ERR_SMTP_INVALID_OPTION`
   * rather than ignored, and nothing here can hide STARTTLS from a session that `requireTls` makes
   * wait for it.
   */
  readonly extensions?: Partial<ServerExtensions>;
  /**
   * The TLS choice in the toolkit's words (the client's `security`, `smtp serve --security`):
   * `'off'` (no STARTTLS), `'opportunistic'` (STARTTLS offered), `'required'` (STARTTLS offered and
   * needed first: `requireTls`), `'implicit'` (the session already runs over TLS: `secure`).
   * Replaces `secure` / `starttls`; giving both, or a contradicting `requireTls`, is
   * `ERR_SMTP_INVALID_OPTION`.
   *
   * @see RFC 3207, RFC 8314 §3
   */
  readonly security?: TlsSecurity;
  /** The session already runs over TLS (implicit TLS, port 465). */
  readonly secure?: boolean;
  /**
   * STARTTLS can be offered (the host can upgrade the transport): the one switch for it (there is
   * no `extensions.starttls`). When true, EHLO advertises STARTTLS until TLS is established; when
   * false, it is not advertised and the command gets `502 5.5.1`.
   */
  readonly starttls?: boolean;
  /**
   * Refuse everything but EHLO/HELO/NOOP/RSET/QUIT/STARTTLS before TLS (530 5.7.0). Needs
   * `starttls: true` or `secure: true` (or `security: 'required'`): without either no session could
   * ever get TLS, so `true` alone is `ERR_SMTP_INVALID_OPTION`.
   */
  readonly requireTls?: boolean;
  readonly auth?: {
    /** Mechanisms offered, by name (built-ins) or as the foundation's `SaslMechanism` objects (with a `server` side and an RFC 4422 §3.1 name: 1 to 20 of `A-Z`, `0-9`, `-`, `_`); default PLAIN LOGIN XOAUTH2, plus CRAM-MD5 when `challenge` is given (`createServer` gives one); OAUTHBEARER (RFC 7628) only when named. */
    readonly mechanisms?: readonly (string | SaslMechanism)[];
    /** MAIL needs a successful AUTH first (530 5.7.0). */
    readonly required?: boolean;
    /** Offer AUTH on a session without TLS (default false). */
    readonly allowInsecure?: boolean;
    /**
     * Let a client log in as another identity than its own (an authorization identity, PLAIN's
     * `authzid`, RFC 4616 §2). Default false: such a login is refused `535 5.7.8` before the
     * application sees it (one naming the user itself, or none, goes on). When true the `auth`
     * event (`onAuth`) gets it as `credentials.authorizationId`: accepting it says the user may act
     * as that identity, and the session is authenticated as it (`authenticatedUser`).
     */
    readonly allowAuthorizationIdentity?: boolean;
  };
  /** Challenge generator for CRAM-MD5 (randomness and time are inputs of a sans-IO core). */
  readonly challenge?: () => string;
  /** The peer is trusted: XCLIENT / XFORWARD are accepted (and advertised when enabled). */
  readonly trusted?: boolean;
  readonly xclient?: boolean;
  readonly xforward?: boolean;
  /** Client address (for `session`, Received headers, XCLIENT). */
  readonly clientAddress?: string;
  readonly limits?: Partial<ServerLimits>;
  readonly timeouts?: Partial<ServerTimeouts>;
  /** Bare CR / LF in message content: `reject` (default, 550 after the real end) or `normalize` (`replace` is refused: a server must not alter content). */
  readonly bareLineEndings?: ServerBareLineEndingPolicy;
  /** Pipelining synchronization checks (RFC 2920 §3.1): `reject` (default, 554 and close) or `off`. */
  readonly pipeliningSync?: 'reject' | 'off';
  /**
   * Policy points answered automatically with their default (events still emitted). Not `auth`:
   * credentials are accepted only by the application's explicit answer (`ERR_SMTP_INVALID_OPTION`).
   */
  readonly autoAccept?: readonly PolicyPoint[];
  /** VRFY: `policy` emits a `vrfy` decision; `static` (default) answers 252. */
  readonly vrfy?: 'policy' | 'static' | 'disabled';
  /** EXPN: `policy` emits an `expn` decision; `disabled` (default) answers 502. */
  readonly expn?: 'policy' | 'disabled';
  /**
   * Custom extensions, the one way to add verbs: an smtp-capabilities `ExtensionRegistry` or a
   * list of its `ExtensionDefinition`s (plain data). The definitions whose keyword this session does not implement itself are appended to its extension
   * table: advertised in EHLO (by their `advertise` rule), their verbs dispatched as `command`
   * events (a verb may then hold a multi-step exchange, see `continueCommand`), their MAIL/RCPT
   * parameters accepted and passed through. A definition with `advertise: false` is a private
   * verb: never advertised, accepted before EHLO. Read when the session starts: changing the
   * registry, a definition or its `advertise` list afterwards changes nothing in the session
   * (later sessions see what was registered, unregistered or hidden; the table is cached per
   * registry object, so a definition changed in place is not noticed: register a new object).
   *
   * @example
   * ```ts
   * new ServerConnection({ registry: [{ keyword: 'XSTATS', verbs: [{ name: 'XSTATS', mustBeLastInGroup: true }] }] });
   * ```
   */
  readonly registry?: ExtensionRegistry | readonly ExtensionDefinition[];
  /** Opt-in keywords of the registry to advertise (its `SessionSettings.enable`). */
  readonly enable?: readonly string[];
  /**
   * Copy the bytes given to `receiveData` (default true). Set false only when the caller never
   * reuses or mutates a buffer after handing it over (Node socket chunks): saves a copy per chunk.
   */
  readonly copyInput?: boolean;
  /** HELP text lines (214). */
  readonly help?: readonly string[];
}

/**
 * Policy points answered automatically unless `autoAccept` says otherwise.
 *
 * @example
 * ```ts
 * new ServerConnection({ autoAccept: [...DEFAULT_AUTO_ACCEPT, 'mail'] });
 * ```
 * @see RFC 5321 §3.1, §4.1.1.1
 */
export const DEFAULT_AUTO_ACCEPT: readonly PolicyPoint[] = Object.freeze(['connect', 'helo', 'data-start'] as const);

/**
 * A read-only view of the session facts (for logs and `Received:`).
 *
 * @example
 * ```ts
 * buildReceivedHeader({ helo: conn.session.helo, by: conn.session.hostname, protocol: conn.session.protocol, date });
 * ```
 * @see RFC 5321 §4.4, RFC 3848
 */
export interface SessionInfo {
  readonly hostname: string;
  readonly helo: string | undefined;
  readonly heloVerb: 'HELO' | 'EHLO' | 'LHLO' | undefined;
  readonly secure: boolean;
  readonly authenticatedUser: string | undefined;
  readonly clientAddress: string | undefined;
  readonly xclient: ClientAttributes | undefined;
  readonly xforward: ClientAttributes | undefined;
  /** RFC 3848 `with` keyword for a Received header: SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA, LMTP... */
  readonly protocol: string;
}

/**
 * A read-only view of the current transaction.
 *
 * @example
 * ```ts
 * conn.transaction.recipients.map((r) => r.address);
 * ```
 * @see RFC 5321 §3.3
 */
export interface TransactionInfo {
  readonly from: string | undefined;
  readonly mailParameters: EsmtpParameters;
  readonly recipients: readonly { readonly address: string; readonly parameters: EsmtpParameters }[];
}


/** Limits that hold a buffer size: a finite integer (Infinity would mean unbounded memory). */
const FINITE_LIMITS = new Set(['maxCommandLine', 'maxAuthLine', 'maxLocalPart', 'maxDomain', 'maxPath', 'maxPendingOutput']);
/** The largest delay a host timer takes (2^31 - 1 ms in Node.js and browsers); a longer finite timeout would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The policy points `autoAccept` may name: every one (the compiler checks the record against the
 * type) but `auth`, which only the application's explicit answer accepts.
 */
const POLICY_POINTS: readonly string[] = Object.keys({
  connect: true,
  helo: true,
  mail: true,
  rcpt: true,
  'data-start': true,
  'message-end': true,
  vrfy: true,
  expn: true,
  command: true,
  xclient: true,
} satisfies Record<Exclude<PolicyPoint, 'auth'>, true>);

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

/** Whether `text` can go into a reply as it is (`checkReply`'s test of each line). */
function replyTextOk(text: string | readonly string[]): boolean {
  return typeof text === 'string' ? safeLine(text) : text.every(safeLine);
}

/** The `ERR_SMTP_INVALID_OPTION` error naming the option. */
export function invalidOption(name: string, why: string): SmtpServerError {
  return new SmtpServerError('ERR_SMTP_INVALID_OPTION', `${name} ${why}`);
}

/**
 * Validates the numeric limits, timeouts and enums of `ServerOptions`: anything that is not a
 * non-negative number (NaN, negative, a string such as "1MB") throws `ERR_SMTP_INVALID_OPTION`
 * naming the option, so that no typo silently removes a limit. `requireTls: true` with neither
 * `starttls` nor `secure` true (a session no client could send mail through) is refused likewise.
 */
const BUILTIN_KEYWORDS = new Set(BUILTIN_EXTENSIONS.map((d) => d.keyword));

export function checkOptions(options: ServerOptions): void {
  for (const name of ['limits', 'timeouts', 'extensions', 'auth'] as const) {
    const value: unknown = options[name];
    if (value !== undefined && !isOptionsObject(value)) throw invalidOption(name, `must be an object, got ${kindOf(value)}`);
  }
  for (const name of ['hostname', 'banner', 'clientAddress'] as const) {
    const value: unknown = options[name];
    if (value !== undefined && typeof value !== 'string') throw invalidOption(name, `must be a string, got ${kindOf(value)}`);
  }
  if (options.banner !== undefined && !replyTextOk(options.banner)) throw invalidOption('banner', 'must not hold control characters or lone surrogates (it is sent in the greeting)');
  if (options.help !== undefined && (!Array.isArray(options.help) || !options.help.every((l: unknown) => typeof l === 'string') || !replyTextOk(options.help))) {
    throw invalidOption('help', 'must be a list of reply lines (strings without control characters or lone surrogates)');
  }
  if (options.challenge !== undefined && typeof options.challenge !== 'function') throw invalidOption('challenge', `must be a function, got ${kindOf(options.challenge)}`);
  const listOf = (name: string, value: unknown, ok: (item: unknown) => boolean, what: string): void => {
    if (value !== undefined && (!Array.isArray(value) || !value.every(ok))) throw invalidOption(name, `must be a list of ${what}, got ${kindOf(value)}`);
  };
  listOf('autoAccept', options.autoAccept, (p) => typeof p === 'string' && POLICY_POINTS.includes(p), POLICY_POINTS.join(', '));
  listOf('enable', options.enable, (k) => typeof k === 'string', 'keywords');
  listOf('auth.mechanisms', options.auth?.mechanisms, (m) => typeof m === 'string' || (typeof m === 'object' && m !== null), 'mechanism names or SaslMechanism objects');
  for (const name of ['required', 'allowInsecure', 'allowAuthorizationIdentity'] as const) {
    const value: unknown = options.auth?.[name];
    if (value !== undefined && typeof value !== 'boolean') throw invalidOption(`auth.${name}`, `must be true or false, got ${kindOf(value)}`);
  }
  const registry = options.registry as { readonly definitions?: unknown } | null | undefined;
  if (registry !== undefined && !Array.isArray(registry) && typeof registry?.definitions !== 'function') {
    throw invalidOption('registry', 'must be an ExtensionRegistry or a list of extension definitions');
  }
  // an enabled keyword that no definition holds would be advertised by nobody, silently
  // (checked for every session: the built-in keywords are one Set, the registry is read on a miss only)
  for (const k of options.enable ?? []) {
    const key = k.toUpperCase();
    if (BUILTIN_KEYWORDS.has(key)) continue;
    const custom = (Array.isArray(registry) ? registry : ((registry as ExtensionRegistry | undefined)?.definitions() ?? [])) as ExtensionDefinition[];
    if (!custom.some((d) => String(d?.keyword).toUpperCase() === key)) throw invalidOption('enable', `${k} is not registered`);
  }
  if (options.limits !== undefined) {
    for (const [name, value] of Object.entries(options.limits)) {
      if (!(name in DEFAULT_LIMITS)) throw invalidOption(`limits.${name}`, 'is not a known limit');
      if (value === undefined) continue;
      if (typeof value !== 'number' || Number.isNaN(value) || value < 0) throw invalidOption(`limits.${name}`, `must be a non-negative number, got ${String(value)}`);
      if (value !== Infinity && !Number.isInteger(value)) throw invalidOption(`limits.${name}`, `must be an integer, got ${String(value)}`);
      if (FINITE_LIMITS.has(name) && value === Infinity) throw invalidOption(`limits.${name}`, 'must be finite');
    }
  }
  if (options.timeouts !== undefined) {
    for (const [name, value] of Object.entries(options.timeouts)) {
      if (!(name in DEFAULT_TIMEOUTS)) throw invalidOption(`timeouts.${name}`, 'is not a known timeout');
      if (value === undefined) continue;
      if (typeof value !== 'number' || Number.isNaN(value) || value < 0) throw invalidOption(`timeouts.${name}`, `must be a non-negative number of ms, got ${String(value)}`);
      if (value !== Infinity && value > MAX_TIMER_MS) throw invalidOption(`timeouts.${name}`, `must be at most ${String(MAX_TIMER_MS)} ms (or Infinity for no timer)`);
      if (name === 'errorDelay' && value === Infinity) throw invalidOption('timeouts.errorDelay', 'must be finite (0 turns the delay off)');
    }
  }
  const oneOf = (name: string, value: unknown, allowed: readonly unknown[]): void => {
    if (value !== undefined && !allowed.includes(value)) throw invalidOption(name, `must be one of ${allowed.map(String).join(', ')}, got ${typeof value === 'string' ? value : typeof value}`);
  };
  oneOf('bareLineEndings', options.bareLineEndings, ['reject', 'normalize']);
  oneOf('pipeliningSync', options.pipeliningSync, ['reject', 'off']);
  oneOf('vrfy', options.vrfy, ['policy', 'static', 'disabled']);
  oneOf('expn', options.expn, ['policy', 'disabled']);
  for (const name of ['lmtp', 'secure', 'starttls', 'requireTls', 'trusted', 'xclient', 'xforward', 'copyInput'] as const) oneOf(name, options[name], [true, false]);
  // a session where MAIL needs TLS that it can never get would answer every MAIL with 530
  if (options.requireTls === true && options.starttls !== true && options.secure !== true) {
    throw invalidOption('requireTls', 'true needs starttls or secure: no session could get TLS');
  }
  if (options.extensions !== undefined) {
    for (const [name, value] of Object.entries(options.extensions)) {
      if (!(name in DEFAULT_EXTENSIONS)) throw invalidOption(`extensions.${name}`, 'is not a known extension');
      oneOf(`extensions.${name}`, value, [true, false, undefined]);
    }
  }
}

/**
 * `options` with `security` resolved into `secure` / `starttls` / `requireTls` (the same object
 * when `security` is not given). `options` that are not an object (a list included) throw
 * `ERR_SMTP_INVALID_OPTION`.
 *
 * @example
 * ```ts
 * withTlsSecurity({ security: 'required' }); // { security: 'required', secure: false, starttls: true, requireTls: true }
 * ```
 */
export function withTlsSecurity<T extends Pick<ServerOptions, 'security' | 'secure' | 'starttls' | 'requireTls'>>(options: T): T {
  if (!isOptionsObject(options)) throw invalidOption('options', `must be an object, got ${kindOf(options)}`);
  const { security } = options;
  if (security === undefined) return options;
  if (!TLS_SECURITY_LEVELS.includes(security)) throw invalidOption('security', `must be one of ${TLS_SECURITY_LEVELS.join(', ')}, got ${String(security)}`);
  if (options.secure !== undefined || options.starttls !== undefined) throw invalidOption('security', 'replaces secure and starttls: give one or the other');
  if (options.requireTls !== undefined && options.requireTls !== (security === 'required')) throw invalidOption('requireTls', `${String(options.requireTls)} contradicts security '${security}'`);
  return { ...options, secure: security === 'implicit', starttls: security === 'opportunistic' || security === 'required', requireTls: security === 'required' };
}

/**
 * The SASL mechanisms a session offers, resolved from `auth.mechanisms` (names of built-ins, or
 * objects with a `server` side and a name RFC 4422 §3.1 allows: 1 to 20 of `A-Z`, `0-9`, `-`,
 * `_`), each name once (`ERR_SMTP_INVALID_OPTION`). CRAM-MD5 needs `challenge`; without one it is
 * left out of the default list and refused when named.
 */
export function resolveMechanisms(options: ServerOptions): readonly SaslMechanism[] {
  const mechs: SaslMechanism[] = [];
  for (const m of options.auth?.mechanisms ?? (options.auth ? BUILTIN_MECHANISMS : [])) {
    if (typeof m === 'string') {
      // ASCII case only: Unicode upper-casing makes `plaın` (dotless i) PLAIN
      const found = KNOWN_MECHANISMS.find((b) => b.name === asciiUpper(m));
      if (!found) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `unknown SASL mechanism ${m}`);
      mechs.push(found);
    } else {
      // a server side, and a name RFC 4422 §3.1 allows: what EHLO advertises and AUTH is matched
      // against (a space or CRLF broke every EHLO after TLS with 421; a lower-case name was
      // advertised upper-cased, then never matched)
      if (typeof m?.server !== 'function' || typeof m.name !== 'string' || !/^[-A-Z0-9_]{1,20}$/.test(m.name)) throw invalidOption(`auth.mechanisms ${String(m?.name)}`, 'needs server() and a name of 1-20 A-Z 0-9 - _');
      mechs.push(m);
    }
  }
  // one name once: `['PLAIN', 'plain']` advertised PLAIN twice, and a second mechanism of a name was never used
  if (new Set(mechs.map((m) => m.name)).size < mechs.length) throw invalidOption('auth.mechanisms', 'names a mechanism twice');
  if (mechs.some((m) => m.name === 'CRAM-MD5') && !options.challenge && options.auth?.mechanisms) {
    throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', 'CRAM-MD5 needs a challenge generator (options.challenge)');
  }
  return options.challenge ? mechs : mechs.filter((m) => m.name !== 'CRAM-MD5');
}

/** A list option copied; anything else (left for `checkOptions` to refuse) as it is. */
function copiedList<T>(value: T): T {
  return (Array.isArray(value) ? value.slice() : value) as T;
}

/**
 * A snapshot of `options`, taken once when a session is built: the top-level fields, the
 * nested objects (`auth`, `limits`, `timeouts`, `extensions`) and the lists (`help`, `autoAccept`,
 * `enable`, `auth.mechanisms`) are copied, so changing or reusing the caller's object afterwards
 * (one shared object per listener, a config reload) changes nothing in a live session, and what
 * `checkOptions` validated is what the session uses. The copies are plain objects holding, beside
 * the caller's own enumerable fields, those the caller's object (or a nested one) inherits: a
 * prototype's field (`Object.create(base)`) or a class's getter (not its methods), read once. An
 * inherited field is taken as an own one is: an unknown name in `limits`, `timeouts` or
 * `extensions` is refused by `checkOptions` wherever it is defined. `registry` is kept as given: the session's
 * extension table is built from it at construction (and cached per registry object), with its own
 * copy of every `advertise` list, so that it is immune to later changes too. A value of
 * the wrong kind is kept as it is, for `checkOptions` to report. The copies are the session's own and
 * never handed out, so they are not frozen: property reads on frozen objects cost the core about 7%
 * of its throughput in `pnpm bench server`.
 *
 * @example
 * ```ts
 * const opts = { trusted: false, xclient: true };
 * const snap = snapshotOptions(opts);
 * opts.trusted = true; // snap.trusted is still false
 * ```
 */
export function snapshotOptions(options: ServerOptions): ServerOptions {
  if (!isOptionsObject(options)) return options;
  const snap = inheritedFields(options);
  for (const name of ['auth', 'limits', 'timeouts', 'extensions'] as const) if (isOptionsObject(snap[name])) snap[name] = inheritedFields(snap[name]);
  const auth = snap.auth as Record<string, unknown> | undefined;
  if (isOptionsObject(auth) && Array.isArray(auth.mechanisms)) auth.mechanisms = auth.mechanisms.slice();
  for (const name of ['help', 'autoAccept', 'enable'] as const) if (snap[name] !== undefined) snap[name] = copiedList(snap[name]);
  return snap;
}
