// OAUTHBEARER (RFC 7628) through the session: offered when named, credentials to the application,
// and the error step of a refused token (334 with the JSON status, the client's ^A, then the 535).
import { describe, expect, it } from 'vitest';
import { drive, replyLines as lines } from '../test/harness.js';
import type { AuthCredentials, ServerConnection, ServerEvent, ServerOptions } from './index.js';

// RFC 7628 §4's example initial response in its SMTP form (port 587)
const RFC_IR = 'bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9NTg3AWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB';

function ready(options: ServerOptions, decide?: (e: ServerEvent, conn: ServerConnection) => boolean) {
  const d = drive({ secure: true, auth: { mechanisms: ['PLAIN', 'OAUTHBEARER'] }, ...options }, decide);
  return { d, ehlo: lines(d.feed('EHLO client.test\r\n')) };
}

/** The credentials the application was asked about, answered by `answer`. */
function deciding(answer: (conn: ServerConnection) => void) {
  const seen: AuthCredentials[] = [];
  const decide = (e: ServerEvent, conn: ServerConnection): boolean => {
    if (e.type !== 'auth') return false;
    seen.push(e.credentials);
    answer(conn);
    return true;
  };
  return { seen, decide };
}

describe('OAUTHBEARER through the session', () => {
  it('is offered only when auth.mechanisms names it', () => {
    expect(ready({}).ehlo).toContain('250-AUTH PLAIN OAUTHBEARER');
    expect(drive({ secure: true, auth: {} }).feed('EHLO c\r\n')).not.toContain('OAUTHBEARER');
  });

  it("RFC 7628 §4's example: the token and the user reach the application, 235 on accept", () => {
    const { seen, decide } = deciding((conn) => conn.accept());
    const { d } = ready({}, decide);
    expect(lines(d.feed(`AUTH OAUTHBEARER ${RFC_IR}\r\n`))).toEqual(['235 2.7.0 Authentication successful']);
    expect(seen).toEqual([{ mechanism: 'OAUTHBEARER', username: 'user@example.com', token: 'vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==' }]);
  });

  it('a refused token gets the JSON error challenge, the client answers ^A (AQ==), then the 535', () => {
    const { decide } = deciding((conn) => conn.reject());
    const { d } = ready({}, decide);
    const challenge = lines(d.feed(`AUTH OAUTHBEARER ${RFC_IR}\r\n`));
    expect(challenge).toHaveLength(1);
    expect(challenge[0]!.slice(0, 4)).toBe('334 ');
    expect(JSON.parse(atob(challenge[0]!.slice(4)))).toEqual({ status: 'invalid_token', schemes: 'bearer' });
    expect(lines(d.feed('AQ==\r\n'))).toEqual(['535 5.7.8 Error: authentication failed']);
    expect(d.conn.state).toBe('awaiting-mail');
    // the session goes on: the next line is a command again
    expect(lines(d.feed('NOOP\r\n'))).toEqual(['250 2.0.0 Ok']);
  });

  it('the exchange without an initial response: an empty 334, then the response', () => {
    const { seen, decide } = deciding((conn) => conn.accept());
    const { d } = ready({}, decide);
    expect(lines(d.feed('AUTH OAUTHBEARER\r\n'))).toEqual(['334 ']);
    expect(lines(d.feed(`${btoa('n,,\x01auth=Bearer abc\x01\x01')}\r\n`))).toEqual(['235 2.7.0 Authentication successful']);
    expect(seen).toEqual([{ mechanism: 'OAUTHBEARER', username: '', token: 'abc' }]);
  });

  it('a malformed response (no GS2 header) is 501, the application never asked', () => {
    const { seen, decide } = deciding((conn) => conn.accept());
    const { d } = ready({}, decide);
    expect(lines(d.feed(`AUTH OAUTHBEARER ${btoa('auth=Bearer abc\x01\x01')}\r\n`))).toEqual(['501 5.5.2 Malformed OAUTHBEARER response']);
    expect(seen).toEqual([]);
  });

  it('a user name with a control character, or that is not UTF-8, never reaches the application', () => {
    const { seen, decide } = deciding((conn) => conn.accept());
    const { d } = ready({}, decide);
    expect(lines(d.feed(`AUTH OAUTHBEARER ${btoa('n,a=u\x7fx,\x01auth=Bearer abc\x01\x01')}\r\n`))).toEqual(['501 5.5.2 Error: invalid credentials']);
    // btoa takes the string as bytes: \xff is the byte 0xFF, no UTF-8
    expect(lines(d.feed(`AUTH OAUTHBEARER ${btoa('n,a=u\xffx,\x01auth=Bearer abc\x01\x01')}\r\n`))).toEqual(['501 5.5.2 Error: invalid credentials']);
    expect(seen).toEqual([]);
  });
});
