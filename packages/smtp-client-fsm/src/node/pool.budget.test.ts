// The pool and what is left of a message's messageTimeout: a connection that has shown how long its
// transactions take is not handed a message with less time left than that (it would be cut off in
// the middle of its MAIL and lost to the pool for nothing).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createPool } from './index.js';
import { ScriptedServer, serveScripted } from '../../test/scripted-server.js';
import type { Script } from '../../test/scripted-server.js';

/** Every reply of the server comes this many ms after the command it answers: the link's round trip. */
const DELAY = 200;

let server: Server;
let port = 0;
let script: Script = {};
const sessions: ScriptedServer[] = [];
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    const s = new ScriptedServer(script);
    sessions.push(s);
    // replies in order, each DELAY ms late
    serveScripted(sock, s, DELAY);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  sessions.length = 0;
  script = {};
});

const msg = (i: number) => ({ from: 'a@x.test', to: [`r${i}@y.test`], body: `Subject: ${i}\r\n\r\nbody ${i}\r\n` });
const mails = (): number[] => sessions.map((s) => s.commands.filter((c) => c.startsWith('MAIL')).length);

describe('createPool: a message with less of its messageTimeout left than a transaction takes on the connection', () => {
  it.each<[string, string[]]>([
    ['with PIPELINING (two round trips a transaction)', ['PIPELINING', '8BITMIME']],
    ['without PIPELINING (a round trip per command)', ['8BITMIME']],
  ])('%s: fails at once with ERR_SMTP_CLIENT_TIMEOUT, no MAIL sent, and the connection takes the next message', async (_name, ehlo) => {
    script = { ehlo };
    // The rate limit holds the second message until only about one round trip of its
    // messageTimeout is left: a transaction on this link takes at least two (PIPELINING), four without.
    const TIMEOUT = 2000;
    let takes = 0;
    const rateLimit = { messages: 1, interval: 1, take: () => new Promise<void>((r) => setTimeout(r, ++takes === 2 ? TIMEOUT - DELAY : 0)) };
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1, messageTimeout: TIMEOUT, rateLimit });
    try {
      // the first message on the fresh connection: nothing measured yet, sent as before
      expect(await pool.send(msg(1))).toMatchObject({ outcome: 'delivered', accepted: ['r1@y.test'] });
      const second = await pool.send(msg(2)).then(
        (r) => ({ result: r }),
        (e: unknown) => ({ error: e }),
      );
      // it was: sent with its last ~200 ms, cut off in the middle of the transaction (deferred,
      // ERR_SMTP_CLIENT_TIMEOUT) and the connection with it
      expect(second).toMatchObject({ error: { code: 'ERR_SMTP_CLIENT_TIMEOUT', message: expect.stringMatching(/messageTimeout/) } });
      // the connection is still there for the next message, with the whole of its messageTimeout
      expect(await pool.send(msg(3))).toMatchObject({ outcome: 'delivered', accepted: ['r3@y.test'] });
    } finally {
      await pool.close();
    }
    expect(sessions).toHaveLength(1);
    expect(mails()).toEqual([2]);
    expect(sessions[0]!.messages.map((m) => m.to)).toEqual([['r1@y.test'], ['r3@y.test']]);
  }, 15_000);
});
