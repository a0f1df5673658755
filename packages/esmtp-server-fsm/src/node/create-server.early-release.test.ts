// Connections that leave before their session is established (during the STARTTLS or implicit TLS
// handshake, before their PROXY header, after a refusal) free their place and every timer tied to
// them as soon as their socket closes, not when some guard timeout runs out.
import { createServer as netCreateServer } from 'node:net';
import type { Server as NetServer, Socket } from 'node:net';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readProxyHeader } from './proxy-protocol.js';
import type { SmtpServer } from './options.js';
import { rawClient, serversPerTest } from '../../test/servers.js';
import { watchTimers } from '../../test/watch-timers.js';
import { pollUntil as until, throwawayCertificate } from '@smtpkit/testkit';
import type { ThrowawayCertificate } from '@smtpkit/testkit';

let tls: ThrowawayCertificate;
beforeAll(() => {
  tls = throwawayCertificate({ commonName: 'localhost' });
});

const servers = serversPerTest('early.test');
afterEach(() => {
  vi.restoreAllMocks();
});

/** The start of a TLS ClientHello record: a handshake that will never complete. */
const HALF_CLIENT_HELLO = Buffer.from('16030100c8010000c40303', 'hex');

/** EHLO and STARTTLS up to its 220 on a new raw connection. */
async function afterStarttls(port: number): Promise<Awaited<ReturnType<typeof rawClient>>> {
  const c = await rawClient(port);
  expect(await until(() => c.got().startsWith('220 '))).toBe(true);
  c.socket.write('EHLO me.test\r\n');
  expect(await until(() => /^250 /m.test(c.got()))).toBe(true);
  c.socket.write('STARTTLS\r\n');
  expect(await until(() => /^220 2\.0\.0/m.test(c.got()))).toBe(true);
  return c;
}

describe('SRV-6 createServer: a client that leaves during the STARTTLS handshake', () => {
  // the handshake timeout is far longer than the test: only the client's FIN can free the session
  const options = { timeouts: { tlsHandshake: 600_000 } };

  async function leaves(server: SmtpServer, port: number, before: (s: Socket) => void): Promise<void> {
    const c = await afterStarttls(port);
    expect(server.connections).toBe(1);
    before(c.socket);
    c.socket.end(); // FIN: the client is gone (its side stays open for reading, as a half-open peer's)
    expect(await until(() => server.connections === 0)).toBe(true);
    await c.closed;
  }

  it('FIN right after the 220 (no ClientHello): the session is released at once', async () => {
    const { port, server } = await servers.start({ tls, ...options });
    await leaves(server, port, () => undefined);
  });

  it('FIN after half a ClientHello: the session is released at once', async () => {
    const { port, server } = await servers.start({ tls, ...options });
    await leaves(server, port, (s) => s.write(HALF_CLIENT_HELLO));
  });

  it("the client's per-address slot comes back: the next connection from that address is served", async () => {
    const { port, server } = await servers.start({ tls, ...options, maxConnectionsPerClient: 1 });
    await leaves(server, port, () => undefined);
    const next = await rawClient(port);
    expect(await until(() => /^\d{3} /m.test(next.got()))).toBe(true);
    expect(next.got()).toMatch(/^220 /);
    next.socket.destroy();
  });

  it('a handshake that completes is not affected: the session goes on over TLS', async () => {
    const { port, server } = await servers.start({ tls, ...options });
    const c = await afterStarttls(port);
    const { connect: tlsConnect } = await import('node:tls');
    const t = tlsConnect({ socket: c.socket, rejectUnauthorized: false });
    await new Promise((r) => t.once('secureConnect', r));
    let got = '';
    t.on('data', (d: Buffer) => (got += d.toString('latin1')));
    t.write('EHLO me.test\r\n');
    expect(await until(() => /^250 /m.test(got))).toBe(true);
    expect(server.connections).toBe(1);
    t.end();
    expect(await until(() => server.connections === 0)).toBe(true);
  });
});

describe('SRV-6 createServer: timers of connections that close before their session', () => {
  it('implicit TLS: a client reset during the handshake clears its handshake guard timer', async () => {
    const guardMs = 43_211;
    const timers = watchTimers(guardMs);
    const { port } = await servers.start({ tls, security: 'implicit', timeouts: { tlsHandshake: guardMs } });
    const c = await rawClient(port);
    expect(await until(() => timers.made().length === 1)).toBe(true);
    c.socket.write(HALF_CLIENT_HELLO);
    c.socket.resetAndDestroy();
    const guard = timers.made()[0];
    expect(await until(() => timers.cleared(guard))).toBe(true);
  });

  it('implicit TLS: a client that leaves (FIN) during the handshake clears its guard timer too', async () => {
    const guardMs = 43_213;
    const timers = watchTimers(guardMs);
    const { port } = await servers.start({ tls, security: 'implicit', timeouts: { tlsHandshake: guardMs } });
    const c = await rawClient(port);
    expect(await until(() => timers.made().length === 1)).toBe(true);
    c.socket.end();
    await c.closed;
    const guard = timers.made()[0];
    expect(await until(() => timers.cleared(guard))).toBe(true);
  });

  it('a refused connection (over maxConnections) whose client closes clears its close timer', async () => {
    const timers = watchTimers(2000);
    const { port } = await servers.start({ maxConnections: 1 });
    const first = await rawClient(port);
    expect(await until(() => first.got().startsWith('220 '))).toBe(true);
    const second = await rawClient(port);
    expect(await until(() => second.got().startsWith('421 '))).toBe(true);
    second.socket.destroy();
    expect(timers.made()).toHaveLength(1);
    const t = timers.made()[0];
    expect(await until(() => timers.cleared(t))).toBe(true);
    first.socket.destroy();
  });
});

describe('SRV-6 readProxyHeader: a connection that closes before its header', () => {
  let net: NetServer | undefined;
  afterEach(async () => {
    await new Promise((r) => (net ? net.close(r) : r(undefined)));
    net = undefined;
  });

  it('clears its header timer when the socket closes (reset mid-header), before any later event', async () => {
    const timers = watchTimers(10_000);
    const serverSide = new Promise<Socket>((resolve) => {
      net = netCreateServer((s) => {
        s.on('error', () => undefined);
        readProxyHeader(
          s,
          () => undefined,
          () => undefined,
        );
        resolve(s);
      });
    });
    await new Promise<void>((r) => net!.listen(0, '127.0.0.1', r));
    const port = (net!.address() as { port: number }).port;
    const c = await rawClient(port);
    const s = await serverSide;
    expect(timers.made()).toHaveLength(1);
    c.socket.write('PROXY TCP4 192.0.2.');
    c.socket.resetAndDestroy();
    // this listener was added after readProxyHeader's: it runs after the header reader saw the close
    await new Promise((r) => s.once('close', r));
    expect(timers.cleared(timers.made()[0])).toBe(true);
  });
});
