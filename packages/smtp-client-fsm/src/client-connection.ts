/**
 * The sans-IO SMTP/LMTP client: bytes in (`receiveData`), events out (`nextEvent`), bytes to
 * write (`dataToSend`). The session runs through an ordered, user-extensible list of states.
 */
import { ReplyReader, formatEnhancedStatusCode, isRemoteProtocolError } from 'smtp-reply-reader';
import type { Reply, ReplyReaderOptions } from 'smtp-reply-reader';
import { BodyEncoder } from './body-encoder.js';
import type { BareLineEndingPolicy } from './body-encoder.js';
import { fromBase64, toBase64 } from './base64.js';
import { NO_CAPABILITIES, authMechanisms, capabilitiesFromReply, hasCap, limit, sizeLimit } from './capabilities.js';
import type { ServerCapabilities } from './capabilities.js';
import { defaultClassify } from './classify.js';
import type { Classifier } from './classify.js';
import { assertAddress, assertNoControl, isAscii } from './control.js';
import { SmtpClientError, usage } from './errors.js';
import type { ClientErrorCode } from './errors.js';
import type { ClientEvent, MessageOutcome, RecipientResult } from './events.js';
import { notifyValue } from './params.js';
import { SmtpClientArgs, formatMailFrom, formatPath, formatRcptTo, isSmtpError } from 'smtp-client-args';
import type { DsnOptions } from './params.js';
import { chooseMechanism, saslBytes } from './sasl.js';
import type { AuthOptions, SaslCrypto, SaslMechanism } from './sasl.js';
import { StateRegistry } from './state-registry.js';
import type { ClientStateDefinition, RegisterOptions, StateContext, StateInfo } from './state-registry.js';
import { STAGE } from './stages.js';
import { DEFAULT_TIMEOUTS } from './timeouts.js';
import type { ClientTimeouts, PendingTimeout, TimeoutPhase } from './timeouts.js';

const encoder = new TextEncoder();

/**
 * Smallest BDAT chunk sent for a streamed body (except the LAST one): small pieces from the body
 * source are coalesced up to this size, so the command count does not follow the source's chunking.
 *
 * @example
 * BDAT_MIN_CHUNK; // 65536
 * @see RFC 3030 §2
 */
export const BDAT_MIN_CHUNK = 64 * 1024;

/**
 * Largest BDAT chunk the client sends when it may pipeline chunks (a body is split above it).
 *
 * @example
 * BDAT_MAX_CHUNK; // 1048576
 * @see RFC 3030 §2
 */
export const BDAT_MAX_CHUNK = 1024 * 1024;

/**
 * Most BDAT chunks of a streamed body awaiting their replies while pipelining: the body source is
 * asked for more only below it. Unbounded, a refused chunk leaves every chunk already sent to be
 * refused one by one, and Postfix counts each as an error and sleeps a second per error beyond
 * `smtpd_soft_error_limit` (10): 3.2 MB of 64 KiB chunks took 11 s to end after a 552.
 */
const BDAT_MAX_IN_FLIGHT = 3;

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const all = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return all;
}

/** True when a byte has its top bit set (a plain loop: `Array.prototype.some` costs a call per byte). */
function hasHighBit(bytes: Uint8Array): boolean {
  const len = bytes.length;
  let acc = 0;
  let i = 0;
  if (bytes.byteOffset % 4 === 0 && len >= 64) {
    // Four bytes at a time through an aligned 32-bit view of the same memory.
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, len >>> 2);
    for (let w = 0; w < words.length; w++) acc |= words[w]!;
    if ((acc & 0x80808080) !== 0) return true;
    i = words.length << 2;
  }
  for (; i < len; i++) acc |= bytes[i]!;
  return (acc & 0x80) !== 0;
}

/** Address check through smtp-client-args' path grammar, as a typed error naming the field; nothing is queued when it throws. */
function checkPath(field: string, address: string, allowNull: boolean): void {
  assertAddress(field, address, allowNull);
  if (address === '') return;
  argsCheck(field, () => formatPath(address, { smtpUtf8: true }), 'ERR_SMTP_CLIENT_INVALID_ADDRESS');
}

/** Runs an smtp-client-args check, turning its typed error into this package's. */
function argsCheck(field: string, f: () => unknown, code: ClientErrorCode = 'ERR_SMTP_CLIENT_INVALID_PARAMETER'): void {
  try {
    f();
  } catch (e) {
    if (!isSmtpError(e)) throw e;
    throw new SmtpClientError(code, `${field}: ${e.message.replace(/^path: /, '')}`, 'local', { cause: e });
  }
}

/**
 * The outcome of a message from its recipients' final statuses: `delivered` (every one accepted),
 * `partial` (some accepted), `unknown` (none accepted, some maybe delivered: no reply after the
 * final dot), `deferred` (none accepted, every other one may succeed later), `failed` (none
 * accepted, at least one refused for good).
 *
 * @example
 * messageOutcome(result.recipients); // 'partial'
 * @see RFC 5321 §4.2.1, §6.1
 */
export function messageOutcome(recipients: readonly Pick<RecipientResult, 'status'>[]): MessageOutcome {
  let accepted = 0;
  let unknown = 0;
  let rejected = 0;
  for (const r of recipients) {
    if (r.status === 'accepted') accepted++;
    else if (r.status === 'unknown') unknown++;
    else if (r.status === 'rejected') rejected++;
  }
  if (recipients.length > 0 && accepted === recipients.length) return 'delivered';
  if (accepted > 0) return 'partial';
  if (unknown > 0) return 'unknown';
  if (rejected > 0 || recipients.length === 0) return 'failed';
  return 'deferred';
}

/**
 * STARTTLS policy: `off` never upgrades, `opportunistic` upgrades when offered (insecure against
 * an active attacker who strips the keyword), `required` fails before AUTH or MAIL without TLS.
 *
 * @example
 * new ClientConnection({ starttls: 'required' });
 * @see RFC 3207 §4, RFC 8314
 */
export type StartTlsPolicy = 'off' | 'opportunistic' | 'required';

/**
 * Context given to the argument hooks.
 *
 * @example
 * mailArgs: (args, { capabilities }) => { if (capabilities.keywords['MT-PRIORITY']) args.setMtPriority(3); }
 * @see RFC 5321 §4.1.1.2
 */
export interface ArgsHookContext {
  readonly messageId: number;
  readonly from: string;
  readonly capabilities: ServerCapabilities;
  /** Set for RCPT hooks. */
  readonly recipient?: string;
}

/**
 * A hook adding ESMTP parameters through smtp-client-args (the legacy `smtp_client_mailfrom_args`
 * / `_rcptto_args`): `args.set(...)` throws on a bad parameter, `args.add(...)` reports it. A hook
 * that throws fails the message as transient (`ERR_SMTP_CLIENT_HOOK_FAILED`).
 *
 * @example
 * const hook: ArgsHook = (args) => { args.setHoldFor(60); };
 * @see RFC 5321 §4.1.1.2, §4.1.1.3
 */
export type ArgsHook = (args: SmtpClientArgs, context: ArgsHookContext) => void;

/**
 * One entry of the optional transcript callback (credentials are redacted, bodies summarized).
 *
 * @example
 * transcript: (e) => console.log(e.direction === 'client' ? 'C:' : 'S:', e.line)
 * @see RFC 5321 §4.1
 */
export interface TranscriptEntry {
  readonly direction: 'client' | 'server';
  readonly line: string;
}

/**
 * Options of {@link ClientConnection}.
 *
 * @example
 * new ClientConnection({ hostname: 'client.example', starttls: 'required', auth: { user: 'u', pass: 'p' } });
 * @see RFC 5321, RFC 2920, RFC 3207, RFC 4954
 */
export interface ClientOptions {
  /** Name sent with EHLO/HELO/LHLO (default `localhost`). */
  readonly hostname?: string;
  /** LMTP: LHLO and one final reply per accepted recipient (RFC 2033). */
  readonly lmtp?: boolean;
  /** STARTTLS policy (default `required` when `auth` is set, else `opportunistic`). */
  readonly starttls?: StartTlsPolicy;
  /** The transport is already TLS (implicit TLS, port 465). */
  readonly tls?: boolean;
  readonly auth?: AuthOptions;
  /** Allow AUTH without TLS (default false: credentials never go out in clear). Implies `allowUnverifiedAuth`. */
  readonly allowInsecureAuth?: boolean;
  /**
   * Allow AUTH over TLS whose certificate was not verified (default false: opportunistic TLS to a
   * self-signed certificate encrypts the mail but never carries credentials).
   */
  readonly allowUnverifiedAuth?: boolean;
  /** With `tls: true`: whether the transport's certificate was verified (default true). */
  readonly tlsVerified?: boolean;
  readonly crypto?: SaslCrypto;
  /** Use RFC 2920 pipelining when offered (default true). */
  readonly pipelining?: boolean;
  /** Use BDAT when CHUNKING is offered (default false). */
  readonly chunking?: boolean;
  /** Policy for bare CR/LF in bodies (default `normalize`). */
  readonly bareLineEndings?: BareLineEndingPolicy;
  /** Recipients per transaction before the rest go into a following one (default 100; LIMITS RCPTMAX wins when lower). */
  readonly maxRecipientsPerTransaction?: number;
  readonly timeouts?: Partial<ClientTimeouts>;
  readonly replyLimits?: ReplyReaderOptions;
  readonly classify?: Classifier;
  readonly mailArgs?: ArgsHook;
  readonly rcptArgs?: ArgsHook;
  readonly transcript?: (entry: TranscriptEntry) => void;
  /** A state list shared between connections (default: a fresh one per connection). */
  readonly states?: StateRegistry;
}

/**
 * A message to send: envelope, optional whole body (else stream it with `writeBody`/`endBody`
 * when `need-body` arrives) and per-message options.
 *
 * @example
 * conn.sendMessage({ from: 'a@example.com', to: ['b@example.org'], body: 'Subject: hi\r\n\r\nhello\r\n' });
 * @see RFC 5321 §3.3
 */
export interface MessageInput {
  /** Reverse path; `''` for the null sender. */
  readonly from: string;
  readonly to: readonly string[];
  readonly body?: Uint8Array | string;
  /** Body content type: `8bitmime` / `binarymime` (RFC 6152, RFC 3030); detected for whole bodies. */
  readonly bodyType?: '7bit' | '8bitmime' | 'binarymime';
  /** Size announced with SIZE (computed for whole bodies). */
  readonly size?: number;
  readonly dsn?: DsnOptions;
  /** RFC 8689 REQUIRETLS: the message fails unless the server offers it over TLS. */
  readonly requireTls?: boolean;
  readonly mailArgs?: ArgsHook;
  readonly rcptArgs?: ArgsHook;
}

interface Message {
  readonly id: number;
  readonly from: string;
  readonly to: readonly string[];
  readonly body: Uint8Array | undefined;
  readonly bodyType: '7bit' | '8bitmime' | 'binarymime';
  readonly size: number | undefined;
  readonly smtputf8: boolean;
  readonly input: MessageInput;
  remaining: string[];
  readonly results: Map<string, RecipientResult>;
  transaction: number;
  lastReply: Reply | undefined;
  /** The last final reply that queued at least one recipient (the truthful reply of a partly or fully delivered message). */
  queuedReply: Reply | undefined;
}

interface Txn {
  readonly rcpts: string[];
  readonly rcptParams: string[];
  readonly mailLine: string;
  readonly pipelined: boolean;
  readonly bdat: boolean;
  mailOk: boolean;
  mailReply: Reply | undefined;
  rcptSent: number;
  rcptReplies: number;
  readonly accepted: string[];
  encoder: BodyEncoder | undefined;
  bdatOutstanding: number;
  bdatFailed: Reply | undefined;
  /** Streamed body bytes not yet sent, coalesced into BDAT chunks of at least {@link BDAT_MIN_CHUNK}. */
  bdatBuf: Uint8Array[];
  bdatBufLen: number;
  /** BDAT ... LAST was written. */
  lastSent: boolean;
  bodyStarted: boolean;
  bodyEnded: boolean;
  waitingBody: boolean;
  endPending: boolean;
  emptyDot: boolean;
  finalReplies: number;
}

const BUILTIN: readonly { name: string; stage: number; timeout: TimeoutPhase; description: string }[] = [
  { name: 'banner', stage: STAGE.READING_BANNER, timeout: 'greeting', description: 'wait for the 220 greeting' },
  { name: 'ehlo', stage: STAGE.DURING_EHLO, timeout: 'ehlo', description: 'EHLO (LHLO for LMTP), HELO fallback' },
  { name: 'starttls', stage: STAGE.DURING_STARTTLS, timeout: 'starttls', description: 'STARTTLS, TLS handshake, then EHLO again' },
  { name: 'auth', stage: STAGE.AFTER_EHLO, timeout: 'auth', description: 'AUTH with a SASL mechanism' },
  { name: 'mail', stage: STAGE.DURING_MAIL, timeout: 'mail', description: 'MAIL FROM (with RCPT and DATA when pipelining)' },
  { name: 'rcpt', stage: STAGE.DURING_RCPT, timeout: 'rcpt', description: 'RCPT TO for each recipient' },
  { name: 'data', stage: STAGE.DURING_DATA, timeout: 'data-init', description: 'DATA, wait for 354 (skipped for BDAT)' },
  { name: 'body', stage: STAGE.SENDING_BODY, timeout: 'data-block', description: 'body bytes (dot-stuffed) or BDAT chunks' },
  { name: 'final', stage: STAGE.READING_CONFIRMATION, timeout: 'data-done', description: 'final reply (one per recipient for LMTP)' },
  { name: 'rset', stage: STAGE.DURING_RSET, timeout: 'rset', description: 'RSET after a failed transaction' },
  { name: 'idle', stage: STAGE.IDLE, timeout: 'idle', description: 'wait for the next message (connection reuse)' },
  { name: 'quit', stage: STAGE.IDLE, timeout: 'quit', description: 'QUIT and close' },
];

/**
 * The built-in client states in order, with their legacy stage codes (what `getStateMachine()`
 * lists before any registration). Rendered as the state diagram of the README.
 *
 * @example
 * BUILTIN_STATES.map((s) => `${s.name} (${s.stage})`);
 * @see RFC 5321 §3, §4.1
 */
export const BUILTIN_STATES: readonly { readonly id: number; readonly name: string; readonly stage: number; readonly description: string }[] =
  Object.freeze(BUILTIN.map((s, id) => Object.freeze({ id, name: s.name, stage: s.stage, description: s.description })));

function builtinDef(name: string, stage: number, timeout: TimeoutPhase): ClientStateDefinition {
  // The engine runs built-ins itself; these handlers only exist so the list is uniform.
  return Object.freeze({ name, stage, timeout, enter: () => undefined, reply: () => undefined });
}

/**
 * A fresh state list holding the built-in states (share one between connections via options).
 *
 * @example
 * const states = createStateRegistry(); states.register(xclientState({ ADDR: '192.0.2.1' }), { after: 'starttls' });
 * @see RFC 5321 §4.1
 */
export function createStateRegistry(): StateRegistry {
  const r = new StateRegistry();
  for (const s of BUILTIN) r.addBuiltin(builtinDef(s.name, s.stage, s.timeout));
  return r;
}

/**
 * The sans-IO SMTP client connection.
 *
 * @example
 * const conn = new ClientConnection({ hostname: 'me.example' });
 * conn.sendMessage({ from: 'a@x', to: ['b@y'], body: 'Subject: t\r\n\r\nhi\r\n' });
 * socket.on('data', (d) => { conn.receiveData(d); socket.write(conn.dataToSend()); });
 * @see RFC 5321, RFC 2920, RFC 3207, RFC 3030, RFC 2033
 */
export class ClientConnection {
  readonly #opts: ClientOptions;
  readonly #timeouts: ClientTimeouts;
  readonly #states: StateRegistry;
  readonly #classify: Classifier;
  readonly #starttls: StartTlsPolicy;
  #reader: ReplyReader;
  #caps: ServerCapabilities = NO_CAPABILITIES;
  #tls: boolean;
  #tlsVerified: boolean;
  #awaitingTls = false;
  #current: StateInfo;
  #transition: StateInfo | undefined;
  #closed = false;
  #errored = false;
  #quitRequested = false;
  #quitSent = false;
  /** Replies expected: to commands written (handed out or not) and to the connection (the greeting). */
  #outstanding = 0;
  /** Of `#outstanding`, the replies to commands still in `#out`, not yet handed out by `dataToSend()` (RPL-5). */
  #unsent = 0;
  /** True while a reply is handled and more input follows it in the same flight (TLS-5). */
  #moreInFlight = false;
  #out: Uint8Array[] = [];
  #events: ClientEvent[] = [];
  #eventHead = 0;
  #queue: Message[] = [];
  #nextMessageId = 1;
  #txn: Txn | undefined;
  /**
   * The next message's MAIL/RCPT/DATA, written right after the current message's final dot
   * (RFC 2920 §3.1): adopted by the `mail` state once the dot's reply has settled the current one.
   */
  #nextTxn: { readonly msg: Message; readonly txn: Txn } | undefined;
  /** A chunk refusal ended the last body; body calls answering its stale need-body are dropped. */
  #refusedBody = false;
  #needRset = false;
  #mailCount = 0;
  #timer: PendingTimeout | undefined;
  #timerId = 0;
  #locals = new Map<number, Record<string, unknown>>();
  #helo = false;
  #authDone = false;
  #sasl: SaslMechanism | undefined;
  #driving = false;
  #started = false;

  constructor(options: ClientOptions = {}) {
    this.#opts = options;
    const hostname = options.hostname ?? 'localhost';
    assertNoControl('hostname', hostname);
    if (hostname === '' || hostname.includes(' ')) throw usage('ERR_SMTP_CLIENT_INVALID_OPTION', 'hostname must be a domain or address literal');
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    for (const [k, v] of Object.entries(this.#timeouts)) {
      if (!Number.isFinite(v) || v < 0) throw usage('ERR_SMTP_CLIENT_INVALID_OPTION', `timeouts.${k} must be >= 0`);
    }
    const max = options.maxRecipientsPerTransaction ?? 100;
    if (!Number.isSafeInteger(max) || max < 1) throw usage('ERR_SMTP_CLIENT_INVALID_OPTION', 'maxRecipientsPerTransaction must be >= 1');
    this.#starttls = options.starttls ?? (options.auth ? 'required' : 'opportunistic');
    if (!['off', 'opportunistic', 'required'].includes(this.#starttls)) throw usage('ERR_SMTP_CLIENT_INVALID_OPTION', 'starttls must be off, opportunistic or required');
    this.#states = options.states ?? createStateRegistry();
    this.#classify = options.classify ?? defaultClassify;
    this.#reader = new ReplyReader(options.replyLimits ?? {});
    this.#tls = options.tls ?? false;
    this.#tlsVerified = this.#tls && options.tlsVerified !== false;
    const first = this.#states.list()[0];
    if (!first) throw usage('ERR_SMTP_CLIENT_INVALID_OPTION', 'empty state list');
    this.#current = first;
  }

  /** Enters the first state on first use, so states registered after construction (even before the banner) count. */
  #start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#transition = this.#states.list()[0];
    this.#drive();
  }

  // ---------------------------------------------------------------- state list (legacy API)

  /** Inserts a custom state after a state (name or id), or before the banner with `after: -1`; returns its id. */
  registerState(def: ClientStateDefinition, options: RegisterOptions): number {
    return this.#states.register(def, options);
  }

  /** A state by id or name (the legacy `smtp_get_state`). */
  getState(idOrName: string | number): StateInfo | undefined {
    return this.#states.get(idOrName);
  }

  /** The ordered state list (the legacy `smtp_get_state_machine`). */
  getStateMachine(): StateInfo[] {
    return this.#states.list();
  }

  /** Moves to a state by name or id, or to the next one with `null` (the legacy `smtp_next_state`). */
  nextState(state: string | number | null = null): void {
    this.#goto(state);
    this.#drive();
  }

  /** The current state's name. */
  get state(): string {
    if (this.#errored) return 'error';
    return this.#closed ? 'closed' : this.#current.name;
  }

  /** The legacy stage code of the current state (0 closed, 17 TLS handshake, 22 after an error). */
  get stage(): number {
    if (this.#errored) return STAGE.UNKNOWN;
    if (this.#closed) return STAGE.NOT_CONNECTED;
    if (this.#awaitingTls) return STAGE.HANDSHAKING_TLS;
    return this.#current.stage;
  }

  /** The capabilities of the last EHLO. */
  get capabilities(): ServerCapabilities {
    return this.#caps;
  }

  /** True once TLS is active. */
  get tls(): boolean {
    return this.#tls;
  }

  /** True once TLS is active with a verified certificate (see `tlsEstablished`). */
  get tlsVerified(): boolean {
    return this.#tls && this.#tlsVerified;
  }

  /** True after `closed`: the adapter should close the transport once `dataToSend()` is flushed. */
  get closed(): boolean {
    return this.#closed;
  }

  // ---------------------------------------------------------------- h11-style surface

  /** Feeds bytes received from the server. */
  receiveData(data: Uint8Array | string): void {
    this.#start();
    if (this.#closed) return;
    if (this.#awaitingTls) {
      this.#fatal('ERR_SMTP_CLIENT_STARTTLS_INJECTION', 'bytes received after the 220 reply to STARTTLS, before TLS', 'error');
      return;
    }
    let replies: Reply[];
    try {
      replies = this.#reader.push(data);
    } catch (e) {
      this.#readerError(e);
      return;
    }
    this.#onReplies(replies);
  }

  /** The server closed its side. */
  receiveEof(): void {
    this.#start();
    if (this.#closed) return;
    if (this.#quitSent) {
      this.#close('quit', undefined);
      return;
    }
    this.#fatal('ERR_SMTP_CLIENT_CONNECTION_LOST', 'the server closed the connection', 'eof');
  }

  /** The next event, or `{ type: 'need-data' }` when the machine waits for the network. */
  nextEvent(): ClientEvent {
    this.#start();
    if (this.#eventHead < this.#events.length) {
      const e = this.#events[this.#eventHead++]!;
      if (this.#eventHead === this.#events.length) {
        this.#events = [];
        this.#eventHead = 0;
      }
      return e;
    }
    return { type: 'need-data' };
  }

  /** Bytes to write to the server (empty when nothing is pending). */
  dataToSend(): Uint8Array {
    this.#start();
    const out = this.#out;
    this.#unsent = 0;
    if (out.length === 0) return new Uint8Array(0);
    this.#out = [];
    if (out.length === 1) return out[0]!;
    let n = 0;
    for (const c of out) n += c.length;
    const all = new Uint8Array(n);
    let o = 0;
    for (const c of out) {
      all.set(c, o);
      o += c.length;
    }
    return all;
  }

  /** The timer to arm, or undefined. */
  pendingTimeout(): PendingTimeout | undefined {
    this.#start();
    return this.#closed ? undefined : this.#timer;
  }

  /**
   * Ends the session now, as a timeout (`ERR_SMTP_CLIENT_TIMEOUT`, the default) or another failure:
   * every pending message settles (after the final dot: `unknown`), nothing more is written, and the
   * adapter should destroy the transport. Used for whole-message and connect deadlines.
   */
  abort(message = 'aborted', code: ClientErrorCode = 'ERR_SMTP_CLIENT_TIMEOUT'): void {
    this.#start();
    this.#fatal(code, message, code === 'ERR_SMTP_CLIENT_TIMEOUT' ? 'timeout' : 'error');
  }

  /** The timer `id` (from `pendingTimeout()`) fired. Stale ids are ignored. */
  handleTimeout(id?: number): void {
    const t = this.#timer;
    if (this.#closed || !t || (id !== undefined && id !== t.id)) return;
    this.#timer = undefined;
    if (t.phase === 'idle') {
      this.#goto('quit');
      this.#drive();
      return;
    }
    if (t.phase === 'quit') {
      this.#close('timeout', undefined);
      return;
    }
    this.#fatal('ERR_SMTP_CLIENT_TIMEOUT', `timeout in phase ${t.phase}`, 'timeout');
  }

  /**
   * The adapter finished the TLS handshake after a `tls-start` event: capabilities are discarded and
   * EHLO is sent again. `verified: false` when the certificate was not checked or did not verify
   * (opportunistic TLS): the mail is encrypted, but credentials are not sent unless
   * `allowUnverifiedAuth` is set.
   */
  tlsEstablished(info: { readonly verified?: boolean } = {}): void {
    if (!this.#awaitingTls) throw usage('ERR_SMTP_CLIENT_NOT_AWAITING_TLS', 'tlsEstablished() without a tls-start event');
    this.#awaitingTls = false;
    this.#tls = true;
    this.#tlsVerified = info.verified !== false;
    this.#reader = new ReplyReader(this.#opts.replyLimits ?? {});
    this.#caps = NO_CAPABILITIES;
    this.#authDone = false;
    this.#goto('ehlo');
    this.#drive();
  }

  /**
   * Queues a message and returns its id. Every string is checked first (INJ-1): nothing is queued
   * when this throws.
   */
  sendMessage(input: MessageInput): number {
    if (this.#closed || this.#quitRequested) throw usage('ERR_SMTP_CLIENT_CLOSED', 'the connection is closing or closed');
    if (typeof input !== 'object' || input === null) throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'message: expected an object');
    if (typeof input.from !== 'string') throw usage('ERR_SMTP_CLIENT_INVALID_ADDRESS', 'from: expected a string address ("" for the null sender)');
    if (typeof input.to !== 'object' || input.to === null || typeof (input.to as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw usage('ERR_SMTP_CLIENT_INVALID_ADDRESS', 'to: expected an array of addresses');
    }
    const to: string[] = Array.from(input.to);
    if (to.length === 0) throw usage('ERR_SMTP_CLIENT_INVALID_ADDRESS', 'to: at least one recipient is required');
    to.forEach((r, i) => {
      if (typeof r !== 'string') throw usage('ERR_SMTP_CLIENT_INVALID_ADDRESS', `to[${i}]: expected a string address`);
    });
    checkPath('from', input.from, true);
    to.forEach((r, i) => checkPath(`to[${i}]`, r, false));
    if (input.body !== undefined && typeof input.body !== 'string' && !(input.body instanceof Uint8Array)) {
      throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'body: expected a string or a Uint8Array (or stream it after need-body)');
    }
    if (input.bodyType !== undefined && !['7bit', '8bitmime', 'binarymime'].includes(input.bodyType)) {
      throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'bodyType: expected 7bit, 8bitmime or binarymime');
    }
    let body: Uint8Array | undefined;
    let bodyType = input.bodyType;
    if (input.body !== undefined) {
      body = typeof input.body === 'string' ? encoder.encode(input.body) : input.body;
      if ((this.#opts.bareLineEndings ?? 'normalize') === 'reject' && bodyType !== 'binarymime') {
        new BodyEncoder({ bareLineEndings: 'reject' }).push(body);
      }
      // A string is ASCII exactly when its UTF-8 is as long as it (any other character takes 2-4 bytes).
      if (bodyType === undefined) bodyType = (typeof input.body === 'string' ? body.length !== input.body.length : hasHighBit(body)) ? '8bitmime' : '7bit';
    }
    if (input.size !== undefined && (!Number.isSafeInteger(input.size) || input.size < 0)) throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'size must be a non-negative integer');
    if (input.dsn?.notify) notifyValue(input.dsn.notify);
    if (input.dsn?.envid !== undefined) {
      assertNoControl('DSN envid', input.dsn.envid);
      // RFC 3461 §4.4: ENVID is printable ASCII (xtext-encoded); anything else is the caller's error.
      argsCheck('dsn.envid', () => new SmtpClientArgs({ command: 'mail' }).setEnvid(input.dsn!.envid!));
    }
    if (input.dsn?.ret !== undefined && input.dsn.ret !== 'FULL' && input.dsn.ret !== 'HDRS') throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'RET must be FULL or HDRS');
    for (const [k, v] of Object.entries(input.dsn?.orcpt ?? {})) {
      assertNoControl('DSN orcpt', v);
      argsCheck(`dsn.orcpt[${JSON.stringify(k)}]`, () => new SmtpClientArgs({ command: 'rcpt', smtpUtf8: true }).setOrcpt('rfc822', v));
    }
    const smtputf8 = !isAscii(input.from) || to.some((r) => !isAscii(r));
    const msg: Message = {
      id: this.#nextMessageId++,
      from: input.from,
      to,
      body,
      bodyType: bodyType ?? '7bit',
      size: input.size ?? body?.length,
      smtputf8,
      input,
      remaining: [...to],
      results: new Map(),
      transaction: 0,
      lastReply: undefined,
      queuedReply: undefined,
    };
    this.#queue.push(msg);
    this.#start();
    if (this.#current.name === 'idle' && !this.#driving) {
      this.#goto('mail');
      this.#drive();
    }
    return msg.id;
  }

  /** Writes a chunk of the current streamed body (after `need-body`). */
  writeBody(chunk: Uint8Array | string): void {
    const t = this.#txn;
    // After a negative BDAT reply nothing more of this body goes out: late chunks are dropped.
    if (t?.bdatFailed && this.#current.name === 'body' && !this.#closed) return;
    // A need-body that went out just before a chunk's refusal ended the transaction: dropped too.
    if (this.#refusedBody && (!t || !t.waitingBody)) return;
    if (!t || !t.waitingBody || t.bodyEnded || this.#current.name !== 'body' || this.#closed) {
      throw usage('ERR_SMTP_CLIENT_NOT_IN_BODY', 'writeBody() outside the body phase (wait for need-body)');
    }
    let bytes: Uint8Array;
    try {
      bytes = t.encoder!.push(chunk);
    } catch (e) {
      this.#fatal('ERR_SMTP_CLIENT_BARE_LINE_ENDING', 'message body holds a bare CR or LF', 'error');
      throw e;
    }
    const bdatSent = this.#bodyBytes(t, bytes);
    this.#arm('data-block');
    // Without PIPELINING the next chunk waits for the reply to the BDAT just sent (RFC 3030 §4.2);
    // with it, at most BDAT_MAX_IN_FLIGHT chunks await their replies.
    if (!bdatSent || (this.#pipelining() && t.bdatOutstanding < BDAT_MAX_IN_FLIGHT)) this.#needBody(t);
    else t.waitingBody = false;
  }

  /** Ends the current streamed body. */
  endBody(): void {
    const t = this.#txn;
    if (t?.bdatFailed && this.#current.name === 'body' && !this.#closed) return;
    if (this.#refusedBody && (!t || !t.waitingBody)) return;
    if (!t || t.bodyEnded || t.endPending || this.#current.name !== 'body' || this.#closed) throw usage('ERR_SMTP_CLIENT_NOT_IN_BODY', 'endBody() outside the body phase');
    if (t.bdat && t.bdatOutstanding > 0 && !this.#pipelining()) {
      // Without PIPELINING, BDAT LAST waits for the previous chunk's reply (RFC 3030 §4.2).
      t.endPending = true;
      return;
    }
    this.#finishBody(t);
    this.#drive();
  }

  /** Sends QUIT once the queued messages are done. */
  quit(): void {
    if (this.#closed) return;
    this.#quitRequested = true;
    this.#start();
    if (this.#current.name === 'idle' && !this.#driving) {
      this.#goto('quit');
      this.#drive();
    }
  }

  // ---------------------------------------------------------------- engine

  #emit(e: ClientEvent): void {
    this.#events.push(e);
  }

  #arm(phase: TimeoutPhase): void {
    const ms = this.#timeouts[phase];
    this.#timer = ms > 0 ? { phase, ms, id: ++this.#timerId } : undefined;
  }

  #write(bytes: Uint8Array): void {
    if (bytes.length > 0) this.#out.push(bytes);
  }

  /** Counts `n` more replies owed for bytes just queued in `#out`. */
  #expect(n: number): void {
    this.#outstanding += n;
    this.#unsent += n;
  }

  #command(line: string, redacted?: string): void {
    assertNoControl('command', line);
    this.#write(encoder.encode(line + '\r\n'));
    this.#expect(1);
    this.#opts.transcript?.({ direction: 'client', line: redacted ?? line });
  }

  #goto(target: string | number | null): void {
    let info: StateInfo | undefined;
    if (target === null) info = this.#states.after(this.#current.name);
    else info = this.#states.get(target);
    if (!info) throw usage('ERR_SMTP_CLIENT_UNKNOWN_STATE', `no state ${JSON.stringify(target)}`);
    this.#transition = info;
  }

  #drive(): void {
    if (this.#driving) return;
    this.#driving = true;
    try {
      let steps = 0;
      while (this.#transition && !this.#closed) {
        if (++steps > 10_000) {
          this.#transition = undefined;
          this.#fatal('ERR_SMTP_CLIENT_STATE_LOOP', 'the state machine made 10000 transitions without waiting', 'error');
          break;
        }
        const next = this.#transition;
        this.#transition = undefined;
        this.#current = next;
        this.#arm(next.definition.timeout ?? 'command');
        if (next.builtin) this.#enterBuiltin(next.name);
        else next.definition.enter(this.#ctx(next));
      }
    } finally {
      this.#driving = false;
    }
  }

  #ctx(info: StateInfo): StateContext {
    let local = this.#locals.get(info.id);
    if (!local) this.#locals.set(info.id, (local = {}));
    const m = this.#queue[0];
    return {
      state: info.name,
      capabilities: this.#caps,
      tls: this.#tls,
      local,
      message: m ? { id: m.id, from: m.from, to: m.to } : undefined,
      send: (command) => this.#command(command),
      next: (state = null) => this.#goto(state),
      abandon: (code, reply, permanent = false) => this.#abandon(code, reply, permanent),
      rehello: () => {
        this.#caps = NO_CAPABILITIES;
        this.#goto('ehlo');
      },
    };
  }

  /** Handles complete replies in order; `trailing` when bad input follows the last one (TLS-5). */
  #onReplies(replies: Reply[], trailing = false): void {
    for (let i = 0; i < replies.length && !this.#closed; i++) {
      const reply = replies[i]!;
      const tr = this.#opts.transcript;
      if (tr) {
        // Each line as on the wire, the enhanced status code included (the reader strips it from `lines`).
        const lines = reply.lines.length ? reply.lines : [''];
        const enhanced = reply.enhanced ? `${formatEnhancedStatusCode(reply.enhanced)} ` : '';
        lines.forEach((line, j) => tr({ direction: 'server', line: `${reply.code}${j < lines.length - 1 ? '-' : ' '}${enhanced}${line}` }));
      }
      // RPL-5: a reply can only answer a command the server has received, i.e. one handed out by
      // dataToSend(); a reply beyond those is unsolicited (or injected), whatever the client queued since.
      if (this.#outstanding - this.#unsent <= 0) {
        if (reply.code === 421) this.#on421(reply);
        else this.#fatal('ERR_SMTP_CLIENT_UNEXPECTED_REPLY', `unsolicited reply ${reply.code} in state ${this.#current.name}`, 'error', reply);
        continue;
      }
      this.#outstanding--;
      if (reply.code === 421 && this.#current.name !== 'quit') {
        this.#on421(reply);
        continue;
      }
      const cur = this.#current;
      this.#moreInFlight = trailing || i < replies.length - 1 || this.#reader.pending;
      if (cur.builtin) this.#replyBuiltin(cur.name, reply);
      else cur.definition.reply(this.#ctx(cur), reply);
      this.#moreInFlight = false;
      if (!this.#transition && !this.#closed && this.#outstanding > 0) this.#arm(cur.definition.timeout ?? 'command');
      this.#drive();
    }
  }

  #readerError(e: unknown): void {
    if (isRemoteProtocolError(e)) {
      this.#onReplies(e.replies.slice(), true);
      if (!this.#closed) this.#fatal('ERR_SMTP_CLIENT_PROTOCOL', `bad reply from server: ${e.code}: ${e.message}`, 'error');
      return;
    }
    throw e;
  }

  #on421(reply: Reply): void {
    this.#failAll(reply, undefined, true);
    this.#close('rejected', reply);
  }

  /** Fails everything, emits error + closed; drops unsent output and writes nothing more. */
  #fatal(code: ClientErrorCode, message: string, reason: 'error' | 'eof' | 'timeout', reply?: Reply): void {
    if (this.#closed) return;
    // Nothing more goes to a peer that broke the protocol or vanished, not even commands queued
    // before the fault was seen.
    this.#out = [];
    this.#unsent = 0;
    this.#failAll(undefined, code, true);
    this.#errored = reason === 'error';
    this.#emit(reply ? { type: 'error', code, message, reply } : { type: 'error', code, message });
    this.#close(reason, undefined);
  }

  /** Fails every pending message, then QUIT. */
  #abandon(code: ClientErrorCode, reply: Reply | undefined, permanent: boolean): void {
    this.#failAll(reply, code, !permanent);
    this.#quitRequested = true;
    this.#goto('quit');
  }

  #close(reason: 'quit' | 'error' | 'eof' | 'timeout' | 'rejected', reply: Reply | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#timer = undefined;
    this.#transition = undefined;
    this.#emit(reply ? { type: 'closed', reason, reply } : { type: 'closed', reason });
  }

  #failAll(reply: Reply | undefined, code: ClientErrorCode | undefined, transient: boolean): void {
    const t0 = this.#txn;
    const afterDot = t0 !== undefined && t0.bodyEnded && !t0.emptyDot && !t0.bdatFailed && (!t0.bdat || t0.lastSent) && reply === undefined && code !== undefined;
    const msgs = this.#queue;
    this.#queue = [];
    // A transaction written ahead for the next message has no reply yet: its recipients are still
    // in `remaining` and settle below like any queued message's (nothing of its body was sent).
    this.#nextTxn = undefined;
    msgs.forEach((m, i) => {
      // After the final dot without a reply (timeout, EOF, garbage): maybe delivered (TMO-2, RPL-5).
      const unknown = i === 0 && afterDot;
      const stage = this.stage;
      const bdatFailed = i === 0 ? this.#txn?.bdatFailed : undefined;
      if (i === 0 && this.#txn) {
        for (const r of this.#txn.rcpts) {
          if (m.results.has(r)) continue;
          if (bdatFailed && this.#txn.accepted.includes(r)) {
            // A refused BDAT chunk decided it; what the server did next (421, close) does not.
            this.#setResult(m, r, 'rejected', bdatFailed, undefined, STAGE.SENDING_BODY, true);
            continue;
          }
          if (unknown && this.#txn.accepted.includes(r)) this.#setResult(m, r, 'unknown', reply, code, stage, true);
          else this.#setResult(m, r, reply ? 'rejected' : 'deferred', reply, code, stage, transient);
        }
      }
      for (const r of m.remaining) if (!m.results.has(r)) this.#setResult(m, r, reply ? 'rejected' : 'deferred', reply, code, stage, transient);
      m.remaining = [];
      if (bdatFailed) m.lastReply = bdatFailed;
      this.#finishMessage(m, bdatFailed ? undefined : reply, code);
    });
    this.#txn = undefined;
  }

  #setResult(m: Message, address: string, status: RecipientResult['status'], reply: Reply | undefined, code: ClientErrorCode | undefined, stage: number, transient: boolean): void {
    const accepted = status === 'accepted';
    // "unknown" (maybe delivered) is never transient: retrying it may duplicate the message.
    const isTransient = accepted || status === 'unknown' ? false : reply ? reply.code < 500 : transient;
    // One final status per recipient: a refusal that may succeed later is "deferred", else "rejected".
    if (status === 'rejected' || status === 'deferred') status = isTransient ? 'deferred' : 'rejected';
    const at = address.lastIndexOf('@');
    const domain = at >= 0 ? address.slice(at + 1) : undefined;
    const r: RecipientResult = {
      address,
      status,
      accepted,
      transient: isTransient,
      permanent: !accepted && status !== 'unknown' && !isTransient,
      ...(reply ? { reply } : {}),
      ...(reply && !accepted ? { classification: this.#classify(reply, domain) } : {}),
      ...(code && !accepted ? { errorCode: code } : {}),
      stage,
      transaction: m.transaction,
    };
    m.results.set(address, r);
    this.#emit({ type: 'recipient', messageId: m.id, result: r });
  }

  #finishMessage(m: Message, reply: Reply | undefined, code: ClientErrorCode | undefined): void {
    const recipients = m.to.map((a) => m.results.get(a)).filter((r): r is RecipientResult => r !== undefined);
    const outcome = messageOutcome(recipients);
    const transient = recipients.some((r) => r.status === 'deferred');
    // Never the reply of a later failed transaction when an earlier one queued recipients.
    const last = outcome === 'delivered' || outcome === 'partial' ? m.queuedReply : outcome === 'unknown' ? undefined : (reply ?? m.lastReply);
    this.#emit({
      type: 'message-sent',
      messageId: m.id,
      outcome,
      transient,
      ...(last ? { reply: last } : {}),
      recipients,
      ...(code ? { errorCode: code } : {}),
      transactions: m.transaction + 1,
    });
  }

  /** Ends the message at the head of the queue without a server reply (local failure). */
  #failMessageLocally(code: ClientErrorCode, transient: boolean): void {
    const m = this.#queue.shift()!;
    for (const r of m.remaining) this.#setResult(m, r, transient ? 'deferred' : 'rejected', undefined, code, STAGE.IDLE, transient);
    m.remaining = [];
    this.#finishMessage(m, undefined, code);
  }

  #pipelining(): boolean {
    return (this.#opts.pipelining ?? true) && hasCap(this.#caps, 'PIPELINING');
  }

  #useBdat(m: Message): boolean {
    return m.bodyType === 'binarymime' || ((this.#opts.chunking ?? false) && hasCap(this.#caps, 'CHUNKING'));
  }

  // ---------------------------------------------------------------- built-in states

  #enterBuiltin(name: string): void {
    switch (name) {
      case 'banner':
        this.#outstanding++; // the greeting is a reply to the connection itself
        return;
      case 'ehlo':
        this.#helo = false;
        this.#command(`${this.#opts.lmtp ? 'LHLO' : 'EHLO'} ${this.#opts.hostname ?? 'localhost'}`);
        return;
      case 'starttls':
        return this.#enterStarttls();
      case 'auth':
        return this.#enterAuth();
      case 'mail':
        return this.#enterMail();
      case 'rcpt': {
        const t = this.#txn!;
        if (!t.pipelined) this.#sendRcpt(t);
        return;
      }
      case 'data':
        return this.#enterData();
      case 'body':
        return this.#enterBody();
      case 'final':
        return;
      case 'rset':
        if (!this.#needRset) return this.#goto(null);
        this.#command('RSET');
        return;
      case 'idle':
        // quit() waits for the queued messages (one may already be on the wire, written ahead);
        // every other path to QUIT settles the queue first.
        if (this.#queue.length > 0) return this.#goto('mail');
        if (this.#quitRequested) return this.#goto('quit');
        this.#emit({ type: 'idle' });
        return;
      case 'quit':
        this.#quitRequested = true;
        if (this.#quitSent) return;
        this.#quitSent = true;
        this.#command('QUIT');
        return;
    }
  }

  #replyBuiltin(name: string, reply: Reply): void {
    switch (name) {
      case 'banner':
        if (reply.code === 220) {
          this.#emit({ type: 'greeting', reply });
          return this.#goto(null);
        }
        this.#emit({ type: 'error', code: 'ERR_SMTP_CLIENT_GREETING_REJECTED', message: `greeting refused: ${reply.code} ${reply.text}`, reply });
        this.#failAll(reply, 'ERR_SMTP_CLIENT_GREETING_REJECTED', reply.code < 500);
        this.#quitRequested = true;
        return this.#goto('quit');
      case 'ehlo':
        return this.#replyEhlo(reply);
      case 'starttls':
        return this.#replyStarttls(reply);
      case 'auth':
        return this.#replyAuth(reply);
      case 'mail':
        return this.#replyMail(reply);
      case 'rcpt':
        return this.#replyRcpt(reply);
      case 'data':
        return this.#replyData(reply);
      case 'body':
        return this.#replyBdat(this.#txn!, reply);
      case 'final':
        return this.#replyFinal(reply);
      case 'rset':
        this.#needRset = false;
        if (reply.code >= 200 && reply.code < 300) return this.#goto(null);
        // No clean transaction can start: what is still queued was not tried here (transient).
        this.#failAll(undefined, 'ERR_SMTP_CLIENT_RSET_REFUSED', true);
        this.#quitRequested = true;
        return this.#goto('quit');
      case 'idle':
        return;
      case 'quit':
        return this.#close('quit', reply);
    }
  }

  #replyEhlo(reply: Reply): void {
    if (reply.code >= 200 && reply.code < 300) {
      this.#caps = this.#helo ? { esmtp: false, greeting: reply.lines[0] ?? '', keywords: {} } : capabilitiesFromReply(reply);
      this.#emit({ type: 'capabilities', capabilities: this.#caps, reply, tls: this.#tls });
      return this.#goto(null);
    }
    if (!this.#opts.lmtp && !this.#helo && reply.code >= 500) {
      this.#helo = true;
      this.#command(`HELO ${this.#opts.hostname ?? 'localhost'}`);
      return;
    }
    this.#abandon('ERR_SMTP_CLIENT_HELLO_REJECTED', reply, reply.code >= 500);
  }

  #enterStarttls(): void {
    if (this.#starttls === 'off' || this.#tls) return this.#goto(null);
    if (!hasCap(this.#caps, 'STARTTLS')) {
      if (this.#starttls === 'required') {
        this.#emit({ type: 'error', code: 'ERR_SMTP_CLIENT_TLS_REQUIRED', message: 'STARTTLS is required but the server does not offer it' });
        return this.#abandon('ERR_SMTP_CLIENT_TLS_REQUIRED', undefined, false);
      }
      return this.#goto(null);
    }
    this.#command('STARTTLS');
  }

  #replyStarttls(reply: Reply): void {
    if (reply.code === 220) {
      if (this.#moreInFlight) {
        // TLS-5: bytes after the 220 were sent in the clear before the handshake; no TLS is started.
        this.#fatal('ERR_SMTP_CLIENT_STARTTLS_INJECTION', 'bytes followed the 220 reply to STARTTLS', 'error', reply);
        return;
      }
      this.#awaitingTls = true;
      this.#timer = { phase: 'tls-handshake', ms: this.#timeouts['tls-handshake'], id: ++this.#timerId };
      this.#emit({ type: 'tls-start' });
      return;
    }
    if (this.#starttls === 'required') {
      this.#emit({ type: 'error', code: 'ERR_SMTP_CLIENT_TLS_REQUIRED', message: `STARTTLS refused: ${reply.code}`, reply });
      return this.#abandon('ERR_SMTP_CLIENT_TLS_REQUIRED', undefined, false);
    }
    this.#goto(null);
  }

  #enterAuth(): void {
    const auth = this.#opts.auth;
    if (!auth || this.#authDone) return this.#goto(null);
    if (!this.#tls && !this.#opts.allowInsecureAuth) {
      this.#emit({ type: 'error', code: 'ERR_SMTP_CLIENT_INSECURE_AUTH', message: 'refusing to send credentials without TLS (allowInsecureAuth)' });
      return this.#abandon('ERR_SMTP_CLIENT_INSECURE_AUTH', undefined, false);
    }
    if (this.#tls && !this.#tlsVerified && !this.#opts.allowUnverifiedAuth && !this.#opts.allowInsecureAuth) {
      this.#emit({ type: 'error', code: 'ERR_SMTP_CLIENT_INSECURE_AUTH', message: 'refusing to send credentials over TLS with an unverified certificate (allowUnverifiedAuth)' });
      return this.#abandon('ERR_SMTP_CLIENT_INSECURE_AUTH', undefined, false);
    }
    const mech = chooseMechanism(auth, authMechanisms(this.#caps), this.#opts.crypto ?? {});
    if (!mech) {
      this.#emit({ type: 'error', code: 'ERR_SMTP_CLIENT_AUTH_UNAVAILABLE', message: 'no usable AUTH mechanism offered' });
      return this.#abandon('ERR_SMTP_CLIENT_AUTH_UNAVAILABLE', undefined, false);
    }
    this.#sasl = mech;
    const ir = mech.start();
    const name = mech.name.toUpperCase();
    assertNoControl('AUTH mechanism', name);
    if (ir === null) return this.#command(`AUTH ${name}`);
    const enc = toBase64(saslBytes(ir));
    const line = `AUTH ${name} ${enc === '' ? '=' : enc}`;
    // RFC 4954 §4: omit the initial response when the command would exceed 512 octets (INJ-10).
    if (line.length + 2 > 512) return this.#command(`AUTH ${name}`);
    this.#command(line, `AUTH ${name} <redacted>`);
  }

  #replyAuth(reply: Reply): void {
    const mech = this.#sasl!;
    if (reply.code === 334) {
      const challenge = fromBase64(reply.lines[0] ?? '') ?? new Uint8Array(0);
      let resp: string;
      try {
        resp = toBase64(saslBytes(mech.step(challenge)));
      } catch {
        this.#command('*');
        return;
      }
      if (resp.length > 12_288) resp = '*';
      this.#command(resp, '<redacted>');
      return;
    }
    if (reply.code === 235) {
      this.#authDone = true;
      this.#emit({ type: 'authenticated', mechanism: mech.name, reply });
      return this.#goto(null);
    }
    this.#emit({ type: 'auth-failed', mechanism: mech.name, reply });
    this.#abandon('ERR_SMTP_CLIENT_AUTH_FAILED', reply, reply.code >= 500);
  }

  #enterMail(): void {
    const m = this.#queue[0];
    if (!m) return this.#goto('idle');
    const ahead = this.#nextTxn;
    this.#nextTxn = undefined;
    if (ahead) {
      // Its commands went out after the previous dot: only the replies remain to be read.
      if (ahead.msg !== m) return this.#fatal('ERR_SMTP_CLIENT_STATE_LOOP', 'a transaction written ahead does not match the queue', 'error');
      m.remaining = m.remaining.slice(ahead.txn.rcpts.length);
      this.#txn = ahead.txn;
      this.#mailCount++;
      return;
    }
    const mailmax = limit(this.#caps, 'MAILMAX');
    if (mailmax !== undefined && this.#mailCount >= mailmax) {
      while (this.#queue.length) this.#failMessageLocally('ERR_SMTP_CLIENT_MAILMAX_REACHED', true);
      this.#quitRequested = true;
      return this.#goto('quit');
    }
    const t = this.#buildTxn(m);
    if (!('mailLine' in t)) {
      this.#failMessageLocally(t.code, t.transient);
      return this.#goto('mail');
    }
    m.remaining = m.remaining.slice(t.rcpts.length);
    this.#txn = t;
    this.#mailCount++;
    this.#sendTxn(t);
  }

  /** Writes a transaction's MAIL, and with pipelining its RCPTs and DATA (the last command of the group). */
  #sendTxn(t: Txn): void {
    this.#command(t.mailLine);
    if (t.pipelined) {
      while (t.rcptSent < t.rcpts.length) this.#sendRcpt(t);
      if (!t.bdat) this.#command('DATA');
    }
  }

  /**
   * RFC 2920 §3.1 across messages: right after the final dot of a DATA transaction, the next queued
   * message's MAIL/RCPT/DATA go out in the same write, without waiting for the dot's reply (the
   * server answers in order, so that reply still settles the current message first). Only when
   * nothing the dot's reply says can change what is sent next: PIPELINING in use, no custom state
   * from `mail` to `idle`, no follow-up transaction or RSET due for the current message, not LMTP,
   * a whole body for the next one sent with DATA (never BDAT), within MAILMAX, and the next
   * message passing its local checks (else it takes the ordinary path and fails there).
   */
  #writeNextAhead(t: Txn): void {
    const m = this.#queue[0];
    const next = this.#queue[1];
    if (!m || !next || this.#nextTxn || !t.pipelined || t.bdat || this.#opts.lmtp || m.remaining.length > 0 || this.#needRset) return;
    if (next.body === undefined || this.#useBdat(next)) return;
    const mailmax = limit(this.#caps, 'MAILMAX');
    if (mailmax !== undefined && this.#mailCount >= mailmax) return;
    const states = this.#states.list();
    if (!states.slice(this.#states.indexOf('mail'), this.#states.indexOf('idle') + 1).every((s) => s.builtin)) return;
    const nt = this.#buildTxn(next);
    if (!('mailLine' in nt) || !nt.pipelined) return;
    this.#nextTxn = { msg: next, txn: nt };
    this.#sendTxn(nt);
  }

  /** The next transaction of a message (hooks run here), or the local failure that stops it. */
  #buildTxn(m: Message): Txn | { readonly code: ClientErrorCode; readonly transient: boolean } {
    const caps = this.#caps;
    const failLocal = (code: ClientErrorCode, transient: boolean) => ({ code, transient });
    if (m.smtputf8 && !hasCap(caps, 'SMTPUTF8')) return failLocal('ERR_SMTP_CLIENT_SMTPUTF8_UNAVAILABLE', false);
    if (m.bodyType === '8bitmime' && !hasCap(caps, '8BITMIME')) return failLocal('ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE', false);
    if (m.bodyType === 'binarymime' && !(hasCap(caps, 'BINARYMIME') && hasCap(caps, 'CHUNKING'))) return failLocal('ERR_SMTP_CLIENT_BINARYMIME_UNAVAILABLE', false);
    if (m.input.requireTls && !(this.#tls && hasCap(caps, 'REQUIRETLS'))) return failLocal('ERR_SMTP_CLIENT_REQUIRETLS_UNAVAILABLE', false);
    const maxSize = sizeLimit(caps);
    if (maxSize > 0 && m.size !== undefined && m.size > maxSize) return failLocal('ERR_SMTP_CLIENT_MESSAGE_TOO_LARGE', false);
    const bdat = this.#useBdat(m);
    let mailLine: string;
    const rcptParams: string[] = [];
    const batchMax = Math.min(this.#opts.maxRecipientsPerTransaction ?? 100, limit(caps, 'RCPTMAX') ?? Infinity);
    const rcpts = m.remaining.slice(0, batchMax);
    try {
      const p = new SmtpClientArgs({ command: 'mail', lowercaseXtextHex: false, smtpUtf8: m.smtputf8 });
      if (hasCap(caps, 'SIZE') && m.size !== undefined) p.setSize(m.size);
      if (m.bodyType === '8bitmime') p.setBody('8BITMIME');
      if (m.bodyType === 'binarymime') p.setBody('BINARYMIME');
      if (m.smtputf8) p.set('SMTPUTF8');
      const dsn = m.input.dsn;
      const hasDsn = hasCap(caps, 'DSN');
      if (dsn && hasDsn) {
        if (dsn.ret) p.setRet(dsn.ret);
        if (dsn.envid !== undefined) p.setEnvid(dsn.envid);
      }
      if (m.input.requireTls) p.setRequireTls();
      const hctx: ArgsHookContext = { messageId: m.id, from: m.from, capabilities: caps };
      this.#opts.mailArgs?.(p, hctx);
      m.input.mailArgs?.(p, hctx);
      mailLine = formatMailFrom(m.from, p, { smtpUtf8: m.smtputf8 });
      for (const r of rcpts) {
        const rp = new SmtpClientArgs({ command: 'rcpt', lowercaseXtextHex: false, smtpUtf8: m.smtputf8 });
        if (dsn && hasDsn) {
          if (dsn.notify) rp.set('NOTIFY', notifyValue(dsn.notify));
          const o = dsn.orcpt?.[r];
          if (o !== undefined) rp.setOrcpt('rfc822', o);
        }
        const rctx: ArgsHookContext = { ...hctx, recipient: r };
        this.#opts.rcptArgs?.(rp, rctx);
        m.input.rcptArgs?.(rp, rctx);
        rcptParams.push(formatRcptTo(r, rp, { smtpUtf8: m.smtputf8 }));
      }
    } catch {
      return failLocal('ERR_SMTP_CLIENT_HOOK_FAILED', true);
    }
    const mailIdx = this.#states.indexOf('mail');
    const dataIdx = this.#states.indexOf('data');
    const onlyBuiltins = this.#states.list().slice(mailIdx, dataIdx + 1).every((s) => s.builtin);
    const pipelined = this.#pipelining() && onlyBuiltins;
    const t: Txn = {
      rcpts,
      rcptParams,
      mailLine,
      pipelined,
      bdat,
      mailOk: false,
      mailReply: undefined,
      rcptSent: 0,
      rcptReplies: 0,
      accepted: [],
      encoder: undefined,
      bdatOutstanding: 0,
      bdatFailed: undefined,
      bdatBuf: [],
      bdatBufLen: 0,
      lastSent: false,
      bodyStarted: false,
      bodyEnded: false,
      waitingBody: false,
      endPending: false,
      emptyDot: false,
      finalReplies: 0,
    };
    return t;
  }

  #sendRcpt(t: Txn): void {
    const line = t.rcptParams[t.rcptSent++];
    if (line !== undefined) this.#command(line);
  }

  #replyMail(reply: Reply): void {
    const t = this.#txn!;
    const m = this.#queue[0]!;
    t.mailReply = reply;
    if (reply.code >= 200 && reply.code < 300) {
      t.mailOk = true;
      return this.#goto(null);
    }
    // MAIL refused: every recipient of the message fails with this reply.
    for (const r of [...t.rcpts, ...m.remaining]) this.#setResult(m, r, 'rejected', reply, undefined, STAGE.DURING_MAIL, true);
    m.remaining = [];
    m.lastReply = reply;
    this.#needRset = true;
    if (t.pipelined) return this.#goto(null); // the RCPT and DATA replies still come
    this.#endTransaction();
  }

  #replyRcpt(reply: Reply): void {
    const t = this.#txn!;
    const m = this.#queue[0]!;
    const r = t.rcpts[t.rcptReplies++]!;
    if (t.mailOk) {
      if (reply.code >= 200 && reply.code < 300) t.accepted.push(r);
      else if (t.accepted.length > 0 && this.#isRecipientLimit(reply, t.rcptReplies - 1)) {
        // Too many recipients (RFC 5321 §4.5.3.1.10): retry in a following transaction (INJ-9)
        // when the body can be sent again, else the recipient is deferred.
        if (m.body !== undefined) m.remaining.push(r);
        else this.#setResult(m, r, 'deferred', reply, 'ERR_SMTP_CLIENT_RECIPIENT_DEFERRED', STAGE.DURING_RCPT, true);
      } else this.#setResult(m, r, 'rejected', reply, undefined, STAGE.DURING_RCPT, true);
    }
    if (t.rcptReplies < t.rcpts.length) {
      if (!t.pipelined) this.#sendRcpt(t);
      return;
    }
    this.#goto(null);
  }

  /**
   * True when a RCPT reply says "too many recipients in this transaction" rather than something
   * about this recipient: 452/552 with 4.5.3 or 5.5.3, or with no enhanced code once the client has
   * sent more RCPTs than the server must accept: its LIMITS RCPTMAX, else the 100 recipients every
   * server must buffer (RFC 5321 §4.5.3.1.8, §4.5.3.1.10, RFC 9422). `452 4.2.2 mailbox full` or
   * `452 4.7.1 greylisted` are that recipient's own result.
   */
  #isRecipientLimit(reply: Reply, index: number): boolean {
    if (reply.code !== 452 && reply.code !== 552) return false;
    const e = reply.enhanced;
    if (e) return e.subject === 5 && e.detail === 3;
    return index >= (limit(this.#caps, 'RCPTMAX') ?? 100);
  }

  #enterData(): void {
    const t = this.#txn!;
    if (t.bdat) return this.#goto(null);
    if (t.pipelined) return; // DATA already sent
    if (t.accepted.length === 0) return this.#endTransaction();
    this.#command('DATA');
  }

  #replyData(reply: Reply): void {
    const t = this.#txn!;
    const m = this.#queue[0]!;
    if (reply.code === 354) {
      if (t.accepted.length === 0) {
        // RFC 2920 §3.1: a 354 although no recipient was accepted: send only the terminator (SM-3).
        t.emptyDot = true;
        t.bodyEnded = true;
        this.#write(encoder.encode('.\r\n'));
        this.#expect(1);
        return this.#goto('final');
      }
      return this.#goto(null);
    }
    // After a refused MAIL, the pipelined DATA's refusal (503 or 554) is a consequence: the
    // message's reply stays the MAIL reply.
    if (t.mailOk) {
      for (const r of t.accepted) this.#setResult(m, r, 'rejected', reply, undefined, STAGE.DURING_DATA, true);
      m.lastReply = reply;
    }
    this.#endTransaction();
  }

  #enterBody(): void {
    const t = this.#txn!;
    const m = this.#queue[0]!;
    if (t.accepted.length === 0) return this.#endTransaction();
    t.bodyStarted = true;
    t.encoder = new BodyEncoder({
      dotStuff: !t.bdat,
      bareLineEndings: this.#opts.bareLineEndings ?? 'normalize',
      binary: m.bodyType === 'binarymime',
    });
    if (m.body !== undefined) {
      const bytes = t.encoder.push(m.body);
      if (t.bdat) return this.#finishBody(t, bytes); // one BDAT ... LAST
      this.#bodyBytes(t, bytes);
      this.#finishBody(t);
      return;
    }
    this.#needBody(t);
  }

  #needBody(t: Txn): void {
    const m = this.#queue[0]!;
    t.waitingBody = true;
    this.#refusedBody = false;
    this.#emit({ type: 'need-body', messageId: m.id, transaction: m.transaction });
  }

  /** Queues encoded body bytes; true when a BDAT command went out (its reply is owed). */
  #bodyBytes(t: Txn, bytes: Uint8Array): boolean {
    if (bytes.length === 0) return false;
    if (!t.bdat) {
      this.#write(bytes);
      return false;
    }
    t.bdatBufLen += bytes.length;
    if (t.bdatBufLen < BDAT_MIN_CHUNK) {
      // held across writeBody calls: a copy, since the caller may reuse its buffer
      t.bdatBuf.push(bytes.slice());
      return false;
    }
    t.bdatBuf.push(bytes);
    const all = concat(t.bdatBuf, t.bdatBufLen);
    t.bdatBuf = [];
    t.bdatBufLen = 0;
    // Pipelined chunks are cut at BDAT_MAX_CHUNK; without pipelining one BDAT carries what is
    // buffered (under BDAT_MIN_CHUNK plus one source chunk; the Node adapter cuts source chunks).
    const step = this.#pipelining() ? BDAT_MAX_CHUNK : all.length;
    for (let o = 0; o < all.length; o += step) {
      const piece = all.subarray(o, Math.min(all.length, o + step));
      this.#command(`BDAT ${piece.length}`);
      t.bdatOutstanding++;
      this.#write(piece);
    }
    return true;
  }

  #finishBody(t: Txn, head?: Uint8Array): void {
    let tail = t.encoder!.end();
    const parts = [...t.bdatBuf];
    if (head && head.length > 0) parts.push(head);
    if (tail.length > 0) parts.push(tail);
    const total = t.bdatBufLen + (head?.length ?? 0) + tail.length;
    t.bdatBuf = [];
    t.bdatBufLen = 0;
    tail = parts.length === 0 ? tail : concat(parts, total);
    if (t.bdat && this.#pipelining()) {
      // Split a large remainder into pipelined chunks; the last piece goes with LAST.
      while (tail.length > BDAT_MAX_CHUNK) {
        this.#command(`BDAT ${BDAT_MAX_CHUNK}`);
        t.bdatOutstanding++;
        this.#write(tail.subarray(0, BDAT_MAX_CHUNK));
        tail = tail.subarray(BDAT_MAX_CHUNK);
      }
    }
    t.bodyEnded = true;
    t.lastSent = t.bdat;
    t.waitingBody = false;
    const n = this.#opts.lmtp ? t.accepted.length : 1;
    this.#opts.transcript?.({ direction: 'client', line: `[message body: ${t.encoder!.bytesWritten} bytes]` });
    if (t.bdat) {
      this.#command(`BDAT ${tail.length} LAST`);
      this.#write(tail);
      this.#expect(n - 1);
    } else {
      this.#write(tail);
      this.#expect(n);
      this.#writeNextAhead(t);
    }
    this.#goto('final');
  }

  #replyBdat(t: Txn, reply: Reply): void {
    t.bdatOutstanding--;
    if ((reply.code < 200 || reply.code >= 300) && !t.bdatFailed) {
      // The first refusal decides the message (RFC 3030 §4.1): nothing more of the body is sent.
      t.bdatFailed = reply;
      if (!t.lastSent) {
        t.bodyEnded = true;
        t.waitingBody = false;
        t.endPending = false;
        t.bdatBuf = [];
        t.bdatBufLen = 0;
      }
    }
    if (t.bdatFailed && !t.lastSent) {
      if (t.bdatOutstanding > 0) return; // replies to chunks already sent still come
      const m = this.#queue[0]!;
      for (const addr of t.accepted) this.#setResult(m, addr, 'rejected', t.bdatFailed, undefined, STAGE.SENDING_BODY, true);
      m.lastReply = t.bdatFailed;
      this.#needRset = true;
      this.#refusedBody = true;
      return this.#endTransaction();
    }
    if (t.endPending && t.bdatOutstanding === 0) {
      t.endPending = false;
      return this.#finishBody(t);
    }
    if (!t.bodyEnded && !t.waitingBody && !t.endPending && (!this.#pipelining() || t.bdatOutstanding < BDAT_MAX_IN_FLIGHT)) this.#needBody(t);
  }

  #replyFinal(reply: Reply): void {
    const t = this.#txn!;
    const m = this.#queue[0]!;
    if (t.bdatOutstanding > 0) return this.#replyBdat(t, reply);
    if (t.emptyDot) {
      this.#needRset = true;
      return this.#endTransaction();
    }
    const decide = (addr: string, r: Reply): void => {
      const bad = t.bdatFailed ?? (r.code >= 200 && r.code < 300 ? undefined : r);
      if (bad) this.#setResult(m, addr, 'rejected', bad, undefined, STAGE.READING_CONFIRMATION, true);
      else {
        this.#setResult(m, addr, 'accepted', r, undefined, STAGE.READING_CONFIRMATION, false);
        m.queuedReply = r;
      }
    };
    m.lastReply = reply;
    if (this.#opts.lmtp) {
      const addr = t.accepted[t.finalReplies++]!;
      decide(addr, reply);
      if (t.finalReplies < t.accepted.length) return;
    } else {
      for (const addr of t.accepted) decide(addr, reply);
    }
    this.#endTransaction();
  }

  /** The transaction is over: continue the message in another one, or report it. */
  #endTransaction(): void {
    const t = this.#txn!;
    const m = this.#queue[0]!;
    this.#txn = undefined;
    if (!t.bodyEnded && t.mailOk) this.#needRset = true;
    if (m.remaining.length > 0 && (m.body !== undefined || !t.bodyStarted)) {
      m.transaction++;
      return this.#goto(this.#needRset ? 'rset' : 'mail');
    }
    for (const r of m.remaining) this.#setResult(m, r, 'deferred', undefined, 'ERR_SMTP_CLIENT_RECIPIENT_DEFERRED', STAGE.AFTER_RCPT, true);
    m.remaining = [];
    this.#queue.shift();
    this.#finishMessage(m, undefined, undefined);
    this.#goto(this.#needRset ? 'rset' : 'idle');
  }
}

