// XOAUTH2's error challenge (the 334 with its JSON status) belongs to a refused token (a 5xx): a
// temporary refusal (454) is sent at once, as a 421 is.
import { describe, expect, it } from 'vitest';
import { drive, replyLines as lines } from '../test/harness.js';
import type { ServerConnection, ServerEvent, ServerOptions } from './index.js';

const b64 = (s: string): string => btoa(s);

function ready(options: ServerOptions, decide?: (e: ServerEvent, conn: ServerConnection) => boolean) {
  const d = drive({ secure: true, auth: { mechanisms: ['XOAUTH2'] }, ...options }, decide);
  d.feed('EHLO client.test\r\n');
  return d;
}

describe("XOAUTH2's error challenge belongs to a refused token", () => {
  const token = b64('user=u@x\x01auth=Bearer t\x01\x01');
  it('a temporary refusal (454) is answered at once, with no 334', () => {
    const d = ready({}, (e, conn) => {
      if (e.type !== 'auth') return false;
      conn.reject({ code: 454, enhanced: '4.7.0', text: 'Temporary authentication failure' });
      return true;
    });
    expect(lines(d.feed(`AUTH XOAUTH2 ${token}\r\n`))).toEqual(['454 4.7.0 Temporary authentication failure']);
    expect(d.conn.state).toBe('awaiting-mail');
  });
  it('a 535 still sends the JSON challenge first', () => {
    const d = ready({}, (e, conn) => {
      if (e.type !== 'auth') return false;
      conn.reject();
      return true;
    });
    expect(lines(d.feed(`AUTH XOAUTH2 ${token}\r\n`))[0]).toMatch(/^334 /);
    expect(lines(d.feed('\r\n'))).toEqual(['535 5.7.8 Error: authentication failed']);
  });
});
