// A 3xx where no intermediate reply can come: to a BDAT chunk that is not the LAST one (RFC 3030
// §2: every BDAT is answered 2xx, 4xx or 5xx), and to MAIL or RCPT (RFC 5321 §4.3.2), pipelined
// or not. The server is out of step with the client, and it cannot have accepted the message: no
// end of data has gone (no LAST chunk, no DATA body). So the session ends as for other protocol
// errors (`ERR_SMTP_CLIENT_UNEXPECTED_REPLY`, nothing more written), and the recipients of the
// transaction, and everything queued, are `deferred`: never `delivered`, and never `rejected` (a
// bounce for a reply that refused nothing). With PIPELINING, a BDAT LAST written behind the chunk
// may still be accepted: then the recipients are `unknown`, as whenever the session ends after
// the end of data went out without its reply (a retry could duplicate the message).
// Before, such a reply was taken as a transient refusal (the recipients deferred with the 3xx) and
// the session went on with a server in an unknown state: RSET and the next MAIL; after a RCPT's
// 3xx the body even went to the other recipients. A 3xx to the end of data itself is another case
// (`final-reply-3xx.test.ts`: the message may be queued, so it is `unknown`).
import { describe, expect, it } from 'vitest';
import { BDAT_MAX_CHUNK, BDAT_MIN_CHUNK, ClientConnection } from '../src/index.js';
import type { ClientEvent } from '../src/index.js';
import { step } from './step.js';

const statuses = (events: ClientEvent[]) =>
  events.filter((e) => e.type === 'message-sent').map((e) => [e.outcome, e.recipients.map((r) => [r.address, r.status, r.errorCode])]);

function ended(conn: ClientConnection, events: ClientEvent[], code: number): void {
  expect(conn.closed).toBe(true);
  expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY', reply: { code } });
  expect(events.at(-1)).toMatchObject({ type: 'closed', reason: 'error' });
}

const deferred = (addresses: string[]) => ['deferred', addresses.map((a) => [a, 'deferred', 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY'])];

describe('a 3xx to a BDAT chunk that is not the LAST one', () => {
  it.each(['354 go on', '334 what', '300 odd'])('without PIPELINING, %s to the first chunk: no LAST, no RSET, the session ends, the recipient deferred', (reply) => {
    const events: ClientEvent[] = [];
    const conn = new ClientConnection({ hostname: 'c.test', security: 'off', chunking: true, allowLongLines: true });
    conn.sendMessage({ from: 's@x.test', to: ['a@y.test'] });
    conn.sendMessage({ from: 's@x.test', to: ['c@y.test'], body: 'hi\r\n' });
    step(conn, '220 mx.test\r\n', events);
    expect(step(conn, '250-mx.test\r\n250 CHUNKING\r\n', events)).toBe('MAIL FROM:<s@x.test>\r\n');
    expect(step(conn, '250 ok\r\n', events)).toBe('RCPT TO:<a@y.test>\r\n');
    step(conn, '250 ok\r\n', events);
    conn.writeBody('a'.repeat(BDAT_MIN_CHUNK - 2) + '\r\n');
    conn.writeBody('tail\r\n');
    conn.endBody();
    expect(step(conn, '', events)).toMatch(new RegExp(`^BDAT ${BDAT_MIN_CHUNK}\\r\\n`));
    expect(step(conn, `${reply}\r\n`, events)).toBe('');
    ended(conn, events, Number(reply.slice(0, 3)));
    expect(statuses(events)).toEqual([deferred(['a@y.test']), deferred(['c@y.test'])]);
  });

  it('with PIPELINING, a 3xx to the first of two chunks in flight (LAST not yet sent): the session ends, the recipients deferred', () => {
    const events: ClientEvent[] = [];
    const conn = new ClientConnection({ hostname: 'c.test', security: 'off', chunking: true, allowLongLines: true });
    conn.sendMessage({ from: 's@x.test', to: ['a@y.test', 'b@y.test'] });
    step(conn, '220 mx.test\r\n', events);
    expect(step(conn, '250-mx.test\r\n250-PIPELINING\r\n250 CHUNKING\r\n', events)).toBe('MAIL FROM:<s@x.test>\r\nRCPT TO:<a@y.test>\r\nRCPT TO:<b@y.test>\r\n');
    step(conn, '250 ok\r\n250 ok\r\n250 ok\r\n', events);
    const chunk = 'a'.repeat(BDAT_MIN_CHUNK - 2) + '\r\n';
    conn.writeBody(chunk);
    conn.writeBody(chunk);
    expect(step(conn, '', events).match(/BDAT \d+( LAST)?\r\n/g)).toEqual([`BDAT ${BDAT_MIN_CHUNK}\r\n`, `BDAT ${BDAT_MIN_CHUNK}\r\n`]);
    expect(step(conn, '354 go on\r\n', events)).toBe('');
    ended(conn, events, 354);
    expect(statuses(events)).toEqual([deferred(['a@y.test', 'b@y.test'])]);
    // the caller's late body calls are refused as after any end of the session, nothing is written
    expect(() => conn.endBody()).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_NOT_IN_BODY' }));
    expect(step(conn, '', events)).toBe('');
  });

  it('with PIPELINING and BDAT LAST already written behind the chunk: unknown (LAST may yet be accepted), or deferred while the transport has not written it', () => {
    for (const reportsWrites of [false, true]) {
      const events: ClientEvent[] = [];
      const conn = new ClientConnection({ hostname: 'c.test', security: 'off', chunking: true, allowLongLines: true, reportsWrites });
      conn.sendMessage({ from: 's@x.test', to: ['a@y.test'], body: 'a'.repeat(BDAT_MAX_CHUNK) + 'b'.repeat(1000) + '\r\n' });
      step(conn, '220 mx.test\r\n', events);
      step(conn, '250-mx.test\r\n250-PIPELINING\r\n250 CHUNKING\r\n', events);
      expect(step(conn, '250 ok\r\n250 ok\r\n', events).match(/BDAT \d+( LAST)?\r\n/g)).toEqual([`BDAT ${BDAT_MAX_CHUNK}\r\n`, 'BDAT 1002 LAST\r\n']);
      expect(step(conn, '334 what\r\n', events)).toBe('');
      ended(conn, events, 334);
      const status = reportsWrites ? 'deferred' : 'unknown';
      expect(statuses(events)).toEqual([[status, [['a@y.test', status, 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY']]]]);
    }
  });

  it('a 2xx to the chunks and a 4xx or 5xx refusal are unchanged', () => {
    for (const [reply, outcome, closed] of [['250 2.0.0 chunk ok', 'delivered', false], ['452 4.3.1 full', 'deferred', false], ['552 5.3.4 too big', 'failed', false]] as const) {
      const events: ClientEvent[] = [];
      const conn = new ClientConnection({ hostname: 'c.test', security: 'off', chunking: true, allowLongLines: true });
      conn.sendMessage({ from: 's@x.test', to: ['a@y.test'] });
      step(conn, '220 mx.test\r\n', events);
      step(conn, '250-mx.test\r\n250 CHUNKING\r\n', events);
      step(conn, '250 ok\r\n', events);
      step(conn, '250 ok\r\n', events);
      conn.writeBody('a'.repeat(BDAT_MIN_CHUNK - 2) + '\r\n');
      conn.endBody();
      step(conn, '', events);
      const next = step(conn, `${reply}\r\n`, events);
      if (outcome === 'delivered') expect(next).toBe('BDAT 0 LAST\r\n');
      else expect(next).toBe('RSET\r\n');
      if (outcome === 'delivered') step(conn, '250 2.0.0 queued\r\n', events);
      expect(conn.closed).toBe(closed);
      expect(statuses(events)[0]![0]).toBe(outcome);
    }
  });
});

describe('a 3xx to MAIL or RCPT', () => {
  it.each(['354 go on', '334 what'])('pipelined MAIL answered %s: nothing more is written (no dot, no RSET), the session ends, every recipient deferred', (reply) => {
    const events: ClientEvent[] = [];
    const conn = new ClientConnection({ hostname: 'c.test', security: 'off' });
    conn.sendMessage({ from: 's@x.test', to: ['a@y.test', 'b@y.test'], body: 'hi\r\n' });
    conn.sendMessage({ from: 's@x.test', to: ['c@y.test'], body: 'hi\r\n' });
    step(conn, '220 mx.test\r\n', events);
    expect(step(conn, '250-mx.test\r\n250 PIPELINING\r\n', events)).toBe('MAIL FROM:<s@x.test>\r\nRCPT TO:<a@y.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n');
    expect(step(conn, `${reply}\r\n250 ok\r\n250 ok\r\n354 go\r\n`, events)).toBe('');
    ended(conn, events, Number(reply.slice(0, 3)));
    expect(statuses(events)).toEqual([deferred(['a@y.test', 'b@y.test']), deferred(['c@y.test'])]);
  });

  it('pipelined RCPT answered 354 after another RCPT was accepted: no body, the session ends, both recipients deferred', () => {
    const events: ClientEvent[] = [];
    const conn = new ClientConnection({ hostname: 'c.test', security: 'off' });
    conn.sendMessage({ from: 's@x.test', to: ['a@y.test', 'b@y.test'], body: 'hi\r\n' });
    step(conn, '220 mx.test\r\n', events);
    step(conn, '250-mx.test\r\n250 PIPELINING\r\n', events);
    expect(step(conn, '250 ok\r\n250 ok\r\n354 b?\r\n354 go\r\n', events)).toBe('');
    ended(conn, events, 354);
    expect(statuses(events)).toEqual([deferred(['a@y.test', 'b@y.test'])]);
  });

  it('pipelined RCPT answered 3xx after MAIL was refused: the session ends, the MAIL refusal that came first still decides', () => {
    const events: ClientEvent[] = [];
    const conn = new ClientConnection({ hostname: 'c.test', security: 'off' });
    conn.sendMessage({ from: 's@x.test', to: ['a@y.test'], body: 'hi\r\n' });
    step(conn, '220 mx.test\r\n', events);
    step(conn, '250-mx.test\r\n250 PIPELINING\r\n', events);
    expect(step(conn, '550 5.7.1 no\r\n334 what\r\n', events)).toBe('');
    ended(conn, events, 334);
    expect(statuses(events)).toEqual([['failed', [['a@y.test', 'rejected', undefined]]]]);
  });

  it('without PIPELINING: MAIL answered 354 ends the session before any RCPT; RCPT answered 334 before DATA', () => {
    const a: ClientEvent[] = [];
    const one = new ClientConnection({ hostname: 'c.test', security: 'off' });
    one.sendMessage({ from: 's@x.test', to: ['a@y.test'], body: 'hi\r\n' });
    step(one, '220 mx.test\r\n', a);
    expect(step(one, '250 mx.test\r\n', a)).toBe('MAIL FROM:<s@x.test>\r\n');
    expect(step(one, '354 go\r\n', a)).toBe('');
    ended(one, a, 354);
    expect(statuses(a)).toEqual([deferred(['a@y.test'])]);

    const b: ClientEvent[] = [];
    const two = new ClientConnection({ hostname: 'c.test', security: 'off' });
    two.sendMessage({ from: 's@x.test', to: ['a@y.test', 'b@y.test'], body: 'hi\r\n' });
    step(two, '220 mx.test\r\n', b);
    step(two, '250 mx.test\r\n', b);
    expect(step(two, '250 ok\r\n', b)).toBe('RCPT TO:<a@y.test>\r\n');
    expect(step(two, '334 what\r\n', b)).toBe('');
    ended(two, b, 334);
    expect(statuses(b)).toEqual([deferred(['a@y.test', 'b@y.test'])]);
  });
});

describe('a 3xx other than 354 to DATA', () => {
  it.each(['334 what', '300 odd', '355 near'])('without PIPELINING, DATA answered %s: no body, no RSET, the session ends, the recipients and the next message deferred', (reply) => {
    const events: ClientEvent[] = [];
    const conn = new ClientConnection({ hostname: 'c.test', security: 'off' });
    conn.sendMessage({ from: 's@x.test', to: ['a@y.test'], body: 'hi\r\n' });
    conn.sendMessage({ from: 's@x.test', to: ['c@y.test'], body: 'hi\r\n' });
    step(conn, '220 mx.test\r\n', events);
    step(conn, '250 mx.test\r\n', events);
    step(conn, '250 ok\r\n', events);
    expect(step(conn, '250 ok\r\n', events)).toBe('DATA\r\n');
    expect(step(conn, `${reply}\r\n`, events)).toBe('');
    ended(conn, events, Number(reply.slice(0, 3)));
    expect(statuses(events)).toEqual([deferred(['a@y.test']), deferred(['c@y.test'])]);
  });

  it('pipelined DATA answered 334 after the recipients were accepted: nothing more is written, the session ends, the recipients deferred', () => {
    const events: ClientEvent[] = [];
    const conn = new ClientConnection({ hostname: 'c.test', security: 'off' });
    conn.sendMessage({ from: 's@x.test', to: ['a@y.test', 'b@y.test'], body: 'hi\r\n' });
    step(conn, '220 mx.test\r\n', events);
    step(conn, '250-mx.test\r\n250 PIPELINING\r\n', events);
    expect(step(conn, '250 ok\r\n250 ok\r\n250 ok\r\n334 what\r\n', events)).toBe('');
    ended(conn, events, 334);
    expect(statuses(events)).toEqual([deferred(['a@y.test', 'b@y.test'])]);
  });
});
