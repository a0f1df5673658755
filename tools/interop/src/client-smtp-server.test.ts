import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { connect, sendMail } from 'smtp-client-fsm/node';

interface Got { from: string; to: string[]; data: string }
const received: Got[] = [];
let server: SMTPServer;
let port = 0;

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onMailFrom(addr, _s, cb) {
      if (addr.address.startsWith('refused')) cb(Object.assign(new Error('sender refused'), { responseCode: 553 }));
      else cb();
    },
    onRcptTo(addr, _s, cb) {
      if (addr.address.startsWith('bad')) cb(Object.assign(new Error('no such user'), { responseCode: 550 }));
      else cb();
    },
    onData(stream, session, cb) {
      const parts: Buffer[] = [];
      stream.on('data', (d: Buffer) => parts.push(d));
      stream.on('end', () => {
        const text = Buffer.concat(parts).toString('latin1');
        if (text.includes('REFUSE-5')) return cb(Object.assign(new Error('content refused'), { responseCode: 554 }));
        if (text.includes('REFUSE-4')) return cb(Object.assign(new Error('try again later'), { responseCode: 451 }));
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(parts).toString('latin1') });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

describe('smtp-client-fsm/node against smtp-server (loopback)', () => {
  it('sendMail delivers a string body with per-recipient results and a transcript', async () => {
    const lines: string[] = [];
    const r = await sendMail({
      host: '127.0.0.1', port, security: 'off',
      from: 'a@example.com', to: ['b@example.org', 'bad@example.org'],
      body: 'Subject: t\r\n\r\nhello\n.dot\r\n',
      transcript: (e) => lines.push(`${e.direction === 'client' ? 'C' : 'S'}: ${e.line}`),
    });
    expect(r.outcome).toBe('partial');
    expect(r.accepted).toEqual(['b@example.org']);
    expect(r.recipients[1]).toMatchObject({ status: 'rejected', permanent: true });
    expect(received.at(-1)).toMatchObject({ from: 'a@example.com', to: ['b@example.org'], data: 'Subject: t\r\n\r\nhello\r\n.dot\r\n' });
    expect(lines[0]).toMatch(/^S: 220/);
    expect(lines).toContain('C: QUIT');
  });

  it('connect sends many messages over one connection, streamed from a Node stream and a web ReadableStream', async () => {
    const client = await connect({ host: '127.0.0.1', port, security: 'off' });
    const before = received.length;
    const big = 'x'.repeat(70) + '\r\n';
    const r1 = await client.send({ from: 'a@x.test', to: ['c@y.test'], body: Readable.from([big.repeat(1000), big.repeat(1000)]) });
    const web = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(new TextEncoder().encode('line1\n')); c.enqueue(new TextEncoder().encode('line2')); c.close(); } });
    const r2 = await client.send({ from: 'a@x.test', to: ['d@y.test'], body: web });
    const r3 = await client.send({ from: 'a@x.test', to: ['e@y.test'], body: new TextEncoder().encode('bytes') });
    await client.quit();
    expect([r1.outcome, r2.outcome, r3.outcome]).toEqual(['delivered', 'delivered', 'delivered']);
    expect(received.slice(before).map((g) => g.data.length)).toEqual([big.length * 2000, 14, 7]);
    expect(received[before + 1]!.data).toBe('line1\r\nline2\r\n');
    expect(client.closed).toBe(true);
  });

  it('sends in flight on one connection (pipelined across messages): each result is its own, refusals at the dot and at MAIL included', async () => {
    const client = await connect({ host: '127.0.0.1', port, security: 'off' });
    expect(client.capabilities.has('PIPELINING')).toBe(true);
    const before = received.length;
    const kinds = ['ok', 'ok', 'REFUSE-5', 'ok', 'REFUSE-4', 'refused', 'ok', 'REFUSE-5', 'ok', 'ok'];
    const results = await Promise.all(
      kinds.map((k, i) =>
        client.send({ from: k === 'refused' ? 'refused@x.test' : `s${i}@x.test`, to: [`r${i}@y.test`], body: `Subject: ${i}\r\n\r\n${k} ${i}\r\n` }),
      ),
    );
    await client.quit();
    const want = { ok: ['delivered', 250], 'REFUSE-5': ['failed', 554], 'REFUSE-4': ['deferred', 451], refused: ['failed', 553] } as const;
    expect(results.map((r) => [r.outcome, r.reply?.code])).toEqual(kinds.map((k) => want[k as keyof typeof want]));
    expect(received.slice(before).map((g) => [g.from, g.to, g.data])).toEqual(
      kinds.flatMap((k, i) => (k === 'ok' ? [[`s${i}@x.test`, [`r${i}@y.test`], `Subject: ${i}\r\n\r\nok ${i}\r\n`]] : [])),
    );
  });

  it('rejects connect with a typed error when required STARTTLS is missing (TLS-8)', async () => {
    await expect(connect({ host: '127.0.0.1', port, security: 'required' })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_REQUIRED' });
  });

});
