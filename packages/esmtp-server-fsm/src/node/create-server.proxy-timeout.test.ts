// timeouts.proxyHeader: the deadline for the PROXY header, from the accept, on real loopback
// sockets. No timing is asserted beyond "closed before a generous bound".
import { connect, createServer as netCreateServer } from 'node:net';
import type { Server as NetServer, Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PROXY_HEADER_TIMEOUT_MS, readProxyHeader } from './proxy-protocol.js';
import { rawClient, recorder, serversPerTest, within } from '../../test/servers.js';
import { watchTimers } from '../../test/watch-timers.js';

const servers = serversPerTest('proxy-timeout.test');

const HEADER = 'PROXY TCP4 203.0.113.9 192.0.2.1 40000 25\r\n';

describe('createServer timeouts.proxyHeader', () => {
  it('a peer that sends no PROXY header is closed when the timeout runs out, with no reply, logged at warn with the address the socket saw', async () => {
    const { logger, entries } = recorder();
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
    expect(entries.filter((e) => e.level !== 'debug')).toEqual([{ level: 'warn', message: 'PROXY header timeout', fields: { remoteAddress: '127.0.0.1', timeoutMs: 200 } }]);
    // its place is free again
    expect(server.connections).toBe(0);
    const next = await rawClient(port);
    next.socket.write(HEADER);
    for (let i = 0; i < 200 && !next.got().includes('\r\n'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(next.got()).toMatch(/^220 /);
    next.socket.destroy();
  });

  it('a header sent a byte at a time, each byte well within the timeout, is still cut at the timeout counted from the accept', { timeout: 20_000 }, async () => {
    const { logger, entries } = recorder();
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
    expect(entries.filter((e) => e.message === 'PROXY header timeout')).toHaveLength(1);
  });

  it('a header that arrives in time starts the session as before (the timer is gone with it)', async () => {
    const { logger, entries } = recorder();
    const connects: (string | undefined)[] = [];
    const { port } = await servers.start({ proxyProtocol: true, timeouts: { proxyHeader: 300 }, logger, onConnect: (s) => void connects.push(s.remoteAddress) });
    const c = await rawClient(port);
    c.socket.write(HEADER);
    for (let i = 0; i < 200 && !c.got().includes('\r\n'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(c.got()).toMatch(/^220 /);
    // longer than the timeout: the session is still open
    await new Promise((r) => setTimeout(r, 600));
    expect(c.isClosed()).toBe(false);
    expect(entries.some((e) => e.message === 'PROXY header timeout')).toBe(false);
    expect(connects).toEqual(['203.0.113.9']);
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
