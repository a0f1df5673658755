/**
 * ServerConnection: the sans-IO ESMTP/LMTP server session (h11 style). Bytes in through
 * `receiveData`, events out through `nextEvent`, the application's decisions through
 * `accept` / `reject` / `respond` / `continueCommand`, reply bytes out through `dataToSend`.
 * The work is done by the rooms (`commands.ts` and the `*-commands.ts` files) on a `Session`.
 */
import { copyBytes, isBytes } from '@smtpkit/foundation';
import type { PendingTimeout } from '@smtpkit/foundation';
import { answer, takePending } from './answers.js';
import { step } from './commands.js';
import { SmtpServerError } from './errors.js';
import type { PolicyPoint, ServerEvent } from './events.js';
import { startContinuation } from './extension-exchange.js';
import type { CommandContinuation } from './extension-exchange.js';
import type { ServerDeadline, ServerLimits, ServerTimeouts, ServerTimer } from './limits.js';
import type { ServerOptions } from './options.js';
import { readReply } from './reply.js';
import type { ReplyInit } from './reply.js';
import { send, shutdownNow, takeBytes, takeText } from './replies.js';
import { isUnsafeIdentity } from './peer-text.js';
import { NO_KEYWORDS, Session } from './session.js';
import { LEGACY_STATE_NUMBERS } from './states.js';
import type { ServerState } from './states.js';

const enc = new TextEncoder();

import type { SessionInfo, TransactionInfo } from './options.js';

export type { SessionInfo, TransactionInfo };

/**
 * A positive answer's code must fit its decision, or the client loses step: DATA's answer is the
 * 354 that starts the body (a 250 there would leave the server reading the client's next commands
 * as message content), the connection's answer the 220 greeting, every other answer a 2xx but
 * QUIT's 221 (a 3xx intermediate reply is only DATA's 354, or a custom verb's `continueCommand`).
 * Throws `ERR_SMTP_INVALID_REPLY`; the decision stays pending.
 */
function checkPositive(s: Session, code: number): void {
  const p = s.pending;
  if (p === undefined) return; // answer() reports that nothing is pending
  if (p.point === 'data-start' && p.mode === 'data') {
    if (code !== 354) throw new SmtpServerError('ERR_SMTP_INVALID_REPLY', `accepting DATA needs the 354 reply that starts the body, got ${String(code)}`);
  } else if (p.point === 'connect') {
    // RFC 5321 §4.2, §3.1: the greeting that opens a session is a 220
    if (code !== 220) throw new SmtpServerError('ERR_SMTP_INVALID_REPLY', `accepting the connection needs a 220 greeting, got ${String(code)}`);
  } else if (p.point === 'auth' && code !== 235) {
    // RFC 4954 §6: a successful AUTH is answered 235
    throw new SmtpServerError('ERR_SMTP_INVALID_REPLY', `AUTH needs 235, got ${String(code)}`);
  } else if (code === 221) {
    // 221 is QUIT's closing reply (RFC 5321 §4.2.2): sent for another command it would leave the session open
    throw new SmtpServerError('ERR_SMTP_INVALID_REPLY', `221 closes the session (QUIT's reply), not an answer to ${p.point}`);
  } else if (code >= 300) {
    throw new SmtpServerError('ERR_SMTP_INVALID_REPLY', `a positive answer to ${p.point} needs a 2xx reply, got ${String(code)} (3xx is only DATA's 354 or continueCommand)`);
  }
}

/**
 * The checked copy (each field read once: what was checked is what is written) of a reply given
 * to accept the pending decision, or undefined for the default; `ERR_SMTP_INVALID_REPLY` for a
 * 4xx/5xx or one that does not fit the decision (see `checkPositive`).
 */
function positiveReply(s: Session, given: ReplyInit | undefined): ReplyInit | undefined {
  const reply = given === undefined ? undefined : readReply(given);
  if (reply) {
    if (reply.code >= 400) throw new SmtpServerError('ERR_SMTP_INVALID_REPLY', 'accepting needs a 2xx or 3xx reply; use reject()');
    checkPositive(s, reply.code);
  }
  return reply;
}

/**
 * A refusal of the connection is a 554, or a 421 (RFC 5321 §3.1, §4.3.2, §3.8): a client reads any
 * other code in place of the greeting as it likes. Throws `ERR_SMTP_INVALID_REPLY`; the decision
 * stays pending.
 */
function checkNegative(s: Session, code: number): void {
  if (s.pending?.point === 'connect' && code !== 554 && code !== 421) {
    throw new SmtpServerError('ERR_SMTP_INVALID_REPLY', `a refused connection needs 554 or 421, got ${String(code)}`);
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
  private readonly s: Session;

  constructor(options: ServerOptions = {}) {
    const s = new Session(options);
    this.s = s;
    this.limits = s.limits;
    this.timeouts = s.timeouts;
    s.autoAnswer = () => answer(s, true, undefined, undefined);
    s.decide({ point: 'connect' }, { type: 'connect', needsAnswer: !s.auto.has('connect') });
  }

  // ---------------------------------------------------------------- public surface

  /**
   * The state name (the same idea as the client's `state`): `awaiting-mail`, `reading-body`...
   *
   * @example
   * ```ts
   * if (conn.state === 'reading-body') showProgress();
   * ```
   * @see RFC 5321 §4.1.4
   */
  get state(): ServerState {
    return this.s.current;
  }

  /**
   * The legacy numeric state, `MC_STATE_*` of the C API (the same idea as the client's `stage`);
   * `stateName(conn.stage)` gives its legacy name.
   *
   * @example
   * ```ts
   * stateName(conn.stage); // "awaiting mailfrom"
   * ```
   * @see RFC 5321 §4.1.4
   */
  get stage(): number {
    // LMTP's per-recipient answer after the body is the legacy "rcptto list response" (19).
    if (this.s.lmtp && this.s.current === 'message-decision') return 19;
    return LEGACY_STATE_NUMBERS[this.s.current];
  }

  /** The policy point waiting for an answer, if any. */
  get pendingDecision(): PolicyPoint | undefined {
    return this.s.pending?.point;
  }

  /** Unprocessed input bytes (the adapter stops reading when this grows). */
  get bufferedBytes(): number {
    return this.s.inputLength;
  }

  /** Session facts. */
  get session(): SessionInfo {
    let protocol = this.s.lmtp ? 'LMTP' : this.s.heloVerb === 'EHLO' ? 'ESMTP' : 'SMTP';
    // RFC 6531 §3.7.3: a transaction that uses SMTPUTF8 is UTF8SMTP / UTF8LMTP (+S, +A).
    if (protocol !== 'SMTP' && this.s.mailParams.SMTPUTF8 === true) protocol = this.s.lmtp ? 'UTF8LMTP' : 'UTF8SMTP';
    if (protocol !== 'SMTP') {
      if (this.s.secure) protocol += 'S';
      if (this.s.authUser !== undefined) protocol += 'A';
    }
    return {
      hostname: this.s.hostname,
      helo: this.s.helo,
      heloVerb: this.s.heloVerb,
      secure: this.s.secure,
      authenticatedUser: this.s.authUser,
      clientAddress: this.s.clientAddress,
      xclient: this.s.xclientAttrs,
      xforward: this.s.xforwardAttrs,
      protocol,
    };
  }

  /** The transaction in progress. */
  get transaction(): TransactionInfo {
    return { from: this.s.mailFrom, mailParameters: this.s.mailParams, recipients: this.s.recipients.slice() };
  }

  /**
   * Feeds bytes received from the client (any split). The session keeps its own copy.
   * Throws `ERR_SMTP_DATA_DURING_TLS_HANDSHAKE` while waiting for the TLS handshake, and
   * `ERR_SMTP_INVALID_ARGUMENT` for anything but a `Uint8Array` or a string.
   */
  receiveData(data: Uint8Array | string): void {
    this.s.assertUsable();
    if (this.s.current === 'closed') return;
    if (this.s.current === 'awaiting-tls') {
      throw new SmtpServerError('ERR_SMTP_DATA_DURING_TLS_HANDSHAKE', 'bytes fed while the TLS handshake is pending; start TLS first');
    }
    if (typeof data !== 'string' && !isBytes(data)) throw new SmtpServerError('ERR_SMTP_INVALID_ARGUMENT', 'receiveData takes a Uint8Array or a string');
    const bytes = typeof data === 'string' ? enc.encode(data) : this.s.options.copyInput === false ? data : copyBytes(data);
    if (bytes.length === 0) return;
    this.s.chunks.push(bytes);
    this.s.inputLength += bytes.length;
    this.s.inputSinceTimer = true;
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
    this.s.assertUsable();
    if (this.s.current === 'closed') return;
    this.s.eof = true;
    // nothing more can arrive for a TLS handshake
    if (this.s.current === 'awaiting-tls') this.s.close('eof');
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
    this.s.assertUsable();
    if (this.s.current === 'closed') return;
    this.s.abortTransactionIfData('eof');
    this.s.close('eof');
  }

  /**
   * The next event. Returns `need-data` when more input is needed, `closed` (repeatedly) once
   * closed, and `paused` while a decision is pending, while unsent replies exceed
   * `maxPendingOutput` (write them, then call again), or while the `errorDelay` tarpit holds a reply
   * (the {@link pendingTimeout} timer resumes the session: do not wait for input).
   */
  nextEvent(): ServerEvent {
    const s = this.s;
    s.assertUsable();
    for (;;) {
      if (s.eventHead < s.events.length) {
        const e = s.events[s.eventHead++]!;
        if (s.eventHead === s.events.length) {
          // drained: most batches hold one event, and pop() empties the list at less cost than a
          // store to its length
          if (s.eventHead === 1) s.events.pop();
          else s.events.length = 0;
          s.eventHead = 0;
        }
        return e;
      }
      if (s.current === 'closed') return s.closedEvent();
      if (s.pending || s.delaying || s.outBytes > this.limits.maxPendingOutput) {
        s.updateDeadline();
        return { type: 'paused' };
      }
      let progressed: boolean;
      try {
        progressed = step(s);
      } catch (e) {
        s.internalError(e);
        continue;
      }
      if (progressed) continue;
      if (!s.eof) {
        s.updateDeadline();
        return { type: 'need-data' };
      }
      // end of input: what could be processed was; an unfinished message is aborted, a partial line dropped
      s.abortTransactionIfData('eof');
      s.close('eof');
    }
  }

  /** Bytes to write to the client (empties the output buffer; the caller owns what it gets). */
  dataToSend(): Uint8Array {
    this.s.assertUsable();
    return takeBytes(this.s);
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
    this.s.assertUsable();
    return takeText(this.s);
  }

  /** True when the host should close the transport once `dataToSend()` is written. */
  get shouldClose(): boolean {
    return this.s.current === 'closed';
  }

  /**
   * Accepts the pending decision, with the default positive reply or `reply`: a 2xx other than
   * 221, for the connection the 220 greeting, for DATA the 354 that starts the body
   * (`ERR_SMTP_INVALID_REPLY` otherwise, a falsy value such as `0`, `''` or `null` included: only
   * `undefined` means the default; the decision stays pending).
   * For `message-end` in LMTP mode every recipient gets `reply` (or 250).
   */
  accept(given?: ReplyInit): void {
    answer(this.s, true, positiveReply(this.s, given), undefined);
  }

  /**
   * Accepts the pending `auth` decision and logs the client in as `user`, not as the identity the
   * credentials name: for a mechanism whose identity is inside the credential (an OAUTHBEARER
   * token sent without `a=`, RFC 7628 §3.1, gives `username` `''`), or to map a login name to an
   * account. `reply` is the 235 (the default when undefined). `user` must be a non-empty string
   * with no control, separator, bidi or format character and no lone surrogate, as an identity
   * the client sends (`ERR_SMTP_INVALID_ARGUMENT`); another pending decision is
   * `ERR_SMTP_NO_PENDING_DECISION`. The decision stays pending after a throw.
   *
   * @example
   * ```ts
   * if (e.type === 'auth') { const sub = verifyToken(e.credentials.token); sub ? conn.acceptAuth(sub) : conn.reject(); }
   * ```
   * @see RFC 4954 §6, RFC 7628 §3.1
   */
  acceptAuth(user: string, given?: ReplyInit): void {
    const s = this.s;
    s.assertUsable();
    if (typeof user !== 'string' || user.length === 0 || isUnsafeIdentity(user)) {
      throw new SmtpServerError('ERR_SMTP_INVALID_ARGUMENT', 'acceptAuth() needs a non-empty user name with no control, separator, format character or U+FFFD');
    }
    const p = s.pending;
    if (p !== undefined && p.point !== 'auth') throw new SmtpServerError('ERR_SMTP_NO_PENDING_DECISION', `acceptAuth() answers an auth decision; the pending decision is ${p.point}`);
    const reply = positiveReply(s, given);
    if (p !== undefined) s.pending = { point: 'auth', user };
    answer(s, true, reply, undefined);
  }

  /**
   * Rejects the pending decision with `reply` (4xx/5xx) or, when it is `undefined`, the point's
   * default negative reply (`ERR_SMTP_INVALID_REPLY` for anything else, a falsy value included).
   */
  reject(given?: ReplyInit): void {
    const reply = given === undefined ? undefined : readReply(given);
    if (reply) {
      if (reply.code < 400) throw new SmtpServerError('ERR_SMTP_INVALID_REPLY', 'reject() needs a 4xx or 5xx reply');
      checkNegative(this.s, reply.code);
    }
    answer(this.s, false, reply, undefined);
  }

  /**
   * Answers the pending decision with `reply` (positive or negative by its code). In LMTP mode,
   * `message-end` takes one reply per accepted recipient, in order.
   */
  respond(reply: ReplyInit | readonly ReplyInit[]): void {
    if (Array.isArray(reply)) {
      const given = reply as readonly ReplyInit[];
      if (this.s.pending?.point !== 'message-end' || !this.s.lmtp) throw new SmtpServerError('ERR_SMTP_INVALID_REPLY', 'a list of replies is only for message-end in LMTP mode');
      // the list's length and each reply read once, into checked copies
      const n = given.length;
      if (n !== this.s.recipients.length) throw new SmtpServerError('ERR_SMTP_INVALID_REPLY', `expected ${String(this.s.recipients.length)} replies, one per recipient`);
      const list: ReplyInit[] = [];
      for (let i = 0; i < n; i++) {
        const one = readReply(given[i]!);
        if (one.code < 400) checkPositive(this.s, one.code);
        list.push(one);
      }
      answer(this.s, true, undefined, list);
      return;
    }
    const one = readReply(reply as ReplyInit);
    if (one.code < 400) checkPositive(this.s, one.code);
    else checkNegative(this.s, one.code);
    answer(this.s, one.code < 400, one, undefined);
  }

  /**
   * Answers a pending custom-verb decision (`command`, `command-line` or `command-end` event) with
   * a further step of its exchange instead of a final reply: an intermediate `3xx` reply, then the
   * client's next line or a block is read and handed over, with a new decision. Throws
   * `ERR_SMTP_NO_PENDING_DECISION` when no custom-verb decision is pending,
   * `ERR_SMTP_INVALID_CONTINUATION` for a malformed step and `ERR_SMTP_INVALID_REPLY` for a reply
   * that is not a valid `3xx`.
   *
   * @example
   * ```ts
   * // a challenge-response verb: 334 <nonce>, then the client's answer line
   * if (e.type === 'command' && e.verb === 'XPROVE') conn.continueCommand({ reply: { code: 334, text: nonce }, read: 'line' });
   * else if (e.type === 'command-line') e.line === expected ? conn.accept() : conn.reject({ code: 535, text: 'wrong' });
   * ```
   * @see RFC 5321 §4.2.1, §4.1.5
   */
  continueCommand(step: CommandContinuation): void {
    const s = this.s;
    s.assertUsable();
    const p = s.pending;
    if (p?.point !== 'command') {
      if (p === undefined && s.current === 'closed') return;
      throw new SmtpServerError('ERR_SMTP_NO_PENDING_DECISION', 'continueCommand() needs a pending custom-verb decision');
    }
    if (typeof step !== 'object' || step === null) throw new SmtpServerError('ERR_SMTP_INVALID_CONTINUATION', 'continueCommand() needs a step object');
    takePending(s);
    try {
      startContinuation(s, p.verb, step, p.block);
    } catch (e) {
      s.pending = p;
      throw e;
    }
  }

  /**
   * The timer the host should arm now, or undefined (decision pending, closed): `{ name, ms, id }`
   * with `name` the key of `timeouts` it comes from (`command`, `dataBlock`, `tlsHandshake`,
   * `errorDelay`). Ask after each `nextEvent()` loop; when `id` changed, replace the armed timer
   * (an idle timer gets a new id after input, so it restarts; the `errorDelay` tarpit keeps its id
   * to its end). Call `handleTimeout(id)` when it fires.
   *
   * @example
   * ```ts
   * const t = conn.pendingTimeout();
   * // `arm(ms, fire)` is the host's one-shot timer, replacing the one armed before
   * if (t && t.id !== armed) { armed = t.id; arm(t.ms, () => { conn.handleTimeout(t.id); pump(); }); }
   * ```
   * @see RFC 5321 §4.5.3.2
   */
  pendingTimeout(): PendingTimeout<ServerTimer> | undefined {
    const s = this.s;
    s.assertUsable();
    if (s.current === 'closed' || s.pending) return (s.timer = undefined);
    const name: ServerTimer = s.delaying ? 'errorDelay' : s.current === 'awaiting-tls' ? 'tlsHandshake' : s.current === 'reading-body' || s.current === 'reading-bdat' || (s.current === 'extension' && s.exchange?.mode !== 'line') ? 'dataBlock' : 'command';
    const ms = this.timeouts[name];
    if (ms === 0 || ms === Infinity) return (s.timer = undefined);
    const t = s.timer;
    if (t !== undefined && t.name === name && (!s.inputSinceTimer || name === 'errorDelay')) return t;
    s.inputSinceTimer = false;
    return (s.timer = Object.freeze({ name, ms, id: ++s.timerSeq }));
  }

  /**
   * The timer `id` fired: `421 4.4.2` and close (after `errorDelay`: the held reply goes out and
   * input resumes). An id that is not the current timer's (a stale timer the host did not cancel)
   * is ignored.
   *
   * @example
   * ```ts
   * conn.handleTimeout(t.id); socket.write(conn.dataToSend());
   * ```
   * @see RFC 5321 §4.5.3.2
   */
  handleTimeout(id: number): void {
    const s = this.s;
    s.assertUsable();
    if (s.current === 'closed' || s.timer === undefined || s.timer.id !== id) return;
    s.timer = undefined;
    if (s.delaying) {
      s.delaying = false;
      return;
    }
    s.abortTransactionIfData('timeout');
    send(s, { code: 421, enhanced: '4.4.2', text: `${s.hostname} Error: timeout exceeded` });
    s.close('timeout');
  }

  /**
   * The deadline the host should arm now, if any, as `{ name, ms, id }`: `commandLine` while a command line is partly
   * received, `dataPhase` while a message (from its first byte after the 354, or after the first BDAT
   * line) or a custom verb's block (`continueCommand` with `read: 'dot'` or `{ bytes }`; from its first
   * byte) is being received: none while the client has not started to send it, a wait that
   * `pendingTimeout()`'s `dataBlock` bounds. Unlike `pendingTimeout()` it must
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
  pendingDeadline(): PendingTimeout<ServerDeadline> | undefined {
    this.s.assertUsable();
    return this.s.current === 'closed' ? undefined : this.s.deadline;
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
    this.s.assertUsable();
    if (this.s.current === 'closed' || this.s.deadline?.id !== id) return;
    this.s.abortTransactionIfData('timeout');
    this.s.delaying = false;
    send(this.s, { code: 421, enhanced: '4.4.2', text: `${this.s.hostname} Error: timeout exceeded` });
    this.s.close('timeout');
  }

  /** The host finished the TLS handshake after `tls-start`: everything is reset (RFC 3207 §4.2). */
  tlsEstablished(): void {
    this.s.assertUsable();
    if (this.s.current !== 'awaiting-tls') throw new SmtpServerError('ERR_SMTP_NOT_AWAITING_TLS', 'tlsEstablished() without a pending STARTTLS');
    this.s.secure = true;
    this.s.helo = undefined;
    this.s.heloVerb = undefined;
    this.s.authUser = undefined;
    this.s.resetTransaction();
    this.s.chunks = [];
    this.s.headOff = 0;
    this.s.inputLength = 0;
    this.s.advertisedKeywords = NO_KEYWORDS;
    this.s.go('tls-established');
  }

  /**
   * Graceful shutdown: an idle session gets `421 4.3.2` now; a busy one finishes the current
   * transaction (its end-of-message answer is still sent) and then gets the 421.
   */
  requestShutdown(): void {
    this.s.assertUsable();
    if (this.s.current === 'closed') return;
    this.s.shutdownRequested = true;
    if (!this.s.pending && this.s.isIdle()) shutdownNow(this.s);
  }

  /** Frees everything (`esmtp_destroy_message_construct`); the session is unusable afterwards. */
  dispose(): void {
    this.s.chunks = [];
    this.s.inputLength = 0;
    this.s.lineParts = [];
    this.s.out = [];
    this.s.events.length = 0;
    this.s.pending = undefined;
    this.s.decoder = undefined;
    this.s.sasl = undefined;
    this.s.current = 'closed';
    this.s.closeReason ??= 'disposed';
    this.s.disposed = true;
  }

}
export type { ServerOptions } from './options.js';
