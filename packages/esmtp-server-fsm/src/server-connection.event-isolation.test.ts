// Events and read-only views hand out the session's own objects frozen: an application that
// mutates what it was given (a `mail` event's parameters, a recipient of `transaction`, XCLIENT
// attributes) cannot change the transaction or what the session enforces.
import { describe, expect, it } from 'vitest';
import { ServerConnection } from './server-connection.js';
import type { ServerEvent } from './index.js';

const dec = new TextDecoder();

function pump(conn: ServerConnection, decide: (e: ServerEvent) => void = () => conn.accept()): ServerEvent[] {
  const seen: ServerEvent[] = [];
  for (let i = 0; i < 10_000; i++) {
    const e = conn.nextEvent();
    if (e.type === 'need-data' || e.type === 'paused' || e.type === 'closed') break;
    seen.push(e);
    if ('needsAnswer' in e && e.needsAnswer) decide(e);
  }
  return seen;
}

function afterEhlo(options: ConstructorParameters<typeof ServerConnection>[0] = {}): ServerConnection {
  const conn = new ServerConnection({ hostname: 'mx.test', ...options });
  pump(conn);
  conn.receiveData('EHLO c.test\r\n');
  pump(conn);
  conn.dataToSend();
  return conn;
}

/** Tries to write `key` of `target` (strict mode: a frozen object throws). */
function write(target: object, key: string, value: unknown): boolean {
  try {
    (target as Record<string, unknown>)[key] = value;
    return true;
  } catch {
    return false;
  }
}

describe('objects handed to the application are not the session\'s to change', () => {
  it('the mail event parameters: mutating them changes neither the transaction nor the RCPT checks', () => {
    const conn = afterEhlo();
    conn.receiveData('MAIL FROM:<a@c.test> SIZE=100 BODY=8BITMIME\r\n');
    const mail = pump(conn, () => undefined).find((e) => e.type === 'mail');
    if (mail?.type !== 'mail') throw new Error('no mail event');
    expect(write(mail.parameters, 'SIZE', '999999999')).toBe(false);
    expect(write(mail.parameters, 'SMTPUTF8', true)).toBe(false);
    conn.accept();
    pump(conn);
    expect(conn.transaction.mailParameters).toEqual({ SIZE: '100', BODY: '8BITMIME' });
    expect(write(conn.transaction.mailParameters, 'SMTPUTF8', true)).toBe(false);
    expect(conn.session.protocol).toBe('ESMTP');
    conn.dataToSend();
    conn.receiveData('RCPT TO:<j\u00f6rg@mx.test>\r\n');
    pump(conn);
    expect(dec.decode(conn.dataToSend())).toMatch(/^553 /);
  });
  it('the rcpt event parameters and the recipients of `transaction`', () => {
    const conn = afterEhlo();
    conn.receiveData('MAIL FROM:<a@c.test>\r\n');
    pump(conn);
    conn.receiveData('RCPT TO:<b@mx.test> NOTIFY=NEVER\r\n');
    const rcpt = pump(conn, () => undefined).find((e) => e.type === 'rcpt');
    if (rcpt?.type !== 'rcpt') throw new Error('no rcpt event');
    expect(write(rcpt.parameters, 'NOTIFY', 'SUCCESS')).toBe(false);
    conn.accept();
    pump(conn);
    const [first] = conn.transaction.recipients;
    expect(first).toEqual({ address: 'b@mx.test', parameters: { NOTIFY: 'NEVER' } });
    expect(write(first!, 'address', 'evil@elsewhere.test')).toBe(false);
    expect(write(first!.parameters, 'NOTIFY', 'SUCCESS')).toBe(false);
    expect(conn.transaction.recipients).toEqual([{ address: 'b@mx.test', parameters: { NOTIFY: 'NEVER' } }]);
  });
  it('XCLIENT attributes: changing the event\'s before accepting, or session.xclient after, changes nothing', () => {
    const conn = afterEhlo({ trusted: true, xclient: true, xforward: true, autoAccept: ['connect', 'helo'] });
    conn.receiveData('XCLIENT ADDR=192.0.2.1 NAME=a.example\r\n');
    const x = pump(conn, () => undefined).find((e) => e.type === 'xclient');
    if (x?.type !== 'xclient') throw new Error('no xclient event');
    expect(write(x.attributes, 'ADDR', '10.0.0.1')).toBe(false);
    conn.accept();
    pump(conn);
    expect(conn.session.clientAddress).toBe('192.0.2.1');
    expect(write(conn.session.xclient!, 'NAME', 'b.example')).toBe(false);
    expect(conn.session.xclient).toEqual({ ADDR: '192.0.2.1', NAME: 'a.example' });
    conn.receiveData('EHLO c.test\r\n');
    pump(conn);
    conn.receiveData('XFORWARD NAME=f.example\r\n');
    const f = pump(conn).find((e) => e.type === 'xforward');
    if (f?.type !== 'xforward') throw new Error('no xforward event');
    expect(write(f.attributes, 'NAME', 'g.example')).toBe(false);
    expect(write(conn.session.xforward!, 'NAME', 'g.example')).toBe(false);
    expect(conn.session.xforward).toEqual({ NAME: 'f.example' });
  });
});
