/**
 * ServerConnection: the sans-IO ESMTP/LMTP server session (h11 style). Bytes in through
 * `receiveData`, events out through `nextEvent`, the application's decisions through
 * `accept` / `reject` / `respond`, reply bytes out through `dataToSend`.
 */
import type { ExtensionRegistry } from 'smtp-capabilities';
import { DataDecoder } from './data-decoder.js';
import type { BareLineEndingPolicy } from './data-decoder.js';
import { decodeXtext, parseEnvelopeArgument } from './envelope-args.js';
import type { EsmtpParameters, ParameterPolicy } from './envelope-args.js';
import { LocalProtocolError } from './errors.js';
import type { ClientAttributes, CloseReason, MessageAbortReason, PolicyPoint, ServerEvent } from './events.js';
import { DEFAULT_LIMITS, DEFAULT_TIMEOUTS } from './limits.js';
import type { ServerDeadline, ServerLimits, ServerTimeouts, ServerTimer } from './limits.js';
import { checkReply, formatServerReply } from './reply.js';
import type { ReplyInit } from './reply.js';
import { BUILTIN_MECHANISMS, decodeSaslLine } from './sasl.js';
import type { AuthCredentials, SaslExchange, SaslMechanism } from './sasl.js';
import { encodeBase64 } from './base64.js';
import { sanitizeEcho, validHeloArgument } from './peer-text.js';
import { LEGACY_STATE_NUMBERS, SERVER_TRANSITIONS } from './states.js';
import type { ServerState } from './states.js';

/**
 * Service extensions the session advertises (EHLO) and enforces.
 *
 * @example
 * ```ts
 * new ServerConnection({ extensions: { chunking: false } });
 * ```
 * @see RFC 5321 §4.1.1.1, RFC 2920, RFC 1870, RFC 6152, RFC 3030, RFC 3461, RFC 2034, RFC 6531, RFC 8689, RFC 6710, RFC 2852, RFC 9422
 */
export interface ServerExtensions {
  readonly pipelining: boolean;
  readonly size: boolean;
  readonly eightBitMime: boolean;
  readonly binaryMime: boolean;
  readonly chunking: boolean;
  readonly dsn: boolean;
  readonly enhancedStatusCodes: boolean;
  readonly smtpUtf8: boolean;
  readonly requireTls: boolean;
  readonly mtPriority: boolean;
  readonly deliverBy: boolean;
  /** LIMITS RCPTMAX=<maxRecipients> (RFC 9422). */
  readonly limits: boolean;
}

/**
 * Default extensions: everything on (REQUIRETLS is only ever advertised on a TLS session).
 *
 * @example
 * ```ts
 * new ServerConnection({ extensions: { ...DEFAULT_EXTENSIONS, dsn: false } });
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export const DEFAULT_EXTENSIONS: ServerExtensions = Object.freeze({
  pipelining: true,
  size: true,
  eightBitMime: true,
  binaryMime: true,
  chunking: true,
  dsn: true,
  enhancedStatusCodes: true,
  smtpUtf8: true,
  requireTls: true,
  mtPriority: true,
  deliverBy: false,
  limits: true,
});

/**
 * A custom verb, advertised as an EHLO keyword and dispatched as a `command` event.
 *
 * @example
 * ```ts
 * new ServerConnection({ commands: [{ verb: 'XSTATS', keyword: 'XSTATS' }] });
 * ```
 * @see RFC 5321 §4.1.5 (private-use commands)
 */
export interface CustomCommand {
  readonly verb: string;
  /** EHLO keyword line to advertise (e.g. `XSTATS` or `XSTATS 1 2`); none when omitted. */
  readonly keyword?: string;
  /** RFC 2920 §3.1: commands that must end a pipelined group (default true). */
  readonly mustBeLast?: boolean;
  /** Extra MAIL / RCPT parameter keywords this extension adds. */
  readonly mailParameters?: readonly string[];
  readonly rcptParameters?: readonly string[];
}

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
  /** Our host name, used in the greeting, EHLO and 421 replies. Default `localhost`. */
  readonly hostname?: string;
  /** Text after `<hostname> ESMTP` in the greeting. */
  readonly banner?: string;
  /** LMTP mode (RFC 2033): LHLO instead of HELO/EHLO, one reply per recipient after the body. */
  readonly lmtp?: boolean;
  readonly extensions?: Partial<ServerExtensions>;
  /** The session already runs over TLS (implicit TLS, port 465). */
  readonly secure?: boolean;
  /** STARTTLS can be offered (the host can upgrade the transport). */
  readonly starttls?: boolean;
  /** Refuse everything but EHLO/HELO/NOOP/RSET/QUIT/STARTTLS before TLS (530 5.7.0). */
  readonly requireTls?: boolean;
  readonly auth?: {
    /** Mechanisms offered, by name (built-ins) or as objects; default PLAIN LOGIN CRAM-MD5 XOAUTH2. */
    readonly mechanisms?: readonly (string | SaslMechanism)[];
    /** MAIL needs a successful AUTH first (530 5.7.0). */
    readonly required?: boolean;
    /** Offer AUTH on a session without TLS (default false). */
    readonly allowInsecure?: boolean;
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
  /** Bare CR / LF in message content: `reject` (default, 550 after the real end) or `normalize`. */
  readonly bareLineEndings?: BareLineEndingPolicy;
  /** Pipelining synchronization checks (RFC 2920 §3.1): `reject` (default, 554 and close) or `off`. */
  readonly pipeliningSync?: 'reject' | 'off';
  /** Policy points answered automatically with their default (events still emitted). */
  readonly autoAccept?: readonly PolicyPoint[];
  /** VRFY: `policy` emits a `vrfy` decision; `static` (default) answers 252. */
  readonly vrfy?: 'policy' | 'static' | 'disabled';
  /** EXPN: `policy` emits an `expn` decision; `disabled` (default) answers 502. */
  readonly expn?: 'policy' | 'disabled';
  readonly commands?: readonly CustomCommand[];
  /**
   * An smtp-capabilities registry: extensions it holds that this session does not implement
   * itself are advertised from it, their verbs are dispatched as `command` events and their
   * MAIL/RCPT parameters are accepted and passed through.
   */
  readonly registry?: ExtensionRegistry;
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

const CR = 13;
const LF = 10;
const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: false });
const strictDec = new TextDecoder('utf-8', { fatal: true });

/**
 * A command line known to be 7-bit, as text. Short lines (nearly all commands) are built from
 * char codes, which costs less than a call into the decoder; long ones go to the decoder.
 */
function asciiText(line: Uint8Array): string {
  if (line.length > 256) return dec.decode(line);
  return String.fromCharCode.apply(null, line as unknown as number[]);
}

type Pending =
  | { point: 'connect' }
  | { point: 'helo'; verb: 'HELO' | 'EHLO' | 'LHLO'; domain: string; resume: ServerState }
  | { point: 'auth'; user: string }
  | { point: 'mail'; from: string; parameters: EsmtpParameters }
  | { point: 'rcpt'; to: string; parameters: EsmtpParameters }
  | { point: 'data-start'; mode: 'data' | 'bdat' }
  | { point: 'message-end' }
  | { point: 'vrfy' | 'expn' | 'command'; resume: ServerState }
  | { point: 'xclient'; attributes: ClientAttributes };

const MUST_BE_LAST = new Set(['EHLO', 'HELO', 'LHLO', 'DATA', 'VRFY', 'EXPN', 'TURN', 'QUIT', 'NOOP', 'STARTTLS', 'AUTH', 'HELP', 'XCLIENT']);
const JUNK = new Set(['NOOP', 'RSET', 'VRFY', 'EXPN', 'HELP']);
const ALLOWED_BEFORE_TLS = new Set(['EHLO', 'HELO', 'LHLO', 'NOOP', 'RSET', 'QUIT', 'STARTTLS']);
const XCLIENT_ATTRS = ['NAME', 'ADDR', 'PORT', 'PROTO', 'HELO', 'LOGIN', 'DESTADDR', 'DESTPORT'];
const XFORWARD_ATTRS = ['NAME', 'ADDR', 'PORT', 'PROTO', 'HELO', 'IDENT', 'SOURCE'];

/** Formatted replies (and their bytes) kept per session. */
const REPLY_CACHE_SIZE = 64;

/** Keywords the session implements itself (a registry cannot override them). */
const NATIVE_KEYWORDS = new Set(['PIPELINING', 'SIZE', '8BITMIME', 'BINARYMIME', 'CHUNKING', 'STARTTLS', 'AUTH', 'DSN', 'ENHANCEDSTATUSCODES', 'SMTPUTF8', 'REQUIRETLS', 'MT-PRIORITY', 'DELIVERBY', 'LIMITS', 'XCLIENT', 'XFORWARD', 'VRFY', 'EXPN', 'HELP']);

const TRANSITIONS = new Map<string, Map<string, Set<string>>>();
for (const t of SERVER_TRANSITIONS) {
  let byOn = TRANSITIONS.get(t.from);
  if (!byOn) TRANSITIONS.set(t.from, (byOn = new Map<string, Set<string>>()));
  let tos = byOn.get(t.on);
  if (!tos) byOn.set(t.on, (tos = new Set<string>()));
  tos.add(t.to);
}

/** Limits that hold a buffer size: a finite integer (Infinity would mean unbounded memory). */
const FINITE_LIMITS = new Set(['maxCommandLine', 'maxAuthLine', 'maxLocalPart', 'maxDomain', 'maxPath', 'maxPendingOutput']);
/** The largest delay a host timer takes (2^31 - 1 ms in Node.js and browsers); a longer finite timeout would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

function sameParameters(a: EsmtpParameters, b: EsmtpParameters): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
}

function invalidOption(name: string, why: string): LocalProtocolError {
  return new LocalProtocolError('ERR_SMTP_INVALID_OPTION', `${name} ${why}`);
}

/**
 * Validates the numeric limits, timeouts and enums of `ServerOptions`: anything that is not a
 * non-negative number (NaN, negative, a string such as "1MB") throws `ERR_SMTP_INVALID_OPTION`
 * naming the option, so that no typo silently removes a limit.
 */
function checkOptions(options: ServerOptions): void {
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
  if (options.extensions !== undefined) {
    for (const [name, value] of Object.entries(options.extensions)) {
      if (!(name in DEFAULT_EXTENSIONS)) throw invalidOption(`extensions.${name}`, 'is not a known extension');
      oneOf(`extensions.${name}`, value, [true, false, undefined]);
    }
  }
}

/**
 * One server-side SMTP/ESMTP/LMTP session, sans-IO.
 *
 * @example
 * ```ts
 * const conn = new ServerConnection({ hostname: 'mx.example' });
 * conn.receiveData(new TextEncoder().encode('EHLO client.example\r\n'));
 * for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) {
 *   if (e.type === 'mail' || e.type === 'rcpt' || e.type === 'message-end') conn.accept();
 * }
 * socket.write(conn.dataToSend());
 * ```
 * @see RFC 5321 §4.1, §4.2, §4.3; RFC 2920; RFC 3030; RFC 3207; RFC 4954; RFC 2033
 */
export class ServerConnection {
  /** Limits in force. */
  readonly limits: ServerLimits;
  /** Timeouts in force. */
  readonly timeouts: ServerTimeouts;
  private readonly ext: ServerExtensions;
  private readonly hostname: string;
  private readonly lmtp: boolean;
  private readonly mechanisms: readonly SaslMechanism[];
  private readonly auto: ReadonlySet<PolicyPoint>;
  private readonly custom: ReadonlyMap<string, CustomCommand>;
  private readonly paramPolicyBase: Omit<ParameterPolicy, 'requireTls' | 'auth'>;

  private current: ServerState = 'connect';
  private pending: Pending | undefined;
  private readonly events: ServerEvent[] = [];
  private eventHead = 0;
  private closeReason: CloseReason | undefined;

  // input
  private chunks: Uint8Array[] = [];
  private headOff = 0;
  private inputLength = 0;
  // line assembly
  private lineParts: Uint8Array[] = [];
  private lineLen = 0;
  private lineOverflow = false;
  private lastLineByte = -1;
  // output
  private out: string[] = [];
  private outBytes = 0;

  // session
  private helo: string | undefined;
  private heloVerb: 'HELO' | 'EHLO' | 'LHLO' | undefined;
  private secure: boolean;
  private authUser: string | undefined;
  private clientAddress: string | undefined;
  private xclientAttrs: ClientAttributes | undefined;
  private xforwardAttrs: ClientAttributes | undefined;
  private errors = 0;
  /** DOS-5 tarpit: output and input wait until the host's `error-delay` timer fires. */
  private delaying = false;
  private junk = 0;
  private unauthenticated = 0;
  private shutdownRequested = false;
  private disposed = false;
  /** The client shut down its sending side: buffered complete input is still processed, then the session closes. */
  private eof = false;
  /** What an unexpected internal error threw (the `closed` event carries it). */
  private internalCause: unknown;
  /** Command lines completed so far (a new line is a new `command-line` deadline). */
  private linesDone = 0;
  private deadline: { readonly timer: ServerDeadline; readonly ms: number; readonly id: number } | undefined;
  private deadlineLine = -1;
  private deadlineSeq = 0;

  // transaction
  private mailFrom: string | undefined;
  private mailParams: EsmtpParameters = {};
  private recipients: { address: string; parameters: EsmtpParameters }[] = [];
  /** Parameters of each accepted recipient (a repeat with other parameters is refused). */
  private recipientParameters = new Map<string, EsmtpParameters>();
  private bdatActive = false;
  private messageSize = 0;
  private tooLarge = false;
  private bareSeen = false;
  private decoder: DataDecoder | undefined;
  private bdatRemaining = 0;
  private bdatLast = false;
  private bdatOk = false;
  private bdatError: ReplyInit | undefined;
  private bdatPrevCr = false;
  private bdatResume: ServerState = 'awaiting-mail';
  private sasl: SaslExchange | undefined;
  /** The mechanism of the exchange in progress or awaiting its decision. */
  private saslMechanism: SaslMechanism | undefined;
  /** The rejection to send once the client answers the mechanism's error challenge (XOAUTH2). */
  private authFailure: ReplyInit | undefined;
  private saslCredentials: AuthCredentials | undefined;

  constructor(private readonly options: ServerOptions = {}) {
    checkOptions(options);
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    if (limits.maxCommandLine < 512) throw new LocalProtocolError('ERR_SMTP_INVALID_OPTION', 'maxCommandLine must be at least 512 (RFC 5321 §4.5.3.1.4)');
    if (limits.maxRecipients < 100) throw new LocalProtocolError('ERR_SMTP_INVALID_OPTION', 'maxRecipients must be at least 100 (RFC 5321 §4.5.3.1.8)');
    if (limits.maxAuthLine < limits.maxCommandLine) throw new LocalProtocolError('ERR_SMTP_INVALID_OPTION', 'maxAuthLine must be at least maxCommandLine');
    this.limits = Object.freeze(limits);
    this.timeouts = Object.freeze({ ...DEFAULT_TIMEOUTS, ...options.timeouts });
    const timer = (name: ServerTimer, ms: number): { readonly timer: ServerTimer; readonly ms: number } | undefined => (ms > 0 && ms !== Infinity ? Object.freeze({ timer: name, ms }) : undefined);
    this.timers = {
      'error-delay': timer('error-delay', this.timeouts.errorDelay),
      'tls-handshake': timer('tls-handshake', this.timeouts.tlsHandshake),
      'data-block': timer('data-block', this.timeouts.dataBlock),
      command: timer('command', this.timeouts.command),
    };
    this.ext = Object.freeze({ ...DEFAULT_EXTENSIONS, ...options.extensions });
    this.hostname = options.hostname ?? 'localhost';
    if (!/^[A-Za-z0-9.\-[\]:_]+$/.test(this.hostname)) throw new LocalProtocolError('ERR_SMTP_INVALID_OPTION', 'hostname must be a plain host name');
    this.lmtp = options.lmtp ?? false;
    this.secure = options.secure ?? false;
    this.clientAddress = options.clientAddress;
    const mechs: SaslMechanism[] = [];
    for (const m of options.auth?.mechanisms ?? (options.auth ? BUILTIN_MECHANISMS : [])) {
      if (typeof m === 'string') {
        const found = BUILTIN_MECHANISMS.find((b) => b.name === m.toUpperCase());
        if (!found) throw new LocalProtocolError('ERR_SMTP_INVALID_OPTION', `unknown SASL mechanism ${m}`);
        mechs.push(found);
      } else mechs.push(m);
    }
    if (mechs.some((m) => m.name === 'CRAM-MD5') && !options.challenge && options.auth?.mechanisms) {
      throw new LocalProtocolError('ERR_SMTP_INVALID_OPTION', 'CRAM-MD5 needs a challenge generator (options.challenge)');
    }
    this.mechanisms = options.challenge ? mechs : mechs.filter((m) => m.name !== 'CRAM-MD5');
    this.auto = new Set(options.autoAccept ?? DEFAULT_AUTO_ACCEPT);
    const custom = new Map<string, CustomCommand>();
    for (const c of options.commands ?? []) {
      if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(c.verb)) throw new LocalProtocolError('ERR_SMTP_INVALID_OPTION', `invalid verb ${c.verb}`);
      custom.set(c.verb.toUpperCase(), c);
    }
    const registry = options.registry;
    const regMail: string[] = [];
    const regRcpt: string[] = [];
    if (registry) {
      for (const def of registry.definitions()) {
        if (NATIVE_KEYWORDS.has(def.keyword)) continue;
        for (const v of def.verbs ?? []) {
          const verb = v.name.toUpperCase();
          if (!custom.has(verb)) custom.set(verb, { verb, mustBeLast: registry.mustBeLastInGroup(verb) });
        }
        regMail.push(...(def.mailParams ?? []));
        regRcpt.push(...(def.rcptParams ?? []));
      }
    }
    this.custom = custom;
    this.paramPolicyBase = {
      size: this.ext.size,
      maxMessageSize: this.limits.maxMessageSize,
      eightBitMime: this.ext.eightBitMime,
      binaryMime: this.ext.binaryMime && this.ext.chunking,
      smtpUtf8: this.ext.smtpUtf8,
      dsn: this.ext.dsn,
      mtPriority: this.ext.mtPriority,
      deliverBy: this.ext.deliverBy,
      extraMail: new Set([...regMail, ...[...custom.values()].flatMap((c) => c.mailParameters ?? [])].map((p) => p.toUpperCase())),
      extraRcpt: new Set([...regRcpt, ...[...custom.values()].flatMap((c) => c.rcptParameters ?? [])].map((p) => p.toUpperCase())),
    };
    this.decide({ point: 'connect' }, { type: 'connect', needsAnswer: !this.auto.has('connect') });
  }

  // ---------------------------------------------------------------- public surface

  /** The readable state. */
  get phase(): ServerState {
    return this.current;
  }

  /** The legacy numeric state (`stateName(conn.state)` gives its legacy name). */
  get state(): number {
    // LMTP's per-recipient answer after the body is the legacy "rcptto list response" (19).
    if (this.lmtp && this.current === 'message-decision') return 19;
    return LEGACY_STATE_NUMBERS[this.current];
  }

  /** The policy point waiting for an answer, if any. */
  get pendingDecision(): PolicyPoint | undefined {
    return this.pending?.point;
  }

  /** Unprocessed input bytes (the adapter stops reading when this grows). */
  get bufferedBytes(): number {
    return this.inputLength;
  }

  /** Session facts. */
  get session(): SessionInfo {
    let protocol = this.lmtp ? 'LMTP' : this.heloVerb === 'EHLO' ? 'ESMTP' : 'SMTP';
    // RFC 6531 §3.7.3: a transaction that uses SMTPUTF8 is UTF8SMTP / UTF8LMTP (+S, +A).
    if (protocol !== 'SMTP' && this.mailParams.SMTPUTF8 === true) protocol = this.lmtp ? 'UTF8LMTP' : 'UTF8SMTP';
    if (protocol !== 'SMTP') {
      if (this.secure) protocol += 'S';
      if (this.authUser !== undefined) protocol += 'A';
    }
    return {
      hostname: this.hostname,
      helo: this.helo,
      heloVerb: this.heloVerb,
      secure: this.secure,
      authenticatedUser: this.authUser,
      clientAddress: this.clientAddress,
      xclient: this.xclientAttrs,
      xforward: this.xforwardAttrs,
      protocol,
    };
  }

  /** The transaction in progress. */
  get transaction(): TransactionInfo {
    return { from: this.mailFrom, mailParameters: this.mailParams, recipients: this.recipients.slice() };
  }

  /**
   * Feeds bytes received from the client (any split). The session keeps its own copy.
   * Throws `ERR_SMTP_DATA_DURING_TLS_HANDSHAKE` while waiting for the TLS handshake.
   */
  receiveData(data: Uint8Array | string): void {
    this.assertUsable();
    if (this.current === 'closed') return;
    if (this.current === 'awaiting-tls') {
      throw new LocalProtocolError('ERR_SMTP_DATA_DURING_TLS_HANDSHAKE', 'bytes fed while the TLS handshake is pending; start TLS first');
    }
    const bytes = typeof data === 'string' ? enc.encode(data) : this.options.copyInput === false ? data : data.slice();
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.inputLength += bytes.length;
  }

  /**
   * The client shut down its sending side (a TCP half-close: FIN received). This is not a
   * disconnect: the complete commands already received are still processed and answered, a
   * complete message is still handed over (`message-end`), a pipelined QUIT still gets its 221;
   * then the session closes with reason `eof`. Only an EOF inside a message or a BDAT chunk aborts
   * it (`message-abort` with reason `eof`); a partial trailing command line is dropped. Keep
   * writing `dataToSend()` until `shouldClose`.
   *
   * @example
   * ```ts
   * socket.on('end', () => { conn.receiveEof(); pump(); }); // with allowHalfOpen: true
   * ```
   * @see RFC 5321 §3.8, RFC 793 §3.5 (half-close)
   */
  receiveEof(): void {
    this.assertUsable();
    if (this.current === 'closed') return;
    this.eof = true;
    // nothing more can arrive for a TLS handshake
    if (this.current === 'awaiting-tls') this.close('eof');
  }

  /**
   * The connection is gone both ways (reset, socket closed): whatever is buffered is dropped, a
   * transaction in progress is aborted (`message-abort` with reason `eof`) and the session closes
   * at once with reason `eof`.
   *
   * @example
   * ```ts
   * socket.on('close', () => { conn.connectionLost(); for (let e = conn.nextEvent(); e.type !== 'closed'; e = conn.nextEvent()); });
   * ```
   * @see RFC 5321 §3.8
   */
  connectionLost(): void {
    this.assertUsable();
    if (this.current === 'closed') return;
    this.abortTransactionIfData('eof');
    this.close('eof');
  }

  /**
   * The next event. Returns `need-data` when more input is needed, `paused` while a decision is
   * pending or unsent replies exceed `maxPendingOutput`, and `closed` (repeatedly) once closed.
   */
  nextEvent(): ServerEvent {
    this.assertUsable();
    for (;;) {
      if (this.eventHead < this.events.length) {
        const e = this.events[this.eventHead++]!;
        if (this.eventHead === this.events.length) {
          this.events.length = 0;
          this.eventHead = 0;
        }
        return e;
      }
      if (this.current === 'closed') return this.closedEvent();
      if (this.pending || this.delaying || this.outBytes > this.limits.maxPendingOutput) {
        this.updateDeadline();
        return { type: 'paused' };
      }
      let progressed: boolean;
      try {
        progressed = this.step();
      } catch (e) {
        this.internalError(e);
        continue;
      }
      if (progressed) continue;
      if (!this.eof) {
        this.updateDeadline();
        return { type: 'need-data' };
      }
      // end of input: what could be processed was; an unfinished message is aborted, a partial line dropped
      this.abortTransactionIfData('eof');
      this.close('eof');
    }
  }

  /** Bytes to write to the client (empties the output buffer). */
  dataToSend(): Uint8Array {
    const s = this.textToSend();
    if (s.length === 0) return new Uint8Array(0);
    // a copy of the cached encoding (the caller owns what it gets)
    let bytes = this.replyBytes.get(s);
    if (bytes === undefined) {
      bytes = enc.encode(s);
      if (this.replyBytes.size >= REPLY_CACHE_SIZE || s.length > 512) return bytes;
      this.replyBytes.set(s, bytes);
    }
    return bytes.slice();
  }

  /**
   * The same output as `dataToSend()`, as text to be written UTF-8 encoded (empties the output
   * buffer). For transports that take strings (`socket.write(text)` in Node.js), it saves the
   * encoding step and a copy. Use one of the two, not both, for a given output.
   *
   * @example
   * ```ts
   * const text = conn.textToSend();
   * if (text.length > 0) socket.write(text); // UTF-8 is the default encoding of node:net
   * ```
   * @see RFC 5321 §4.2, RFC 6531 §3.7.4 (UTF-8 reply text)
   */
  textToSend(): string {
    if (this.out.length === 0 || this.delaying) return '';
    const s = this.out.length === 1 ? this.out[0]! : this.out.join('');
    this.out = [];
    this.outBytes = 0;
    return s;
  }

  /** True when the host should close the transport once `dataToSend()` is written. */
  get shouldClose(): boolean {
    return this.current === 'closed';
  }

  /**
   * Accepts the pending decision, with the default positive reply or `reply`.
   * For `message-end` in LMTP mode every recipient gets `reply` (or 250).
   */
  accept(reply?: ReplyInit): void {
    if (reply) {
      checkReply(reply);
      if (reply.code >= 400) throw new LocalProtocolError('ERR_SMTP_INVALID_REPLY', 'accept() needs a 2xx or 3xx reply; use reject()');
    }
    this.answer(true, reply, undefined);
  }

  /** Rejects the pending decision with `reply` (4xx/5xx) or the point's default negative reply. */
  reject(reply?: ReplyInit): void {
    if (reply) {
      checkReply(reply);
      if (reply.code < 400) throw new LocalProtocolError('ERR_SMTP_INVALID_REPLY', 'reject() needs a 4xx or 5xx reply');
    }
    this.answer(false, reply, undefined);
  }

  /**
   * Answers the pending decision with `reply` (positive or negative by its code). In LMTP mode,
   * `message-end` takes one reply per accepted recipient, in order.
   */
  respond(reply: ReplyInit | readonly ReplyInit[]): void {
    if (Array.isArray(reply)) {
      const list = reply as readonly ReplyInit[];
      if (this.pending?.point !== 'message-end' || !this.lmtp) throw new LocalProtocolError('ERR_SMTP_INVALID_REPLY', 'a list of replies is only for message-end in LMTP mode');
      if (list.length !== this.recipients.length) throw new LocalProtocolError('ERR_SMTP_INVALID_REPLY', `expected ${String(this.recipients.length)} replies, one per recipient`);
      list.forEach(checkReply);
      this.answer(true, undefined, list);
      return;
    }
    const one = reply as ReplyInit;
    checkReply(one);
    this.answer(one.code < 400, one, undefined);
  }

  /** The timer the host should arm now, or undefined (decision pending, closed). */
  pendingTimeout(): { readonly timer: ServerTimer; readonly ms: number } | undefined {
    if (this.current === 'closed' || this.pending) return undefined;
    const t = this.timers;
    if (this.delaying) return t['error-delay'];
    if (this.current === 'awaiting-tls') return t['tls-handshake'];
    if (this.current === 'reading-body' || this.current === 'reading-bdat') return t['data-block'];
    return t.command;
  }

  /** The armed timer fired: 421 4.4.2 and close (after `error-delay`: the held reply goes out and input resumes). */
  handleTimeout(): void {
    this.assertUsable();
    if (this.current === 'closed') return;
    if (this.delaying) {
      this.delaying = false;
      return;
    }
    this.abortTransactionIfData('timeout');
    this.send({ code: 421, enhanced: '4.4.2', text: `${this.hostname} Error: timeout exceeded` });
    this.close('timeout');
  }

  /**
   * The deadline the host should arm now, if any: `command-line` while a command line is partly
   * received, `data-phase` while a message is being received. Unlike `pendingTimeout()` it must
   * NOT restart when bytes arrive: arm one timer per `id` (ask after each `nextEvent()` loop; an
   * unchanged `id` means the timer already running stays) and call `handleDeadline(id)` when it
   * fires. The Node adapter also enforces its minimum data rate over the same periods.
   *
   * @example
   * ```ts
   * // `arm(ms, fire)` is the host's one-shot timer (the Node adapter uses its own)
   * const d = conn.pendingDeadline();
   * if (d && d.id !== armedId) { armedId = d.id; arm(d.ms, () => { conn.handleDeadline(d.id); pump(); }); }
   * ```
   * @see RFC 5321 §4.5.3.2
   */
  pendingDeadline(): { readonly timer: ServerDeadline; readonly ms: number; readonly id: number } | undefined {
    return this.current === 'closed' ? undefined : this.deadline;
  }

  /**
   * The deadline `id` expired (or the host's minimum data rate was not met over it): when it is
   * still the current one, `421 4.4.2`, the message in progress is aborted (`timeout`) and the
   * session closes with reason `timeout`. A stale id is ignored.
   *
   * @example
   * ```ts
   * conn.handleDeadline(d.id); socket.write(conn.dataToSend());
   * ```
   * @see RFC 5321 §4.5.3.2
   */
  handleDeadline(id: number): void {
    this.assertUsable();
    if (this.current === 'closed' || this.deadline?.id !== id) return;
    this.abortTransactionIfData('timeout');
    this.delaying = false;
    this.send({ code: 421, enhanced: '4.4.2', text: `${this.hostname} Error: timeout exceeded` });
    this.close('timeout');
  }

  /** Works out the current deadline (see `pendingDeadline`). */
  private updateDeadline(): void {
    const inData = (this.current === 'reading-body' || this.current === 'reading-bdat' || this.bdatActive) && this.pending?.point !== 'message-end';
    let timer: ServerDeadline | undefined;
    if (inData) timer = 'data-phase';
    else if (this.lineLen > 0 && this.current !== 'awaiting-tls') timer = 'command-line';
    if (timer === undefined) {
      this.deadline = undefined;
      return;
    }
    const ms = timer === 'data-phase' ? this.timeouts.dataPhase : this.timeouts.commandLine;
    if (ms === 0 || ms === Infinity) {
      this.deadline = undefined;
      return;
    }
    // the same line (or the same message) keeps its deadline
    if (this.deadline?.timer === timer && (timer === 'data-phase' || this.deadlineLine === this.linesDone)) return;
    this.deadlineLine = this.linesDone;
    this.deadline = Object.freeze({ timer, ms, id: ++this.deadlineSeq });
  }

  /** The host finished the TLS handshake after `tls-start`: everything is reset (RFC 3207 §4.2). */
  tlsEstablished(): void {
    this.assertUsable();
    if (this.current !== 'awaiting-tls') throw new LocalProtocolError('ERR_SMTP_NOT_AWAITING_TLS', 'tlsEstablished() without a pending STARTTLS');
    this.secure = true;
    this.helo = undefined;
    this.heloVerb = undefined;
    this.authUser = undefined;
    this.resetTransaction();
    this.chunks = [];
    this.headOff = 0;
    this.inputLength = 0;
    this.go('tls-established', 'awaiting-helo');
  }

  /**
   * Graceful shutdown: an idle session gets `421 4.3.2` now; a busy one finishes the current
   * transaction (its end-of-message answer is still sent) and then gets the 421.
   */
  requestShutdown(): void {
    this.assertUsable();
    if (this.current === 'closed') return;
    this.shutdownRequested = true;
    if (!this.pending && this.isIdle()) this.shutdownNow();
  }

  /** Frees everything (`esmtp_destroy_message_construct`); the session is unusable afterwards. */
  dispose(): void {
    this.chunks = [];
    this.inputLength = 0;
    this.lineParts = [];
    this.out = [];
    this.events.length = 0;
    this.pending = undefined;
    this.decoder = undefined;
    this.sasl = undefined;
    this.current = 'closed';
    this.closeReason ??= 'disposed';
    this.disposed = true;
  }

  // ---------------------------------------------------------------- internals: plumbing

  private assertUsable(): void {
    if (this.disposed) throw new LocalProtocolError('ERR_SMTP_DISPOSED', 'the session was disposed');
  }

  private go(on: string, to: ServerState): void {
    if (TRANSITIONS.get(this.current)?.get(on)?.has(to) !== true) {
      throw new Error(`esmtp-server-fsm internal error: no transition ${this.current} --${on}--> ${to}`);
    }
    this.current = to;
  }

  private emit(e: ServerEvent): void {
    this.events.push(e);
  }

  private send(reply: ReplyInit, plain = false): void {
    // Greeting and HELO/EHLO replies carry no enhanced code (RFC 2034 §3) unless the application gave one.
    const enhanced = this.ext.enhancedStatusCodes && reply.code !== 354 && reply.code !== 334 && (!plain || reply.enhanced !== undefined);
    let s: string | undefined;
    const text = reply.text ?? '';
    if (typeof text === 'string') {
      // Most replies are constants (`250 2.0.0 Ok`): format each once per session. The cache is
      // keyed by the text, then the enhanced code, then the code and whether the enhanced code
      // is shown, so a lookup builds no key string (constant texts keep their hash), and bounded.
      const e = reply.enhanced ?? '';
      let byEnhanced = this.replyCache.get(text);
      let byCode = byEnhanced?.get(e);
      const k = reply.code * 2 + (enhanced ? 1 : 0);
      s = byCode?.get(k);
      if (s === undefined) {
        s = formatServerReply(reply, enhanced);
        if (this.replyCacheEntries < REPLY_CACHE_SIZE) {
          this.replyCacheEntries++;
          if (byEnhanced === undefined) this.replyCache.set(text, (byEnhanced = new Map<string, Map<number, string>>()));
          if (byCode === undefined) byEnhanced.set(e, (byCode = new Map<number, string>()));
          byCode.set(k, s);
        }
      }
    } else s = formatServerReply(reply, enhanced);
    this.out.push(s);
    this.outBytes += s.length;
  }

  /** Sends a reply to a command and counts errors; closes past the hard error limit. */
  private reply(reply: ReplyInit, countError = reply.code >= 400): void {
    this.send(reply);
    if (countError) this.countError();
  }

  private countError(): void {
    this.errors++;
    if (this.errors >= this.limits.hardErrorLimit && this.current !== 'closed') {
      this.abortTransactionIfData('closed');
      this.send({ code: 421, enhanced: '4.7.0', text: `${this.hostname} Error: too many errors` });
      this.close('too-many-errors');
    } else if (this.limits.softErrorLimit > 0 && this.errors >= this.limits.softErrorLimit && this.timeouts.errorDelay > 0 && this.current !== 'closed') {
      this.delaying = true; // DOS-5: hold this reply (and further input) for errorDelay
    }
  }

  private close(reason: CloseReason, on = 'close'): void {
    if (this.current === 'closed') return;
    this.go(on, 'closed');
    this.closeReason = reason;
    this.pending = undefined;
    this.delaying = false;
    this.chunks = [];
    this.inputLength = 0;
    this.emit(this.closedEvent());
  }

  private closedEvent(): ServerEvent {
    const reason = this.closeReason ?? 'eof';
    return reason === 'internal-error' ? { type: 'closed', reason, error: this.internalCause } : { type: 'closed', reason };
  }

  /**
   * Safety net: an unexpected exception inside the step function (a bug, never peer input by
   * design) ends this session only: `421 4.3.0` after the replies already produced, a
   * `message-abort` for a transaction in progress, and `closed` with reason `internal-error`.
   */
  private internalError(cause: unknown): void {
    if (this.current === 'closed') return;
    this.abortTransactionIfData('closed');
    const text = `421 ${this.ext.enhancedStatusCodes ? '4.3.0 ' : ''}${this.hostname} Error: internal error, closing connection\r\n`;
    this.out.push(text);
    this.outBytes += text.length;
    this.current = 'closed';
    this.closeReason = 'internal-error';
    this.internalCause = cause;
    this.pending = undefined;
    this.delaying = false;
    this.chunks = [];
    this.inputLength = 0;
    this.emit(this.closedEvent());
  }

  private shutdownNow(): void {
    this.send({ code: 421, enhanced: '4.3.2', text: `${this.hostname} Service shutting down, closing transmission channel` });
    this.close('shutdown');
  }

  private isIdle(): boolean {
    return (this.current === 'awaiting-helo' || this.current === 'awaiting-mail' || this.current === 'rejected') && this.lineLen === 0 && !this.lineOverflow;
  }

  private decide(p: Pending, event: ServerEvent): void {
    this.pending = p;
    this.emit(event);
    if (this.auto.has(p.point)) this.answer(true, undefined, undefined);
  }

  private resetTransaction(): void {
    this.mailFrom = undefined;
    this.mailParams = {};
    this.recipients = [];
    if (this.recipientParameters.size > 0) this.recipientParameters = new Map();
    this.bdatActive = false;
    this.messageSize = 0;
    this.tooLarge = false;
    this.bareSeen = false;
    this.decoder = undefined;
  }

  private abortTransactionIfData(reason: MessageAbortReason): void {
    if (this.current === 'reading-body' || (this.current === 'reading-bdat' && this.bdatOk) || this.bdatActive || this.pending?.point === 'message-end') {
      this.emit({ type: 'message-abort', reason });
    }
  }

  private consume(n: number): void {
    this.inputLength -= n;
    while (n > 0) {
      const head = this.chunks[0]!;
      const left = head.length - this.headOff;
      if (n >= left) {
        n -= left;
        this.chunks.shift();
        this.headOff = 0;
      } else {
        this.headOff += n;
        n = 0;
      }
    }
  }

  /**
   * Reads one CRLF-terminated line (without the CRLF). Returns undefined when incomplete,
   * 'overflow' when the line exceeded its limit (the rest up to CRLF was discarded).
   */
  private readLine(limit: number, authAware: boolean): Uint8Array | 'overflow' | undefined {
    while (this.inputLength > 0) {
      const chunk = this.chunks[0]!;
      const start = this.headOff;
      const idx = chunk.indexOf(LF, start);
      const end = idx < 0 ? chunk.length : idx + 1;
      const piece = chunk.subarray(start, end);
      const prev = idx > start ? chunk[idx - 1]! : this.lastLineByte;
      this.consume(end - start);
      this.lastLineByte = piece.length > 0 ? piece[piece.length - 1]! : this.lastLineByte;
      this.lineLen += piece.length;
      if (!this.lineOverflow) {
        this.lineParts.push(piece);
        let max = limit;
        if (authAware && this.lineLen > limit && this.startsWithAuth()) max = this.limits.maxAuthLine;
        if (this.lineLen > max) {
          this.lineOverflow = true;
          this.lineParts = [];
        }
      }
      if (idx >= 0 && prev === CR) {
        const overflow = this.lineOverflow;
        const parts = this.lineParts;
        const len = this.lineLen;
        this.lineParts = [];
        this.lineLen = 0;
        this.lineOverflow = false;
        this.lastLineByte = -1;
        this.linesDone++;
        if (overflow) return 'overflow';
        if (parts.length === 1) return parts[0]!.subarray(0, len - 2); // the common case: no copy
        const line = new Uint8Array(len - 2);
        let o = 0;
        for (const p of parts) {
          const take = Math.min(p.length, line.length - o);
          line.set(p.subarray(0, take), o);
          o += take;
        }
        return line;
      }
    }
    return undefined;
  }

  private startsWithAuth(): boolean {
    const first = new Uint8Array(5);
    let o = 0;
    for (const p of this.lineParts) {
      for (let i = 0; i < p.length && o < 5; i++) first[o++] = p[i]!;
      if (o >= 5) break;
    }
    return o === 5 && dec.decode(first).toUpperCase() === 'AUTH ';
  }

  // ---------------------------------------------------------------- the step function

  /** Processes input; returns false when nothing more can be done without input. */
  private step(): boolean {
    switch (this.current) {
      case 'reading-body':
        return this.stepBody();
      case 'reading-bdat':
        return this.stepBdat();
      case 'auth':
        return this.stepAuth();
      case 'awaiting-helo':
      case 'awaiting-mail':
      case 'awaiting-rcpt':
      case 'rejected':
        return this.stepCommand();
      default:
        return false;
    }
  }

  private stepCommand(): boolean {
    if (this.shutdownRequested && this.isIdle() && !this.bdatActive && this.current !== 'awaiting-rcpt') {
      this.shutdownNow();
      return true;
    }
    const line = this.readLine(this.limits.maxCommandLine, true);
    if (line === undefined) return false;
    if (line === 'overflow') {
      this.reply({ code: 500, enhanced: '5.5.2', text: 'Error: command line too long' });
      return true;
    }
    // SMUG-3: a command line holding a bare CR, bare LF or NUL is rejected, never split.
    let high = false;
    for (let i = 0; i < line.length; i++) {
      const b = line[i]!;
      if (b >= 0x80) high = true;
      if (b === CR || b === LF) {
        this.reply({ code: 500, enhanced: '5.5.2', text: 'Error: bare <CR> or <LF> received' });
        return true;
      }
      if (b === 0) {
        this.reply({ code: 501, enhanced: '5.5.2', text: 'Error: NUL characters are not allowed in commands' });
        return true;
      }
    }
    let text: string;
    if (!high) text = asciiText(line);
    else {
      try {
        text = strictDec.decode(line);
      } catch {
        // never a silent U+FFFD: an address is refused as RFC 6531 says, anything else as a syntax error
        const head = dec.decode(line.subarray(0, 5)).toUpperCase();
        if (head.startsWith('MAIL ') || head.startsWith('RCPT ')) this.reply({ code: 553, enhanced: '5.6.7', text: 'Error: invalid UTF-8 in address' });
        else this.reply({ code: 501, enhanced: '5.5.2', text: 'Error: invalid UTF-8 in command' });
        return true;
      }
    }
    const sp = text.indexOf(' ');
    const verb = (sp < 0 ? text : text.slice(0, sp)).toUpperCase();
    // trailing blanks trimmed by a backward scan (linear; a `[ \t]+$` regex is quadratic on long blank runs)
    let argEnd = text.length;
    while (argEnd > sp + 1 && (text.charCodeAt(argEnd - 1) === 0x20 || text.charCodeAt(argEnd - 1) === 0x09)) argEnd--;
    const arg = sp < 0 ? '' : text.slice(sp + 1, argEnd);
    const more = this.inputLength > 0;
    // BDAT is followed by its chunk; STARTTLS discards what follows it (TLS-1).
    if (this.options.pipeliningSync !== 'off' && more && verb !== 'BDAT' && verb !== 'STARTTLS') {
      const pipelining = this.ext.pipelining && this.heloVerb !== undefined && this.heloVerb !== 'HELO';
      const last = MUST_BE_LAST.has(verb) || (this.custom.has(verb) && this.custom.get(verb)!.mustBeLast !== false);
      if (last || !pipelining) {
        this.send({ code: 554, enhanced: '5.5.0', text: 'Error: SMTP protocol synchronization' });
        this.close('synchronization');
        return true;
      }
    }
    this.command(verb, arg, sp >= 0);
    return true;
  }

  private command(verb: string, arg: string, hasArg: boolean): void {
    if (JUNK.has(verb)) {
      this.junk++;
      if (this.junk > this.limits.junkCommandLimit) this.countError();
      if (this.current === 'closed') return;
    }
    if (this.options.auth?.required && this.authUser === undefined && verb !== 'QUIT' && ++this.unauthenticated > this.limits.maxUnauthenticatedCommands) {
      this.send({ code: 421, enhanced: '4.7.0', text: `${this.hostname} Error: too many commands without authentication` });
      this.close('too-many-errors');
      return;
    }
    if (this.current === 'rejected') {
      if (verb === 'QUIT') return this.quit();
      return this.reply({ code: 503, enhanced: '5.5.1', text: 'Error: service refused, please QUIT' });
    }
    if (this.options.requireTls && !this.secure && !ALLOWED_BEFORE_TLS.has(verb)) {
      if (verb === 'BDAT') return this.bdat(arg, false);
      return this.reply({ code: 530, enhanced: '5.7.0', text: 'Must issue a STARTTLS command first' });
    }
    switch (verb) {
      case 'HELO':
      case 'EHLO':
        if (this.lmtp) return this.reply({ code: 500, enhanced: '5.5.1', text: `Error: ${verb} is not used in LMTP; use LHLO` });
        return this.heloCommand(verb, arg);
      case 'LHLO':
        if (!this.lmtp) return this.unknown();
        return this.heloCommand(verb, arg);
      case 'MAIL':
        return this.mail(arg);
      case 'RCPT':
        return this.rcpt(arg);
      case 'DATA':
        return this.data(hasArg);
      case 'BDAT':
        return this.bdat(arg, true);
      case 'RSET':
        if (hasArg) return this.reply({ code: 501, enhanced: '5.5.4', text: 'Syntax: RSET' });
        this.resetTransaction();
        if (this.current === 'awaiting-rcpt') this.go('RSET', 'awaiting-mail');
        this.emit({ type: 'rset' });
        return this.reply({ code: 250, enhanced: '2.0.0', text: 'Ok' });
      case 'NOOP':
        return this.reply({ code: 250, enhanced: '2.0.0', text: 'Ok' });
      case 'QUIT':
        return this.quit();
      case 'HELP':
        return this.reply({ code: 214, enhanced: '2.0.0', text: this.options.help ?? ['Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP', 'See RFC 5321'] });
      case 'VRFY':
      case 'EXPN':
        return this.vrfyExpn(verb, arg);
      case 'STARTTLS':
        return this.starttls(hasArg);
      case 'AUTH':
        return this.authCommand(arg);
      case 'XCLIENT':
        if (!this.options.xclient) return this.unknown();
        return this.xclient(arg);
      case 'XFORWARD':
        if (!this.options.xforward) return this.unknown();
        return this.xforward(arg);
      default: {
        const c = this.custom.get(verb);
        if (!c) return this.unknown();
        if (this.current === 'awaiting-helo' && c.keyword !== undefined) return this.reply({ code: 503, enhanced: '5.5.1', text: 'Error: send EHLO first' });
        const resume = this.current;
        this.go('VRFY/EXPN/custom', 'command-decision');
        this.decide({ point: 'command', resume }, { type: 'command', verb, argument: arg, needsAnswer: !this.auto.has('command') });
      }
    }
  }

  private unknown(): void {
    this.reply({ code: 500, enhanced: '5.5.2', text: 'Error: command not recognized' });
  }

  private quit(): void {
    this.emit({ type: 'quit' });
    this.abortTransactionIfData('closed');
    this.send({ code: 221, enhanced: '2.0.0', text: `${this.hostname} Bye` });
    this.close('quit', 'QUIT');
  }

  private heloCommand(verb: 'HELO' | 'EHLO' | 'LHLO', arg: string): void {
    if (!arg) return this.reply({ code: 501, enhanced: '5.5.4', text: `Syntax: ${verb} hostname` });
    if (arg.includes(' ') || arg.includes('\t')) return this.reply({ code: 501, enhanced: '5.5.4', text: `Syntax: ${verb} hostname` });
    if (enc.encode(arg).length > 255) return this.reply({ code: 501, enhanced: '5.5.4', text: 'Error: host name too long' });
    // a domain (LDH labels; U-labels when SMTPUTF8 is offered) or an address literal; nothing of a bad one is echoed
    if (!validHeloArgument(arg, this.ext.smtpUtf8)) return this.reply({ code: 501, enhanced: '5.5.4', text: 'Error: invalid host name' });
    const resume = this.current;
    this.go('HELO/EHLO/LHLO', 'helo-decision');
    this.decide({ point: 'helo', verb, domain: arg, resume }, { type: 'helo', verb, domain: arg, needsAnswer: !this.auto.has('helo') });
  }

  private ehloKeywords(): string[] {
    const k: string[] = [];
    const e = this.ext;
    if (e.pipelining) k.push('PIPELINING');
    if (e.size) k.push(this.limits.maxMessageSize > 0 && this.limits.maxMessageSize !== Infinity ? `SIZE ${String(this.limits.maxMessageSize)}` : 'SIZE');
    if (e.eightBitMime) k.push('8BITMIME');
    if (e.chunking) {
      k.push('CHUNKING');
      if (e.binaryMime) k.push('BINARYMIME');
    }
    if (this.options.starttls && !this.secure) k.push('STARTTLS');
    if (this.authOffered()) k.push(`AUTH ${this.mechanisms.map((m) => m.name).join(' ')}`);
    if (e.dsn) k.push('DSN');
    if (e.enhancedStatusCodes) k.push('ENHANCEDSTATUSCODES');
    if (e.smtpUtf8) k.push('SMTPUTF8');
    if (e.requireTls && this.secure) k.push('REQUIRETLS');
    if (e.mtPriority) k.push('MT-PRIORITY MIXER');
    if (e.deliverBy) k.push('DELIVERBY');
    if (e.limits) k.push(`LIMITS RCPTMAX=${String(this.limits.maxRecipients)}`);
    if (this.options.xclient && this.options.trusted) k.push(`XCLIENT ${XCLIENT_ATTRS.join(' ')}`);
    if (this.options.xforward && this.options.trusted) k.push(`XFORWARD ${XFORWARD_ATTRS.join(' ')}`);
    for (const c of this.custom.values()) if (c.keyword) k.push(c.keyword);
    const registry = this.options.registry;
    if (registry) {
      const settings = {
        tls: this.secure,
        startTls: this.options.starttls ?? false,
        authenticated: this.authUser !== undefined,
        maxSize: this.limits.maxMessageSize === Infinity ? 0 : this.limits.maxMessageSize,
        ...(this.options.enable ? { enable: this.options.enable } : {}),
      };
      for (const e of registry.advertiseEntries(settings)) {
        if (!NATIVE_KEYWORDS.has(e.keyword)) k.push(e.params.length ? `${e.keyword} ${e.params.join(' ')}` : e.keyword);
      }
    }
    return k;
  }

  private authOffered(): boolean {
    return this.mechanisms.length > 0 && (this.secure || (this.options.auth?.allowInsecure ?? false)) && this.authUser === undefined;
  }

  private readonly policyCache = new Map<number, ParameterPolicy>();
  private readonly replyCache = new Map<string, Map<string, Map<number, string>>>();
  private replyCacheEntries = 0;
  private readonly replyBytes = new Map<string, Uint8Array>();
  /** One frozen `pendingTimeout()` answer per timer, made once: hosts ask after every input. */
  private readonly timers: Readonly<Record<ServerTimer, { readonly timer: ServerTimer; readonly ms: number } | undefined>>;

  /** MAIL/RCPT parameter policy for the current session facts (cached: it depends on two flags). */
  private paramPolicy(smtpUtf8 = this.paramPolicyBase.smtpUtf8): ParameterPolicy {
    const key = (this.secure ? 1 : 0) | (smtpUtf8 ? 2 : 0);
    let p = this.policyCache.get(key);
    if (!p) {
      p = { ...this.paramPolicyBase, smtpUtf8, requireTls: this.ext.requireTls && this.secure, auth: this.mechanisms.length > 0 };
      this.policyCache.set(key, p);
    }
    return p;
  }

  private mail(arg: string): void {
    if (this.current === 'awaiting-helo') return this.reply({ code: 503, enhanced: '5.5.1', text: 'Error: send HELO/EHLO first' });
    if (this.current === 'awaiting-rcpt') return this.reply({ code: 503, enhanced: '5.5.1', text: 'Error: nested MAIL command' });
    if (this.options.auth?.required && this.authUser === undefined) return this.reply({ code: 530, enhanced: '5.7.0', text: 'Authentication required' });
    const rest = this.prefix(arg, 'FROM:');
    if (rest === undefined) return this.reply({ code: 501, enhanced: '5.5.4', text: 'Syntax: MAIL FROM:<address>' });
    const esmtp = this.heloVerb !== 'HELO';
    const r = parseEnvelopeArgument('mail', rest, this.paramPolicy(), this.limits);
    if (!r.ok) return this.reply(r.reply);
    if (!esmtp && Object.keys(r.parameters).length > 0) return this.reply({ code: 555, enhanced: '5.5.4', text: 'Parameters need EHLO' });
    this.go('MAIL', 'mail-decision');
    this.decide({ point: 'mail', from: r.path.address, parameters: r.parameters }, { type: 'mail', from: r.path.address, parameters: r.parameters, needsAnswer: !this.auto.has('mail') });
  }

  /** Strips `FROM:` / `TO:` (case-insensitive) and tolerates spaces after the colon. */
  private prefix(arg: string, p: string): string | undefined {
    if (arg.slice(0, p.length).toUpperCase() !== p) return undefined;
    let i = p.length;
    while (arg.charCodeAt(i) === 32) i++;
    return arg.slice(i);
  }

  private rcpt(arg: string): void {
    if (this.current !== 'awaiting-rcpt') return this.reply({ code: 503, enhanced: '5.5.1', text: 'Error: need MAIL command' });
    if (this.bdatActive) return this.reply({ code: 503, enhanced: '5.5.1', text: 'Error: BDAT in progress' });
    const rest = this.prefix(arg, 'TO:');
    if (rest === undefined) return this.reply({ code: 501, enhanced: '5.5.4', text: 'Syntax: RCPT TO:<address>' });
    const r = parseEnvelopeArgument('rcpt', rest, this.paramPolicy(), this.limits, this.paramPolicyBase.smtpUtf8 && this.mailParams.SMTPUTF8 === true);
    if (!r.ok) return this.reply(r.reply);
    // The same recipient again with other parameters (NOTIFY, ORCPT...): refused rather than one
    // set of parameters silently replacing the other; an identical repeat is accepted as before.
    const same = this.recipientParameters.get(r.path.address);
    if (same !== undefined && !sameParameters(same, r.parameters)) {
      return this.reply({ code: 503, enhanced: '5.5.1', text: 'Error: recipient already given with different parameters' });
    }
    if (this.recipients.length >= this.limits.maxRecipients) return this.reply({ code: 452, enhanced: '4.5.3', text: 'Error: too many recipients' });
    this.go('RCPT', 'rcpt-decision');
    this.decide({ point: 'rcpt', to: r.path.address, parameters: r.parameters }, { type: 'rcpt', to: r.path.address, parameters: r.parameters, needsAnswer: !this.auto.has('rcpt') });
  }

  private data(hasArg: boolean): void {
    if (hasArg) return this.reply({ code: 501, enhanced: '5.5.4', text: 'Syntax: DATA' });
    if (this.current !== 'awaiting-rcpt') return this.reply({ code: 503, enhanced: '5.5.1', text: 'Error: need MAIL command' });
    if (this.bdatActive) return this.reply({ code: 503, enhanced: '5.5.1', text: 'Error: BDAT in progress' });
    if (this.recipients.length === 0) return this.reply({ code: 554, enhanced: '5.5.1', text: 'Error: no valid recipients' });
    if (typeof this.mailParams.BODY === 'string' && this.mailParams.BODY.toUpperCase() === 'BINARYMIME') {
      return this.reply({ code: 503, enhanced: '5.5.1', text: 'Error: BODY=BINARYMIME requires BDAT' });
    }
    this.go('DATA', 'data-decision');
    this.decide({ point: 'data-start', mode: 'data' }, { type: 'data-start', mode: 'data', needsAnswer: !this.auto.has('data-start') });
  }

  private bdat(arg: string, allowed: boolean): void {
    // The size must be parsed first: the chunk is consumed whatever the verdict (RFC 3030 §2).
    const parts = arg.split(' ');
    const size = parts[0] ?? '';
    const lastTok = parts[1];
    if (!/^[0-9]{1,15}$/.test(size)) {
      // The end of the chunk cannot be known: the bytes that follow must never run as commands.
      this.abortTransactionIfData('closed');
      this.send({ code: 501, enhanced: '5.5.4', text: 'Syntax: BDAT size [LAST]; unusable chunk size, closing connection' });
      this.close('synchronization');
      return;
    }
    this.bdatRemaining = Number(size);
    this.bdatLast = lastTok !== undefined;
    this.bdatResume = this.current;
    let error: ReplyInit | undefined;
    if (parts.length > 2 || (lastTok !== undefined && lastTok.toUpperCase() !== 'LAST')) error = { code: 501, enhanced: '5.5.4', text: 'Syntax: BDAT size [LAST]' };
    else if (!allowed) error = { code: 530, enhanced: '5.7.0', text: 'Must issue a STARTTLS command first' };
    else if (!this.ext.chunking) error = { code: 502, enhanced: '5.5.1', text: 'Error: BDAT not implemented' };
    else if (this.current !== 'awaiting-rcpt') error = { code: 503, enhanced: '5.5.1', text: 'Error: need MAIL command' };
    else if (this.recipients.length === 0) error = { code: 554, enhanced: '5.5.1', text: 'Error: no valid recipients' };
    if (error) {
      this.bdatOk = false;
      this.bdatError = error;
      this.go('BDAT', 'reading-bdat');
      return;
    }
    if (!this.bdatActive) {
      this.bdatActive = true;
      this.bdatPrevCr = false;
      this.go('BDAT', 'data-decision');
      this.decide({ point: 'data-start', mode: 'bdat' }, { type: 'data-start', mode: 'bdat', needsAnswer: !this.auto.has('data-start') });
      return;
    }
    this.bdatOk = true;
    this.bdatError = undefined;
    this.go('BDAT', 'reading-bdat');
  }

  private stepBdat(): boolean {
    if (this.bdatRemaining > 0) {
      if (this.inputLength === 0) return false;
      const chunk = this.chunks[0]!;
      const take = Math.min(this.bdatRemaining, chunk.length - this.headOff);
      const piece = chunk.subarray(this.headOff, this.headOff + take);
      this.consume(take);
      this.bdatRemaining -= take;
      if (this.bdatOk) this.bodyPiece(piece, true);
      if (this.bdatRemaining > 0) return true;
    }
    // chunk complete
    if (!this.bdatOk) {
      const err = this.bdatError ?? { code: 503, enhanced: '5.5.1', text: 'Error: bad sequence' };
      const inTx = this.bdatActive;
      if (inTx) {
        this.emit({ type: 'message-abort', reason: 'rejected', reply: err });
        this.resetTransaction();
      }
      const to = inTx ? 'awaiting-mail' : this.bdatResume;
      this.go('chunk-end', to);
      this.reply(err);
      return true;
    }
    if (this.tooLarge) {
      const err: ReplyInit = { code: 552, enhanced: '5.3.4', text: 'Error: message size exceeds fixed maximum message size' };
      this.emit({ type: 'message-abort', reason: 'too-large', reply: err });
      this.resetTransaction();
      this.go('chunk-end', 'awaiting-mail');
      this.reply(err);
      return true;
    }
    if (!this.bdatLast) {
      this.go('chunk-end', 'awaiting-rcpt');
      this.send({ code: 250, enhanced: '2.0.0', text: `${String(this.messageSize)} octets received` });
      return true;
    }
    const binary = typeof this.mailParams.BODY === 'string' && this.mailParams.BODY.toUpperCase() === 'BINARYMIME';
    if (this.bdatPrevCr && !binary) this.bareSeen = true;
    this.go('last', 'message-decision');
    this.endOfMessage(!binary);
    return true;
  }

  /** The DATA decoder's sink, made once per session (no closure per input chunk). */
  private readonly onBodyPiece = (p: Uint8Array): void => {
    const decoder = this.decoder!;
    if (decoder.bareCr + decoder.bareLf > 0 && this.options.bareLineEndings !== 'normalize') this.bareSeen = true;
    this.bodyPiece(p, false);
  };

  /** Streams one piece of content; counts the size and stops streaming past the limit. */
  private bodyPiece(piece: Uint8Array, bdat: boolean): void {
    if (bdat && this.options.bareLineEndings !== 'normalize' && !(typeof this.mailParams.BODY === 'string' && this.mailParams.BODY.toUpperCase() === 'BINARYMIME')) {
      for (let i = 0; i < piece.length; i++) {
        const b = piece[i]!;
        if (b === LF) {
          if (!this.bdatPrevCr) this.bareSeen = true;
        } else if (this.bdatPrevCr) this.bareSeen = true;
        this.bdatPrevCr = b === CR;
      }
    }
    this.messageSize += piece.length;
    if (this.limits.maxMessageSize > 0 && this.messageSize > this.limits.maxMessageSize) this.tooLarge = true;
    if (!this.tooLarge && !(this.bareSeen && this.options.bareLineEndings !== 'normalize') && piece.length > 0) {
      this.emit({ type: 'data-chunk', bytes: piece });
    }
  }

  private stepBody(): boolean {
    if (this.inputLength === 0) return false;
    const decoder = this.decoder!;
    const chunk = this.chunks[0]!;
    const start = this.headOff;
    const r = decoder.push(chunk, start, chunk.length, this.onBodyPiece);
    if (decoder.bareCr + decoder.bareLf > 0 && this.options.bareLineEndings !== 'normalize') this.bareSeen = true;
    this.consume(r.consumed);
    if (r.done) {
      this.go('end-of-data', 'message-decision');
      this.endOfMessage(true);
    }
    return true;
  }

  private endOfMessage(checkBare: boolean): void {
    let abort: { reason: MessageAbortReason; reply: ReplyInit } | undefined;
    if (this.tooLarge) abort = { reason: 'too-large', reply: { code: 552, enhanced: '5.3.4', text: 'Error: message size exceeds fixed maximum message size' } };
    else if (checkBare && this.bareSeen && this.options.bareLineEndings !== 'normalize') {
      abort = { reason: 'bare-line-ending', reply: { code: 550, enhanced: '5.5.2', text: 'Error: bare <CR> or <LF> received' } };
    }
    if (abort) {
      this.emit({ type: 'message-abort', reason: abort.reason, reply: abort.reply });
      const count = this.lmtp ? Math.max(1, this.recipients.length) : 1;
      this.resetTransaction();
      this.go('abort', 'awaiting-mail');
      for (let i = 0; i < count; i++) this.reply(abort.reply);
      return;
    }
    const size = this.messageSize;
    this.decide({ point: 'message-end' }, { type: 'message-end', size, recipients: this.recipients.map((r) => r.address), needsAnswer: !this.auto.has('message-end') });
  }

  private vrfyExpn(verb: 'VRFY' | 'EXPN', arg: string): void {
    if (!arg) return this.reply({ code: 501, enhanced: '5.5.4', text: `Syntax: ${verb} address` });
    const mode = verb === 'VRFY' ? (this.options.vrfy ?? 'static') : (this.options.expn ?? 'disabled');
    if (mode === 'disabled') return this.reply({ code: 502, enhanced: '5.5.1', text: `Error: ${verb} disabled` });
    if (mode === 'static') return this.reply({ code: 252, enhanced: '2.5.0', text: 'Cannot VRFY user, but will accept message and attempt delivery' }, false);
    const resume = this.current;
    this.go('VRFY/EXPN/custom', 'command-decision');
    const point = verb === 'VRFY' ? 'vrfy' : 'expn';
    this.decide({ point, resume }, { type: point, argument: arg, needsAnswer: !this.auto.has(point) });
  }

  private starttls(hasArg: boolean): void {
    if (hasArg) return this.reply({ code: 501, enhanced: '5.5.4', text: 'Syntax: STARTTLS' });
    if (this.secure) return this.reply({ code: 503, enhanced: '5.5.1', text: 'Error: TLS already active' });
    if (!this.options.starttls) return this.reply({ code: 502, enhanced: '5.5.1', text: 'Error: STARTTLS not available' });
    if (this.current === 'awaiting-rcpt') return this.reply({ code: 503, enhanced: '5.5.1', text: 'Error: STARTTLS inside a transaction' });
    this.send({ code: 220, enhanced: '2.0.0', text: 'Ready to start TLS' });
    // TLS-1: everything buffered after the STARTTLS line is discarded, never parsed.
    this.chunks = [];
    this.headOff = 0;
    this.inputLength = 0;
    this.go('STARTTLS', 'awaiting-tls');
    this.emit({ type: 'tls-start' });
  }

  private authCommand(arg: string): void {
    if (this.mechanisms.length === 0) return this.reply({ code: 502, enhanced: '5.5.1', text: 'Error: AUTH not available' });
    if (this.current === 'awaiting-helo' || this.heloVerb === 'HELO') return this.reply({ code: 503, enhanced: '5.5.1', text: 'Error: send EHLO first' });
    if (this.authUser !== undefined) return this.reply({ code: 503, enhanced: '5.5.1', text: 'Error: already authenticated' });
    if (this.current !== 'awaiting-mail') return this.reply({ code: 503, enhanced: '5.5.1', text: 'Error: AUTH not allowed during a transaction' });
    if (!this.secure && !(this.options.auth?.allowInsecure ?? false)) return this.reply({ code: 538, enhanced: '5.7.11', text: 'Encryption required for requested authentication mechanism' });
    const sp = arg.indexOf(' ');
    const name = (sp < 0 ? arg : arg.slice(0, sp)).toUpperCase();
    const initial = sp < 0 ? undefined : arg.slice(sp + 1);
    if (!name) return this.reply({ code: 501, enhanced: '5.5.4', text: 'Syntax: AUTH mechanism [initial-response]' });
    const mech = this.mechanisms.find((m) => m.name === name);
    if (!mech) return this.reply({ code: 504, enhanced: '5.5.4', text: 'Error: unsupported authentication mechanism' });
    let response: Uint8Array | undefined;
    if (initial !== undefined) {
      const d = decodeSaslLine(initial);
      if (d === 'cancel') return this.reply({ code: 501, enhanced: '5.0.0', text: 'Authentication cancelled' });
      if (d === undefined) return this.reply({ code: 501, enhanced: '5.5.2', text: 'Error: invalid base64 data' });
      response = d;
    }
    this.sasl = mech.start({ hostname: this.hostname, challenge: this.options.challenge ?? (() => '') });
    this.saslMechanism = mech;
    this.saslStep(response, true);
  }

  private saslStep(response: Uint8Array | undefined, fromCommand: boolean): void {
    const r = this.sasl!.step(response);
    if (r.type === 'challenge') {
      if (fromCommand) this.go('AUTH', 'auth');
      else this.go('response', 'auth');
      const c = typeof r.challenge === 'string' ? r.challenge : r.challenge;
      this.send({ code: 334, text: encodeBase64(c) });
      return;
    }
    this.sasl = undefined;
    if (r.type === 'fail') {
      if (!fromCommand) this.go('cancel', 'awaiting-mail');
      return this.reply({ code: 501, enhanced: '5.5.2', text: r.text });
    }
    if (fromCommand) this.go('AUTH', 'auth-decision');
    else this.go('response', 'auth-decision');
    this.saslCredentials = r.credentials;
    this.decide({ point: 'auth', user: r.credentials.username }, { type: 'auth', credentials: r.credentials, needsAnswer: !this.auto.has('auth') });
  }

  /** A rejected AUTH: the mechanism's error challenge first when it has one (XOAUTH2), then `reply`. */
  private rejectAuth(reply: ReplyInit): void {
    const challenge = this.saslCredentials && reply.code !== 421 ? this.saslMechanism?.failureChallenge?.(this.saslCredentials) : undefined;
    if (challenge === undefined) {
      this.go('reject', 'awaiting-mail');
      return this.reply(reply);
    }
    this.authFailure = reply;
    this.go('reject', 'auth');
    this.send({ code: 334, text: encodeBase64(challenge) });
  }

  private stepAuth(): boolean {
    const line = this.readLine(this.limits.maxAuthLine, false);
    if (line === undefined) return false;
    const failure = this.authFailure;
    if (failure) {
      // The client's answer to the error challenge (empty, or '*', or anything): the rejection follows.
      this.authFailure = undefined;
      this.go('response', 'awaiting-mail');
      this.reply(failure);
      return true;
    }
    if (line === 'overflow') {
      this.sasl = undefined;
      this.go('cancel', 'awaiting-mail');
      this.reply({ code: 500, enhanced: '5.5.6', text: 'Error: authentication line too long' });
      return true;
    }
    const d = decodeSaslLine(dec.decode(line).trim());
    if (d === 'cancel' || d === undefined) {
      this.sasl = undefined;
      this.go('cancel', 'awaiting-mail');
      if (d === 'cancel') this.reply({ code: 501, enhanced: '5.0.0', text: 'Authentication cancelled' });
      else this.reply({ code: 501, enhanced: '5.5.2', text: 'Error: invalid base64 data' });
      return true;
    }
    this.saslStep(d, false);
    return true;
  }

  private parseAttributes(arg: string, allowed: readonly string[]): Record<string, string> | undefined {
    const out: Record<string, string> = {};
    if (!arg) return undefined;
    for (const item of arg.split(' ')) {
      const eq = item.indexOf('=');
      if (eq <= 0) return undefined;
      const key = item.slice(0, eq).toUpperCase();
      if (!allowed.includes(key)) return undefined;
      const raw = item.slice(eq + 1);
      const value = raw === '[UNAVAILABLE]' || raw === '[TEMPUNAVAIL]' ? raw : decodeXtext(raw);
      if (value === undefined) return undefined;
      out[key] = value;
    }
    return out;
  }

  private xclient(arg: string): void {
    if (!this.options.trusted) return this.reply({ code: 550, enhanced: '5.7.0', text: 'Error: insufficient authorization' });
    if (this.current === 'awaiting-rcpt') return this.reply({ code: 503, enhanced: '5.5.1', text: 'Error: MAIL transaction in progress' });
    const attrs = this.parseAttributes(arg, XCLIENT_ATTRS);
    if (!attrs) return this.reply({ code: 501, enhanced: '5.5.4', text: 'Syntax: XCLIENT attribute=value...' });
    this.go('XCLIENT', 'command-decision');
    this.decide({ point: 'xclient', attributes: attrs }, { type: 'xclient', attributes: attrs, needsAnswer: !this.auto.has('xclient') });
  }

  private xforward(arg: string): void {
    if (!this.options.trusted) return this.reply({ code: 550, enhanced: '5.7.0', text: 'Error: insufficient authorization' });
    if (this.current === 'awaiting-helo') return this.reply({ code: 503, enhanced: '5.5.1', text: 'Error: send HELO/EHLO first' });
    const attrs = this.parseAttributes(arg, XFORWARD_ATTRS);
    if (!attrs) return this.reply({ code: 501, enhanced: '5.5.4', text: 'Syntax: XFORWARD attribute=value...' });
    this.xforwardAttrs = { ...this.xforwardAttrs, ...attrs };
    this.emit({ type: 'xforward', attributes: attrs });
    this.reply({ code: 250, enhanced: '2.0.0', text: 'Ok' });
  }

  private greeting(): ReplyInit {
    return { code: 220, text: `${this.hostname} ${this.lmtp ? 'LMTP' : 'ESMTP'}${this.options.banner ? ` ${this.options.banner}` : ''}` };
  }

  // ---------------------------------------------------------------- answers

  private answer(positive: boolean, reply: ReplyInit | undefined, lmtpReplies: readonly ReplyInit[] | undefined): void {
    this.assertUsable();
    const p = this.pending;
    if (!p) {
      if (this.current === 'closed') return; // the client left while the application was deciding
      throw new LocalProtocolError('ERR_SMTP_NO_PENDING_DECISION', 'no decision is pending');
    }
    this.pending = undefined;
    try {
      this.applyAnswer(p, positive, reply, lmtpReplies);
      // RFC 5321 §3.8: a 421 means the service is closing the channel
      if (reply?.code === 421 && this.current !== 'closed') {
        this.abortTransactionIfData('closed');
        this.close('rejected');
      }
    } catch (e) {
      this.internalError(e);
    }
  }

  private applyAnswer(p: Pending, positive: boolean, reply: ReplyInit | undefined, lmtpReplies: readonly ReplyInit[] | undefined): void {
    switch (p.point) {
      case 'connect':
        if (positive) {
          if (this.inputLength > 0 && this.options.pipeliningSync !== 'off') {
            // DOS-7: the client talked before the greeting.
            this.go('accept', 'awaiting-helo');
            this.send({ code: 554, enhanced: '5.5.0', text: 'Error: SMTP protocol synchronization (input before greeting)' });
            this.close('synchronization');
            return;
          }
          this.send(reply ?? this.greeting(), true);
          this.go('accept', 'awaiting-helo');
        } else {
          const r = reply ?? { code: 554, enhanced: '5.7.1', text: `${this.hostname} Service refused` };
          this.send(r, true);
          if (r.code === 421) this.close('rejected', 'reject-421');
          else this.go('reject', 'rejected');
        }
        return;
      case 'helo':
        if (positive) {
          this.resetTransaction();
          this.helo = p.domain;
          this.heloVerb = p.verb;
          const first = reply && reply.text !== undefined ? (typeof reply.text === 'string' ? reply.text : (reply.text[0] ?? '')) : `${this.hostname} Hello ${sanitizeEcho(p.domain)}`;
          const lines = p.verb === 'HELO' ? [first] : [first, ...this.ehloKeywords()];
          this.send({ code: 250, text: lines }, true);
          this.go('accept', 'awaiting-mail');
        } else {
          this.go('reject', p.resume);
          this.reply(reply ?? { code: 550, enhanced: '5.7.1', text: 'Error: HELO/EHLO rejected' });
        }
        return;
      case 'auth':
        if (positive) {
          this.go('accept', 'awaiting-mail');
          this.authUser = p.user;
          this.send(reply ?? { code: 235, enhanced: '2.7.0', text: 'Authentication successful' });
        } else this.rejectAuth(reply ?? { code: 535, enhanced: '5.7.8', text: 'Error: authentication failed' });
        this.saslCredentials = undefined;
        return;
      case 'mail':
        if (positive) {
          this.resetTransaction();
          this.mailFrom = p.from;
          this.mailParams = p.parameters;
          this.go('accept', 'awaiting-rcpt');
          this.send(reply ?? { code: 250, enhanced: '2.1.0', text: 'Sender OK' });
        } else {
          this.go('reject', 'awaiting-mail');
          this.reply(reply ?? { code: 550, enhanced: '5.7.1', text: 'Sender rejected' });
        }
        return;
      case 'rcpt':
        this.go(positive ? 'accept' : 'reject', 'awaiting-rcpt');
        if (positive) {
          this.recipients.push({ address: p.to, parameters: p.parameters });
          this.recipientParameters.set(p.to, p.parameters);
          this.send(reply ?? { code: 250, enhanced: '2.1.5', text: 'Recipient OK' });
        } else this.reply(reply ?? { code: 550, enhanced: '5.1.1', text: 'Recipient rejected' });
        return;
      case 'data-start':
        if (p.mode === 'data') {
          if (positive) {
            this.go('accept', 'reading-body');
            this.decoder = new DataDecoder(this.options.bareLineEndings ?? 'reject');
            this.messageSize = 0;
            this.send(reply ?? { code: 354, text: 'End data with <CR><LF>.<CR><LF>' });
          } else {
            this.go('reject', 'awaiting-rcpt');
            this.reply(reply ?? { code: 554, enhanced: '5.7.1', text: 'Error: message refused' });
          }
        } else {
          this.go(positive ? 'accept' : 'reject', 'reading-bdat');
          this.bdatOk = positive;
          this.bdatError = positive ? undefined : (reply ?? { code: 554, enhanced: '5.7.1', text: 'Error: message refused' });
        }
        return;
      case 'message-end': {
        if (this.lmtp) {
          const list = lmtpReplies ?? this.recipients.map((r) => reply ?? (positive ? { code: 250, enhanced: '2.1.5', text: `<${sanitizeEcho(r.address)}> delivered` } : { code: 550, enhanced: '5.0.0', text: 'Error: message rejected' }));
          for (const r of list) this.reply(r, false);
        } else {
          this.send(reply ?? (positive ? { code: 250, enhanced: '2.0.0', text: 'Message accepted' } : { code: 550, enhanced: '5.0.0', text: 'Error: message rejected' }));
        }
        this.resetTransaction();
        this.go('answer', 'awaiting-mail');
        if (positive) {
          this.errors = 0;
          this.junk = 0;
        }
        if (this.shutdownRequested) this.shutdownNow();
        return;
      }
      case 'vrfy':
      case 'expn':
      case 'command':
        this.go('answer', p.resume);
        this.reply(reply ?? (p.point === 'vrfy' || p.point === 'expn' ? { code: 252, enhanced: '2.5.0', text: 'Cannot VRFY user, but will accept message and attempt delivery' } : { code: 250, enhanced: '2.0.0', text: 'Ok' }), !positive);
        return;
      case 'xclient':
        if (positive) {
          this.xclientAttrs = { ...this.xclientAttrs, ...p.attributes };
          const addr = p.attributes.ADDR;
          if (addr !== undefined && !addr.startsWith('[')) this.clientAddress = addr;
          this.helo = undefined;
          this.heloVerb = undefined;
          this.authUser = undefined;
          this.resetTransaction();
          this.go('answer', 'awaiting-helo');
          this.send(reply ?? this.greeting(), true);
        } else {
          this.go('answer', 'awaiting-mail');
          this.reply(reply ?? { code: 550, enhanced: '5.7.0', text: 'Error: XCLIENT refused' });
        }
        return;
    }
  }
}
