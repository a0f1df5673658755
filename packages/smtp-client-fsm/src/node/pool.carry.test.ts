// The pool and a message LIMITS MAILMAX cuts part-way (RFC 9422): its recipients RCPTMAX left for a
// later transaction, never tried on that connection, are carried on to the next connection and the
// caller gets one result for the message.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Readable } from 'node:stream';
import { createPool } from './index.js';
import { ScriptedServer, listenScripted } from '../../test/scripted-server.js';
import type { ScriptedListener, Script } from '../../test/scripted-server.js';
import type { SendResult } from './index.js';

let listener: ScriptedListener;
let port = 0;
let opened = 0;
const sessions: ScriptedServer[] = [];
/** The script of each connection, by its 1-based number. */
let scriptOf: (n: number) => Script = () => ({});

beforeAll(async () => {
  listener = await listenScripted(() => {
    const s = new ScriptedServer(scriptOf(++opened));
    sessions.push(s);
    return s;
  });
  port = listener.port;
});
afterAll(() => listener.close());
beforeEach(() => {
  opened = 0;
  sessions.length = 0;
  scriptOf = () => ({ ehlo: LIMITS });
});

/** Two recipients per transaction, one transaction per connection. */
const LIMITS = ['PIPELINING', 'LIMITS RCPTMAX=2 MAILMAX=1'];
/** Two recipients per transaction, two transactions per connection. */
const LIMITS2 = ['PIPELINING', 'LIMITS RCPTMAX=2 MAILMAX=2'];
const TO = [1, 2, 3, 4, 5].map((i) => `r${i}@y.test`);
const BODY = 'Subject: five\r\n\r\nto five recipients\r\n';
const message = { from: 'a@x.test', to: TO, body: BODY };
const refused = (...addresses: string[]) => (a: string) => (addresses.includes(a) ? '550 5.1.1 no such mailbox' : '250 2.1.5 ok');
/** Every RCPT the server saw, by address, over every connection. */
const rcpts = (): string[] => sessions.flatMap((s) => s.commands.filter((c) => c.startsWith('RCPT')).map((c) => c.slice(c.indexOf('<') + 1, c.indexOf('>'))));
/** Every delivery the server made, by recipient, over every connection. */
const deliveries = (): string[] => sessions.flatMap((s) => s.messages.flatMap((m) => m.to));

/** The summary lists match the recipients' statuses: each address in exactly one list, the right one. */
function expectConsistent(r: SendResult): void {
  const lists = { accepted: r.accepted, rejected: r.rejected, deferred: r.deferred, unknown: r.unknown };
  for (const x of r.recipients) {
    for (const [status, list] of Object.entries(lists)) expect(list.filter((a) => a === x.address), `${x.address} in ${status}`).toHaveLength(status === x.status ? 1 : 0);
    expect(x.accepted).toBe(x.status === 'accepted');
  }
  expect(Object.values(lists).reduce((n, l) => n + l.length, 0)).toBe(r.recipients.length);
  expect(r.transient).toBe(r.recipients.some((x) => x.status === 'deferred'));
}

describe('createPool: recipients LIMITS MAILMAX left untried are carried on to another connection', () => {
  it('5 recipients, RCPTMAX=2 MAILMAX=1: all 5 delivered, each exactly once, over 3 connections, in one result', async () => {
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
    const r = await pool.send(message);
    await pool.close();
    // it was: partial, r3..r5 deferred with ERR_SMTP_CLIENT_MAILMAX_REACHED, one connection
    expect(r).toMatchObject({ outcome: 'delivered', transient: false, accepted: TO, rejected: [], deferred: [], unknown: [], transactions: 3, reply: { code: 250 } });
    expect(r.errorCode).toBeUndefined();
    expect(r.recipients.map((x) => [x.address, x.status, x.transaction, x.errorCode])).toEqual(TO.map((a, i) => [a, 'accepted', Math.floor(i / 2), undefined]));
    expectConsistent(r);
    expect(opened).toBe(3);
    expect(sessions.map((s) => s.messages.map((m) => m.to))).toEqual([[TO.slice(0, 2)], [TO.slice(2, 4)], [TO.slice(4)]]);
    expect(rcpts()).toEqual(TO);
    expect(deliveries()).toEqual(TO);
    for (const s of sessions) expect(new TextDecoder().decode(s.messages[0]!.content)).toBe(BODY);
  });

  it('bytes go again, byte for byte', async () => {
    const bytes = new TextEncoder().encode('Subject: bytes\r\n\r\n.a line starting with a dot\r\nlast\r\n');
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 2 });
    const r = await pool.send({ ...message, body: bytes });
    await pool.close();
    expect(r.accepted).toEqual(TO);
    expect(sessions.map((s) => s.messages[0]!.content)).toEqual([bytes, bytes, bytes]);
  });

  it('recipients refused (550) on a connection stay refused and are never sent again; the others are carried on', async () => {
    scriptOf = () => ({ ehlo: LIMITS, rcpt: refused('r2@y.test', 'r4@y.test') });
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
    const r = await pool.send(message);
    await pool.close();
    expect(r).toMatchObject({ outcome: 'partial', accepted: ['r1@y.test', 'r3@y.test', 'r5@y.test'], rejected: ['r2@y.test', 'r4@y.test'], deferred: [], transactions: 3 });
    expect(r.recipients.map((x) => [x.address, x.status, x.reply?.code, x.transaction])).toEqual([
      ['r1@y.test', 'accepted', 250, 0],
      ['r2@y.test', 'rejected', 550, 0],
      ['r3@y.test', 'accepted', 250, 1],
      ['r4@y.test', 'rejected', 550, 1],
      ['r5@y.test', 'accepted', 250, 2],
    ]);
    expectConsistent(r);
    // one RCPT per recipient over the three connections: r2 was not tried again on the second
    expect(rcpts()).toEqual(TO);
    expect(deliveries()).toEqual(['r1@y.test', 'r3@y.test', 'r5@y.test']);
  });

  it('the summary cannot call a delivered recipient rejected: the last connection refusing all it got leaves the message partial, with the reply that queued it', async () => {
    // the first connection delivers r1 and r2; every later one refuses each recipient
    scriptOf = (n) => ({ ehlo: LIMITS, ...(n > 1 ? { rcpt: () => '550 5.1.1 no such mailbox' } : {}) });
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
    const r = await pool.send(message);
    await pool.close();
    expect(r).toMatchObject({ outcome: 'partial', accepted: ['r1@y.test', 'r2@y.test'], rejected: ['r3@y.test', 'r4@y.test', 'r5@y.test'], deferred: [], reply: { code: 250 } });
    expect(r.recipients.filter((x) => x.status === 'accepted').map((x) => x.reply?.code)).toEqual([250, 250]);
    expectConsistent(r);
    expect(deliveries()).toEqual(['r1@y.test', 'r2@y.test']);
  });

  it('a connection that refused every recipient it tried (no DATA) never read a stream body: the others are carried on with it, whole', async () => {
    scriptOf = () => ({ ehlo: LIMITS, rcpt: refused('r1@y.test', 'r2@y.test') });
    const chunks = ['Subject: streamed\r\n', '\r\n', '.a dot first\r\n', 'last\r\n'];
    const body = Readable.from(chunks);
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
    const r = await pool.send({ ...message, body });
    await pool.close();
    // r5 gets nothing of it: the second connection's DATA (for r3 and r4) read it, so that
    // connection left r5 deferred after its one transaction, as a read stream always is
    expect(r).toMatchObject({ outcome: 'partial', accepted: ['r3@y.test', 'r4@y.test'], rejected: ['r1@y.test', 'r2@y.test'], deferred: ['r5@y.test'], transactions: 2 });
    expect(r.recipients.map((x) => [x.address, x.transaction])).toEqual(TO.map((a, i) => [a, i < 2 ? 0 : 1]));
    expect(r.recipients.find((x) => x.address === 'r5@y.test')).toMatchObject({ status: 'deferred', errorCode: 'ERR_SMTP_CLIENT_RECIPIENT_DEFERRED' });
    expectConsistent(r);
    expect(opened).toBe(2);
    expect(sessions[1]!.messages.map((m) => new TextDecoder().decode(m.content))).toEqual([chunks.join('')]);
    expect(body.destroyed).toBe(true);
  });

  it('a stream body the first group read cannot go again: the recipients left stay deferred, nothing is carried on', async () => {
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
    const r = await pool.send({ ...message, body: Readable.from([BODY]) });
    await pool.close();
    // the connection itself stops after the transaction that read it (no second one for MAILMAX to cut)
    expect(r).toMatchObject({ outcome: 'partial', transient: true, accepted: TO.slice(0, 2), deferred: TO.slice(2), transactions: 1 });
    expect(r.recipients.slice(2).every((x) => x.errorCode === 'ERR_SMTP_CLIENT_RECIPIENT_DEFERRED')).toBe(true);
    expectConsistent(r);
    expect(opened).toBe(1);
    expect(rcpts()).toEqual(TO.slice(0, 2));
  });

  it('a carry-over that cannot start before messageTimeout passes: the recipients left are deferred with ERR_SMTP_CLIENT_TIMEOUT, the delivered ones kept', async () => {
    // the rate limit lets the first attempt start at once and holds the next one until the message settled
    let takes = 0;
    let release: (() => void) | undefined;
    const rateLimit = { messages: 1, interval: 1, take: () => (takes++ === 0 ? Promise.resolve() : new Promise<void>((r) => (release = r))) };
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1, messageTimeout: 1000, rateLimit });
    const r = await pool.send(message);
    release?.();
    await pool.close();
    // it was: r3..r5 deferred with ERR_SMTP_CLIENT_MAILMAX_REACHED
    expect(r).toMatchObject({ outcome: 'partial', transient: true, accepted: TO.slice(0, 2), deferred: TO.slice(2), errorCode: 'ERR_SMTP_CLIENT_TIMEOUT' });
    expect(r.recipients.slice(2).map((x) => [x.status, x.errorCode])).toEqual(Array(3).fill(['deferred', 'ERR_SMTP_CLIENT_TIMEOUT']));
    expectConsistent(r);
    expect(takes).toBe(2);
    expect(opened).toBe(1);
  });

  it('a carry-over whose connection cannot be opened keeps what the first connection did: the recipients left stay deferred', async () => {
    scriptOf = (n) => (n === 1 ? { ehlo: LIMITS } : { greeting: '554 5.3.2 no service' });
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1 });
    const r = await pool.send(message);
    await pool.close();
    expect(r).toMatchObject({ outcome: 'partial', accepted: TO.slice(0, 2), deferred: TO.slice(2), errorCode: 'ERR_SMTP_CLIENT_MAILMAX_REACHED' });
    expectConsistent(r);
    // the refused connection is tried once more once the first one's QUIT is over (the pool's rule)
    expect(opened).toBe(3);
    expect(rcpts()).toEqual(TO.slice(0, 2));
  });

  it('recipients carried on go to an idle connection of the pool when one can take them: the server accepts no new connection', async () => {
    // two transactions per connection: one already sent on each of two idle connections, one left
    scriptOf = () => ({ ehlo: LIMITS2 });
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 2 });
    await Promise.all([pool.send({ ...message, to: ['x1@y.test'] }), pool.send({ ...message, to: ['x2@y.test'] })]);
    expect(opened).toBe(2);
    // r1 and r2 on the idle connection that takes the message (its second and last transaction),
    // r3 and r4 carried on to the other idle one, already greeted
    const to = TO.slice(0, 4);
    const r = await pool.send({ ...message, to });
    await pool.close();
    // it was: a third connection opened for r3 and r4 while the other one sat idle
    expect(opened).toBe(2);
    expect(r).toMatchObject({ outcome: 'delivered', accepted: to, deferred: [], transactions: 2 });
    expect(r.recipients.map((x) => x.transaction)).toEqual([0, 0, 1, 1]);
    expectConsistent(r);
    expect(deliveries().sort()).toEqual(['x1@y.test', 'x2@y.test', ...to].sort());
    // within LIMITS MAILMAX on each: two transactions, no MAIL refused or left untried
    expect(sessions.map((s) => s.commands.filter((c) => c.startsWith('MAIL')).length)).toEqual([2, 2]);
    expect(sessions.flatMap((s) => s.messages.map((m) => m.to)).filter((t) => t.includes('r3@y.test'))).toEqual([['r3@y.test', 'r4@y.test']]);
  });

  it('an idle connection that used its LIMITS MAILMAX transactions is not reused for a carry-over: another idle one that can take it is', async () => {
    scriptOf = () => ({ ehlo: LIMITS2 });
    // the first three take()s wait for the test: the connections finish their first messages in
    // order, so they wait idle in that order (the pool hands a new message to the first of them)
    const gates: (() => void)[] = [];
    let takes = 0;
    const rateLimit = { messages: 1, interval: 1, take: () => (++takes <= 3 ? new Promise<void>((r) => gates.push(r)) : Promise.resolve()) };
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 3, rateLimit });
    const first = [pool.send({ ...message, to: ['x1@y.test'] }), pool.send({ ...message, to: ['x2@y.test', 'x3@y.test', 'x4@y.test'] }), pool.send({ ...message, to: ['x5@y.test'] })];
    for (let i = 0; i < 3; i++) {
      gates[i]!();
      expect((await first[i]!).outcome).toBe('delivered');
    }
    expect(opened).toBe(3);
    // the second connection ran its two transactions for x2..x4 (one message, so the pool's count
    // of messages alone would call it free); the first takes r1 and r2, then the third r3 and r4
    const to = TO.slice(0, 4);
    const r = await pool.send({ ...message, to });
    await pool.close();
    expect(opened).toBe(3);
    expect(r).toMatchObject({ outcome: 'delivered', accepted: to, transactions: 2 });
    expectConsistent(r);
    expect(sessions.map((s) => s.messages.flatMap((m) => m.to))).toEqual([
      ['x1@y.test', 'r1@y.test', 'r2@y.test'],
      ['x2@y.test', 'x3@y.test', 'x4@y.test'],
      ['x5@y.test', 'r3@y.test', 'r4@y.test'],
    ]);
    expect(sessions.map((s) => s.commands.filter((c) => c.startsWith('MAIL')).length)).toEqual([2, 2, 2]);
  });

  it('no idle connection within its limits (MAILMAX=1: each took its one transaction): the carry-over opens new ones', async () => {
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 2 });
    await Promise.all([pool.send({ ...message, to: ['x1@y.test'] }), pool.send({ ...message, to: ['x2@y.test'] })]);
    const r = await pool.send(message);
    await pool.close();
    expect(r).toMatchObject({ outcome: 'delivered', accepted: TO, transactions: 3 });
    // two for x1 and x2, then three for the five recipients, two per connection
    expect(opened).toBe(5);
    expect(sessions.map((s) => s.commands.filter((c) => c.startsWith('MAIL')).length)).toEqual([1, 1, 1, 1, 1]);
    expect(rcpts().sort()).toEqual(['x1@y.test', 'x2@y.test', ...TO].sort());
  });

  it('the messages queued behind the one carried on are all delivered, each recipient once', async () => {
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 2 });
    const results = await Promise.all([pool.send(message), pool.send({ ...message, to: ['s1@y.test'] }), pool.send({ ...message, to: TO.map((a) => `t${a}`) })]);
    await pool.close();
    expect(results.map((r) => r.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
    for (const r of results) expectConsistent(r);
    expect(deliveries().sort()).toEqual([...TO, 's1@y.test', ...TO.map((a) => `t${a}`)].sort());
  });
});

describe('createPool: a connection LIMITS MAILMAX has spent is not kept idle', () => {
  it('it says QUIT as soon as its last message is done, not after idleTimeout; the next message opens a new one', async () => {
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1, idleTimeout: 60_000 });
    try {
      const r = await pool.send({ from: 'a@x.test', to: ['r1@y.test', 'r2@y.test'], body: BODY });
      expect(r.outcome).toBe('delivered');
      // it was: kept open and idle for 60 s, although the server would take no more on it
      await vi.waitFor(() => expect(sessions[0]!.commands.at(-1)).toBe('QUIT'), { timeout: 2000 });
      const again = await pool.send({ from: 'a@x.test', to: ['r3@y.test'], body: BODY });
      expect(again.outcome).toBe('delivered');
      expect(opened).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('one below the limit stays open for the next message', async () => {
    scriptOf = () => ({ ehlo: LIMITS2 });
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', maxConnections: 1, idleTimeout: 60_000 });
    try {
      await pool.send({ from: 'a@x.test', to: ['r1@y.test'], body: BODY });
      await new Promise((r) => setTimeout(r, 100));
      expect(sessions[0]!.commands).not.toContain('QUIT');
      await pool.send({ from: 'a@x.test', to: ['r2@y.test'], body: BODY });
      expect(opened).toBe(1);
    } finally {
      await pool.close();
    }
  });
});
