// The answers to the connect and VRFY/EXPN decisions, against the mutation survivors of
// answers.ts: a refused greeting (554 keeps the session for QUIT, 421 closes it; RFC 5321 §3.1),
// the early-talker check and its switch, and VRFY/EXPN under `policy`.
import { describe, expect, it } from 'vitest';
import { drive, replyLines as lines } from '../test/harness.js';
import type { ReplyInit } from './index.js';
import { ServerConnection } from './server-connection.js';

const dec = new TextDecoder();

/** A session whose connect decision is answered by `answer`; what it wrote. */
function greeted(answer: (conn: ServerConnection) => void, options = {}): { conn: ServerConnection; out: () => string } {
  const conn = new ServerConnection({ hostname: 'mx.test', autoAccept: [], ...options });
  expect(conn.nextEvent()).toMatchObject({ type: 'connect', needsAnswer: true });
  answer(conn);
  return { conn, out: () => dec.decode(conn.dataToSend()) };
}

describe('the connect decision', () => {
  it('refused with the default: 554 5.7.1, then the session only waits for QUIT (RFC 5321 §3.1)', () => {
    const { conn, out } = greeted((c) => c.reject());
    expect(out()).toBe('554 5.7.1 mx.test Service refused\r\n');
    expect(conn.shouldClose).toBe(false);
    conn.receiveData('EHLO c.test\r\n');
    for (let e = conn.nextEvent(); e.type !== 'need-data' && e.type !== 'closed'; e = conn.nextEvent());
    expect(out()).toMatch(/^503 /);
    conn.receiveData('QUIT\r\n');
    for (let e = conn.nextEvent(); e.type !== 'need-data' && e.type !== 'closed'; e = conn.nextEvent());
    expect(out()).toBe('221 2.0.0 mx.test Bye\r\n');
    expect(conn.shouldClose).toBe(true);
  });
  it('a refusal without an enhanced code is written without one (nothing is negotiated before EHLO)', () => {
    expect(greeted((c) => c.reject({ code: 554, text: 'go away' })).out()).toBe('554 go away\r\n');
  });
  it('refused with 421: the session closes at once', () => {
    const { conn, out } = greeted((c) => c.reject({ code: 421, enhanced: '4.3.2', text: 'mx.test busy' }));
    expect(out()).toBe('421 4.3.2 mx.test busy\r\n');
    expect(conn.shouldClose).toBe(true);
  });
  it('accepted with the application greeting, written as given', () => {
    const { out } = greeted((c) => c.accept({ code: 220, text: 'mx.test ready' }));
    expect(out()).toBe('220 mx.test ready\r\n');
  });
  it('input before the greeting is refused (554 5.5.0 and close) unless pipeliningSync is off', () => {
    const early = new ServerConnection({ hostname: 'mx.test', autoAccept: [] });
    early.nextEvent();
    early.receiveData('EHLO c.test\r\n');
    early.accept();
    expect(dec.decode(early.dataToSend())).toBe('554 5.5.0 Error: SMTP protocol synchronization (input before greeting)\r\n');
    expect(early.shouldClose).toBe(true);
    const off = new ServerConnection({ hostname: 'mx.test', autoAccept: ['helo'], pipeliningSync: 'off' });
    off.nextEvent();
    off.receiveData('EHLO c.test\r\n');
    off.accept();
    for (let e = off.nextEvent(); e.type !== 'need-data' && e.type !== 'closed'; e = off.nextEvent());
    const out = dec.decode(off.dataToSend());
    expect(out.startsWith('220 mx.test ESMTP\r\n250-mx.test Hello c.test\r\n')).toBe(true);
    expect(off.shouldClose).toBe(false);
  });
});

describe('VRFY and EXPN under policy', () => {
  function asked(answer: (conn: ServerConnection) => void, limits = {}) {
    return drive({ vrfy: 'policy', expn: 'policy', limits }, (e, conn) => {
      if (e.type !== 'vrfy' && e.type !== 'expn') return false;
      answer(conn);
      return true;
    });
  }
  it('accepted without a reply: 252 2.5.0; with one: that reply', () => {
    const d = asked((c) => c.accept());
    d.feed('EHLO c.test\r\n');
    expect(lines(d.feed('VRFY someone\r\n'))).toEqual(['252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery']);
    expect(d.events.find((e) => e.type === 'vrfy')).toMatchObject({ argument: 'someone' });
    const reply: ReplyInit = { code: 250, enhanced: '2.1.5', text: 'Some One <someone@mx.test>' };
    const named = asked((c) => c.accept(reply));
    named.feed('EHLO c.test\r\n');
    expect(lines(named.feed('EXPN list\r\n'))).toEqual(['250 2.1.5 Some One <someone@mx.test>']);
  });
  it('a refusal counts toward the error limit; an acceptance does not', () => {
    const refusing = asked((c) => c.reject({ code: 550, enhanced: '5.1.1', text: 'no such user' }), { hardErrorLimit: 2 });
    refusing.feed('EHLO c.test\r\n');
    expect(lines(refusing.feed('VRFY a\r\n'))).toEqual(['550 5.1.1 no such user']);
    expect(lines(refusing.feed('VRFY b\r\n'))).toEqual(['550 5.1.1 no such user', '421 4.7.0 mx.test Error: too many errors']);
    const accepting = asked((c) => c.accept(), { hardErrorLimit: 2 });
    accepting.feed('EHLO c.test\r\n');
    for (let i = 0; i < 3; i++) accepting.feed('VRFY a\r\n');
    expect(accepting.conn.shouldClose).toBe(false);
  });
});

describe('a refusal without a reply is never a success code (VRFY, EXPN, custom verbs)', () => {
  const XSTAT = { keyword: 'XSTAT', verbs: [{ name: 'XSTAT' }] };
  const XPUT = { keyword: 'XPUT', verbs: [{ name: 'XPUT', blockLength: (a: string) => (/^[0-9]{1,9}$/.test(a) ? Number(a) : undefined) }] };
  function refusing(options = {}) {
    return drive({ vrfy: 'policy', expn: 'policy', registry: [XSTAT, XPUT], ...options }, (e, conn) => {
      if (e.type !== 'vrfy' && e.type !== 'expn' && e.type !== 'command') return false;
      conn.reject();
      return true;
    });
  }
  it('VRFY and EXPN: 550 5.7.1, counted as an error', () => {
    const d = refusing();
    d.feed('EHLO c.test\r\n');
    expect(lines(d.feed('VRFY someone\r\n'))).toEqual(['550 5.7.1 Refused']);
    expect(lines(d.feed('EXPN list\r\n'))).toEqual(['550 5.7.1 Refused']);
  });
  it('a custom verb: 550 5.7.1, with its block read and dropped first', () => {
    const d = refusing();
    d.feed('EHLO c.test\r\n');
    expect(lines(d.feed('XSTAT now\r\n'))).toEqual(['550 5.7.1 Refused']);
    expect(lines(d.feed('XPUT 5\r\nabcdeNOOP\r\n'))).toEqual(['550 5.7.1 Refused', '250 2.0.0 Ok']);
  });
});
