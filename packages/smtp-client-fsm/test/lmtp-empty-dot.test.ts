// LMTP (RFC 2033 §4.2) answers the end of data once per accepted recipient. A server that answers
// DATA with 354 although it refused every recipient (RFC 2033 says 503) gets the empty body (a
// lone dot, RFC 2920 §3.1) and owes no reply to it: the client does not wait for one, and since
// such a server may still send one, it cannot tell which reply answers what any longer: it ends
// the session with QUIT rather than read a stray reply as the next command's.
import { describe, expect, it } from 'vitest';
import { ClientConnection } from '../src/index.js';
import type { ClientEvent } from '../src/index.js';
import { step } from './step.js';

const results = (events: ClientEvent[]) =>
  events.filter((e) => e.type === 'message-sent').map((e) => e.recipients.map((r) => [r.address, r.status, r.reply?.code ?? r.errorCode]));

describe('LMTP: 354 to DATA with no recipient accepted', () => {
  it('writes the lone dot, then QUIT at once: no reply awaited for the dot, every refusal kept, the next message not sent on this connection', () => {
    const events: ClientEvent[] = [];
    const conn = new ClientConnection({ lmtp: true, hostname: 'c.test' });
    conn.sendMessage({ from: 's@x.test', to: ['a@y.test', 'b@y.test'], body: 'Subject: t\r\n\r\nhi\r\n' });
    conn.sendMessage({ from: 's@x.test', to: ['c@y.test'], body: 'Subject: t\r\n\r\nhi\r\n' });
    step(conn, '220 lmtp.test LMTP\r\n', events);
    expect(step(conn, '250-lmtp.test\r\n250 PIPELINING\r\n', events)).toBe('MAIL FROM:<s@x.test>\r\nRCPT TO:<a@y.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n');
    // both recipients refused, and yet 354
    expect(step(conn, '250 ok\r\n550 5.1.1 a: no such user\r\n450 4.2.1 b: try later\r\n354 go\r\n', events)).toBe('.\r\nQUIT\r\n');
    // the refusals stand; the next message waits for another connection
    expect(results(events)).toEqual([
      [['a@y.test', 'rejected', 550], ['b@y.test', 'deferred', 450]],
      [['c@y.test', 'deferred', 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY']],
    ]);
    // a stray reply to the dot is QUIT's, not a next command's
    expect(step(conn, '250 2.0.0 ok\r\n', events)).toBe('');
    expect(conn.closed).toBe(true);
    expect(results(events)).toHaveLength(2);
  });

  it('SMTP keeps waiting for the one reply the lone dot gets (RFC 5321: every end of data is answered)', () => {
    const events: ClientEvent[] = [];
    const conn = new ClientConnection({ hostname: 'c.test' });
    conn.sendMessage({ from: 's@x.test', to: ['a@y.test'], body: 'Subject: t\r\n\r\nhi\r\n' });
    step(conn, '220 mx.test ESMTP\r\n', events);
    step(conn, '250-mx.test\r\n250 PIPELINING\r\n', events);
    expect(step(conn, '250 ok\r\n550 5.1.1 no such user\r\n354 go\r\n', events)).toBe('.\r\n');
    expect(step(conn, '554 5.5.1 no valid recipients\r\n', events)).toBe('');
    expect(results(events)).toEqual([[['a@y.test', 'rejected', 550]]]);
    expect(conn.closed).toBe(false);
  });
});
