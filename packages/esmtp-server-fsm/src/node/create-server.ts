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
import { SmtpServerError } from '../errors.js';
import { ServerConnection } from '../server-connection.js';
import type { ServerOptions, SessionInfo } from '../server-connection.js';
import type { EsmtpParameters } from '../envelope-args.js';
import type { AuthCredentials } from '@smtpkit/foundation';
import type { ReplyInit } from '../reply.js';
import type { PolicyPoint, ServerEvent } from '../events.js';
import type { ServerTimer } from '../limits.js';
import { parseProxyHeader } from './proxy-protocol.js';
import type { ProxyInfo } from './proxy-protocol.js';
import { ServerTls } from './tls.js';
import type { ServerTlsOptions } from './tls.js';
import { serverLog } from './logger.js';
import type { ServerLogger, SessionLog, TranscriptLine } from './logger.js';

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
  /** Maximum concurrent sessions; more get `421 4.7.0` (default `DEFAULT_MAX_CONNECTIONS`, 100; `0` or `Infinity`: no limit). */
  readonly maxConnections?: number;
  /**
   * Maximum concurrent sessions from one client address, counted after PROXY resolution; more get
   * `421 4.7.0` (default `DEFAULT_MAX_CONNECTIONS_PER_CLIENT`, 20; `0` or `Infinity`: no limit).
   * One host cannot take every slot.
   */
  readonly maxConnectionsPerClient?: number;
  /** Expect a PROXY protocol v1/v2 header before the greeting (default false). */
  readonly proxyProtocol?: boolean;
  /** Which clients may use XCLIENT/XFORWARD (default: none). */
  readonly isTrusted?: (remoteAddress: string | undefined) => boolean;
  /**
   * Slowloris defence (DOS-8): while the client owes the server bytes (a command line partly
   * received, a message body), the average rate over that period must stay at or above this many
   * bytes/s once `minDataRateGraceMs` of it has passed, else `421 4.4.2`. Time during which the
   * server itself is not reading (backpressure, a hook) is not counted. Default
   * `DEFAULT_MIN_DATA_RATE` (500, Postfix `smtpd_min_data_rate`); `0` turns it off.
   */
  readonly minDataRate?: number;
  /** How long such a period may run before `minDataRate` is enforced, in ms (default `DEFAULT_MIN_DATA_RATE_GRACE_MS`, 10000). */
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

/**
 * Checks the adapter's own numeric options: a non-negative number (NaN, negative, strings such as
 * "1MB" throw `ERR_SMTP_INVALID_OPTION` naming the option).
 */
function checkServerOptions(options: CreateServerOptions): void {
  const numeric: [string, unknown, boolean][] = [
    ['maxConnections', options.maxConnections, true],
    ['maxConnectionsPerClient', options.maxConnectionsPerClient, true],
    ['maxBufferedInput', options.maxBufferedInput, false],
    ['minDataRate', options.minDataRate, true],
    ['minDataRateGraceMs', options.minDataRateGraceMs, false],
  ];
  for (const [name, value, infinityOk] of numeric) {
    if (value === undefined) continue;
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `${name} must be a non-negative number, got ${typeof value === 'number' || typeof value === 'string' ? String(value) : typeof value}`);
    if (value === Infinity && !infinityOk) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `${name} must be finite`);
  }
  for (const name of ['secure', 'starttls', 'proxyProtocol'] as const) {
    const value = options[name];
    if (value !== undefined && typeof value !== 'boolean') throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `${name} must be a boolean`);
  }
}

/**
 * Default of `maxConnections`.
 *
 * @example
 * ```ts
 * createServer({ maxConnections: DEFAULT_MAX_CONNECTIONS * 4 });
 * ```
 * @see RFC 5321 §4.5.3.2
 */
export const DEFAULT_MAX_CONNECTIONS = 100;

/**
 * Default of `maxConnectionsPerClient`: a fifth of the slots per client address (Postfix's anvil
 * uses half of its process limit; a fifth leaves room for several abusive hosts at once).
 *
 * @example
 * ```ts
 * createServer({ maxConnectionsPerClient: DEFAULT_MAX_CONNECTIONS_PER_CLIENT * 2 });
 * ```
 * @see RFC 5321 §4.5.3.2
 */
export const DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 20;

/**
 * Default of `minDataRate`, in bytes/s (Postfix `smtpd_min_data_rate`).
 *
 * @example
 * ```ts
 * createServer({ minDataRate: DEFAULT_MIN_DATA_RATE * 2 });
 * ```
 * @see RFC 5321 §4.5.3.2
 */
export const DEFAULT_MIN_DATA_RATE = 500;

/**
 * Default of `minDataRateGraceMs`.
 *
 * @example
 * ```ts
 * createServer({ minDataRateGraceMs: DEFAULT_MIN_DATA_RATE_GRACE_MS / 2 });
 * ```
 * @see RFC 5321 §4.5.3.2
 */
export const DEFAULT_MIN_DATA_RATE_GRACE_MS = 10_000;

/** The reply written when a session ends on an internal error (a bug): the server keeps serving. */
function internalErrorReply(hostname: string): string {
  return `421 4.3.0 ${hostname} Error: internal error, closing connection\r\n`;
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
  checkServerOptions(options);
  const serverTls = options.tls ? new ServerTls(options.tls) : undefined;
  const log = serverLog(options.logger, options.transcript);
  // errors reach the session's log line as well as onError
  if (log) options = { ...options, onError: log.onError(options.onError) };
  const maxConnections = options.maxConnections === 0 ? Infinity : (options.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
  const perClient = options.maxConnectionsPerClient === 0 ? Infinity : (options.maxConnectionsPerClient ?? DEFAULT_MAX_CONNECTIONS_PER_CLIENT);
  const minRate = options.minDataRate ?? DEFAULT_MIN_DATA_RATE;
  const rateGrace = options.minDataRateGraceMs ?? DEFAULT_MIN_DATA_RATE_GRACE_MS;
  /** Open sessions per client address (after PROXY resolution). */
  const perAddress = new Map<string, number>();
  const maxBuffered = options.maxBufferedInput ?? 262144;
  const hostname = options.hostname ?? 'localhost';
  const sessions = new Set<Session>();
  /** `onError`, never throwing into the server: an exception of the handler itself is dropped. */
  const reportError = (error: unknown, session: SessionContext | undefined): void => {
    try {
      options.onError?.(error, session);
    } catch {
      // the application's error handler failed; nothing else to tell
    }
  };
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
  const { tls: _tls, secure: _secure, starttls, maxConnections: _m, proxyProtocol: _p, isTrusted: _t, onConnect: _1, onHelo: _2, onAuth: _3, onMailFrom: _4, onRcptTo: _5, onData: _6, onVrfy: _7, onCommand: _8, onClose: _9, onError: _10, maxBufferedInput: _11, minDataRate: _12, minDataRateGraceMs: _13, maxConnectionsPerClient: _14, logger: _15, transcript: _16, ...core } = options;
  const coreOptions: ServerOptions = {
    ...core,
    hostname,
    copyInput: false,
    starttls: serverTls !== undefined && (starttls ?? true),
    challenge: () => `<${randomBytes(8).toString('hex')}.${String(Date.now())}@${hostname}>`,
    autoAccept,
    ...(options.onVrfy ? { vrfy: 'policy' as const } : {}),
  };
  // the core options are checked now, not at the first connection
  new ServerConnection(coreOptions).dispose();

  class Session {
    conn!: ServerConnection;
    socket: Socket;
    ctx!: SessionContext;
    timer: NodeJS.Timeout | undefined;
    timerMs = 0;
    timerName: ServerTimer | undefined;
    timerId = 0;
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
    /** Bounds the wait for `onData` after the end of data (`timeouts.dataBlock`). */
    dataTimer: NodeJS.Timeout | undefined;
    /** Bounds the wait for a decision hook's promise (`timeouts.command`). */
    hookTimer: NodeJS.Timeout | undefined;
    /** A core `internal-error` close was reported to `onError`. */
    coreErrorReported = false;
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
    /** The core deadline armed (`pendingDeadline().id`), its timer, and the rate measured over it. */
    deadlineId: number | undefined;
    deadlineTimer: NodeJS.Timeout | undefined;
    rateTimer: NodeJS.Timeout | undefined;
    rateBytes = 0;
    rateActiveMs = 0;
    /** The client address counted in `perAddress`. */
    counted: string | undefined;
    readonly onDataBound = (chunk: Buffer): void => this.guard(() => this.onData(chunk));
    log: SessionLog | undefined;
    /** Replies waiting for the end of this event-loop turn (see `queueOutput`). */
    outText = '';

    constructor(socket: Socket, readonly proxy: ProxyInfo | undefined, readonly id: string) {
      this.socket = socket;
    }

    start(initial: Uint8Array | undefined): void {
      const clientAddress = this.proxy?.sourceAddress ?? this.socket.remoteAddress;
      const trusted = options.isTrusted?.(clientAddress) ?? false;
      // Input that came with the PROXY header, before the greeting: the connect decision is held
      // until it is fed, so that the early-talker check (DOS-7) applies whatever onConnect is.
      const early = initial !== undefined && initial.length > 0 && !options.onConnect;
      this.conn = new ServerConnection({
        ...coreOptions,
        ...(early ? { autoAccept: coreOptions.autoAccept!.filter((p) => p !== 'connect') } : {}),
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
      if (early) {
        conn.nextEvent(); // the connect event
        conn.accept();
      }
      this.pump();
    }

    attach(socket: Socket): void {
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

    /** Ends this session after an unexpected exception (see `guard`). */
    internalError(cause: unknown): void {
      if (this.failed) return;
      this.failed = true;
      reportError(cause, this.ctx);
      try {
        if (!this.ending && !this.socket.destroyed && this.socket.writable) {
          this.ending = true;
          this.outText = '';
          this.socket.end(internalErrorReply(hostname));
          this.closeTimer = setTimeout(() => this.socket.destroy(), 5000);
          this.closeTimer.unref();
        } else this.socket.destroy();
      } catch {
        this.socket.destroy();
      }
      this.guard(() => this.finish());
    }

    /** The client shut down its side (half-close): the session still answers what it sent. */
    readonly onEndBound = (): void =>
      this.guard(() => {
        if (this.closed || this.failed) return;
        this.conn.receiveEof();
        this.pump();
      });
    readonly pumpBound = (): void => this.guard(() => this.pump());
    readonly finishBound = (): void => {
      try {
        this.finish();
      } catch (e) {
        // the session is gone either way; make sure it is not counted any more
        sessions.delete(this);
        reportError(e, this.ctx);
        checkClosed();
      }
    };
    /** An exception inside the session already ended it (see `guard`). */
    failed = false;

    readonly socketErrorBound = (e: Error): void => this.guard(() => this.socketError(e));

    /**
     * A socket error ends the session; it is reported once. A reset or broken pipe after the
     * session is over (a client that closes without reading the 221 to QUIT) is not an error.
     */
    socketError(e: Error): void {
      const code = (e as NodeJS.ErrnoException).code;
      const normal = this.conn.state === 'closed' && (code === 'ECONNRESET' || code === 'EPIPE');
      if (!this.closed && !normal) reportError(e, this.ctx);
      this.finish();
    }

    onData(chunk: Buffer): void {
      if (this.closed || this.failed || this.conn.state === 'closed') return;
      if (this.deadlineId !== undefined) this.rateBytes += chunk.length;
      this.log?.input(chunk);
      this.conn.receiveData(chunk);
      this.pump();
    }

    finish(): void {
      if (this.closed) return;
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      if (this.dataTimer) clearTimeout(this.dataTimer);
      if (this.hookTimer) clearTimeout(this.hookTimer);
      if (this.closeTimer && this.socket.destroyed) clearTimeout(this.closeTimer);
      this.stopRate();
      try {
        if (this.conn.state !== 'closed') this.conn.connectionLost();
        this.drainEvents();
      } finally {
        this.body?.destroy(new SmtpServerError('ERR_SMTP_CONNECTION_CLOSED', 'connection closed before the end of the message'));
        this.conn.dispose();
        sessions.delete(this);
        if (this.counted !== undefined) {
          const n = (perAddress.get(this.counted) ?? 1) - 1;
          if (n <= 0) perAddress.delete(this.counted);
          else perAddress.set(this.counted, n);
          this.counted = undefined;
        }
        if (!this.failed) this.socket.destroy();
        checkClosed();
      }
      this.log?.close(this.ending);
      options.onClose?.(this.ctx);
    }

    /** Processes events until the session needs input, a decision or the body consumer. */
    pump(): void {
      if (this.closed) return;
      while (!this.blocked) {
        const e = this.conn.nextEvent();
        if (e.type === 'need-data' || e.type === 'paused') break;
        if (e.type === 'closed') {
          if (e.reason === 'internal-error' && !this.coreErrorReported) {
            this.coreErrorReported = true;
            reportError(e.error, this.ctx);
          }
          break;
        }
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
      this.armDeadline();
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
        if (this.dataTimer) clearTimeout(this.dataTimer);
        this.stopRate();
        this.writeOutput();
        // after the last reply (allowHalfOpen: the client may have shut down its side already)
        this.socket.end();
        this.body?.destroy(new SmtpServerError('ERR_SMTP_CONNECTION_CLOSED', 'connection closed before the end of the message'));
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
      if (t && this.timer && this.timerName === t.name && this.timerMs === t.ms) {
        // The tarpit runs to its end whatever the client sends meanwhile; an idle timer restarts
        // (without a new allocation).
        if (t.id !== this.timerId) this.timer.refresh();
        this.timerId = t.id;
        return;
      }
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      if (!t) return;
      this.timerMs = t.ms;
      this.timerName = t.name;
      this.timerId = t.id;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (this.closed) return;
        this.guard(() => {
          this.conn.handleTimeout(this.timerId);
          this.pump();
        });
      }, t.ms);
      this.timer.unref();
    }

    /**
     * Runs a hook for the pending decision. A result given at once is applied at once (the
     * caller's pump goes on); a promise blocks the session until it settles.
     */
    decide(run: () => unknown): void {
      const now = callHook(run, this.settledBound);
      if (now === undefined) {
        this.blocked = true;
        this.armHookTimer();
      } else if (now[0]) this.apply(now[1]);
      else this.applyError(now[1]);
    }

    /** A hook's promise that never settles is bounded by the command timeout (`421 4.4.2`). */
    armHookTimer(): void {
      const ms = this.conn.timeouts.command;
      const point = this.conn.pendingDecision;
      if (!(ms > 0 && ms !== Infinity) || point === undefined) return;
      if (this.hookTimer) clearTimeout(this.hookTimer);
      this.hookTimer = setTimeout(() => {
        this.hookTimer = undefined;
        this.guard(() => {
          if (this.closed || this.conn.pendingDecision !== point) return;
          reportError(new SmtpServerError('ERR_SMTP_HOOK_TIMEOUT', `the ${point} hook did not settle within ${String(ms)} ms`), this.ctx);
          this.blocked = false;
          this.conn.reject({ code: 421, enhanced: '4.4.2', text: `${hostname} Error: timeout exceeded` });
          this.pump();
        });
      }, ms);
      this.hookTimer.unref();
    }

    /** Answers the pending decision with a hook's result (without pumping). */
    apply(result: unknown): void {
      this.blocked = false;
      if (this.hookTimer) clearTimeout(this.hookTimer);
      this.hookTimer = undefined;
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
        // a hook result the session refuses (a malformed reply, a list outside LMTP...): typed
        // error to onError, 451 to the client; never a second throw when nothing is pending
        reportError(e, this.ctx);
        if (this.conn.pendingDecision !== undefined) this.conn.reject({ code: 451, enhanced: '4.3.0', text: 'Local error in processing' });
      }
    }

    /** Answers the pending decision with what a hook threw (without pumping). */
    applyError(e: unknown): void {
      const reply = replyOfError(e);
      if (!reply) reportError(e, this.ctx);
      this.apply(reply ?? { code: 451, enhanced: '4.3.0', text: 'Local error in processing' });
    }

    answer(result: unknown): void {
      this.guard(() => {
        this.apply(result);
        this.pump();
      });
    }

    answerError(e: unknown): void {
      this.guard(() => {
        this.applyError(e);
        this.pump();
      });
    }

    /** `onData` of message `seq` settled. */
    dataSettled(seq: number, ok: boolean, value: unknown): void {
      if (seq !== this.messageSeq || this.closed) return;
      this.dataDone = true;
      this.dataOk = ok;
      this.dataValue = value;
      if (this.awaitingData) {
        this.awaitingData = false;
        if (this.dataTimer) clearTimeout(this.dataTimer);
        this.dataTimer = undefined;
        this.settledBound(ok, value);
        return;
      }
      const body = this.body;
      if (body !== undefined && !(body.readableFlowing === true || body.listenerCount('data') > 0 || body.listenerCount('readable') > 0)) {
        // onData settled before the end of the message and nothing reads the body: the rest is
        // drained (read and dropped) so that the session reaches the end of data, where the
        // hook's answer is applied. A consumer that still reads (a 'data' listener, a pipe)
        // keeps getting the body.
        body.resume();
      }
    }

    /** The body consumer wants more. */
    bodyRead(body: BodyStream): void {
      if (this.bodyWanted) return;
      this.bodyWanted = true;
      if (this.blocked && this.body === body) {
        this.blocked = false;
        // called from inside the consumer's read(): the session resumes on its own turn
        setImmediate(this.pumpBound);
      }
    }

    /** `onData` did not settle within the data-block timeout after the end of the message. */
    dataTimeout(): void {
      if (this.closed || !this.awaitingData) return;
      this.awaitingData = false;
      this.messageSeq++; // its late result is ignored
      this.blocked = false;
      if (this.conn.pendingDecision === 'message-end') this.conn.reject({ code: 421, enhanced: '4.4.2', text: `${hostname} Error: timeout exceeded` });
      this.pump();
    }

    /**
     * Arms the core's deadline (one timer per deadline id: it does not restart on input) and
     * measures the client's data rate over the same period (`minDataRate`).
     */
    armDeadline(): void {
      const d = this.conn.pendingDeadline();
      if (d?.id === this.deadlineId) return;
      this.stopRate();
      if (!d) return;
      const id = d.id;
      this.deadlineId = id;
      this.deadlineTimer = setTimeout(() => {
        this.deadlineTimer = undefined;
        this.guard(() => this.deadlineExpired(id));
      }, d.ms);
      this.deadlineTimer.unref();
      if (minRate > 0 && minRate !== Infinity) {
        this.rateBytes = 0;
        this.rateActiveMs = 0;
        const tick = Math.min(1000, Math.max(50, rateGrace));
        this.rateTimer = setInterval(() => {
          // time during which the server does not read (backpressure, a hook) is not the client's
          if (this.paused || this.blocked) return;
          this.rateActiveMs += tick;
          if (this.rateActiveMs >= rateGrace && (this.rateBytes * 1000) / this.rateActiveMs < minRate) this.guard(() => this.deadlineExpired(id));
        }, tick);
        this.rateTimer.unref();
      }
    }

    deadlineExpired(id: number): void {
      if (this.closed) return;
      this.stopRate();
      this.conn.handleDeadline(id);
      this.pump();
    }

    stopRate(): void {
      if (this.rateTimer) clearInterval(this.rateTimer);
      if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
      this.rateTimer = undefined;
      this.deadlineTimer = undefined;
      this.deadlineId = undefined;
    }

    abortBody(reason: string): void {
      if (this.body && !this.body.destroyed) {
        const error = new SmtpServerError('ERR_SMTP_MESSAGE_ABORTED', `message aborted: ${reason}`);
        Object.defineProperty(error, 'reason', { value: reason, enumerable: true });
        this.body.destroy(error);
      }
      this.body = undefined;
      this.messageSeq++;
      this.awaitingData = false;
      if (this.dataTimer) clearTimeout(this.dataTimer);
      this.dataTimer = undefined;
      this.envelope = undefined;
    }

    handle(e: ServerEvent): void {
      const ctx = this.ctx;
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
              this.dataTimer = setTimeout(() => {
                this.dataTimer = undefined;
                this.guard(() => this.dataTimeout());
              }, ms);
              this.dataTimer.unref();
            }
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
        case 'command-line':
        case 'command-data':
        case 'command-end':
          return; // custom-verb exchanges need the core's continueCommand, which this adapter does not call
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
      secure.once('secure', () =>
        this.guard(() => {
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
      const address = proxy?.sourceAddress ?? s.remoteAddress;
      if (address !== undefined && perClient !== Infinity) {
        const open = perAddress.get(address) ?? 0;
        if (open >= perClient) {
          log?.refused(address, 'too many connections from this address');
          s.end(`421 4.7.0 ${hostname} Error: too many connections from your address, try again later\r\n`);
          setTimeout(() => s.destroy(), 2000).unref();
          return;
        }
        perAddress.set(address, open + 1);
      }
      // from here on, errors of these sockets are the session's to report
      inSession.add(socket);
      inSession.add(s);
      const session = new Session(s, proxy, `${prefix}-${(++counter).toString(16)}`);
      if (address !== undefined && perClient !== Infinity) session.counted = address;
      sessions.add(session);
      session.guard(() => session.start(options.secure ? undefined : rest));
    };
    if (options.secure && serverTls) {
      if (rest && rest.length > 0) socket.unshift(Buffer.from(rest));
      const t = serverTls.socket(socket);
      const guard = setTimeout(() => t.destroy(), 60_000);
      guard.unref();
      t.once('secure', () => {
        clearTimeout(guard);
        try {
          run(t);
        } catch (e) {
          reportError(e, undefined);
          t.destroy();
        }
      });
      t.on('error', (e) => {
        if (!inSession.has(t)) reportError(e, undefined);
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
      if (!inSession.has(socket)) reportError(e, undefined);
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
      try {
        proxyData(chunk);
      } catch (e) {
        // a bug in the header path ends this connection only
        clearTimeout(guard);
        socket.removeListener('data', onData);
        reportError(e, undefined);
        socket.destroy();
      }
    };
    const proxyData = (chunk: Buffer): void => {
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
        reportError(new Error(r.message), undefined);
        socket.destroy();
        return;
      }
      begin(socket, r.info, r.rest);
    };
    socket.on('data', onData);
  }
  // allowHalfOpen: a client that shuts down its side after its last command still reads the replies
  const net: NetServer = netCreateServer({ allowHalfOpen: true }, connection);

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
          s.guard(() => {
            s.conn.requestShutdown();
            s.pump();
          });
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
      if (!serverTls) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', 'setSecureContext: the server was created without tls');
      serverTls.reload(tls);
    },
  };
}
