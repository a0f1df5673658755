/**
 * @internal The engine behind {@link ClientConnection}: output and reply accounting, the event
 * queue, timers, state transitions and message results. The states in `src/states/` drive it
 * through the {@link StateContext} they receive; none of this is public API.
 */
import { formatEnhancedStatusCode, isReplyReaderError } from 'smtp-reply-reader';
import type { Reply, ReplyReader } from 'smtp-reply-reader';
import { Capabilities } from 'smtp-capabilities';
import { copyBytes } from '@smtpkit/foundation';
import type { TlsSecurity } from '@smtpkit/foundation';
import type { ClientOptions } from './client-connection.js';
import { assertNoControl, isEhloWord } from './checks.js';
import type { Classifier } from './classify.js';
import { isSmtpClientError, usage } from './errors.js';
import type { ClientErrorCode } from './errors.js';
import type { ClientEvent, MessageOutcome, RecipientResult } from './events.js';
import type { StateContext, StateInfo, StateRegistry } from './state-registry.js';
import { stageOf } from './state-registry.js';
import { STAGE } from './stages.js';
import { describeReply } from './reply-text.js';
import type { ClientPendingTimeout, ClientTimeouts, ClientTimerName } from './timeouts.js';
import type { Message, Txn } from './transaction.js';

const encoder = new TextEncoder();

/** Where a state's context keeps its session (built-in states read it; wrappers pass the context on). */
const SESSION = Symbol('smtp-client-fsm.session');

/** The session behind a context handed to a state (throws for a context built by hand). */
export function sessionOf(ctx: StateContext): Session {
  const s = (ctx as { [SESSION]?: Session })[SESSION];
  if (!s) throw usage('ERR_SMTP_CLIENT_STATE_INCOMPLETE', 'a built-in state ran with a context that did not come from a connection');
  return s;
}

/**
 * The outcome of a message from its recipients' final statuses: `delivered` (every one accepted),
 * `partial` (some accepted), `unknown` (none accepted, some maybe delivered: no reply after the
 * final dot), `deferred` (none accepted, every other one may succeed later), `failed` (none
 * accepted, at least one refused for good). Throws `ERR_SMTP_CLIENT_INVALID_PARAMETER` for
 * `recipients` that are not an array of objects with one of those four statuses.
 *
 * @example
 * messageOutcome(result.recipients); // 'partial'
 * @see RFC 5321 §4.2.1, §6.1
 */
export function messageOutcome(recipients: readonly Pick<RecipientResult, 'status'>[]): MessageOutcome {
  if (!Array.isArray(recipients)) throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'recipients: expected an array of { status }');
  let accepted = 0;
  let unknown = 0;
  let rejected = 0;
  for (let i = 0; i < recipients.length; i++) {
    const r: unknown = recipients[i];
    if (typeof r !== 'object' || r === null) throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', `recipients[${i}]: expected an object with a status`);
    const status = (r as { status?: unknown }).status;
    if (status === 'accepted') accepted++;
    else if (status === 'unknown') unknown++;
    else if (status === 'rejected') rejected++;
    else if (status !== 'deferred') throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', `recipients[${i}].status: expected accepted, rejected, deferred or unknown`);
  }
  if (recipients.length > 0 && accepted === recipients.length) return 'delivered';
  if (accepted > 0) return 'partial';
  if (unknown > 0) return 'unknown';
  if (rejected > 0 || recipients.length === 0) return 'failed';
  return 'deferred';
}

type CloseReason = 'quit' | 'error' | 'eof' | 'timeout' | 'rejected';

/** @internal */
export class Session {
  reader: ReplyReader;
  caps: Capabilities = Capabilities.none();
  tls: boolean;
  tlsVerified: boolean;
  awaitingTls = false;
  current: StateInfo;
  transition: StateInfo | undefined;
  closed = false;
  errored = false;
  /** `failAll` is reading the stage: a stage function that throws there gives 22 and ends nothing itself. */
  failing = false;
  quitRequested = false;
  quitSent = false;
  /** Replies expected: to commands written (handed out or not) and to the connection (the greeting). */
  outstanding = 0;
  /** Of `outstanding`, the replies to commands still in `out`, not yet handed out by `dataToSend()` (RPL-5). */
  unsent = 0;
  /** True while a reply is handled and more input follows it in the same flight (TLS-5). */
  moreInFlight = false;
  out: Uint8Array[] = [];
  /** Octets queued in `out` since the start, handed out by `dataToSend()`, and reported written (`dataWritten`). */
  queued = 0;
  handed = 0;
  written = 0;
  /** Where the last body ends in the output (after its final dot or BDAT LAST chunk), counted like `queued`. */
  bodyEnd = 0;
  events: ClientEvent[] = [];
  eventHead = 0;
  queue: Message[] = [];
  nextMessageId = 1;
  txn: Txn | undefined;
  /**
   * The next message's RSET, MAIL/RCPT/DATA, written right after the current message's final dot
   * (RFC 2920 §3.1): adopted by the `mail` state once the dot's reply has settled the current one.
   */
  nextTxn: { readonly msg: Message; readonly txn: Txn; /** An RSET went before its MAIL (`rsetWrittenAhead`). */ readonly rset: boolean } | undefined;
  /** A chunk refusal ended the last body; body calls answering its stale need-body are dropped. */
  refusedBody = false;
  /** The last message whose body a refused chunk ended: body calls naming it are dropped. */
  refusedId: number | undefined;
  needRset = false;
  /** RSET went out in the same write as the next MAIL group: its reply comes first (RFC 2920 §3.1). */
  rsetAhead = false;
  mailCount = 0;
  timer: ClientPendingTimeout | undefined;
  /** The timer last armed, even when its timeout is 0 (disabled) and `timer` is undefined. */
  armed: ClientTimerName | undefined;
  timerId = 0;
  locals = new Map<number, Record<string, unknown>>();
  contexts = new Map<number, StateContext>();
  helo = false;
  authDone = false;
  driving = false;
  started = false;
  /** The `banner` state has been entered (states before it have run). */
  bannerReached = false;
  /** The greeting has arrived (the first reply of the connection is always the greeting). */
  greeted = false;
  /** A greeting that arrived while a state placed before `banner` still waited: handed to `banner` on entry. */
  heldGreeting: Reply | undefined;

  constructor(
    readonly opts: ClientOptions,
    readonly timeouts: ClientTimeouts,
    readonly states: StateRegistry,
    readonly classify: Classifier,
    readonly security: TlsSecurity,
    reader: ReplyReader,
  ) {
    this.reader = reader;
    this.tls = security === 'implicit';
    this.tlsVerified = this.tls && opts.tlsVerified !== false;
    const first = states.list()[0];
    if (!first) throw usage('ERR_SMTP_CLIENT_INVALID_OPTION', 'empty state list');
    this.current = first;
  }

  /** The EHLO name a state gave with `rehello(name)`, for the rest of the connection. */
  heloName: string | undefined;

  get hostname(): string {
    return this.heloName ?? this.opts.hostname ?? 'localhost';
  }

  /** Enters the first state on first use, so states registered after construction (even before the banner) count. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.outstanding = 1; // the greeting is a reply to the connection itself
    this.transition = this.states.list()[0];
    this.drive();
  }

  /**
   * The current state's stage code. A registered state's stage function that throws gives 22
   * (unknown) and, like any other state hook that throws, ends the session with
   * `ERR_SMTP_CLIENT_HOOK_FAILED`, unless the session is already settling its messages (`failAll`):
   * then they settle with stage 22 under the failure that is ending it.
   */
  stage(): number {
    if (this.errored) return STAGE.UNKNOWN;
    if (this.closed) return STAGE.NOT_CONNECTED;
    const info = this.current;
    try {
      return stageOf(info.definition, this.local(info));
    } catch (e) {
      if (!this.failing) this.fatal('ERR_SMTP_CLIENT_HOOK_FAILED', `state ${info.name}: its stage function threw: ${e instanceof Error ? e.message : String(e)}`, 'error', undefined, false, e);
      return STAGE.UNKNOWN;
    }
  }

  emit(e: ClientEvent): void {
    this.events.push(e);
  }

  /**
   * True once the last body's end has been written: always, unless the caller reports writes
   * (`reportsWrites`) and has not reported that far.
   */
  bodyWritten(): boolean {
    return this.opts.reportsWrites !== true || this.written >= this.bodyEnd;
  }

  arm(name: ClientTimerName): void {
    // The wait for the reply to the final dot starts once the dot is written (RFC 5321 §4.5.3.2.6);
    // until then the body is still going out, under the data-block timer (§4.5.3.2.5).
    if (name === 'dataDone' && !this.bodyWritten()) name = 'dataBlock';
    const ms = this.timeouts[name];
    this.armed = name;
    this.timer = ms > 0 ? { name, ms, id: ++this.timerId } : undefined;
  }

  write(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.out.push(bytes);
    this.queued += bytes.length;
  }

  /** Counts `n` more replies owed for bytes just queued in `out`. */
  expect(n: number): void {
    this.outstanding += n;
    this.unsent += n;
  }

  command(line: string, redacted?: string): void {
    assertNoControl('command', line);
    this.write(encoder.encode(line + '\r\n'));
    this.expect(1);
    this.opts.transcript?.({ direction: 'client', line: redacted ?? line });
  }

  goto(target: string | number | null): void {
    const info = target === null ? this.states.after(this.current.name) : this.states.get(target);
    if (!info) throw usage('ERR_SMTP_CLIENT_UNKNOWN_STATE', `no state ${JSON.stringify(target)}`);
    this.transition = info;
  }

  /** Moves to the state that follows `name` in the list (whatever was registered after it). */
  gotoAfter(name: string): void {
    const info = this.states.after(name);
    if (!info) throw usage('ERR_SMTP_CLIENT_UNKNOWN_STATE', `no state after ${JSON.stringify(name)}`);
    this.transition = info;
  }

  drive(): void {
    if (this.driving) return;
    this.driving = true;
    try {
      let steps = 0;
      while (this.transition && !this.closed) {
        if (++steps > 10_000) {
          this.transition = undefined;
          this.fatal('ERR_SMTP_CLIENT_STATE_LOOP', 'the state machine made 10000 transitions without waiting', 'error');
          break;
        }
        const next = this.transition;
        this.transition = undefined;
        this.current = next;
        if (next.name === 'banner') this.bannerReached = true;
        this.arm(next.definition.timeout ?? 'command');
        try {
          next.definition.enter(this.ctx(next));
        } catch (e) {
          this.stateThrew(next.name, e);
        }
        const held = this.heldGreeting;
        if (held && next.name === 'banner' && !this.transition && !this.closed) {
          this.heldGreeting = undefined;
          this.dispatch(held, false);
        }
      }
    } finally {
      this.driving = false;
    }
  }

  local(info: StateInfo): Record<string, unknown> {
    let local = this.locals.get(info.id);
    if (!local) this.locals.set(info.id, (local = {}));
    return local;
  }

  /** The context handed to a state's handlers: one per state and connection, its fields read live. */
  ctx(info: StateInfo): StateContext {
    const cached = this.contexts.get(info.id);
    if (cached) return cached;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getters below read the live session
    const s = this;
    const ctx: StateContext & { [SESSION]: Session } = {
      [SESSION]: this,
      state: info.name,
      get capabilities() {
        return s.caps;
      },
      get tls() {
        return s.tls;
      },
      get pipelined() {
        return s.txn?.pipelined ?? false;
      },
      local: this.local(info),
      get message() {
        const m = s.queue[0];
        return m ? { id: m.id, from: m.from, to: m.to } : undefined;
      },
      send: (command) => this.command(command),
      write: (bytes) => {
        if (this.bannerReached || this.greeted) {
          throw usage('ERR_SMTP_CLIENT_RAW_WRITE', `state ${JSON.stringify(info.name)}: raw bytes may only be written before the banner`);
        }
        this.write(typeof bytes === 'string' ? encoder.encode(bytes) : copyBytes(bytes));
      },
      next: (state = null) => {
        // A state before the banner, and after it any registered state that is a pipelining
        // barrier, leaves only once every reply due is in: the next ones are read by the states
        // after it (the greeting, still due before the banner, is kept for the banner). A
        // `'group'` state may pass on while its group's replies are due (they are the next
        // states'); the built-ins keep their own accounts.
        const live = this.states.get(info.id) ?? info;
        const barrier = !this.bannerReached || (!live.builtin && live.definition.pipelining !== 'group');
        if (barrier && this.outstanding > (this.greeted ? 0 : 1)) {
          throw usage('ERR_SMTP_CLIENT_REPLIES_OUTSTANDING', `state ${JSON.stringify(info.name)}: wait for the replies to its commands before leaving it (${this.outstanding} due)`);
        }
        this.goto(state);
      },
      abandon: (code, reply, permanent = false) => {
        // The reason reaches the caller (an `error` event, so `connect()` rejects with it), not
        // only the messages that were queued: a state may give up before the first one.
        // The code says why (XCLIENT not offered...); a refusal's reply as the server gave it.
        this.emit({ type: 'error', code, message: `state ${info.name} gave up the session (${code})${reply ? `: ${describeReply(reply)}` : ''}`, ...(reply ? { reply } : {}) });
        this.abandon(code, reply, permanent);
      },
      rehello: (name?: string) => {
        if (name !== undefined) {
          if (!isEhloWord(name)) throw usage('ERR_SMTP_CLIENT_INVALID_PARAMETER', `rehello: ${JSON.stringify(name)} is not an EHLO name`);
          this.heloName = name;
        }
        this.caps = Capabilities.none();
        this.goto('ehlo');
      },
    };
    this.contexts.set(info.id, ctx);
    return ctx;
  }

  /** Handles complete replies in order; `trailing` when bad input follows the last one (TLS-5). */
  onReplies(replies: Reply[], trailing = false): void {
    for (let i = 0; i < replies.length && !this.closed; i++) {
      const reply = replies[i]!;
      const tr = this.opts.transcript;
      if (tr) {
        // Each line as on the wire, the enhanced status code included (the reader strips it from `lines`).
        const lines = reply.lines.length ? reply.lines : [''];
        const enhanced = reply.enhanced ? `${formatEnhancedStatusCode(reply.enhanced)} ` : '';
        lines.forEach((line, j) => tr({ direction: 'server', line: `${reply.code}${j < lines.length - 1 ? '-' : ' '}${enhanced}${line}` }));
      }
      // RPL-5: a reply can only answer a command the server has received, i.e. one handed out by
      // dataToSend(); a reply beyond those is unsolicited (or injected), whatever the client queued since.
      if (this.outstanding - this.unsent <= 0) {
        if (reply.code === 421) this.on421(reply);
        else if (!this.bodyRefused(reply)) this.fatal('ERR_SMTP_CLIENT_UNEXPECTED_REPLY', `unsolicited reply ${reply.code} in state ${this.current.name}`, 'error', reply);
        continue;
      }
      this.outstanding--;
      if (reply.code === 421 && this.current.name !== 'quit') {
        this.on421(reply);
        continue;
      }
      if (!this.greeted) {
        this.greeted = true;
        // The first reply is the greeting, whoever waits: a state before the banner that sent a
        // command reads its own reply next, and the banner gets the greeting when it is entered.
        if (this.current.name !== 'banner' && this.states.indexOf(this.current.id) < this.states.indexOf('banner')) {
          this.heldGreeting = reply;
          continue;
        }
      }
      this.dispatch(reply, trailing || i < replies.length - 1 || this.reader.pending);
    }
  }

  private dispatch(reply: Reply, moreInFlight: boolean): void {
    const cur = this.current;
    this.moreInFlight = moreInFlight;
    if (this.rsetAhead) {
      this.rsetAhead = false;
      // Refused: the MAIL group behind it may meet a transaction still open (a 354 even), so
      // nothing more is written; what is queued was not tried (transient).
      if ((reply.code / 100) >> 0 !== 2) this.rsetRefused(reply);
    } else
      try {
        cur.definition.reply(this.ctx(cur), reply);
      } catch (e) {
        this.stateThrew(cur.name, e);
      }
    this.moreInFlight = false;
    if (!this.transition && !this.closed && this.outstanding > 0) this.arm(cur.definition.timeout ?? 'command');
    this.drive();
  }

  readerError(e: unknown): void {
    // A remote reader error carries the replies that were complete before the bad input.
    if (isReplyReaderError(e) && e.kind === 'remote') {
      this.onReplies(e.replies.slice(), true);
      if (!this.closed) this.fatal('ERR_SMTP_CLIENT_PROTOCOL', `bad reply from server: ${e.code}: ${e.message}`, 'error');
      return;
    }
    throw e;
  }

  /**
   * A 4xx or 5xx while a DATA body is still going out (its final dot not yet handed out, or, when
   * the caller reports writes, not yet written): some servers refuse a message mid-body
   * (`552 5.3.4 message too big`) and then close, or read on to the dot and may answer it again.
   * That reply is the message's, not an unsolicited one: the recipients it was sent to are refused
   * with it (rejected for a 5xx, deferred for a 4xx). Whatever the server says next cannot be
   * matched to a command, so the session ends as after a 421; queued messages are deferred. False
   * when the reply is not such a refusal.
   */
  bodyRefused(reply: Reply): boolean {
    const t = this.txn;
    const m = this.queue[0];
    if (reply.code < 400 || !t || !m || t.bdat || !t.bodyStarted || t.emptyDot || (this.current.name !== 'body' && this.current.name !== 'final')) return false;
    this.queue.shift();
    this.txn = undefined;
    for (const r of t.accepted) this.setResult(m, r, 'rejected', reply, undefined, STAGE.SENDING_BODY, true);
    for (const r of m.remaining) this.setResult(m, r, 'deferred', undefined, 'ERR_SMTP_CLIENT_RECIPIENT_DEFERRED', STAGE.SENDING_BODY, true);
    m.remaining = [];
    m.lastReply = reply;
    this.finishMessage(m, reply, undefined);
    this.out = [];
    this.unsent = 0;
    this.failAll(undefined, 'ERR_SMTP_CLIENT_RECIPIENT_DEFERRED', true);
    this.close('rejected', reply);
    return true;
  }

  /** RSET refused: what is still queued fails (transient) and the session ends without another command. */
  rsetRefused(reply: Reply): void {
    this.out = [];
    this.unsent = 0;
    this.failAll(undefined, 'ERR_SMTP_CLIENT_RSET_REFUSED', true);
    this.close('rejected', reply);
  }

  on421(reply: Reply): void {
    this.lmtp421(reply);
    this.failAll(reply, undefined, true);
    this.close('rejected', reply);
  }

  /**
   * LMTP, after the final dot (RFC 2033 §4.2): a 421 among the per-recipient replies answers the
   * next accepted recipient only. Those after it got no reply after the final dot: maybe delivered
   * (`unknown`), as when the connection drops there, never deferred with a reply that was not theirs.
   */
  private lmtp421(reply: Reply): void {
    const t = this.txn;
    const m = this.queue[0];
    if (!this.opts.lmtp || !t || !m || this.current.name !== 'final' || t.bdatOutstanding > 0) return;
    if (!t.bodyEnded || t.emptyDot || t.bdatFailed || (t.bdat && !t.lastSent) || !this.bodyWritten()) return;
    const answered = t.accepted[t.finalReplies];
    if (answered === undefined) return;
    t.finalReplies++;
    m.lastReply = reply;
    this.setResult(m, answered, 'rejected', reply, undefined, STAGE.READING_CONFIRMATION, true);
    for (const r of t.accepted) {
      if (!m.results.has(r)) this.setResult(m, r, 'unknown', undefined, 'ERR_SMTP_CLIENT_CONNECTION_LOST', STAGE.READING_CONFIRMATION, false);
    }
  }

  /** Fails everything, emits error + closed; drops unsent output and writes nothing more. */
  fatal(code: ClientErrorCode, message: string, reason: 'error' | 'eof' | 'timeout', reply?: Reply, currentPermanent = false, cause?: unknown): void {
    if (this.closed) return;
    // Nothing more goes to a peer that broke the protocol or vanished, not even commands queued
    // before the fault was seen.
    this.out = [];
    this.unsent = 0;
    this.failAll(undefined, code, true, currentPermanent);
    this.errored = reason === 'error';
    this.emit({ type: 'error', code, message, ...(reply ? { reply } : {}), ...(cause !== undefined ? { cause } : {}) });
    this.close(reason, undefined);
  }

  /**
   * A state's handler threw. This package's own usage errors (`ctx.next()` too early, a raw write
   * after the banner...) reach the caller as documented; any other exception (a bug in a
   * registered state) ends the session with `ERR_SMTP_CLIENT_HOOK_FAILED` and the exception as
   * `cause`, its messages deferred (or unknown after the final dot), instead of leaving the
   * session half-updated under the caller.
   */
  private stateThrew(name: string, e: unknown): void {
    if (isSmtpClientError(e) && e.kind === 'local') throw e;
    this.fatal('ERR_SMTP_CLIENT_HOOK_FAILED', `state ${name} threw: ${e instanceof Error ? e.message : String(e)}`, 'error', undefined, false, e);
  }

  /** Fails every pending message, then QUIT. */
  abandon(code: ClientErrorCode, reply: Reply | undefined, permanent: boolean): void {
    // Giving up for now leaves the recipients `deferred` whatever the reply (kept as the detail,
    // and in the `error` event); for good, a reply makes them `rejected`.
    this.failAll(reply, code, !permanent);
    this.quitRequested = true;
    this.goto('quit');
  }

  close(reason: CloseReason, reply: Reply | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.timer = undefined;
    this.transition = undefined;
    this.emit(reply ? { type: 'closed', reason, reply } : { type: 'closed', reason });
  }

  failAll(reply: Reply | undefined, code: ClientErrorCode | undefined, transient: boolean, currentPermanent = false): void {
    // Read once, before the queue is emptied: a stage function that throws gives 22 here and
    // cannot leave messages unsettled (every one settles exactly once below).
    this.failing = true;
    let stage: number;
    try {
      stage = this.stage();
    } finally {
      this.failing = false;
    }
    const t0 = this.txn;
    // A dot the transport has not reported written never reached the server: not delivered.
    const afterDot = t0 !== undefined && t0.bodyEnded && !t0.emptyDot && !t0.bdatFailed && (!t0.bdat || t0.lastSent) && reply === undefined && code !== undefined && this.bodyWritten();
    const msgs = this.queue;
    this.queue = [];
    // A transaction written ahead for the next message has no reply yet: its recipients are still
    // in `remaining` and settle below like any queued message's (nothing of its body was sent).
    this.nextTxn = undefined;
    msgs.forEach((m, i) => {
      // After the final dot without a reply (timeout, EOF, garbage): maybe delivered (TMO-2, RPL-5).
      const unknown = i === 0 && afterDot;
      // the message in flight failed for its own content (its body cannot be sent): a retry fails alike
      const mayRetry = transient && !(i === 0 && currentPermanent);
      const bdatFailed = i === 0 ? this.txn?.bdatFailed : undefined;
      if (i === 0 && this.txn) {
        for (const r of this.txn.rcpts) {
          if (m.results.has(r)) continue;
          if (bdatFailed && this.txn.accepted.includes(r)) {
            // A refused BDAT chunk decided it; what the server did next (421, close) does not.
            this.setResult(m, r, 'rejected', bdatFailed, undefined, STAGE.SENDING_BODY, true);
            continue;
          }
          if (unknown && this.txn.accepted.includes(r)) this.setResult(m, r, 'unknown', reply, code, stage, true);
          else this.setResult(m, r, reply ? 'rejected' : 'deferred', reply, code, stage, mayRetry);
        }
      }
      for (const r of m.remaining) if (!m.results.has(r)) this.setResult(m, r, reply ? 'rejected' : 'deferred', reply, code, stage, mayRetry);
      m.remaining = [];
      if (bdatFailed) m.lastReply = bdatFailed;
      this.finishMessage(m, bdatFailed ? undefined : reply, code);
    });
    this.txn = undefined;
  }

  setResult(m: Message, address: string, status: RecipientResult['status'], reply: Reply | undefined, code: ClientErrorCode | undefined, stage: number, transient: boolean): void {
    const accepted = status === 'accepted';
    // "unknown" (maybe delivered) is never transient: retrying it may duplicate the message.
    // A 503 (bad sequence of commands) is about the session's state, never the recipient's verdict.
    // A local decision to retry (a state giving up for now: `code`) outweighs a 5xx, unclassified.
    const byReply = reply && !(transient && code && reply.code >= 500);
    const isTransient = accepted || status === 'unknown' ? false : byReply ? reply.code < 500 || reply.code === 503 : transient;
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
      ...(byReply && !accepted ? { classification: this.classify(reply, domain) } : {}),
      ...(code && !accepted ? { errorCode: code } : {}),
      stage,
      transaction: m.transaction,
    };
    m.results.set(address, r);
    this.emit({ type: 'recipient', messageId: m.id, result: r });
  }

  finishMessage(m: Message, reply: Reply | undefined, code: ClientErrorCode | undefined): void {
    const recipients = m.to.map((a) => m.results.get(a)).filter((r): r is RecipientResult => r !== undefined);
    const outcome = messageOutcome(recipients);
    const transient = recipients.some((r) => r.status === 'deferred');
    // Never the reply of a later failed transaction when an earlier one queued recipients.
    const last = outcome === 'delivered' || outcome === 'partial' ? m.queuedReply : outcome === 'unknown' ? undefined : (reply ?? m.lastReply);
    this.emit({
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
  failMessageLocally(code: ClientErrorCode, transient: boolean): void {
    const m = this.queue.shift()!;
    for (const r of m.remaining) this.setResult(m, r, transient ? 'deferred' : 'rejected', undefined, code, STAGE.IDLE, transient);
    m.remaining = [];
    this.finishMessage(m, undefined, code);
  }

  /** RFC 2920 in use: offered by the server and not turned off. */
  pipelining(): boolean {
    return (this.opts.pipelining ?? true) && this.caps.pipelining;
  }

  useBdat(m: Message): boolean {
    return m.bodyType === 'binarymime' || ((this.opts.chunking ?? false) && this.caps.chunking);
  }

}
