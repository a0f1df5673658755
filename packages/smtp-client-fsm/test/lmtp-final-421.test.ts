// LMTP (RFC 2033 §4.2): after the final dot, one reply per accepted recipient, in RCPT order. A 421
// among them answers its own recipient only; the recipients after it got no reply after the final
// dot and are `unknown` (maybe delivered), as when the connection drops there.
import { describe, expect, it } from 'vitest';
import { ClientConnection } from '../src/index.js';
import type { ClientEvent } from '../src/index.js';
import { step } from './step.js';

/** LMTP, no PIPELINING, three recipients accepted, DATA answered: the final dot is out. */
function afterDot(events: ClientEvent[], queueAnother = false): ClientConnection {
  const conn = new ClientConnection({ lmtp: true, hostname: 'c.test' });
  conn.sendMessage({ from: 's@x.test', to: ['a@y.test', 'b@y.test', 'c@y.test'], body: 'Subject: t\r\n\r\nhi\r\n' });
  if (queueAnother) conn.sendMessage({ from: 's@x.test', to: ['d@y.test'], body: 'Subject: t\r\n\r\nhi\r\n' });
  step(conn, '220 lmtp.test LMTP\r\n', events);
  expect(step(conn, '250-lmtp.test\r\n250 8BITMIME\r\n', events)).toBe('MAIL FROM:<s@x.test>\r\n');
  step(conn, '250 ok\r\n', events);
  step(conn, '250 ok\r\n', events);
  step(conn, '250 ok\r\n', events);
  expect(step(conn, '250 ok\r\n', events)).toBe('DATA\r\n');
  expect(step(conn, '354 go\r\n', events)).toMatch(/\r\n\.\r\n$/);
  return conn;
}

const statuses = (events: ClientEvent[]) =>
  events.filter((e) => e.type === 'message-sent').map((e) => e.recipients.map((r) => [r.address, r.status, r.reply?.code ?? r.errorCode]));

describe('LMTP: a 421 among the replies after the final dot', () => {
  it('250 (a), 421 (b), close: b is deferred with the 421, c (no reply) is unknown', () => {
    const events: ClientEvent[] = [];
    const conn = afterDot(events);
    step(conn, '250 2.1.5 a delivered\r\n421 4.3.2 b: shutting down\r\n', events);
    expect(conn.closed).toBe(true);
    expect(statuses(events)).toEqual([[['a@y.test', 'accepted', 250], ['b@y.test', 'deferred', 421], ['c@y.test', 'unknown', 'ERR_SMTP_CLIENT_CONNECTION_LOST']]]);
    expect(events.find((e) => e.type === 'message-sent')).toMatchObject({ outcome: 'partial' });
  });

  it('421 as the first reply: a is deferred with it, b and c are unknown; a message queued behind is deferred with the 421', () => {
    const events: ClientEvent[] = [];
    const conn = afterDot(events, true);
    step(conn, '421 4.3.2 shutting down\r\n', events);
    expect(statuses(events)).toEqual([
      [['a@y.test', 'deferred', 421], ['b@y.test', 'unknown', 'ERR_SMTP_CLIENT_CONNECTION_LOST'], ['c@y.test', 'unknown', 'ERR_SMTP_CLIENT_CONNECTION_LOST']],
      [['d@y.test', 'deferred', 421]],
    ]);
    expect(events.find((e) => e.type === 'message-sent')).toMatchObject({ outcome: 'unknown' });
  });

  it('SMTP (not LMTP): a 421 to the final dot is the answer to the message, every recipient deferred', () => {
    const events: ClientEvent[] = [];
    const conn = new ClientConnection({ hostname: 'c.test' });
    conn.sendMessage({ from: 's@x.test', to: ['a@y.test', 'b@y.test'], body: 'x\r\n' });
    step(conn, '220 mx.test\r\n', events);
    step(conn, '250-mx.test\r\n250 8BITMIME\r\n', events);
    step(conn, '250 ok\r\n', events);
    step(conn, '250 ok\r\n', events);
    step(conn, '250 ok\r\n', events);
    step(conn, '354 go\r\n', events);
    step(conn, '421 4.3.2 shutting down\r\n', events);
    expect(statuses(events)).toEqual([[['a@y.test', 'deferred', 421], ['b@y.test', 'deferred', 421]]]);
  });
});
