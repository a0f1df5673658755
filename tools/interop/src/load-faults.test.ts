// Faults on the Node adapters over loopback (issue 9): idle clients closed by the command timeout
// (TMO-3), a slow onData consumer does not grow memory without bound (DOS-6), shutdown with a
// transaction in flight acknowledges nothing it did not deliver, and a server that disconnects or
// stalls mid-transaction gives the client a transient or "maybe delivered" result, never a
// duplicate send (TMO-2, TMO-4).
import { createServer as createNetServer } from 'node:net';
import type { Server as NetServer, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'esmtp-server-fsm/node';
import type { Envelope, SmtpServer } from 'esmtp-server-fsm/node';
import { sendMail } from 'smtp-client-fsm/node';
import { crlfLines, talk } from '@smtpkit/testkit';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function smtpServer(options: Parameters<typeof createServer>[0]): Promise<{ server: SmtpServer; port: number }> {
  const server = createServer(options);
  const { port } = await server.listen(0, '127.0.0.1');
  cleanups.push(() => server.close({ timeout: 500 }));
  return { server, port };
}

/** What the fake server does with a line: write a reply, close (`null`), or never answer (`STALL`). */
const STALL = Symbol('stall');
type FakeAction = string | null | typeof STALL;

/** A scripted fake server answering each command line. */
async function fakeServer(script: (line: string, socket: Socket) => FakeAction): Promise<{ port: number; lines: string[] }> {
  const lines: string[] = [];
  const sockets = new Set<Socket>();
  const net: NetServer = createNetServer((socket) => {
    sockets.add(socket);
    socket.setEncoding('utf8');
    socket.write('220 fake ESMTP\r\n');
    let inData = false;
    socket.on(
      'data',
      crlfLines((line) => {
        // after a close (`null`), the rest of what arrived is not read
        if (socket.destroyed) return;
        if (inData && line !== '.') return;
        if (inData) inData = false;
        lines.push(line);
        const reply = script(line, socket);
        if (reply === null) {
          socket.destroy();
          return;
        }
        if (reply === STALL) return;
        if (reply.startsWith('354')) inData = true;
        socket.write(reply);
      }),
    );
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => net.listen(0, '127.0.0.1', () => r()));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        net.close(() => r());
      }),
  );
  return { port: (net.address() as { port: number }).port, lines };
}

const ESMTP = (line: string): string | undefined => {
  if (/^EHLO /i.test(line)) return '250-fake\r\n250 PIPELINING\r\n';
  if (/^MAIL /i.test(line)) return '250 2.1.0 ok\r\n';
  if (/^RCPT /i.test(line)) return '250 2.1.5 ok\r\n';
  if (/^DATA/i.test(line)) return '354 go\r\n';
  if (/^QUIT/i.test(line)) return '221 bye\r\n';
  return undefined;
};

describe('faults on the Node adapters (loopback)', () => {
  it('TMO-3 an idle client is closed by the command timeout with 421 4.4.2', async () => {
    const { port } = await smtpServer({ hostname: 'mx.fault.test', timeouts: { command: 300 } });
    const { socket, heard, closed } = talk(port);
    const started = performance.now();
    await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]);
    expect(socket.destroyed || socket.readableEnded).toBe(true);
    expect(heard()).toMatch(/^220 /);
    expect(heard()).toMatch(/421 4\.4\.2/);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('DOS-8 a client trickling its body below minDataRate is closed with 421 4.4.2, nothing delivered', async () => {
    const delivered: string[] = [];
    const { port } = await smtpServer({
      hostname: 'mx.fault.test',
      minDataRate: 1000,
      minDataRateGraceMs: 200,
      onData: async (e: Envelope, body: NodeJS.ReadableStream) => {
        for await (const c of body) void c;
        delivered.push(e.from);
      },
    });
    const { socket, heard, until: waitFor, closed } = talk(port);
    await waitFor(/^220 /m);
    socket.write('EHLO slow.example\r\n');
    await waitFor(/^250 /m);
    socket.write('MAIL FROM:<slow@fault.example>\r\nRCPT TO:<b@fault.example>\r\nDATA\r\n');
    await waitFor(/^354 /m);
    const trickle = setInterval(() => {
      if (!socket.destroyed) socket.write('x');
    }, 50);
    await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]);
    clearInterval(trickle);
    expect(heard()).toMatch(/^421 4\.4\.2/m);
    expect(delivered).toEqual([]);
  });

  it('DOS-6 a slow onData consumer does not grow memory without bound (32 MiB body)', async () => {
    let size = 0;
    const { port } = await smtpServer({
      hostname: 'mx.fault.test',
      limits: { maxMessageSize: 0 },
      onData: async (_e: Envelope, body: NodeJS.ReadableStream) => {
        for await (const c of body) {
          size += (c as Buffer).length;
          await new Promise((r) => setImmediate(r)); // a consumer slower than loopback
        }
      },
    });
    const line = 'x'.repeat(510) + '\r\n'; // within the 998 octets of a line
    const chunk = line.repeat(128); // 64 KiB
    const TOTAL = 512; // x 64 KiB = 32 MiB
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed - base)), 20);
    async function* body(): AsyncGenerator<string> {
      yield 'Subject: big\r\n\r\n';
      for (let i = 0; i < TOTAL; i++) {
        await Promise.resolve();
        yield chunk;
      }
    }
    try {
      const r = await sendMail({ host: '127.0.0.1', port, security: 'off', from: 'a@fault.example', to: ['b@fault.example'], body: body() });
      expect(r.outcome).toBe('delivered');
    } finally {
      clearInterval(sampler);
    }
    expect(size).toBeGreaterThanOrEqual(TOTAL * 65536);
    console.log(`slow consumer: 32 MiB streamed, peak heap growth ${(peak / 1048576).toFixed(1)} MiB (client and server in this process)`);
    expect(peak).toBeLessThan(24 * 1048576);
  });

  it('shutdown with a transaction in flight acknowledges nothing it did not deliver', async () => {
    const delivered: string[] = [];
    const { server, port } = await smtpServer({
      hostname: 'mx.fault.test',
      onData: async (e: Envelope, body: NodeJS.ReadableStream) => {
        for await (const c of body) void c;
        delivered.push(e.from);
      },
    });
    const { socket, heard, until: waitFor } = talk(port);
    await waitFor(/^220 /m);
    socket.write('EHLO a.example\r\n');
    await waitFor(/^250 /m);
    socket.write('MAIL FROM:<inflight@fault.example>\r\nRCPT TO:<b@fault.example>\r\nDATA\r\n');
    await waitFor(/^354 /m);
    socket.write('Subject: in flight\r\n\r\npart of a body\r\n');
    const closing = server.close({ timeout: 300 });
    await closing;
    await new Promise((r) => setTimeout(r, 100));
    const afterData = heard().slice(heard().indexOf('354 '));
    expect(afterData).not.toMatch(/^250 /m);
    expect(delivered).toEqual([]);
    socket.destroy();
  });

  it('TMO-4 a server that disconnects after RCPT: transient failure, nothing sent twice', async () => {
    const fake = await fakeServer((line) => (/^DATA/i.test(line) ? null : (ESMTP(line) ?? '500 what\r\n')));
    const r = await sendMail({ host: '127.0.0.1', port: fake.port, security: 'off', from: 'a@fault.example', to: ['b@fault.example'], body: 'Subject: x\r\n\r\nhi\r\n' });
    expect(r.outcome).toBe('deferred');
    expect(r.transient).toBe(true);
    expect(fake.lines.filter((l) => /^MAIL /i.test(l))).toHaveLength(1);
  });

  it('TMO-4 a 421 in the middle of the transaction: transient, correctly classified', async () => {
    const fake = await fakeServer((line) => (/^RCPT /i.test(line) ? '421 4.3.2 shutting down\r\n' : (ESMTP(line) ?? '500 what\r\n')));
    const r = await sendMail({ host: '127.0.0.1', port: fake.port, security: 'off', from: 'a@fault.example', to: ['b@fault.example'], body: 'Subject: x\r\n\r\nhi\r\n' });
    expect(r.outcome).toBe('deferred');
    expect(r.transient).toBe(true);
    expect(r.recipients[0]?.transient).toBe(true);
    // DATA may have gone out pipelined, but no message content ever does
    await new Promise((res) => setTimeout(res, 50));
    expect(fake.lines.filter((l) => l === '.')).toHaveLength(0);
  });

  it('TMO-1 a server that stalls at RCPT: the rcpt timer gives a transient failure, no content sent', async () => {
    const fake = await fakeServer((line) => (/^RCPT /i.test(line) ? STALL : (ESMTP(line) ?? '500 what\r\n')));
    const r = await sendMail({ host: '127.0.0.1', port: fake.port, security: 'off', timeouts: { rcpt: 200, dataInit: 200 }, from: 'a@fault.example', to: ['b@fault.example'], body: 'Subject: x\r\n\r\nhi\r\n' });
    expect(r.outcome).toBe('deferred');
    expect(r.transient).toBe(true);
    expect(fake.lines.filter((l) => l === '.')).toHaveLength(0);
  });

  it('TMO-2 a server that disconnects after the final dot: "unknown" (maybe delivered), never resent', async () => {
    const fake = await fakeServer((line) => (line === '.' ? null : (ESMTP(line) ?? '500 what\r\n')));
    const r = await sendMail({ host: '127.0.0.1', port: fake.port, security: 'off', from: 'a@fault.example', to: ['b@fault.example'], body: 'Subject: x\r\n\r\nhi\r\n' });
    expect(r.outcome).toBe('unknown');
    expect(r.transient).toBe(false);
    expect(fake.lines.filter((l) => l === '.')).toHaveLength(1);
    expect(fake.lines.filter((l) => /^MAIL /i.test(l))).toHaveLength(1);
  });

  it('TMO-2 a server that stalls after the final dot: the dataDone timer gives "unknown", never resent', async () => {
    const fake = await fakeServer((line) => (line === '.' ? STALL : (ESMTP(line) ?? '500 what\r\n')));
    const r = await sendMail({ host: '127.0.0.1', port: fake.port, security: 'off', timeouts: { dataDone: 300 }, from: 'a@fault.example', to: ['b@fault.example'], body: 'Subject: x\r\n\r\nhi\r\n' });
    expect(r.outcome).toBe('unknown');
    expect(fake.lines.filter((l) => l === '.')).toHaveLength(1);
  });
});
