// A streamed body whose first BDAT chunk the server refuses (552 5.3.4, or 451 4.3.0): the message
// fails with that reply, the source is released at once without being read further, and the session
// goes on as RFC 3030 §3 wants: RSET before the next transaction on the same connection, else QUIT
// and its 221. Before, a source released while its next chunk was awaited (deliver() releases each
// source it opened once the result is known) threw "released before its end" into the connection,
// which then ended without its QUIT exchange; and a source awaited when its message settled was
// never released by send() or the pool. Real loopback scripted servers (node:net).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { pollUntil } from '@smtpkit/testkit';
import { connect, createPool, deliver } from '../src/node/index.js';
import type { BodySource, SendResult } from '../src/node/index.js';
import type { ClientConnection } from '../src/index.js';
import { exchangerResolver } from './fake-resolver.js';
import { ScriptedServer, listenScripted } from './scripted-server.js';
import type { ScriptedListener } from './scripted-server.js';

/** Each source gives three chunks of this size (one BDAT chunk together), then waits for ever. */
const PIECE = 32_000;
const piece = new TextEncoder().encode(`${'x'.repeat(78)}\r\n`.repeat(PIECE / 80));

let refusal = '';
let servers: ScriptedServer[] = [];
let listener: ScriptedListener;
beforeAll(async () => {
  listener = await listenScripted(() => {
    const s = new ScriptedServer({ ehlo: ['PIPELINING', 'CHUNKING'], bdatChunk: (n) => (n === 1 ? refusal : '250 2.0.0 chunk ok') });
    servers.push(s);
    return s;
  });
});
afterAll(() => listener.close());
afterEach(() => {
  servers = [];
});

/** A streamed body that gives three chunks, then a read that only its release ends. */
interface Source {
  readonly body: BodySource;
  /** Reads asked of the source (the fourth is the one left waiting). */
  reads(): number;
  /** The source was released (iterator returned, stream destroyed or cancelled). */
  released(): boolean;
}

const sources: Record<string, () => Source> = {
  'an async iterable': () => {
    let reads = 0;
    let released = false;
    let wake: ((r: IteratorResult<Uint8Array>) => void) | undefined;
    const iterator: AsyncIterator<Uint8Array> = {
      next: () => (++reads <= 3 ? Promise.resolve({ done: false, value: piece }) : new Promise((r) => (wake = r))),
      return: () => {
        released = true;
        wake?.({ done: true, value: undefined });
        return Promise.resolve({ done: true, value: undefined });
      },
    };
    return { body: { [Symbol.asyncIterator]: () => iterator }, reads: () => reads, released: () => released };
  },
  'a Node Readable': () => {
    let reads = 0;
    const body = new Readable({
      highWaterMark: 1,
      read() {
        if (++reads <= 3) this.push(piece);
      },
    });
    return { body, reads: () => reads, released: () => body.destroyed };
  },
  'a web ReadableStream': () => {
    let reads = 0;
    let released = false;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(c): Promise<void> | undefined {
          if (++reads > 3) return new Promise<void>(() => undefined);
          c.enqueue(piece);
          return undefined;
        },
        cancel() {
          released = true;
        },
      },
      { highWaterMark: 0 },
    );
    return { body, reads: () => reads, released: () => released };
  },
};

/** Records how each session of a client ended (`closed` events: `quit` once the 221 was read). */
function watched(): { readonly setup: (c: ClientConnection) => void; readonly closes: string[] } {
  const closes: string[] = [];
  const setup = (c: ClientConnection): void => {
    const next = c.nextEvent.bind(c);
    c.nextEvent = () => {
      const e = next();
      if (e.type === 'closed') closes.push(e.reason);
      if (e.type === 'error') closes.push(`error ${e.code}`);
      return e;
    };
  };
  return { setup, closes };
}

const ENVELOPE = ['EHLO localhost', 'MAIL FROM:<a@x.test>', 'RCPT TO:<b@y.test>', `BDAT ${3 * PIECE}`];
const NEXT = ['RSET', 'MAIL FROM:<a@x.test>', 'RCPT TO:<c@y.test>', 'BDAT 20 LAST'];
const second = { from: 'a@x.test', to: ['c@y.test'], body: 'Subject: 2\r\n\r\nnext\r\n' };

const refusals = [
  { reply: '552 5.3.4 Message too big', code: 552, permanent: true, status: 'rejected', outcome: 'failed' },
  { reply: '451 4.3.0 Try again later', code: 451, permanent: false, status: 'deferred', outcome: 'deferred' },
] as const;

/** The refused message's result, as the server's reply made it. */
function expectRefused(r: Pick<SendResult, 'outcome' | 'recipients' | 'errorCode'>, refused: (typeof refusals)[number]): void {
  expect(r.outcome).toBe(refused.outcome);
  expect(r.errorCode).toBeUndefined();
  expect(r.recipients).toHaveLength(1);
  expect(r.recipients[0]).toMatchObject({ address: 'b@y.test', status: refused.status, permanent: refused.permanent, transient: !refused.permanent, stage: 8 });
  expect(r.recipients[0]!.reply).toMatchObject({ code: refused.code, text: refused.reply.slice(10) });
}

describe.each(refusals)('a streamed body whose first BDAT chunk gets $reply', (refused) => {
  describe.each(Object.keys(sources))('from %s', (kind) => {
    it('send(): the reply is the result, the source is released unread further, RSET carries the next message, QUIT reads 221', async () => {
      refusal = refused.reply;
      const src = sources[kind]!();
      const w = watched();
      const client = await connect({ host: '127.0.0.1', port: listener.port, security: 'off', chunking: true, setup: w.setup });
      const r = await client.send({ from: 'a@x.test', to: ['b@y.test'], body: src.body });
      expectRefused(r, refused);
      expect(r.transient).toBe(!refused.permanent);
      expect(r.reply?.code).toBe(refused.code);
      expect(await pollUntil(src.released)).toBe(true);
      expect(src.reads()).toBeLessThanOrEqual(4);
      expect(client.closing).toBe(false);
      const next = await client.send(second);
      expect(next.outcome).toBe('delivered');
      await client.quit();
      expect(servers).toHaveLength(1);
      expect(servers[0]!.commands).toEqual([...ENVELOPE, ...NEXT, 'QUIT']);
      expect(servers[0]!.messages.map((m) => m.to)).toEqual([['c@y.test']]);
      expect(w.closes).toEqual(['quit']);
    });

    it('deliver() with a body factory: the reply is the domain result (no body-source failure), the source released, QUIT reads 221', async () => {
      refusal = refused.reply;
      const opened: Source[] = [];
      const w = watched();
      const r = await deliver({
        resolver: exchangerResolver({ 'y.test': ['127.0.0.1'] }),
        port: listener.port,
        security: 'off',
        chunking: true,
        setup: w.setup,
        from: 'a@x.test',
        to: ['b@y.test'],
        body: () => {
          const s = sources[kind]!();
          opened.push(s);
          return s.body;
        },
      });
      expectRefused(r, refused);
      expect(r.domains).toHaveLength(1);
      expect(r.domains[0]!.attempts).toEqual([{ exchange: 'mx1.y.test', address: '127.0.0.1' }]);
      expectRefused(r.domains[0]!.result!, refused);
      expect(opened).toHaveLength(1);
      expect(await pollUntil(opened[0]!.released)).toBe(true);
      expect(opened[0]!.reads()).toBeLessThanOrEqual(4);
      expect(servers).toHaveLength(1);
      // deliver() says QUIT in the background: its session ends after the result
      expect(await pollUntil(() => w.closes.length > 0)).toBe(true);
      expect(servers[0]!.commands).toEqual([...ENVELOPE, 'QUIT']);
      expect(servers[0]!.messages).toEqual([]);
      expect(w.closes).toEqual(['quit']);
    });

    it('the pool: the reply is the result, the source released, the same connection carries the next message after RSET', async () => {
      refusal = refused.reply;
      const src = sources[kind]!();
      const w = watched();
      const pool = createPool({ host: '127.0.0.1', port: listener.port, security: 'off', chunking: true, maxConnections: 1, setup: w.setup });
      const r = await pool.send({ from: 'a@x.test', to: ['b@y.test'], body: src.body });
      expectRefused(r, refused);
      expect(await pollUntil(src.released)).toBe(true);
      expect(src.reads()).toBeLessThanOrEqual(4);
      const next = await pool.send(second);
      expect(next.outcome).toBe('delivered');
      await pool.close();
      expect(servers).toHaveLength(1);
      expect(servers[0]!.commands).toEqual([...ENVELOPE, ...NEXT, 'QUIT']);
      expect(servers[0]!.messages.map((m) => m.to)).toEqual([['c@y.test']]);
      expect(w.closes).toEqual(['quit']);
    });
  });
});
