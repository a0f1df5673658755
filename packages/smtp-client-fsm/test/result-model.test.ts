// One message, one truthful result (issue 16, defect 1): every transaction a message took is
// combined; each recipient has one final status; follow-up transactions only for recipient limits.
import { describe, expect, it } from 'vitest';
import { ClientConnection, messageOutcome } from '../src/index.js';
import { ScriptedServer, run, sent } from './scripted-server.js';
import type { Script } from './scripted-server.js';

function send(script: Script, to: string[], opts: ConstructorParameters<typeof ClientConnection>[0] = {}) {
  const server = new ScriptedServer(script);
  const conn = new ClientConnection(opts);
  conn.sendMessage({ from: 'a@x.test', to, body: 'Subject: t\r\n\r\nhi\r\n' });
  conn.quit();
  const events = run(conn, server);
  return { server, m: sent(events)[0]!, events };
}

describe('result model', () => {
  it('a limit 452 (4.5.3) starts a follow-up; a failed follow-up leaves the queued recipient accepted and the reply truthful', () => {
    let txn = 0;
    const { server, m } = send(
      {
        mail: '250 2.1.0 ok',
        rcpt: (addr, i) => {
          if (i === 0) txn++;
          if (txn === 1) return i === 0 ? '250 2.1.5 ok' : '452 4.5.3 Error: too many recipients';
          return '550 5.1.1 no such user';
        },
        final: '250 2.0.0 Ok: queued as FIRST',
      },
      ['one@y.test', 'two@y.test'],
    );
    expect(server.commands.filter((c) => c.startsWith('MAIL'))).toHaveLength(2);
    expect(server.messages).toHaveLength(1);
    expect(m.outcome).toBe('partial');
    expect(m.reply?.text).toContain('FIRST');
    expect(m.recipients.map((r) => [r.address, r.status, r.reply?.code])).toEqual([
      ['one@y.test', 'accepted', 250],
      ['two@y.test', 'rejected', 550],
    ]);
    expect(m.recipients[0]!.reply?.text).toContain('FIRST');
    expect(m.transactions).toBe(2);
  });

  for (const reply of ['452 4.2.2 mailbox full', '452 4.7.1 greylisted, try later']) {
    it(`"${reply}" is that recipient's deferral, not a recipient limit: no follow-up`, () => {
      const { server, m } = send({ rcpt: (a) => (a.startsWith('two') ? reply : '250 2.1.5 ok') }, ['one@y.test', 'two@y.test']);
      expect(server.commands.filter((c) => c.startsWith('MAIL'))).toHaveLength(1);
      expect(m.outcome).toBe('partial');
      expect(m.transient).toBe(true);
      expect(m.recipients.map((r) => r.status)).toEqual(['accepted', 'deferred']);
      expect(m.recipients[1]!.reply?.code).toBe(452);
    });
  }

  it('a 452 without an enhanced code is a limit only past the 100 recipients a server must accept', () => {
    const few = send({ rcpt: (a) => (a.startsWith('two') ? '452 too many' : '250 ok') }, ['one@y.test', 'two@y.test']);
    expect(few.server.commands.filter((c) => c.startsWith('MAIL'))).toHaveLength(1);
    expect(few.m.recipients[1]!.status).toBe('deferred');
    const to = Array.from({ length: 102 }, (_, i) => `r${i}@y.test`);
    let txn = 0;
    const rcpt = (_a: string, i: number): string => {
      if (i === 0) txn++;
      return txn === 1 && i >= 100 ? '452 too many recipients' : '250 ok';
    };
    const many = send({ rcpt }, to, { maxRecipientsPerTransaction: 150 });
    expect(many.server.commands.filter((c) => c.startsWith('MAIL'))).toHaveLength(2);
    expect(many.m.outcome).toBe('delivered');
    expect(many.m.recipients.filter((r) => r.transaction === 1).map((r) => r.address)).toEqual(['r100@y.test', 'r101@y.test']);
  });

  it('outcomes: deferred when every recipient may succeed later, failed when one is refused for good', () => {
    expect(send({ rcpt: () => '451 4.3.0 later' }, ['a@y.test', 'b@y.test']).m).toMatchObject({ outcome: 'deferred', transient: true });
    expect(send({ rcpt: (a) => (a.startsWith('a') ? '451 4.3.0 later' : '550 5.1.1 no') }, ['a@y.test', 'b@y.test']).m).toMatchObject({ outcome: 'failed', transient: true });
    expect(send({ rcpt: () => '550 5.1.1 no' }, ['a@y.test']).m).toMatchObject({ outcome: 'failed', transient: false });
  });

  it('no reply after the final dot: unknown, never transient', () => {
    const server = new ScriptedServer({});
    const conn = new ClientConnection();
    conn.sendMessage({ from: 'a@x.test', to: ['a@y.test', 'b@y.test'], body: 'x' });
    conn.receiveData(server.output());
    server.push(conn.dataToSend()); // EHLO
    conn.receiveData(server.output());
    server.push(conn.dataToSend()); // MAIL, RCPT, RCPT, DATA
    conn.receiveData(server.output());
    conn.dataToSend(); // body and dot: the server never answers
    conn.receiveEof();
    const events = [];
    for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) events.push(e);
    const r = sent(events)[0]!;
    expect(r.outcome).toBe('unknown');
    expect(r.transient).toBe(false);
    expect(r.reply).toBeUndefined();
    expect(r.recipients.map((x) => [x.status, x.transient, x.permanent])).toEqual([
      ['unknown', false, false],
      ['unknown', false, false],
    ]);
  });

  it('messageOutcome computes the outcome from statuses', () => {
    expect(messageOutcome([{ status: 'accepted' }, { status: 'unknown' }])).toBe('partial');
    expect(messageOutcome([{ status: 'unknown' }, { status: 'rejected' }])).toBe('unknown');
    expect(messageOutcome([{ status: 'deferred' }])).toBe('deferred');
    expect(messageOutcome([{ status: 'deferred' }, { status: 'rejected' }])).toBe('failed');
    expect(messageOutcome([])).toBe('failed');
  });
});
