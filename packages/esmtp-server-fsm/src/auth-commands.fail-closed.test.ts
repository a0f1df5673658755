// AUTH that fails closed in the core: credentials are never accepted without the application's
// explicit answer (autoAccept cannot name `auth`), and PLAIN's authorization identity (RFC 4616 §2)
// is refused unless the application opts in.
import { describe, expect, it } from 'vitest';
import { drive, replyLines as lines } from '../test/harness.js';
import { ServerConnection } from './index.js';
import type { ServerOptions } from './index.js';

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
