// An access token picks XOAUTH2 when the server offers it (as before), else OAUTHBEARER (RFC 7628),
// or what `mechanisms` lists; OAUTHBEARER answers the server's error challenge with ^A (AQ==).
import { describe, expect, it } from 'vitest';
import { ClientConnection } from '../src/index.js';
import { openAuth, step } from './step.js';

const open = openAuth;

const token = { user: 'me@x.test', accessToken: 'tok' };
const bearer = (user = 'me@x.test') => btoa(`n,a=${user},\x01auth=Bearer tok\x01\x01`);

describe('OAUTHBEARER in the client', () => {
  it('is used when the server offers it and not XOAUTH2', () => {
    const { conn, events, first } = open(token, 'PLAIN OAUTHBEARER');
    expect(first).toBe(`AUTH OAUTHBEARER ${bearer()}\r\n`);
    expect(step(conn, '235 2.7.0 ok\r\n', events)).toBe('MAIL FROM:<s@x.test>\r\n');
    expect(events.find((e) => e.type === 'authenticated')).toMatchObject({ mechanism: 'OAUTHBEARER' });
  });

  it('XOAUTH2 stays the choice when the server offers both', () => {
    expect(open(token, 'OAUTHBEARER XOAUTH2').first).toMatch(/^AUTH XOAUTH2 /);
  });

  it('`mechanisms` chooses OAUTHBEARER over XOAUTH2, or limits the choice', () => {
    expect(open({ ...token, mechanisms: ['oauthbearer', 'XOAUTH2'] }, 'XOAUTH2 OAUTHBEARER').first).toMatch(/^AUTH OAUTHBEARER /);
    const only = open({ ...token, mechanisms: ['XOAUTH2'] }, 'OAUTHBEARER');
    expect(only.events.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_AUTH_UNAVAILABLE' });
  });

  it('`mechanisms` names are upper-cased in ASCII only: a dotless i does not become PLAIN', () => {
    const dotless = open({ user: 'u', pass: 'p', mechanisms: ['pla\u0131n'] }, 'PLAIN');
    expect(dotless.first).not.toMatch(/^AUTH/);
    expect(dotless.events.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_AUTH_UNAVAILABLE' });
    expect(open({ user: 'u', pass: 'p', mechanisms: ['plain'] }, 'PLAIN').first).toBe(`AUTH PLAIN ${btoa('\0u\0p')}\r\n`);
  });

  it('escapes , and = in the user name (RFC 7628 §3.1)', () => {
    expect(open({ user: 'a,b=c', accessToken: 'tok' }, 'OAUTHBEARER').first).toBe(`AUTH OAUTHBEARER ${bearer('a=2Cb=3Dc')}\r\n`);
  });

  it("answers the JSON error challenge with ^A (AQ==); the 535 after it fails the AUTH", () => {
    const { conn, events } = open(token, 'OAUTHBEARER');
    expect(step(conn, `334 ${btoa('{"status":"invalid_token","schemes":"bearer"}')}\r\n`, events)).toBe('AQ==\r\n');
    step(conn, '535 5.7.8 no\r\n', events);
    expect(events.find((e) => e.type === 'auth-failed')).toMatchObject({ mechanism: 'OAUTHBEARER', reply: { code: 535 } });
  });

  it('a long token goes after the empty 334, and the error challenge after it still gets ^A', () => {
    const long = 'T'.repeat(2000);
    const { conn, events, first } = open({ user: 'me@x.test', accessToken: long }, 'OAUTHBEARER');
    expect(first).toBe('AUTH OAUTHBEARER\r\n');
    expect(step(conn, '334 \r\n', events)).toBe(`${btoa(`n,a=me@x.test,\x01auth=Bearer ${long}\x01\x01`)}\r\n`);
    expect(step(conn, `334 ${btoa('{"status":"invalid_token"}')}\r\n`, events)).toBe('AQ==\r\n');
  });

  it('refuses control bytes in the user name and token, and a mechanisms option that is no list of names', () => {
    expect(() => new ClientConnection({ auth: { user: 'a\x01b', accessToken: 't' } })).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_CONTROL_CHARACTER' }));
    expect(() => new ClientConnection({ auth: { user: 'a', accessToken: 't\x01auth=x' } })).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_CONTROL_CHARACTER' }));
    expect(() => new ClientConnection({ auth: { user: 'a', accessToken: 't', mechanisms: 'OAUTHBEARER' as unknown as string[] } })).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_INVALID_OPTION' }));
  });
});
