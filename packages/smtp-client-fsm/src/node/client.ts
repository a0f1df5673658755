import net from 'node:net';
import tls from 'node:tls';
import { ClientConnection } from '../client-connection.js';
import type { ClientOptions, MessageInput, StartTlsPolicy } from '../client-connection.js';
import type { ClientEvent, MessageOutcome, RecipientResult } from '../events.js';
import { SmtpClientError } from '../errors.js';
import type { ClientErrorCode } from '../errors.js';
import type { Reply } from 'smtp-reply-reader';
import type { ServerCapabilities } from '../capabilities.js';
import { nodeCrypto } from './crypto.js';

/**
 * Transport security: `none` (plain, STARTTLS off), `starttls` (upgrade required), `implicit`
 * (TLS from the first byte, port 465). Omitted: implicit on port 465, else opportunistic STARTTLS
 * (required when `auth` is set).
 *
 * @example
 * await sendMail({ host: 'smtp.example.com', port: 587, security: 'starttls', ... });
 * @see RFC 3207, RFC 8314
 */
export type Security = 'none' | 'starttls' | 'implicit';

/**
 * A message body: a string, bytes, an async iterable of chunks or a web `ReadableStream`.
 * Iterables and streams are sent as they are read, with socket backpressure.
 *
 * @example
 * const body: BodySource = fs.createReadStream('message.eml');
 * @see RFC 5321 §4.1.1.4
 */
export type BodySource = string | Uint8Array | AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array>;

/**
 * Options of {@link connect}: the socket part plus every {@link ClientOptions}.
 *
 * @example
 * const client = await connect({ host: '127.0.0.1', port: 2525, security: 'none' });
 * @see RFC 5321 §3.1
 */
export interface ConnectOptions extends Omit<ClientOptions, 'tls' | 'crypto'> {
  readonly host: string;
  readonly port?: number;
  readonly security?: Security;
  /** Options for `tls.connect` (servername, ca, rejectUnauthorized, ...). */
  readonly tls?: tls.ConnectionOptions;
  /** TCP connect timeout in ms (default 30 000, as Postfix `smtp_connect_timeout`). */
  readonly connectTimeout?: number;
  /** Local address to bind. */
  readonly localAddress?: string;
  /** Called with the core connection before it starts: register custom states here. */
  readonly setup?: (connection: ClientConnection) => void;
}

/**
 * One message for {@link SmtpClient.send}.
 *
 * @example
 * await client.send({ from: 'a@example.com', to: ['b@example.org'], body: 'Subject: hi\r\n\r\nhello\r\n' });
 * @see RFC 5321 §3.3
 */
export interface SendInput extends Omit<MessageInput, 'body'> {
  readonly body: BodySource;
}

/**
 * The result of one message: outcome, per-recipient results with classification, final reply.
 *
 * @example
 * const r = await client.send(msg); if (r.outcome !== 'delivered') console.log(r.rejected);
 * @see RFC 5321 §4.2
 */
export interface SendResult {
  readonly messageId: number;
  readonly outcome: MessageOutcome;
  readonly transient: boolean;
  readonly accepted: readonly string[];
  readonly rejected: readonly string[];
  readonly recipients: readonly RecipientResult[];
  readonly reply?: Reply;
  readonly errorCode?: ClientErrorCode;
}

/**
 * A connected client: sends many messages over one connection, then `quit()`.
 *
 * @example
 * const client = await connect({ host, port }); await client.send(m1); await client.send(m2); await client.quit();
 * @see RFC 5321 §3
 */
export interface SmtpClient {
  readonly connection: ClientConnection;
  readonly capabilities: ServerCapabilities;
  readonly closed: boolean;
  send(message: SendInput): Promise<SendResult>;
  /** QUIT after the pending messages, resolves when the connection is closed. */
  quit(): Promise<void>;
  /** Destroys the socket now. */
  close(): void;
}

interface Pending {
  resolve(r: SendResult): void;
  body: BodySource;
  credits: number;
  wake: (() => void) | undefined;
  writing: boolean;
}

function isStream(b: BodySource): b is ReadableStream<Uint8Array> {
  return typeof (b as ReadableStream).getReader === 'function';
}

async function* chunks(b: BodySource): AsyncGenerator<Uint8Array | string> {
  if (typeof b === 'string' || b instanceof Uint8Array) {
    yield b;
    return;
  }
  if (isStream(b)) {
    const reader = b.getReader();
    try {
      while (true) {
        const r = await reader.read();
        if (r.done) return;
        yield r.value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  for await (const c of b as AsyncIterable<Uint8Array | string>) yield c;
}

/** Releases a body source that will not be read (every recipient refused). */
function discard(b: BodySource): void {
  if (typeof b === 'string' || b instanceof Uint8Array) return;
  if (isStream(b)) {
    b.cancel().catch(() => undefined);
    return;
  }
  const d = (b as { destroy?: () => void }).destroy;
  if (typeof d === 'function') d.call(b);
}

class Client implements SmtpClient {
  readonly connection: ClientConnection;
  #socket: net.Socket;
  #timer: NodeJS.Timeout | undefined;
  #timerId = -1;
  #pending = new Map<number, Pending>();
  #ready: { resolve: () => void; reject: (e: Error) => void } | undefined;
  #closedWaiters: (() => void)[] = [];
  #lastError: SmtpClientError | undefined;
  #isClosed = false;
  readonly #options: ConnectOptions;

  constructor(options: ConnectOptions, socket: net.Socket, conn: ClientConnection) {
    this.#options = options;
    this.connection = conn;
    this.#socket = socket;
    this.#attach(socket);
  }

  get capabilities(): ServerCapabilities {
    return this.connection.capabilities;
  }

  get closed(): boolean {
    return this.#isClosed;
  }

  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#ready = { resolve, reject };
      this.#pump();
    });
  }

  #attach(socket: net.Socket): void {
    socket.on('data', (d: Buffer) => {
      this.connection.receiveData(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
      this.#pump();
    });
    socket.on('end', () => {
      this.connection.receiveEof();
      this.#pump();
    });
    socket.on('error', (e) => {
      this.#lastError ??= new SmtpClientError('ERR_SMTP_CLIENT_CONNECTION_LOST', e.message, 'remote', { cause: e });
    });
    socket.on('close', () => {
      if (!this.connection.closed) this.connection.receiveEof();
      this.#pump();
      this.#finish();
    });
  }

  #detach(socket: net.Socket): void {
    for (const ev of ['data', 'end', 'error', 'close']) socket.removeAllListeners(ev);
  }

  #flush(): boolean {
    const out = this.connection.dataToSend();
    if (out.length === 0 || this.#socket.destroyed) return true;
    return this.#socket.write(out);
  }

  #pump(): void {
    const conn = this.connection;
    for (let e: ClientEvent = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) this.#on(e);
    this.#flush();
    this.#armTimer();
    if (conn.closed) {
      this.#socket.end();
      this.#finish();
    }
  }

  #on(e: ClientEvent): void {
    switch (e.type) {
      case 'tls-start':
        this.#upgrade();
        return;
      case 'idle':
        this.#ready?.resolve();
        this.#ready = undefined;
        return;
      case 'need-body': {
        const p = this.#pending.get(e.messageId);
        if (!p) return;
        p.credits++;
        const w = p.wake;
        p.wake = undefined;
        w?.();
        if (!p.writing) {
          p.writing = true;
          void this.#writeBody(p);
        }
        return;
      }
      case 'message-sent': {
        const p = this.#pending.get(e.messageId);
        if (!p) return;
        this.#pending.delete(e.messageId);
        if (!p.writing) discard(p.body); // no body was asked for: release the source
        p.writing = true; // stop any writer
        p.wake?.();
        const accepted = e.recipients.filter((r) => r.accepted).map((r) => r.address);
        const rejected = e.recipients.filter((r) => !r.accepted).map((r) => r.address);
        p.resolve({
          messageId: e.messageId,
          outcome: e.outcome,
          transient: e.transient,
          accepted,
          rejected,
          recipients: e.recipients,
          ...(e.reply ? { reply: e.reply } : {}),
          ...(e.errorCode ? { errorCode: e.errorCode } : {}),
        });
        return;
      }
      case 'error':
        // The first failure is the cause: a socket or TLS error seen before keeps its more precise code.
        this.#lastError ??= new SmtpClientError(e.code, e.message, 'remote');
        return;
      case 'auth-failed':
        this.#lastError = new SmtpClientError('ERR_SMTP_CLIENT_AUTH_FAILED', `authentication failed: ${e.reply.code} ${e.reply.text}`, 'remote');
        return;
      case 'closed':
        return;
      default:
        return;
    }
  }

  async #writeBody(p: Pending): Promise<void> {
    const conn = this.connection;
    const take = async (): Promise<boolean> => {
      while (p.credits === 0) {
        if (this.#isClosed || !this.#pending.has(this.#idOf(p))) return false;
        await new Promise<void>((r) => (p.wake = r));
      }
      p.credits--;
      return !this.#isClosed && !conn.closed;
    };
    try {
      for await (const chunk of chunks(p.body)) {
        if (!(await take())) return;
        conn.writeBody(chunk);
        this.#pump();
        if (this.#socket.writableNeedDrain) await new Promise<void>((r) => this.#socket.once('drain', r));
      }
      if (!(await take())) return;
      conn.endBody();
      this.#pump();
    } catch (e) {
      this.#lastError ??= e instanceof SmtpClientError ? e : new SmtpClientError('ERR_SMTP_CLIENT_CONNECTION_LOST', `body source failed: ${String(e)}`, 'remote', { cause: e });
      this.#socket.destroy();
    }
  }

  #idOf(p: Pending): number {
    for (const [id, q] of this.#pending) if (q === p) return id;
    return -1;
  }

  #upgrade(): void {
    const plain = this.#socket;
    this.#detach(plain);
    const o = this.#options;
    const secure = tls.connect({
      servername: net.isIP(o.host) ? undefined : o.host,
      ...o.tls,
      socket: plain,
    } as tls.ConnectionOptions);
    this.#socket = secure;
    let established = false;
    secure.once('secureConnect', () => {
      established = true;
      this.connection.tlsEstablished();
      this.#pump();
    });
    // A failed handshake (certificate refused, protocol mismatch) is reported as a TLS failure,
    // not as a lost connection, so callers can tell the cause.
    secure.once('error', (e: Error) => {
      if (!established) this.#lastError ??= new SmtpClientError('ERR_SMTP_CLIENT_TLS_FAILED', `TLS handshake failed: ${e.message}`, 'remote', { cause: e });
    });
    this.#attach(secure);
  }

  #armTimer(): void {
    const t = this.connection.pendingTimeout();
    if (!t) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#timerId = -1;
      return;
    }
    if (t.id === this.#timerId) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerId = t.id;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.connection.handleTimeout(t.id);
      this.#pump();
      if (this.connection.closed) this.#socket.destroy();
    }, t.ms);
  }

  #finish(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const err = this.#lastError ?? new SmtpClientError('ERR_SMTP_CLIENT_CONNECTION_LOST', 'connection closed', 'remote');
    this.#ready?.reject(err);
    this.#ready = undefined;
    for (const p of this.#pending.values()) {
      p.writing = true;
      p.wake?.();
    }
    for (const w of this.#closedWaiters.splice(0)) w();
  }

  send(message: SendInput): Promise<SendResult> {
    if (this.#isClosed) return Promise.reject(this.#lastError ?? new SmtpClientError('ERR_SMTP_CLIENT_CLOSED', 'connection closed'));
    const body = message.body;
    const whole = typeof body === 'string' || body instanceof Uint8Array;
    return new Promise<SendResult>((resolve, reject) => {
      try {
        const { body: _b, ...rest } = message;
        const id = this.connection.sendMessage(whole ? { ...rest, body } : rest);
        this.#pending.set(id, { resolve, body, credits: 0, wake: undefined, writing: false });
        this.#pump();
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  quit(): Promise<void> {
    if (this.#isClosed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#closedWaiters.push(resolve);
      this.connection.quit();
      this.#pump();
    });
  }

  close(): void {
    this.#socket.destroy();
  }
}

function policyFor(o: ConnectOptions): { starttls?: StartTlsPolicy; tls: boolean } {
  const security = o.security ?? (o.port === 465 ? 'implicit' : undefined);
  if (security === 'implicit') return { starttls: 'off', tls: true };
  if (security === 'none') return { starttls: o.starttls ?? 'off', tls: false };
  if (security === 'starttls') return { starttls: 'required', tls: false };
  return o.starttls ? { starttls: o.starttls, tls: false } : { tls: false };
}

/**
 * Connects, waits for the greeting, EHLO, STARTTLS and AUTH, and resolves with a client ready to
 * send (or rejects with a typed error, e.g. `ERR_SMTP_CLIENT_TLS_REQUIRED`).
 *
 * @example
 * const client = await connect({ host: 'smtp.example.com', port: 587, security: 'starttls', auth: { user, pass } });
 * await client.send({ from, to: [rcpt], body }); await client.quit();
 * @see RFC 5321 §3.1, RFC 3207, RFC 8314
 */
export async function connect(options: ConnectOptions): Promise<SmtpClient> {
  const port = options.port ?? 25;
  const { starttls, tls: implicit } = policyFor(options);
  const { host: _h, port: _p, security: _s, tls: _t, connectTimeout: _c, localAddress: _l, setup: _setup, ...core } = options;
  const conn = new ClientConnection({ ...core, ...(starttls ? { starttls } : {}), tls: implicit, crypto: nodeCrypto });
  options.setup?.(conn);
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const base = { host: options.host, port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) };
    const s: net.Socket = implicit
      ? tls.connect({ ...base, servername: net.isIP(options.host) ? undefined : options.host, ...options.tls } as tls.ConnectionOptions)
      : net.connect(base);
    const timer = setTimeout(() => {
      s.destroy();
      reject(new SmtpClientError('ERR_SMTP_CLIENT_TIMEOUT', `connect to ${options.host}:${port} timed out`, 'remote'));
    }, options.connectTimeout ?? 30_000);
    s.once(implicit ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      s.setNoDelay(true);
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(new SmtpClientError('ERR_SMTP_CLIENT_CONNECTION_LOST', `connect to ${options.host}:${port} failed: ${e.message}`, 'remote', { cause: e }));
    });
  });
  const client = new Client(options, socket, conn);
  await client.ready();
  return client;
}

/**
 * Options of {@link sendMail}: connection options plus one message.
 *
 * @example
 * await sendMail({ host: '127.0.0.1', port: 2525, security: 'none', from: 'a@x', to: ['b@y'], body: 'hi' });
 * @see RFC 5321 §3
 */
export interface SendMailOptions extends ConnectOptions, Omit<SendInput, 'body'> {
  readonly body: BodySource;
}

/**
 * Connects, sends one message, says QUIT, and resolves with the per-recipient result.
 *
 * @example
 * const r = await sendMail({ host: 'mx.example.org', port: 25, from: 'a@example.com', to: ['b@example.org'], body });
 * console.log(r.outcome, r.recipients.map((x) => [x.address, x.status, x.classification?.name]));
 * @see RFC 5321 §3
 */
export async function sendMail(options: SendMailOptions): Promise<SendResult> {
  const { from, to, body, bodyType, size, dsn, requireTls, mailArgs, rcptArgs, ...conn } = options;
  const client = await connect(conn);
  try {
    const msg: SendInput = {
      from,
      to,
      body,
      ...(bodyType ? { bodyType } : {}),
      ...(size !== undefined ? { size } : {}),
      ...(dsn ? { dsn } : {}),
      ...(requireTls ? { requireTls } : {}),
      ...(mailArgs ? { mailArgs } : {}),
      ...(rcptArgs ? { rcptArgs } : {}),
    };
    return await client.send(msg);
  } finally {
    await client.quit();
  }
}
