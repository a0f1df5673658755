// connect()'s `signal`: the attempt ends when it aborts, whatever it waits for.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { connect } from './index.js';
import { ScriptedServer, listenScripted } from '../../test/scripted-server.js';
import type { ScriptedListener } from '../../test/scripted-server.js';

const servers: Server[] = [];
const listeners: ScriptedListener[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  await Promise.all(listeners.splice(0).map((l) => l.close()));
});

/** A server that accepts and never greets; `sockets` records each connection and whether it closed. */
async function silent(): Promise<{ port: number; sockets: { socket: Socket; closed: Promise<void> }[] }> {
  const sockets: { socket: Socket; closed: Promise<void> }[] = [];
  const server = createServer((socket) => {
    sockets.push({ socket, closed: new Promise((r) => socket.once('close', () => r())) });
    socket.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, sockets };
}

/** A scripted server that greets and answers every command (closed after the tests). */
async function polite(): Promise<number> {
  const listener = await listenScripted(() => new ScriptedServer());
  listeners.push(listener);
  return listener.port;
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('connect({ signal })', () => {
  it('an aborted signal rejects at once with ERR_SMTP_CLIENT_CLOSED and opens nothing', async () => {
    const s = await silent();
    const reason = new Error('not needed');
    const c = new AbortController();
    c.abort(reason);
    await expect(connect({ host: '127.0.0.1', port: s.port, security: 'off', signal: c.signal })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_CLOSED', kind: 'local', cause: reason });
    await new Promise((r) => setTimeout(r, 50));
    expect(s.sockets).toHaveLength(0);
  });

  it('aborting while the server has not greeted ends the attempt: the rejection names the reason, the socket closes', async () => {
    const s = await silent();
    const c = new AbortController();
    const attempt = connect({ host: '127.0.0.1', port: s.port, security: 'off', connectTimeout: 30_000, signal: c.signal });
    await until(() => s.sockets.length === 1);
    c.abort('give up');
    await expect(attempt).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_CLOSED', cause: 'give up' });
    await s.sockets[0]!.closed;
  }, 5_000);

  it('aborting while the connection factory has not given its stream: the stream it gives later is destroyed', async () => {
    let give: ((d: PassThrough) => void) | undefined;
    const c = new AbortController();
    const attempt = connect({ host: 'mx.test', security: 'off', connection: () => new Promise<PassThrough>((r) => (give = r)), signal: c.signal });
    await until(() => give !== undefined);
    c.abort();
    await expect(attempt).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_CLOSED' });
    const late = new PassThrough();
    give!(late);
    await until(() => late.destroyed);
    expect(late.destroyed).toBe(true);
  }, 5_000);

  it('has no effect once connect() resolved', async () => {
    const port = await polite();
    const c = new AbortController();
    const client = await connect({ host: '127.0.0.1', port, security: 'off', signal: c.signal });
    c.abort();
    expect(client.closed).toBe(false);
    await client.quit();
  });

  it('refuses a signal that is no AbortSignal', async () => {
    await expect(connect({ host: '127.0.0.1', security: 'off', signal: {} as AbortSignal })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_OPTION' });
  });
});
