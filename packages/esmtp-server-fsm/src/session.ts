/**
 * The state of one session and its plumbing (moves along the transition table, events, closing).
 * Internal: `ServerConnection` owns one, and the rooms (`*-commands.ts`, `replies.ts`,
 * `line-reader.ts`, `answers.ts`) are functions of it. Not exported from the package.
 */
import type { AuthCredentials, PendingTimeout, SaslMechanism, SaslServerExchange } from '@smtpkit/foundation';
import type { ExtensionRegistry } from 'smtp-capabilities';
import type { ParseOptions } from 'smtp-client-args';
import type { DataDecoder } from './data-decoder.js';
import { decodedPiece } from './data-commands.js';
import type { EsmtpParameters } from './envelope-args.js';
import { SmtpServerError } from './errors.js';
import type { ClientAttributes, CloseReason, MessageAbortReason, PolicyPoint, ServerEvent } from './events.js';
import { DEFAULT_EXTENSIONS, buildRegistry } from './extensions.js';
import type { ServerExtensions } from './extensions.js';
import { DEFAULT_LIMITS, DEFAULT_TIMEOUTS } from './limits.js';
import type { ServerDeadline, ServerLimits, ServerTimeouts, ServerTimer } from './limits.js';
import { DEFAULT_AUTO_ACCEPT, checkOptions, resolveMechanisms, snapshotOptions, withTlsSecurity } from './options.js';
import type { ServerOptions } from './options.js';
import type { ReplyInit } from './reply.js';
import { serverHostname } from './host-name.js';
import { nextState } from './states.js';
import type { ServerState, ServerTransitionLabel } from './states.js';
import type { ExtensionStep } from './extension-exchange.js';
import type { SegmentScan } from './line-reader.js';

/** The parameters of no MAIL (shared: frozen). */
export const NO_PARAMETERS: EsmtpParameters = Object.freeze({});

/** No EHLO reply yet (or the session started over). */
export const NO_KEYWORDS: readonly string[] = Object.freeze([]);

/** A decision waiting for the application. */
export type Pending =
  | { point: 'connect' }
  | { point: 'helo'; verb: 'HELO' | 'EHLO' | 'LHLO'; domain: string }
  | { point: 'auth'; user: string }
  | { point: 'mail'; from: string; parameters: EsmtpParameters }
  /** `key`: the recipient's `mailboxKey` (worked out once, when the RCPT is read). */
  | { point: 'rcpt'; to: string; key: string; parameters: EsmtpParameters }
  | { point: 'data-start'; mode: 'data' | 'bdat' }
  | { point: 'message-end' }
  | { point: 'vrfy' | 'expn' }
  | { point: 'command'; verb: string; block?: number }
  | { point: 'xclient'; attributes: ClientAttributes };

/** One session. Fields are read and written by the rooms; nothing here is public API. */
export class Session {
  readonly limits: ServerLimits;
  readonly timeouts: ServerTimeouts;
  readonly ext: ServerExtensions;
  readonly hostname: string;
  readonly lmtp: boolean;
  readonly mechanisms: readonly SaslMechanism[];
  readonly mechanismNames: readonly string[];
  readonly auto: ReadonlySet<PolicyPoint>;
  /** The one extension table of this session (built-ins enabled by the options, then the custom ones). */
  readonly registry: ExtensionRegistry;
  /** Answers the pending decision with its default (set by the owner: auto-accepted points). */
  autoAnswer: () => void = () => undefined;
  /** The command state a decision or a refused BDAT chunk returns to (`resume` in the table). */
  resume: ServerState = 'awaiting-mail';
  /** The EHLO keywords of the last EHLO/LHLO reply: MAIL/RCPT parameters are checked against them. */
  advertisedKeywords: readonly string[] = NO_KEYWORDS;
  /** smtp-client-args parse options (MAIL, RCPT, RCPT with SMTPUTF8) for `parseOptionsFor`, the current EHLO keywords. */
  parseOptionsFor: readonly string[] | undefined;
  parseOptions: [ParseOptions | undefined, ParseOptions | undefined, ParseOptions | undefined] = [undefined, undefined, undefined];
  /** The custom verb whose exchange is running, and what it reads next. */
  exchange: ExtensionStep | undefined;
  /** One `pendingTimeout()` answer per arming: a new id when the timer changes or input restarts it. */
  timer: PendingTimeout<ServerTimer> | undefined;
  timerSeq = 0;
  /** Input arrived since the timer was armed (an idle timer restarts). */
  inputSinceTimer = false;
  readonly replyCache = new Map<string, Map<string, Map<number, string>>>();
  replyCacheEntries = 0;
  readonly replyBytes = new Map<string, Uint8Array>();
  /** The DATA decoder's sink, made once per session (no closure per input chunk). */
  readonly onBodyPiece = (p: Uint8Array): void => decodedPiece(this, p);

  current: ServerState = 'connect';
  pending: Pending | undefined;
  readonly events: ServerEvent[] = [];
  eventHead = 0;
  closeReason: CloseReason | undefined;

  // input
  chunks: Uint8Array[] = [];
  headOff = 0;
  inputLength = 0;
  // line assembly
  lineParts: Uint8Array[] = [];
  lineLen = 0;
  lineOverflow = false;
  /** The first bytes of the overflowing command line (its verb still counts, SRV-3). */
  overflowHead = '';
  /** The segment scan of over-long command lines (SMUG-5), made at the session's first such line (line-reader.ts). */
  overflowScan: SegmentScan | undefined = undefined;
  lastLineByte = -1;
  // output
  out: string[] = [];
  outBytes = 0;

  // session
  helo: string | undefined;
  heloVerb: 'HELO' | 'EHLO' | 'LHLO' | undefined;
  secure: boolean;
  authUser: string | undefined;
  clientAddress: string | undefined;
  xclientAttrs: ClientAttributes | undefined;
  xforwardAttrs: ClientAttributes | undefined;
  errors = 0;
  /** DOS-5 tarpit: output and input wait until the host's `error-delay` timer fires. */
  delaying = false;
  junk = 0;
  unauthenticated = 0;
  shutdownRequested = false;
  disposed = false;
  /** The client shut down its sending side: buffered complete input is still processed, then the session closes. */
  eof = false;
  /** What an unexpected internal error threw (the `closed` event carries it). */
  internalCause: unknown;
  /** Command lines completed so far (a new line is a new `command-line` deadline). */
  linesDone = 0;
  deadline: PendingTimeout<ServerDeadline> | undefined;
  deadlineLine = -1;
  deadlineSeq = 0;

  // transaction
  mailFrom: string | undefined;
  /** Frozen (the `mail` event's object): the application can read it, never change it. */
  mailParams: EsmtpParameters = NO_PARAMETERS;
  /** Each entry frozen (handed out by `transaction`). */
  recipients: { readonly address: string; readonly parameters: EsmtpParameters }[] = [];
  /** Parameters of each accepted recipient (a repeat with other parameters is refused). */
  recipientParameters = new Map<string, EsmtpParameters>();
  /** RCPTs refused past `maxRecipients` in this transaction (the first `maxRecipients` are not errors). */
  overshoot = 0;
  bdatActive = false;
  /**
   * A byte of the data phase was read: of the body after the 354, of a chunk (or a later BDAT line)
   * after the first BDAT line, of a custom verb's block. Its `dataPhase` deadline runs from there.
   */
  dataStarted = false;
  messageSize = 0;
  tooLarge = false;
  bareSeen = false;
  decoder: DataDecoder | undefined;
  bdatRemaining = 0;
  bdatLast = false;
  bdatOk = false;
  bdatError: ReplyInit | undefined;
  bdatPrevCr = false;
  /** LMTP: the replies the BDAT LAST of a failed message still owes (one per recipient; see `stepBdat`). */
  owed: ReplyInit[] | undefined;
  sasl: SaslServerExchange | undefined;
  /** The mechanism of the exchange in progress or awaiting its decision. */
  saslMechanism: SaslMechanism | undefined;
  /** The rejection to send once the client answers the mechanism's error challenge (XOAUTH2). */
  authFailure: ReplyInit | undefined;
  saslCredentials: AuthCredentials | undefined;

  /** The options as given at construction (the session's own copy: see `snapshotOptions`). */
  readonly options: ServerOptions;

  constructor(given: ServerOptions) {
    // one snapshot: the caller may change or reuse its object afterwards (a shared listener config)
    const options = withTlsSecurity(snapshotOptions(given));
    this.options = options;
    checkOptions(options);
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    if (limits.maxCommandLine < 512) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', 'maxCommandLine must be at least 512 (RFC 5321 §4.5.3.1.4)');
    if (limits.maxRecipients < 100) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', 'maxRecipients must be at least 100 (RFC 5321 §4.5.3.1.8)');
    if (limits.maxAuthLine < limits.maxCommandLine) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', 'maxAuthLine must be at least maxCommandLine');
    this.limits = Object.freeze(limits);
    this.timeouts = Object.freeze({ ...DEFAULT_TIMEOUTS, ...options.timeouts });
    this.ext = Object.freeze({ ...DEFAULT_EXTENSIONS, ...options.extensions });
    this.hostname = serverHostname(options.hostname ?? 'localhost');
    this.lmtp = options.lmtp ?? false;
    this.secure = options.secure ?? false;
    this.clientAddress = options.clientAddress;
    this.mechanisms = resolveMechanisms(options);
    this.mechanismNames = this.mechanisms.map((m) => m.name);
    this.auto = new Set(options.autoAccept ?? DEFAULT_AUTO_ACCEPT);
    this.registry = buildRegistry({ ext: this.ext, starttls: options.starttls ?? false, xclient: (options.xclient ?? false) && (options.trusted ?? false), xforward: (options.xforward ?? false) && (options.trusted ?? false), registry: options.registry });
  }

  /**
   * Moves along the transition table: the target of (`current`, `on`) is the table's (`resume`:
   * the command state saved in `resume`). A move the table does not have is a bug, reported as a
   * typed `ERR_SMTP_INVALID_TRANSITION` (caught by the safety net of `nextEvent`).
   */
  go(on: ServerTransitionLabel): void {
    const to = nextState(this.current, on);
    if (to === undefined) throw new SmtpServerError('ERR_SMTP_INVALID_TRANSITION', `esmtp-server-fsm internal error: no transition ${this.current} --${on}-->`);
    this.current = to === 'resume' ? this.resume : to;
  }

  /** Remembers the command state to come back to (`resume` in the table). */
  enter(on: ServerTransitionLabel): void {
    this.resume = this.current;
    this.go(on);
  }

  emit(e: ServerEvent): void {
    this.events.push(e);
  }

  close(reason: CloseReason, on: 'close' | 'QUIT' = 'close'): void {
    if (this.current === 'closed') return;
    this.go(on);
    this.closeReason = reason;
    this.pending = undefined;
    this.delaying = false;
    this.chunks = [];
    this.inputLength = 0;
    this.emit(this.closedEvent());
  }

  closedEvent(): ServerEvent {
    const reason = this.closeReason ?? 'eof';
    return reason === 'internal-error' ? { type: 'closed', reason, error: this.internalCause } : { type: 'closed', reason };
  }

  /**
   * Safety net: an unexpected exception inside the step function (a bug, never peer input by
   * design) ends this session only: `421 4.3.0` after the replies already produced, a
   * `message-abort` for a transaction in progress, and `closed` with reason `internal-error`.
   */
  internalError(cause: unknown): void {
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

  /**
   * No transaction and no line half read: a shutdown answers 421 now. An AUTH exchange or a custom
   * verb's line step waiting for the client's next line counts (it is no transaction; a client
   * sitting at its `334` would otherwise hold a graceful shutdown until its timeout).
   */
  isIdle(): boolean {
    const c = this.current;
    return (c === 'awaiting-helo' || c === 'awaiting-mail' || c === 'rejected' || c === 'auth' || (c === 'extension' && this.exchange?.mode === 'line')) && this.lineLen === 0 && !this.lineOverflow;
  }

  decide(p: Pending, event: ServerEvent): void {
    this.pending = p;
    this.emit(event);
    if (this.auto.has(p.point)) this.autoAnswer();
  }

  resetTransaction(): void {
    this.mailFrom = undefined;
    this.mailParams = NO_PARAMETERS;
    this.recipients = [];
    if (this.recipientParameters.size > 0) this.recipientParameters = new Map();
    this.overshoot = 0;
    this.bdatActive = false;
    this.messageSize = 0;
    this.tooLarge = false;
    this.bareSeen = false;
    this.decoder = undefined;
  }

  abortTransactionIfData(reason: MessageAbortReason): void {
    if (this.current === 'reading-body' || (this.current === 'reading-bdat' && this.bdatOk) || this.bdatActive || this.pending?.point === 'message-end') {
      this.emit({ type: 'message-abort', reason });
    }
  }

  greeting(): ReplyInit {
    return { code: 220, text: `${this.hostname} ${this.lmtp ? 'LMTP' : 'ESMTP'}${this.options.banner ? ` ${this.options.banner}` : ''}` };
  }

  /** Works out the current deadline (see `pendingDeadline`). */
  updateDeadline(): void {
    // a message (DATA after its 354, BDAT after its first line) or a custom verb's block
    // (`read: 'dot'`, `{ bytes }`, a `blockLength` block, skipped or not) is a data phase from its
    // first byte (read, or waiting in the input): a client that waits after the 354 or 3xx is not
    // charged for the wait (the idle `dataBlock` timer bounds it); trickling never resets it
    const inData =
      (this.current === 'reading-body' || this.current === 'reading-bdat' || this.bdatActive || (this.current === 'extension' && this.exchange !== undefined && this.exchange.mode !== 'line')) &&
      (this.dataStarted || this.inputLength > 0) &&
      this.pending?.point !== 'message-end';
    let timer: ServerDeadline | undefined;
    if (inData) timer = 'dataPhase';
    else if (this.lineLen > 0 && this.current !== 'awaiting-tls') timer = 'commandLine';
    if (timer === undefined) {
      this.deadline = undefined;
      return;
    }
    const ms = this.timeouts[timer];
    if (ms === 0 || ms === Infinity) {
      this.deadline = undefined;
      return;
    }
    // the same line (or the same message) keeps its deadline
    if (this.deadline?.name === timer && (timer === 'dataPhase' || this.deadlineLine === this.linesDone)) return;
    this.deadlineLine = this.linesDone;
    this.deadline = Object.freeze({ name: timer, ms, id: ++this.deadlineSeq });
  }

  assertUsable(): void {
    if (this.disposed) throw new SmtpServerError('ERR_SMTP_DISPOSED', 'the session was disposed');
  }
}
