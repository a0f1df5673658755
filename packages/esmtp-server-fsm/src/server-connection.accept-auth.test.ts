// acceptAuth(user): the application names the account a login is for, as a token's subject when
// an OAUTHBEARER client sent no `a=` (RFC 7628 §3.1), where `accept()` would log in as ''.
import { describe, expect, it } from 'vitest';
import { drive, replyLines as lines } from '../test/harness.js';
import { isSmtpServerError } from './index.js';
import type { ServerConnection, ServerEvent } from './index.js';

// gs2 header `n,,` (no a=), then auth=Bearer <token>: RFC 7628 §3.1's optional authzid left out
const NO_A = btoa('n,,\x01auth=Bearer tok-123\x01\x01');

function session(answer: (conn: ServerConnection, e: ServerEvent & { type: 'auth' }) => void) {
  const d = drive({ secure: true, auth: { mechanisms: ['PLAIN', 'OAUTHBEARER'] } }, (e, conn) => {
    if (e.type !== 'auth') return false;
    answer(conn, e);
    return true;
  });
  d.feed('EHLO client.test\r\n');
  return d;
}

const codeOf = (f: () => void): string | undefined => {
  try {
    f();
  } catch (e) {
    return isSmtpServerError(e) ? e.code : 'untyped';
  }
  return undefined;
};

describe('ServerConnection.acceptAuth', () => {
  it('logs an OAUTHBEARER client without a= in as the user the application names', () => {
    const d = session((conn, e) => {
      expect(e.credentials).toEqual({ mechanism: 'OAUTHBEARER', username: '', token: 'tok-123' });
      conn.acceptAuth('alice@example.com');
    });
    expect(lines(d.feed(`AUTH OAUTHBEARER ${NO_A}\r\n`))).toEqual(['235 2.7.0 Authentication successful']);
    expect(d.conn.session.authenticatedUser).toBe('alice@example.com');
    expect(lines(d.feed('AUTH PLAIN AGEAYg==\r\n'))).toEqual(['503 5.5.1 Error: already authenticated']);
  });

  it('accept() keeps the identity the credentials name', () => {
    const d = session((conn) => conn.accept());
    d.feed(`AUTH OAUTHBEARER ${NO_A}\r\n`);
    expect(d.conn.session.authenticatedUser).toBe('');
    const p = session((conn) => conn.acceptAuth('account-7'));
    expect(lines(p.feed(`AUTH PLAIN ${btoa('\0bob\0pw')}\r\n`))).toEqual(['235 2.7.0 Authentication successful']);
    expect(p.conn.session.authenticatedUser).toBe('account-7');
  });

  it('takes a 235 reply of its own', () => {
    const d = session((conn) => conn.acceptAuth('alice', { code: 235, enhanced: '2.7.0', text: 'Welcome alice' }));
    expect(lines(d.feed(`AUTH OAUTHBEARER ${NO_A}\r\n`))).toEqual(['235 2.7.0 Welcome alice']);
  });

  it('refuses a user name that is empty, not a string, or holds a control, separator or format character, and the decision stays pending', () => {
    const bad: unknown[] = ['', 'a\r\nb', 'a\u2028b', 'a\u202Eb', 'a\uFFFDb', 'a\uD800b', 5, undefined, null];
    const got: (string | undefined)[] = [];
    const d = session((conn) => {
      for (const u of bad) got.push(codeOf(() => conn.acceptAuth(u as string)));
      expect(conn.pendingDecision).toBe('auth');
      got.push(codeOf(() => conn.acceptAuth('ok', { code: 250 })));
      got.push(codeOf(() => conn.acceptAuth('ok', { code: 535 })));
      expect(conn.pendingDecision).toBe('auth');
      conn.reject();
    });
    expect(lines(d.feed(`AUTH PLAIN ${btoa('\0bob\0pw')}\r\n`))).toEqual(['535 5.7.8 Error: authentication failed']);
    expect(got).toEqual([...bad.map(() => 'ERR_SMTP_INVALID_ARGUMENT'), 'ERR_SMTP_INVALID_REPLY', 'ERR_SMTP_INVALID_REPLY']);
    expect(d.conn.session.authenticatedUser).toBeUndefined();
  });

  it('answers an auth decision only', () => {
    let code: string | undefined;
    const d = drive({}, (e, conn) => {
      if (e.type !== 'mail') return false;
      code = codeOf(() => conn.acceptAuth('alice'));
      conn.accept();
      return true;
    });
    d.feed('EHLO c\r\n');
    expect(lines(d.feed('MAIL FROM:<a@b.example>\r\n'))).toEqual(['250 2.1.0 Sender OK']);
    expect(code).toBe('ERR_SMTP_NO_PENDING_DECISION');
    expect(codeOf(() => d.conn.acceptAuth('alice'))).toBe('ERR_SMTP_NO_PENDING_DECISION');
  });
});
