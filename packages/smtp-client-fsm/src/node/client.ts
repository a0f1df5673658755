import { ClientConnection, STAGE, SmtpClientError, isSmtpClientError, messageOutcome } from 'smtp-client-fsm';
import type { ClientOptions, MessageInput, ClientEvent, MessageOutcome, RecipientResult, ClientErrorCode, AuthOptions } from 'smtp-client-fsm';
import { Socket, connect as netConnect, isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket, connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import { domainToASCII } from 'node:url';
import type { Reply } from 'smtp-reply-reader';
import type { Capabilities } from 'smtp-capabilities';
import { TLS_SECURITY_LEVELS, inheritedFields, isBytes, isIterableObject, isOptionsObject } from '@smtpkit/foundation';
import type { TlsSecurity } from '@smtpkit/foundation';
import { nodeCrypto } from './crypto.js';
// the core's own wording of a reply (pure code, no state: a copy in this entry is harmless)
import { describeReply } from '../reply-text.js';
import { discard, isBodySource, openReader, pieces } from './body-source.js';
import type { BodySource } from './body-source.js';
import { carryOnUntried } from './carry-over.js';
import { MAX_DELAY } from './timers.js';

/**
 * Transport security, smtpkit's one TLS vocabulary (`TlsSecurity`, the core's `security` option):
 * - `off`: plain text, never STARTTLS;
 * - `opportunistic`: STARTTLS when offered; an unverifiable certificate (self-signed, common on MX
 *   hosts) still encrypts the mail and is reported as `verified: false`; plain text when not offered;
 * - `required`: STARTTLS must succeed and the certificate must verify for the host name
 *   (`tls.servername`, else `host` when it is a name); the message fails before AUTH or MAIL otherwise;
 * - `implicit`: TLS from the first byte (port 465, RFC 8314), verified like `required`.
 *
 * Omitted: `implicit` on port 465, else `required` when `auth` is set, else `opportunistic`. Credentials never go over
 * unverified TLS unless `allowUnverifiedAuth` is set (or `tls.rejectUnauthorized: false` is given).
 *
 * @example
 * await sendMail({ host: 'smtp.example.com', port: 587, security: 'required', ... });
 * @see RFC 3207, RFC 8314, RFC 7435 (opportunistic security)
 */
export type Security = TlsSecurity;


/**
 * What the TLS layer of a connection negotiated.
 *
 * @example
 * if (client.tls && !client.tls.verified) log('encrypted, certificate not verified:', client.tls.authorizationError);
 * @see RFC 3207, RFC 7435
 */
export interface TlsState {
  readonly protocol: string | null;
  readonly cipher: string;
  /** The certificate verified for the server name. */
  readonly verified: boolean;
  /** Why it did not verify, when it did not. */
  readonly authorizationError?: string;
}

/**
 * An OAuth2 access-token source for XOAUTH2 or OAUTHBEARER: called at connect (`refresh: false`) and, when the
 * server refuses the token, once more with `refresh: true` before one new attempt.
 *
 * @example
 * const accessToken: TokenProvider = async ({ refresh }) => (refresh ? await renew() : cached);
 * @see RFC 6749, RFC 7628
 */
export type TokenProvider = (request: { readonly user: string; readonly refresh: boolean }) => string | Promise<string>;

/** Where {@link connect} would have dialled, given to a `connection` factory. */
export interface ConnectionTarget {
  /** The server's host name in A-labels, or its IP address. */
  readonly host: string;
  /** The port: `port`, else 465 for implicit TLS, else 25. */
  readonly port: number;
}

/**
 * Options of {@link connect}: the socket part plus every {@link ClientOptions}.
 *
 * @example
 * const client = await connect({ host: '127.0.0.1', port: 2525, security: 'off' });
 * @see RFC 5321 §3.1
 */
export interface ConnectOptions extends Omit<ClientOptions, 'security' | 'crypto' | 'tlsVerified' | 'auth' | 'reportsWrites'> {
  /**
   * Credentials: `{ user, pass }`, `{ user, accessToken }` (XOAUTH2, else OAUTHBEARER, or the
   * `mechanisms` listed; the token or a {@link TokenProvider}), or `{ mechanism }`.
   */
  readonly auth?: AuthOptions | { readonly user: string; readonly accessToken: TokenProvider; readonly mechanisms?: readonly string[] };
  readonly host: string;
  readonly port?: number;
  readonly security?: Security;
  /** Options for `tls.connect` (servername, ca, rejectUnauthorized, ...). */
  readonly tls?: ConnectionOptions;
  /**
   * Deadline in ms for the whole of `connect()`: TCP, implicit TLS, greeting, EHLO, STARTTLS and
   * AUTH (default 30 000, as Postfix `smtp_connect_timeout`). This and every other deadline
   * (`messageTimeout`, `timeouts`) longer than a Node timer holds, 2^31-1 ms (about 24.8 days),
   * is that long.
   */
  readonly connectTimeout?: number;
  /**
   * Deadline in ms for each `send()` from the moment it is queued (default: none; every reply still
   * has its own timeout). When it passes the connection is destroyed and the message settles:
   * `deferred`, or `unknown` when the final dot was sent. Other messages queued on the same
   * connection settle too (`deferred`): with many sends in flight on one connection, size it for
   * the whole queue, or use {@link createPool}, which gives each connection one message at a time.
   * In a pool it counts from the pool's `send()`: a message that no connection has taken when it
   * passes (still queued, or waiting for a connection being opened) rejects with
   * `ERR_SMTP_CLIENT_TIMEOUT`; the connection that takes one has what is left of it, so the whole
   * of a message, wait included, is bounded by it. A pool connection does not take a message with
   * less left than a transaction takes on it (its measured round trip times the round trips the
   * message needs): that message rejects at once the same way, and the connection is kept.
   */
  readonly messageTimeout?: number;
  /**
   * With `security: 'opportunistic'` and no `auth`: when the TLS handshake after STARTTLS fails
   * (a server whose TLS cannot interoperate: no common protocol version or cipher, a broken
   * certificate it cannot send), connect once more to the same host and port without STARTTLS and
   * go on in plaintext, as opportunistic security allows (RFC 7435 §1.2) and as Postfix does for its
   * `may` level on a later attempt. The client's `tls` is then undefined and `tlsFallback` holds
   * the handshake's error. Each of the two connections has its own `connectTimeout`. Default
   * false: the failure rejects `connect` with `ERR_SMTP_CLIENT_TLS_FAILED`. Never with `auth`
   * (credentials are not sent because a handshake failed) nor with another `security`, nor after
   * a certificate that failed the verification asked for with `tls: { rejectUnauthorized: true }`
   * (an untrusted or expired certificate, one for another name, a `checkServerIdentity` that
   * refused it): that rejects with `ERR_SMTP_CLIENT_TLS_FAILED` as without the fallback, rather
   * than sending in clear to the host whose certificate had to verify. `createPool`, `sendMail`
   * and `deliver` connect the same way.
   *
   * @example
   * const client = await connect({ host: 'mx.example.org', port: 25, plaintextFallback: true });
   * if (client.tlsFallback) log('sent in plaintext:', client.tlsFallback.message);
   * @see RFC 3207 §4.1, RFC 7435 §1.2
   */
  readonly plaintextFallback?: boolean;
  /** Local address to bind. */
  readonly localAddress?: string;
  /**
   * Gives up the connection attempt when it aborts: whatever `connect()` waits for (TCP, the
   * `connection` factory, TLS, the greeting, EHLO, STARTTLS, AUTH), its transport is destroyed
   * (a stream the factory gives later too) and `connect()` rejects with `ERR_SMTP_CLIENT_CLOSED`,
   * the signal's reason as its `cause`. An already aborted signal rejects before anything is
   * opened. It has no effect once `connect()` has resolved: `close()` or `abort()` the client.
   *
   * @example
   * const client = await connect({ host: 'mx.example.org', signal: AbortSignal.timeout(10_000) });
   */
  readonly signal?: AbortSignal;
  /** Called with the core connection before it starts: register custom states here. */
  readonly setup?: (connection: ClientConnection) => void;
  /**
   * Bring your own transport: returns a connected stream (a SOCKS or HTTP CONNECT tunnel, an
   * in-memory pair in tests) used instead of a TCP connection to `host`:`port`. Implicit TLS and
   * STARTTLS still run over it; `host` still names the server for TLS and messages. Anything but a
   * stream given back is `ERR_SMTP_CLIENT_INVALID_OPTION`; a factory that throws or rejects is
   * `ERR_SMTP_CLIENT_CONNECTION_LOST`. A write's callback says the bytes have left: a reply that
   * comes while the final dot's write is not called back yet, after a turn of the event loop, is
   * taken as an answer the server gave before it read the dot (no delivery). It is given where
   * `connect` would have dialled: `host` in A-labels (for `deliver`, the address of the exchanger
   * being tried) and the port, so that one factory can tunnel to every server.
   *
   * @example
   * // `tunnel`: your SOCKS or HTTP CONNECT client, returning a connected Duplex
   * const client = await connect({ host: 'mx.example.org', connection: ({ host, port }) => tunnel(host, port) });
   */
  readonly connection?: (target: ConnectionTarget) => Duplex | Promise<Duplex>;
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
  /** From the recipients' final statuses over every transaction the message took. */
  readonly outcome: MessageOutcome;
  /** True when some recipient is `deferred` (never for `unknown` ones: retrying those may duplicate). */
  readonly transient: boolean;
  /** Addresses by final status. */
  readonly accepted: readonly string[];
  readonly rejected: readonly string[];
  readonly deferred: readonly string[];
  readonly unknown: readonly string[];
  readonly recipients: readonly RecipientResult[];
  /** For `delivered`/`partial`: the reply that queued the message; for `failed`/`deferred`: the reply that stopped it. */
  readonly reply?: Reply;
  readonly errorCode?: ClientErrorCode;
  /** How many transactions the message took (more than one after a recipient-limit reply). */
  readonly transactions: number;
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
  readonly capabilities: Capabilities;
  /** True once the connection has closed (the reply to QUIT, a 421, a drop, a timeout). */
  readonly closed: boolean;
  /**
   * True once the connection takes no more messages: QUIT has been asked for (by `quit()`, by the
   * `idle` timer, or by the session after a refused RSET or LIMITS MAILMAX reached) or it has
   * closed; `send()` then rejects with `ERR_SMTP_CLIENT_CLOSED` without trying the message. A
   * caller that reuses connections sends the next message on a new one as soon as this is true,
   * without waiting for `closed` (the reply to QUIT may take as long as the `quit` timeout).
   *
   * @example
   * if (client.closing) client = await connect(options);
   * @see RFC 5321 §4.1.1.10
   */
  readonly closing: boolean;
  /** The TLS state, or undefined on a plain connection. */
  readonly tls: TlsState | undefined;
  /**
   * The failed TLS handshake (`ERR_SMTP_CLIENT_TLS_FAILED`) after which this connection was made
   * without STARTTLS (`plaintextFallback`); undefined otherwise.
   */
  readonly tlsFallback: SmtpClientError | undefined;
  send(message: SendInput): Promise<SendResult>;
  /** QUIT after the pending messages, resolves when the connection is closed. */
  quit(): Promise<void>;
  /** Destroys the socket now. */
  close(): void;
}


/**
 * STARTTLS handshake failures that were the certificate failing the verification the caller asked
 * for (`tls.rejectUnauthorized`): never a reason to go on in plaintext.
 */
const certificateRefused = new WeakSet<SmtpClientError>();

/** Output is written in pieces of at most this many octets, each reporting its completion. */
const WRITE_PIECE = 64 * 1024;

interface Pending {
  resolve(r: SendResult): void;
  body: BodySource;
  /** Lets go of the body: unread, or (once its writer began) the source it is reading. */
  release: () => void;
  credits: number;
  wake: (() => void) | undefined;
  writing: boolean;
  timer: NodeJS.Timeout | undefined;
  /** The recipients as given: the result of a message the core never settled names them. */
  to: readonly string[];
}

class Client implements SmtpClient {
  readonly connection: ClientConnection;
  private socket: Duplex;
  private timer: NodeJS.Timeout | undefined;
  private timerId = -1;
  private pending = new Map<number, Pending>();
  private readyWaiter: { resolve: () => void; reject: (e: Error) => void } | undefined;
  closedWaiters: (() => void)[] = [];
  private lastError: SmtpClientError | undefined;
  private isClosed = false;
  private closeReason: string | undefined;
  private tlsInfo: TlsState | undefined;
  private readonly options: ConnectOptions;
  private readonly policy: 'off' | 'opportunistic' | 'required' | 'implicit';
  /** Octets handed to the socket whose write has not completed yet. */
  private unreported = 0;
  /** Socket input held back for a turn of the event loop, in order (see `input`). */
  private inbound: (Uint8Array | 'end' | 'close')[] = [];
  private inboundDrain: NodeJS.Immediate | undefined;
  private draining = false;

  constructor(options: ConnectOptions, policy: 'off' | 'opportunistic' | 'required' | 'implicit', socket: Duplex, conn: ClientConnection) {
    this.options = options;
    this.policy = policy;
    this.connection = conn;
    this.socket = socket;
    if (socket instanceof TLSSocket) this.tlsInfo = tlsState(socket);
    this.attach(socket);
  }

  get tls(): TlsState | undefined {
    return this.tlsInfo;
  }

  tlsFallback: SmtpClientError | undefined;

  /** Ends the session now with a typed error (deadlines): pending sends settle, the socket is destroyed. */
  abort(error: SmtpClientError, permanent = false): void {
    if (this.isClosed) return;
    this.lastError ??= error;
    this.connection.abort(error.message, error.code, { permanent });
    this.pump();
    this.socket.destroy();
  }

  get capabilities(): Capabilities {
    return this.connection.capabilities;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get closing(): boolean {
    return this.isClosed || this.connection.closing;
  }

  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.readyWaiter = { resolve, reject };
      this.pump();
    });
  }

  /**
   * Runs an entry from the socket, a timer or TLS into the connection. An exception there (a
   * registered state or a hook that threw, or a bug) ends this connection with a typed error, its
   * messages settled as for any broken connection, instead of escaping into the event loop and
   * stopping the process with every other connection in it.
   */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.threw(e);
    }
  }

  /** Ends this connection after an exception from inside it (see `guard`). */
  private threw(e: unknown): void {
    const error = isSmtpClientError(e) ? e : new SmtpClientError('ERR_SMTP_CLIENT_HOOK_FAILED', `a state or hook threw: ${e instanceof Error ? e.message : String(e)}`, 'local', { cause: e });
    try {
      this.abort(error);
    } catch {
      this.lastError ??= error;
      this.socket.destroy();
      // the core may still settle its messages on an end of input; finish() settles what it leaves
      try {
        if (!this.connection.closed) this.connection.receiveEof();
        this.pump();
      } catch {
        // broken as well
      }
      this.finish();
    }
  }

  /** The listeners {@link attach} put on the current socket: {@link detach} takes off these only. */
  private listening?: { readonly data: (d: Buffer) => void; readonly end: () => void; readonly error: (e: Error) => void; readonly close: () => void };

  private attach(socket: Duplex): void {
    const l = (this.listening = {
      data: (d: Buffer) => this.input(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)),
      end: () => this.input('end'),
      error: (e: Error) => {
        this.lastError ??= new SmtpClientError('ERR_SMTP_CLIENT_CONNECTION_LOST', e.message, 'remote', { cause: e });
      },
      close: () => this.input('close'),
    });
    socket.on('data', l.data);
    socket.on('end', l.end);
    socket.on('error', l.error);
    socket.on('close', l.close);
  }

  /**
   * Input from the socket. The core takes a reply that comes before the final dot is reported
   * written as no acceptance (the server cannot have read the dot), so the write reports must not
   * lag behind the replies: input that comes while writes are still unreported waits one turn of
   * the event loop for their callbacks (a transport in memory, or a proxy, may hand over the
   * server's answer before it calls back the write it answers), and input behind it waits too, in
   * order. Over TCP the bytes of a body still in the socket stay unreported, as they should.
   */
  private input(x: Uint8Array | 'end' | 'close'): void {
    if (!this.draining && this.inbound.length === 0 && this.unreported === 0) return this.take(x);
    this.inbound.push(x);
    this.inboundDrain ??= setImmediate(() => {
      this.inboundDrain = undefined;
      const batch = this.inbound.splice(0);
      this.draining = true;
      try {
        for (const y of batch) this.take(y);
      } finally {
        this.draining = false;
      }
    });
  }

  private take(x: Uint8Array | 'end' | 'close'): void {
    if (x === 'end') {
      return this.guard(() => {
        this.connection.receiveEof();
        this.pump();
      });
    }
    if (x === 'close') {
      this.guard(() => {
        if (!this.connection.closed) this.connection.receiveEof();
        this.pump();
      });
      return this.finish();
    }
    // the hot path: guarded without a closure per chunk
    try {
      this.connection.receiveData(x);
      this.pump();
    } catch (e) {
      this.threw(e);
    }
  }

  /** Takes this client's listeners off `socket`; a `connection` factory's own listeners stay. */
  private detach(socket: Duplex): void {
    const l = this.listening;
    if (!l) return;
    socket.off('data', l.data);
    socket.off('end', l.end);
    socket.off('error', l.error);
    socket.off('close', l.close);
  }

  private flush(): void {
    const out = this.connection.dataToSend();
    if (out.length === 0 || this.socket.destroyed) return;
    // Large output (a whole body) goes in pieces, so that each piece's completion reports progress
    // on the link (the core re-arms its data-block timer) and the end of the body is seen written
    // when the final dot has left, not when it was queued (RFC 5321 §4.5.3.2.5, §4.5.3.2.6).
    for (let o = 0; o < out.length; o += WRITE_PIECE) {
      const piece = o === 0 && out.length <= WRITE_PIECE ? out : out.subarray(o, Math.min(out.length, o + WRITE_PIECE));
      this.unreported += piece.length;
      this.socket.write(piece, (err?: Error | null) => this.written(err, piece.length));
    }
  }

  /** A write completed: the core learns how far the output has gone (never after an error or the end). */
  private written(err: Error | null | undefined, n: number): void {
    this.unreported -= n;
    if (err || this.isClosed) return;
    this.guard(() => {
      this.connection.dataWritten(n);
      this.armTimer();
    });
  }

  private pump(): void {
    const conn = this.connection;
    for (let e: ClientEvent = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) this.on(e);
    this.flush();
    this.armTimer();
    if (conn.closed) {
      const socket = this.socket;
      if (this.closeReason === 'quit') {
        // After 221: close our side, and do not wait for the server's side for long.
        socket.end();
        setTimeout(() => socket.destroy(), 2000).unref();
      } else {
        // A protocol error, a timeout, 421 or EOF: nothing more to say, and no waiting for the peer
        // (a half-closed socket would stay open as long as a hostile server keeps it).
        socket.destroy();
      }
      this.finish();
    }
  }

  private on(e: ClientEvent): void {
    switch (e.type) {
      case 'tls-start':
        this.upgrade();
        return;
      case 'idle':
        this.readyWaiter?.resolve();
        this.readyWaiter = undefined;
        return;
      case 'need-body': {
        const p = this.pending.get(e.messageId);
        if (!p) return;
        p.credits++;
        const w = p.wake;
        p.wake = undefined;
        w?.();
        if (!p.writing) {
          p.writing = true;
          void this.writeBody(p);
        }
        return;
      }
      case 'message-sent': {
        const p = this.pending.get(e.messageId);
        if (!p) return;
        this.pending.delete(e.messageId);
        if (p.timer) clearTimeout(p.timer);
        // no body was asked for, or the message settled while it was read (a refused BDAT chunk,
        // a reply mid-body): the source is released now, nothing more of it is read
        p.release();
        p.writing = true; // stop any writer
        p.wake?.();
        // A final dot the socket never wrote (a server that stopped reading, a body larger than the
        // link carried before a timeout) is known to the core through the write reports: such a
        // message is deferred, not unknown (maybe delivered).
        const recipients = e.recipients;
        const by = (status: RecipientResult['status']): string[] => recipients.filter((r) => r.status === status).map((r) => r.address);
        p.resolve({
          messageId: e.messageId,
          outcome: e.outcome,
          transient: e.transient,
          accepted: by('accepted'),
          rejected: by('rejected'),
          deferred: by('deferred'),
          unknown: by('unknown'),
          recipients,
          ...(e.reply ? { reply: e.reply } : {}),
          ...(e.errorCode ? { errorCode: e.errorCode } : {}),
          transactions: e.transactions,
        });
        return;
      }
      case 'error':
        // The first failure is the cause: a socket or TLS error seen before keeps its more precise code.
        this.lastError ??= new SmtpClientError(e.code, e.message, 'remote', e.reply ? { reply: e.reply } : undefined);
        this.refuseReady();
        return;
      case 'auth-failed':
        // the reply says whether the refusal is for good (535) or for now (454)
        this.lastError = new SmtpClientError('ERR_SMTP_CLIENT_AUTH_FAILED', `authentication failed: ${describeReply(e.reply)}`, 'remote', { reply: e.reply });
        this.refuseReady();
        return;
      case 'closed':
        this.closeReason = e.reason;
        // A 421 closing the session: while connecting, the server refused the session (a busy or
        // per-client limit greeting); later, the cause of the close. The reply is kept either way.
        if (e.reason === 'rejected' && e.reply) {
          const refused = this.readyWaiter !== undefined;
          this.lastError ??= new SmtpClientError(
            refused ? 'ERR_SMTP_CLIENT_GREETING_REJECTED' : 'ERR_SMTP_CLIENT_CONNECTION_LOST',
            `${refused ? 'session refused' : 'the server closed the session'}: ${describeReply(e.reply)}`,
            'remote',
            { reply: e.reply },
          );
        }
        return;
      default:
        return;
    }
  }

  /**
   * The session failed while connecting (a refused greeting, EHLO or AUTH...): `connect` rejects
   * now with that cause. The courtesy QUIT that follows is bounded by its own timer and by what is
   * left of `connectTimeout`, and never becomes the cause (a server that does not answer it).
   */
  private refuseReady(): void {
    this.readyWaiter?.reject(this.lastError!);
    this.readyWaiter = undefined;
  }

  private async writeBody(p: Pending): Promise<void> {
    const conn = this.connection;
    const take = async (): Promise<boolean> => {
      while (p.credits === 0) {
        if (this.isClosed || !this.pending.has(this.idOf(p))) return false;
        await new Promise<void>((r) => (p.wake = r));
      }
      p.credits--;
      // A message already settled (its chunk refused) takes no more body, even with credits left.
      return !this.isClosed && !conn.closed && this.pending.has(this.idOf(p));
    };
    const source = openReader(p.body);
    p.release = source.release;
    try {
      for await (const chunk of source.chunks) {
        if (typeof chunk !== 'string' && !isBytes(chunk)) {
          throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'body: the source yielded something other than a string or a Uint8Array');
        }
        for (const piece of pieces(chunk)) {
          if (!(await take())) return;
          conn.writeBody(piece);
          this.pump();
          if (this.socket.writableNeedDrain) await drainOrClose(this.socket);
        }
      }
      if (!(await take())) return;
      conn.endBody();
      this.pump();
    } catch (e) {
      // the message settled while its source was read, which was released then (or failed since):
      // no concern of the session, which goes on (RSET before the next transaction, or QUIT)
      if (this.idOf(p) === -1) return;
      this.lastError ??= e instanceof SmtpClientError ? e : new SmtpClientError('ERR_SMTP_CLIENT_CONNECTION_LOST', `body source failed: ${String(e)}`, 'remote', { cause: e });
      // The message cannot be completed: end the session so every pending send settles now. A
      // source that yields something other than text or bytes fails the same way every time.
      this.abort(this.lastError, e instanceof SmtpClientError && e.code === 'ERR_SMTP_CLIENT_INVALID_PARAMETER');
    }
  }

  private idOf(p: Pending): number {
    for (const [id, q] of this.pending) if (q === p) return id;
    return -1;
  }

  private upgrade(): void {
    const plain = this.socket;
    this.detach(plain);
    const o = this.options;
    const secure = tlsConnect({
      ...tlsOptions(o, this.policy),
      socket: plain,
    } as ConnectionOptions);
    this.socket = secure;
    let established = false;
    secure.once('secureConnect', () =>
      this.guard(() => {
        established = true;
        this.tlsInfo = tlsState(secure);
        this.connection.tlsEstablished({ verified: this.tlsInfo.verified });
        this.pump();
      }),
    );
    // A failed handshake (certificate refused, protocol mismatch) is reported as a TLS failure,
    // not as a lost connection, so callers can tell the cause.
    secure.once('error', (e: Error) => {
      if (established || this.lastError) return;
      this.lastError = new SmtpClientError('ERR_SMTP_CLIENT_TLS_FAILED', `TLS handshake failed: ${e.message}`, 'remote', { cause: e });
      // Node sets authorizationError once the handshake is done and the certificate check (its
      // chain, checkServerIdentity) fails; it then ends the socket only when verification was asked for.
      if (secure.authorizationError) certificateRefused.add(this.lastError);
    });
    this.attach(secure);
  }

  private armTimer(): void {
    const t = this.connection.pendingTimeout();
    if (!t) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.timerId = -1;
      return;
    }
    if (t.id === this.timerId) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerId = t.id;
    this.timer = setTimeout(
      () =>
        this.guard(() => {
          this.timer = undefined;
          this.connection.handleTimeout(t.id);
          this.pump();
          if (this.connection.closed) this.socket.destroy();
        }),
      Math.min(t.ms, MAX_DELAY),
    );
  }

  private finish(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const err = this.lastError ?? new SmtpClientError('ERR_SMTP_CLIENT_CONNECTION_LOST', 'connection closed', 'remote');
    this.readyWaiter?.reject(err);
    this.readyWaiter = undefined;
    for (const p of this.pending.values()) {
      p.writing = true;
      p.wake?.();
      if (p.timer) clearTimeout(p.timer);
    }
    // Left unsettled only when the core threw while the session ended (a broken state or hook):
    // whether the final dot went is not known, so each recipient is `unknown`, never retried blindly.
    for (const [id, p] of [...this.pending]) {
      this.pending.delete(id);
      p.release();
      p.resolve(lostResult(id, p.to, err.code));
    }
    for (const w of this.closedWaiters.splice(0)) w();
  }

  send(message: SendInput): Promise<SendResult> {
    return this.sendWithin(message);
  }

  /**
   * `send()` with its own deadline (`ms`; by default the connection's `messageTimeout`, none when
   * undefined), named `what` in the timeout's message; `copied` for a message already read by
   * {@link messageCopy} (the pool's), which is not read again.
   */
  sendWithin(message: SendInput, ms = this.options.messageTimeout, what = ms === undefined ? '' : `messageTimeout (${ms} ms)`, copied = false): Promise<SendResult> {
    if (this.isClosed) return Promise.reject(this.lastError ?? new SmtpClientError('ERR_SMTP_CLIENT_CLOSED', 'connection closed'));
    if (typeof message !== 'object' || message === null) return Promise.reject(new SmtpClientError('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'message: expected an object'));
    if (!copied) {
      const read = messageCopy(message);
      if (read instanceof Promise) return read;
      message = read;
    }
    const body: unknown = message.body;
    if (!isBodySource(body)) {
      return Promise.reject(new SmtpClientError('ERR_SMTP_CLIENT_INVALID_PARAMETER', typeof body === 'function' ? 'body: expected a string, a Uint8Array, an async iterable of chunks or a ReadableStream (a body factory is for deliver())' : 'body: expected a string, a Uint8Array, an async iterable of chunks or a ReadableStream'));
    }
    const whole = typeof body === 'string' || isBytes(body);
    return new Promise<SendResult>((resolve, reject) => {
      try {
        const { body: _b, ...rest } = message;
        // the recipients read once (a one-shot iterable too): the core and a result the core never settles see the same list
        const to: readonly string[] = isIterableObject(rest.to) ? [...rest.to] : rest.to;
        const id = this.connection.sendMessage(whole ? { ...rest, to, body } : { ...rest, to });
        const p: Pending = { resolve, body, release: () => discard(body), credits: 0, wake: undefined, writing: false, timer: undefined, to };
        if (ms !== undefined) {
          p.timer = setTimeout(
            () => {
              if (this.pending.get(id) === p) this.abort(new SmtpClientError('ERR_SMTP_CLIENT_TIMEOUT', `message not done within ${what}`, 'remote'));
            },
            // a longer delay would fire at once
            Math.min(ms, MAX_DELAY),
          );
        }
        this.pending.set(id, p);
        // from here the message settles through the connection, even when a state throws
        this.guard(() => this.pump());
      } catch (e) {
        // refused as given (an invalid address, a CR or LF in a field): it is never read, released
        if (!whole) discard(body);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  quit(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    return new Promise((resolve) => {
      this.closedWaiters.push(resolve);
      this.connection.quit();
      this.pump();
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * @internal `client.send(message)` for a message {@link createPool} has read with
 * {@link messageCopy} already (not read again), bounded by `ms` instead of the connection's
 * `messageTimeout` when given (the rest of the pool's own deadline); `what` names that deadline in
 * the timeout's message. A client not made by {@link connect} sends as it sends.
 */
export function sendWithin(client: SmtpClient, message: SendInput, ms?: number, what?: string): Promise<SendResult> {
  return client instanceof Client ? client.sendWithin(message, ms, what, true) : client.send(message);
}

/**
 * @internal A message as `send()` reads it: {@link callerOptions} of it, or, when one of its
 * getters throws, the rejected promise `send()` returns (never a throw at the caller).
 */
export function messageCopy(message: SendInput): SendInput | Promise<never> {
  try {
    return callerOptions(message);
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

type Policy = TlsSecurity;

/** The result of a message the connection ended without settling: every recipient `unknown`, with `errorCode`. */
function lostResult(messageId: number, to: readonly string[], errorCode: ClientErrorCode): SendResult {
  const recipients = to.map((address): RecipientResult => ({ address, status: 'unknown', accepted: false, transient: false, permanent: false, errorCode, stage: STAGE.UNKNOWN, transaction: 0 }));
  return { messageId, outcome: messageOutcome(recipients), transient: false, accepted: [], rejected: [], deferred: [], unknown: [...to], recipients, errorCode, transactions: 1 };
}

function bad(option: string, expected: string): SmtpClientError {
  return new SmtpClientError('ERR_SMTP_CLIENT_INVALID_OPTION', `${option}: expected ${expected}`);
}

/** What the adapter calls on a socket: a `connection` factory's result that lacks one is no stream. */
function isStream(v: unknown): v is Duplex {
  return typeof v === 'object' && v !== null && ['on', 'once', 'off', 'write', 'end', 'destroy'].every((k) => typeof (v as Record<string, unknown>)[k] === 'function');
}

function checkMs(o: ConnectOptions, key: 'connectTimeout' | 'messageTimeout'): void {
  const v: unknown = o[key];
  if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)) throw bad(key, 'a number of milliseconds > 0');
}

/** Validates the socket-level options (the core validates its own) and resolves the TLS policy. */
function policyFor(o: ConnectOptions): Policy {
  if (!isOptionsObject(o)) throw bad('options', 'an object');
  if (typeof o.host !== 'string' || o.host === '') throw bad('host', 'a host name or address (there is no default)');
  if (o.port !== undefined && (typeof o.port !== 'number' || !Number.isInteger(o.port) || o.port < 1 || o.port > 65535)) throw bad('port', 'an integer 1-65535');
  checkMs(o, 'connectTimeout');
  checkMs(o, 'messageTimeout');
  if (o.tls !== undefined && !isOptionsObject(o.tls)) throw bad('tls', 'tls.connect options');
  if (o.setup !== undefined && typeof o.setup !== 'function') throw bad('setup', 'a function');
  if (o.connection !== undefined && typeof o.connection !== 'function') throw bad('connection', 'a function returning a Duplex stream');
  if (o.plaintextFallback !== undefined && typeof o.plaintextFallback !== 'boolean') throw bad('plaintextFallback', 'a boolean');
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw bad('signal', 'an AbortSignal');
  if (o.security !== undefined && !TLS_SECURITY_LEVELS.includes(o.security)) throw bad('security', "'off', 'opportunistic', 'required' or 'implicit'");
  if (o.security !== undefined) return o.security;
  if (o.port === 465) return 'implicit';
  return o.auth ? 'required' : 'opportunistic';
}

/**
 * A host name as DNS and TLS carry it: an internationalised name in A-labels (`bücher.example` is
 * `xn--bcher-kva.example`; SNI and certificates hold that form, RFC 5890, RFC 6066 §3); a name
 * with nothing to convert, or that cannot be converted, unchanged.
 * @internal
 */
export function asciiHostName(name: string): string {
  for (let i = 0; i < name.length; i++) {
    if (name.charCodeAt(i) > 0x7f) return domainToASCII(name) || name;
  }
  return name;
}

/**
 * `tls.connect` options for a policy: opportunistic TLS does not reject an unverifiable certificate.
 * The certificate is checked for `servername`, else for `host`, which must be given here: a TLS
 * socket over an existing one (STARTTLS, a `connection` factory's stream) would otherwise check
 * it for `localhost`, so that an IP address host took a certificate for `localhost` and refused
 * one naming the address (RFC 6125 §6.2.1).
 */
function tlsOptions(o: ConnectOptions, policy: Policy): ConnectionOptions {
  const options: ConnectionOptions = {
    host: asciiHostName(o.host),
    servername: isIP(o.host) ? undefined : o.host,
    ...(policy === 'opportunistic' ? { rejectUnauthorized: false } : {}),
    ...o.tls,
  };
  // certificates name an internationalised host by its A-labels: a U-label servername never matched
  if (typeof options.servername === 'string') options.servername = asciiHostName(options.servername);
  return options;
}

function tlsState(s: TLSSocket): TlsState {
  const err = s.authorizationError as Error | string | null | undefined;
  return {
    protocol: s.getProtocol(),
    cipher: s.getCipher()?.name ?? '',
    verified: s.authorized,
    ...(err ? { authorizationError: typeof err === 'string' ? err : err.message } : {}),
  };
}

/**
 * Connects, waits for the greeting, EHLO, STARTTLS and AUTH, and resolves with a client ready to
 * send (or rejects with a typed error, e.g. `ERR_SMTP_CLIENT_TLS_REQUIRED`,
 * `ERR_SMTP_CLIENT_TIMEOUT` when `connectTimeout` passes, `ERR_SMTP_CLIENT_INVALID_OPTION` naming a
 * bad option: `options`, `tls` or `auth` given as a list included). `options` is read once, when
 * `connect` is called: its own fields and those it inherits (an `Object.create` base, a class's
 * getters; in `timeouts` and `tls` too), the core's options (`auth`, `hostname`, `timeouts`...)
 * included, and a function option (`setup`, `connection`, `transcript`, `classify`, `mailArgs`,
 * `rcptArgs`, `tls.checkServerIdentity`) that a class gives as a method, called with `this` the
 * caller's object; an `auth.accessToken` provider is called on `auth` (a class's method keeps its
 * `this`), with `auth.user` and `auth.mechanisms` read once. Every connection it makes (the retry of an `accessToken` provider, the
 * plaintext one of `plaintextFallback`) uses those fields.
 *
 * @example
 * const client = await connect({ host: 'smtp.example.com', port: 587, security: 'required', auth: { user, pass } });
 * await client.send({ from, to: [rcpt], body }); await client.quit();
 * @see RFC 5321 §3.1, RFC 3207, RFC 8314
 */
export async function connect(given: ConnectOptions): Promise<SmtpClient> {
  const options = callerOptions(given);
  const auth = options?.auth;
  if (auth && 'accessToken' in auth && typeof auth.accessToken === 'function') {
    // read once; a provider a class gives as a method is called on its object (`this` is `auth`)
    const provider = auth.accessToken;
    const user = auth.user;
    const mechanisms = auth.mechanisms;
    const token = async (refresh: boolean): Promise<string> => {
      let t: unknown;
      try {
        t = await provider.call(auth, { user, refresh });
      } catch (e) {
        throw new SmtpClientError('ERR_SMTP_CLIENT_AUTH_FAILED', `the access-token provider failed: ${e instanceof Error ? e.message : String(e)}`, 'remote', { cause: e });
      }
      if (typeof t !== 'string' || t === '') throw bad('auth.accessToken', 'a provider that returns a non-empty string');
      return t;
    };
    const withToken = (accessToken: string): ConnectOptions & { auth: AuthOptions } => ({ ...options, auth: { user, accessToken, ...(mechanisms ? { mechanisms } : {}) } });
    const first = await token(false);
    try {
      return await connectOnce(withToken(first));
    } catch (e) {
      // The token was refused (expired, revoked): ask for a fresh one and try once more.
      if (!(e instanceof SmtpClientError && e.code === 'ERR_SMTP_CLIENT_AUTH_FAILED')) throw e;
      return connectOnce(withToken(await token(true)));
    }
  }
  return connectOnce(options as ConnectOptions & { auth?: AuthOptions });
}

/**
 * Options that a class may give as a method: the hooks, factories and callbacks of `connect`,
 * `sendMail`, `createPool`, `deliver` and a message (`tls.checkServerIdentity` among them).
 */
const METHOD_OPTIONS: readonly string[] = ['setup', 'connection', 'classify', 'mailArgs', 'rcptArgs', 'transcript', 'isAllowedAddress', 'body', 'checkServerIdentity'];

/** {@link callerOptions} of one object: its fields, and the function options it has as methods, bound to it. */
function callerFields(value: object): Record<string, unknown> {
  const copy = inheritedFields(value);
  // a plain object has no methods apart from its own fields, copied above
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === null || proto === Object.prototype) return copy;
  for (const name of METHOD_OPTIONS) {
    // not copied: absent, or a method (a getter or field was read above, and is not read twice)
    const f = name in copy ? undefined : (value as Record<string, unknown>)[name];
    if (typeof f === 'function') copy[name] = (f as (...a: unknown[]) => unknown).bind(value);
  }
  return copy;
}

/**
 * @internal The caller's options object (or message) as every entry point of this adapter reads
 * it (`connect`, `sendMail`, `createPool`, `deliver`, `send`): a plain object of its fields, read
 * once when the call is made, so that a spread or a rest destructuring inside loses none. Its
 * fields are its own enumerable ones and those it inherits (a field of an `Object.create` base,
 * a class's getter), as foundation's `inheritedFields` takes them; a method of a class is no field
 * and is left out, except under the name of an option documented as a function (`setup`,
 * `connection`, `classify`, `mailArgs`, `rcptArgs`, `transcript`, `isAllowedAddress`, `body`,
 * `tls.checkServerIdentity`), where it is kept bound to the caller's object, so that `this` in it
 * is that object as when the caller calls it. `timeouts` and `tls`, which the client spreads, are
 * read the same way one level down; other nested objects (`auth`, `signal`, a `resolver`) are
 * kept as given. Anything but an options object is returned as it is, for the checks to refuse.
 */
export function callerOptions<T>(options: T): T {
  if (!isOptionsObject(options)) return options;
  const snap = callerFields(options);
  for (const name of ['timeouts', 'tls']) if (isOptionsObject(snap[name])) snap[name] = callerFields(snap[name]);
  return snap as T;
}

/**
 * One connection, and with `plaintextFallback` a second one without STARTTLS after a handshake that
 * failed for another reason than the certificate check.
 */
async function connectOnce(options: ConnectOptions & { auth?: AuthOptions }): Promise<SmtpClient> {
  try {
    return await connectSession(options);
  } catch (e) {
    const fallback = options.plaintextFallback === true && !options.auth && e instanceof SmtpClientError && e.code === 'ERR_SMTP_CLIENT_TLS_FAILED' && !certificateRefused.has(e) && policyFor(options) === 'opportunistic';
    if (!fallback) throw e;
    const client = await connectSession({ ...options, security: 'off' });
    client.tlsFallback = e;
    return client;
  }
}

async function connectSession(options: ConnectOptions & { auth?: AuthOptions }): Promise<Client> {
  const policy = policyFor(options);
  const port = options.port ?? (policy === 'implicit' ? 465 : 25);
  const implicit = policy === 'implicit';
  const { host: _h, port: _p, security: _s, tls: _t, connectTimeout: _c, messageTimeout: _m, localAddress: _l, setup: _setup, connection: _conn, plaintextFallback: _f, signal, ...core } = options;
  const aborted = (): SmtpClientError => new SmtpClientError('ERR_SMTP_CLIENT_CLOSED', `connect to ${options.host}:${port} aborted`, 'local', { cause: signal?.reason });
  if (signal?.aborted) throw aborted();
  const unverifiedAuth = options.allowUnverifiedAuth === true || options.tls?.rejectUnauthorized === false;
  const conn = new ClientConnection({
    ...core,
    reportsWrites: true,
    security: policy,
    // Implicit TLS verifies in the handshake unless the caller turned verification off.
    ...(implicit ? { tlsVerified: options.tls?.rejectUnauthorized !== false } : {}),
    ...(unverifiedAuth ? { allowUnverifiedAuth: true } : {}),
    crypto: nodeCrypto,
  });
  options.setup?.(conn);
  const limit = options.connectTimeout ?? 30_000;
  const timedOut = (): SmtpClientError => new SmtpClientError('ERR_SMTP_CLIENT_TIMEOUT', `connect to ${options.host}:${port} not ready within ${limit} ms`, 'remote');
  let client: Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  let ready = false;
  try {
    return await new Promise<Client>((resolve, reject) => {
      let s: Duplex | undefined;
      let expired = false;
      // the deadline or the signal: the attempt ends, and a stream that comes later is closed
      const giveUp = (e: SmtpClientError): void => {
        expired = true;
        if (client) client.abort(e);
        else s?.destroy();
        reject(e);
      };
      timer = setTimeout(() => giveUp(timedOut()), Math.min(limit, MAX_DELAY));
      if (signal) signal.addEventListener('abort', (onAbort = () => giveUp(aborted())), { once: true });
      const start = (stream: Duplex): void => {
        // a stream that arrives after the deadline is closed, never used
        if (expired) {
          stream.destroy();
          return;
        }
        s = stream;
        // the connection's own error listener goes; a `connection` factory's listeners stay
        stream.off('error', onError);
        if (stream instanceof Socket) stream.setNoDelay(true);
        client = new Client(options, policy, stream, conn);
        client.ready().then(() => {
          ready = true;
          resolve(client!);
        }, reject);
      };
      const failed = (e: Error, tlsStage: boolean): void => {
        const code = tlsStage && !(e as NodeJS.ErrnoException).syscall ? 'ERR_SMTP_CLIENT_TLS_FAILED' : 'ERR_SMTP_CLIENT_CONNECTION_LOST';
        reject(new SmtpClientError(code, `connect to ${options.host}:${port} failed: ${e.message}`, 'remote', { cause: e }));
      };
      // until the session starts: a failure of TCP, or of implicit TLS
      const onError = (e: Error): void => failed(e, implicit);
      const overTls = (raw: Duplex | undefined): TLSSocket => {
        const base = raw ? { socket: raw } : { host: asciiHostName(options.host), port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) };
        return tlsConnect({ ...base, ...tlsOptions(options, policy) } as ConnectionOptions);
      };
      const own = options.connection;
      if (own) {
        // The caller's stream is already connected: TLS (if implicit) runs over it.
        const target: ConnectionTarget = { host: asciiHostName(options.host), port };
        Promise.resolve(target)
          .then(own)
          .then((raw: unknown) => {
            // a factory that forgot its `return` (or gave anything but a stream) is the caller's error
            const stream = isStream(raw) ? raw : undefined;
            if (expired) {
              stream?.destroy();
              return;
            }
            if (!stream) {
              reject(bad('connection', `a function returning a Duplex stream (it gave ${raw === null ? 'null' : typeof raw})`));
              return;
            }
            if (implicit) {
              const t = overTls(stream);
              s = t;
              t.once('secureConnect', () => start(t));
              t.once('error', onError);
            } else start(stream);
          }, (e: unknown) => failed(e instanceof Error ? e : new Error(String(e)), false))
          // anything thrown above (e.g. `tls` options tls.connect refuses) rejects, as it does without a factory
          .catch((e: unknown) => {
            s?.destroy();
            reject(e instanceof Error ? e : new Error(String(e)));
          });
        return;
      }
      // the address lookup does not convert an internationalised name: A-labels
      const base = { host: asciiHostName(options.host), port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) };
      const sock: Socket = implicit ? overTls(undefined) : netConnect(base);
      s = sock;
      sock.once(implicit ? 'secureConnect' : 'connect', () => start(sock));
      sock.once('error', onError);
    });
  } finally {
    if (onAbort) signal!.removeEventListener('abort', onAbort);
    // A session refused while connecting may still be saying QUIT: the deadline ends it unless it closes first.
    if (!ready && client && !client.closed) client.closedWaiters.push(() => clearTimeout(timer));
    else clearTimeout(timer);
  }
}

/**
 * Options of {@link sendMail}: connection options plus one message.
 *
 * @example
 * await sendMail({ host: '127.0.0.1', port: 2525, security: 'off', from: 'a@x', to: ['b@y'], body: 'hi' });
 * @see RFC 5321 §3
 */
export interface SendMailOptions extends ConnectOptions, Omit<SendInput, 'body'> {
  readonly body: BodySource;
}

/**
 * Connects, sends one message, says QUIT, and resolves with the per-recipient result. A server that
 * does not answer the QUIT delays the result by at most 2 s (the `quit` timeout when shorter): the
 * connection is then closed. Recipients that LIMITS MAILMAX (RFC 9422) left untried go on new
 * connections to the same server, one after another while each takes some of them, when the body
 * can go again (a string or bytes): one result for the message, each recipient tried once
 * ({@link carryOnUntried}). Those no new connection takes keep `ERR_SMTP_CLIENT_MAILMAX_REACHED`.
 * `options` is read as {@link connect} reads it: the fields it inherits (an `Object.create` base, a
 * class's getters) count as its own, the message's included.
 *
 * @example
 * const r = await sendMail({ host: 'mx.example.org', port: 25, from: 'a@example.com', to: ['b@example.org'], body });
 * console.log(r.outcome, r.recipients.map((x) => [x.address, x.status, x.classification?.name]));
 * @see RFC 5321 §3, RFC 9422 §4
 */
export async function sendMail(options: SendMailOptions): Promise<SendResult> {
  const { from, to, body, bodyType, size, dsn, requireTls, mailArgs, rcptArgs, ...conn } = callerOptions(options);
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
  const sendOn = async (client: SmtpClient, input: SendInput): Promise<SendResult> => {
    try {
      return await client.send(input);
    } finally {
      await courtesyQuit(client, conn.timeouts?.quit);
    }
  };
  const first = await sendOn(await connect(conn), msg);
  // a stream body that a transaction read cannot go again: the connection left the rest deferred
  // with their own code, so nothing is untried at MAILMAX and nothing is carried
  // a connection refused or lost leaves the rest with their MAILMAX result (carryOnUntried's rule)
  return carryOnUntried(first, async (rest) => sendOn(await connect(conn), { ...msg, to: rest }));
}

/** How long a QUIT said once the results are known waits for its reply (`sendMail`, `deliver`, `createPool`). */
const QUIT_GRACE_MS = 2000;

/**
 * The QUIT said once the results are known: a courtesy. A server that does not answer it is
 * waited for no longer than {@link QUIT_GRACE_MS} (or the `quit` timeout when shorter), then the
 * connection is closed. Never rejects.
 * @internal
 */
export async function courtesyQuit(client: SmtpClient, quitTimeout: number | undefined): Promise<void> {
  const grace = Math.min(QUIT_GRACE_MS, quitTimeout ?? QUIT_GRACE_MS);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([client.quit(), new Promise<void>((resolve) => (timer = setTimeout(resolve, grace)))]);
  } catch {
    // nothing to report: the results are already known, and the connection is closed below
  } finally {
    clearTimeout(timer);
    client.close();
  }
}

/**
 * Resolves when `socket` drains, or when it closes (a socket destroyed with unsent data never
 * emits 'drain': the body's writer would wait for ever and keep its source open).
 */
function drainOrClose(socket: Duplex): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.once('drain', done);
    socket.once('close', done);
  });
}
