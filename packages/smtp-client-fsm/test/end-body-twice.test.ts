// A burst of writeBody() calls queues one need-body event per write; a caller that acts on each one
// (writes while its source has data, endBody() once it is exhausted) calls endBody() more than once
// for the same message. Every call after the first is ERR_SMTP_CLIENT_NOT_IN_BODY, a local usage
// error thrown before anything changes: never a second end of data, nor an end of the next
// message's body, with or without the message id, over DATA and BDAT.
import { describe, expect, it } from 'vitest';
import { ClientConnection, isSmtpClientError } from '../src/index.js';
import { ScriptedServer, run, sent } from './scripted-server.js';

const dec = new TextDecoder();
const PARTS = ['Subject: one\r\n', '\r\n', 'first message\r\n'];
const TWO = 'Subject: two\r\n\r\nsecond message\r\n';

describe('endBody() called again for a message whose body has ended', () => {
  for (const chunking of [false, true]) {
    for (const withId of [true, false]) {
      it(`${chunking ? 'BDAT' : 'DATA'}, ${withId ? 'with' : 'without'} the message id: ERR_SMTP_CLIENT_NOT_IN_BODY for each stale need-body, one end of data, the next message whole`, () => {
        const server = new ScriptedServer({ ehlo: ['PIPELINING', 'CHUNKING'] });
        const conn = new ClientConnection({ security: 'off', chunking });
        const one = conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
        const two = conn.sendMessage({ from: 'a@x.test', to: ['c@y.test'] });
        conn.quit();
        const thrown: unknown[] = [];
        let needBodyOne = 0;
        const events = run(conn, server, {
          onNeedBody: (e, n) => {
            const id = withId ? e.messageId : undefined;
            if (e.messageId === two) {
              if (n === 0) {
                conn.writeBody(TWO, id);
                conn.endBody(id);
              }
              return;
            }
            needBodyOne++;
            // the burst: three writes for the first need-body, each queueing one more
            if (n === 0) return PARTS.forEach((p) => conn.writeBody(p, id));
            // the source is exhausted: each of the queued need-body events ends the body
            try {
              conn.endBody(id);
            } catch (err) {
              thrown.push(err);
            }
          },
        });
        expect(needBodyOne).toBe(4);
        // the first of the three ended the body; the two after it were refused
        expect(thrown).toHaveLength(2);
        for (const err of thrown) {
          expect(isSmtpClientError(err)).toBe(true);
          expect(err).toMatchObject({ code: 'ERR_SMTP_CLIENT_NOT_IN_BODY', kind: 'local' });
        }
        expect(sent(events).map((e) => [e.messageId, e.outcome])).toEqual([
          [one, 'delivered'],
          [two, 'delivered'],
        ]);
        expect(server.messages.map((m) => dec.decode(m.content))).toEqual([PARTS.join(''), TWO]);
        // one end of data per message: one final dot (DATA) or one BDAT ... LAST
        expect(server.commands.filter((c) => (chunking ? / LAST$/.test(c) : c === 'DATA'))).toHaveLength(2);
        expect(events.filter((e) => e.type === 'error')).toEqual([]);
      });
    }
  }

  it('a stale endBody(id) that comes once the next message is in its body phase is ERR_SMTP_CLIENT_NOT_IN_BODY and leaves that body as it is', () => {
    const server = new ScriptedServer({ ehlo: ['PIPELINING'] });
    const conn = new ClientConnection({ security: 'off' });
    const one = conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
    const two = conn.sendMessage({ from: 'a@x.test', to: ['c@y.test'] });
    conn.quit();
    const codes: unknown[] = [];
    const events = run(conn, server, {
      onNeedBody: (e, n) => {
        if (n > 0) return;
        if (e.messageId === one) {
          conn.writeBody(PARTS.join(''), one);
          conn.endBody(one);
          return;
        }
        // message one's writer, late, acts on a need-body it had kept
        try {
          conn.endBody(one);
        } catch (err) {
          codes.push((err as { code?: unknown }).code);
        }
        conn.writeBody(TWO, two);
        conn.endBody(two);
      },
    });
    expect(codes).toEqual(['ERR_SMTP_CLIENT_NOT_IN_BODY']);
    expect(sent(events).map((e) => e.outcome)).toEqual(['delivered', 'delivered']);
    expect(server.messages.map((m) => dec.decode(m.content))).toEqual([PARTS.join(''), TWO]);
  });
});
