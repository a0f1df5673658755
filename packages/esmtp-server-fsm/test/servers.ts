// Servers that a test file starts on loopback, each closed after the test that started it.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { afterEach, expect, vi } from 'vitest';
import { createServer } from '../src/node/index.js';
import type { CreateServerOptions, ServerLogger, SmtpServer } from '../src/node/index.js';

export interface TestServers {
  /** Starts a server on a free loopback port. */
  start(options: CreateServerOptions): Promise<{ port: number; server: SmtpServer }>;
  /** Closes a server made elsewhere after the current test too. */
  track(server: SmtpServer): SmtpServer;
}

/** Call once at the top of a test file; `hostname` is the servers' default name. */
export function serversPerTest(hostname: string): TestServers {
  const servers: SmtpServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close({ timeout: 200 });
  });
  return {
    track(server) {
      servers.push(server);
      return server;
    },
    async start(options) {
      const server = createServer({ hostname, ...options });
      servers.push(server);
      return { port: (await server.listen(0, '127.0.0.1')).port, server };
    },
  };
}

/**
 * A raw client: writes `parts` one after the other (each after the reply count given, so that
 * the session's pipelining rules are met), then optionally half-closes, and collects everything
 * the server sends until it closes (bounded by `timeoutMs`).
 */
export function rawSession(port: number, steps: readonly { write: string | Buffer; after?: number }[], opts: { end?: boolean; timeoutMs?: number; host?: string } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ port, host: '127.0.0.1', ...(opts.host ? { localAddress: opts.host } : {}) });
    let got = '';
    let step = 0;
    const replies = (): number => (got.match(/^\d{3} /gm) ?? []).length;
    const next = (): void => {
      while (step < steps.length && replies() >= (steps[step]!.after ?? 0)) {
        socket.write(steps[step]!.write);
        step++;
        if (step === steps.length && opts.end !== false) socket.end();
      }
    };
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(got);
    }, opts.timeoutMs ?? 10_000);
    socket.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      next();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    socket.on('connect', next);
  });
}

/** The reply codes of a whole transaction that {@link freshTransaction} expects. */
export const TRANSACTION_OK: readonly string[] = ['220', '250', '250', '250', '354', '250', '221'];

/**
 * A fresh plain client's whole transaction (EHLO, MAIL, RCPT, DATA, a short body, QUIT), after
 * the PROXY header `proxy` when given: the final reply codes it got, to show that the server
 * still serves.
 */
export async function freshTransaction(port: number, proxy?: string): Promise<string[]> {
  const got = await rawSession(port, [
    ...(proxy === undefined ? [] : [{ write: `${proxy}\r\n` }]),
    { write: 'EHLO fresh.test\r\n', after: 1 },
    { write: 'MAIL FROM:<f@fresh.test>\r\n', after: 2 },
    { write: 'RCPT TO:<g@fresh.test>\r\n', after: 3 },
    { write: 'DATA\r\n', after: 4 },
    { write: 'Subject: fresh\r\n\r\nhello\r\n.\r\n', after: 5 },
    { write: 'QUIT\r\n', after: 6 },
  ]);
  return got.match(/^\d{3}(?= )/gm) ?? [];
}

/** One call to a {@link recorder}'s logger. */
export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** A `logger` for createServer that keeps every call, in order. */
export function recorder(): { logger: ServerLogger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (fields: Record<string, unknown>, message: string) => void entries.push({ level, fields, message });
  return { entries, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

/** A raw loopback client of {@link rawClient}. */
export interface RawClient {
  readonly socket: Socket;
  /** Everything the server sent so far, as latin1 text. */
  got(): string;
  /** Whether the connection has closed. */
  isClosed(): boolean;
  /** Settles when the connection closes. */
  readonly closed: Promise<void>;
}

/** A raw client connected to 127.0.0.1:`port` that collects what the server sends. */
export async function rawClient(port: number): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  let text = '';
  let isClosed = false;
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  const closed = new Promise<void>((r) =>
    socket.once('close', () => {
      isClosed = true;
      r();
    }),
  );
  await new Promise((r) => socket.once('connect', r));
  return { socket, got: () => text, isClosed: () => isClosed, closed };
}

/** Resolves true when `p` settles within `ms`, false otherwise (a generous bound, not a timing assertion). */
export function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    void p.then(() => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/** A server started by {@link startObserved}, with what its hooks, logger and bodies saw. */
export interface ObservedServer {
  readonly port: number;
  readonly entries: LogEntry[];
  readonly errors: unknown[];
  readonly closes: () => number;
  /** What the message bodies' streams saw: `data` per chunk read, then `error <code>/<reason>` or `end`. */
  readonly body: string[];
}

/**
 * Starts a server of `servers` that records its log lines, `onError` calls, `onClose` count and
 * what each body stream saw (read to its end by `onData`, which fails with the stream's error).
 */
export async function startObserved(servers: TestServers, options: Partial<CreateServerOptions> = {}): Promise<ObservedServer> {
  const { logger, entries } = recorder();
  const errors: unknown[] = [];
  const body: string[] = [];
  let closes = 0;
  const { port } = await servers.start({
    logger,
    onError: (e) => void errors.push(e),
    onClose: () => void closes++,
    onData: (_env, stream) =>
      new Promise<void>((resolve, reject) => {
        stream.on('data', () => void body.push('data'));
        stream.on('end', () => {
          body.push('end');
          resolve();
        });
        stream.on('error', (e) => {
          body.push(`error ${String((e as { code?: unknown }).code)}/${String((e as { reason?: unknown }).reason)}`);
          reject(e);
        });
      }),
    ...options,
  });
  return { port, entries, errors, closes: () => closes, body };
}

/** Waits until `socket` has received text matching `re` (everything it got so far, as latin1). */
export function receiving(socket: Socket | TLSSocket): (re: RegExp) => Promise<void> {
  let text = '';
  socket.on('data', (d: Buffer) => void (text += d.toString('latin1')));
  return async (re) => vi.waitFor(() => expect(text).toMatch(re), { timeout: 4000 });
}

/** Waits until the raw client `c` has received text matching `re`. */
export const receivedBy = async (c: RawClient, re: RegExp): Promise<void> => vi.waitFor(() => expect(c.got()).toMatch(re), { timeout: 4000 });

/** Takes the raw client `c` through the greeting, EHLO and STARTTLS, and returns its TLS socket once the handshake is done (any certificate accepted). */
export async function startTlsOn(c: RawClient): Promise<TLSSocket> {
  await receivedBy(c, /^220 /m);
  c.socket.write('EHLO me.test\r\n');
  await receivedBy(c, /^250 /m);
  c.socket.write('STARTTLS\r\n');
  await receivedBy(c, /^220 [\s\S]*^220 /m);
  const t = tlsConnect({ socket: c.socket, rejectUnauthorized: false });
  t.on('error', () => undefined);
  await new Promise<void>((resolve) => t.once('secureConnect', resolve));
  return t;
}
