// writeBody()/endBody() name no message: with several messages in one session, a write that comes
// late (its message already settled, the machine at the next message's need-body) lands in the
// next message's body. The optional message id (need-body's `messageId`, sendMessage()'s return)
// checks it: a write for another message is ERR_SMTP_CLIENT_NOT_IN_BODY, or, for a message whose
// body a refused BDAT chunk ended, dropped as any write after that refusal is.
import { describe, expect, it } from 'vitest';
import { ClientConnection } from '../src/index.js';
import type { ClientEvent } from '../src/index.js';
import { ScriptedServer, run, sent } from './scripted-server.js';

const dec = new TextDecoder();
/** 70,000 octets: a BDAT chunk of its own. */
const ONE = ('1'.repeat(98) + '\r\n').repeat(700);
const LATE = 'late line of message one\r\n';
const TWO = 'Subject: two\r\n\r\nmessage two\r\n';

/**
 * Two streamed messages over BDAT with PIPELINING; the server refuses message one's first chunk.
 * At message two's first need-body, the writer of message one, late, writes once more (`late`),
 * then message two is written and ended (`own`).
 */
function refusedThenNext(late: (conn: ClientConnection, one: number) => void, own: (conn: ClientConnection, two: number) => void): { events: ClientEvent[]; server: ScriptedServer } {
  const server = new ScriptedServer({ ehlo: ['PIPELINING', 'CHUNKING'], bdatChunk: (n) => (n === 1 ? '552 5.3.4 message too big' : '250 2.0.0 chunk ok') });
  const conn = new ClientConnection({ security: 'off', chunking: true });
  const one = conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
  const two = conn.sendMessage({ from: 'a@x.test', to: ['c@y.test'] });
  conn.quit();
  const events = run(conn, server, {
    onNeedBody: (e, n) => {
      if (n > 0) return;
      if (e.messageId === one) conn.writeBody(ONE);
      else {
        late(conn, one);
        own(conn, two);
      }
    },
  });
  return { events, server };
}

describe('a late body write, with several messages in one session', () => {
  it('without a message id it lands in the next message: the hazard the id removes', () => {
    const { events, server } = refusedThenNext(
      (conn) => conn.writeBody(LATE),
      (conn) => {
        conn.writeBody(TWO);
        conn.endBody();
      },
    );
    expect(sent(events).map((e) => e.outcome)).toEqual(['failed', 'delivered']);
    expect(server.messages.map((m) => dec.decode(m.content))).toEqual([LATE + TWO]);
  });

  it("with the message id, a write for the message whose chunk was refused is dropped, and the next message is its own", () => {
    const { events, server } = refusedThenNext(
      (conn, one) => {
        conn.writeBody(LATE, one);
        conn.endBody(one);
      },
      (conn, two) => {
        conn.writeBody(TWO, two);
        conn.endBody(two);
      },
    );
    expect(sent(events).map((e) => e.outcome)).toEqual(['failed', 'delivered']);
    expect(server.messages.map((m) => dec.decode(m.content))).toEqual([TWO]);
  });

  for (const chunking of [false, true]) {
    it(`${chunking ? 'BDAT' : 'DATA'}: a write for a message that ended, or for one whose body phase has not begun, is ERR_SMTP_CLIENT_NOT_IN_BODY and changes nothing`, () => {
      const server = new ScriptedServer({ ehlo: ['PIPELINING', 'CHUNKING'] });
      const conn = new ClientConnection({ security: 'off', chunking });
      const one = conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
      const two = conn.sendMessage({ from: 'a@x.test', to: ['c@y.test'] });
      conn.quit();
      const codes: unknown[] = [];
      const attempt = (f: () => void): void => {
        try {
          f();
        } catch (err) {
          codes.push((err as { code?: unknown }).code);
        }
      };
      const events = run(conn, server, {
        onNeedBody: (e, n) => {
          if (n > 0) return;
          if (e.messageId === one) {
            attempt(() => conn.writeBody('not yet\r\n', two)); // message two's body phase has not begun
            attempt(() => conn.endBody(two));
            conn.writeBody('Subject: one\r\n\r\none\r\n', one);
            conn.endBody(one);
            return;
          }
          attempt(() => conn.writeBody(LATE, one)); // message one ended: late
          attempt(() => conn.endBody(one));
          attempt(() => conn.writeBody(LATE, 99)); // no such message
          conn.writeBody(TWO, two);
          conn.endBody(two);
        },
      });
      expect(codes).toEqual(Array(5).fill('ERR_SMTP_CLIENT_NOT_IN_BODY'));
      expect(sent(events).map((e) => e.outcome)).toEqual(['delivered', 'delivered']);
      expect(server.messages.map((m) => dec.decode(m.content))).toEqual(['Subject: one\r\n\r\none\r\n', TWO]);
    });
  }

  it('an id that is no message\'s (not an integer) is ERR_SMTP_CLIENT_NOT_IN_BODY, and the body goes on', () => {
    const server = new ScriptedServer({ ehlo: ['PIPELINING'] });
    const conn = new ClientConnection({ security: 'off' });
    const id = conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
    conn.quit();
    const codes: unknown[] = [];
    const events = run(conn, server, {
      onNeedBody: (_e, n) => {
        if (n > 0) return;
        for (const bad of ['1', 1.5, null, NaN]) {
          try {
            conn.writeBody('x\r\n', bad as unknown as number);
          } catch (err) {
            codes.push((err as { code?: unknown }).code);
          }
        }
        conn.writeBody(TWO, id);
        conn.endBody(id);
      },
    });
    expect(codes).toEqual(Array(4).fill('ERR_SMTP_CLIENT_NOT_IN_BODY'));
    expect(sent(events).map((e) => e.outcome)).toEqual(['delivered']);
    expect(server.messages.map((m) => dec.decode(m.content))).toEqual([TWO]);
  });
});
