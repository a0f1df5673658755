// `closing`: a connection that takes no more messages (QUIT asked for by the caller, by the idle
// timer, or by the session itself after a refused RSET) before its session has ended. Callers that
// reuse connections (createPool, smtp send) treat it like a closed one: `sendMessage()` throws.
import { describe, expect, it } from 'vitest';
import { ClientConnection } from '../src/index.js';
import type { ClientEvent } from '../src/index.js';
import { step } from './step.js';

const msg = (to: string) => ({ from: 'a@x.test', to: [to], body: 'Subject: t\r\n\r\nhi\r\n' });

/** A connection without PIPELINING, greeted and idle. */
function greeted(): ClientConnection {
  const conn = new ClientConnection({ hostname: 'c.test' });
  expect(step(conn, '220 mx.test ESMTP\r\n')).toBe('EHLO c.test\r\n');
  expect(step(conn, '250-mx.test\r\n250 8BITMIME\r\n')).toBe('');
  return conn;
}

describe('ClientConnection.closing', () => {
  it('after a refused RSET (no PIPELINING) the connection is closing, not closed: no message can be queued on it', () => {
    const conn = greeted();
    expect(conn.closing).toBe(false);
    conn.sendMessage(msg('r1@y.test'));
    expect(step(conn, '')).toBe('MAIL FROM:<a@x.test>\r\n');
    expect(step(conn, '250 ok\r\n')).toBe('RCPT TO:<r1@y.test>\r\n');
    expect(step(conn, '250 ok\r\n')).toBe('DATA\r\n');
    expect(step(conn, '354 go\r\n')).toMatch(/\r\n\.\r\n$/);
    const events: ClientEvent[] = [];
    conn.sendMessage(msg('r2@y.test'));
    expect(step(conn, '554 5.7.1 content refused\r\n', events)).toBe('RSET\r\n');
    expect(conn.closing).toBe(false);
    expect(step(conn, '500 5.5.1 no RSET\r\n', events)).toBe('QUIT\r\n');
    expect(events.filter((e) => e.type === 'message-sent')).toMatchObject([{ outcome: 'failed' }, { outcome: 'deferred', errorCode: 'ERR_SMTP_CLIENT_RSET_REFUSED' }]);
    expect([conn.closing, conn.closed]).toEqual([true, false]);
    expect(() => conn.sendMessage(msg('r3@y.test'))).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_CLOSED' }));
    step(conn, '221 bye\r\n');
    expect([conn.closing, conn.closed]).toEqual([true, true]);
  });

  it('after the idle timer sent QUIT, and after quit(), before the 221', () => {
    const conn = greeted();
    const t = conn.pendingTimeout();
    expect(t?.name).toBe('idle');
    conn.handleTimeout(t!.id);
    expect(step(conn, '')).toBe('QUIT\r\n');
    expect([conn.closing, conn.closed]).toEqual([true, false]);
    const other = greeted();
    other.quit();
    expect([other.closing, other.closed]).toEqual([true, false]);
  });
});
