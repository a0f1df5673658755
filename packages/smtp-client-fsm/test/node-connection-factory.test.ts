// Bring your own transport: `connection` returns a Duplex used instead of a TCP connection.
import { describe, expect, it } from 'vitest';
import { Duplex } from 'node:stream';
import { connect, sendMail } from '../src/node/index.js';
import { ScriptedServer } from './scripted-server.js';
import type { Script } from './scripted-server.js';

/** An in-memory stream whose other end is a scripted server. */
function scriptedStream(script: Script): { stream: Duplex; server: ScriptedServer } {
  const server = new ScriptedServer(script);
  const stream: Duplex = new Duplex({
    read() {
      // replies are pushed as the server produces them
    },
    write(chunk: Buffer, _enc, cb) {
      server.push(new Uint8Array(chunk));
      const out = server.output();
      if (out) stream.push(out);
      if (server.eof) stream.push(null);
      cb();
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

  it('an async factory that fails rejects connect with a typed error; a non-function is an invalid option', async () => {
    await expect(connect({ host: 'mx.test', security: 'off', connection: () => Promise.reject(new Error('proxy refused')) })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_CONNECTION_LOST', message: expect.stringContaining('proxy refused') });
    await expect(connect({ host: 'mx.test', connection: 42 as never })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_OPTION', message: expect.stringMatching(/^connection/) });
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
