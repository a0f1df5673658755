// Load and faults on the Node adapters over loopback (issue 9): 1000 concurrent connections each
// sending one message through smtp-client-fsm/node to esmtp-server-fsm/node (none lost, none
// duplicated); a client that disconnects in the middle of DATA produces no delivered message; the
// memory cost of an idle connection is measured and printed (no assertion beyond a generous bound).
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'esmtp-server-fsm/node';
import type { Envelope, SmtpServer } from 'esmtp-server-fsm/node';
import { sendMail } from 'smtp-client-fsm/node';
import { crlfLines } from '@smtpkit/testkit';

const CONNECTIONS = 1000;

interface Delivered {
  readonly from: string;
  readonly to: readonly string[];
  readonly body: string;
}

let server: SmtpServer;
let port: number;
const delivered: Delivered[] = [];
const aborted: string[] = [];

beforeAll(async () => {
  server = createServer({
    hostname: 'mx.load.test',
    maxConnections: CONNECTIONS + 100,
    // every load connection comes from 127.0.0.1: the per-address fair share is not what is measured
    maxConnectionsPerClient: Infinity,
    onData: async (envelope: Envelope, body: NodeJS.ReadableStream) => {
      const parts: Buffer[] = [];
      try {
        for await (const c of body) parts.push(c as Buffer);
      } catch (e) {
        // the body ended early (disconnect, abort): nothing is stored, nothing acknowledged
        aborted.push(String(e));
        throw e;
      }
      delivered.push({ from: envelope.from, to: [...envelope.to], body: Buffer.concat(parts).toString('utf8') });
    },
  });
  port = (await server.listen(0, '127.0.0.1')).port;
});

afterAll(async () => {
  await server?.close({ timeout: 2000 });
});

/** A raw client: connect, read replies line by line. */
function rawClient(): Promise<{ socket: Socket; next: () => Promise<string>; send: (s: string) => void }> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1');
    const waiters: ((line: string) => void)[] = [];
    const lines: string[] = [];
    socket.setEncoding('utf8');
    socket.on(
      'data',
      crlfLines((line) => {
        if (/^\d{3}-/.test(line)) return; // only final lines of multi-line replies
        const w = waiters.shift();
        if (w) w(line);
        else lines.push(line);
      }),
    );
    socket.on('error', reject);
    socket.on('connect', () =>
      resolve({
        socket,
        next: () => new Promise<string>((r) => (lines.length > 0 ? r(lines.shift()!) : waiters.push(r))),
        send: (s: string) => socket.write(s),
      }),
    );
  });
}

describe('load and faults on the Node adapters (loopback)', () => {
  it(`${String(CONNECTIONS)} concurrent connections each send one message: none lost, none duplicated`, async () => {
    delivered.length = 0;
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: CONNECTIONS }, (_, i) =>
        sendMail({
          host: '127.0.0.1',
          port,
          security: 'off',
          from: `sender${String(i)}@load.example`,
          to: [`rcpt${String(i)}@load.example`],
          body: `Subject: load ${String(i)}\r\nX-Load-Id: ${String(i)}\r\n\r\nmessage ${String(i)}\r\n`,
        }),
      ),
    );
    const secs = (performance.now() - started) / 1000;
    console.log(`load: ${String(CONNECTIONS)} connections, ${String(CONNECTIONS)} messages in ${secs.toFixed(2)} s (${(CONNECTIONS / secs).toFixed(0)} messages/s)`);
    expect(results.map((r) => r.outcome).filter((o) => o !== 'delivered')).toEqual([]);
    expect(delivered).toHaveLength(CONNECTIONS);
    const ids = delivered.map((d) => /X-Load-Id: (\d+)/.exec(d.body)?.[1]);
    expect(new Set(ids).size).toBe(CONNECTIONS);
    for (const d of delivered) {
      const id = /X-Load-Id: (\d+)/.exec(d.body)![1]!;
      expect(d.from).toBe(`sender${id}@load.example`);
      expect(d.to).toEqual([`rcpt${id}@load.example`]);
    }
  });

  it('a client that disconnects in the middle of DATA produces no delivered message', async () => {
    delivered.length = 0;
    const abortedBefore = aborted.length;
    const c = await rawClient();
    expect(await c.next()).toMatch(/^220/);
    c.send('EHLO cut.example\r\n');
    expect(await c.next()).toMatch(/^250/);
    c.send('MAIL FROM:<cut@load.example>\r\n');
    expect(await c.next()).toMatch(/^250/);
    c.send('RCPT TO:<victim@load.example>\r\n');
    expect(await c.next()).toMatch(/^250/);
    c.send('DATA\r\n');
    expect(await c.next()).toMatch(/^354/);
    c.send('Subject: cut\r\n\r\nfirst half of the body\r\n');
    await new Promise((r) => setTimeout(r, 100));
    c.socket.destroy();
    await new Promise((r) => setTimeout(r, 300));
    expect(delivered.filter((d) => d.from === 'cut@load.example')).toEqual([]);
    // onData did start and saw the body fail, rather than never being called
    expect(aborted.length).toBe(abortedBefore + 1);
    // the server is still healthy
    const ok = await sendMail({ host: '127.0.0.1', port, security: 'off', from: 'after@load.example', to: ['x@load.example'], body: 'Subject: after\r\n\r\nok\r\n' });
    expect(ok.outcome).toBe('delivered');
  });

  it('a client that disconnects right after a final dot without CRLF produces no delivered message', async () => {
    delivered.length = 0;
    const c = await rawClient();
    await c.next();
    c.send('EHLO cut.example\r\n');
    await c.next();
    c.send('MAIL FROM:<cut2@load.example>\r\n');
    await c.next();
    c.send('RCPT TO:<victim@load.example>\r\n');
    await c.next();
    c.send('DATA\r\n');
    await c.next();
    c.send('Subject: cut\r\n\r\nbody\r\n.');
    await new Promise((r) => setTimeout(r, 100));
    c.socket.destroy();
    await new Promise((r) => setTimeout(r, 300));
    expect(delivered.filter((d) => d.from === 'cut2@load.example')).toEqual([]);
  });

  it('memory per idle connection is measured and printed', async () => {
    const N = 500;
    const before = process.memoryUsage();
    const clients = await Promise.all(Array.from({ length: N }, () => rawClient()));
    await Promise.all(clients.map((c) => c.next()));
    await Promise.all(
      clients.map(async (c) => {
        c.send('EHLO idle.example\r\n');
        await c.next();
      }),
    );
    const after = process.memoryUsage();
    const heap = (after.heapUsed - before.heapUsed) / N;
    const rss = (after.rss - before.rss) / N;
    // both ends of each connection live in this process: the figures cover client and server side
    console.log(`idle connections: ${String(N)}; per connection (client + server side in this process): heap ${(heap / 1024).toFixed(1)} KiB, rss ${(rss / 1024).toFixed(1)} KiB`);
    for (const c of clients) c.socket.destroy();
    expect(heap).toBeLessThan(1024 * 1024);
  });
});
