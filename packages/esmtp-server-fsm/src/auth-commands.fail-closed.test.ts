// AUTH that fails closed in the core: credentials are never accepted without the application's
// explicit answer (autoAccept cannot name `auth`), and PLAIN's authorization identity (RFC 4616 §2)
// is refused unless the application opts in.
import { describe, expect, it } from 'vitest';
import { drive, replyLines as lines } from '../test/harness.js';
import { ServerConnection } from './index.js';
import type { ReplyInit, ServerOptions } from './index.js';

const b64 = (s: string): string => btoa(s);
const plain = (authzid: string, user: string, pass: string): string => b64(`${authzid}\0${user}\0${pass}`);

function ready(options: ServerOptions) {
  const d = drive({ secure: true, auth: { mechanisms: ['PLAIN', 'LOGIN'] }, ...options });
  d.feed('EHLO client.test\r\n');
  return d;
}

describe('the auth decision needs an explicit answer', () => {
  it('autoAccept naming auth is ERR_SMTP_INVALID_OPTION (every credential would be accepted)', () => {
    let code: unknown;
    try {
      new ServerConnection({ auth: { mechanisms: ['PLAIN'] }, autoAccept: ['connect', 'helo', 'auth'] });
    } catch (e) {
      code = (e as { code?: unknown }).code;
    }
    expect(code).toBe('ERR_SMTP_INVALID_OPTION');
  });
});

describe('PLAIN with an authorization identity (RFC 4616 §2)', () => {
  it('another identity than the user is 535 5.7.8 before any auth event; the user itself or none is asked', () => {
    const d = ready({});
    expect(lines(d.feed(`AUTH PLAIN ${plain('admin', 'user', 'pass')}\r\n`))).toEqual(['535 5.7.8 Error: authentication failed']);
    expect(d.events.some((e) => e.type === 'auth')).toBe(false);
    expect(d.conn.session.authenticatedUser).toBeUndefined();
    expect(lines(d.feed(`AUTH PLAIN ${plain('user', 'user', 'pass')}\r\n`))).toEqual(['235 2.7.0 Authentication successful']);
    expect(d.conn.session.authenticatedUser).toBe('user');
  });
  it('the same after a 334 (no initial response)', () => {
    const d = ready({});
    expect(lines(d.feed('AUTH PLAIN\r\n'))).toEqual(['334 ']);
    expect(lines(d.feed(`${plain('admin', 'user', 'pass')}\r\n`))).toEqual(['535 5.7.8 Error: authentication failed']);
    expect(d.conn.state).toBe('awaiting-mail');
  });
  it('auth.allowAuthorizationIdentity: the application is asked with it, and an accepted login is that identity', () => {
    const d = ready({ auth: { mechanisms: ['PLAIN'], allowAuthorizationIdentity: true } });
    expect(lines(d.feed(`AUTH PLAIN ${plain('admin', 'user', 'pass')}\r\n`))).toEqual(['235 2.7.0 Authentication successful']);
    expect(d.events.find((e) => e.type === 'auth')).toMatchObject({ credentials: { username: 'user', authorizationId: 'admin' } });
    expect(d.conn.session.authenticatedUser).toBe('admin');
  });
  it('auth.allowAuthorizationIdentity that is not a boolean is ERR_SMTP_INVALID_OPTION', () => {
    let code: unknown;
    try {
      new ServerConnection({ auth: { allowAuthorizationIdentity: 'yes' as unknown as boolean } });
    } catch (e) {
      code = (e as { code?: unknown }).code;
    }
    expect(code).toBe('ERR_SMTP_INVALID_OPTION');
  });
});

describe('an invalid reply to the auth decision fails closed, as for any other decision', () => {
  // each is refused by the reply check every decision shares (ERR_SMTP_INVALID_REPLY)
  const INVALID: [string, unknown][] = [
    ['a code outside 2xx-5xx', { code: 999 }],
    ['text that is not a string', { code: 235, text: 5 }],
    ['CR LF in its text (a second reply)', { code: 235, text: 'Ok\r\n250 forged' }],
    ['a positive code other than 235', { code: 250, text: 'Ok' }],
    ['an enhanced code of another class', { code: 235, enhanced: '5.7.8', text: 'Ok' }],
  ];
  for (const [name, given] of INVALID) {
    it(`respond() with ${name}: ERR_SMTP_INVALID_REPLY, nothing sent, the decision stays pending, the client is not logged in`, () => {
      const seen: unknown[] = [];
      const a = drive({ secure: true, auth: { mechanisms: ['PLAIN'] } }, (e, conn) => {
        if (e.type !== 'auth') return false;
        try {
          conn.respond(given as ReplyInit);
        } catch (err) {
          seen.push((err as { code?: unknown }).code);
        }
        seen.push(conn.pendingDecision, conn.session.authenticatedUser);
        return true;
      });
      a.feed('EHLO client.test\r\n');
      expect(lines(a.feed(`AUTH PLAIN ${plain('', 'user', 'pass')}\r\n`))).toEqual([]);
      expect(seen).toEqual(['ERR_SMTP_INVALID_REPLY', 'auth', undefined]);
      a.conn.reject();
      expect(lines(new TextDecoder().decode(a.conn.dataToSend()))).toEqual(['535 5.7.8 Error: authentication failed']);
      expect(a.conn.session.authenticatedUser).toBeUndefined();
    });
  }
});
