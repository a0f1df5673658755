// The connection pool over loopback: limits, reuse, reconnect after 421 or a drop, idle close,
// backpressure, and each send() resolving its own result.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { Duplex, Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { connect, createPool, isStaleConnectionResult } from './index.js';
import { ScriptedServer, listenScripted } from '../../test/scripted-server.js';
import type { ScriptedListener } from '../../test/scripted-server.js';
import type { Script } from '../../test/scripted-server.js';
import type { BodySource, SendResult } from './index.js';

let script: Script = {};
let listener: ScriptedListener;
let port = 0;
let open = 0;
let maxOpen = 0;
let opened = 0;
const sessions: ScriptedServer[] = [];
/** The server's side of each connection, in order. */
const sockets: net.Socket[] = [];
/** Per connection number (1-based), a script override. */
let perConnection: (n: number) => Script | undefined = () => undefined;

beforeAll(async () => {
  listener = await listenScripted((sock) => {
    open++;
    opened++;
    maxOpen = Math.max(maxOpen, open);
    sock.on('close', () => open--);
    sockets.push(sock);
    const s = new ScriptedServer(perConnection(opened) ?? script);
    sessions.push(s);
    return s;
  });
  port = listener.port;
});
afterAll(() => listener.close());
beforeEach(() => {
  script = {};
  perConnection = () => undefined;
  opened = 0;
  maxOpen = 0;
  sessions.length = 0;
  sockets.length = 0;
});

const msg = (i: number) => ({ from: 'a@x.test', to: [`r${i}@y.test`], body: `Subject: ${i}\r\n\r\nbody ${i}\r\n` });
/** A body in several chunks (a line starting with a dot among them), for the stream sources. */
const STREAMED = ['Subject: streamed\r\n', '\r\n', 'line 1\r\n', '.a dot first\r\n', 'last line\r\n'];
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('createPool', () => {
  it('sends many messages over at most maxConnections connections; each send resolves its own result', async () => {
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 3 });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.send(msg(i))));
    await pool.close();
    expect(results.map((r) => r.accepted)).toEqual(Array.from({ length: 20 }, (_, i) => [`r${i}@y.test`]));
    expect(results.every((r) => r.outcome === 'delivered')).toBe(true);
    expect(maxOpen).toBeLessThanOrEqual(3);
    expect(sessions.reduce((n, s) => n + s.messages.length, 0)).toBe(20);
    expect(sessions.every((s) => s.commands.at(-1) === 'QUIT')).toBe(true);
  });

  it('LIMITS MAILMAX: a connection takes no more transactions than the server allows; a message turned away by it goes on a new connection', async () => {
    script = { ehlo: ['PIPELINING', 'LIMITS MAILMAX=1'] };
    let pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await pool.send(msg(i)));
    await pool.close();
    // it was: delivered, then deferred (ERR_SMTP_CLIENT_MAILMAX_REACHED), then a rejected send() (ERR_SMTP_CLIENT_CLOSED)
    expect(results.map((r) => r.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(sessions.map((s) => s.messages.length)).toEqual([1, 1, 1]);
    // a message of two transactions (RCPTMAX=1) spends MAILMAX=2 on its own: the next one goes on a fresh connection
    sessions.length = 0;
    script = { ehlo: ['PIPELINING', 'LIMITS RCPTMAX=1 MAILMAX=2'] };
    pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
    const two = await pool.send({ ...msg(1), to: ['r1@y.test', 'r2@y.test'] });
    const next = await pool.send(msg(3));
    await pool.close();
    expect([two.outcome, two.transactions, next.outcome]).toEqual(['delivered', 2, 'delivered']);
    expect(sessions.map((s) => s.messages.length)).toEqual([2, 1]);
  });

  it('LIMITS MAILMAX: a queued message goes to a waiting connection below the limit in transactions, not to one a message of several transactions spent', async () => {
    // RCPTMAX=1 MAILMAX=2: m1 (two recipients) takes two transactions on its connection, which has
    // sent one message but can begin no more transactions; m2's connection has begun one
    script = { ehlo: ['PIPELINING', 'LIMITS RCPTMAX=1 MAILMAX=2'] };
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 2 });
    // m2's body comes when the test says: m1's connection waits for a message first, m2's after it
    const body = new Readable({ read() {} });
    const first = pool.send({ ...msg(1), to: ['r1@y.test', 'r1b@y.test'] });
    const second = pool.send({ ...msg(2), body });
    expect((await first).transactions).toBe(2);
    body.push('Subject: 2\r\n\r\nbody 2\r\n');
    body.push(null);
    expect((await second).outcome).toBe('delivered');
    const third = await pool.send(msg(3));
    await pool.close();
    expect(third).toMatchObject({ outcome: 'delivered', accepted: ['r3@y.test'], transactions: 1 });
    // it was: m3 handed to the spent connection's worker, which opened a third connection for it
    expect(opened).toBe(2);
    const to = sessions.map((x) => x.messages.map((m) => m.to.join()));
    expect(to).toContainEqual(['r1@y.test', 'r1b@y.test']);
    expect(to).toContainEqual(['r2@y.test', 'r3@y.test']);
  });

  describe('a message LIMITS MAILMAX turned away untried goes on a fresh connection only with a body that can be read again', () => {
    // RCPTMAX=1: the first message takes two transactions, MAILMAX=2, so the second meets the limit
    const twoTransactions = { ...msg(1), to: ['r1@y.test', 'r1b@y.test'] };
    const BYTES = new TextEncoder().encode('Subject: bytes\r\n\r\n.a line starting with a dot\r\n..two dots\r\nlast line\r\n');
    const streams: [string, () => BodySource][] = [
      ['a Node Readable', () => Readable.from(STREAMED)],
      [
        'an async generator',
        () =>
          (async function* () {
            for (const c of STREAMED) yield await Promise.resolve(c);
          })(),
      ],
      ['a web ReadableStream', () => new ReadableStream<Uint8Array>({ start(c) { for (const x of STREAMED) c.enqueue(new TextEncoder().encode(x)); c.close(); } })],
    ];

    it('bytes: sent again, byte for byte', async () => {
      script = { ehlo: ['PIPELINING', 'LIMITS RCPTMAX=1 MAILMAX=2'] };
      const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
      expect((await pool.send(twoTransactions)).transactions).toBe(2);
      const r = await pool.send({ ...msg(2), body: Buffer.from(BYTES) });
      await pool.close();
      expect(r).toMatchObject({ outcome: 'delivered', accepted: ['r2@y.test'] });
      expect(sessions.map((x) => x.messages.length)).toEqual([2, 1]);
      expect(sessions[1]!.messages[0]!.content).toEqual(BYTES);
    });

    it.each(streams)('%s not read yet: sent again, whole (the connection that turned it away neither read nor released it)', async (_name, make) => {
      script = { ehlo: ['PIPELINING', 'LIMITS RCPTMAX=1 MAILMAX=2'] };
      const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
      await pool.send(twoTransactions);
      const r = await pool.send({ ...msg(2), body: make() });
      await pool.close();
      expect(r).toMatchObject({ outcome: 'delivered', accepted: ['r2@y.test'] });
      expect(sessions.map((x) => x.messages.length)).toEqual([2, 1]);
      expect(text(sessions[1]!.messages[0]!.content)).toBe(STREAMED.join(''));
    });

    it('a stream the pool does not send again is released, as the connection would have released it', async () => {
      // MAILMAX=1 and a 503 to every MAIL (retried once by the client, after RSET): each connection
      // turns the message away untried; the second time its result stands
      script = { ehlo: ['LIMITS MAILMAX=1'], mail: '503 5.5.1 Error: nested MAIL command' };
      const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
      const body = Readable.from(STREAMED);
      const r = await pool.send({ ...msg(1), body });
      await pool.close();
      expect(r).toMatchObject({ outcome: 'deferred', errorCode: 'ERR_SMTP_CLIENT_MAILMAX_REACHED' });
      expect(opened).toBe(2);
      expect(body.destroyed).toBe(true);
    });
  });

  it('maxMessages: a connection sends at most that many, then a new one is opened', async () => {
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1, maxMessages: 3 });
    for (let i = 0; i < 7; i++) expect((await pool.send(msg(i))).outcome).toBe('delivered');
    await pool.close();
    expect(sessions.map((s) => s.messages.length)).toEqual([3, 3, 1]);
  });

  it('reconnects after a 421 or a dropped connection; the failed message keeps its own result, never resent', async () => {
    perConnection = (n) => (n === 1 ? { fail421On: 'MAIL' } : n === 2 ? { disconnectOn: 'RCPT' } : undefined);
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
    const r1 = await pool.send(msg(1));
    const r2 = await pool.send(msg(2));
    const r3 = await pool.send(msg(3));
    await pool.close();
    expect(r1).toMatchObject({ outcome: 'deferred', reply: { code: 421 } });
    expect(r2).toMatchObject({ outcome: 'deferred', errorCode: 'ERR_SMTP_CLIENT_CONNECTION_LOST' });
    expect(r3.outcome).toBe('delivered');
    expect(opened).toBe(3);
    expect(sessions.map((s) => s.commands.filter((c) => c.startsWith('MAIL')).length)).toEqual([1, 1, 1]);
  });

  describe('a stale reused connection (the server closed it, or its idle timer beat the next MAIL)', () => {
    const mails = (): number[] => sessions.map((x) => x.commands.filter((c) => c.startsWith('MAIL')).length);

    it.each<[string, Script]>([
      ['421 to the MAIL', { fail421On: 'MAIL', failFromMail: 2 }],
      ['the connection dropped at the MAIL', { disconnectOn: 'MAIL', failFromMail: 2 }],
      ['421 to the RCPT', { fail421On: 'RCPT', failFromMail: 2 }],
      ['the connection dropped at DATA', { disconnectOn: 'DATA', failFromMail: 2 }],
    ])('%s: the message is sent again once, on a fresh connection', async (_name, first) => {
      perConnection = (n) => (n === 1 ? first : undefined);
      const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
      expect((await pool.send(msg(1))).outcome).toBe('delivered');
      const r2 = await pool.send(msg(2));
      await pool.close();
      expect(r2).toMatchObject({ outcome: 'delivered', accepted: ['r2@y.test'] });
      expect(mails()).toEqual([2, 1]);
      expect(sessions.flatMap((x) => x.messages.map((m) => m.to))).toEqual([['r1@y.test'], ['r2@y.test']]);
    });

    it('RSET refused (after a refused end of data, before the next MAIL): the next message is sent again once, on a fresh connection', async () => {
      perConnection = (n) => (n === 1 ? { keepsRefused: true, final: (k) => (k === 1 ? '451 4.7.1 try later' : '250 2.0.0 queued'), rset: '502 5.5.2 no' } : undefined);
      const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
      expect(await pool.send(msg(1))).toMatchObject({ outcome: 'deferred', reply: { code: 451 } });
      const r2 = await pool.send(msg(2));
      await pool.close();
      expect(r2).toMatchObject({ outcome: 'delivered', accepted: ['r2@y.test'] });
      expect(sessions[0]!.commands).toContain('RSET');
      expect(sessions.map((x) => x.messages.length)).toEqual([1, 1]);
    });

    it('RSET refused without PIPELINING (the session then says QUIT): the message is sent again on a fresh connection, and the ones queued behind it go there too', async () => {
      // the refused RSET goes alone before the next MAIL; the connection is closing (QUIT, no 221 yet)
      perConnection = (n) => (n === 1 ? { ehlo: ['8BITMIME'], final: (k) => (k === 1 ? '554 5.7.1 content refused' : '250 2.0.0 queued'), rset: '500 5.5.1 no RSET' } : undefined);
      const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
      const results = await Promise.allSettled([1, 2, 3].map((i) => pool.send(msg(i))));
      await pool.close();
      // it was: failed, deferred (ERR_SMTP_CLIENT_RSET_REFUSED), then a rejected send() (ERR_SMTP_CLIENT_CLOSED)
      expect(results.map((r) => (r.status === 'fulfilled' ? r.value.outcome : (r.reason as { code?: string }).code))).toEqual(['failed', 'delivered', 'delivered']);
      expect(sessions[0]!.commands.slice(-2)).toEqual(['RSET', 'QUIT']);
      expect(sessions.flatMap((x) => x.messages.map((m) => m.to[0]))).toEqual(['r1@y.test', 'r2@y.test', 'r3@y.test']);
      expect(mails()).toEqual([1, 2]);
    });

    it('only once: when the fresh connection fails too, that result is the message\'s', async () => {
      perConnection = (n) => (n === 1 ? { fail421On: 'MAIL', failFromMail: 2 } : { fail421On: 'MAIL' });
      const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
      await pool.send(msg(1));
      const r2 = await pool.send(msg(2));
      await pool.close();
      expect(r2).toMatchObject({ outcome: 'deferred', reply: { code: 421 } });
      expect(mails()).toEqual([2, 1]);
    });

    it('never after the final dot: a message without a reply to its end of data stays unknown', async () => {
      perConnection = (n) => (n === 1 ? { disconnectAfterMessage: 2 } : undefined);
      const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
      await pool.send(msg(1));
      const r2 = await pool.send(msg(2));
      const r3 = await pool.send(msg(3));
      await pool.close();
      expect(r2).toMatchObject({ outcome: 'unknown', unknown: ['r2@y.test'] });
      expect(r3.outcome).toBe('delivered');
      expect(mails()).toEqual([2, 1]);
    });

    it('a stream body not read yet (a 421 to the MAIL) is sent again, whole: nothing of it was read or released', async () => {
      perConnection = (n) => (n === 1 ? { fail421On: 'MAIL', failFromMail: 2 } : undefined);
      const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
      await pool.send(msg(1));
      const r2 = await pool.send({ ...msg(2), body: Readable.from(STREAMED) });
      await pool.close();
      // it was: deferred with the 421 (any stream was taken as read)
      expect(r2).toMatchObject({ outcome: 'delivered', accepted: ['r2@y.test'] });
      expect(mails()).toEqual([2, 1]);
      expect(text(sessions[1]!.messages[0]!.content)).toBe(STREAMED.join(''));
    });

    it('isStaleConnectionResult says false for that stream sent on your own connection: the connection released it unread, it cannot go again', async () => {
      // the same stale result as in the pool above (a 421 to the MAIL of a reused connection)
      perConnection = (n) => (n === 1 ? { fail421On: 'MAIL', failFromMail: 2 } : undefined);
      const client = await connect({ host: '127.0.0.1', port, security: 'off' });
      await client.send(msg(1));
      const body = Readable.from(STREAMED);
      const streamed = { ...msg(2), body };
      const r2 = await client.send(streamed);
      client.close();
      expect(r2).toMatchObject({ outcome: 'deferred', reply: { code: 421 } });
      // the rule without the body holds: as bytes, the message may go again
      expect(isStaleConnectionResult({ ...msg(2), body: new TextEncoder().encode(STREAMED.join('')) }, r2, client)).toBe(true);
      // the stream was never read, and the connection released it when the message settled
      expect(body.destroyed).toBe(true);
      expect(body.readableDidRead).toBe(false);
      expect(isStaleConnectionResult(streamed, r2, client)).toBe(false);
      expect(mails()).toEqual([2]);
    });

    it('never for a stream body already read in part (the connection dropped in the middle of it): it cannot be read again', async () => {
      const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
      await pool.send(msg(1));
      let pulls = 0;
      async function* body(): AsyncGenerator<string> {
        pulls++;
        yield 'Subject: 2\r\n\r\nfirst part\r\n';
        // the server goes away with the first part read: a whole body would be sent again here
        sockets[0]!.destroy();
        await new Promise((r) => setTimeout(r, 50));
        yield 'second part\r\n';
      }
      const r2 = await pool.send({ ...msg(2), body: body() });
      await pool.close();
      expect(r2).toMatchObject({ outcome: 'deferred', errorCode: 'ERR_SMTP_CLIENT_CONNECTION_LOST', deferred: ['r2@y.test'] });
      expect(pulls).toBe(1);
      expect(opened).toBe(1);
      expect(sessions[0]!.messages).toHaveLength(1);
    });

    it('never after a reply to the end of data: a 421 there is the answer to the message', async () => {
      perConnection = (n) => (n === 1 ? { final: (k) => (k === 2 ? '421 4.3.0 mx.test closing, try later' : '250 2.0.0 queued') } : undefined);
      const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
      await pool.send(msg(1));
      const r2 = await pool.send(msg(2));
      await pool.close();
      expect(r2).toMatchObject({ outcome: 'deferred', reply: { code: 421 } });
      expect(mails()).toEqual([2]);
    });

    it('never when a recipient was already refused for itself: only the deferred ones could go again', async () => {
      perConnection = (n) => (n === 1 ? { rcpt: (a) => (a === 'gone@y.test' ? '550 5.1.1 no such user' : '250 2.1.5 ok'), fail421On: 'DATA', failFromMail: 2 } : undefined);
      const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
      await pool.send(msg(1));
      const r2 = await pool.send({ ...msg(2), to: ['gone@y.test', 'r2@y.test'] });
      await pool.close();
      expect(r2).toMatchObject({ outcome: 'failed', rejected: ['gone@y.test'], deferred: ['r2@y.test'] });
      expect(mails()).toEqual([2]);
    });

    it('a recipient refused for itself is never a reason to send again', async () => {
      perConnection = () => ({ rcpt: (a) => (a === 'r2@y.test' ? '550 5.1.1 no such user' : '250 2.1.5 ok') });
      const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
      await pool.send(msg(1));
      const r2 = await pool.send(msg(2));
      await pool.close();
      expect(r2).toMatchObject({ outcome: 'failed', rejected: ['r2@y.test'] });
      expect(mails()).toEqual([2]);
    });
  });

  describe('a server with a connection limit per client (421 at the greeting past it)', () => {
    const TOO_MANY = { greeting: '421 4.7.0 mx.test Error: too many connections from 127.0.0.1' };

    it('the messages wait for the connection the server did take; the pool opens no more while it works', async () => {
      perConnection = (n) => (n === 1 ? undefined : TOO_MANY);
      const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 3 });
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => pool.send(msg(i))));
      await pool.close();
      expect(results.map((r) => r.outcome)).toEqual(Array(10).fill('delivered'));
      expect(sessions[0]!.messages).toHaveLength(10);
      // the first burst tried up to maxConnections; after the refusals, no further attempts
      expect(opened).toBeLessThanOrEqual(3);
    });

    it('later sends stay within the lowered limit; once every connection has closed the pool may open maxConnections again', async () => {
      let refuse = (n: number): boolean => n !== 1;
      perConnection = (n) => (refuse(n) ? TOO_MANY : undefined);
      const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 3, idleTimeout: 30 });
      await Promise.all(Array.from({ length: 4 }, (_, i) => pool.send(msg(i))));
      const afterBurst = opened;
      await Promise.all(Array.from({ length: 6 }, (_, i) => pool.send(msg(10 + i))));
      expect(opened).toBe(afterBurst); // the open connection took them all, no new attempts
      expect(sessions[0]!.messages).toHaveLength(10);
      while (pool.connections > 0) await new Promise((r) => setTimeout(r, 10));
      refuse = () => false;
      const before = sessions.length;
      const results = await Promise.all(Array.from({ length: 9 }, (_, i) => pool.send(msg(20 + i))));
      await pool.close();
      expect(results.every((r) => r.outcome === 'delivered')).toBe(true);
      expect(sessions.slice(before).filter((x) => x.messages.length > 0)).toHaveLength(3);
    });

    it('when no connection at all can be opened, each message is rejected with the typed error', async () => {
      perConnection = () => TOO_MANY;
      const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 3 });
      const results = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => pool.send(msg(i))));
      await pool.close();
      expect(results.map((r) => r.status)).toEqual(Array(4).fill('rejected'));
      for (const r of results) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: expect.stringMatching(/^ERR_SMTP_CLIENT_/) });
      expect(pool.connections).toBe(0);
    });
  });

  describe('a 554 greeting (RFC 5321 §3.1: no service) on a new connection', () => {
    const NO_SERVICE = { greeting: '554 5.7.1 mx.test no service for 127.0.0.1' };
    const outcomes = (results: PromiseSettledResult<{ outcome: string }>[]) => results.map((r) => (r.status === 'fulfilled' ? r.value.outcome : (r.reason as { code?: string; reply?: { code?: number } }).code + ' ' + String((r.reason as { reply?: { code?: number } }).reply?.code)));

    it('while another connection of the pool is open (it took us: some servers say 554 past a per-client connection limit): the messages go on that one', async () => {
      perConnection = (n) => (n === 1 ? undefined : NO_SERVICE);
      const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 3 });
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => pool.send(msg(i))));
      await pool.close();
      expect(outcomes(results)).toEqual(Array(8).fill('delivered'));
      expect(sessions[0]!.messages).toHaveLength(8);
      expect(opened).toBeLessThanOrEqual(3);
    });

    it('on the only connection: every message fails at once with the 554 (ERR_SMTP_CLIENT_GREETING_REJECTED, the reply kept)', async () => {
      perConnection = () => NO_SERVICE;
      const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
      const results = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => pool.send(msg(i))));
      await pool.close();
      expect(outcomes(results)).toEqual(Array(4).fill('ERR_SMTP_CLIENT_GREETING_REJECTED 554'));
      expect(opened).toBe(1);
    });

    it('on every connection opened at once: every message fails with the 554, none waits for a connection that will never be', async () => {
      perConnection = () => NO_SERVICE;
      const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 3 });
      const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => pool.send(msg(i))));
      await pool.close();
      expect(outcomes(results)).toEqual(Array(6).fill('ERR_SMTP_CLIENT_GREETING_REJECTED 554'));
      expect(opened).toBe(3);
      expect([pool.connections, pool.queued]).toEqual([0, 0]);
    });

    it('once the connection that took us is gone (maxMessages reached), the next connection\'s 554 fails the messages left', async () => {
      perConnection = (n) => (n === 1 ? undefined : NO_SERVICE);
      const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 2, maxMessages: 3 });
      const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => pool.send(msg(i))));
      await pool.close();
      expect(outcomes(results)).toEqual([...Array<string>(3).fill('delivered'), ...Array<string>(3).fill('ERR_SMTP_CLIENT_GREETING_REJECTED 554')]);
      expect(sessions[0]!.messages).toHaveLength(3);
      expect([pool.connections, pool.queued]).toEqual([0, 0]);
    });
  });

  describe('a host that accepts TCP but never greets (connections time out while opening)', () => {
    let silent: net.Server;
    let silentPort = 0;
    let accepted = 0;
    const held = new Set<net.Socket>();
    beforeAll(async () => {
      silent = net.createServer((sock) => {
        accepted++;
        held.add(sock);
        sock.on('error', () => undefined);
        sock.on('close', () => held.delete(sock));
      });
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      silentPort = (silent.address() as AddressInfo).port;
    });
    afterAll(async () => {
      for (const s of held) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    });
    beforeEach(() => {
      accepted = 0;
    });

    it('every queued message rejects with the connect error once the connections being opened have all failed, not one connectTimeout each', async () => {
      const pool = createPool({ host: '127.0.0.1', port: silentPort, security: 'off', maxConnections: 3, connectTimeout: 200 });
      const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => pool.send(msg(i))));
      await pool.close();
      expect(results.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : r.status))).toEqual(Array(12).fill('ERR_SMTP_CLIENT_TIMEOUT'));
      // it was: the first burst, then one more connection (one more connectTimeout) per queued message
      expect(accepted).toBe(3);
      expect(pool.connections).toBe(0);
      expect(pool.queued).toBe(0);
    });

    it('messageTimeout is a deadline from send(): a message still waiting for a connection rejects when it passes (ERR_SMTP_CLIENT_TIMEOUT)', async () => {
      // the connections would take 10 minutes to time out
      const pool = createPool({ host: '127.0.0.1', port: silentPort, security: 'off', maxConnections: 2, connectTimeout: 600_000, messageTimeout: 100, maxQueue: 2 });
      const sends = Array.from({ length: 6 }, (_, i) => pool.send(msg(i)));
      expect(pool.queued).toBe(4);
      const ready = pool.ready();
      const settled = Promise.allSettled(sends);
      // bounded: it was still pending when the connections were given up below
      const first = await Promise.race([settled, new Promise<'pending'>((r) => setTimeout(() => r('pending'), 5_000))]);
      for (const s of held) s.destroy();
      const results = first === 'pending' ? await settled : first;
      await pool.close();
      await ready;
      expect(first).not.toBe('pending');
      for (const r of results) expect(r).toMatchObject({ status: 'rejected', reason: { code: 'ERR_SMTP_CLIENT_TIMEOUT', message: expect.stringMatching(/messageTimeout/) } });
      expect(pool.queued).toBe(0);
      expect(pool.full).toBe(false);
    });

    it('a message waiting behind a busy connection rejects at its messageTimeout; one a connection took keeps its own result', async () => {
      // one connection, its first message held up at DATA until the deadline of those queued behind
      // it passes too (they were sent in the same tick). The next connection never answers EHLO, so
      // no connection can take them however the timers of the same deadline fire: a connection
      // opened in the moment between two of them would otherwise take one with a few ms left.
      perConnection = (n) => (n === 1 ? { silentOn: 'DATA' } : { silentOn: 'EHLO' });
      const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1, messageTimeout: 300, connectTimeout: 1000, timeouts: { dataInit: 60_000 } });
      const results = await Promise.allSettled([1, 2, 3].map((i) => pool.send(msg(i))));
      await pool.close();
      expect(results[0]).toMatchObject({ status: 'fulfilled', value: { outcome: 'deferred', errorCode: 'ERR_SMTP_CLIENT_TIMEOUT' } });
      // their own deadline, not the connect timeout of the connection being opened for them
      for (const r of results.slice(1)) expect(r).toMatchObject({ status: 'rejected', reason: { code: 'ERR_SMTP_CLIENT_TIMEOUT', message: expect.stringMatching(/messageTimeout/) } });
      expect(sessions.flatMap((x) => x.commands.filter((c) => c.startsWith('MAIL')))).toHaveLength(1);
    });

    it('a message that waited in the pool before a connection took it has there only what is left of its messageTimeout, not a fresh one', async () => {
      // the wait: a rate limit that lets the message start 2.8 s after send(); then a server that never answers DATA
      script = { silentOn: 'DATA' };
      const rateLimit = { messages: 1, interval: 1, take: () => new Promise<void>((r) => setTimeout(r, 2800)) };
      const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1, messageTimeout: 3000, timeouts: { dataInit: 600_000 }, rateLimit });
      const settled = pool.send(msg(1)).then(
        (r) => ({ result: r }),
        (e: unknown) => ({ error: e }),
      );
      // bounded: settled by 4.5 s, well before the wait plus a whole messageTimeout (5.8 s), when it settled before
      const first = await Promise.race([settled, new Promise<'pending'>((r) => setTimeout(() => r('pending'), 4500))]);
      const outcome = first === 'pending' ? await settled : first;
      await pool.close();
      expect(first).not.toBe('pending');
      // the connection's deadline (deferred) or, had it not taken the message in time, the pool's (rejected)
      expect(outcome).toSatisfy((o: { result?: SendResult; error?: { code?: string } }) => o.result?.errorCode === 'ERR_SMTP_CLIENT_TIMEOUT' || o.error?.code === 'ERR_SMTP_CLIENT_TIMEOUT');
    }, 15_000);

    it('a message sent again on a fresh connection keeps the deadline of its send(): a fresh connection that never greets does not hold it for a connectTimeout', async () => {
      // the first connection (the scripted server) sends one message, then says 421 to the next MAIL
      // (stale); the fresh one (the silent host) takes TCP and never greets
      perConnection = (n) => (n === 1 ? { fail421On: 'MAIL', failFromMail: 2 } : undefined);
      let calls = 0;
      const connection = (): Promise<net.Socket> =>
        new Promise((resolve, reject) => {
          const sock = net.connect(++calls === 1 ? port : silentPort, '127.0.0.1', () => resolve(sock));
          sock.once('error', reject);
        });
      const pool = createPool({ host: '127.0.0.1', security: 'off', maxConnections: 1, connectTimeout: 600_000, messageTimeout: 500, connection });
      expect((await pool.send(msg(1))).outcome).toBe('delivered');
      const settled = pool.send(msg(2)).then(
        (r) => ({ result: r }),
        (e: unknown) => ({ error: e }),
      );
      const first = await Promise.race([settled, new Promise<'pending'>((r) => setTimeout(() => r('pending'), 5_000))]);
      for (const s of held) s.destroy();
      const outcome = first === 'pending' ? await settled : first;
      await pool.close();
      // it was: pending until the fresh connection's connectTimeout (10 minutes)
      expect(first).not.toBe('pending');
      expect(calls).toBe(2);
      // the result it had: deferred with the 421, as when it is not sent again
      expect(outcome).toMatchObject({ result: { outcome: 'deferred', reply: { code: 421 } } });
    }, 15_000);

    it('a messageTimeout that is not a number of ms > 0 is refused by createPool', () => {
      expect(() => createPool({ host: '127.0.0.1', messageTimeout: -1 })).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_INVALID_OPTION', message: expect.stringMatching(/^messageTimeout/) }));
    });
  });

  it('closes an idle connection with QUIT after idleTimeout', async () => {
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', idleTimeout: 50 });
    await pool.send(msg(1));
    expect(pool.connections).toBe(1);
    while (pool.connections > 0) await new Promise((r) => setTimeout(r, 10));
    // the QUIT goes on in the background: the connection no longer counts once it is said
    for (let i = 0; i < 500 && sessions[0]!.commands.at(-1) !== 'QUIT'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(sessions[0]!.commands.at(-1)).toBe('QUIT');
    expect((await pool.send(msg(2))).outcome).toBe('delivered');
    await pool.close();
    expect(opened).toBe(2);
  });

  it('backpressure: ready() waits while maxQueue messages wait for a connection', async () => {
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1, maxQueue: 2 });
    const sends = Array.from({ length: 4 }, (_, i) => pool.send(msg(i)));
    expect(pool.queued).toBe(3);
    expect(pool.full).toBe(true);
    let readyResolved = false;
    const ready = pool.ready().then(() => (readyResolved = true));
    expect(readyResolved).toBe(false);
    await ready;
    expect(pool.queued).toBeLessThan(2);
    await Promise.all(sends);
    await pool.close();
    await expect(pool.send(msg(9))).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_CLOSED' });
  });

  it('a server that cannot be reached rejects each send with the connect error', async () => {
    const dead = net.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadPort = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const pool = createPool({ host: '127.0.0.1', port: deadPort, security: 'off', maxConnections: 1 });
    await expect(pool.send(msg(1))).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_CONNECTION_LOST' });
    await pool.close();
  });

  it('bad pool options are typed errors naming the option', () => {
    expect(() => createPool({ host: '127.0.0.1', maxConnections: 0 })).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_INVALID_OPTION', message: expect.stringMatching(/^maxConnections/) }));
    expect(() => createPool({ port: 25 } as never)).toThrow(expect.objectContaining({ message: expect.stringMatching(/^host/) }));
  });

  it('a message handed over while the connection\'s own idle QUIT (its `idle` timer) awaits its 221 goes on a new connection', async () => {
    // the server never answers QUIT: that connection stays closing, not closed
    script = { silentOn: 'QUIT' };
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1, idleTimeout: 600_000, timeouts: { idle: 20, quit: 600_000 } });
    expect((await pool.send(msg(1))).outcome).toBe('delivered');
    while (!sessions[0]!.commands.includes('QUIT')) await new Promise((r) => setTimeout(r, 5));
    // it was: rejected with ERR_SMTP_CLIENT_CLOSED
    expect((await pool.send(msg(2))).outcome).toBe('delivered');
    expect(sessions.map((x) => x.messages.length)).toEqual([1, 1]);
    // close() still ends every connection (a QUIT left unanswered is given up after at most 2 s)
    await pool.close();
    expect(sessions.map((x) => x.commands.at(-1))).toEqual(['QUIT', 'QUIT']);
  }, 15_000);

  it('the next message never waits for an unanswered QUIT (maxMessages reached, idle close); close() waits for them, bounded', async () => {
    script = { silentOn: 'QUIT' };
    // a quit timeout of 10 minutes: waiting for it was the bug
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1, maxMessages: 1, idleTimeout: 20, timeouts: { quit: 600_000 } });
    expect((await pool.send(msg(1))).outcome).toBe('delivered');
    expect((await pool.send(msg(2))).outcome).toBe('delivered');
    while (pool.connections > 0) await new Promise((r) => setTimeout(r, 5));
    expect((await pool.send(msg(3))).outcome).toBe('delivered');
    await pool.close();
    expect(sessions.map((x) => x.commands.at(-1))).toEqual(['QUIT', 'QUIT', 'QUIT']);
  }, 15_000);

  it('a connection refused while the pool\'s last connection still says QUIT (a limit of one per client) is tried again once that one has closed', async () => {
    // in-memory connections: one open at a time, a second one is refused with a 421 greeting
    let live = 0;
    let refused = 0;
    const connection = (): Duplex => {
      const server = new ScriptedServer(live > 0 ? (refused++, { greeting: '421 4.7.0 too many connections from you' }) : { silentOn: 'QUIT' });
      const counted = live === 0;
      if (counted) live++;
      const stream: Duplex = new Duplex({
        read() {},
        write(chunk: Buffer, _enc, cb) {
          server.push(new Uint8Array(chunk));
          const out = server.output();
          if (out) stream.push(out);
          if (server.eof) stream.push(null);
          cb();
        },
        destroy(err, cb) {
          if (counted) live--;
          cb(err);
        },
      });
      queueMicrotask(() => {
        stream.push(server.output());
        if (server.eof) stream.push(null);
      });
      return stream;
    };
    // the QUIT nobody answers is given up after the `quit` timeout (200 ms here)
    const pool = createPool({ host: 'mx.test', security: 'off', connection, maxConnections: 1, maxMessages: 1, timeouts: { quit: 200 } });
    const results = [];
    for (let i = 0; i < 3; i++) results.push((await pool.send(msg(i))).outcome);
    await pool.close();
    expect(results).toEqual(['delivered', 'delivered', 'delivered']);
    // messages 2 and 3 each met the refusal while the connection before them said QUIT
    expect(refused).toBe(2);
    expect(live).toBe(0);
  });

  it('a message sent while the only connection is closing for idleness is still sent', async () => {
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1, idleTimeout: 30 });
    await pool.send(msg(1));
    // Wait until the idle QUIT went out, then send while that connection is closing.
    while (!sessions[0]!.commands.includes('QUIT')) await new Promise((r) => setTimeout(r, 5));
    expect((await pool.send(msg(2))).outcome).toBe('delivered');
    await pool.close();
  });
});
