// RFC 2920 §3.1 across messages (issue 16): with PIPELINING, the next queued message's
// RSET, MAIL/RCPT/DATA go out in the same write as the previous message's final dot, and each
// message still gets the result its own replies give it. The RSET makes the group the next
// message's whatever the dot's reply (a server may keep a refused transaction open).
import { describe, expect, it } from 'vitest';
import { byteByByte, randomSplits } from '@smtpkit/testkit';
import { ClientConnection } from '../src/index.js';
import type { ClientOptions, MessageInput } from '../src/index.js';
import { ScriptedServer, run, sent } from './scripted-server.js';
import type { Script } from './scripted-server.js';
import type { ClientEvent } from '../src/index.js';

const dec = new TextDecoder();

const splits: [string, ((d: Uint8Array) => Uint8Array[]) | undefined][] = [
  ['whole', undefined],
  ['byte by byte', byteByByte],
  ['random splits', (d) => randomSplits(d, 1, d.length)[0]!],
];

function msg(i: number, extra: Partial<MessageInput> = {}): MessageInput {
  return { from: `s${i}@x.test`, to: [`r${i}@y.test`], body: `Subject: ${i}\r\n\r\nbody ${i}\r\n`, ...extra };
}

/** Runs like `run()`, recording every write the client hands out. */
function runCounting(conn: ClientConnection, server: ScriptedServer, split?: (d: Uint8Array) => Uint8Array[]) {
  const writes: string[] = [];
  const events = run(conn, server, { split, onWrite: (d) => void writes.push(dec.decode(d)) });
  return { writes, events };
}

function queue(n: number, opts: ClientOptions = {}, script: Script = {}, each: (i: number) => Partial<MessageInput> = () => ({})) {
  const server = new ScriptedServer(script);
  const conn = new ClientConnection(opts);
  for (let i = 1; i <= n; i++) conn.sendMessage(msg(i, each(i)));
  conn.quit();
  return { server, conn };
}

describe('pipelining across messages (RFC 2920 §3.1)', () => {
  for (const [name, split] of splits) {
    it(`one write per message after the first: the dot and the next RSET, MAIL/RCPT/DATA go together (${name})`, () => {
      const { server, conn } = queue(5);
      const { writes, events } = runCounting(conn, server, split);
      const results = sent(events);
      expect(results.map((m) => [m.messageId, m.outcome])).toEqual([1, 2, 3, 4, 5].map((i) => [i, 'delivered']));
      expect(server.messages.map((m) => dec.decode(m.content))).toEqual([1, 2, 3, 4, 5].map((i) => `Subject: ${i}\r\n\r\nbody ${i}\r\n`));
      expect(server.messages.map((m) => m.from)).toEqual(['s1@x.test', 's2@x.test', 's3@x.test', 's4@x.test', 's5@x.test']);
      // EHLO; the first group; five bodies (the first four each carrying the next group); QUIT.
      expect(writes).toHaveLength(8);
      expect(writes[1]).toBe('MAIL FROM:<s1@x.test> SIZE=22\r\nRCPT TO:<r1@y.test>\r\nDATA\r\n');
      for (let i = 1; i <= 4; i++) {
        expect(writes[i + 1]).toBe(`Subject: ${i}\r\n\r\nbody ${i}\r\n.\r\nRSET\r\nMAIL FROM:<s${i + 1}@x.test> SIZE=22\r\nRCPT TO:<r${i + 1}@y.test>\r\nDATA\r\n`);
      }
      expect(writes[6]).toBe('Subject: 5\r\n\r\nbody 5\r\n.\r\n');
      expect(writes[7]).toBe('QUIT\r\n');
      expect(events.at(-1)).toMatchObject({ type: 'closed', reason: 'quit' });
    });

    it(`a 4xx or 5xx to a dot is that message's result, not the next one's (${name})`, () => {
      const finals: Record<number, string> = { 1: '554 5.7.1 rejected by content filter', 2: '451 4.3.0 try later', 3: '250 2.0.0 queued as C' };
      const { server, conn } = queue(3, {}, { final: (n) => finals[n]! }, (i) => ({ to: [`r${i}@y.test`, `q${i}@y.test`] }));
      const { events, writes } = runCounting(conn, server, split);
      const [m1, m2, m3] = sent(events);
      expect(m1).toMatchObject({ messageId: 1, outcome: 'failed', transient: false, reply: { code: 554 } });
      expect(m1!.recipients.map((r) => [r.status, r.reply?.code])).toEqual([
        ['rejected', 554],
        ['rejected', 554],
      ]);
      expect(m2).toMatchObject({ messageId: 2, outcome: 'deferred', transient: true, reply: { code: 451 } });
      expect(m3).toMatchObject({ messageId: 3, outcome: 'delivered', reply: { code: 250 } });
      expect(m3!.reply!.text).toContain('queued as C');
      // One RSET per group written ahead (behind an unanswered dot), none more after a refused dot.
      expect(server.commands.filter((c) => c === 'RSET')).toEqual(['RSET', 'RSET']);
      expect(writes.filter((w) => w.includes('.\r\nRSET\r\nMAIL FROM:'))).toHaveLength(2);
    });

    it(`a 421 to a dot settles that message and every queued one, the one written ahead included (${name})`, () => {
      const { server, conn } = queue(3, {}, { final: () => '421 4.3.2 shutting down' });
      const { events } = runCounting(conn, server, split);
      const results = sent(events);
      expect(results.map((m) => [m.messageId, m.outcome, m.transient, m.reply?.code])).toEqual([
        [1, 'deferred', true, 421],
        [2, 'deferred', true, 421],
        [3, 'deferred', true, 421],
      ]);
      expect(results.flatMap((m) => m.recipients.map((r) => r.status))).toEqual(['deferred', 'deferred', 'deferred']);
      expect(server.messages).toHaveLength(1);
      expect(events.filter((e) => e.type === 'closed')).toEqual([{ type: 'closed', reason: 'rejected', reply: expect.objectContaining({ code: 421 }) }]);
    });

    it(`the message written ahead is refused at MAIL or RCPT: its own result, then the next goes on (${name})`, () => {
      const script: Script = { rcpt: (a) => (a === 'r2@y.test' ? '550 5.1.1 no such user' : '250 2.1.5 ok') };
      const { server, conn } = queue(3, {}, script);
      const { events } = runCounting(conn, server, split);
      const results = sent(events);
      expect(results.map((m) => [m.messageId, m.outcome])).toEqual([
        [1, 'delivered'],
        [2, 'failed'],
        [3, 'delivered'],
      ]);
      expect(results[1]!.recipients[0]).toMatchObject({ status: 'rejected', reply: { code: 550 } });
      expect(server.messages.map((m) => m.from)).toEqual(['s1@x.test', 's3@x.test']);
      // The pipelined DATA of message 2 was refused (no valid recipient): RSET before message 3.
      expect(server.commands).toContain('RSET');
    });
  }

  it('a refused MAIL gives the message its reply, not the refusal of the pipelined DATA after it', () => {
    const { server, conn } = queue(1, {}, { mail: '553 5.7.1 sender refused', data: '503 5.5.1 need RCPT' });
    const m = sent(run(conn, server))[0]!;
    expect(m).toMatchObject({ outcome: 'failed', reply: { code: 553 } });
    expect(m.recipients[0]).toMatchObject({ status: 'rejected', reply: { code: 553 } });
  });

  it('no reply to a dot: that message is unknown, the one written ahead is deferred (its body never went out)', () => {
    const conn = new ClientConnection();
    conn.sendMessage(msg(1));
    conn.sendMessage(msg(2));
    conn.receiveData('220 mx.test ready\r\n');
    expect(dec.decode(conn.dataToSend())).toBe('EHLO localhost\r\n');
    conn.receiveData('250-mx.test\r\n250 PIPELINING\r\n');
    expect(dec.decode(conn.dataToSend())).toContain('DATA\r\n');
    conn.receiveData('250 ok\r\n250 ok\r\n354 go\r\n');
    expect(dec.decode(conn.dataToSend())).toBe('Subject: 1\r\n\r\nbody 1\r\n.\r\nRSET\r\nMAIL FROM:<s2@x.test>\r\nRCPT TO:<r2@y.test>\r\nDATA\r\n');
    const t = conn.pendingTimeout();
    expect(t?.name).toBe('dataDone');
    conn.handleTimeout(t!.id);
    const events: ClientEvent[] = [];
    for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) events.push(e);
    const results = sent(events);
    expect(results.map((m) => [m.messageId, m.outcome, m.transient])).toEqual([
      [1, 'unknown', false],
      [2, 'deferred', true],
    ]);
    expect(results[1]!.errorCode).toBe('ERR_SMTP_CLIENT_TIMEOUT');
  });

  it('replies to the group written ahead may arrive with the dot reply in one read', () => {
    const conn = new ClientConnection();
    conn.sendMessage(msg(1));
    conn.sendMessage(msg(2));
    conn.quit();
    conn.receiveData('220 mx.test ready\r\n');
    conn.dataToSend();
    conn.receiveData('250-mx.test\r\n250 PIPELINING\r\n');
    conn.dataToSend();
    conn.receiveData('250 ok\r\n250 ok\r\n354 go\r\n');
    conn.dataToSend();
    conn.receiveData('250 queued as A\r\n250 reset\r\n250 ok\r\n250 ok\r\n354 go\r\n');
    expect(dec.decode(conn.dataToSend())).toBe('Subject: 2\r\n\r\nbody 2\r\n.\r\n');
    conn.receiveData('250 queued as B\r\n');
    expect(dec.decode(conn.dataToSend())).toBe('QUIT\r\n');
    const events: ClientEvent[] = [];
    for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) events.push(e);
    expect(sent(events).map((m) => [m.messageId, m.outcome, m.reply?.text])).toEqual([
      [1, 'delivered', 'queued as A'],
      [2, 'delivered', 'queued as B'],
    ]);
  });

  const notAhead: [string, ClientOptions, Script, (i: number) => Partial<MessageInput>][] = [
    ['PIPELINING not offered', {}, { ehlo: ['8BITMIME'] }, () => ({})],
    ['pipelining turned off', { pipelining: false }, {}, () => ({})],
    ['BDAT (CHUNKING)', { chunking: true }, { ehlo: ['PIPELINING', 'CHUNKING', '8BITMIME'] }, () => ({})],
    ['LMTP', { lmtp: true }, { lmtpFinal: () => '250 2.0.0 ok' }, () => ({})],
  ];
  for (const [name, opts, script, each] of notAhead) {
    it(`not written ahead: ${name}; every message still delivered`, () => {
      const { server, conn } = queue(3, opts, script, each);
      const { writes, events } = runCounting(conn, server);
      expect(sent(events).map((m) => m.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
      expect(writes.some((w) => /\r\n\.\r\n(RSET|MAIL|LHLO|RCPT)/.test(w) || /BDAT \d+ LAST\r\n[^]*MAIL FROM/.test(w))).toBe(false);
    });
  }

  it('not written ahead while the current message has a follow-up transaction due: only after its last one', () => {
    const { server, conn } = queue(3, { maxRecipientsPerTransaction: 1 }, {}, (i) => ({ to: [`r${i}@y.test`, `q${i}@y.test`] }));
    const { writes, events } = runCounting(conn, server);
    expect(sent(events).map((m) => [m.outcome, m.transactions])).toEqual([
      ['delivered', 2],
      ['delivered', 2],
      ['delivered', 2],
    ]);
    expect(server.messages.map((m) => [m.from, m.to])).toEqual([
      ['s1@x.test', ['r1@y.test']],
      ['s1@x.test', ['q1@y.test']],
      ['s2@x.test', ['r2@y.test']],
      ['s2@x.test', ['q2@y.test']],
      ['s3@x.test', ['r3@y.test']],
      ['s3@x.test', ['q3@y.test']],
    ]);
    const ahead = writes.map((w) => /\.\r\nRSET\r\nMAIL FROM:<([^>]*)>/.exec(w)?.[1]).filter((x) => x !== undefined);
    expect(ahead).toEqual(['s2@x.test', 's3@x.test']);
  });

  it('not written ahead for a streamed body: the next message waits for the dot reply', () => {
    const server = new ScriptedServer();
    const conn = new ClientConnection();
    conn.sendMessage(msg(1));
    conn.sendMessage({ from: 's2@x.test', to: ['r2@y.test'] });
    conn.quit();
    const events = run(conn, server, { bodies: { 2: ['Subject: s\r\n\r\n', 'streamed\r\n'] } });
    expect(sent(events).map((m) => m.outcome)).toEqual(['delivered', 'delivered']);
    expect(dec.decode(server.messages[1]!.content)).toBe('Subject: s\r\n\r\nstreamed\r\n');
    const { writes } = runCounting(
      (() => {
        const c = new ClientConnection();
        c.sendMessage(msg(1));
        c.sendMessage({ from: 's2@x.test', to: ['r2@y.test'] });
        c.quit();
        return c;
      })(),
      new ScriptedServer(),
    );
    expect(writes.some((w) => w.includes('.\r\nMAIL'))).toBe(false);
  });

  it('quit() right after queuing waits for every queued message, with or without PIPELINING', () => {
    for (const ehlo of [['PIPELINING'], ['8BITMIME']]) {
      const { server, conn } = queue(3, {}, { ehlo });
      const events = run(conn, server);
      expect(sent(events).map((m) => [m.messageId, m.outcome])).toEqual([
        [1, 'delivered'],
        [2, 'delivered'],
        [3, 'delivered'],
      ]);
      expect(server.commands.at(-1)).toBe('QUIT');
      expect(events.at(-1)).toMatchObject({ type: 'closed', reason: 'quit' });
    }
  });

  it('a refused RSET settles every message still queued as deferred (not tried) and ends the session: the MAIL group written with it gets nothing more', () => {
    const script: Script = { rcpt: (a) => (a === 'r1@y.test' ? '550 5.1.1 no' : '250 2.1.5 ok'), rset: '500 5.5.1 no' };
    const server = new ScriptedServer(script);
    const conn = new ClientConnection({ maxRecipientsPerTransaction: 1 });
    conn.sendMessage(msg(1, { to: ['r1@y.test', 'q1@y.test'] }));
    conn.sendMessage(msg(2));
    const events = run(conn, server);
    const results = sent(events);
    expect(results.map((m) => [m.messageId, m.outcome, m.transient])).toEqual([
      [1, 'failed', true],
      [2, 'deferred', true],
    ]);
    expect(results[0]!.recipients.map((r) => [r.status, r.errorCode ?? r.reply?.code])).toEqual([
      ['rejected', 550],
      ['deferred', 'ERR_SMTP_CLIENT_RSET_REFUSED'],
    ]);
    expect(results[1]!.recipients[0]).toMatchObject({ status: 'deferred', errorCode: 'ERR_SMTP_CLIENT_RSET_REFUSED' });
    // RSET went in the same write as the next MAIL group; after its refusal nothing more is written
    expect(server.commands.slice(-5)).toEqual(['DATA', 'RSET', 'MAIL FROM:<s1@x.test> SIZE=22', 'RCPT TO:<q1@y.test>', 'DATA']);
    expect(server.messages).toHaveLength(0);
    expect(conn.closed).toBe(true);
  });

  it('MAILMAX counts the transaction written ahead: no MAIL beyond it goes out', () => {
    const { server, conn } = queue(3, {}, { ehlo: ['PIPELINING', 'LIMITS MAILMAX=2'] });
    const { events } = runCounting(conn, server);
    const results = sent(events);
    expect(results.map((m) => m.outcome)).toEqual(['delivered', 'delivered', 'deferred']);
    expect(results[2]!.errorCode).toBe('ERR_SMTP_CLIENT_MAILMAX_REACHED');
    expect(server.commands.filter((c) => c.startsWith('MAIL'))).toHaveLength(2);
  });
});
