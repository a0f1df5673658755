// Bring your own transport: `connection` returns a Duplex used instead of a TCP connection.
import { describe, expect, it } from 'vitest';
import { Duplex } from 'node:stream';
import { connect, createPool, deliver, sendMail } from '../src/node/index.js';
import { ScriptedServer } from './scripted-server.js';
import type { Script } from './scripted-server.js';

/**
 * An in-memory stream whose other end is a scripted server. It hands over the server's answer
 * before it calls back the write that answer is for: at once, or (`later`) in a later turn of the
 * event loop.
 */
function scriptedStream(script: Script, later = false): { stream: Duplex; server: ScriptedServer } {
  const server = new ScriptedServer(script);
  const stream: Duplex = new Duplex({
    read() {
      // replies are pushed as the server produces them
    },
    write(chunk: Buffer, _enc, cb) {
      const serve = (): void => {
        server.push(new Uint8Array(chunk));
        const out = server.output();
        if (out) stream.push(out);
        if (server.eof) stream.push(null);
        cb();
      };
      if (later) setImmediate(serve);
      else serve();
    },
  });
  queueMicrotask(() => stream.push(server.output()));
  return { stream, server };
}

describe('connection factory', () => {
  it('sends over the caller\'s stream; no TCP connection to host is made', async () => {
    const { stream, server } = scriptedStream({});
    let calls = 0;
    const r = await sendMail({
      host: 'mx.never.invalid', port: 25, security: 'off',
      connection: () => {
        calls++;
        return stream;
      },
      from: 'a@x.test', to: ['b@y.test'], body: 'Subject: t\r\n\r\nover a tunnel\r\n',
    });
    expect(calls).toBe(1);
    expect(r.outcome).toBe('delivered');
    expect(new TextDecoder().decode(server.messages[0]!.content)).toBe('Subject: t\r\n\r\nover a tunnel\r\n');
    expect(server.commands.at(-1)).toBe('QUIT');
  });

  it('a stream that hands over each answer before it calls back the write it answers, in a later turn: the reply to the dot is still the final reply (delivered)', async () => {
    const { stream, server } = scriptedStream({}, true);
    const r = await sendMail({ host: 'mx.test', security: 'off', connection: () => stream, from: 'a@x.test', to: ['b@y.test'], body: 'Subject: t\r\n\r\n' + 'line\r\n'.repeat(30_000) });
    expect(r.outcome).toBe('delivered');
    expect(server.messages[0]!.content.length).toBe(14 + 6 * 30_000);
  });

  it('an async factory that fails rejects connect with a typed error; a non-function is an invalid option', async () => {
    await expect(connect({ host: 'mx.test', security: 'off', connection: () => Promise.reject(new Error('proxy refused')) })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_CONNECTION_LOST', message: expect.stringContaining('proxy refused') });
    await expect(connect({ host: 'mx.test', connection: 42 as never })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_OPTION', message: expect.stringMatching(/^connection/) });
  });

  it('a factory that gives no stream (undefined, null, 42, {}) rejects with ERR_SMTP_CLIENT_INVALID_OPTION naming connection; no crash, no timer left', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const invalid = { code: 'ERR_SMTP_CLIENT_INVALID_OPTION', kind: 'local', message: expect.stringMatching(/^connection: /) };
    const msg = { from: 'a@x.test', to: ['b@y.test'], body: 'hi\r\n' };
    for (const value of [undefined, null, 42, {}]) {
      const connection = (() => Promise.resolve(value)) as never;
      await expect(connect({ host: 'mx.test', security: 'off', connectTimeout: 60_000, connection })).rejects.toMatchObject(invalid);
      await expect(connect({ host: 'mx.test', security: 'implicit', connectTimeout: 60_000, connection: (() => value) as never })).rejects.toMatchObject(invalid);
      await expect(sendMail({ host: 'mx.test', security: 'off', connectTimeout: 60_000, connection, ...msg })).rejects.toMatchObject(invalid);
      await expect(deliver({ security: 'off', connectTimeout: 60_000, connection, resolver: { resolveMx: () => Promise.resolve([{ exchange: '127.0.0.1', priority: 10 }]), resolve4: () => Promise.resolve([]), resolve6: () => Promise.resolve([]) }, ...msg })).rejects.toMatchObject(invalid);
      const pool = createPool({ host: 'mx.test', security: 'off', connectTimeout: 60_000, connection });
      await expect(pool.send(msg)).rejects.toMatchObject(invalid);
      await pool.close();
    }
    expect(timers()).toBe(before);
    // one that arrives after connectTimeout: the timeout, and nothing thrown later
    await expect(connect({ host: 'mx.test', security: 'off', connectTimeout: 20, connection: (() => new Promise((r) => setTimeout(r, 60, 42))) as never })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TIMEOUT' });
    await new Promise((r) => setTimeout(r, 80));
    // a factory that throws stays the typed connection failure it was
    await expect(connect({ host: 'mx.test', security: 'off', connection: () => { throw new Error('no route'); } })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_CONNECTION_LOST', message: expect.stringContaining('no route') });
  });

  it('a stream that arrives after connectTimeout is destroyed, never used', async () => {
    const { stream, server } = scriptedStream({});
    let late: Promise<void> | undefined;
    const p = connect({
      host: 'mx.test', security: 'off', connectTimeout: 50,
      connection: () => (late = new Promise((r) => setTimeout(r, 200))).then(() => stream),
    });
    await expect(p).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TIMEOUT' });
    await late;
    await new Promise((r) => setTimeout(r, 50));
    expect(stream.destroyed).toBe(true);
    expect(server.commands).toEqual([]); // no EHLO was ever sent over it
  });

  it('a stream that never answers is bounded by connectTimeout', async () => {
    const silent = new Duplex({ read() {}, write(_c, _e, cb) { cb(); } });
    await expect(connect({ host: 'mx.test', security: 'off', connectTimeout: 100, connection: () => silent })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TIMEOUT' });
    expect(silent.destroyed).toBe(true);
  });
});
