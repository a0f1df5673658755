// timeouts.proxyHeader: the deadline for the PROXY header, from the accept, on real loopback
// sockets. No timing is asserted beyond "closed before a generous bound".
import { connect, createServer as netCreateServer } from 'node:net';
import type { Server as NetServer, Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PROXY_HEADER_TIMEOUT_MS, readProxyHeader } from './proxy-protocol.js';
import { serversPerTest } from '../../test/servers.js';
import { watchTimers } from '../../test/watch-timers.js';

const servers = serversPerTest('proxy-timeout.test');

/** A logger that keeps every line. */
function recorder(): { logger: { debug: Log; info: Log; warn: Log; error: Log }; lines: [string, string, Record<string, unknown>][] } {
  const lines: [string, string, Record<string, unknown>][] = [];
  const at =
    (level: string): Log =>
    (fields, message) =>
      void lines.push([level, message, fields]);
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}
type Log = (fields: Record<string, unknown>, message: string) => void;

/** A raw loopback client: what the server sent, and whether (and when, as a promise) it closed. */
async function rawClient(port: number): Promise<{ socket: Socket; got: () => string; isClosed: () => boolean; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  let text = '';
  let closed = false;
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  const done = new Promise<void>((r) =>
    socket.once('close', () => {
      closed = true;
      r();
    }),
  );
  await new Promise((r) => socket.once('connect', r));
  return { socket, got: () => text, isClosed: () => closed, closed: done };
}

/** Resolves true when `p` settles within `ms`, false otherwise (the generous bound). */
function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    void p.then(() => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

const HEADER = 'PROXY TCP4 203.0.113.9 192.0.2.1 40000 25\r\n';

describe('createServer timeouts.proxyHeader', () => {
  it('a peer that sends no PROXY header is closed when the timeout runs out, with no reply, logged at warn with the address the socket saw', async () => {
    const { logger, lines } = recorder();
    const seen: string[] = [];
    const { port, server } = await servers.start({
      proxyProtocol: true,
      timeouts: { proxyHeader: 200 },
      logger,
      onConnect: () => void seen.push('connect'),
      onClose: () => void seen.push('close'),
      onError: (e) => void seen.push(`error ${String(e)}`),
    });
    const c = await rawClient(port);
    // well under the 10 s default: only the option can close it this early
    expect(await within(c.closed, 5000)).toBe(true);
    expect(c.got()).toBe('');
    expect(seen).toEqual([]);
    expect(lines.filter(([level]) => level !== 'debug')).toEqual([['warn', 'PROXY header timeout', { remoteAddress: '127.0.0.1', timeoutMs: 200 }]]);
    // its place is free again
    expect(server.connections).toBe(0);
    const next = await rawClient(port);
    next.socket.write(HEADER);
    for (let i = 0; i < 200 && !next.got().includes('\r\n'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(next.got()).toMatch(/^220 /);
    next.socket.destroy();
  });

  it('a header sent a byte at a time, each byte well within the timeout, is still cut at the timeout counted from the accept', { timeout: 20_000 }, async () => {
    const { logger, lines } = recorder();
    const { port } = await servers.start({ proxyProtocol: true, timeouts: { proxyHeader: 300 }, logger });
    const c = await rawClient(port);
    // one byte every 100 ms: a timer restarted by each byte (300 ms) would never run out, and the
    // whole header (44 bytes, about 4.4 s) would get its 220
    let sent = 0;
    while (sent < HEADER.length && !c.isClosed()) {
      c.socket.write(HEADER[sent]!);
      sent++;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await within(c.closed, 5000)).toBe(true);
    expect(sent).toBeLessThan(HEADER.length);
    expect(c.got()).toBe('');
    expect(lines.filter(([, message]) => message === 'PROXY header timeout')).toHaveLength(1);
  });

  it('a header that arrives in time starts the session as before (the timer is gone with it)', async () => {
    const { logger, lines } = recorder();
    const { port } = await servers.start({ proxyProtocol: true, timeouts: { proxyHeader: 300 }, logger, onConnect: (s) => void lines.push(['hook', 'connect', { remoteAddress: s.remoteAddress }]) });
    const c = await rawClient(port);
    c.socket.write(HEADER);
    for (let i = 0; i < 200 && !c.got().includes('\r\n'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(c.got()).toMatch(/^220 /);
    // longer than the timeout: the session is still open
    await new Promise((r) => setTimeout(r, 600));
    expect(c.isClosed()).toBe(false);
    expect(lines.some(([, message]) => message === 'PROXY header timeout')).toBe(false);
    expect(lines).toContainEqual(['hook', 'connect', { remoteAddress: '203.0.113.9' }]);
    c.socket.destroy();
  });
});

describe('readProxyHeader: its timer', () => {
  let net: NetServer | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await new Promise((r) => (net ? net.close(r) : r(undefined)));
    net = undefined;
  });

  async function arm(timeoutMs: number | undefined): Promise<{ socket: Socket; client: Socket }> {
    const serverSide = new Promise<Socket>((resolve) => {
      net = netCreateServer((s) => {
        s.on('error', () => undefined);
        readProxyHeader(
          s,
          () => undefined,
          () => undefined,
          timeoutMs === undefined ? undefined : { timeoutMs },
        );
        resolve(s);
      });
    });
    await new Promise<void>((r) => net!.listen(0, '127.0.0.1', r));
    const client = connect((net!.address() as { port: number }).port, '127.0.0.1');
    client.on('error', () => undefined);
    return { socket: await serverSide, client };
  }

  it('one timer of DEFAULT_PROXY_HEADER_TIMEOUT_MS (10 s) by default, of timeoutMs when given, none for 0 or Infinity', async () => {
    expect(DEFAULT_PROXY_HEADER_TIMEOUT_MS).toBe(10_000);
    for (const [given, timers] of [
      [undefined, 1],
      [5000, 1],
      [0, 0],
      [Infinity, 0],
    ] as const) {
      // the delay such a timer would have, watched: 10 s by default, else the one given
      const watched = watchTimers(given ?? 10_000);
      const { socket, client } = await arm(given);
      expect(watched.made(), String(given)).toHaveLength(timers);
      vi.restoreAllMocks();
      client.destroy();
      socket.destroy();
      await new Promise((r) => net!.close(r));
      net = undefined;
    }
  });
});
