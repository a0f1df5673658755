// One `smtp serve` session: drives an esmtp-server-fsm ServerConnection over a socket (plain or
// STARTTLS-upgraded), answers its policy points as a sink, and streams each message to the store.
// (A local socket driver over the sans-IO core; see serve.ts.)
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { SecureContext } from 'node:tls';
import { randomBytes } from 'node:crypto';
import { DEFAULT_AUTO_ACCEPT, ServerConnection } from 'esmtp-server-fsm';
import type { ServerEvent, ServerOptions } from 'esmtp-server-fsm';
import type { Credentials } from './options.js';
import { ProxyHeaderParser } from './proxy-protocol.js';
import type { ProxyInfo } from './proxy-protocol.js';
import type { MessageStore, MessageWriter, StoredMessage } from './store.js';

/** Settings of the sink shared by every session. */
export interface SinkConfig {
  readonly hostname: string;
  readonly store: MessageStore;
  readonly auth?: Credentials;
  readonly maxSize?: number;
  readonly lmtp?: boolean;
  readonly tls?: SecureContext;
  readonly proxyProtocol?: boolean;
  /** Milliseconds to wait for the PROXY header. */
  readonly proxyTimeoutMs?: number;
  readonly onStored?: (message: StoredMessage) => void;
  readonly onError?: (error: Error) => void;
}

/** A running session; `shutdown()` asks it to finish (421 when idle, after the transaction otherwise). */
export interface SinkSession {
  shutdown(): void;
  readonly closed: Promise<void>;
}

/** Constant-time-ish comparison of two short strings (credentials). */
function sameSecret(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Starts a session on an accepted socket. */
export function startSinkSession(socket: Socket, config: SinkConfig): SinkSession {
  let transport: Socket | TLSSocket = socket;
  let conn: ServerConnection | undefined;
  let proxy: ProxyInfo | undefined;
  let writer: MessageWriter | undefined;
  let writerFailed = false;
  let busy = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let finished = false;
  let closing = false;
  let shutdownAsked = false;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));

  const finish = (): void => {
    if (finished) return;
    finished = true;
    if (timer !== undefined) clearTimeout(timer);
    void writer?.abort();
    writer = undefined;
    conn?.dispose();
    transport.destroy();
    resolveClosed();
  };

  const flush = (): void => {
    if (conn === undefined) return;
    const out = conn.dataToSend();
    if (out.length > 0 && !transport.destroyed) transport.write(out);
  };

  const armTimer = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const t = conn?.pendingTimeout();
    if (t === undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (conn === undefined || finished) return;
      conn.handleTimeout();
      schedule();
    }, t.ms);
    timer.unref();
  };

  const startTls = (): void => {
    if (config.tls === undefined || conn === undefined) return;
    const plain = transport;
    plain.removeAllListeners('data');
    const secure = new TLSSocket(plain, { isServer: true, secureContext: config.tls });
    transport = secure;
    secure.on('secure', () => {
      conn?.tlsEstablished();
      schedule();
    });
    secure.on('data', onData);
    secure.on('error', (e) => {
      config.onError?.(e);
      finish();
    });
    secure.on('close', finish);
    secure.on('end', () => {
      if (conn !== undefined && !finished && !closing) {
        conn.receiveEof();
        schedule();
      }
    });
  };

  const envelope = (c: ServerConnection, size: number) => {
    const s = c.session;
    const t = c.transaction;
    const rcpt: Record<string, Record<string, string | true>> = {};
    for (const r of t.recipients) rcpt[r.address] = { ...r.parameters };
    return {
      from: t.from ?? '',
      to: t.recipients.map((r) => r.address),
      helo: s.helo,
      clientAddress: proxy?.sourceAddress ?? s.clientAddress,
      clientPort: proxy?.sourcePort ?? socket.remotePort,
      size,
      parameters: { mail: { ...t.mailParameters }, rcpt },
      time: new Date().toISOString(),
      tls: s.secure,
      user: s.authenticatedUser,
      protocol: s.protocol,
      ...(proxy !== undefined ? { proxy: { version: proxy.version, proxyAddress: socket.remoteAddress } } : {}),
    };
  };

  const handle = async (c: ServerConnection, e: ServerEvent): Promise<void> => {
    switch (e.type) {
      case 'tls-start':
        flush();
        startTls();
        return;
      case 'auth': {
        const ok = config.auth !== undefined && e.credentials.password !== undefined && sameSecret(e.credentials.username, config.auth.user) && sameSecret(e.credentials.password, config.auth.pass);
        if (ok) c.accept();
        else c.reject({ code: 535, enhanced: '5.7.8', text: 'Authentication credentials invalid' });
        return;
      }
      case 'data-start':
        writerFailed = false;
        try {
          writer = await config.store.begin();
        } catch (err) {
          writerFailed = true;
          config.onError?.(err as Error);
        }
        if (e.needsAnswer) c.accept();
        return;
      case 'data-chunk':
        if (writer !== undefined && !writerFailed) {
          try {
            await writer.write(e.bytes);
          } catch (err) {
            writerFailed = true;
            config.onError?.(err as Error);
          }
        }
        return;
      case 'message-end': {
        const w = writer;
        writer = undefined;
        if (w === undefined || writerFailed) {
          await w?.abort();
          c.reject({ code: 451, enhanced: '4.3.0', text: 'Local error in processing: could not store the message' });
          return;
        }
        try {
          const stored = await w.commit(envelope(c, e.size));
          config.onStored?.(stored);
          const ok = { code: 250, enhanced: '2.0.0', text: `Ok: queued as ${stored.id}` };
          if (config.lmtp === true) c.respond(e.recipients.map(() => ok));
          else c.accept(ok);
        } catch (err) {
          config.onError?.(err as Error);
          c.reject({ code: 451, enhanced: '4.3.0', text: 'Local error in processing: could not store the message' });
        }
        return;
      }
      case 'message-abort':
        await writer?.abort();
        writer = undefined;
        return;
      case 'closed':
        flush();
        return;
      default:
        // Every other policy point: a sink accepts.
        if ('needsAnswer' in e && e.needsAnswer) c.accept();
    }
  };

  const pump = async (): Promise<void> => {
    if (conn === undefined || finished) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        for (;;) {
          if (conn.shouldClose) break;
          const e = conn.nextEvent();
          if (e.type === 'need-data' || e.type === 'paused') break;
          // Backpressure: stop reading while we wait on the disk.
          transport.pause();
          await handle(conn, e);
          if (finished) return;
          if (e.type === 'closed') break;
        }
        flush();
      } while (again);
      if (shutdownAsked && !conn.shouldClose) conn.requestShutdown();
      flush();
      if (conn.shouldClose) {
        if (closing) return;
        closing = true;
        transport.end();
        transport.once('finish', finish);
        setTimeout(finish, 2000).unref();
        return;
      }
      armTimer();
      transport.resume();
    } catch (err) {
      config.onError?.(err as Error);
      finish();
    } finally {
      busy = false;
    }
  };

  function schedule(): void {
    void pump();
  }

  function onData(chunk: Buffer): void {
    if (conn === undefined || finished || closing) return;
    try {
      conn.receiveData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } catch (err) {
      config.onError?.(err as Error);
      finish();
      return;
    }
    schedule();
  }

  const begin = (rest: Uint8Array): void => {
    const options: ServerOptions = {
      hostname: config.hostname,
      banner: 'smtpkit sink ready',
      lmtp: config.lmtp === true,
      starttls: config.tls !== undefined,
      ...(config.auth !== undefined ? { auth: { mechanisms: ['PLAIN', 'LOGIN'], required: true, allowInsecure: config.tls === undefined } } : {}),
      ...(config.maxSize !== undefined ? { limits: { maxMessageSize: config.maxSize } } : {}),
      clientAddress: proxy?.sourceAddress ?? socket.remoteAddress ?? '',
      challenge: () => `<${randomBytes(8).toString('hex')}.${Date.now()}@${config.hostname}>`,
      autoAccept: [...DEFAULT_AUTO_ACCEPT, 'mail', 'rcpt', 'vrfy'],
    };
    conn = new ServerConnection(options);
    socket.on('data', onData);
    if (rest.length > 0) conn.receiveData(rest);
    schedule();
  };

  socket.on('error', (e) => {
    if ((e as NodeJS.ErrnoException).code !== 'ECONNRESET') config.onError?.(e);
    finish();
  });
  socket.on('close', () => {
    if (transport === socket) finish();
  });
  socket.on('end', () => {
    if (conn !== undefined && !finished && !closing && transport === socket) {
      conn.receiveEof();
      schedule();
    }
  });

  if (config.proxyProtocol === true) {
    const parser = new ProxyHeaderParser();
    const deadline = setTimeout(finish, config.proxyTimeoutMs ?? 10_000);
    const onHeader = (chunk: Buffer): void => {
      const r = parser.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      if (r.state === 'need-more') return;
      clearTimeout(deadline);
      socket.off('data', onHeader);
      if (r.state === 'error') {
        config.onError?.(new Error(`PROXY protocol: ${r.message} (from ${socket.remoteAddress ?? '?'})`));
        finish();
        return;
      }
      proxy = r.info;
      begin(r.rest);
    };
    socket.on('data', onHeader);
  } else begin(new Uint8Array(0));

  return {
    shutdown: () => {
      shutdownAsked = true;
      if (conn === undefined) finish();
      else schedule();
    },
    closed,
  };
}
