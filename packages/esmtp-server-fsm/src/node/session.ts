/**
 * One client session of `createServer`: a `ServerConnection` driven by a socket, with the hooks,
 * the body stream, backpressure, timers and deadlines. Every entry into a session (socket event,
 * timer, hook settlement, body read) is guarded: an exception ends that session only.
 */
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { copyBytes, mailboxKey } from '@smtpkit/foundation';
import { SmtpServerError, ServerConnection } from 'esmtp-server-fsm';
import type { ReplyInit, ServerEvent } from 'esmtp-server-fsm';
import type { ProxyInfo } from './proxy-protocol.js';
import { isOpenSslError, isPeerHandshakeError, sessionTls } from './tls.js';
import type { ServerTls, SessionTls } from './tls.js';
import type { ServerLog, SessionLog } from './logger.js';
import type { CommandStep, CreateServerOptions, Envelope, ServerSettings, SessionContext } from './options.js';
import { callHook, interpret, isContinuation, replyOfError } from './hooks.js';
import { BodyStream, isConsumed } from './body-stream.js';
import type { BodySource } from './body-stream.js';
import type { OutputBatcher, OutputTarget } from './output.js';
import { SessionDeadline } from './fair-share.js';
import type { DeadlineOwner } from './fair-share.js';
import { IdleTimer } from './core-timer.js';
import { KeptTimer } from './kept-timer.js';

/** What every session of one server shares. */
export interface SessionHost {
  readonly options: CreateServerOptions;
  readonly settings: ServerSettings;
  readonly log: ServerLog | undefined;
  readonly tls: ServerTls | undefined;
  readonly output: OutputBatcher;
  /** Open sessions (a session alone writes its replies at once). */
  readonly sessions: ReadonlySet<Session>;
  /** `onError`, never throwing into the server. */
  reportError(error: unknown, session: SessionContext | undefined): void;
  /** A new message id. */
  messageId(): string;
  /** The session is over: forget it (connection counts, graceful close). */
  released(session: Session): void;
}

/** The reply written when a session ends on an internal error (a bug): the server keeps serving. */
function internalErrorReply(hostname: string): string {
  return `421 4.3.0 ${hostname} Error: internal error, closing connection\r\n`;
}

/**
 * Destroys a server-side TLS socket whose client leaves before the handshake is done: its FIN
 * (after nothing, or after part of a ClientHello) ends the connection at once, with an error of
 * code `EOF` (the client's failed handshake, as Postfix's `SSL_accept error: lost connection`).
 * The server runs with `allowHalfOpen`, under which that end would otherwise be ignored and the
 * connection would keep its place until the handshake timeout. Used for implicit TLS and for
 * STARTTLS alike.
 *
 * @example
 * ```ts
 * const t = serverTls.socket(raw);
 * destroyIfEndedBeforeSecure(t);
 * ```
 * @see RFC 3207 §4, RFC 8314 §3.3
 */
export function destroyIfEndedBeforeSecure(t: TLSSocket): void {
  let secured = false;
  t.once('secure', () => {
    secured = true;
  });
  t.once('end', () => {
    if (!secured) t.destroy(Object.assign(new Error('the client closed the connection during the TLS handshake'), { code: 'EOF' }));
  });
}

/**
 * The error codes with which a Node socket says that the connection itself was lost: the peer
 * reset or aborted it, it timed out, the network or the peer's host became unreachable, a write
 * met a closed pipe, or the TLS record layer under it broke (`EPROTO`). libuv's errno names, as
 * `net.Socket` gives them in `error.code`. Such an error is the end of the session, as a client
 * that closes is, not an error of the server. Local failures (`EMFILE`, `ENOBUFS`, `ENOMEM`...) and
 * errors without one of these codes are not in it. OpenSSL's errors on an established TLS
 * connection are the peer's too: see `lostConnectionCode`.
 */
const CONNECTION_LOST = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN', 'ENETRESET', 'ENOTCONN', 'ECONNREFUSED', 'EPROTO']);

/**
 * The code of a socket error that says the peer or the network lost or broke the connection (see
 * `CONNECTION_LOST`; or an OpenSSL error, `ERR_SSL_*`, see `isOpenSslError` in tls.ts: a bad
 * record, a fatal alert), else undefined. Decided by the error's code and origin, never by the
 * message; the server's typed errors are never one. Used inside a session and before one.
 *
 * @example
 * ```ts
 * lostConnectionCode(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })); // 'ECONNRESET'
 * ```
 */
export function lostConnectionCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (CONNECTION_LOST.has(code) || isOpenSslError(e)) ? code : undefined;
}

function connectionClosed(): SmtpServerError {
  return new SmtpServerError('ERR_SMTP_CONNECTION_CLOSED', 'connection closed before the end of the message');
}

/**
 * One client session: owns its socket (replaced by the TLS socket after STARTTLS), its
 * `ServerConnection`, the message in progress and the timers; the server only starts it, counts
 * it and asks it to shut down.
 */
export class Session implements OutputTarget, BodySource, DeadlineOwner {
  conn!: ServerConnection;
  ctx!: SessionContext;
  private readonly options: CreateServerOptions;
  private idle!: IdleTimer;
  private readonly deadline: SessionDeadline;
  private paused = false;
  /** Waiting for a hook or a body consumer. */
  private blocked = false;
  private body: Readable | undefined;
  private bodyWanted = true;
  /** A custom verb's block being read (`command-data` pieces), bounded by the core's size limit. */
  private commandBlock: Uint8Array[] | undefined;
  private envelope: Envelope | undefined;
  /** Sequence number of the current message; a late `onData` result of an aborted one is ignored. */
  private messageSeq = 0;
  /** `onData` of the current message has settled (`dataOk`: fulfilled, with `dataValue`). */
  private dataDone = false;
  private dataOk = true;
  private dataValue: unknown;
  /** The end of data was reached and its reply waits for `onData`. */
  private awaitingData = false;
  /**
   * Bounds the wait for `onData` after the end of data (`timeouts.dataBlock`): one Node timer for
   * the session, re-armed with `refresh()` for each message; `dataTimerArmed` false when it is not
   * waiting (a stale run-out is ignored).
   */
  private readonly dataTimer = new KeptTimer((): void => {
    if (!this.dataTimerArmed) return;
    this.dataTimerArmed = false;
    this.guard(() => this.dataTimeout());
  });
  private dataTimerArmed = false;
  /** Bounds the wait for a decision hook's promise (`timeouts.command`). */
  private hookTimer: NodeJS.Timeout | undefined;
  /** A core `internal-error` close was reported to `onError`. */
  private coreErrorReported = false;
  /**
   * A hook's late answer to the pending decision. Once the session is over (the client gone,
   * `close()` cut it) it reaches nothing, a failure included: `onClose` has run, and `close()` may
   * have settled with the application's resources released after it (as `onData`'s late result).
   */
  private readonly settledBound = (fulfilled: boolean, value: unknown): void => {
    if (this.closed) return;
    if (fulfilled) this.answer(value);
    else this.answerError(value);
  };
  closed = false;
  /** The session is over and the socket was ended (once). */
  private ending = false;
  /** The server is closing (see `hurry`). */
  private hurried = false;
  private upgrading = false;
  /**
   * The handshake timer the core armed at STARTTLS (`timeouts.tlsHandshake`, ms; undefined: none).
   * While the handshake runs the session reads no input and waits for no hook, so a reply the core
   * gives then is that timer's 421.
   */
  private handshakeTimeoutMs: number | undefined;
  /** The client address counted in the per-address slots, if it is counted. */
  counted: string | undefined;
  private log: SessionLog | undefined;
  /** Replies waiting for the end of this event-loop turn (see `OutputBatcher`). */
  outText = '';
  /** An exception inside the session already ended it (see `guard`). */
  private failed = false;
  /** The session's TLS, from the end of its handshake (`ctx.tls`). */
  private tlsInfo: SessionTls | undefined;
  /** The code of the socket error with which the peer or the network lost the connection. */
  private lost: string | undefined;

  constructor(
    public socket: Socket,
    readonly proxy: ProxyInfo | undefined,
    readonly id: string,
    private readonly host: SessionHost,
  ) {
    this.options = host.options;
    this.deadline = new SessionDeadline(this, host.settings.minDataRate, host.settings.minDataRateGraceMs);
  }

  start(initial: Uint8Array | undefined): void {
    const options = this.options;
    const core = this.host.settings.core;
    const clientAddress = this.proxy?.sourceAddress ?? this.socket.remoteAddress;
    const trusted = options.isTrusted?.(clientAddress) ?? false;
    // Input that came with the PROXY header, before the greeting: the connect decision is held
    // until it is fed, so that the early-talker check (DOS-7) applies whatever onConnect is.
    const early = initial !== undefined && initial.length > 0 && !options.onConnect;
    this.conn = new ServerConnection({
      ...core,
      ...(early ? { autoAccept: core.autoAccept!.filter((p) => p !== 'connect') } : {}),
      secure: this.socket instanceof TLSSocket,
      trusted,
      ...(clientAddress !== undefined ? { clientAddress } : {}),
    });
    const conn = this.conn;
    const socket = this.socket;
    this.idle = new IdleTimer(conn, this.enterBound);
    if (socket instanceof TLSSocket) this.tlsInfo = sessionTls(socket);
    const tlsOf = (): SessionTls | undefined => this.tlsInfo;
    this.ctx = {
      id: this.id,
      remoteAddress: clientAddress,
      remotePort: this.proxy?.sourcePort ?? socket.remotePort,
      localAddress: this.proxy?.destinationAddress ?? socket.localAddress,
      localPort: this.proxy?.destinationPort ?? socket.localPort,
      proxy: this.proxy,
      get info() {
        return conn.session;
      },
      get transaction() {
        return conn.transaction;
      },
      get tls() {
        return tlsOf();
      },
    };
    this.log = this.host.log?.session(this.ctx, socket, () => this.ending);
    this.attach(socket);
    if (initial && initial.length > 0) {
      this.log?.input(initial);
      conn.receiveData(initial);
    }
    if (early) {
      conn.nextEvent(); // the connect event
      conn.accept();
    }
    this.pump();
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    socket.on('data', this.onDataBound);
    socket.on('end', this.onEndBound);
    socket.on('close', this.finishBound);
    socket.on('error', this.socketErrorBound);
    socket.on('drain', this.pumpBound);
    this.paused = false;
    socket.resume();
  }

  /**
   * Runs one entry into the session (socket event, timer, hook settlement, body read). An
   * exception (a bug: no input is meant to cause one) ends this session only: `421 4.3.0` when
   * the socket can still be written, `onError(cause, ctx)`, and the server keeps serving.
   */
  guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.internalError(e);
    }
  }

  /** A timer's entry: `fn` then pump, guarded; nothing once the session is over. */
  private readonly enterBound = (fn: () => void): void => {
    if (this.closed) return;
    this.guard(() => {
      fn();
      this.pump();
    });
  };

  /** Ends this session after an unexpected exception (see `guard`). */
  private internalError(cause: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.host.reportError(cause, this.ctx);
    try {
      if (!this.ending && !this.socket.destroyed && this.socket.writable) {
        this.ending = true;
        this.outText = '';
        this.socket.end(internalErrorReply(this.host.settings.hostname));
        this.closeLater();
      } else this.socket.destroy();
    } catch {
      this.socket.destroy();
    }
    this.guard(() => this.finish());
  }

  /** Makes sure a client that does not close its side cannot keep the socket once the session is over. */
  private closeLater(): void {
    if (this.hurried) this.destroyWhenWritten();
    const socket = this.socket;
    const timer = setTimeout(() => socket.destroy(), 5000);
    timer.unref();
    // cleared when the socket closes, so that a closed session is not kept alive by it (after an
    // internal error the session is finished before its socket closes: finish() cannot clear it)
    socket.once('close', () => clearTimeout(timer));
  }

  /**
   * The server is closing: once this session is over (now, or after the transaction it finishes),
   * its socket is destroyed as soon as its last reply is written, instead of waiting up to 5 s for
   * the client to close its side, so that `close()` does not wait for clients that do not.
   */
  hurry(): void {
    this.hurried = true;
    if (this.ending) this.destroyWhenWritten();
  }

  /** Destroys the socket once everything written to it (the last reply, our FIN) has been handed to the system. */
  private destroyWhenWritten(): void {
    const socket = this.socket;
    if (socket.destroyed) return;
    if (socket.writableFinished) socket.destroy();
    else socket.once('finish', () => socket.destroy());
  }

  /** The client shut down its side (half-close): the session still answers what it sent. */
  private readonly onEndBound = (): void =>
    this.guard(() => {
      if (this.closed || this.failed) return;
      this.conn.receiveEof();
      this.pump();
    });
  readonly pumpBound = (): void => {
    try {
      this.pump();
    } catch (e) {
      this.internalError(e);
    }
  };
  private readonly finishBound = (): void => {
    try {
      this.finish();
    } catch (e) {
      // the session is gone either way; make sure it is not counted any more
      this.host.reportError(e, this.ctx);
      this.host.released(this);
    }
  };
  /** Input (the hot path: guarded without a closure per chunk). */
  private readonly onDataBound = (chunk: Buffer): void => {
    try {
      this.onData(chunk);
    } catch (e) {
      this.internalError(e);
    }
  };
  private readonly socketErrorBound = (e: Error): void => this.guard(() => this.socketError(e));

  /**
   * A socket error (of the socket, or after STARTTLS of the TLS socket or the one under it) ends
   * the session; the first one is told, once. A lost connection (see `lostConnectionCode`: a reset,
   * a broken pipe, a timeout...) after the session is over (a client that closes without reading
   * the 221 to QUIT) is its normal end, not an error, nor is a STARTTLS
   * handshake the client failed (see `isPeerHandshakeError`): that one is logged, and is the
   * session's close reason; nor is a connection the peer or the network lost (see
   * `lostConnectionCode`): the close reason says what was lost, as for a client that closes.
   * Anything else goes to `onError`.
   */
  private socketError(e: Error): void {
    const code = lostConnectionCode(e);
    const normal = this.conn.shouldClose && code !== undefined;
    if (this.closed || normal) {
      // already told, or nothing to tell
    } else if (this.upgrading && isPeerHandshakeError(e)) this.log?.tlsFailed(e);
    else if (code !== undefined) this.lost = code;
    else this.host.reportError(e, this.ctx);
    this.finish();
  }

  private onData(chunk: Buffer): void {
    if (this.closed || this.failed || this.conn.shouldClose) return;
    this.deadline.received(chunk.length);
    this.log?.input(chunk);
    this.conn.receiveData(chunk);
    this.pump();
  }

  /**
   * The session is over: released (no longer counted), then, if it was announced (its context
   * handed to a hook, `onError` or the logger), its `close` log line and `onClose`, exactly once
   * whatever fails on the way. A session that failed while starting, before it had a context, was
   * never announced: it gets neither.
   */
  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    (this.idle as IdleTimer | undefined)?.clear();
    this.dataTimer.cancel();
    if (this.hookTimer) clearTimeout(this.hookTimer);
    this.deadline.stop();
    // undefined only when the session failed while starting
    const conn = this.conn as ServerConnection | undefined;
    try {
      if (conn !== undefined) {
        if (!conn.shouldClose) conn.connectionLost();
        this.drainEvents();
        if (this.lost !== undefined) this.log?.lost(this.lost);
      }
    } finally {
      try {
        this.body?.destroy(connectionClosed());
        conn?.dispose();
        if (!this.failed) this.socket.destroy();
      } finally {
        // whatever failed above, the session is not counted any more, and its end is told
        this.host.released(this);
        if ((this.ctx as SessionContext | undefined) !== undefined) {
          this.log?.close(this.ending);
          this.options.onClose?.(this.ctx);
        }
      }
    }
  }

  /** Processes events until the session needs input, a decision or the body consumer. */
  pump(): void {
    if (this.closed) return;
    const conn = this.conn;
    for (;;) {
      let paused = false;
      while (!this.blocked) {
        const e = conn.nextEvent();
        if (e.type === 'need-data') break;
        if (e.type === 'paused') {
          paused = true;
          break;
        }
        if (e.type === 'closed') {
          if (e.reason === 'internal-error' && !this.coreErrorReported) {
            this.coreErrorReported = true;
            this.host.reportError(e.error, this.ctx);
          }
          break;
        }
        this.handle(e);
      }
      const wrote = this.flush();
      if (this.closed || this.upgrading) return;
      // The core pauses when its unsent replies pass maxPendingOutput (many pipelined commands in
      // one read). flush() has just handed them to the socket: go on with the buffered input unless
      // the socket asks to wait ('drain' pumps again). Nothing else would: the client may have sent
      // everything already, and a write the kernel takes at once emits no 'drain'.
      if (!paused || !wrote || this.ending || this.socket.writableNeedDrain) break;
    }
    // input backpressure: stop reading while the session cannot make progress or output piles up
    // (a pending decision alone does not stop reading: the session buffers, bounded by maxBufferedInput)
    const stalled = (this.blocked && this.body !== undefined && !this.bodyWanted) || conn.bufferedBytes > this.host.settings.maxBufferedInput || this.socket.writableNeedDrain;
    if (stalled !== this.paused) {
      this.paused = stalled;
      if (stalled) this.socket.pause();
      else this.socket.resume();
    }
    if (this.ending) return;
    this.idle.sync();
    this.deadline.sync(conn);
  }

  /** After close: deliver the remaining events (aborts, logged as `message aborted` like any other) without answering. */
  private drainEvents(): void {
    for (let i = 0; i < 1000; i++) {
      const e = this.conn.nextEvent();
      if (e.type === 'closed' || e.type === 'need-data' || e.type === 'paused') return;
      if (e.type === 'message-abort') {
        this.log?.event(e);
        this.abortBody(e.reason);
      }
    }
  }

  /**
   * Hands the replies of this pump to the socket. A session alone that waits for no hook writes
   * them at once; otherwise they wait for the end of the event-loop turn (`OutputBatcher`), in
   * order after what is already queued: one write per session per turn. Returns whether there
   * were replies to hand over.
   */
  private flush(): boolean {
    const out = this.conn.textToSend();
    if (out.length > 0) {
      // after the 220 to STARTTLS only TLS records may follow: a reply the session gives while the
      // handshake runs (its timeout's 421) is not written in plaintext; the connection closes. The
      // log says why instead of showing a reply that was never sent (rejected lines are as sent).
      if (this.upgrading) this.log?.notSent(this.handshakeTimeoutMs !== undefined ? `TLS handshake timeout (${String(this.handshakeTimeoutMs)} ms)` : 'closed during the TLS handshake');
      else this.log?.output(out);
      if (!this.socket.destroyed && !this.upgrading) {
        if (this.host.sessions.size === 1 && !this.blocked && this.outText.length === 0) this.socket.write(out);
        else this.host.output.queue(this, out);
      }
    }
    if (this.conn.shouldClose && !this.closed && !this.ending) {
      this.ending = true;
      this.idle.clear();
      this.dataTimer.cancel();
      this.deadline.stop();
      this.writeOutput();
      // after the last reply (allowHalfOpen: the client may have shut down its side already); a
      // handshake that did not complete has nothing to flush
      if (this.upgrading) this.socket.destroy();
      else this.socket.end();
      this.body?.destroy(connectionClosed());
      this.closeLater();
    }
    return out.length > 0;
  }

  /** Writes the queued replies (one write per turn of the event loop). */
  writeOutput(): void {
    const text = this.outText;
    if (text.length === 0) return;
    this.outText = '';
    if (this.socket.destroyed) return;
    // output backpressure: the next pump sees writableNeedDrain and stops reading until 'drain'
    this.socket.write(text);
  }

  /** True while the server itself is not reading (backpressure, a hook): not the client's time. */
  notReading(): boolean {
    return this.paused || this.blocked;
  }

  /** The deadline `id` expired, or the body came in below `minDataRate` over it. */
  deadlineExpired(id: number): void {
    this.guard(() => {
      if (this.closed) return;
      this.deadline.stop();
      this.conn.handleDeadline(id);
      this.pump();
    });
  }

  /**
   * Runs a hook for the pending decision. A result given at once is applied at once (the
   * caller's pump goes on); a promise blocks the session until it settles.
   */
  private decide(run: () => unknown): void {
    const now = callHook(run, this.settledBound);
    if (now === undefined) {
      this.blocked = true;
      this.armHookTimer();
    } else if (now[0]) this.apply(now[1]);
    else this.applyError(now[1]);
  }

  /** A step of a custom verb's exchange goes to `onCommandStep` (the default reply without it). */
  private commandStep(step: CommandStep): void {
    const hook = this.options.onCommandStep;
    if (hook) this.decide(() => hook(step, this.ctx));
    else this.conn.accept();
  }

  /** A hook's promise that never settles is bounded by the command timeout (`421 4.4.2`). */
  private armHookTimer(): void {
    const ms = this.conn.timeouts.command;
    const point = this.conn.pendingDecision;
    if (!(ms > 0 && ms !== Infinity) || point === undefined) return;
    if (this.hookTimer) clearTimeout(this.hookTimer);
    this.hookTimer = setTimeout(() => {
      this.hookTimer = undefined;
      this.guard(() => {
        if (this.closed || this.conn.pendingDecision !== point) return;
        this.host.reportError(new SmtpServerError('ERR_SMTP_HOOK_TIMEOUT', `the ${point} hook did not settle within ${String(ms)} ms`), this.ctx);
        this.blocked = false;
        this.conn.reject({ code: 421, enhanced: '4.4.2', text: `${this.host.settings.hostname} Error: timeout exceeded` });
        this.pump();
      });
    }, ms);
    this.hookTimer.unref();
  }

  /** Answers the pending decision with a hook's result (without pumping). */
  private apply(result: unknown): void {
    this.blocked = false;
    if (this.hookTimer) clearTimeout(this.hookTimer);
    this.hookTimer = undefined;
    if (this.closed || this.conn.pendingDecision === undefined) return;
    try {
      // onAuth fails closed: only `true`, `{ user }` or a reply object (a 235) accepts; nothing, false, null... is 535
      const auth = this.conn.pendingDecision === 'auth';
      if (auth && (typeof result !== 'object' || result === null)) {
        if (result === true) this.conn.accept();
        else this.conn.reject();
      } else if (auth && 'user' in (result as object)) {
        // the login's user named by the application (a token's subject); `code`, `enhanced` and
        // `text`, when given, are its 235 (each field read once, then checked by the core)
        const { user, code, enhanced, text } = result as { user: unknown; code?: unknown; enhanced?: unknown; text?: unknown };
        this.conn.acceptAuth(user as string, code === undefined ? undefined : ({ code, enhanced, text } as ReplyInit));
      } else if (Array.isArray(result)) this.conn.respond(result as ReplyInit[]);
      else if (isContinuation(result)) this.conn.continueCommand(result);
      else {
        const { positive, reply } = interpret(result);
        if (reply) this.conn.respond(reply);
        else if (positive) this.conn.accept();
        else this.conn.reject();
      }
    } catch (e) {
      // a hook result the session refuses (a malformed reply, a list outside LMTP...): typed
      // error to onError, 451 to the client; never a second throw when nothing is pending
      this.host.reportError(e, this.ctx);
      if (this.conn.pendingDecision !== undefined) this.conn.reject(this.localError());
    }
  }

  /**
   * The reply to a hook that failed (threw, or gave a result the session refuses): `454 4.7.0` for
   * `onAuth` (RFC 4954 §6: a temporary authentication failure), `421 4.3.2` for `onConnect` (a
   * refused connection is a 554 or a 421), `451 4.3.0` for any other.
   */
  private localError(): ReplyInit {
    const point = this.conn.pendingDecision;
    if (point === 'auth') return { code: 454, enhanced: '4.7.0', text: 'Temporary authentication failure' };
    // the connection is refused with a 554 or 421 only (RFC 5321 §3.1): 421 closes it
    if (point === 'connect') return { code: 421, enhanced: '4.3.2', text: 'Local error in processing' };
    return { code: 451, enhanced: '4.3.0', text: 'Local error in processing' };
  }

  /** Answers the pending decision with what a hook threw (without pumping). */
  private applyError(e: unknown): void {
    const reply = replyOfError(e);
    if (!reply) this.host.reportError(e, this.ctx);
    this.apply(reply ?? this.localError());
  }

  private answer(result: unknown): void {
    try {
      this.apply(result);
      this.pump();
    } catch (e) {
      this.internalError(e);
    }
  }

  private answerError(error: unknown): void {
    try {
      this.applyError(error);
      this.pump();
    } catch (e) {
      this.internalError(e);
    }
  }

  /** `onData` of message `seq` settled. */
  private dataSettled(seq: number, ok: boolean, value: unknown): void {
    if (seq !== this.messageSeq || this.closed) return;
    this.dataDone = true;
    this.dataOk = ok;
    this.dataValue = value;
    if (this.awaitingData) {
      this.awaitingData = false;
      this.dataTimerArmed = false;
      this.settledBound(ok, value);
      return;
    }
    const body = this.body;
    if (body !== undefined) this.drainWhenUnread(body);
  }

  /**
   * `onData` settled before the end of the message: once nothing reads the body (now, or when its
   * consumer lets go of it: a pipe whose destination failed unpipes and pauses it, a 'readable'
   * listener that read once is gone), the rest is drained (read and dropped) so that the session
   * reaches the end of data, where the hook's answer is applied; else it would wait for a read that
   * never comes until the data-phase deadline. A consumer that still reads keeps getting the body
   * (a pipe's pause for backpressure keeps its 'data' listener).
   */
  private drainWhenUnread(body: Readable): void {
    if (!isConsumed(body)) body.resume();
    else body.on('pause', () => this.drainLaterIfUnread(body));
  }

  /**
   * Drains `body` on a later turn if nothing reads it then: checked once the stream has updated its
   * own state (an unpipe removes the pipe's listener after pausing; a removed 'readable' listener
   * is forgotten on the next tick).
   */
  private drainLaterIfUnread(body: Readable): void {
    setImmediate(() =>
      this.guard(() => {
        if (this.body === body && !body.destroyed && !isConsumed(body)) body.resume();
      }),
    );
  }

  /** The body consumer wants more. */
  bodyRead(body: BodyStream): void {
    // an earlier message's stream (destroyed after its end) says nothing about this one
    if (this.body !== body || this.bodyWanted) return;
    this.bodyWanted = true;
    if (this.blocked) {
      this.blocked = false;
      // called from inside the consumer's read(): the session resumes on its own turn
      setImmediate(this.pumpBound);
    }
  }

  /**
   * `onData` did not settle within the data-block timeout after the end of the message: the
   * message is lost (`421 4.4.2`, the client retries it), and `onError` is told, as for a decision
   * hook.
   */
  private dataTimeout(): void {
    if (this.closed || !this.awaitingData) return;
    this.host.reportError(new SmtpServerError('ERR_SMTP_HOOK_TIMEOUT', `the onData hook did not settle within ${String(this.conn.timeouts.dataBlock)} ms of the end of the message`), this.ctx);
    this.awaitingData = false;
    this.messageSeq++; // its late result is ignored
    this.blocked = false;
    if (this.conn.pendingDecision === 'message-end') this.conn.reject({ code: 421, enhanced: '4.4.2', text: `${this.host.settings.hostname} Error: timeout exceeded` });
    this.pump();
  }

  private abortBody(reason: string): void {
    if (this.body && !this.body.destroyed) {
      const error = new SmtpServerError('ERR_SMTP_MESSAGE_ABORTED', `message aborted: ${reason}`);
      Object.defineProperty(error, 'reason', { value: reason, enumerable: true });
      this.body.destroy(error);
    }
    this.body = undefined;
    this.messageSeq++;
    this.awaitingData = false;
    this.dataTimerArmed = false;
    this.envelope = undefined;
  }

  private handle(e: ServerEvent): void {
    const ctx = this.ctx;
    const options = this.options;
    if (this.log !== undefined && e.type !== 'data-chunk') this.log.event(e);
    switch (e.type) {
      case 'connect':
        if (e.needsAnswer && options.onConnect) this.decide(() => options.onConnect!(ctx));
        return;
      case 'helo':
        if (e.needsAnswer && options.onHelo) this.decide(() => options.onHelo!(e.domain, ctx));
        return;
      case 'auth':
        if (options.onAuth) this.decide(() => options.onAuth!(e.credentials, ctx));
        else this.conn.reject();
        return;
      case 'mail':
        if (e.needsAnswer && options.onMailFrom) this.decide(() => options.onMailFrom!(e.from, e.parameters, ctx));
        return;
      case 'rcpt':
        if (e.needsAnswer && options.onRcptTo) this.decide(() => options.onRcptTo!(e.to, e.parameters, ctx));
        return;
      case 'data-start':
        // the 354 (queued by the core with this event) goes out before onData is set up: the
        // client starts sending the body while the application prepares for it
        this.flush();
        this.startMessage();
        return;
      case 'data-chunk':
        if (this.body && this.envelope) {
          this.envelope.size += e.bytes.length;
          // a stream the consumer destroyed is not fed: the rest of the message is drained
          if (!this.body.destroyed && !this.body.push(e.bytes)) {
            this.bodyWanted = false;
            this.blocked = true;
            // onData has answered: a consumer may have let go of the body since (see drainWhenUnread)
            if (this.dataDone) this.drainLaterIfUnread(this.body);
          }
        }
        return;
      case 'message-end':
        this.endMessage();
        return;
      case 'message-abort':
        this.abortBody(e.reason);
        return;
      case 'vrfy':
        if (options.onVrfy) this.decide(() => options.onVrfy!(e.argument, ctx));
        else this.conn.accept();
        return;
      case 'expn':
        this.conn.reject({ code: 502, enhanced: '5.5.1', text: 'EXPN disabled' });
        return;
      case 'command':
        if (e.needsAnswer && options.onCommand) this.decide(() => options.onCommand!(e.verb, e.argument, ctx));
        return;
      case 'command-line':
        if (e.needsAnswer) this.commandStep({ kind: 'line', verb: e.verb, line: e.line });
        return;
      case 'command-data':
        (this.commandBlock ??= []).push(copyBytes(e.bytes));
        return;
      case 'command-end': {
        const pieces = this.commandBlock ?? [];
        this.commandBlock = undefined;
        if (e.needsAnswer) this.commandStep({ kind: 'block', verb: e.verb, data: pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces) });
        return;
      }
      case 'tls-start':
        this.startTls();
        return;
      case 'xclient':
      case 'xforward':
      case 'rset':
      case 'quit':
      case 'closed':
      case 'need-data':
      case 'paused':
        return;
    }
  }

  /** DATA or the first BDAT was accepted: the envelope and body stream go to `onData`. */
  private startMessage(): void {
    const tx = this.conn.transaction;
    const info = this.conn.session;
    // A recipient given twice (RCPT TO:<a@x> again, its domain in any case, with the same
    // parameters: the session refuses other ones) is one recipient: in SMTP it is delivered once,
    // under the address first given. LMTP keeps each, as each gets its own reply after the data
    // (RFC 2033 §4.2).
    let recipients = tx.recipients;
    if (!this.options.lmtp && recipients.length > 1) {
      const seen = new Set<string>();
      for (const r of recipients) seen.add(mailboxKey(r.address));
      if (seen.size < recipients.length) recipients = recipients.filter((r) => seen.delete(mailboxKey(r.address)));
    }
    const envelope: Envelope = {
      id: this.host.messageId(),
      from: tx.from ?? '',
      to: recipients.map((r) => r.address),
      helo: info.helo,
      clientAddress: info.clientAddress,
      size: 0,
      mailParameters: tx.mailParameters,
      rcptParameters: recipients.map((r) => r.parameters),
      user: info.authenticatedUser,
      secure: info.secure,
      protocol: info.protocol,
    };
    this.envelope = envelope;
    const body = new BodyStream(this);
    this.body = body;
    this.bodyWanted = true;
    const seq = ++this.messageSeq;
    this.dataDone = false;
    this.awaitingData = false;
    const { onData } = this.options;
    if (!onData) body.resume();
    const ctx = this.ctx;
    const now = onData ? callHook(() => onData(envelope, body, ctx), (ok, value) => this.dataSettled(seq, ok, value)) : ([true, undefined] as const);
    if (now) this.dataSettled(seq, now[0], now[1]);
  }

  /** The end of data: the reply waits for `onData` unless it has settled already. */
  private endMessage(): void {
    const body = this.body;
    this.body = undefined;
    this.envelope = undefined;
    body?.push(null);
    if (!this.dataDone) {
      // the reply waits for onData (usually until it has read the body to its end); a hook
      // that never settles is bounded by the data-block timeout: 421 4.4.2 and close
      this.blocked = true;
      this.awaitingData = true;
      const ms = this.conn.timeouts.dataBlock;
      if (ms > 0 && ms !== Infinity) {
        this.dataTimerArmed = true;
        this.dataTimer.arm(ms);
      }
    } else if (this.dataOk) this.apply(this.dataValue);
    else this.applyError(this.dataValue);
    this.dataValue = undefined;
  }

  /** In the TLS handshake after STARTTLS's 220. */
  get handshaking(): boolean {
    return this.upgrading && !this.closed;
  }

  /** STARTTLS accepted: the 220 goes out in plaintext, then the handshake on the same socket. */
  private startTls(): void {
    this.flush();
    this.writeOutput();
    const raw = this.socket;
    raw.removeListener('data', this.onDataBound);
    raw.removeAllListeners('end');
    raw.removeAllListeners('drain');
    this.blocked = true;
    this.upgrading = true;
    const secure = this.host.tls!.socket(raw);
    // a client that leaves during the handshake frees its place at once, not after the timeout
    destroyIfEndedBeforeSecure(secure);
    secure.once('secure', () =>
      this.guard(() => {
        // a client certificate refused (rejectUnauthorized): the socket is gone, with its error
        if (secure.destroyed) return;
        this.tlsInfo = sessionTls(secure);
        this.log?.tls(secure);
        this.blocked = false;
        this.upgrading = false;
        if (this.closed) return;
        this.conn.tlsEstablished();
        this.socket = secure;
        this.paused = false;
        secure.on('data', this.onDataBound);
        secure.on('end', this.onEndBound);
        secure.on('drain', this.pumpBound);
        this.pump();
      }),
    );
    secure.on('error', this.socketErrorBound);
    secure.on('close', this.finishBound);
    this.idle.sync();
    const timer = this.conn.pendingTimeout();
    this.handshakeTimeoutMs = timer?.name === 'tlsHandshake' ? timer.ms : undefined;
  }
}
