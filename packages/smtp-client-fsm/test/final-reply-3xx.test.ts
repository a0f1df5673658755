// A 3xx to the end of data (the final dot, BDAT LAST, or one of LMTP's per-recipient replies) is
// neither an acceptance nor a refusal (RFC 5321 §4.2.1, §4.1.1.4): the server has read the whole
// message and its answer says nothing about it, so the message may have been queued. It is
// `unknown` (never `deferred`, which a retry queue would send again), and the session ends.
import { describe, expect, it } from 'vitest';
import { ClientConnection } from '../src/index.js';
import type { ClientEvent } from '../src/index.js';
import { step } from './step.js';

const statuses = (events: ClientEvent[]) =>
  events.filter((e) => e.type === 'message-sent').map((e) => [e.outcome, e.recipients.map((r) => [r.address, r.status, r.errorCode])]);

describe('a 3xx reply to the end of data', () => {
  it.each(['354 go ahead', '334 VXNlcm5hbWU6', '300 odd'])('SMTP, %s after the dot: unknown, the session ends; the message written ahead is deferred', (reply) => {
    const events: ClientEvent[] = [];
    const conn = new ClientConnection({ hostname: 'c.test', security: 'off' });
    conn.sendMessage({ from: 's@x.test', to: ['a@y.test', 'b@y.test'], body: 'Subject: t\r\n\r\nhi\r\n' });
    conn.sendMessage({ from: 's@x.test', to: ['c@y.test'], body: 'Subject: t\r\n\r\nhi\r\n' });
    step(conn, '220 mx.test\r\n', events);
    expect(step(conn, '250-mx.test\r\n250 PIPELINING\r\n', events)).toBe('MAIL FROM:<s@x.test>\r\nRCPT TO:<a@y.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n');
    expect(step(conn, '250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n', events)).toMatch(/\r\n\.\r\nRSET\r\nMAIL FROM/);
    expect(step(conn, `${reply}\r\n`, events)).toBe('');
    expect(conn.closed).toBe(true);
    expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY', reply: { code: Number(reply.slice(0, 3)) } });
    expect(statuses(events)).toEqual([
      ['unknown', [['a@y.test', 'unknown', 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY'], ['b@y.test', 'unknown', 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY']]],
      ['deferred', [['c@y.test', 'deferred', 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY']]],
    ]);
  });

  it('BDAT LAST answered 354: unknown', () => {
    const events: ClientEvent[] = [];
    const conn = new ClientConnection({ hostname: 'c.test', security: 'off', chunking: true });
    conn.sendMessage({ from: 's@x.test', to: ['a@y.test'], body: 'Subject: t\r\n\r\nhi\r\n' });
    step(conn, '220 mx.test\r\n', events);
    step(conn, '250-mx.test\r\n250-PIPELINING\r\n250 CHUNKING\r\n', events);
    expect(step(conn, '250 ok\r\n250 ok\r\n', events)).toMatch(/^BDAT \d+ LAST\r\n/);
    step(conn, '354 what\r\n', events);
    expect(conn.closed).toBe(true);
    expect(statuses(events)).toEqual([['unknown', [['a@y.test', 'unknown', 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY']]]]);
  });

  it('LMTP: 250 for a, 354 for b: a accepted, b and c (no reply yet) unknown', () => {
    const events: ClientEvent[] = [];
    const conn = new ClientConnection({ hostname: 'c.test', security: 'off', lmtp: true });
    conn.sendMessage({ from: 's@x.test', to: ['a@y.test', 'b@y.test', 'c@y.test'], body: 'Subject: t\r\n\r\nhi\r\n' });
    step(conn, '220 lmtp.test\r\n', events);
    step(conn, '250-lmtp.test\r\n250 PIPELINING\r\n', events);
    expect(step(conn, '250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n', events)).toMatch(/\r\n\.\r\n$/);
    step(conn, '250 2.1.5 a delivered\r\n354 b?\r\n', events);
    expect(conn.closed).toBe(true);
    expect(statuses(events)).toEqual([
      ['partial', [['a@y.test', 'accepted', undefined], ['b@y.test', 'unknown', 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY'], ['c@y.test', 'unknown', 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY']]],
    ]);
  });

  it('a 2xx or a refusal after the dot is unchanged: 250 delivers, 451 defers, 554 rejects', () => {
    for (const [reply, outcome] of [['250 ok', 'delivered'], ['451 4.3.0 later', 'deferred'], ['554 5.6.0 no', 'failed']] as const) {
      const events: ClientEvent[] = [];
      const conn = new ClientConnection({ hostname: 'c.test', security: 'off' });
      conn.sendMessage({ from: 's@x.test', to: ['a@y.test'], body: 'hi\r\n' });
      step(conn, '220 mx.test\r\n', events);
      step(conn, '250-mx.test\r\n250 PIPELINING\r\n', events);
      step(conn, '250 ok\r\n250 ok\r\n354 go\r\n', events);
      step(conn, `${reply}\r\n`, events);
      expect(conn.closed).toBe(false);
      expect(statuses(events)[0]![0]).toBe(outcome);
    }
  });
});
