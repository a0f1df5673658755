// close() and a connection still being opened: it waits for one that a message still needs, and
// ends at once one that no message needs any more (its message's messageTimeout passed), instead
// of waiting for its connectTimeout.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { throwawayCertificate } from '@smtpkit/testkit';
import { connect, createPool } from './index.js';
import { ScriptedServer, serveScripted } from '../../test/scripted-server.js';

/** A host that takes TCP connections and never greets. */
let silent: Server;
let silentPort = 0;
/** The silent host's side of each connection, with a promise of its close. */
const held = new Map<Socket, Promise<void>>();
/** A scripted server that greets (and answers everything) this many ms late. */
const SLOW = 300;
let slow: Server;
let slowPort = 0;
const slowSockets = new Set<Socket>();
const sessions: ScriptedServer[] = [];

beforeAll(async () => {
  silent = createServer((sock) => {
    sock.on('error', () => undefined);
    held.set(sock, new Promise((r) => sock.on('close', () => r())));
  });
  slow = createServer((sock) => {
    slowSockets.add(sock);
    sock.on('close', () => slowSockets.delete(sock));
    sock.on('error', () => undefined);
    const s = new ScriptedServer();
    sessions.push(s);
    serveScripted(sock, s, SLOW);
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
  silentPort = (silent.address() as AddressInfo).port;
  slowPort = (slow.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const s of held.keys()) s.destroy();
  for (const s of slowSockets) s.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
  await new Promise<void>((r) => slow.close(() => r()));
});
beforeEach(() => {
  held.clear();
  sessions.length = 0;
});

const msg = { from: 'a@x.test', to: ['r@y.test'], body: 'Subject: 1\r\n\r\nbody\r\n' };
/** 'done' when `p` settles within `ms`, else 'pending' (the connect timeouts below are 30 s). */
const within = (p: Promise<unknown>, ms: number): Promise<'done' | 'pending'> =>
  Promise.race([p.then(() => 'done' as const), new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms))]);
const outcome = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    (r) => ({ result: r }),
    (e: unknown) => ({ error: e }),
  );

describe('createPool close() and a connection still being opened', () => {
  it('no message needs it any more (its messageTimeout passed while it was opened): close() ends it at once, not after connectTimeout', async () => {
    const pool = createPool({ host: '127.0.0.1', port: silentPort, security: 'off', maxConnections: 1, connectTimeout: 30_000, messageTimeout: 100 });
    const sent = await outcome(pool.send(msg));
    expect(sent).toMatchObject({ error: { code: 'ERR_SMTP_CLIENT_TIMEOUT', message: expect.stringMatching(/messageTimeout/) } });
    expect(pool.connections).toBe(1);
    const closed = pool.close();
    const first = await within(closed, 4000);
    // it was: pending until the connection's connectTimeout (30 s); the server gives up here
    for (const s of held.keys()) s.destroy();
    await closed;
    expect(first).toBe('done');
    expect(pool.connections).toBe(0);
    // the attempt was ended, not left behind: the host saw the connection close
    expect(held.size).toBe(1);
    expect(await within(Promise.all(held.values()), 4000)).toBe('done');
  }, 15_000);

  it('close() called while the message still waits for it: it waits, and ends the connection when the message expires', async () => {
    const pool = createPool({ host: '127.0.0.1', port: silentPort, security: 'off', maxConnections: 1, connectTimeout: 30_000, messageTimeout: 300 });
    const sent = outcome(pool.send(msg));
    const closed = pool.close();
    const first = await within(closed, 4000);
    for (const s of held.keys()) s.destroy();
    await closed;
    expect(await sent).toMatchObject({ error: { code: 'ERR_SMTP_CLIENT_TIMEOUT', message: expect.stringMatching(/messageTimeout/) } });
    expect(first).toBe('done');
    expect(await within(Promise.all(held.values()), 4000)).toBe('done');
  }, 15_000);

  it('a `connection` factory that has not given its stream yet (a tunnel still being set up): close() does not wait for it', async () => {
    let give: ((s: Duplex) => void) | undefined;
    let fail: ((e: Error) => void) | undefined;
    const connection = (): Promise<Duplex> =>
      new Promise<Duplex>((resolve, reject) => {
        give = resolve;
        fail = reject;
      });
    const pool = createPool({ host: 'mx.test', security: 'off', connection, maxConnections: 1, connectTimeout: 30_000, messageTimeout: 100 });
    expect(await outcome(pool.send(msg))).toMatchObject({ error: { code: 'ERR_SMTP_CLIENT_TIMEOUT' } });
    expect(give).toBeTypeOf('function');
    const closed = pool.close();
    const first = await within(closed, 4000);
    // the tunnel fails at last (the pool has long given it up)
    fail?.(new Error('tunnel failed'));
    await closed;
    expect(first).toBe('done');
    expect(pool.connections).toBe(0);
  }, 15_000);

  it('a connection still opened for a message that waits for it: close() waits, and the message is sent', async () => {
    const pool = createPool({ host: '127.0.0.1', port: slowPort, security: 'off', maxConnections: 1, connectTimeout: 30_000, messageTimeout: 20_000 });
    const sent = outcome(pool.send(msg));
    await pool.close();
    expect(await sent).toMatchObject({ result: { outcome: 'delivered', accepted: ['r@y.test'] } });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.commands.at(-1)).toBe('QUIT');
  }, 15_000);

  it('implicit TLS from a pool checks the certificate as connect does: for the IP address dialled', async () => {
    // a certificate for `localhost` only: not valid for 127.0.0.1
    const { key, cert } = throwawayCertificate({ commonName: 'localhost', dns: ['localhost'] });
    const tlsSockets = new Set<Socket>();
    const server = createTlsServer({ key, cert }, (sock) => {
      tlsSockets.add(sock);
      serveScripted(sock, new ScriptedServer());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const options = { host: '127.0.0.1', port, security: 'implicit' as const, tls: { ca: cert } };
      await expect(connect(options)).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_FAILED' });
      const refused = createPool({ ...options, maxConnections: 1 });
      await expect(refused.send(msg)).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_FAILED', message: expect.stringMatching(/127\.0\.0\.1/) });
      await refused.close();
      // the name the certificate has, given: verified, and delivered
      const named = createPool({ ...options, tls: { ca: cert, servername: 'localhost' }, maxConnections: 1 });
      expect(await named.send(msg)).toMatchObject({ outcome: 'delivered' });
      await named.close();
    } finally {
      for (const s of tlsSockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }, 15_000);

  it("the caller's own signal ends a connection being opened: its message fails with ERR_SMTP_CLIENT_CLOSED, close() does not wait", async () => {
    const c = new AbortController();
    const pool = createPool({ host: '127.0.0.1', port: silentPort, security: 'off', maxConnections: 1, connectTimeout: 30_000, signal: c.signal });
    const sent = outcome(pool.send(msg));
    for (let i = 0; i < 200 && held.size === 0; i++) await new Promise((r) => setTimeout(r, 10));
    c.abort('shutting down');
    expect(await within(sent, 4000)).toBe('done');
    expect(await sent).toMatchObject({ error: { code: 'ERR_SMTP_CLIENT_CLOSED', cause: 'shutting down' } });
    expect(await within(pool.close(), 4000)).toBe('done');
    expect(await within(Promise.all(held.values()), 4000)).toBe('done');
  }, 15_000);
});
