import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { freePort, talk } from './net.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A loopback server that runs `onSocket` for each connection. */
async function server(onSocket: (s: Socket) => void): Promise<number> {
  const srv = createServer(onSocket);
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return (srv.address() as AddressInfo).port;
}

describe('talk', () => {
  it('collects what the server sends and waits for a pattern or a test of the text', async () => {
    const port = await server((s) => {
      s.write('220 hi\r\n');
      s.on('data', (d: Buffer) => (d.toString('latin1').startsWith('QUIT') ? s.end('221 bye\r\n') : s.write('250-a\r\n250 b\r\n')));
    });
    const c = talk(port);
    await c.until(/^220 /m);
    c.socket.write('EHLO me\r\n');
    await c.until((heard) => (heard.match(/^\d{3} /gm) ?? []).length === 2);
    expect(c.heard()).toBe('220 hi\r\n250-a\r\n250 b\r\n');
    c.socket.write('QUIT\r\n');
    await c.until(/^221 /m);
    await c.closed;
    expect(c.heard()).toMatch(/221 bye\r\n$/);
  });

  it('keeps every waiter: two waits in flight both settle', async () => {
    let accepted: (s: Socket) => void = () => undefined;
    const peer = new Promise<Socket>((r) => (accepted = r));
    const port = await server((s) => accepted(s));
    const c = talk(port);
    const first = c.until(/one/);
    const second = c.until(/two/);
    (await peer).write('one two');
    await expect(Promise.all([first, second])).resolves.toEqual([undefined, undefined]);
    c.socket.destroy();
  });

  it('rejects when the connection closes before the text comes, and when the time is up', async () => {
    const closing = await server((s) => s.end('220 hi\r\n'));
    const c = talk(closing);
    await expect(c.until(/^250 /m)).rejects.toThrow(/closed before \/\^250 \/m; heard:\n220 hi/);
    const silent = await server(() => undefined);
    const d = talk(silent, { timeoutMs: 50 });
    await expect(d.until(/^220 /m)).rejects.toThrow(/never heard \/\^220 \/m within 50 ms/);
    d.socket.destroy();
    await d.closed;
  });
});

describe('freePort', () => {
  it('never hands out the same port twice in one process, though the OS may offer it again', async () => {
    const ports = [];
    for (let i = 0; i < 500; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });
});
