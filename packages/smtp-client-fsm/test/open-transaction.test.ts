// A transaction the server left open must never make the next message fail. RFC 5321 §4.1.1.5 and
// §3.3 keep a mail transaction open after an accepted MAIL until the end of data is accepted or
// RSET; Postfix keeps it open after an end-of-data restriction refused the message (4xx or 5xx), and
// answers the next MAIL `503 5.5.1 Error: nested MAIL command` (the ScriptedServer's `keepsRefused`).
// After any transaction that did not end with an accepted final reply the client sends RSET before
// the next MAIL (with PIPELINING in the same write as the next MAIL group), never after a success
// it has seen; a group written ahead behind a dot not yet answered starts with RSET whatever that
// dot's reply will be (unless `rsetWrittenAhead: false`, for a relay known never to keep a refused
// transaction). A 503 to MAIL is not the recipients' verdict: RSET and one more try, then deferred.
import { describe, expect, it } from 'vitest';
import { byteByByte, randomSplits } from '@smtpkit/testkit';
import { ClientConnection } from '../src/index.js';
import type { ClientOptions, MessageInput } from '../src/index.js';
import { run, ScriptedServer, sent } from './scripted-server.js';
import type { Script } from './scripted-server.js';

const dec = new TextDecoder();

const splits: [string, ((d: Uint8Array) => Uint8Array[]) | undefined][] = [
  ['whole', undefined],
  ['byte by byte', byteByByte],
  ['random splits', (d) => randomSplits(d, 1, d.length)[0]!],
];

const msg = (i: number, extra: Partial<MessageInput> = {}): MessageInput => ({ from: `s${i}@x.test`, to: [`r${i}@y.test`], body: `Subject: ${i}\r\n\r\nbody ${i}\r\n`, ...extra });

/**
 * Runs client and server until nothing moves, recording each write the client hands out.
 * `queued` messages are given before the first byte; `later` ones each once the previous message's
 * result is out (so none is written ahead behind a final dot).
 */
function drive(script: Script, opts: ClientOptions, queued: MessageInput[], later: MessageInput[] = [], split?: (d: Uint8Array) => Uint8Array[]) {
  const server = new ScriptedServer(script);
  const conn = new ClientConnection(opts);
  for (const m of queued) conn.sendMessage(m);
  const pending = [...later];
  if (pending.length === 0) conn.quit();
  const writes: string[] = [];
  const events = run(conn, server, {
    split,
    onWrite: (d) => void writes.push(dec.decode(d)),
    onEvent: (e) => {
      if (e.type === 'message-sent' && pending.length > 0 && !conn.closed) {
        conn.sendMessage(pending.shift()!);
        if (pending.length === 0) conn.quit();
      }
    },
  });
  const results = sent(events).map((m) => ({ id: m.messageId, outcome: m.outcome, transient: m.transient, recipients: m.recipients.map((r) => [r.address, r.status, r.reply?.code, r.errorCode]) }));
  return { server, conn, writes, events, results };
}

const noPipelining = ['8BITMIME', 'SIZE 1000000'];
const chunking = ['PIPELINING', '8BITMIME', 'SIZE 1000000', 'CHUNKING'];
const eod451 = { keepsRefused: true, final: (n: number) => (n === 1 ? '451 4.7.1 <s1@x.test>: Sender address rejected: later' : '250 2.0.0 Ok: queued') };
const eod554 = { keepsRefused: true, final: (n: number) => (n === 1 ? '554 5.7.1 refused' : '250 2.0.0 Ok: queued') };

describe('RSET after a refused end of data, before the next MAIL (Postfix end-of-data restrictions)', () => {
  for (const [name, split] of splits) {
    for (const [label, script, status, code] of [['451', eod451, 'deferred', 451], ['554', eod554, 'rejected', 554]] as const) {
      it(`PIPELINING: RSET goes in the same write as the next MAIL group; the next message is delivered with its own sender (${label}, ${name})`, () => {
        const r = drive(script, {}, [msg(1)], [msg(2)], split);
        expect(r.results).toEqual([
          { id: 1, outcome: status === 'deferred' ? 'deferred' : 'failed', transient: status === 'deferred', recipients: [['r1@y.test', status, code, undefined]] },
          { id: 2, outcome: 'delivered', transient: false, recipients: [['r2@y.test', 'accepted', 250, undefined]] },
        ]);
        expect(r.writes).toContain('RSET\r\nMAIL FROM:<s2@x.test> SIZE=22\r\nRCPT TO:<r2@y.test>\r\nDATA\r\n');
        expect(r.server.messages.map((m) => [m.from, m.to])).toEqual([['s1@x.test', ['r1@y.test']], ['s2@x.test', ['r2@y.test']]]);
        expect(r.server.commands.filter((c) => c === 'RSET')).toHaveLength(1);
      });
    }

    it(`without PIPELINING: RSET, its reply, then MAIL (${name})`, () => {
      const r = drive({ ...eod451, ehlo: noPipelining }, {}, [msg(1)], [msg(2)], split);
      expect(r.results.map((m) => m.outcome)).toEqual(['deferred', 'delivered']);
      expect(r.server.commands.slice(r.server.commands.indexOf('RSET'))).toEqual(['RSET', 'MAIL FROM:<s2@x.test> SIZE=22', 'RCPT TO:<r2@y.test>', 'DATA', 'QUIT']);
      expect(r.writes.slice(r.writes.indexOf('RSET\r\n'), r.writes.indexOf('RSET\r\n') + 2)).toEqual(['RSET\r\n', 'MAIL FROM:<s2@x.test> SIZE=22\r\n']);
    });

    it(`BDAT LAST refused: RSET before the next MAIL group (${name})`, () => {
      const r = drive({ ...eod554, ehlo: chunking }, { chunking: true }, [msg(1)], [msg(2)], split);
      expect(r.results.map((m) => m.outcome)).toEqual(['failed', 'delivered']);
      expect(r.writes).toContain('RSET\r\nMAIL FROM:<s2@x.test> SIZE=22\r\nRCPT TO:<r2@y.test>\r\n');
      expect(r.server.messages.map((m) => m.from)).toEqual(['s1@x.test', 's2@x.test']);
    });

    it(`a second transaction of the same message (recipient limit) after a refused end of data starts with RSET (${name})`, () => {
      const r = drive({ ...eod451, rcpt: (_a, i) => (i >= 1 ? '452 4.5.3 Error: too many recipients' : '250 2.1.5 Ok') }, {}, [msg(1, { to: ['a@y.test', 'b@y.test'] })], [], split);
      expect(r.results).toEqual([{ id: 1, outcome: 'partial', transient: true, recipients: [['a@y.test', 'deferred', 451, undefined], ['b@y.test', 'accepted', 250, undefined]] }]);
      expect(r.server.commands).toContain('RSET');
      expect(r.server.messages.map((m) => [m.from, m.to])).toEqual([['s1@x.test', ['a@y.test']], ['s1@x.test', ['b@y.test']]]);
    });
  }

  it('no RSET after an accepted transaction, nor before the first one', () => {
    const r = drive({ keepsRefused: true }, {}, [msg(1)], [msg(2), msg(3)]);
    expect(r.results.map((m) => m.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(r.server.commands).not.toContain('RSET');
    const off = drive({ keepsRefused: true, ehlo: noPipelining }, {}, [msg(1), msg(2)]);
    expect(off.server.commands).not.toContain('RSET');
  });

  for (const [name, split] of splits) {
    it(`written ahead behind a dot the server refuses and keeps open: the RSET written before the next MAIL closes that transaction, and the messages behind are delivered on the same connection with their own senders (${name})`, () => {
      const r = drive(eod451, {}, [msg(1), msg(2), msg(3)], [], split);
      // the second group went out with the first dot (RFC 2920 §3.1), behind an RSET
      expect(r.writes[2]).toBe('Subject: 1\r\n\r\nbody 1\r\n.\r\nRSET\r\nMAIL FROM:<s2@x.test> SIZE=22\r\nRCPT TO:<r2@y.test>\r\nDATA\r\n');
      expect(r.writes[3]).toBe('Subject: 2\r\n\r\nbody 2\r\n.\r\nRSET\r\nMAIL FROM:<s3@x.test> SIZE=22\r\nRCPT TO:<r3@y.test>\r\nDATA\r\n');
      expect(r.results).toEqual([
        { id: 1, outcome: 'deferred', transient: true, recipients: [['r1@y.test', 'deferred', 451, undefined]] },
        { id: 2, outcome: 'delivered', transient: false, recipients: [['r2@y.test', 'accepted', 250, undefined]] },
        { id: 3, outcome: 'delivered', transient: false, recipients: [['r3@y.test', 'accepted', 250, undefined]] },
      ]);
      // never a nested MAIL, never a recipient joined to the refused transaction
      expect(r.server.messages.map((m) => [m.from, m.to])).toEqual([
        ['s1@x.test', ['r1@y.test']],
        ['s2@x.test', ['r2@y.test']],
        ['s3@x.test', ['r3@y.test']],
      ]);
      expect(r.server.commands.filter((c) => c === 'RSET' || c.startsWith('MAIL'))).toEqual(['MAIL FROM:<s1@x.test> SIZE=22', 'RSET', 'MAIL FROM:<s2@x.test> SIZE=22', 'RSET', 'MAIL FROM:<s3@x.test> SIZE=22']);
      expect(r.events.some((e) => e.type === 'error')).toBe(false);
      expect(r.events.at(-1)).toMatchObject({ type: 'closed', reason: 'quit' });
    });

    it(`written ahead behind a refused dot, the server having reset: the RSET written ahead is answered like any other, the next message goes on (${name})`, () => {
      const r = drive({ final: (n) => (n === 1 ? '554 5.7.1 refused' : '250 2.0.0 Ok') }, {}, [msg(1), msg(2)], [], split);
      expect(r.results.map((m) => m.outcome)).toEqual(['failed', 'delivered']);
      expect(r.server.commands.filter((c) => c === 'RSET')).toHaveLength(1);
    });

    it(`written ahead behind an accepted dot: one RSET per message written ahead, no more (${name})`, () => {
      const r = drive({ keepsRefused: true }, {}, [msg(1), msg(2), msg(3)], [], split);
      expect(r.results.map((m) => m.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
      expect(r.server.commands.filter((c) => c === 'RSET')).toHaveLength(2);
      // one write per message after the first, as before: the RSET adds no round trip
      expect(r.writes).toHaveLength(6);
    });

    for (const rset of ['502 5.5.2 not now', '421 4.3.2 shutting down']) {
      it(`written ahead behind a refused dot, the RSET refused (${rset.slice(0, 3)}): the server still holds the refused transaction, so its 354 gets no dot; the messages behind are deferred (${name})`, () => {
        const r = drive({ ...eod451, rset }, {}, [msg(1), msg(2), msg(3)], [], split);
        expect(r.results.map((m) => [m.id, m.outcome, m.transient])).toEqual([
          [1, 'deferred', true],
          [2, 'deferred', true],
          [3, 'deferred', true],
        ]);
        expect(r.results[1]!.recipients[0]![1]).toBe('deferred');
        if (rset.startsWith('502')) expect(r.results[1]!.recipients[0]![3]).toBe('ERR_SMTP_CLIENT_RSET_REFUSED');
        // nothing after the group written ahead: no dot for the transaction the client does not know
        expect(r.writes.slice(3).join('')).toBe('');
        expect(r.server.messages).toHaveLength(1);
        expect(r.conn.closed).toBe(true);
      });
    }
  }
});

describe('354 after a refused MAIL', () => {
  it('no dot goes out (the server holds a transaction the client does not know: a dot would deliver it); the session ends, what is queued is deferred', () => {
    // a lax server: RCPT and DATA accepted although MAIL was refused
    const r = drive({ mail: '550 5.7.1 sender refused' }, {}, [msg(1), msg(2)]);
    expect(r.results).toEqual([
      { id: 1, outcome: 'failed', transient: false, recipients: [['r1@y.test', 'rejected', 550, undefined]] },
      { id: 2, outcome: 'deferred', transient: true, recipients: [['r2@y.test', 'deferred', undefined, 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY']] },
    ]);
    expect(r.server.messages).toHaveLength(0);
    expect(r.events).toContainEqual(expect.objectContaining({ type: 'error', code: 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY' }));
  });
});

describe('503 to MAIL (bad sequence of commands) is not the recipients’ verdict', () => {
  it('RSET and one more try in the same session: delivered', () => {
    const r = drive({ keepsRefused: true, mail: (n) => (n === 2 ? '503 5.5.1 Error: nested MAIL command' : '250 2.1.0 Ok') }, {}, [msg(1)], [msg(2)]);
    expect(r.results.map((m) => [m.outcome, m.recipients])).toEqual([
      ['delivered', [['r1@y.test', 'accepted', 250, undefined]]],
      ['delivered', [['r2@y.test', 'accepted', 250, undefined]]],
    ]);
    expect(r.server.commands.filter((c) => c.startsWith('MAIL') || c === 'RSET')).toEqual(['MAIL FROM:<s1@x.test> SIZE=22', 'MAIL FROM:<s2@x.test> SIZE=22', 'RSET', 'MAIL FROM:<s2@x.test> SIZE=22']);
  });

  for (const ehlo of [undefined, noPipelining]) {
    it(`503 again after RSET: deferred with the 503 (transient), the session goes on (${ehlo ? 'no PIPELINING' : 'PIPELINING'})`, () => {
      const r = drive({ keepsRefused: true, ...(ehlo ? { ehlo } : {}), mail: (n) => (n === 2 || n === 3 ? '503 5.5.1 Error: nested MAIL command' : '250 2.1.0 Ok') }, {}, [msg(1)], [msg(2), msg(3)]);
      expect(r.results.map((m) => [m.outcome, m.transient, m.recipients])).toEqual([
        ['delivered', false, [['r1@y.test', 'accepted', 250, undefined]]],
        ['deferred', true, [['r2@y.test', 'deferred', 503, undefined]]],
        ['delivered', false, [['r3@y.test', 'accepted', 250, undefined]]],
      ]);
      expect(r.server.commands.filter((c) => c === 'RSET')).toHaveLength(2);
    });
  }
});

describe('a refused RSET ends the session; the next message is deferred, never failed for good', () => {
  for (const [name, ehlo] of [['PIPELINING', undefined], ['no PIPELINING', noPipelining]] as const) {
    for (const rset of ['502 5.5.2 not now', '421 4.3.2 shutting down']) {
      it(`${rset.slice(0, 3)} to RSET (${name})`, () => {
        const r = drive({ ...eod451, ...(ehlo ? { ehlo } : {}), rset }, {}, [msg(1)], [msg(2)]);
        expect(r.results[0]!.outcome).toBe('deferred');
        expect(r.results[1]).toMatchObject({ outcome: 'deferred', transient: true });
        expect(r.results[1]!.recipients[0]![1]).toBe('deferred');
        if (rset.startsWith('502')) expect(r.results[1]!.recipients[0]![3]).toBe('ERR_SMTP_CLIENT_RSET_REFUSED');
        // no body of the second message reached the server (no dot after a 354 in an unknown transaction)
        expect(r.server.messages).toHaveLength(1);
        expect(r.conn.closed).toBe(true);
      });
    }
  }
});

describe('rsetWrittenAhead: false (a relay known to end the transaction whenever it refuses the dot)', () => {
  const off: ClientOptions = { rsetWrittenAhead: false };

  for (const [name, split] of splits) {
    it(`behind accepted dots: '.', MAIL, RCPT, DATA in one write with no RSET: 6 bytes fewer out and one reply fewer in per message written ahead (${name})`, () => {
      const r = drive({ keepsRefused: true }, off, [msg(1), msg(2), msg(3)], [], split);
      expect(r.results.map((m) => m.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
      expect(r.writes[2]).toBe('Subject: 1\r\n\r\nbody 1\r\n.\r\nMAIL FROM:<s2@x.test> SIZE=22\r\nRCPT TO:<r2@y.test>\r\nDATA\r\n');
      expect(r.writes[3]).toBe('Subject: 2\r\n\r\nbody 2\r\n.\r\nMAIL FROM:<s3@x.test> SIZE=22\r\nRCPT TO:<r3@y.test>\r\nDATA\r\n');
      // the same writes as with the RSET (no round trip either way), each 6 bytes shorter
      expect(r.writes).toHaveLength(6);
      expect(r.server.commands).not.toContain('RSET');
      const on = drive({ keepsRefused: true }, {}, [msg(1), msg(2), msg(3)], [], split);
      expect(on.writes.map((w, i) => w.length - r.writes[i]!.length)).toEqual([0, 0, 6, 6, 0, 0]);
      expect(on.server.commands.filter((c) => c === 'RSET')).toHaveLength(2);
    });

    it(`behind a dot the server refuses and ends: the message written ahead is delivered, no RSET at all (${name})`, () => {
      const r = drive({ final: (n) => (n === 1 ? '554 5.7.1 refused' : '250 2.0.0 Ok') }, off, [msg(1), msg(2), msg(3)], [], split);
      expect(r.results.map((m) => [m.id, m.outcome])).toEqual([
        [1, 'failed'],
        [2, 'delivered'],
        [3, 'delivered'],
      ]);
      expect(r.writes[2]).toBe('Subject: 1\r\n\r\nbody 1\r\n.\r\nMAIL FROM:<s2@x.test> SIZE=22\r\nRCPT TO:<r2@y.test>\r\nDATA\r\n');
      expect(r.server.commands).not.toContain('RSET');
      expect(r.server.messages.map((m) => [m.from, m.to])).toEqual([
        ['s1@x.test', ['r1@y.test']],
        ['s2@x.test', ['r2@y.test']],
        ['s3@x.test', ['r3@y.test']],
      ]);
    });

    it(`set wrongly, behind a dot the server refuses and keeps open (Postfix): nothing is delivered into the refused transaction; the session ends and the messages behind are deferred (${name})`, () => {
      const r = drive(eod451, off, [msg(1), msg(2), msg(3)], [], split);
      expect(r.results.map((m) => [m.id, m.outcome, m.transient])).toEqual([
        [1, 'deferred', true],
        [2, 'deferred', true],
        [3, 'deferred', true],
      ]);
      // its MAIL met '503 nested MAIL command', its DATA a 354: no dot went out for it
      expect(r.writes.slice(3).join('')).toBe('');
      expect(r.server.messages.map((m) => m.from)).toEqual(['s1@x.test']);
      expect(r.events).toContainEqual(expect.objectContaining({ type: 'error', code: 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY' }));
      expect(r.conn.closed).toBe(true);
    });

    it(`a refusal the client has seen still gets its RSET before the next MAIL (awaited sends, ${name})`, () => {
      const r = drive(eod451, off, [msg(1)], [msg(2)], split);
      expect(r.results.map((m) => m.outcome)).toEqual(['deferred', 'delivered']);
      expect(r.writes).toContain('RSET\r\nMAIL FROM:<s2@x.test> SIZE=22\r\nRCPT TO:<r2@y.test>\r\nDATA\r\n');
    });
  }

  it('true is the default: the RSET goes ahead as without the option', () => {
    const on = drive({ keepsRefused: true }, { rsetWrittenAhead: true }, [msg(1), msg(2)]);
    const dflt = drive({ keepsRefused: true }, {}, [msg(1), msg(2)]);
    expect(on.writes).toEqual(dflt.writes);
    expect(on.writes[2]).toBe('Subject: 1\r\n\r\nbody 1\r\n.\r\nRSET\r\nMAIL FROM:<s2@x.test> SIZE=22\r\nRCPT TO:<r2@y.test>\r\nDATA\r\n');
  });
});
