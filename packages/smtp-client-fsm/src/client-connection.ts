/**
 * The sans-IO SMTP/LMTP client: bytes in (`receiveData`), events out (`nextEvent`), bytes to
 * write (`dataToSend`). The session runs through an ordered, user-extensible list of state
 * definitions (`src/states/`), driven by the engine in `session.ts`.
 */
import { ReplyReader, isReplyReaderError } from 'smtp-reply-reader';
import type { ReplyReaderOptions } from 'smtp-reply-reader';
import { Capabilities } from 'smtp-capabilities';
import { SmtpClientArgs } from 'smtp-client-args';
import { BARE_LINE_ENDING_POLICIES, TLS_SECURITY_LEVELS, inheritedFields, isBytes, isIterableObject, isWellFormedText, isOptionsObject } from '@smtpkit/foundation';
import type { BareLineEndingPolicy, SaslClientCredentials, SaslCrypto, SaslMechanism, TlsSecurity } from '@smtpkit/foundation';
import { BodyEncoder } from './body-encoder.js';
import { argsCheck, assertNoControl, checkPath, envelopeForms, recipientKey } from './checks.js';
import { defaultClassify } from './classify.js';
import type { Classifier } from './classify.js';
import { SmtpClientError, isClientErrorCode, isSmtpClientError, usage } from './errors.js';
import type { ClientErrorCode } from './errors.js';
import type { ClientEvent } from './events.js';
import { Session } from './session.js';
import type { ClientStateDefinition, RegisterOptions, StateInfo } from './state-registry.js';
import { StateRegistry } from './state-registry.js';
import { createStateRegistry } from './states/index.js';
import { abandonBody, bodyBytes, bodyBytesOf, chunkMayGo, finishBody, needBody } from './transaction.js';
import type { Message, Txn } from './transaction.js';
import { DEFAULT_TIMEOUTS } from './timeouts.js';
import type { ClientPendingTimeout, ClientTimeouts } from './timeouts.js';

export { BDAT_MAX_CHUNK, BDAT_MIN_CHUNK } from './transaction.js';
export { messageOutcome } from './session.js';

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

/**
 * Credentials for AUTH: a password (CRAM-MD5 when `crypto.hmacMd5` is there, then PLAIN, then
 * LOGIN, or the `mechanisms` you list), an OAuth2 access token (XOAUTH2 when the server offers it,
 * else OAUTHBEARER, RFC 7628; or the `mechanisms` you list), or any `SaslMechanism` (its `client`
 * side runs with `credentials`).
 *
 * @example
 * const auth: AuthOptions = { user: 'me@example.com', pass: 'secret' };
 * @see RFC 4954, RFC 4422
 */
export type AuthOptions =
  | { readonly user: string; readonly pass: string; readonly authzid?: string; readonly mechanisms?: readonly string[] }
  | { readonly user: string; readonly accessToken: string; readonly mechanisms?: readonly string[] }
  | { readonly mechanism: SaslMechanism; readonly credentials?: SaslClientCredentials };

/**
 * DSN parameters of a message (RFC 3461), sent only when the server advertises DSN; rendered
 * (xtext included) by smtp-client-args.
 *
 * @example
 * const dsn: DsnOptions = { ret: 'HDRS', envid: 'abc', notify: ['FAILURE', 'DELAY'] };
 * @see RFC 3461 §4
 */
export interface DsnOptions {
  readonly ret?: 'FULL' | 'HDRS';
  readonly envid?: string;
  readonly notify?: readonly ('NEVER' | 'SUCCESS' | 'FAILURE' | 'DELAY')[];
  /** Original recipient per recipient address (sent as `ORCPT=rfc822;<xtext>`). */
  readonly orcpt?: Readonly<Record<string, string>>;
}

/**
 * Context given to the argument hooks: `capabilities` is smtp-capabilities' `Capabilities`, so
 * `checkArgsAgainst(capabilities, args)` from smtp-client-args works as is.
 *
 * @example
 * mailArgs: (args, { capabilities }) => { if (capabilities.has('MT-PRIORITY')) args.setMtPriority(3); }
 * @see RFC 5321 §4.1.1.2
 */
export interface ArgsHookContext {
  readonly messageId: number;
  readonly from: string;
  readonly capabilities: Capabilities;
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
 * new ClientConnection({ hostname: 'client.example', security: 'required', auth: { user: 'u', pass: 'p' } });
 * @see RFC 5321, RFC 2920, RFC 3207, RFC 4954
 */
export interface ClientOptions {
  /** Name sent with EHLO/HELO/LHLO (default `localhost`). */
  readonly hostname?: string;
  /** LMTP: LHLO and one final reply per accepted recipient (RFC 2033). */
  readonly lmtp?: boolean;
  /**
   * TLS: `off`, `opportunistic` (STARTTLS when offered), `required` (STARTTLS or give up before
   * AUTH or MAIL), `implicit` (the transport is already TLS, port 465). Default `required` when
   * `auth` is set, else `opportunistic`.
   */
  readonly security?: TlsSecurity;
  readonly auth?: AuthOptions;
  /** Allow AUTH without TLS (default false: credentials never go out in clear). Implies `allowUnverifiedAuth`. */
  readonly allowInsecureAuth?: boolean;
  /**
   * Allow AUTH over TLS whose certificate was not verified (default false: opportunistic TLS to a
   * self-signed certificate encrypts the mail but never carries credentials).
   */
  readonly allowUnverifiedAuth?: boolean;
  /** With `security: 'implicit'`: whether the transport's certificate was verified (default true). */
  readonly tlsVerified?: boolean;
  readonly crypto?: SaslCrypto;
  /** Use RFC 2920 pipelining when offered (default true). */
  readonly pipelining?: boolean;
  /** Use BDAT when CHUNKING is offered (default false). */
  readonly chunking?: boolean;
  /**
   * Write an RSET before a message written ahead behind a final dot whose reply has not come yet
   * (default true). With PIPELINING, queued messages go out in the same write as the previous
   * message's dot (`.`, `RSET`, `MAIL`, `RCPT`, `DATA`, RFC 2920 §3.1): the client cannot know yet
   * whether the server will accept that dot, and a server may keep the transaction open after
   * refusing it (RFC 5321 §3.3 ends a transaction only with an accepted end of data or RSET; Postfix
   * does after an end-of-data restriction), answering the MAIL behind it `503 nested MAIL command`
   * and joining its RCPT to the refused transaction. RFC 2920 §3.1 allows RSET anywhere in a group,
   * and the RSET makes the group the next message's whatever the dot's reply says.
   *
   * `false` leaves that RSET out, for a relay known to end the transaction whenever it refuses the
   * dot (most do): 6 bytes fewer out and one reply fewer in per message written ahead, no round
   * trip either way. Nothing else changes: an RSET still goes before the next MAIL after a refusal
   * the client has seen. Should the relay keep the transaction after all, the written-ahead MAIL
   * meets a 503 and goes again after RSET (once), and a 354 to its DATA gets no dot: the session
   * ends and what is queued is `deferred`, never delivered into the refused transaction.
   */
  readonly rsetWrittenAhead?: boolean;
  /** Bare CR/LF in bodies: `normalize` (default, to CRLF), `replace` (a space) or `reject`. */
  readonly bareLineEndings?: BareLineEndingPolicy;
  /**
   * Send body lines longer than 998 octets as given (default false: such a body is
   * `ERR_SMTP_CLIENT_LINE_TOO_LONG`, RFC 5322 §2.1.1, RFC 5321 §4.5.3.1.6; relays break or fold
   * such lines, altering the mail and any signature). A `binarymime` body is never checked.
   */
  readonly allowLongLines?: boolean;
  /**
   * The caller reports what the transport has written with `dataWritten(n)` (default false). The
   * wait for the reply to the final dot (`dataDone`, RFC 5321 §4.5.3.2.6) then starts once the dot
   * has been written, not when it was queued: until then the body is still going out, under
   * `dataBlock` (§4.5.3.2.5), re-armed by each write reported. A message whose dot was never
   * reported written is `deferred` rather than `unknown` when the session fails, and a 2xx that
   * comes before it is written is no acceptance (RFC 5321 §4.1.1.4): the session ends with
   * `ERR_SMTP_CLIENT_UNEXPECTED_REPLY` and the message is `deferred`.
   */
  readonly reportsWrites?: boolean;
  /** Recipients per transaction before the rest go into a following one (default 100; LIMITS RCPTMAX wins when lower). */
  readonly maxRecipientsPerTransaction?: number;
  readonly timeouts?: Partial<ClientTimeouts>;
  /**
   * Limits of the server's replies (smtp-reply-reader's options). Defaults: lines of up to 12294
   * octets, CRLF included (a `334` AUTH challenge of 12288 octets of base64, RFC 4954 §4; the
   * reader's own default is 4096), 512 lines and 64 KiB per reply, so at most about 76 KiB is held
   * for the reply in progress. A longer line ends the session with `ERR_SMTP_CLIENT_PROTOCOL`
   * (`ERR_SMTP_LINE_TOO_LONG` in its message), the messages deferred. A `maxLineLength` given
   * here wins, for AUTH challenges too.
   */
  readonly replyLimits?: ReplyReaderOptions;
  /**
   * Classifies negative replies for the results: a function `(reply, domain) => Classification`
   * (default: smtp-errors' `classify`). A smtp-errors `createClassifier()` instance is an object,
   * not this function: pass `(reply, domain) => custom.classify(reply, { domain })`.
   */
  readonly classify?: Classifier;
  readonly mailArgs?: ArgsHook;
  readonly rcptArgs?: ArgsHook;
  readonly transcript?: (entry: TranscriptEntry) => void;
  /**
   * A state list shared between connections (default: a fresh one per connection). Each
   * connection takes a copy when it is created: `registerState()` / `replaceState()` on a
   * connection change its copy only, and a change to the shared list reaches the connections
   * created afterwards.
   */
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
  /**
   * Forward paths. A recipient given more than once (the same local part, the domain in any case:
   * RFC 5321 §2.4) gets one RCPT and one result, under its first spelling: a server that accepts
   * both would otherwise deliver the message to it twice. A U-label and an A-label spelling of one
   * domain are one domain too.
   */
  readonly to: readonly string[];
  readonly body?: Uint8Array | string;
  /**
   * Body content type: `8bitmime` / `binarymime` (RFC 6152, RFC 3030). Detected for whole bodies.
   * A streamed body cannot be scanned before MAIL: left out, it is declared `BODY=8BITMIME` whenever
   * the server offers 8BITMIME (and sent undeclared to a server that does not: a byte over 127 in
   * an undeclared stream then fails the message for good and ends the session before the final
   * dot, RFC 6152 §3); say `7bit` for a
   * stream you know is 7-bit, `8bitmime` to have it fail with a server without 8BITMIME.
   */
  readonly bodyType?: '7bit' | '8bitmime' | 'binarymime';
  /**
   * Size announced with SIZE. Computed for whole bodies: the octets of the message as sent (bare
   * line endings made CRLF, a final CRLF added; dot-stuffing not counted, RFC 1870 §3).
   */
  readonly size?: number;
  readonly dsn?: DsnOptions;
  /** RFC 8689 REQUIRETLS: the message fails unless the server offers it over TLS whose certificate verified (§4.2.1). */
  readonly requireTls?: boolean;
  readonly mailArgs?: ArgsHook;
  readonly rcptArgs?: ArgsHook;
}


function checkAuth(auth: AuthOptions): void {
  if (!isOptionsObject(auth)) throw usage('ERR_SMTP_CLIENT_INVALID_OPTION', 'auth: expected { user, pass }, { user, accessToken } or { mechanism }');
  if ('mechanism' in auth) {
    if (typeof auth.mechanism?.name !== 'string' || typeof auth.mechanism.client !== 'function') throw usage('ERR_SMTP_CLIENT_INVALID_OPTION', 'auth.mechanism: expected a SaslMechanism with a client side');
    assertNoControl('AUTH mechanism', auth.mechanism.name);
    // the same fields as the other forms, with the same separators when a built-in runs them
    // (`{ mechanism: PLAIN, credentials }`): checked alike, whatever mechanism gets them
    const c: unknown = auth.credentials;
    if (c === undefined) return;
    if (!isOptionsObject(c)) throw usage('ERR_SMTP_CLIENT_INVALID_OPTION', 'auth.credentials: expected { user, pass?, authzid?, accessToken? }');
    return checkCredentialFields(c as SaslClientCredentials, 'auth.credentials.');
  }
  const m: unknown = auth.mechanisms;
  if (m !== undefined && (!Array.isArray(m) || m.some((n) => typeof n !== 'string'))) throw usage('ERR_SMTP_CLIENT_INVALID_OPTION', 'auth.mechanisms: expected names');
  if (!('accessToken' in auth) && typeof auth.pass !== 'string') throw usage('ERR_SMTP_CLIENT_INVALID_OPTION', 'AUTH password: expected a string');
  checkCredentialFields(auth, 'auth.');
}

/**
 * The credential fields a client mechanism writes, checked: strings, no NUL (PLAIN separates its
 * fields with it), and with an access token no control byte in the token or the user (XOAUTH2 and
 * OAUTHBEARER separate theirs with ^A; OAUTHBEARER escapes `,` and `=` itself, RFC 7628 §3.1):
 * no field may hide another (INJ-1).
 */
function checkCredentialFields(c: SaslClientCredentials, where: string): void {
  if (typeof c.user !== 'string') throw usage('ERR_SMTP_CLIENT_INVALID_OPTION', `${where}user: expected a string`);
  if (c.accessToken !== undefined) {
    assertNoControl('AUTH user', c.user);
    assertNoControl('AUTH access token', String(c.accessToken));
  }
  for (const [what, v] of [['AUTH user', c.user], ['AUTH password', c.pass], ['AUTH authzid', c.authzid]] as const) {
    if (v === undefined) continue;
    if (typeof v !== 'string') throw usage('ERR_SMTP_CLIENT_INVALID_OPTION', `${what}: expected a string`);
    if (v.includes('\0')) throw usage('ERR_SMTP_CLIENT_CONTROL_CHARACTER', `${what} contains NUL`);
  }
}

const BOOLEAN_OPTIONS = ['lmtp', 'allowInsecureAuth', 'allowUnverifiedAuth', 'tlsVerified', 'pipelining', 'chunking', 'rsetWrittenAhead', 'allowLongLines', 'reportsWrites'] as const;
/** Built-in states that only run inside a mail transaction (after `mail` opened it). */
const TRANSACTION_STATES: readonly string[] = ['rcpt', 'data', 'body', 'final'];
const FUNCTION_OPTIONS = ['classify', 'mailArgs', 'rcptArgs', 'transcript'] as const;
const REGISTRY_METHODS = ['list', 'register', 'replace', 'get', 'after', 'indexOf', 'groupBetween'] as const;

/**
 * The encoder refused body data (a bare line ending under `reject`, text with a lone surrogate, a
 * body that ends on either): nothing completes the message, so the session ends now rather than
 * waiting for a body, and the message fails for good (the same body fails again).
 */
function bodyCannotBeSent(s: Session, e: unknown): void {
  if (isSmtpClientError(e)) s.fatal(e.code, e.message, 'error', undefined, true);
}

/**
 * The transaction whose streamed body `writeBody()` / `endBody()` (`call`) goes to, from its first
 * need-body to endBody(); undefined when the call is dropped: after a refused BDAT chunk, or for a
 * need-body that went out just before a chunk's refusal ended the transaction. Elsewhere
 * `ERR_SMTP_CLIENT_NOT_IN_BODY`. With `messageId`, only that message's body phase: a call naming
 * another message is `ERR_SMTP_CLIENT_NOT_IN_BODY` (dropped when a refused chunk ended its body).
 */
function bodyTxn(s: Session, call: string, messageId?: number): Txn | undefined {
  const t = s.txn;
  // (an id that is no message's, of any type, names no message in its body phase)
  if (messageId !== undefined && (!t || s.queue[0]?.id !== messageId)) {
    if (messageId === s.refusedId) return undefined;
    throw usage('ERR_SMTP_CLIENT_NOT_IN_BODY', `${call}(): message ${messageId} is not in its body phase`);
  }
  // a need-body answered after a refusal ended its message: for that message, dropped
  if ((t?.bdatFailed && s.current.name === 'body' && !s.closed) || (messageId === undefined && s.refusedBody && !t?.waitingBody)) return undefined;
  if (!t?.bodyStarted || t.bodyEnded || t.endPending || s.current.name !== 'body' || s.closed) throw usage('ERR_SMTP_CLIENT_NOT_IN_BODY', `${call}() outside the body phase`);
  return t;
}

/** The transaction whose body phase is open (for `messageId` when given), or undefined (no throw). */
function bodyPhase(s: Session, messageId: number | undefined): Txn | undefined {
  try {
    return bodyTxn(s, 'writeBody', messageId);
  } catch {
    return undefined;
  }
}

/**
 * The session's reply reader. Reply lines go to 12294 octets unless `limits.maxLineLength` says
 * otherwise: a `334 ` challenge of 12288 octets of base64 with its CRLF (RFC 4954 §4), above the
 * reader's own default of 4096.
 */
function replyReader(limits: ReplyReaderOptions = {}): ReplyReader {
  const o = inheritedFields(limits);
  if (o['maxLineLength'] === undefined) o['maxLineLength'] = 12294;
  return new ReplyReader(o);
}

function badOption(option: string, expected: string): SmtpClientError {
  return usage('ERR_SMTP_CLIENT_INVALID_OPTION', `${option}: ${expected}`);
}

/** foundation's options check, narrowing to a record of fields. */
const isObject = isOptionsObject as (v: unknown) => v is Record<string, unknown>;

/**
 * The one check of {@link ClientOptions}: every option's type and range, the message naming the
 * option. Returns the resolved timeouts and TLS policy.
 */
function checkOptions(options: ClientOptions): { timeouts: ClientTimeouts; security: TlsSecurity; reader: ReplyReader } {
  const given: unknown = options;
  if (!isObject(given)) throw badOption('options', 'expected an object');
  const hostname: unknown = options.hostname === undefined ? 'localhost' : options.hostname;
  if (typeof hostname !== 'string') throw badOption('hostname', 'expected a string');
  assertNoControl('hostname', hostname);
  if (!isWellFormedText(hostname)) throw badOption('hostname', 'holds a lone surrogate (text with no UTF-8 form)');
  if (hostname === '' || hostname.includes(' ')) throw badOption('hostname', 'must be a domain or address literal');
  for (const k of BOOLEAN_OPTIONS) {
    if (options[k] !== undefined && typeof options[k] !== 'boolean') throw badOption(k, 'expected true or false');
  }
  for (const k of FUNCTION_OPTIONS) {
    if (options[k] !== undefined && typeof options[k] !== 'function') throw badOption(k, 'expected a function');
  }
  // read once; its fields with those it inherits (a class instance's getters, a prototype's defaults)
  const givenTimeouts: unknown = options.timeouts;
  if (givenTimeouts !== undefined && !isObject(givenTimeouts)) throw badOption('timeouts', 'expected an object of timer names to milliseconds');
  const timeouts = { ...DEFAULT_TIMEOUTS, ...(givenTimeouts && inheritedFields(givenTimeouts)) } as ClientTimeouts;
  for (const [k, v] of Object.entries(timeouts)) {
    if (!Object.hasOwn(DEFAULT_TIMEOUTS, k)) throw usage('ERR_SMTP_CLIENT_INVALID_OPTION', `timeouts.${k} is not a timer (${Object.keys(DEFAULT_TIMEOUTS).join(', ')})`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw usage('ERR_SMTP_CLIENT_INVALID_OPTION', `timeouts.${k} must be >= 0`);
  }
  const max: unknown = options.maxRecipientsPerTransaction === undefined ? 100 : options.maxRecipientsPerTransaction;
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 1) throw usage('ERR_SMTP_CLIENT_INVALID_OPTION', 'maxRecipientsPerTransaction must be >= 1');
  const security: unknown = options.security === undefined ? (options.auth ? 'required' : 'opportunistic') : options.security;
  if (!TLS_SECURITY_LEVELS.includes(security as TlsSecurity)) throw usage('ERR_SMTP_CLIENT_INVALID_OPTION', 'security must be off, opportunistic, required or implicit');
  if (options.bareLineEndings !== undefined && !BARE_LINE_ENDING_POLICIES.includes(options.bareLineEndings)) throw badOption('bareLineEndings', 'expected normalize, replace or reject');
  if (options.auth !== undefined) checkAuth(options.auth);
  if (options.crypto !== undefined) {
    if (!isObject(options.crypto)) throw badOption('crypto', 'expected an object of SASL crypto functions');
    if (options.crypto.hmacMd5 !== undefined && typeof options.crypto.hmacMd5 !== 'function') throw badOption('crypto.hmacMd5', 'expected a function');
  }
  if (options.replyLimits !== undefined && !isObject(options.replyLimits)) throw badOption('replyLimits', 'expected an object');
  // the session's reader, made here so that bad limits are an option error
  let reader: ReplyReader;
  try {
    reader = replyReader(options.replyLimits);
  } catch (e) {
    if (!isReplyReaderError(e)) throw e;
    throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_OPTION', `replyLimits: ${e.message}`, 'local', { cause: e });
  }
  if (options.states !== undefined) {
    const states: unknown = options.states;
    if (!isObject(states) || REGISTRY_METHODS.some((m) => typeof states[m] !== 'function')) throw badOption('states', 'expected a StateRegistry (createStateRegistry())');
  }
  return { timeouts, security: security as TlsSecurity, reader };
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
  private readonly s: Session;

  /**
   * Throws `ERR_SMTP_CLIENT_INVALID_OPTION`, naming the option, for options that are not an object
   * or an option of the wrong type or out of range (an undefined option is its default; a
   * boolean option is `true` or `false`, never a truthy value).
   */
  constructor(options: ClientOptions = {}) {
    const { timeouts, security, reader } = checkOptions(options);
    // A shared registry is copied: registerState()/replaceState() change this connection's list
    // only, and what the shared one gains later reaches connections created afterwards, never one
    // that is running (its replies are matched against the states it started with).
    const states = options.states ? StateRegistry.copyOf(options.states) : createStateRegistry();
    this.s = new Session(options, timeouts, states, options.classify ?? defaultClassify, security, reader);
  }

  // ---------------------------------------------------------------- state list (legacy API)

  /** Inserts a custom state after a state (name or id), or before the banner with `after: -1`; returns its id (the legacy `register_smtp_client_state`). */
  registerState(def: ClientStateDefinition, options: RegisterOptions): number {
    return this.s.states.register(def, options);
  }

  /** Puts a definition (typically a wrapped built-in) in the place of the state of the same name; returns the one it replaced. */
  replaceState(idOrName: string | number, def: ClientStateDefinition): ClientStateDefinition {
    return this.s.states.replace(idOrName, def);
  }

  /** A state by id or name (the legacy `smtp_get_state`); `definition` can be wrapped and put back with `replaceState`. */
  getState(idOrName: string | number): StateInfo | undefined {
    return this.s.states.get(idOrName);
  }

  /** The ordered state list (the legacy `smtp_get_state_machine`). */
  getStateMachine(): StateInfo[] {
    return this.s.states.list();
  }

  /**
   * Moves to a state by name or id, or to the next one with `null` (the legacy `smtp_next_state`).
   * Throws `ERR_SMTP_CLIENT_REPLIES_OUTSTANDING` while replies to commands already written (or the
   * greeting) are still due: the new state's commands would be read against the old replies.
   */
  nextState(state: string | number | null = null): void {
    this.s.start();
    if (this.s.outstanding > 0) throw usage('ERR_SMTP_CLIENT_REPLIES_OUTSTANDING', `nextState(): ${this.s.outstanding} repl${this.s.outstanding === 1 ? 'y is' : 'ies are'} still due in state ${this.s.current.name}`);
    // The transaction states read the open transaction: without one they cannot run (the session
    // is left as it was).
    const target = state === null ? this.s.states.after(this.s.current.name) : this.s.states.get(state);
    if (target?.builtin && TRANSACTION_STATES.includes(target.name) && !this.s.txn) {
      throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', `nextState(${JSON.stringify(state)}): state ${target.name} needs an open mail transaction (queue a message with sendMessage())`);
    }
    this.s.goto(state);
    this.s.drive();
  }

  /** The current state's name (`error` after a fatal error, `closed` once closed). */
  get state(): string {
    if (this.s.errored) return 'error';
    return this.s.closed ? 'closed' : this.s.current.name;
  }

  /** The legacy stage code of the current state (0 closed, 17 TLS handshake, 22 after an error). */
  get stage(): number {
    return this.s.stage();
  }

  /** The capabilities of the last EHLO (smtp-capabilities' `Capabilities`). */
  get capabilities(): Capabilities {
    return this.s.caps;
  }

  /** True once TLS is active. */
  get tls(): boolean {
    return this.s.tls;
  }

  /** True once TLS is active with a verified certificate (see `tlsEstablished`). */
  get tlsVerified(): boolean {
    return this.s.tls && this.s.tlsVerified;
  }

  /** True after `closed`: the adapter should close the transport once `dataToSend()` is flushed. */
  get closed(): boolean {
    return this.s.closed;
  }

  /**
   * True once the connection takes no more messages: QUIT has been asked for (by `quit()`, by the
   * `idle` timer, or by the session itself after a refused greeting or RSET, or LIMITS MAILMAX
   * reached) or the session has ended. `sendMessage()` then throws `ERR_SMTP_CLIENT_CLOSED`.
   * `closed` becomes true only when the session is over (the reply to QUIT, or the server gone):
   * a caller that reuses connections opens a new one as soon as this is true, and does not wait
   * for the old one's QUIT.
   *
   * @example
   * if (conn.closing) conn = newConnection(); // the next message goes elsewhere
   * @see RFC 5321 §4.1.1.10
   */
  get closing(): boolean {
    return this.s.closed || this.s.quitRequested;
  }

  // ---------------------------------------------------------------- h11-style surface

  /**
   * Feeds bytes received from the server (a `Uint8Array`, or a string read as UTF-8). Anything
   * else is `ERR_SMTP_CLIENT_INVALID_PARAMETER`, thrown before the session changes.
   */
  receiveData(data: Uint8Array | string): void {
    if (typeof data !== 'string' && !isBytes(data)) throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'data: expected a Uint8Array or a string');
    const s = this.s;
    s.start();
    if (s.closed) return;
    if (s.awaitingTls) {
      s.fatal('ERR_SMTP_CLIENT_STARTTLS_INJECTION', 'bytes received after the 220 reply to STARTTLS, before TLS', 'error');
      return;
    }
    let replies;
    try {
      replies = s.reader.push(data);
    } catch (e) {
      s.readerError(e);
      return;
    }
    s.onReplies(replies);
  }

  /** The server closed its side. */
  receiveEof(): void {
    const s = this.s;
    s.start();
    if (s.closed) return;
    if (s.quitSent) {
      s.close('quit', undefined);
      return;
    }
    s.fatal('ERR_SMTP_CLIENT_CONNECTION_LOST', 'the server closed the connection', 'eof');
  }

  /** The next event, or `{ type: 'need-data' }` when the machine waits for the network. */
  nextEvent(): ClientEvent {
    const s = this.s;
    s.start();
    if (s.eventHead < s.events.length) {
      const e = s.events[s.eventHead++]!;
      if (s.eventHead === s.events.length) {
        s.events = [];
        s.eventHead = 0;
      }
      return e;
    }
    return { type: 'need-data' };
  }

  /** Bytes to write to the server (empty when nothing is pending). */
  dataToSend(): Uint8Array {
    const s = this.s;
    s.start();
    const out = s.out;
    s.unsent = 0;
    if (out.length === 0) return new Uint8Array(0);
    s.out = [];
    s.handed = s.queued;
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

  /**
   * Reports that the transport has written `byteCount` more octets of what `dataToSend()` returned
   * (from the write's completion callback, in order). With `reportsWrites`, this starts the wait for
   * the reply to the final dot once the dot is written, and re-arms `dataBlock` while the body is
   * still going out: check `pendingTimeout()` after it. A count that is not a non-negative integer,
   * or that goes past what `dataToSend()` handed out, is `ERR_SMTP_CLIENT_INVALID_PARAMETER`.
   *
   * @example
   * ```ts
   * const out = conn.dataToSend();
   * socket.write(out, (err) => { if (!err) { conn.dataWritten(out.length); armTimer(); } });
   * ```
   * @see RFC 5321 §4.5.3.2.5, §4.5.3.2.6
   */
  dataWritten(byteCount: number): void {
    const s = this.s;
    if (!Number.isSafeInteger(byteCount) || byteCount < 0 || s.written + byteCount > s.handed) {
      throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', `byteCount: expected an integer from 0 to the ${s.handed - s.written} octets handed out by dataToSend() and not reported written`);
    }
    s.written += byteCount;
    // Progress on the link while the body goes out: a fresh data-block timer, or once the dot is
    // written, the final reply's.
    // `armed`, not `timer`: with `dataBlock: 0` no data-block timer runs, yet the dot's write
    // must still start the final reply's.
    if (byteCount > 0 && !s.closed && s.armed === 'dataBlock' && (s.timer === undefined || s.timer.name === 'dataBlock')) s.arm(s.current.definition.timeout === 'dataDone' ? 'dataDone' : 'dataBlock');
  }

  /** The timer to arm (`name` is its key in the `timeouts` option), or undefined. */
  pendingTimeout(): ClientPendingTimeout | undefined {
    this.s.start();
    return this.s.closed ? undefined : this.s.timer;
  }

  /**
   * Ends the session now, as a timeout (`ERR_SMTP_CLIENT_TIMEOUT`, the default) or another failure:
   * every pending message settles (after the final dot: `unknown`), nothing more is written, and the
   * adapter should destroy the transport. Used for whole-message and connect deadlines.
   * `code` is one of this package's codes ({@link ClientErrorCode}) and `message` a string: anything
   * else is `ERR_SMTP_CLIENT_INVALID_PARAMETER`, thrown before the session changes (the `error`
   * event carries only the package's stable codes). With `permanent`, the message in flight fails
   * for good (`rejected`, not retried) rather than `deferred`: for a cause no retry can fix, such
   * as a body source that yields something other than text or bytes; queued messages stay
   * transient.
   *
   * @example
   * conn.abort('body source yielded a number', 'ERR_SMTP_CLIENT_INVALID_PARAMETER', { permanent: true });
   */
  abort(message = 'aborted', code: ClientErrorCode = 'ERR_SMTP_CLIENT_TIMEOUT', options: { readonly permanent?: boolean } = {}): void {
    if (typeof message !== 'string') throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'message: expected a string');
    if (!isClientErrorCode(code)) throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'code: expected one of the ERR_SMTP_CLIENT_ codes');
    const given: unknown = options;
    if (!isObject(given) || (given['permanent'] !== undefined && typeof given['permanent'] !== 'boolean')) {
      throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'options: expected an object { permanent?: boolean }');
    }
    this.s.start();
    this.s.fatal(code, message, code === 'ERR_SMTP_CLIENT_TIMEOUT' ? 'timeout' : 'error', undefined, options.permanent === true);
  }

  /** The timer `id` (from `pendingTimeout()`) fired. Stale ids are ignored. */
  handleTimeout(id: number): void {
    const s = this.s;
    const t = s.timer;
    if (s.closed || !t || id !== t.id) return;
    s.timer = undefined;
    if (t.name === 'idle') {
      // out through the states after `idle` (registered ones, then `quit`), as after quit()
      s.quitRequested = true;
      s.gotoAfter('idle');
      s.drive();
      return;
    }
    if (t.name === 'quit') {
      s.close('timeout', undefined);
      return;
    }
    s.fatal('ERR_SMTP_CLIENT_TIMEOUT', `timeout: ${t.name}`, 'timeout');
  }

  /**
   * The adapter finished the TLS handshake after a `tls-start` event: capabilities are discarded and
   * EHLO is sent again. `verified: false` when the certificate was not checked or did not verify
   * (opportunistic TLS): the mail is encrypted, but credentials are not sent unless
   * `allowUnverifiedAuth` is set. `info` that is not an object, or a `verified` other than
   * `true`/`false`/undefined, is `ERR_SMTP_CLIENT_INVALID_PARAMETER` (TLS is still awaited).
   */
  tlsEstablished(info: { readonly verified?: boolean } = {}): void {
    const s = this.s;
    if (!s.awaitingTls) throw usage('ERR_SMTP_CLIENT_NOT_AWAITING_TLS', 'tlsEstablished() without a tls-start event');
    const given: unknown = info;
    if (!isObject(given)) throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'info: expected an object { verified }');
    if (info.verified !== undefined && typeof info.verified !== 'boolean') throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'info.verified: expected true or false');
    s.awaitingTls = false;
    s.tls = true;
    s.tlsVerified = info.verified !== false;
    s.reader = replyReader(s.opts.replyLimits);
    s.caps = Capabilities.none();
    s.authDone = false;
    s.goto('ehlo');
    s.drive();
  }

  /**
   * Queues a message and returns its id. Every field is checked first (INJ-1): nothing is queued
   * when this throws. A bad `from`/`to` is `ERR_SMTP_CLIENT_INVALID_ADDRESS`; any other field of
   * the wrong type or value (`body`, `bodyType`, `size`, `dsn` and its members, `requireTls` other
   * than `true`/`false`, `mailArgs`/`rcptArgs` that are not hook functions) is
   * `ERR_SMTP_CLIENT_INVALID_PARAMETER` naming the field. A recipient listed twice (its domain in any
   * case, or in U-labels and A-labels) is sent once, under its first spelling.
   */
  sendMessage(input: MessageInput): number {
    const s = this.s;
    if (s.closed || s.quitRequested) throw usage('ERR_SMTP_CLIENT_CLOSED', 'the connection is closing or closed');
    if (typeof input !== 'object' || input === null) throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'message: expected an object');
    if (typeof input.from !== 'string') throw usage('ERR_SMTP_CLIENT_INVALID_ADDRESS', 'from: expected a string address ("" for the null sender)');
    if (!isIterableObject(input.to)) {
      throw usage('ERR_SMTP_CLIENT_INVALID_ADDRESS', 'to: expected an array of addresses');
    }
    // The same recipient twice, its domain in any case (RFC 5321 §2.4) or in U-labels and A-labels
    // (RFC 5890 §2.3.2.1), is one RCPT (and one result, under its first spelling), not two deliveries.
    const to: string[] = [];
    const seen = new Set<string>();
    let i = 0;
    for (const r of input.to) {
      if (typeof r !== 'string') throw usage('ERR_SMTP_CLIENT_INVALID_ADDRESS', `to[${i}]: expected a string address`);
      i++;
      const key = recipientKey(r);
      if (!seen.has(key)) to.push(r);
      seen.add(key);
    }
    if (to.length === 0) throw usage('ERR_SMTP_CLIENT_INVALID_ADDRESS', 'to: at least one recipient is required');
    checkPath('from', input.from, true);
    to.forEach((r, i) => checkPath(`to[${i}]`, r, false));
    if (input.body !== undefined && typeof input.body !== 'string' && !isBytes(input.body)) {
      throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'body: expected a string or a Uint8Array (or stream it after need-body)');
    }
    if (input.bodyType !== undefined && !['7bit', '8bitmime', 'binarymime'].includes(input.bodyType)) {
      throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'bodyType: expected 7bit, 8bitmime or binarymime');
    }
    let body: Uint8Array | undefined;
    let size: number | undefined;
    let bodyType = input.bodyType;
    if (input.body !== undefined) {
      body = bodyBytesOf(input.body);
      size = body.length;
      if (bodyType !== 'binarymime') {
        // Refused now, before any byte of the message is sent: a bare line ending under reject, a
        // long line. SIZE is the message as sent, bare line endings resolved (RFC 1870 §3, §6.1).
        const e = new BodyEncoder({ dotStuff: false, bareLineEndings: s.opts.bareLineEndings ?? 'normalize', allowLongLines: s.opts.allowLongLines === true });
        size = e.push(body).length + e.end().length;
      }
      // A string is ASCII exactly when its UTF-8 is as long as it (any other character takes 2-4 bytes).
      if (bodyType === undefined) bodyType = (typeof input.body === 'string' ? body.length !== input.body.length : hasHighBit(body)) ? '8bitmime' : '7bit';
    }
    if (input.size !== undefined && (!Number.isSafeInteger(input.size) || input.size < 0)) throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'size must be a non-negative integer');
    if (input.requireTls !== undefined && typeof input.requireTls !== 'boolean') throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'requireTls: expected true or false');
    for (const k of ['mailArgs', 'rcptArgs'] as const) {
      if (input[k] !== undefined && typeof input[k] !== 'function') throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', `${k}: expected a function (args, context) => void`);
    }
    const dsn = input.dsn;
    const dsnGiven: unknown = dsn;
    if (dsnGiven !== undefined && !isObject(dsnGiven)) throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'dsn: expected an object { ret, envid, notify, orcpt }');
    const orcptGiven: unknown = dsn?.orcpt;
    if (orcptGiven !== undefined && !isObject(orcptGiven)) throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'dsn.orcpt: expected an object of recipient to original address');
    if (dsn?.envid !== undefined && typeof dsn.envid !== 'string') throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'dsn.envid: expected a string');
    if (dsn?.notify) {
      const notify = dsn.notify;
      const allowed: readonly string[] = ['NEVER', 'SUCCESS', 'FAILURE', 'DELAY'];
      if (!Array.isArray(notify) || notify.length === 0 || notify.some((n: unknown) => typeof n !== 'string' || !allowed.includes(n)) || (notify.includes('NEVER') && notify.length > 1)) {
        throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'NOTIFY must be NEVER or a list of SUCCESS, FAILURE, DELAY');
      }
      argsCheck('dsn.notify', () => new SmtpClientArgs({ command: 'rcpt' }).setNotify(notify.includes('NEVER') ? 'NEVER' : (notify as readonly ('SUCCESS' | 'FAILURE' | 'DELAY')[])));
    }
    if (dsn?.envid !== undefined) {
      assertNoControl('DSN envid', dsn.envid);
      // RFC 3461 §4.4: ENVID is printable ASCII (xtext-encoded); anything else is the caller's error.
      argsCheck('dsn.envid', () => new SmtpClientArgs({ command: 'mail' }).setEnvid(dsn.envid!));
    }
    if (dsn?.ret !== undefined && dsn.ret !== 'FULL' && dsn.ret !== 'HDRS') throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'RET must be FULL or HDRS');
    for (const [k, v] of Object.entries(dsn?.orcpt ?? {})) {
      if (typeof v !== 'string') throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', `dsn.orcpt[${JSON.stringify(k)}]: expected a string`);
      assertNoControl('DSN orcpt', v);
      argsCheck(`dsn.orcpt[${JSON.stringify(k)}]`, () => new SmtpClientArgs({ command: 'rcpt', smtpUtf8: true }).setOrcpt('rfc822', v));
    }
    const { smtputf8, wire } = envelopeForms([input.from, ...to]);
    const msg: Message = {
      id: s.nextMessageId++,
      from: input.from,
      to,
      body,
      bodyType: bodyType ?? '7bit',
      size: input.size ?? size,
      smtputf8,
      wire,
      input,
      remaining: [...to],
      results: new Map(),
      transaction: 0,
      lastReply: undefined,
      queuedReply: undefined,
    };
    s.queue.push(msg);
    s.start();
    if (s.current.name === 'idle' && !s.driving) {
      s.goto('mail');
      s.drive();
    }
    return msg.id;
  }

  /**
   * Writes a chunk of the current streamed body. The body phase runs from the message's first
   * `need-body` to `endBody()`: every chunk written in it is part of the message, in order, with
   * DATA or BDAT, whether or not you wait for a `need-body` between writes. `need-body` is the pace
   * the client asks for: a caller that writes one chunk per `need-body` (and sends `dataToSend()`
   * out, waiting for its socket to drain) holds one chunk at a time; with BDAT the client asks for
   * more only after the reply to the last chunk (without PIPELINING) or while fewer than 3 chunks
   * await their replies. Chunks written without waiting are kept until they may go, as DATA keeps
   * them in the output of `dataToSend()`: memory grows with what you write ahead.
   *
   * A chunk that needs no encoding (CRLF throughout, no line to dot-stuff) is queued without a
   * copy: leave it unchanged until the next `dataToSend()` has returned it (and, as with any socket
   * write, until that write is done). What is held longer (small BDAT chunks waiting to be
   * coalesced, chunks written ahead of a chunk's reply) is copied, so a source that refills one
   * buffer is safe as long as it calls `dataToSend()` between refills.
   *
   * Throws `ERR_SMTP_CLIENT_NOT_IN_BODY` before the first `need-body` of a message, after
   * `endBody()` and once the session is closed. A chunk that is not a string or a `Uint8Array` is
   * `ERR_SMTP_CLIENT_INVALID_PARAMETER`, thrown before anything of it is written; the body then
   * lacks it, so the message can no longer be delivered: later writes are dropped, and `endBody()`
   * fails the message with that code (with BDAT no `BDAT ... LAST` goes and RSET ends the
   * transaction; with DATA the session ends without the final dot, as past the 354 a body cannot
   * be abandoned in-band). Body data the encoder refuses (see the error codes) ends the session and fails the message. After a
   * BDAT chunk is refused, the chunks still written are dropped without a throw: the refusal is
   * the message's result.
   *
   * `messageId` (the `need-body` event's, or what `sendMessage()` returned) says which message the
   * chunk is for. Left out, the chunk goes to whichever body phase is open, so with several
   * messages queued a write that comes late (its message already settled) lands in the next
   * message's body. Given, a call for any other message than the one in its body phase is
   * `ERR_SMTP_CLIENT_NOT_IN_BODY` (dropped without a throw when a refused BDAT chunk ended that
   * message's body), as is an id that is no message's.
   *
   * @example
   * ```ts
   * conn.writeBody(chunk, event.messageId);
   * socket.write(conn.dataToSend());
   * ```
   * @see RFC 5321 §4.1.1.4, RFC 3030
   */
  writeBody(chunk: Uint8Array | string, messageId?: number): void {
    const s = this.s;
    if (typeof chunk !== 'string' && !isBytes(chunk)) {
      // Nothing of it is written, and the body lacks it: the message may no longer complete.
      const open = bodyPhase(s, messageId);
      if (open) {
        open.broken = true;
        open.bdatBuf = [];
        open.bdatBufLen = 0;
      }
      throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'chunk: expected a Uint8Array or a string');
    }
    const t = bodyTxn(s, 'writeBody', messageId);
    if (!t) return;
    if (t.broken) {
      // dropped, at the pace of the writes that go: the caller gets to endBody()
      if (t.waitingBody) needBody(s, t);
      return;
    }
    let bytes: Uint8Array;
    try {
      // 8-bit data may not go undeclared (RFC 6152 §3): the session ends before the final dot
      if (t.sevenBit && (typeof chunk === 'string' ? /[^\0-\x7f]/.test(chunk) : hasHighBit(chunk))) {
        throw s.caps.eightBitMime
          ? usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', "body: 8-bit data in a body declared bodyType '7bit'")
          : usage('ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE', 'body: 8-bit data, and the server does not offer 8BITMIME (RFC 6152): encode it (quoted-printable, base64)');
      }
      bytes = t.encoder!.push(chunk);
    } catch (e) {
      bodyCannotBeSent(s, e);
      throw e;
    }
    bodyBytes(s, t, bytes);
    s.arm('dataBlock');
    // With BDAT, a chunk written while the chunks in flight hold the source back (no need-body
    // pending) is kept for the next chunk that may go; the next need-body comes with a chunk's reply.
    if (!t.waitingBody) return;
    // Without PIPELINING the next chunk waits for the reply to the BDAT just sent (RFC 3030 §4.2);
    // with it, at most BDAT_MAX_IN_FLIGHT chunks await their replies.
    if (chunkMayGo(s, t)) needBody(s, t);
    else t.waitingBody = false;
  }

  /**
   * Ends the current streamed body: the body is every chunk written since its first `need-body`
   * (those still held go out first). After a chunk `writeBody()` refused as not text or bytes, it
   * fails the message instead (`ERR_SMTP_CLIENT_INVALID_PARAMETER`, see `writeBody`). With BDAT, what is held and BDAT LAST go as the chunks in
   * flight allow (LAST is one of them: at most 3 with PIPELINING, else one, RFC 3030 §4.2), so
   * LAST may follow later replies. `messageId` is checked as `writeBody`'s is. Throws `ERR_SMTP_CLIENT_NOT_IN_BODY` outside the body phase (before `need-body`, a second
   * time, once the session is closed); after a refused BDAT chunk it is a no-op (the refusal is the
   * result).
   */
  endBody(messageId?: number): void {
    const s = this.s;
    const t = bodyTxn(s, 'endBody', messageId);
    if (!t) return;
    if (t.broken) {
      abandonBody(s, t);
      s.drive();
      return;
    }
    try {
      // With BDAT, LAST goes once the chunks in flight allow it (RFC 3030 §4.2; with PIPELINING at
      // most 3 await their replies), after the data still held.
      finishBody(s, t);
    } catch (e) {
      bodyCannotBeSent(s, e);
      throw e;
    }
    s.drive();
  }

  /** Sends QUIT once the queued messages are done. */
  quit(): void {
    const s = this.s;
    if (s.closed) return;
    s.quitRequested = true;
    s.start();
    if (s.current.name === 'idle' && !s.driving) {
      s.gotoAfter('idle');
      s.drive();
    }
  }
}
