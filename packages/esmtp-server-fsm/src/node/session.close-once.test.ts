// One onClose for every session, whatever ends it. A session exists from the moment it has an
// id: from then on it may be handed to onConnect, any other hook, onError or the logger, and it ends
// with exactly one onClose (and one `close` log line with its reason). A connection refused before
// it is a session (a PROXY header refused, a connection limit's 421, shutdown, an implicit TLS
// handshake that fails) gets no id, is handed to no hook as a session (onError gets `undefined`)
// and gets no onClose. An application that counts sessions with onConnect/onClose, or frees
// per-session state in onClose, sees every session it was told of end once. Real sockets on
// loopback, each wait bounded.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { throwawayCertificate } from '@smtpkit/testkit';
import type { ThrowawayCertificate } from '@smtpkit/testkit';
import { ServerConnection } from 'esmtp-server-fsm';
import { createServer } from './create-server.js';
import type { CreateServerOptions, SessionContext, SmtpServer } from './options.js';

let tls: ThrowawayCertificate;
beforeAll(() => {
  tls = throwawayCertificate({ commonName: 'localhost' });
});

const servers: SmtpServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await s.close({ timeout: 100 });
});

interface Seen {
  /** Session ids handed to onConnect, in order. */
  readonly connects: string[];
  /** Session ids onClose got, in order (`undefined`: onClose got no session). */
  readonly closes: (string | undefined)[];
  /** Errors onError got, with the id of the session it named. */
  readonly errors: { readonly error: unknown; readonly session: string | undefined }[];
  /** Every session id the logger named in any line. */
  readonly logged: Set<string>;
  /** The logger's `close` lines: session id and reason. */
  readonly logClosed: { readonly session: unknown; readonly reason: unknown }[];
}

async function start(options: Partial<CreateServerOptions>): Promise<{ server: SmtpServer; port: number; r: Seen }> {
  const r: Seen = { connects: [], closes: [], errors: [], logged: new Set(), logClosed: [] };
  const at = (fields: Record<string, unknown>, message: string): void => {
    if (typeof fields.session === 'string') r.logged.add(fields.session);
    if (message === 'close') r.logClosed.push({ session: fields.session, reason: fields.reason });
  };
  const onConnect = options.onConnect;
  const server = createServer({
    hostname: 'once.test',
    ...options,
    onConnect: (s) => {
      r.connects.push(s.id);
      return onConnect?.(s);
    },
    onClose: (s: SessionContext | undefined) => void r.closes.push(s?.id),
    onError: (error, s) => void r.errors.push({ error, session: s?.id }),
    logger: { debug: at, info: at, warn: at, error: at },
  });
  servers.push(server);
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port, r };
}

/** A plain client: everything it reads, and a promise for the connection's end. */
function client(port: number, first?: string | Buffer): { socket: Socket; got: () => string; closed: Promise<void> } {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => undefined);
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  if (first !== undefined) socket.write(first);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, got: () => text, closed };
}

const within = <T>(p: Promise<T>, ms = 4000): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms).unref())]);

/** Every session the application or the logger was told of ended exactly once, and nothing else did. */
async function endedOnce(r: Seen, sessions: number): Promise<void> {
  await vi.waitFor(() => expect(r.closes).toHaveLength(sessions), { timeout: 4000 });
  const announced = new Set([...r.connects, ...r.logged, ...r.errors.flatMap((e) => (e.session === undefined ? [] : [e.session]))]);
  expect(announced.size).toBe(sessions);
  expect([...r.closes].sort()).toEqual([...announced].sort());
  expect(r.logClosed.map((l) => l.session).sort()).toEqual([...announced].sort());
}

describe('every session ends with exactly one onClose, however early it fails', () => {
  it('onConnect throws: the session is told 421, closed, and its onClose runs once', async () => {
    const { port, r } = await start({
      onConnect: () => {
        throw new Error('onConnect bug');
      },
    });
    const c = client(port);
    await vi.waitFor(() => expect(c.got()).toMatch(/\r\n$/), { timeout: 4000 });
    c.socket.end('QUIT\r\n');
    await within(c.closed);
    await endedOnce(r, 1);
    expect(r.errors.map((e) => [(e.error as Error).message, e.session])).toEqual([['onConnect bug', r.connects[0]]]);
    expect(r.logClosed[0]!.reason).toBe('internal error');
  });

  it('onConnect rejects: the same', async () => {
    const { port, r } = await start({ onConnect: () => Promise.reject(new Error('onConnect failed')) });
    const c = client(port);
    await vi.waitFor(() => expect(c.got()).toMatch(/\r\n$/), { timeout: 4000 });
    c.socket.end('QUIT\r\n');
    await within(c.closed);
    await endedOnce(r, 1);
    expect(r.logClosed[0]!.reason).toBe('internal error');
  });

  it('the client leaves (FIN or reset) while onConnect is pending: onClose once, whenever onConnect settles', async () => {
    for (const leave of ['end', 'reset'] as const) {
      let settle!: () => void;
      const { server, port, r } = await start({ onConnect: () => new Promise<void>((resolve) => (settle = resolve)) });
      const c = client(port);
      await vi.waitFor(() => expect(r.connects).toHaveLength(1), { timeout: 4000 });
      if (leave === 'end') c.socket.end();
      else c.socket.resetAndDestroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
      settle();
      await endedOnce(r, 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(r.closes, leave).toHaveLength(1);
      expect(server.connections).toBe(0);
    }
  });

  it('isTrusted throws: told 421 4.3.0, onError without a session; it never became one (no onConnect, no log line, no onClose) and holds no place', async () => {
    const { server, port, r } = await start({
      isTrusted: () => {
        throw new Error('isTrusted bug');
      },
    });
    const c = client(port);
    await within(c.closed);
    expect(c.got()).toMatch(/^421 4\.3\.0 /);
    await vi.waitFor(() => expect(r.errors).toHaveLength(1), { timeout: 4000 });
    expect(r.errors.map((e) => [(e.error as Error).message, e.session])).toEqual([['isTrusted bug', undefined]]);
    await endedOnce(r, 0);
    expect(server.connections).toBe(0);
  });

  it('a connection handed over already closed (handleConnection) is no session: nothing announced, nothing held, close() settles', async () => {
    for (const proxyProtocol of [false, true]) {
      const { server, port, r } = await start({ proxyProtocol, maxConnections: 1 });
      // a socket that closed before it was handed over (an inherited one, one from another listener)
      const gone = connect(port, '127.0.0.1');
      gone.on('error', () => undefined);
      await new Promise((resolve) => gone.once('connect', resolve));
      gone.destroy();
      await new Promise((resolve) => gone.once('close', resolve));
      // the listener's own end of it was a session (or refused at its PROXY header), which ended
      await endedOnce(r, proxyProtocol ? 0 : 1);
      server.handleConnection(gone);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await endedOnce(r, proxyProtocol ? 0 : 1);
      expect(server.connections).toBe(0);
      // it holds no place: the one connection allowed is still free
      const next = client(port, proxyProtocol ? 'PROXY TCP4 192.0.2.7 192.0.2.1 4000 25\r\n' : undefined);
      await vi.waitFor(() => expect(next.got()).toMatch(/^220 /), { timeout: 4000 });
      next.socket.destroy();
      await endedOnce(r, proxyProtocol ? 1 : 2);
      // before, it was a session that nothing ended: close() waited for it for ever, past its timeout
      await within(server.close({ timeout: 100 }));
    }
  });

  it('whatever fails while a session is released (its core throwing at the close), its onClose still runs, once', async () => {
    const lost = vi.spyOn(ServerConnection.prototype, 'connectionLost').mockImplementation(() => {
      throw new Error('core bug at close');
    });
    try {
      const { server, port, r } = await start({});
      const c = client(port);
      await vi.waitFor(() => expect(c.got()).toMatch(/^220 /), { timeout: 4000 });
      // a reset: the session is lost in the middle (the core is told so)
      c.socket.resetAndDestroy();
      await endedOnce(r, 1);
      expect(r.errors.map((e) => [(e.error as Error).message, e.session])).toContainEqual(['core bug at close', r.closes[0]]);
      expect(server.connections).toBe(0);
    } finally {
      lost.mockRestore();
    }
  });

  it('a refused PROXY header: no session (onError gets none), no onConnect, no onClose', async () => {
    const { port, r } = await start({ proxyProtocol: true });
    const c = client(port, 'PROXY TCP4 192.0.2.999 192.0.2.1 1 25\r\n');
    await within(c.closed);
    await vi.waitFor(() => expect(r.errors).toHaveLength(1), { timeout: 4000 });
    expect(r.errors[0]!.session).toBeUndefined();
    await endedOnce(r, 0);
    // and a good header after it is a session like any other
    const ok = client(port, 'PROXY TCP4 192.0.2.7 192.0.2.1 4000 25\r\n');
    await vi.waitFor(() => expect(ok.got()).toMatch(/^220 /), { timeout: 4000 });
    ok.socket.end('QUIT\r\n');
    await within(ok.closed);
    await endedOnce(r, 1);
    expect(r.logClosed[0]!.reason).toBe('quit');
  });

  it('a per-address limit (421) and the global limit: the refused connections are no sessions; the admitted one ends once', async () => {
    for (const limit of [{ maxConnectionsPerClient: 1 }, { maxConnections: 1 }]) {
      const { port, r } = await start(limit);
      const first = client(port);
      await vi.waitFor(() => expect(first.got()).toMatch(/^220 /), { timeout: 4000 });
      const second = client(port);
      await within(second.closed);
      expect(second.got()).toMatch(/^421 4\.7\.0 /);
      first.socket.end('QUIT\r\n');
      await within(first.closed);
      await endedOnce(r, 1);
      expect(r.logClosed[0]!.reason).toBe('quit');
    }
  });

  it('an implicit TLS handshake that fails: no session; one that succeeds and then resets: one onClose', async () => {
    const { port, r } = await start({ tls, secure: true });
    const bad = client(port, 'EHLO not-tls.test\r\n\r\n');
    await within(bad.closed);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await endedOnce(r, 0);
    const good = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false });
    good.on('error', () => undefined);
    let text = '';
    good.on('data', (d: Buffer) => (text += d.toString('latin1')));
    await vi.waitFor(() => expect(text).toMatch(/^220 /), { timeout: 4000 });
    good.destroy();
    await endedOnce(r, 1);
  });

  it('a STARTTLS handshake that fails: the session ends once', async () => {
    const { port, r } = await start({ tls });
    const c = client(port);
    await vi.waitFor(() => expect(c.got()).toMatch(/^220 /), { timeout: 4000 });
    c.socket.write('EHLO c.test\r\n');
    await vi.waitFor(() => expect(c.got()).toMatch(/^250 /m), { timeout: 4000 });
    c.socket.write('STARTTLS\r\n');
    await vi.waitFor(() => expect(c.got()).toMatch(/^220 2\.0\.0 /m), { timeout: 4000 });
    c.socket.write('this is no ClientHello\r\n\r\n');
    await within(c.closed);
    await endedOnce(r, 1);
  });

  it('shutdown: a connection waiting for its PROXY header and one arriving during close() are no sessions; the open session ends once', async () => {
    const { server, port, r } = await start({ proxyProtocol: true });
    const session = client(port, 'PROXY TCP4 192.0.2.7 192.0.2.1 4000 25\r\n');
    await vi.waitFor(() => expect(session.got()).toMatch(/^220 /), { timeout: 4000 });
    const waiting = client(port);
    await new Promise((resolve) => waiting.socket.once('connect', resolve));
    await within(server.close({ timeout: 2000 }));
    await within(waiting.closed);
    await within(session.closed);
    await endedOnce(r, 1);
  });
});
