/**
 * Node adapter: `createServer` runs `ServerConnection` sessions over `node:net` / `node:tls`
 * sockets. This file is the composition: accepting connections (PROXY header, implicit TLS,
 * connection limits), the session set and graceful shutdown. The rooms: `options.ts` (options,
 * defaults, validation), `session.ts` (one session), `body-stream.ts`, `output.ts` (output
 * batching), `fair-share.ts` (per-address limit, deadlines, data rate), `core-timer.ts`,
 * `proxy-protocol.ts`, `tls.ts`, `logger.ts`, `hooks.ts`.
 */
import { randomBytes } from 'node:crypto';
import { createServer as netCreateServer } from 'node:net';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { SmtpServerError } from 'esmtp-server-fsm';
import { readProxyHeader } from './proxy-protocol.js';
import type { ProxyInfo } from './proxy-protocol.js';
import { ServerTls, isPeerHandshakeError } from './tls.js';
import { serverLog } from './logger.js';
import { resolveSettings } from './options.js';
import type { CreateServerOptions, SessionContext, SmtpServer } from './options.js';
import { Session, destroyIfEndedBeforeSecure, lostConnectionCode } from './session.js';
import type { SessionHost } from './session.js';
import { OutputBatcher } from './output.js';
import { ClientSlots } from './fair-share.js';
import { isOptionsObject } from '@smtpkit/foundation';

/** The longest `close()` timeout a Node timer holds (2^31 - 1 ms, about 24.8 days); `Infinity` is no cut. */
const MAX_CLOSE_TIMEOUT_MS = 2_147_483_647;

/** Refuses a connection before any session exists (limits, shutdown): one reply, then close. */
function refuse(socket: Socket, reply: string): void {
  // whatever the client sent is discarded, so that its close is seen at once, not at the timer
  socket.resume();
  socket.end(reply);
  const timer = setTimeout(() => socket.destroy(), 2000);
  timer.unref();
  // a client that closes on the reply does not leave its socket held by the timer
  socket.once('close', () => clearTimeout(timer));
}

/**
 * Creates an SMTP/LMTP server running `ServerConnection` sessions. `options` that are not an
 * object (a list included) throw `ERR_SMTP_INVALID_OPTION`, as does a `tls` or `tls.sni` given as a list.
 *
 * @example
 * ```ts
 * const server = createServer({ hostname: 'mx.example', onData: async (env, body) => { await save(env, body); } });
 * await server.listen(25);
 * ```
 * @see RFC 5321 §4, RFC 3207, RFC 2033
 */
export function createServer(options: CreateServerOptions): SmtpServer {
  if (!isOptionsObject(options)) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', 'createServer needs an options object');
  // tls read once: the settings (STARTTLS advertised) and the TLS set-up agree
  const tls = options.tls;
  const settings = resolveSettings(options, !!tls);
  const serverTls = tls ? new ServerTls(tls) : undefined;
  const log = serverLog(options.logger, options.transcript);
  // errors reach the session's log line as well as onError; the options object itself is kept
  // (a copy would drop the hooks a class defines on its prototype)
  const given = options.onError;
  const onError = log ? log.onError(given) : given;
  const { hostname } = settings;
  const sessions = new Set<Session>();
  const slots = new ClientSlots(settings.maxConnectionsPerClient, settings.clientIpv4PrefixLength, settings.clientIpv6PrefixLength);
  let closing = false;
  let counter = 0;
  const prefix = randomBytes(4).toString('hex');
  /** `onError`, never throwing into the server: an exception of the handler itself is dropped. */
  const reportError = (error: unknown, session: SessionContext | undefined): void => {
    try {
      onError?.(error, session);
    } catch {
      // the application's error handler failed; nothing else to tell
    }
  };
  const host: SessionHost = {
    options,
    settings,
    log,
    tls: serverTls,
    output: new OutputBatcher(),
    sessions,
    reportError,
    messageId: () => `${prefix}${(++counter).toString(16).padStart(8, '0')}`,
    released(session) {
      sessions.delete(session);
      if (session.counted !== undefined) {
        slots.release(session.counted);
        session.counted = undefined;
      }
      checkClosed();
    },
  };

  /**
   * Resolves `close()` once every session has been released (its `onClose` run, its body stream
   * ended): after a graceful close when the listener has closed too, after the timeout at once.
   */
  function checkClosed(): void {
    if (closing && sessions.size === 0 && closeResolve) {
      const r = closeResolve;
      closeResolve = undefined;
      if (forced) {
        net.close(() => undefined);
        r();
      } else net.close(() => r());
    }
  }
  /** The `close()` timeout ran out: every connection was destroyed. */
  let forced = false;
  /** Connections that are not sessions yet (PROXY header, implicit TLS handshake). */
  const earlySockets = new Set<Socket>();
  let closeResolve: (() => void) | undefined;
  /** The promise every `close()` call returns. */
  let closed: Promise<void> | undefined;

  /** Sockets that have a session (their errors are reported by it, once). */
  const inSession = new WeakSet<Socket>();

  /**
   * An error of socket `s` of a connection without a session (its PROXY header awaited, in its
   * implicit TLS, refused): a connection the peer or the network lost (see `lostConnectionCode`)
   * is one info line, or nothing when the server was refusing it already (its 421 written with
   * `end()`); any other error goes to `onError`.
   */
  function sessionless(s: Socket, e: unknown, remoteAddress: string | undefined): void {
    if (lostConnectionCode(e) === undefined) reportError(e, undefined);
    else if (!s.writableEnded) log?.lost(remoteAddress, e);
  }

  /**
   * Admits a connection (limits, shutdown) and starts its session. `held`: the client's
   * per-address slot, taken already at accept (implicit TLS), handed to the session.
   */
  function run(socket: Socket, raw: Socket, proxy: ProxyInfo | undefined, rest: Uint8Array | undefined, held?: string): void {
    const releaseHeld = (): void => {
      if (held !== undefined) slots.release(held);
    };
    if (closing) {
      releaseHeld();
      // graceful shutdown: new sessions are refused
      log?.refused(socket.remoteAddress, 'shutting down');
      refuse(socket, `421 4.3.2 ${hostname} Service shutting down\r\n`);
      return;
    }
    if (sessions.size >= settings.maxConnections) {
      releaseHeld();
      log?.refused(socket.remoteAddress, 'too many connections');
      refuse(socket, `421 4.7.0 ${hostname} Error: too many connections, try again later\r\n`);
      return;
    }
    const address = held ?? proxy?.sourceAddress ?? socket.remoteAddress;
    if (held === undefined && !slots.acquire(address)) {
      log?.refused(address, 'too many connections from this address');
      refuse(socket, `421 4.7.0 ${hostname} Error: too many connections from your address, try again later\r\n`);
      return;
    }
    // from here on, errors of these sockets are the session's to report
    inSession.add(raw);
    inSession.add(socket);
    const session = new Session(socket, proxy, `${prefix}-${(++counter).toString(16)}`, host);
    if (slots.counts(address)) session.counted = address;
    sessions.add(session);
    session.guard(() => session.start(rest));
  }

  /**
   * Connections that are not sessions yet (waiting for their PROXY header, in their implicit TLS
   * handshake): they count against `maxConnections` with the sessions, so that idle connections
   * that never finish either cannot pile up without bound.
   */
  let early = 0;

  /** After the PROXY header (if any): implicit TLS first, then the session; `ready` ends the early count. */
  function begin(socket: Socket, proxy: ProxyInfo | undefined, rest: Uint8Array | undefined, ready: () => void): void {
    if (!(settings.implicitTls && serverTls)) {
      ready();
      run(socket, socket, proxy, rest);
      return;
    }
    // The client's per-address slot is taken before the handshake, so that one host cannot hold
    // every place with handshakes it never finishes; the session takes it over.
    const address = proxy?.sourceAddress ?? socket.remoteAddress;
    if (!slots.acquire(address)) {
      ready();
      log?.refused(address, 'too many connections from this address');
      // before a TLS handshake no reply can be read: the connection is closed
      socket.destroy();
      return;
    }
    let held = slots.counts(address) ? address : undefined;
    const giveBack = (): void => {
      if (held !== undefined) slots.release(held);
      held = undefined;
    };
    if (rest && rest.length > 0) socket.unshift(Buffer.from(rest));
    const t = serverTls.socket(socket);
    // the TLS socket, not the one under it, reports a client gone during the handshake (half-open
    // sockets: its end alone would keep it until the guard)
    destroyIfEndedBeforeSecure(t);
    let secured = false;
    const ms = settings.implicitTlsHandshakeMs;
    // no reply on expiry: before the handshake is done nothing the client could read can be sent
    const guard =
      ms > 0 && ms !== Infinity
        ? setTimeout(() => {
            log?.tlsHandshakeTimeout(address, ms);
            t.destroy();
          }, ms)
        : undefined;
    guard?.unref();
    t.once('close', () => {
      // the guard must not keep a connection that is gone (memory held by closed connections)
      clearTimeout(guard);
      ready();
      if (!secured) giveBack();
    });
    t.once('secure', () => {
      // a client certificate refused (rejectUnauthorized): destroyed with its error, no session
      if (t.destroyed) return;
      secured = true;
      clearTimeout(guard);
      ready();
      const slot = held;
      held = undefined;
      try {
        run(t, socket, proxy, undefined, slot);
      } catch (e) {
        reportError(e, undefined);
        t.destroy();
      }
    });
    t.on('error', (e) => {
      // a handshake the client failed (reset, plain text, no shared version or cipher, a refused
      // certificate) is logged at info, as Postfix's `SSL_accept error`; the server's own (an SNI
      // callback's failure) goes to onError (see isPeerHandshakeError)
      if (!secured && isPeerHandshakeError(e)) log?.tlsHandshakeFailed(address, e);
      else if (!inSession.has(t)) sessionless(t, e, address);
      t.destroy();
    });
  }

  function connection(socket: Socket): void {
    // a socket that is gone already (one handed to handleConnection after it closed) emits no
    // 'close' any more: as a session (or a connection waiting for its PROXY header) nothing would
    // end it, it would keep its place, and close() would wait for it for ever
    if (socket.destroyed) return;
    // read now: the address of a socket reset before it was asked is gone with its handle
    const remoteAddress = socket.remoteAddress;
    socket.on('error', (e) => {
      if (!inSession.has(socket)) sessionless(socket, e, remoteAddress);
    });
    // replies are written whole, one write per turn of the event loop: never hold them back
    if (typeof socket.setNoDelay === 'function') socket.setNoDelay(true);
    const implicit = settings.implicitTls && serverTls !== undefined;
    /** Refuses the connection before its PROXY header or TLS handshake (where no reply can be read: closed). */
    const turnAway = (reason: string, reply: string): void => {
      log?.refused(socket.remoteAddress, reason);
      if (implicit) socket.destroy();
      else refuse(socket, reply);
    };
    if (!options.proxyProtocol && !implicit) {
      begin(socket, undefined, undefined, () => undefined);
      return;
    }
    // A peer that may not send the PROXY header is refused before a byte of it is read: it takes
    // no place and meets no hook. A predicate that throws refuses too (fail closed), reported.
    if (options.proxyProtocol && options.isTrustedProxy) {
      let allowed = false;
      try {
        allowed = options.isTrustedProxy(socket.remoteAddress) === true;
      } catch (e) {
        reportError(e, undefined);
      }
      if (!allowed) return turnAway('not a trusted proxy', `421 4.7.0 ${hostname} Error: PROXY header not accepted from your address\r\n`);
    }
    // Shutting down: refused before its PROXY header or TLS handshake, as close() drops the
    // connections it finds there, so that one that never finishes either cannot hold close() (and
    // the listener, open for the grace) until its header or handshake timeout.
    if (closing) return turnAway('shutting down', `421 4.3.2 ${hostname} Service shutting down\r\n`);
    if (sessions.size + early >= settings.maxConnections) return turnAway('too many connections', `421 4.7.0 ${hostname} Error: too many connections, try again later\r\n`);
    early++;
    earlySockets.add(socket);
    let counted = true;
    const ready = (): void => {
      if (counted) {
        counted = false;
        early--;
        earlySockets.delete(socket);
      }
    };
    socket.once('close', ready);
    // a client that leaves before its header or handshake is done frees its place at once
    socket.once('end', () => {
      if (counted) socket.destroy();
    });
    if (!options.proxyProtocol) begin(socket, undefined, undefined, ready);
    else
      readProxyHeader(
        socket,
        (info, rest) => begin(socket, info, rest, ready),
        (e) => reportError(e, undefined),
        // no reply: the peer is a proxy (or a client that bypassed it), which reads none before its header
        { timeoutMs: settings.proxyHeaderTimeoutMs, expired: () => log?.proxyHeaderTimeout(socket.remoteAddress, settings.proxyHeaderTimeoutMs) },
      );
  }
  // allowHalfOpen: a client that shuts down its side after its last command still reads the replies
  const net: NetServer = netCreateServer({ allowHalfOpen: true }, connection);

  return {
    listen(port, hostArg) {
      return new Promise((resolve, reject) => {
        net.once('error', reject);
        net.listen(port, hostArg, () => {
          net.removeListener('error', reject);
          resolve(net.address() as AddressInfo);
        });
      });
    },
    close(opts) {
      const timeout = opts?.timeout ?? 30_000;
      // a timeout a Node timer cannot hold (NaN, negative, past 2^31 - 1 ms) would fire at once,
      // cutting every transaction: refused, and nothing is closed
      if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0 || (timeout !== Infinity && timeout > MAX_CLOSE_TIMEOUT_MS)) {
        return Promise.reject(new SmtpServerError('ERR_SMTP_INVALID_OPTION', `close: timeout must be a number of ms from 0 to ${String(MAX_CLOSE_TIMEOUT_MS)}, or Infinity, got ${typeof timeout === 'number' ? String(timeout) : typeof timeout}`));
      }
      // a second call (SIGTERM then SIGINT) shares the first one's promise; a shorter timeout
      // given later still cuts the wait; Infinity: no cut, the transactions take as long as they take
      if (timeout !== Infinity) {
        const force = setTimeout(() => {
          // the promise resolves when the destroyed sessions have been released (their 'close')
          forced = true;
          for (const s of sessions) s.socket.destroy();
          for (const s of earlySockets) s.destroy();
          checkClosed();
        }, timeout);
        force.unref();
      }
      if (closing) return closed!;
      closing = true;
      closed = new Promise<void>((resolve) => {
        closeResolve = resolve;
        // A connection still in its TLS handshake or waiting for its PROXY header has no
        // transaction and cannot be sent a 421 it could read: it is dropped now (its client retries
        // later, as after a 421), so that one that never finishes does not hold the whole grace.
        for (const s of earlySockets) s.destroy();
        for (const s of sessions) {
          if (s.closed) continue;
          if (s.handshaking) {
            s.socket.destroy();
            continue;
          }
          // a session that is over (now: idle, 421; or once its transaction is done) closes its
          // socket as soon as its last reply is written, not when its client closes its side
          s.hurry();
          s.guard(() => {
            s.conn.requestShutdown();
            s.pump();
          });
        }
        checkClosed();
        if (sessions.size === 0 && !net.listening && closeResolve) {
          closeResolve = undefined;
          resolve();
        }
      });
      return closed;
    },
    address() {
      const a = net.address();
      return a && typeof a === 'object' ? a : undefined;
    },
    get connections() {
      return sessions.size;
    },
    handleConnection(socket) {
      // a value that is not a socket is the caller's mistake: a typed error, not a TypeError later
      if (typeof socket !== 'object' || socket === null || typeof (socket as { on?: unknown }).on !== 'function') throw new SmtpServerError('ERR_SMTP_INVALID_ARGUMENT', 'handleConnection needs a net.Socket or tls.TLSSocket');
      connection(socket);
    },
    setSecureContext(tls) {
      if (!serverTls) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', 'setSecureContext: the server was created without tls');
      serverTls.reload(tls);
    },
  };
}
