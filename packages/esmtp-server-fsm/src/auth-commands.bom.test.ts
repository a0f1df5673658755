// A UTF-8 byte order mark at the start of a SASL answer line, or of a decoded response, is not
// dropped: TextDecoder's default took it off, so `\uFEFF` + base64 passed as base64, and a user
// name `\uFEFFalice` reached onAuth as `alice`.
import { describe, expect, it } from 'vitest';
import { drive, replyLines as lines } from '../test/harness.js';
import type { AuthCredentials, ServerConnection, ServerEvent } from './index.js';

function loginStarted() {
  const seen: AuthCredentials[] = [];
  const decide = (e: ServerEvent, conn: ServerConnection): boolean => {
    if (e.type !== 'auth') return false;
    seen.push(e.credentials);
    conn.accept();
    return true;
  };
  const d = drive({ secure: true, auth: { mechanisms: ['LOGIN'] } }, decide);
  d.feed('EHLO client.test\r\n');
  expect(lines(d.feed('AUTH LOGIN\r\n'))).toEqual(['334 VXNlcm5hbWU6']);
  return { d, seen };
}

describe('a byte order mark in AUTH', () => {
  it('before the base64 of an answer line: no base64 (501)', () => {
    const { d } = loginStarted();
    expect(lines(d.feed(`\uFEFF${btoa('user')}\r\n`))).toEqual(['501 5.5.2 Error: invalid base64 data']);
    expect(d.conn.state).toBe('awaiting-mail');
  });

  it('at the start of a decoded user name: refused, the application never asked', () => {
    const { d, seen } = loginStarted();
    // btoa takes the string as bytes: EF BB BF is the UTF-8 of U+FEFF
    expect(lines(d.feed(`${btoa('\xef\xbb\xbfalice')}\r\n`))).toEqual(['334 UGFzc3dvcmQ6']);
    expect(lines(d.feed(`${btoa('pw')}\r\n`))).toEqual(['501 5.5.2 Error: invalid credentials']);
    expect(seen).toEqual([]);
  });
});
