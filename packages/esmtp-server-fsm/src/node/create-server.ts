/**
 * Node adapter: `createServer` runs `ServerConnection` sessions over `node:net` / `node:tls`
 * sockets with async hooks, backpressure, timers, a connection limit, graceful shutdown and the
 * PROXY protocol.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer as netCreateServer } from 'node:net';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { ServerConnection } from '../server-connection.js';
import type { ServerOptions, SessionInfo } from '../server-connection.js';
import type { EsmtpParameters } from '../envelope-args.js';
import type { AuthCredentials } from '../sasl.js';
import type { ReplyInit } from '../reply.js';
import type { PolicyPoint, ServerEvent } from '../events.js';
import type { ServerTimer } from '../limits.js';
import { parseProxyHeader } from './proxy-protocol.js';
import type { ProxyInfo } from './proxy-protocol.js';
import { ServerTls } from './tls.js';
import type { ServerTlsOptions } from './tls.js';
import { serverLog } from './logger.js';
import type { ServerLogger, SessionLog, TranscriptLine } from './logger.js';
import { LocalProtocolError } from '../errors.js';

/**
 * A reply thrown by a hook to reject (or answer) a command.
 *
 * @example
 * ```ts
 * onRcptTo: (to) => { if (!known(to)) throw new SmtpReplyError({ code: 550, enhanced: '5.1.1', text: 'No such user' }); }
 * ```
 * @see RFC 5321 §4.2
 */
export class SmtpReplyError extends Error {
  readonly reply: ReplyInit;
  constructor(reply: ReplyInit) {
    super(`${String(reply.code)} ${typeof reply.text === 'string' ? reply.text : (reply.text ?? []).join(' ')}`);
    this.name = 'SmtpReplyError';
    this.reply = reply;
  }
}

/**
 * What a hook returns: nothing/true (accept), false (default rejection) or an explicit reply.
 *
 * @example
 * ```ts
 * onMailFrom: (from): HookResult => (blocked(from) ? { code: 550, enhanced: '5.7.1', text: 'Blocked' } : undefined)
 * ```
 * @see RFC 5321 §4.2
 */
export type HookResult = void | undefined | boolean | ReplyInit;

/**
 * A connected client, as seen by the hooks.
 *
 * @example
 * ```ts
 * onConnect: (s) => log(s.id, s.remoteAddress, s.proxy?.version)
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export interface SessionContext {
  /** Unique id of the session (hex). */
  readonly id: string;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  /** The PROXY header, when the proxy protocol is on. */
  readonly proxy: ProxyInfo | undefined;
  /** Live session facts (HELO name, TLS, authenticated user...). */
  readonly info: SessionInfo;
}

/**
 * The envelope of one message, handed to `onData`. `size` is final once the body stream ends.
 *
 * @example
 * ```ts
 * onData: async (env, stream) => { await pipeline(stream, createWriteStream(`${env.id}.eml`)); }
 * ```
 * @see RFC 5321 §2.3.1
 */
export interface Envelope {
  readonly id: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly helo: string | undefined;
  readonly clientAddress: string | undefined;
  size: number;
  readonly mailParameters: EsmtpParameters;
  readonly rcptParameters: readonly EsmtpParameters[];
  readonly user: string | undefined;
  readonly secure: boolean;
  readonly protocol: string;
}

/**
 * Options of `createServer`.
 *
 * @example
 * ```ts
 * createServer({ hostname: 'mx.example', tls: { key, cert }, onData: async (env, body) => store(env, body) });
 * ```
 * @see RFC 5321 §4, RFC 3207, RFC 8314 §3.3
 */
export interface CreateServerOptions extends Omit<ServerOptions, 'secure' | 'starttls' | 'clientAddress' | 'trusted' | 'challenge' | 'autoAccept'> {
  /**
   * TLS material; enables STARTTLS (and implicit TLS with `secure`). `sni` adds per-hostname
   * certificates; `setSecureContext` replaces them all without a restart.
   */
  readonly tls?: ServerTlsOptions;
  /** Operational log (pino / console shape, object then message); see `ServerLogger`. */
  readonly logger?: ServerLogger;
  /** Receives the dialogue as C:/S: lines, credentials and bodies left out; see `TranscriptLine`. */
  readonly transcript?: (line: TranscriptLine) => void;
  /** Implicit TLS (port 465 style). */
  readonly secure?: boolean;
  /** Offer STARTTLS when `tls` is set (default true). */
  readonly starttls?: boolean;
  /** Maximum concurrent sessions; more get `421 4.7.0` (default 100). */
  readonly maxConnections?: number;
  /** Expect a PROXY protocol v1/v2 header before the greeting (default false). */
  readonly proxyProtocol?: boolean;
  /** Which clients may use XCLIENT/XFORWARD (default: none). */
  readonly isTrusted?: (remoteAddress: string | undefined) => boolean;
  /**
   * Slowloris defence (DOS-8): while a message body streams, the average rate must stay at or
   * above this many bytes/s once `minDataRateGraceMs` has passed, else `421 4.4.2` (default 0 =
   * off; Postfix `smtpd_min_data_rate` is 500).
   */
  readonly minDataRate?: number;
  /** How long a body may run before `minDataRate` is enforced, in ms (default 10000). */
  readonly minDataRateGraceMs?: number;
  /** Unprocessed input bytes above which the socket stops reading (default 262144). */
  readonly maxBufferedInput?: number;
  readonly onConnect?: (session: SessionContext) => HookResult | Promise<HookResult>;
  readonly onHelo?: (domain: string, session: SessionContext) => HookResult | Promise<HookResult>;
  /** Checks credentials; without it every AUTH fails. */
  readonly onAuth?: (credentials: AuthCredentials, session: SessionContext) => HookResult | Promise<HookResult>;
  readonly onMailFrom?: (from: string, parameters: EsmtpParameters, session: SessionContext) => HookResult | Promise<HookResult>;
  readonly onRcptTo?: (to: string, parameters: EsmtpParameters, session: SessionContext) => HookResult | Promise<HookResult>;
  /**
   * Receives the body as a stream (exact bytes, dot-unstuffed); the final reply waits for the
   * returned promise. In LMTP mode it may return one reply per recipient.
   */
  readonly onData?: (envelope: Envelope, body: Readable, session: SessionContext) => HookResult | readonly ReplyInit[] | Promise<HookResult | readonly ReplyInit[]>;
  readonly onVrfy?: (argument: string, session: SessionContext) => HookResult | Promise<HookResult>;
  readonly onCommand?: (verb: string, argument: string, session: SessionContext) => HookResult | Promise<HookResult>;
  readonly onClose?: (session: SessionContext) => void;
  /** Called with unexpected errors (socket errors, hook exceptions that are not replies). */
  readonly onError?: (error: unknown, session: SessionContext | undefined) => void;
}

/**
 * A running server.
 *
 * @example
 * ```ts
 * const server = createServer({ onData: async (e, body) => { for await (const _ of body); } });
 * await server.listen(2525, '127.0.0.1');
 * await server.close({ timeout: 10_000 });
 * ```
 * @see RFC 5321 §4.3.2
 */
export interface SmtpServer {
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Graceful shutdown: 421 to idle and new sessions, in-flight transactions get `timeout` ms. */
  close(options?: { readonly timeout?: number }): Promise<void>;
  address(): AddressInfo | undefined;
  /** Number of open sessions. */
  readonly connections: number;
  /**
   * Runs a session on a connection accepted elsewhere: a socket inherited from a supervisor
   * (systemd socket activation), one from another listener, or an in-memory duplex stream with
   * the shape of a socket. Connection limit, PROXY header and implicit TLS apply as to a
   * connection accepted by `listen`.
   */
  handleConnection(socket: Socket): void;
  /**
   * Replaces the TLS certificates (default and SNI) without a restart: new handshakes use them,
   * established sessions keep theirs. Throws `ERR_SMTP_INVALID_OPTION` (and changes nothing) for
   * unusable material or a server created without `tls`.
   */
  setSecureContext(tls: ServerTlsOptions): void;
}

/**
 * Verifies CRAM-MD5 credentials against a known password.
 *
 * @example
 * ```ts
 * onAuth: (c) => c.mechanism === 'CRAM-MD5' ? verifyCramMd5(c, passwords[c.username]) : c.password === passwords[c.username]
 * ```
 * @see RFC 2195 §2
 */
export function verifyCramMd5(credentials: AuthCredentials, password: string | undefined): boolean {
  if (password === undefined || credentials.challenge === undefined || credentials.response === undefined) return false;
  const expected = createHmac('md5', password).update(credentials.challenge).digest();
  const got = Buffer.from(credentials.response, 'hex');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

function interpret(result: unknown): { positive: boolean; reply: ReplyInit | undefined } {
  if (result === undefined || result === true) return { positive: true, reply: undefined };
  if (result === false) return { positive: false, reply: undefined };
  const r = result as ReplyInit;
  return { positive: r.code < 400, reply: r };
}

function replyOfError(e: unknown): ReplyInit | undefined {
  if (e instanceof SmtpReplyError) return e.reply;
  if (typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'number') {
    const r = e as { code: number; enhanced?: unknown; text?: unknown; message?: unknown };
    const text = typeof r.text === 'string' || Array.isArray(r.text) ? (r.text as string | string[]) : typeof r.message === 'string' ? r.message : undefined;
    return { code: r.code, ...(typeof r.enhanced === 'string' ? { enhanced: r.enhanced } : {}), ...(text !== undefined ? { text } : {}) };
  }
  return undefined;
}

/** Queued replies above this many characters are written without waiting for the end of the turn. */
const OUTPUT_BATCH_LIMIT = 16384;

/** A no-op listener: body streams are destroyed with an error on abort, nobody has to listen. */
const ignore = (): void => undefined;

/**
 * Calls a hook. A plain result or a throw comes back at once as `[fulfilled, value]`; for a
 * promise (or any thenable) it returns undefined and `later(fulfilled, value)` runs once it settles.
 */
function callHook(run: () => unknown, later: (fulfilled: boolean, value: unknown) => void): readonly [boolean, unknown] | undefined {
  let r: unknown;
  try {
    r = run();
  } catch (e) {
    return [false, e];
  }
  if (typeof r !== 'object' || r === null || typeof (r as { then?: unknown }).then !== 'function') return [true, r];
  (r instanceof Promise ? r : Promise.resolve(r)).then(
    (v: unknown) => later(true, v),
    (e: unknown) => later(false, e),
  );
  return undefined;
}

/** The body stream handed to `onData`; asks its session for more when the consumer reads. */
class BodyStream extends Readable {
  constructor(private readonly session: { bodyRead(body: BodyStream): void }) {
    super();
    this.on('error', ignore);
  }

  override _read(): void {
    this.session.bodyRead(this);
  }
}

/**
 * Creates an SMTP/LMTP server running `ServerConnection` sessions.
 *
 * @example
 * ```ts
 * const server = createServer({ hostname: 'mx.example', onData: async (env, body) => { await save(env, body); } });
 * await server.listen(25);
 * ```
 * @see RFC 5321 §4, RFC 3207, RFC 2033
 */
export function createServer(options: CreateServerOptions): SmtpServer {
  const serverTls = options.tls ? new ServerTls(options.tls) : undefined;
  const log = serverLog(options.logger, options.transcript);
  // errors reach the session's log line as well as onError
  if (log) options = { ...options, onError: log.onError(options.onError) };
  const maxConnections = options.maxConnections ?? 100;
  const maxBuffered = options.maxBufferedInput ?? 262144;
  const hostname = options.hostname ?? 'localhost';
  const sessions = new Set<Session>();
  let closing = false;
  let counter = 0;
  const prefix = randomBytes(4).toString('hex');
  // the core options common to every session, worked out once
  const autoAccept: PolicyPoint[] = ['data-start', 'xclient'];
  if (!options.onConnect) autoAccept.push('connect');
  if (!options.onHelo) autoAccept.push('helo');
  if (!options.onMailFrom) autoAccept.push('mail');
  if (!options.onRcptTo) autoAccept.push('rcpt');
  if (!options.onCommand) autoAccept.push('command');
  const { tls: _tls, secure: _secure, starttls, maxConnections: _m, proxyProtocol: _p, isTrusted: _t, onConnect: _1, onHelo: _2, onAuth: _3, onMailFrom: _4, onRcptTo: _5, onData: _6, onVrfy: _7, onCommand: _8, onClose: _9, onError: _10, logger: _14, transcript: _15, maxBufferedInput: _11, minDataRate: _12, minDataRateGraceMs: _13, ...core } = options;
  const coreOptions: ServerOptions = {
    ...core,
    hostname,
    copyInput: false,
    starttls: serverTls !== undefined && (starttls ?? true),
    challenge: () => `<${randomBytes(8).toString('hex')}.${String(Date.now())}@${hostname}>`,
    autoAccept,
    ...(options.onVrfy ? { vrfy: 'policy' as const } : {}),
  };

  class Session {
    conn!: ServerConnection;
    socket: Socket;
    ctx!: SessionContext;
    timer: NodeJS.Timeout | undefined;
    timerMs = 0;
    timerName: ServerTimer | undefined;
    paused = false;
    blocked = false; // waiting for a hook or a body consumer
    body: Readable | undefined;
    bodyWanted = true;
    envelope: Envelope | undefined;
    /** Sequence number of the current message; a late `onData` result of an aborted one is ignored. */
    messageSeq = 0;
    /** `onData` of the current message has settled (`dataOk`: fulfilled, with `dataValue`). */
    dataDone = false;
    dataOk = true;
    dataValue: unknown;
    /** The end of data was reached and its reply waits for `onData`. */
    awaitingData = false;
    /** A hook's late answer to the pending decision. */
    readonly settledBound = (fulfilled: boolean, value: unknown): void => {
      if (fulfilled) this.answer(value);
      else this.answerError(value);
    };
    closed = false;
    /** The session is over and the socket was ended (once). */
    ending = false;
    closeTimer: NodeJS.Timeout | undefined;
    upgrading = false;
    rateTimer: NodeJS.Timeout | undefined;
    bodyBytes = 0;
    bodyStart = 0;
    log: SessionLog | undefined;
    readonly onDataBound = (chunk: Buffer): void => this.onData(chunk);
    /** Replies waiting for the end of this event-loop turn (see `queueOutput`). */
    outText = '';

    constructor(socket: Socket, readonly proxy: ProxyInfo | undefined, readonly id: string) {
      this.socket = socket;
    }

    start(initial: Uint8Array | undefined): void {
      const clientAddress = this.proxy?.sourceAddress ?? this.socket.remoteAddress;
      const trusted = options.isTrusted?.(clientAddress) ?? false;
      this.conn = new ServerConnection({
        ...coreOptions,
        secure: this.socket instanceof TLSSocket,
        trusted,
        ...(clientAddress !== undefined ? { clientAddress } : {}),
      });
      const conn = this.conn;
      const socket = this.socket;
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
      };
      this.log = log?.session(this.ctx, socket, () => this.ending);
      this.attach(socket);
      if (initial && initial.length > 0) {
        this.log?.input(initial);
        conn.receiveData(initial);
      }
      this.pump();
    }

    attach(socket: Socket): void {
      this.socket = socket;
      socket.on('data', this.onDataBound);
      socket.on('end', () => {
        if (this.closed) return;
        this.conn.receiveEof();
        this.pump();
      });
      socket.on('close', () => this.finish());
      socket.on('error', this.socketErrorBound);
      socket.on('drain', () => this.pump());
      this.paused = false;
      socket.resume();
    }

    readonly socketErrorBound = (e: Error): void => this.socketError(e);

    /**
     * A socket error ends the session; it is reported once. A reset or broken pipe after the
     * session is over (a client that closes without reading the 221 to QUIT) is not an error.
     */
    socketError(e: Error): void {
      const code = (e as NodeJS.ErrnoException).code;
      const normal = this.conn.phase === 'closed' && (code === 'ECONNRESET' || code === 'EPIPE');
      if (!this.closed && !normal) options.onError?.(e, this.ctx);
      this.finish();
    }

    onData(chunk: Buffer): void {
      if (this.closed || this.conn.phase === 'closed') return;
      if (this.rateTimer) this.bodyBytes += chunk.length;
      this.log?.input(chunk);
      this.conn.receiveData(chunk);
      this.pump();
    }

    finish(): void {
      if (this.closed) return;
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      if (this.closeTimer) clearTimeout(this.closeTimer);
      this.stopRate();
      if (this.conn.phase !== 'closed') this.conn.receiveEof();
      this.drainEvents();
      this.body?.destroy(new Error('connection closed'));
      this.conn.dispose();
      sessions.delete(this);
      this.log?.close(this.ending);
      options.onClose?.(this.ctx);
      this.socket.destroy();
      checkClosed();
    }

    /** Processes events until the session needs input, a decision or the body consumer. */
    pump(): void {
      if (this.closed) return;
      while (!this.blocked) {
        const e = this.conn.nextEvent();
        if (e.type === 'need-data' || e.type === 'paused') break;
        if (e.type === 'closed') break;
        this.handle(e);
      }
      this.flush();
      if (this.closed || this.upgrading) return;
      // input backpressure: stop reading while the session cannot make progress or output piles up
      // (a pending decision alone does not stop reading: the session buffers, bounded by maxBuffered)
      const stalled = (this.blocked && this.body !== undefined && !this.bodyWanted) || this.conn.bufferedBytes > maxBuffered || this.socket.writableNeedDrain;
      if (stalled !== this.paused) {
        this.paused = stalled;
        if (stalled) this.socket.pause();
        else this.socket.resume();
      }
      this.arm();
    }

    /** After close: deliver the remaining events (aborts) without answering. */
    drainEvents(): void {
      for (let i = 0; i < 1000; i++) {
        const e = this.conn.nextEvent();
        if (e.type === 'closed' || e.type === 'need-data' || e.type === 'paused') return;
        if (e.type === 'message-abort') this.abortBody(e.reason);
      }
    }

    flush(): void {
      const out = this.conn.textToSend();
      if (out.length > 0) this.log?.output(out);
      if (out.length > 0 && !this.socket.destroyed) {
        // Written now when this session is alone and not waiting for a hook; else at the end of
        // the event-loop turn (see queueOutput), in order after what is already queued.
        if (this.upgrading || (sessions.size === 1 && !this.blocked && this.outText.length === 0)) this.socket.write(out);
        else {
          queueOutput(this, out);
          // a large backlog goes now, so that output backpressure is seen within the turn
          if (this.outText.length >= OUTPUT_BATCH_LIMIT) this.writeOutput();
        }
      }
      if (this.conn.shouldClose && !this.closed && !this.ending) {
        this.ending = true;
        if (this.timer) clearTimeout(this.timer);
        this.writeOutput();
        this.socket.end();
        this.body?.destroy(new Error('connection closed'));
        // make sure a client that does not close its side cannot keep the socket (cleared when
        // the socket closes, so that closed sessions are not kept alive by it)
        this.closeTimer = setTimeout(() => this.socket.destroy(), 5000);
        this.closeTimer.unref();
      }
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

    arm(): void {
      const t = this.conn.pendingTimeout();
      if (t && this.timer && this.timerName === t.timer && this.timerMs === t.ms) {
        // The tarpit runs to its end whatever the client sends meanwhile; an idle timer restarts
        // (without a new allocation).
        if (t.timer !== 'error-delay') this.timer.refresh();
        return;
      }
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      if (!t) return;
      this.timerMs = t.ms;
      this.timerName = t.timer;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (this.closed) return;
        this.conn.handleTimeout();
        this.pump();
      }, t.ms);
      this.timer.unref();
    }

    /**
     * Runs a hook for the pending decision. A result given at once is applied at once (the
     * caller's pump goes on); a promise blocks the session until it settles.
     */
    decide(run: () => unknown): void {
      const now = callHook(run, this.settledBound);
      if (now === undefined) this.blocked = true;
      else if (now[0]) this.apply(now[1]);
      else this.applyError(now[1]);
    }

    /** Answers the pending decision with a hook's result (without pumping). */
    apply(result: unknown): void {
      this.blocked = false;
      if (this.closed || this.conn.pendingDecision === undefined) return;
      try {
        if (Array.isArray(result)) this.conn.respond(result as ReplyInit[]);
        else {
          const { positive, reply } = interpret(result);
          if (reply) this.conn.respond(reply);
          else if (positive) this.conn.accept();
          else this.conn.reject();
        }
      } catch (e) {
        options.onError?.(e, this.ctx);
        this.conn.reject({ code: 451, enhanced: '4.3.0', text: 'Local error in processing' });
      }
    }

    /** Answers the pending decision with what a hook threw (without pumping). */
    applyError(e: unknown): void {
      const reply = replyOfError(e);
      if (!reply) options.onError?.(e, this.ctx);
      this.apply(reply ?? { code: 451, enhanced: '4.3.0', text: 'Local error in processing' });
    }

    answer(result: unknown): void {
      this.apply(result);
      this.pump();
    }

    answerError(e: unknown): void {
      this.applyError(e);
      this.pump();
    }

    /** `onData` of message `seq` settled. */
    dataSettled(seq: number, ok: boolean, value: unknown): void {
      if (seq !== this.messageSeq) return;
      this.dataDone = true;
      this.dataOk = ok;
      this.dataValue = value;
      if (!this.awaitingData) return;
      this.awaitingData = false;
      this.settledBound(ok, value);
    }

    /** The body consumer wants more. */
    bodyRead(body: BodyStream): void {
      if (this.bodyWanted) return;
      this.bodyWanted = true;
      if (this.blocked && this.body === body) {
        this.blocked = false;
        this.pump();
      }
    }

    startRate(): void {
      const min = options.minDataRate ?? 0;
      if (min <= 0 || this.rateTimer) return;
      this.bodyBytes = 0;
      this.bodyStart = Date.now();
      const grace = options.minDataRateGraceMs ?? 10_000;
      this.rateTimer = setInterval(() => {
        const elapsed = (Date.now() - this.bodyStart) / 1000;
        if (elapsed * 1000 >= grace && this.bodyBytes / elapsed < min && !this.closed && this.conn.phase !== 'closed') {
          this.stopRate();
          this.conn.handleTimeout();
          this.pump();
        }
      }, Math.min(1000, Math.max(50, grace)));
      this.rateTimer.unref();
    }

    stopRate(): void {
      if (this.rateTimer) clearInterval(this.rateTimer);
      this.rateTimer = undefined;
    }

    abortBody(reason: string): void {
      this.stopRate();
      if (this.body && !this.body.destroyed) this.body.destroy(new Error(`message aborted: ${reason}`));
      this.body = undefined;
      this.messageSeq++;
      this.awaitingData = false;
      this.envelope = undefined;
    }

    handle(e: ServerEvent): void {
      const ctx = this.ctx;
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
        case 'data-start': {
          const tx = this.conn.transaction;
          const info = this.conn.session;
          this.envelope = {
            id: `${prefix}${(++counter).toString(16).padStart(8, '0')}`,
            from: tx.from ?? '',
            to: tx.recipients.map((r) => r.address),
            helo: info.helo,
            clientAddress: info.clientAddress,
            size: 0,
            mailParameters: tx.mailParameters,
            rcptParameters: tx.recipients.map((r) => r.parameters),
            user: info.authenticatedUser,
            secure: info.secure,
            protocol: info.protocol,
          };
          const body = new BodyStream(this);
          this.startRate();
          this.body = body;
          this.bodyWanted = true;
          const seq = ++this.messageSeq;
          this.dataDone = false;
          this.awaitingData = false;
          const { onData } = options;
          const envelope = this.envelope;
          if (!onData) body.resume();
          const now = onData ? callHook(() => onData(envelope, body, ctx), (ok, value) => this.dataSettled(seq, ok, value)) : ([true, undefined] as const);
          if (now) this.dataSettled(seq, now[0], now[1]);
          return;
        }
        case 'data-chunk':
          if (this.body && this.envelope) {
            this.envelope.size += e.bytes.length;
            if (!this.body.push(e.bytes)) {
              this.bodyWanted = false;
              this.blocked = true;
            }
          }
          return;
        case 'message-end': {
          this.stopRate();
          const body = this.body;
          this.body = undefined;
          this.envelope = undefined;
          body?.push(null);
          if (!this.dataDone) {
            // the reply waits for onData (usually until it has read the body to its end)
            this.blocked = true;
            this.awaitingData = true;
          } else if (this.dataOk) this.apply(this.dataValue);
          else this.applyError(this.dataValue);
          this.dataValue = undefined;
          return;
        }
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

    startTls(): void {
      this.flush(); // the 220 goes out in plaintext first
      this.writeOutput();
      const raw = this.socket;
      raw.removeListener('data', this.onDataBound);
      raw.removeAllListeners('end');
      raw.removeAllListeners('drain');
      this.blocked = true;
      this.upgrading = true;
      const secure = serverTls!.socket(raw);
      secure.once('secure', () => {
        this.log?.tls(secure);
        this.blocked = false;
        this.upgrading = false;
        this.conn.tlsEstablished();
        this.socket = secure;
        this.paused = false;
        secure.on('data', this.onDataBound);
        secure.on('end', () => {
          if (this.closed) return;
          this.conn.receiveEof();
          this.pump();
        });
        secure.on('drain', () => this.pump());
        this.pump();
      });
      secure.on('error', this.socketErrorBound);
      secure.on('close', () => this.finish());
      this.arm();
    }
  }

  // Output is written once per turn of the event loop, after all the input of that turn has been
  // processed: replies produced together go out in one write (a pipelined group, or replies that
  // wait for a hook answering within the same turn), and with many sessions the writes come
  // back to back, so the kernel wakes the peers once per turn instead of once per reply.
  let outQueue: Session[] = [];
  let outScheduled = false;
  function queueOutput(session: Session, text: string): void {
    if (session.outText.length === 0) outQueue.push(session);
    session.outText += text;
    if (!outScheduled) {
      outScheduled = true;
      setImmediate(writeQueued);
    }
  }
  function writeQueued(): void {
    outScheduled = false;
    const queue = outQueue;
    outQueue = [];
    for (const session of queue) session.writeOutput();
  }

  function checkClosed(): void {
    if (closing && sessions.size === 0 && closeResolve) {
      const r = closeResolve;
      closeResolve = undefined;
      net.close(() => r());
    }
  }
  let closeResolve: (() => void) | undefined;

  function begin(socket: Socket, proxy: ProxyInfo | undefined, rest: Uint8Array | undefined): void {
    const run = (s: Socket): void => {
      if (closing) {
        // graceful shutdown: new sessions are refused
        log?.refused(s.remoteAddress, 'shutting down');
        s.end(`421 4.3.2 ${hostname} Service shutting down\r\n`);
        setTimeout(() => s.destroy(), 2000).unref();
        return;
      }
      if (sessions.size >= maxConnections) {
        log?.refused(s.remoteAddress, 'too many connections');
        s.end(`421 4.7.0 ${hostname} Error: too many connections, try again later\r\n`);
        setTimeout(() => s.destroy(), 2000).unref();
        return;
      }
      // from here on, errors of these sockets are the session's to report
      inSession.add(socket);
      inSession.add(s);
      const session = new Session(s, proxy, `${prefix}-${(++counter).toString(16)}`);
      sessions.add(session);
      session.start(options.secure ? undefined : rest);
    };
    if (options.secure && serverTls) {
      if (rest && rest.length > 0) socket.unshift(Buffer.from(rest));
      const t = serverTls.socket(socket);
      const guard = setTimeout(() => t.destroy(), 60_000);
      guard.unref();
      t.once('secure', () => {
        clearTimeout(guard);
        run(t);
      });
      t.on('error', (e) => {
        if (!inSession.has(t)) options.onError?.(e, undefined);
        t.destroy();
      });
      return;
    }
    run(socket);
  }

  /** Sockets that have a session (their errors are reported by it, once). */
  const inSession = new WeakSet<Socket>();

  function connection(socket: Socket): void {
    socket.on('error', (e) => {
      if (!inSession.has(socket)) options.onError?.(e, undefined);
    });
    // replies are written whole, one write per turn of the event loop: never hold them back
    if (typeof socket.setNoDelay === 'function') socket.setNoDelay(true);
    if (!options.proxyProtocol) {
      begin(socket, undefined, undefined);
      return;
    }
    // PROXY header first: strict, bounded in size and time.
    let buf = Buffer.alloc(0);
    const guard = setTimeout(() => socket.destroy(), 10_000);
    guard.unref();
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const r = parseProxyHeader(buf);
      if (r.status === 'incomplete') {
        if (buf.length > 4096) socket.destroy();
        return;
      }
      clearTimeout(guard);
      socket.removeListener('data', onData);
      socket.pause();
      if (r.status === 'error') {
        options.onError?.(new Error(r.message), undefined);
        socket.destroy();
        return;
      }
      begin(socket, r.info, r.rest);
    };
    socket.on('data', onData);
  }
  const net: NetServer = netCreateServer(connection);

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        net.once('error', reject);
        net.listen(port, host, () => {
          net.removeListener('error', reject);
          resolve(net.address() as AddressInfo);
        });
      });
    },
    close(opts) {
      closing = true;
      const timeout = opts?.timeout ?? 30_000;
      return new Promise<void>((resolve) => {
        closeResolve = resolve;
        for (const s of sessions) {
          if (s.closed) continue;
          s.conn.requestShutdown();
          s.pump();
        }
        const t = setTimeout(() => {
          for (const s of sessions) s.socket.destroy();
          net.close(() => undefined);
          if (closeResolve) {
            closeResolve = undefined;
            resolve();
          }
        }, timeout);
        t.unref();
        checkClosed();
        if (sessions.size === 0 && !net.listening && closeResolve) {
          closeResolve = undefined;
          resolve();
        }
      });
    },
    address() {
      const a = net.address();
      return a && typeof a === 'object' ? a : undefined;
    },
    get connections() {
      return sessions.size;
    },
    handleConnection: connection,
    setSecureContext(tls) {
      if (!serverTls) throw new LocalProtocolError('ERR_SMTP_INVALID_OPTION', 'setSecureContext: the server was created without tls');
      serverTls.reload(tls);
    },
  };
}
