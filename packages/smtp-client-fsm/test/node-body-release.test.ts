// A streamed body the client stops reading, or never reads, is released: a web ReadableStream is
// cancelled and a Node stream destroyed, so what feeds it (a fetch() body, a file) is freed.
// Real loopback servers (node:net).
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { Readable } from 'node:stream';
import { pollUntil } from '@smtpkit/testkit';
import { connect, createPool } from 'smtp-client-fsm/node';

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** A server that takes the envelope, answers DATA with 354, and drops the connection after `cut` body bytes. */
async function dropsMidBody(cut: number): Promise<number> {
  const srv = net.createServer((s) => {
    s.on('error', () => undefined);
    s.write('220 mx.test ESMTP\r\n');
    let text = '';
    let body = -1;
    s.on('data', (d: Buffer) => {
      if (body >= 0) {
        body += d.length;
        if (body >= cut) s.destroy();
        return;
      }
      text += d.toString('latin1');
      let nl: number;
      while ((nl = text.indexOf('\r\n')) >= 0) {
        const line = text.slice(0, nl).toUpperCase();
        text = text.slice(nl + 2);
        if (line.startsWith('EHLO')) s.write('250-mx.test\r\n250 PIPELINING\r\n');
        else if (line === 'DATA') {
          s.write('354 go on\r\n');
          body = text.length;
          text = '';
          return;
        } else if (line === 'QUIT') s.end('221 bye\r\n');
        else s.write('250 ok\r\n');
      }
    });
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return (srv.address() as net.AddressInfo).port;
}

/** A web stream that produces 16 KiB chunks for as long as it is read, and records its cancel. */
function endless(): { stream: ReadableStream<Uint8Array>; cancelled: () => boolean; pulls: () => number } {
  let cancelled = false;
  let pulls = 0;
  const chunk = new TextEncoder().encode(`${'x'.repeat(78)}\r\n`.repeat(200));
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      pulls++;
      c.enqueue(chunk);
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, cancelled: () => cancelled, pulls: () => pulls };
}

describe('streamed bodies are released', () => {
  it('a web ReadableStream read in part when the connection drops is cancelled (a Node stream is destroyed)', async () => {
    const port = await dropsMidBody(64 * 1024);
    const web = endless();
    const client = await connect({ host: '127.0.0.1', port, security: 'off' });
    const r = await client.send({ from: 'a@x.test', to: ['b@y.test'], body: web.stream });
    expect(r.outcome).toBe('deferred');
    expect(web.pulls()).toBeGreaterThan(1);
    expect(await pollUntil(web.cancelled, 200)).toBe(true);

    const node = Readable.from((function* () {
      for (;;) yield `${'y'.repeat(78)}\r\n`.repeat(200);
    })());
    const client2 = await connect({ host: '127.0.0.1', port, security: 'off' });
    const r2 = await client2.send({ from: 'a@x.test', to: ['b@y.test'], body: node });
    expect(r2.outcome).toBe('deferred');
    expect(await pollUntil(() => node.destroyed, 200)).toBe(true);
  });

  it('a stream body of a message refused as given (not an address, CR LF in from) is released, by a connection and by a pool', async () => {
    const port = await dropsMidBody(Infinity);
    const client = await connect({ host: '127.0.0.1', port, security: 'off' });
    const a = Readable.from(['hello\r\n']);
    await expect(client.send({ from: 'a@x.test', to: ['not an address'], body: a })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_ADDRESS' });
    expect(a.destroyed).toBe(true);
    const web = endless();
    await expect(client.send({ from: 'a@x.test\r\nRCPT TO:<c@y.test>', to: ['b@y.test'], body: web.stream })).rejects.toHaveProperty('code');
    expect(await pollUntil(web.cancelled, 200)).toBe(true);
    expect(web.pulls()).toBe(0);
    await client.quit();

    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
    const b = Readable.from(['hello\r\n']);
    await expect(pool.send({ from: 'a@x.test', to: ['not an address'], body: b })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_ADDRESS' });
    expect(b.destroyed).toBe(true);
    await pool.close();
  });
});
