// RFC 4954 §4: an initial response held back from a long AUTH line answers the server's first,
// EMPTY challenge. Before, the client sent it after the first 334 whatever its text: a server
// challenging first (a CRAM-MD5-like exchange under the name, a confused proxy) got the
// credentials as the answer to a challenge they do not answer. Now the client cancels with `*`
// and the AUTH fails with ERR_SMTP_CLIENT_AUTH_FAILED.
import { describe, expect, it } from 'vitest';
import { openAuth, step } from './step.js';

const open = openAuth;

describe('a held initial response answers only an empty first challenge (RFC 4954 §4)', () => {
  const token = 'T'.repeat(2000);
  for (const [name, auth] of [
    ['XOAUTH2', { user: 'me@x.test', accessToken: token }],
    ['PLAIN', { user: 'u', pass: 'p'.repeat(600) }],
  ] as const) {
    it(`${name}: a 334 with text gets '*', never the credentials; the server's 501 fails the AUTH`, () => {
      const { conn, events, first } = open(auth, name);
      expect(first).toBe(`AUTH ${name}\r\n`);
      expect(step(conn, `334 ${btoa('<1.2@mx.test>')}\r\n`, events)).toBe('*\r\n');
      expect(step(conn, '501 5.0.0 Authentication cancelled\r\n', events)).toBe('QUIT\r\n');
      expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_AUTH_FAILED', message: expect.stringContaining('RFC 4954 §4') });
      expect(events.some((e) => e.type === 'authenticated')).toBe(false);
      const sent = events.find((e) => e.type === 'message-sent');
      expect(sent).toMatchObject({ outcome: 'failed', transient: false });
    });
  }

  it('a 454 to the cancel leaves the message deferred', () => {
    const { conn, events } = open({ user: 'me@x.test', accessToken: token }, 'XOAUTH2');
    step(conn, `334 ${btoa('x')}\r\n`, events);
    step(conn, '454 4.7.0 try later\r\n', events);
    expect(events.find((e) => e.type === 'message-sent')).toMatchObject({ outcome: 'deferred', transient: true });
  });

  it('an empty 334 (or blanks only) still takes the held response', () => {
    const { conn, events } = open({ user: 'me@x.test', accessToken: token }, 'XOAUTH2');
    expect(step(conn, '334  \r\n', events)).toBe(`${btoa(`user=me@x.test\x01auth=Bearer ${token}\x01\x01`)}\r\n`);
    expect(step(conn, '235 2.7.0 ok\r\n', events)).toBe('MAIL FROM:<s@x.test>\r\n');
  });

  it('a 334 = (the empty form RFC 4954 §4 gives a response) takes the held response too', () => {
    const { conn, events } = open({ user: 'me@x.test', accessToken: token }, 'XOAUTH2');
    expect(step(conn, '334 =\r\n', events)).toBe(`${btoa(`user=me@x.test\x01auth=Bearer ${token}\x01\x01`)}\r\n`);
    expect(step(conn, '235 2.7.0 ok\r\n', events)).toBe('MAIL FROM:<s@x.test>\r\n');
  });

  it('a 334 with = and more text is still a challenge with text', () => {
    const { conn, events } = open({ user: 'me@x.test', accessToken: token }, 'XOAUTH2');
    expect(step(conn, '334 ==\r\n', events)).toBe('*\r\n');
  });
});
