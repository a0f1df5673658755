// A chunk of the wrong type given to writeBody() is refused (ERR_SMTP_CLIENT_INVALID_PARAMETER,
// nothing of it written), and the message can no longer be delivered: what is written after it is
// dropped, and endBody() fails the message with that code. With BDAT the transaction is abandoned
// (no BDAT LAST; RSET before the next MAIL, the connection goes on); with DATA, after the 354 the
// body cannot be abandoned in-band, so the session ends without the final dot. Before, endBody()
// sent the message without the refused chunk and it was reported delivered: silently altered.
import { describe, expect, it } from 'vitest';
import { ClientConnection } from '../src/index.js';
import type { ClientEvent } from '../src/index.js';
import { ScriptedServer, run, sent } from './scripted-server.js';

/** 70,000 octets: one BDAT chunk of its own (over BDAT_MIN_CHUNK) goes out before the bad write. */
const FIRST = ('a'.repeat(98) + '\r\n').repeat(700);
const AFTER = 'b'.repeat(98) + '\r\n';
const SECOND = 'Subject: two\r\n\r\nthe next message\r\n';

function session(chunking: boolean, pipelining: boolean): { events: ClientEvent[]; server: ScriptedServer; thrown: unknown[]; late: unknown[] } {
  const server = new ScriptedServer({ ehlo: [...(pipelining ? ['PIPELINING'] : []), 'CHUNKING', '8BITMIME'] });
  const conn = new ClientConnection({ security: 'off', chunking });
  const first = conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
  conn.sendMessage({ from: 'a@x.test', to: ['c@y.test'], body: SECOND });
  conn.quit();
  const thrown: unknown[] = [];
  const late: unknown[] = [];
  let ended = false;
  const events = run(conn, server, {
    onNeedBody: (e, n) => {
      if (e.messageId !== first) return;
      if (n === 0) {
        conn.writeBody(FIRST);
        try {
          conn.writeBody(42 as unknown as string);
        } catch (err) {
          thrown.push(err);
        }
        conn.writeBody(AFTER); // dropped: the message can no longer be delivered
        return;
      }
      // the caller carries on and ends the body it could not complete (once: the writes above may
      // have queued more than one need-body)
      if (ended) return;
      ended = true;
      try {
        conn.endBody();
      } catch (err) {
        late.push(err);
      }
    },
  });
  return { events, server, thrown, late };
}

describe('writeBody() with a chunk of the wrong type', () => {
  for (const pipelining of [true, false]) {
    const mode = pipelining ? 'PIPELINING' : 'no PIPELINING';

    it(`BDAT, ${mode}: the message fails (no BDAT LAST), RSET ends its transaction, the next message is delivered`, () => {
      const { events, server, thrown, late } = session(true, pipelining);
      expect(thrown).toMatchObject([{ code: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' }]);
      expect(late).toEqual([]);
      const [one, two] = sent(events);
      expect(one).toMatchObject({ outcome: 'failed', transient: false, errorCode: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' });
      expect(one!.recipients).toMatchObject([{ address: 'b@y.test', status: 'rejected', permanent: true, errorCode: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' }]);
      expect(two).toMatchObject({ outcome: 'delivered' });
      // the first message's chunk went, then nothing more of it: no LAST, no chunk after the bad one
      expect(server.bdatSizes).toEqual([FIRST.length, SECOND.length]);
      expect(server.messages.map((m) => new TextDecoder().decode(m.content))).toEqual([SECOND]);
      const verbs = server.commands.map((c) => c.split(' ')[0]);
      expect(verbs.slice(verbs.indexOf('BDAT'))).toEqual(['BDAT', 'RSET', 'MAIL', 'RCPT', 'BDAT', 'QUIT']);
    });

    it(`DATA, ${mode}: the session ends without the final dot, nothing is delivered, the next message is deferred`, () => {
      const { events, server, thrown, late } = session(false, pipelining);
      expect(thrown).toMatchObject([{ code: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' }]);
      expect(late).toEqual([]);
      const [one, two] = sent(events);
      expect(one).toMatchObject({ outcome: 'failed', transient: false, errorCode: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' });
      expect(one!.recipients).toMatchObject([{ address: 'b@y.test', status: 'rejected', permanent: true }]);
      expect(two).toMatchObject({ outcome: 'deferred', transient: true });
      expect(events.filter((e) => e.type === 'error')).toMatchObject([{ code: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' }]);
      expect(events.at(-1)).toMatchObject({ type: 'closed', reason: 'error' });
      // the server never saw the end of data: no message, no command after DATA
      expect(server.messages).toEqual([]);
      expect(server.commands.at(-1)).toBe('DATA');
    });
  }

  it('a write after endBody() of the failed body is ERR_SMTP_CLIENT_NOT_IN_BODY, as after any endBody()', () => {
    const server = new ScriptedServer({ ehlo: ['PIPELINING', 'CHUNKING'] });
    const conn = new ClientConnection({ security: 'off', chunking: true });
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
    const after: unknown[] = [];
    run(conn, server, {
      onNeedBody: (_e, n) => {
        if (n > 0) return;
        expect(() => conn.writeBody(null as unknown as string)).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' }));
        conn.endBody();
        try {
          conn.writeBody('late\r\n');
        } catch (err) {
          after.push(err);
        }
      },
    });
    expect(after).toMatchObject([{ code: 'ERR_SMTP_CLIENT_NOT_IN_BODY' }]);
    expect(server.messages).toEqual([]);
  });
});
