// SRV-8 credentials that are not UTF-8 (RFC 4616 §2: PLAIN's fields are UTF-8) never reach the auth
// decision: decoded lossily, `\xff` and `\xfe` would both become U+FFFD, so two different byte
// passwords (or user names, or tokens) would look the same to the application. Each built-in
// mechanism refuses them as it refuses a LOGIN password holding NUL: 501 5.5.2.
import { describe, expect, it } from 'vitest';
import { drive, replyLines as lines } from '../test/harness.js';
import { XOAUTH2 } from '@smtpkit/foundation';
import type { SaslMechanism } from '@smtpkit/foundation';
import type { ServerOptions } from './index.js';

/** Base64 of `s` read as bytes (each UTF-16 unit one byte, as `btoa` takes it). */
const bytes64 = (s: string): string => btoa(s);
/** Base64 of the UTF-8 form of `s`. */
const utf64 = (s: string): string => btoa(String.fromCharCode(...new TextEncoder().encode(s)));
const REFUSED = '501 5.5.2 Error: invalid credentials';
/** Byte sequences that are not UTF-8: 0xFF, 0xFE, a lone continuation byte, a cut sequence, an overlong `/`, an encoded surrogate. */
const NOT_UTF8 = ['\xff', '\xfe', '\x80', 'p\xc3', '\xc0\xaf', '\xed\xa0\x80'];

function ready(options: ServerOptions = {}) {
  const d = drive({ secure: true, auth: { mechanisms: ['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2'] }, challenge: () => '<1.2@test>', ...options });
  d.feed('EHLO client.test\r\n');
  return d;
}

/** The client lines after EHLO that carry `bad` in one field of one mechanism, and the replies before the refusal. */
const cases = (bad: string): [string, string[], string[]][] => [
  ['PLAIN authorization identity', [`AUTH PLAIN ${bytes64(`${bad}\0user\0pass`)}`], []],
  ['PLAIN user name', [`AUTH PLAIN ${bytes64(`\0us${bad}er\0pass`)}`], []],
  ['PLAIN password', [`AUTH PLAIN ${bytes64(`\0user\0pa${bad}ss`)}`], []],
  ['PLAIN password after the 334', ['AUTH PLAIN', bytes64(`\0user\0${bad}`)], ['334 ']],
  ['LOGIN user name (initial response)', [`AUTH LOGIN ${bytes64(`u${bad}`)}`], []],
  ['LOGIN user name', ['AUTH LOGIN', bytes64(`u${bad}`)], ['334 VXNlcm5hbWU6']],
  ['LOGIN password', ['AUTH LOGIN', bytes64('user'), bytes64(`pa${bad}ss`)], ['334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6']],
  ['CRAM-MD5 user name', ['AUTH CRAM-MD5', bytes64(`u${bad} ${'0'.repeat(32)}`)], ['334 PDEuMkB0ZXN0Pg==']],
  ['XOAUTH2 user', [`AUTH XOAUTH2 ${bytes64(`user=u${bad}\x01auth=Bearer tok\x01\x01`)}`], []],
  ['XOAUTH2 token', [`AUTH XOAUTH2 ${bytes64(`user=u\x01auth=Bearer t${bad}ok\x01\x01`)}`], []],
];

describe('SRV-8 credentials that are not UTF-8 never reach the auth decision (every built-in mechanism)', () => {
  for (const bad of NOT_UTF8) {
    for (const [name, input, before] of cases(bad)) {
      it(`SRV-8 ${name} holding ${JSON.stringify(bad)}: 501 5.5.2, no auth event, the session may AUTH again`, () => {
        const d = ready();
        let out = '';
        for (const l of input) out += d.feed(`${l}\r\n`);
        expect(lines(out)).toEqual([...before, REFUSED]);
        expect(d.events.some((e) => e.type === 'auth')).toBe(false);
        expect(d.conn.state).toBe('awaiting-mail');
        expect(lines(d.feed(`AUTH PLAIN ${bytes64('\0user\0pass')}\r\n`))).toEqual(['235 2.7.0 Authentication successful']);
      });
    }
  }

  it('SRV-8 the passwords \\xff and \\xfe are not the same credential: neither reaches the application', () => {
    const seen: string[] = [];
    for (const bad of ['\xff', '\xfe']) {
      const d = ready();
      expect(lines(d.feed(`AUTH PLAIN ${bytes64(`\0user\0${bad}`)}\r\n`))).toEqual([REFUSED]);
      for (const e of d.events) if (e.type === 'auth') seen.push(String(e.credentials.password));
    }
    expect(seen).toEqual([]);
  });

  it('UTF-8 credentials reach the application exactly (PLAIN, LOGIN, XOAUTH2), a U+FFFD sent as UTF-8 in a password too', () => {
    const d = ready();
    expect(lines(d.feed(`AUTH PLAIN ${utf64('\0jürgen\0pässwörd\uFFFD😀')}\r\n`))).toEqual(['235 2.7.0 Authentication successful']);
    const l = ready();
    l.feed('AUTH LOGIN\r\n');
    l.feed(`${utf64('zoë')}\r\n`);
    expect(lines(l.feed(`${utf64('mot de passe ✓')}\r\n`))).toEqual(['235 2.7.0 Authentication successful']);
    const x = ready();
    expect(lines(x.feed(`AUTH XOAUTH2 ${utf64('user=zoë@exämple.org\x01auth=Bearer tøken\x01\x01')}\r\n`))).toEqual(['235 2.7.0 Authentication successful']);
    const got = [...d.events, ...l.events, ...x.events].flatMap((e) => (e.type === 'auth' ? [[e.credentials.username, e.credentials.password ?? e.credentials.token]] : []));
    expect(got).toEqual([
      ['jürgen', 'pässwörd\uFFFD😀'],
      ['zoë', 'mot de passe ✓'],
      ['zoë@exämple.org', 'tøken'],
    ]);
  });

  it('a built-in spread with another error step (XOAUTH2 naming a scope) is checked as the built-in is', () => {
    const scoped: SaslMechanism = { ...XOAUTH2, failureChallenge: () => '{"status":"401","scope":"mail"}' };
    const d = ready({ auth: { mechanisms: [scoped] } });
    expect(lines(d.feed(`AUTH XOAUTH2 ${bytes64('user=u\x01auth=Bearer t\xffok\x01\x01')}\r\n`))).toEqual([REFUSED]);
    expect(d.events.some((e) => e.type === 'auth')).toBe(false);
  });

  it('a custom mechanism gets its bytes as they came: one that takes binary answers is not refused', () => {
    const binary: SaslMechanism = {
      name: 'X-BINARY',
      server: () => ({ step: (r) => (r === undefined ? { type: 'challenge', challenge: '' } : { type: 'done', credentials: { mechanism: 'X-BINARY', username: 'u', token: [...r].join(',') } }) }),
    };
    const d = ready({ auth: { mechanisms: [binary] } });
    expect(lines(d.feed(`AUTH X-BINARY ${bytes64('\xff\xfe')}\r\n`))).toEqual(['235 2.7.0 Authentication successful']);
    expect(d.events.find((e) => e.type === 'auth')).toMatchObject({ credentials: { token: '255,254' } });
  });
});
