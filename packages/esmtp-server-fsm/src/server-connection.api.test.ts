// ServerConnection's read-only views and answer boundaries, against the mutation survivors of
// server-connection.ts: the protocol name (RFC 3848, RFC 6531 §3.7.3), the transaction as a copy,
// shouldClose, the 4xx boundary of accept/reject/respond, LMTP's legacy stage 19, and EOF while
// waiting for a TLS handshake.
import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '@smtpkit/testkit';
import { drive } from '../test/harness.js';
import { isSmtpServerError } from './errors.js';
import { ServerConnection } from './server-connection.js';
import type { ServerOptions } from './server-connection.js';

const codeOf = (fn: () => unknown): string | undefined => errorCodeOf(fn, isSmtpServerError);
const PLAIN_USER = 'AHVzZXIAcGFzcw==';

describe('session.protocol', () => {
  function protocolAfter(options: ServerOptions, ...lines: string[]): string {
    const d = drive(options);
    for (const l of lines) d.feed(l);
    return d.conn.session.protocol;
  }
  it('names the greeting, TLS and AUTH (RFC 3848)', () => {
    expect(protocolAfter({}, 'HELO c.test\r\n')).toBe('SMTP');
    expect(protocolAfter({ secure: true }, 'HELO c.test\r\n')).toBe('SMTP');
    expect(protocolAfter({}, 'EHLO c.test\r\n')).toBe('ESMTP');
    expect(protocolAfter({ secure: true }, 'EHLO c.test\r\n')).toBe('ESMTPS');
    expect(protocolAfter({ auth: { mechanisms: ['PLAIN'], allowInsecure: true } }, 'EHLO c.test\r\n', `AUTH PLAIN ${PLAIN_USER}\r\n`)).toBe('ESMTPA');
    expect(protocolAfter({ secure: true, auth: { mechanisms: ['PLAIN'] } }, 'EHLO c.test\r\n', `AUTH PLAIN ${PLAIN_USER}\r\n`)).toBe('ESMTPSA');
    expect(protocolAfter({ lmtp: true }, 'LHLO c.test\r\n')).toBe('LMTP');
    expect(protocolAfter({ lmtp: true, secure: true }, 'LHLO c.test\r\n')).toBe('LMTPS');
  });
  it('is UTF8SMTP / UTF8LMTP for a transaction that uses SMTPUTF8, and back after it (RFC 6531 §3.7.3)', () => {
    const d = drive({ secure: true });
    d.feed('EHLO c.test\r\n');
    d.feed('MAIL FROM:<a@example.org> SMTPUTF8\r\n');
    expect(d.conn.session.protocol).toBe('UTF8SMTPS');
    d.feed('RSET\r\n');
    expect(d.conn.session.protocol).toBe('ESMTPS');
    d.feed('MAIL FROM:<a@example.org>\r\n');
    expect(d.conn.session.protocol).toBe('ESMTPS');
    expect(protocolAfter({ lmtp: true }, 'LHLO c.test\r\n', 'MAIL FROM:<a@example.org> SMTPUTF8\r\n')).toBe('UTF8LMTP');
  });
});

describe('views and answers', () => {
  it('transaction is a copy: changing it does not change the session', () => {
    const d = drive();
    d.feed('EHLO c.test\r\n');
    d.feed('MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n');
    const t = d.conn.transaction;
    (t.recipients as unknown[]).length = 0;
    expect(d.conn.transaction.recipients.map((r) => r.address)).toEqual(['b@example.net']);
  });
  it('shouldClose is false while the session is open and true after QUIT', () => {
    const d = drive();
    d.feed('EHLO c.test\r\n');
    expect(d.conn.shouldClose).toBe(false);
    d.feed('QUIT\r\n');
    expect(d.conn.shouldClose).toBe(true);
  });
  it('400 is a negative reply: accept() refuses it; a refusal of the connection is a 554 or a 421 only (RFC 5321 §3.1, §4.3.2)', () => {
    const at = (fn: (c: ServerConnection) => void): ServerConnection => {
      const conn = new ServerConnection({ hostname: 'mx.test', autoAccept: [] });
      conn.nextEvent();
      fn(conn);
      return conn;
    };
    expect(codeOf(() => at((c) => c.accept({ code: 400, text: 'x' })))).toBe('ERR_SMTP_INVALID_REPLY');
    for (const code of [400, 450, 451, 550]) {
      expect(codeOf(() => at((c) => c.reject({ code, text: 'x' }))), String(code)).toBe('ERR_SMTP_INVALID_REPLY');
      expect(codeOf(() => at((c) => c.respond({ code, text: 'x' }))), String(code)).toBe('ERR_SMTP_INVALID_REPLY');
    }
    expect(codeOf(() => at((c) => c.reject({ code: 554, text: 'x' })))).toBeUndefined();
    expect(codeOf(() => at((c) => c.accept({ code: 220, text: 'x' })))).toBeUndefined();
    // respond(421) at the greeting is a refusal: the session ends, as for reject()
    const responded = at((c) => c.respond({ code: 421, text: 'not now' }));
    const rejected = at((c) => c.reject({ code: 421, text: 'not now' }));
    expect(new TextDecoder().decode(responded.dataToSend())).toBe('421 not now\r\n');
    expect([responded.state, responded.stage]).toEqual([rejected.state, rejected.stage]);
    const accepted = at((c) => c.respond({ code: 220, text: 'hi' }));
    expect(accepted.shouldClose).toBe(false);
  });
  it('respond() with a list is refused outside LMTP message-end, naming why', () => {
    const conn = new ServerConnection({ hostname: 'mx.test', autoAccept: [] });
    conn.nextEvent();
    expect(codeOf(() => conn.respond([{ code: 220, text: 'hi' }]))).toBe('ERR_SMTP_INVALID_REPLY');
    expect(conn.pendingDecision).toBe('connect');
  });
  it('LMTP: the stage is the legacy "rcptto list response" (19) while the per-recipient answer is pending', () => {
    const lmtp = drive({ lmtp: true, autoAccept: ['connect', 'helo', 'mail', 'rcpt', 'data-start'] }, (e) => e.type === 'message-end');
    lmtp.feed('LHLO c.test\r\n');
    expect(lmtp.conn.stage).not.toBe(19);
    lmtp.feed('MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n');
    lmtp.feed('x\r\n.\r\n');
    expect(lmtp.conn.pendingDecision).toBe('message-end');
    expect(lmtp.conn.stage).toBe(19);
    const smtp = drive({ autoAccept: ['connect', 'helo', 'mail', 'rcpt', 'data-start'] }, (e) => e.type === 'message-end');
    smtp.feed('EHLO c.test\r\n');
    smtp.feed('MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n');
    smtp.feed('x\r\n.\r\n');
    expect(smtp.conn.pendingDecision).toBe('message-end');
    expect(smtp.conn.stage).not.toBe(19);
  });
});

describe('a positive answer must fit its decision, or the client loses step', () => {
  const manual = { autoAccept: ['connect', 'helo'] } as const;
  it('accepting DATA needs 354: a 250 there would leave the server reading the next commands as the body', () => {
    const d = drive({ ...manual, autoAccept: ['connect', 'helo', 'mail', 'rcpt'] }, (e, conn) => {
      if (e.type !== 'data-start') return false;
      expect(codeOf(() => conn.accept({ code: 250, text: 'ok' }))).toBe('ERR_SMTP_INVALID_REPLY');
      expect(codeOf(() => conn.respond({ code: 250, text: 'ok' }))).toBe('ERR_SMTP_INVALID_REPLY');
      expect(conn.pendingDecision).toBe('data-start');
      conn.accept({ code: 354, text: 'go ahead' });
      return true;
    });
    d.feed('EHLO c.test\r\n');
    d.feed('MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n');
    expect(d.feed('DATA\r\n')).toBe('354 go ahead\r\n');
    expect(d.feed('x\r\n.\r\n')).toBe('250 2.0.0 Message accepted\r\n');
  });
  it('every other decision needs a 2xx: a 354 to MAIL is refused and the decision stays pending', () => {
    const d = drive(manual, (e, conn) => {
      if (e.type !== 'mail') return false;
      expect(codeOf(() => conn.accept({ code: 354, text: 'go' }))).toBe('ERR_SMTP_INVALID_REPLY');
      expect(codeOf(() => conn.respond({ code: 334, text: 'x' }))).toBe('ERR_SMTP_INVALID_REPLY');
      expect(conn.pendingDecision).toBe('mail');
      conn.accept({ code: 250, text: 'fine' });
      return true;
    });
    d.feed('EHLO c.test\r\n');
    expect(d.feed('MAIL FROM:<a@example.org>\r\n')).toBe('250 2.0.0 fine\r\n');
  });
  it('a falsy value is no reply: accept(0), reject(\'\'), accept(null)... are ERR_SMTP_INVALID_REPLY and the decision stays pending', () => {
    const d = drive(manual, (e, conn) => {
      if (e.type !== 'mail') return false;
      for (const bad of [0, '', false, null, Number.NaN]) {
        expect(codeOf(() => conn.accept(bad as never)), `accept(${String(bad)})`).toBe('ERR_SMTP_INVALID_REPLY');
        expect(codeOf(() => conn.reject(bad as never)), `reject(${String(bad)})`).toBe('ERR_SMTP_INVALID_REPLY');
      }
      expect(conn.pendingDecision).toBe('mail');
      conn.reject();
      return true;
    });
    d.feed('EHLO c.test\r\n');
    expect(d.feed('MAIL FROM:<a@example.org>\r\n')).toMatch(/^5\d\d /);
  });
  it("LMTP's per-recipient list takes no 3xx either", () => {
    const d = drive({ lmtp: true, autoAccept: ['connect', 'helo', 'mail', 'rcpt', 'data-start'] }, (e, conn) => {
      if (e.type !== 'message-end') return false;
      expect(codeOf(() => conn.respond([{ code: 250, text: 'ok' }, { code: 354, text: 'x' }]))).toBe('ERR_SMTP_INVALID_REPLY');
      conn.respond([{ code: 250, text: 'ok' }, { code: 550, text: 'no' }]);
      return true;
    });
    d.feed('LHLO c.test\r\n');
    d.feed('MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nRCPT TO:<c@example.net>\r\nDATA\r\n');
    expect(d.feed('x\r\n.\r\n')).toBe('250 2.0.0 ok\r\n550 5.0.0 no\r\n');
  });
  it('a 421 in the per-recipient list closes the session after the list, as a single 421 does (RFC 5321 §3.8)', () => {
    const d = drive({ lmtp: true, autoAccept: ['connect', 'helo', 'mail', 'rcpt', 'data-start'] }, (e, conn) => {
      if (e.type !== 'message-end') return false;
      conn.respond([{ code: 421, enhanced: '4.3.2', text: 'shutting down' }, { code: 250, text: 'ok' }]);
      return true;
    });
    d.feed('LHLO c.test\r\n');
    d.feed('MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nRCPT TO:<c@example.net>\r\nDATA\r\n');
    expect(d.feed('x\r\n.\r\n')).toBe('421 4.3.2 shutting down\r\n250 2.0.0 ok\r\n');
    expect(d.conn.shouldClose).toBe(true);
  });
});

describe('end of input while waiting for the TLS handshake', () => {
  it('closes the session with reason eof (nothing more can arrive for the handshake)', () => {
    const d = drive({ starttls: true });
    d.feed('EHLO c.test\r\n');
    d.feed('STARTTLS\r\n');
    expect(d.conn.state).toBe('awaiting-tls');
    d.conn.receiveEof();
    expect(d.conn.nextEvent()).toEqual({ type: 'closed', reason: 'eof' });
    // a second EOF and a lost connection after it change nothing
    d.conn.receiveEof();
    d.conn.connectionLost();
    expect(d.conn.nextEvent()).toEqual({ type: 'closed', reason: 'eof' });
  });
});

describe('XCLIENT and XFORWARD need both their option and a trusted peer', () => {
  it('trusted alone offers neither; the option alone offers neither; both offer it', () => {
    const offered = (options: ServerOptions): string[] => {
      const d = drive(options);
      const out = d.feed('EHLO c.test\r\n');
      return ['XCLIENT', 'XFORWARD'].filter((k) => new RegExp(`^250[ -]${k} `, 'm').test(out));
    };
    expect(offered({ trusted: true })).toEqual([]);
    expect(offered({ xclient: true, xforward: true })).toEqual([]);
    expect(offered({ trusted: true, xclient: true })).toEqual(['XCLIENT']);
    expect(offered({ trusted: true, xforward: true })).toEqual(['XFORWARD']);
  });
});

describe('a lost connection aborts only a message in progress', () => {
  const aborts = (d: { conn: ServerConnection }): number => {
    d.conn.connectionLost();
    let n = 0;
    for (let e = d.conn.nextEvent(); e.type !== 'closed'; e = d.conn.nextEvent()) if (e.type === 'message-abort') n++;
    return n;
  };
  it('while the end-of-message decision is pending: message-abort', () => {
    const d = drive({}, (e) => e.type === 'message-end');
    d.feed('EHLO c.test\r\n');
    d.feed('MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n');
    d.feed('x\r\n.\r\n');
    expect(d.conn.pendingDecision).toBe('message-end');
    const events: string[] = [];
    d.conn.connectionLost();
    for (let e = d.conn.nextEvent(); e.type !== 'closed'; e = d.conn.nextEvent()) events.push(e.type === 'message-abort' ? `abort:${e.reason}` : e.type);
    expect(events).toEqual(['abort:eof']);
  });
  it('while a refused chunk is read outside a transaction: none', () => {
    const d = drive();
    d.feed('EHLO c.test\r\n');
    d.feed('BDAT 10\r\nabc'); // no MAIL: refused, its 10 bytes still read
    expect(aborts(d)).toBe(0);
  });
  it('while the chunk of a message is read: message-abort', () => {
    const d = drive();
    d.feed('EHLO c.test\r\n');
    d.feed('MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n');
    d.feed('BDAT 10\r\nabc');
    expect(aborts(d)).toBe(1);
  });
});
