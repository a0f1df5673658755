// Deadlines longer than a Node timer holds (2^31-1 ms, about 24.8 days): Node runs such a timer
// after 1 ms, so a deadline meant as "practically none" ended the connection at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { connect } from './index.js';
import type { ConnectOptions } from './index.js';
import { ScriptedServer, serveScripted } from '../../test/scripted-server.js';

let server: net.Server;
let port = 0;
const sockets = new Set<net.Socket>();
const overflows: string[] = [];
const onWarning = (w: Error): void => {
  if (w.name === 'TimeoutOverflowWarning') overflows.push(w.message);
};

beforeAll(async () => {
  process.on('warning', onWarning);
  // greets 50 ms after the connection: a timer that runs after 1 ms fires first
  server = net.createServer((sock) => {
    sockets.add(sock);
    const greet = setTimeout(() => serveScripted(sock, new ScriptedServer({ ehlo: ['PIPELINING'] })), 50);
    sock.on('close', () => clearTimeout(greet));
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  process.off('warning', onWarning);
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('smtp-client-fsm/node: deadlines over 2^31-1 ms', () => {
  it.each<[string, Partial<ConnectOptions>]>([
    ['connectTimeout', { connectTimeout: 2 ** 31 }],
    ['a reply timeout (greeting)', { timeouts: { greeting: 2 ** 31 } }],
    ['both, far longer', { connectTimeout: Number.MAX_SAFE_INTEGER, timeouts: { greeting: 1e15, ehlo: 1e15 } }],
  ])('%s: the connection waits for the greeting instead of timing out after 1 ms', async (_name, options) => {
    const client = await connect({ host: '127.0.0.1', port, security: 'off', ...options });
    expect(client.closed).toBe(false);
    const r = await client.send({ from: 'a@x.test', to: ['b@y.test'], body: 'long deadlines\r\n' });
    expect(r.outcome).toBe('delivered');
    await client.quit();
    expect(overflows).toEqual([]);
  });
});
