// Which commands must end a pipelined group (RFC 2920 §3.1, RFC 4954 §4): AUTH with an initial
// response for a mechanism that completes in one round trip (PLAIN, EXTERNAL) may be followed by
// more commands in the same flight, which then run with the outcome of the authentication; AUTH
// without one, or for a mechanism that may need a second round, stays must-be-last. HELP, which RFC
// 2920 does not list and which changes no state, may be pipelined too.
import { describe, expect, it } from 'vitest';
import { splittings } from '@smtpkit/testkit';
import type { SaslMechanism } from '@smtpkit/foundation';
import { codes, drive } from '../test/harness.js';
import type { ServerOptions } from './index.js';

/** `\0a\0pw`: user `a`, password `pw`. */
const PLAIN_IR = 'AGEAcHc=';
const ENVELOPE = 'MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n';
const insecure = (mechanisms: readonly (string | SaslMechanism)[], required = false): ServerOptions => ({ auth: { mechanisms, allowInsecure: true, required } });

/** EXTERNAL: the identity comes from outside SASL (a client certificate); done in one step. */
const EXTERNAL: SaslMechanism = {
  name: 'EXTERNAL',
  server: () => ({ step: () => ({ type: 'done', credentials: { mechanism: 'EXTERNAL', username: 'cert-user' } }) }),
};

describe('RFC 4954 §4 AUTH with an initial response of a one-round mechanism may be pipelined', () => {
  it('AUTH PLAIN <ir> + MAIL + RCPT in one flight: 235, 250, 250, authenticated (every split)', () => {
    for (const s of splittings(`AUTH PLAIN ${PLAIN_IR}\r\n${ENVELOPE}`, { random: 8 })) {
      const d = drive(insecure(['PLAIN']));
      d.feed('EHLO client.test\r\n');
      for (const c of s.chunks) d.feed(c);
      expect(codes(d.out).slice(2), s.name).toEqual([235, 250, 250]);
      expect(d.conn.state, s.name).toBe('awaiting-rcpt');
      expect(d.conn.session.authenticatedUser, s.name).toBe('a');
    }
  });

  it('the commands behind it wait for the application to answer the credentials', () => {
    const d = drive(insecure(['PLAIN'], true), (e) => e.type === 'auth');
    d.feed('EHLO client.test\r\n');
    expect(d.feed(`AUTH PLAIN ${PLAIN_IR}\r\n${ENVELOPE}`)).toBe('');
    d.conn.accept();
    expect(codes(d.feed(''))).toEqual([235, 250, 250]);
    expect(d.events.find((e) => e.type === 'mail')).toBeDefined();
  });

  it('a rejected AUTH: the commands behind it run unauthenticated (auth.required: 530 to MAIL)', () => {
    const d = drive(insecure(['PLAIN'], true), (e, conn) => {
      if (e.type !== 'auth') return false;
      conn.reject();
      return true;
    });
    d.feed('EHLO client.test\r\n');
    expect(codes(d.feed(`AUTH PLAIN ${PLAIN_IR}\r\n${ENVELOPE}`))).toEqual([535, 530, 503]);
    expect(d.conn.session.authenticatedUser).toBeUndefined();
    expect(d.conn.state).toBe('awaiting-mail');
  });

  it('a refused AUTH (malformed PLAIN, unknown mechanism) is one reply: the commands behind it run', () => {
    for (const line of ['AUTH PLAIN AHVzZXI=', 'AUTH PLAIN ***', 'AUTH EXTERNAL =']) {
      const d = drive(insecure(['PLAIN']));
      d.feed('EHLO client.test\r\n');
      const out = codes(d.feed(`${line}\r\n${ENVELOPE}`));
      expect(out.slice(1), line).toEqual([250, 250]);
      expect(out[0]! >= 500, line).toBe(true);
    }
  });

  it('AUTH EXTERNAL <ir> + MAIL: 235, 250', () => {
    const d = drive(insecure([EXTERNAL]));
    d.feed('EHLO client.test\r\n');
    expect(codes(d.feed('AUTH EXTERNAL =\r\nMAIL FROM:<a@b.example>\r\n'))).toEqual([235, 250]);
    expect(d.conn.session.authenticatedUser).toBe('cert-user');
  });

  it('SMUG-5 AUTH stays must-be-last without an initial response, or for a mechanism that may take a second round (LOGIN, XOAUTH2, CRAM-MD5)', () => {
    const cases: [string, ServerOptions][] = [
      [`AUTH PLAIN\r\n${PLAIN_IR}`, insecure(['PLAIN'])],
      ['AUTH PLAIN ', insecure(['PLAIN'])],
      ['AUTH LOGIN dXNlcg==', insecure(['LOGIN'])],
      ['AUTH XOAUTH2 dXNlcj11AWF1dGg9QmVhcmVyIHQBAQ==', insecure(['XOAUTH2'])],
      ['AUTH CRAM-MD5', { ...insecure(['CRAM-MD5']), challenge: () => '<1.2@mx.test>' }],
    ];
    for (const [line, options] of cases) {
      const d = drive(options);
      d.feed('EHLO client.test\r\n');
      expect(codes(d.feed(`${line}\r\n${ENVELOPE}`)), JSON.stringify(line)).toEqual([554]);
      expect(d.conn.state, JSON.stringify(line)).toBe('closed');
      expect(d.events.some((e) => e.type === 'mail'), JSON.stringify(line)).toBe(false);
    }
  });

  it('without PIPELINING (after HELO) anything behind AUTH is still refused', () => {
    const d = drive(insecure(['PLAIN']));
    d.feed('HELO client.test\r\n');
    expect(codes(d.feed(`AUTH PLAIN ${PLAIN_IR}\r\n${ENVELOPE}`))).toEqual([554]);
  });
});

describe('RFC 2920 §3.1 HELP is not a must-be-last command', () => {
  it('HELP + MAIL + RCPT in one flight: 214, 250, 250', () => {
    const d = drive();
    d.feed('EHLO client.test\r\n');
    expect(codes(d.feed(`HELP\r\n${ENVELOPE}`))).toEqual([214, 250, 250]);
    expect(d.conn.state).toBe('awaiting-rcpt');
  });
});
