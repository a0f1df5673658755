// AUTH in the core against the mutation survivors of auth-commands.ts: when AUTH may be used
// (EHLO, not HELO; outside a transaction; encryption unless allowInsecure), the command's syntax,
// cancelling and bad base64 in the initial response and in a later SASL step, and a refused AUTH.
import { describe, expect, it } from 'vitest';
import { drive, rejectAt, replyLines as lines } from '../test/harness.js';
import type { SaslMechanism } from '@smtpkit/foundation';
import type { ServerConnection, ServerEvent, ServerOptions } from './index.js';

const PLAIN_USER = 'AHVzZXIAcGFzcw=='; // \0user\0pass

function session(options: ServerOptions = {}, decide?: (e: ServerEvent, conn: ServerConnection) => boolean) {
  return drive({ secure: true, auth: { mechanisms: ['PLAIN', 'LOGIN'] }, ...options }, decide);
}

describe('when AUTH may be used', () => {
  it('needs EHLO: before any greeting and after HELO it is 503 5.5.1', () => {
    const none = session();
    expect(lines(none.feed(`AUTH PLAIN ${PLAIN_USER}\r\n`))).toEqual(['503 5.5.1 Error: send EHLO first']);
    const helo = session();
    helo.feed('HELO client.test\r\n');
    expect(lines(helo.feed(`AUTH PLAIN ${PLAIN_USER}\r\n`))).toEqual(['503 5.5.1 Error: send EHLO first']);
  });
  it('is refused inside a transaction and once authenticated', () => {
    const d = session();
    d.feed('EHLO client.test\r\n');
    expect(lines(d.feed(`AUTH PLAIN ${PLAIN_USER}\r\n`))).toEqual(['235 2.7.0 Authentication successful']);
    expect(lines(d.feed(`AUTH PLAIN ${PLAIN_USER}\r\n`))).toEqual(['503 5.5.1 Error: already authenticated']);
    const t = session();
    t.feed('EHLO client.test\r\n');
    t.feed('MAIL FROM:<a@example.org>\r\n');
    expect(lines(t.feed(`AUTH PLAIN ${PLAIN_USER}\r\n`))).toEqual(['503 5.5.1 Error: AUTH not allowed during a transaction']);
  });
  it('on a plaintext session is 538 5.7.11 unless allowInsecure, and no credentials reach the application', () => {
    const d = session({ secure: false });
    d.feed('EHLO client.test\r\n');
    expect(lines(d.feed(`AUTH PLAIN ${PLAIN_USER}\r\n`))).toEqual(['538 5.7.11 Encryption required for requested authentication mechanism']);
    expect(d.events.some((e) => e.type === 'auth')).toBe(false);
    const insecure = session({ secure: false, auth: { mechanisms: ['PLAIN'], allowInsecure: true } });
    insecure.feed('EHLO client.test\r\n');
    expect(lines(insecure.feed(`AUTH PLAIN ${PLAIN_USER}\r\n`))).toEqual(['235 2.7.0 Authentication successful']);
    expect(insecure.events.find((e) => e.type === 'auth')).toMatchObject({ credentials: { username: 'user', password: 'pass' } });
  });
});

describe('the AUTH command and its SASL steps', () => {
  function ready(decide?: (e: ServerEvent, conn: ServerConnection) => boolean) {
    const d = session({}, decide);
    d.feed('EHLO client.test\r\n');
    return d;
  }
  it('without a mechanism is a syntax error; an unknown one is 504', () => {
    const d = ready();
    expect(lines(d.feed('AUTH\r\n'))).toEqual(['501 5.5.4 Syntax: AUTH mechanism [initial-response]']);
    expect(lines(d.feed('AUTH CRAM-MD5\r\n'))).toEqual(['504 5.5.4 Error: unsupported authentication mechanism']);
  });
  it('takes the mechanism name in any case', () => {
    expect(lines(ready().feed(`AUTH plain ${PLAIN_USER}\r\n`))).toEqual(['235 2.7.0 Authentication successful']);
  });
  it('an initial response of * cancels (501 5.0.0); one that is not base64 is 501 5.5.2', () => {
    const d = ready();
    expect(lines(d.feed('AUTH PLAIN *\r\n'))).toEqual(['501 5.0.0 Authentication cancelled']);
    expect(lines(d.feed('AUTH PLAIN !!!\r\n'))).toEqual(['501 5.5.2 Error: invalid base64 data']);
    expect(d.events.some((e) => e.type === 'auth')).toBe(false);
    // the session can authenticate afterwards
    expect(lines(d.feed(`AUTH PLAIN ${PLAIN_USER}\r\n`))).toEqual(['235 2.7.0 Authentication successful']);
  });
  it('a later step: * cancels, bad base64 is refused, both end the exchange and leave the session usable', () => {
    const d = ready();
    expect(lines(d.feed('AUTH LOGIN\r\n'))).toEqual(['334 VXNlcm5hbWU6']);
    expect(lines(d.feed('*\r\n'))).toEqual(['501 5.0.0 Authentication cancelled']);
    expect(lines(d.feed('AUTH LOGIN\r\n'))).toEqual(['334 VXNlcm5hbWU6']);
    expect(lines(d.feed('not base64!\r\n'))).toEqual(['501 5.5.2 Error: invalid base64 data']);
    expect(lines(d.feed('NOOP\r\n'))).toEqual(['250 2.0.0 Ok']);
    expect(lines(d.feed('AUTH LOGIN\r\n'))).toEqual(['334 VXNlcm5hbWU6']);
    expect(lines(d.feed('dXNlcg==\r\n'))).toEqual(['334 UGFzc3dvcmQ6']);
    expect(lines(d.feed('cGFzcw==\r\n'))).toEqual(['235 2.7.0 Authentication successful']);
  });
  it('refused by the application: 535 5.7.8 (or its reply), and MAIL still needs no AUTH unless required', () => {
    const d = ready(rejectAt('auth'));
    expect(lines(d.feed(`AUTH PLAIN ${PLAIN_USER}\r\n`))).toEqual(['535 5.7.8 Error: authentication failed']);
    expect(d.conn.session.authenticatedUser).toBeUndefined();
    expect(lines(d.feed('MAIL FROM:<a@example.org>\r\n'))).toEqual(['250 2.1.0 Sender OK']);
  });
});

describe('SRV-8 an empty user name or password, or a LOGIN password holding NUL, never reaches the auth decision (PLAIN and LOGIN alike)', () => {
  const b64 = (s: string): string => btoa(s);
  // each case: the client lines after EHLO, and the replies they get
  const cases: [string, string[], string[]][] = [
    ['LOGIN, empty line as the user name', ['AUTH LOGIN', ''], ['334 VXNlcm5hbWU6', '501 5.5.2 Malformed LOGIN response']],
    ['LOGIN, "=" (base64 of nothing) as the user name', ['AUTH LOGIN', '='], ['334 VXNlcm5hbWU6', '501 5.5.2 Malformed LOGIN response']],
    ['LOGIN, "=" as the initial response', ['AUTH LOGIN ='], ['501 5.5.2 Malformed LOGIN response']],
    ['LOGIN, empty password', ['AUTH LOGIN', b64('user'), ''], ['334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6', '501 5.5.2 Malformed LOGIN response']],
    ['LOGIN, "=" as the password', ['AUTH LOGIN', b64('user'), '='], ['334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6', '501 5.5.2 Malformed LOGIN response']],
    ['PLAIN, empty user name', [`AUTH PLAIN ${b64('\0\0pass')}`], ['501 5.5.2 Malformed PLAIN response']],
    ['PLAIN, empty password', [`AUTH PLAIN ${b64('\0user\0')}`], ['501 5.5.2 Malformed PLAIN response']],
    ['PLAIN, empty password after the 334', ['AUTH PLAIN', b64('\0user\0')], ['334 ', '501 5.5.2 Malformed PLAIN response']],
    ['PLAIN, authorization identity only', [`AUTH PLAIN ${b64('user\0\0')}`], ['501 5.5.2 Malformed PLAIN response']],
    // PLAIN cannot carry a NUL in its password; LOGIN can: a C library would read `\0pass` as empty
    ['LOGIN, a password that starts with NUL', ['AUTH LOGIN', b64('user'), b64('\0pass')], ['334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6', '501 5.5.2 Error: invalid credentials']],
    ['LOGIN, a password holding NUL', [`AUTH LOGIN ${b64('user')}`, b64('pa\0ss')], ['334 UGFzc3dvcmQ6', '501 5.5.2 Error: invalid credentials']],
  ];
  for (const [name, input, replies] of cases) {
    it(`SRV-8 ${name}: 501 5.5.2 before any auth event; the session may AUTH again`, () => {
      const d = session();
      d.feed('EHLO client.test\r\n');
      let out = '';
      for (const l of input) out += d.feed(`${l}\r\n`);
      expect(lines(out)).toEqual(replies);
      expect(d.events.some((e) => e.type === 'auth')).toBe(false);
      expect(d.conn.state).toBe('awaiting-mail');
      expect(lines(d.feed(`AUTH PLAIN ${PLAIN_USER}\r\n`))).toEqual(['235 2.7.0 Authentication successful']);
    });
  }
  it('SRV-8 a one-character user name and password still reach the decision (LOGIN and PLAIN)', () => {
    const d = session();
    d.feed('EHLO client.test\r\n');
    d.feed('AUTH LOGIN\r\n');
    d.feed(`${b64('u')}\r\n`);
    expect(lines(d.feed(`${b64('p')}\r\n`))).toEqual(['235 2.7.0 Authentication successful']);
    const p = session();
    p.feed('EHLO client.test\r\n');
    expect(lines(p.feed(`AUTH PLAIN ${b64('\0u\0p')}\r\n`))).toEqual(['235 2.7.0 Authentication successful']);
    expect([...d.events, ...p.events].filter((e) => e.type === 'auth').map((e) => e.type === 'auth' && `${e.credentials.username}:${String(e.credentials.password)}`)).toEqual(['u:p', 'u:p']);
  });
});

describe('SMUG-5 an AUTH mechanism name is matched in ASCII only', () => {
  it('SMUG-5 PLAıN and LOGıN (dotless i, which Unicode upper-casing folds to I) are unsupported mechanisms: 504, no auth event', () => {
    for (const name of ['PLA\u0131N', 'LOG\u0131N', 'plaın']) {
      const d = session();
      d.feed('EHLO client.test\r\n');
      expect(lines(d.feed(`AUTH ${name} ${PLAIN_USER}\r\n`)), name).toEqual(['504 5.5.4 Error: unsupported authentication mechanism']);
      expect(d.events.some((e) => e.type === 'auth'), name).toBe(false);
    }
    const d = session();
    d.feed('EHLO client.test\r\n');
    expect(lines(d.feed(`AUTH plain ${PLAIN_USER}\r\n`))).toEqual(['235 2.7.0 Authentication successful']);
  });
});

/** A custom mechanism under a one-round name that still answers its initial response with a `334` (then takes one more line). */
function twoRound(name: string): SaslMechanism {
  return {
    name,
    server: () => {
      let n = 0;
      return { step: () => (n++ === 0 ? { type: 'challenge', challenge: 'more' } : { type: 'done', credentials: { mechanism: name, username: 'u', password: 'p' } }) };
    },
  };
}

describe('SMUG-5 a 334 after an initial response with commands pipelined behind the AUTH', () => {
  it('SMUG-5 a custom PLAIN or EXTERNAL that sends a 334 after its initial response: 554 and close, the pipelined lines are never read as SASL answers or commands', () => {
    for (const name of ['PLAIN', 'EXTERNAL']) {
      const d = session({ auth: { mechanisms: [twoRound(name)] } });
      d.feed('EHLO client.test\r\n');
      expect(lines(d.feed(`AUTH ${name} ${PLAIN_USER}\r\ndXNlcg==\r\nMAIL FROM:<a@example.org>\r\n`)), name).toEqual(['554 5.5.0 Error: SMTP protocol synchronization']);
      expect(d.conn.state, name).toBe('closed');
      expect(d.events.some((e) => e.type === 'auth' || e.type === 'mail'), name).toBe(false);
    }
  });
  it('without input behind it the 334 is sent and the exchange goes on; with pipeliningSync off the next line is its answer', () => {
    const d = session({ auth: { mechanisms: [twoRound('PLAIN')] } });
    d.feed('EHLO client.test\r\n');
    expect(lines(d.feed(`AUTH PLAIN ${PLAIN_USER}\r\n`))).toEqual(['334 bW9yZQ==']);
    expect(lines(d.feed('dXNlcg==\r\n'))).toEqual(['235 2.7.0 Authentication successful']);
    const off = session({ auth: { mechanisms: [twoRound('PLAIN')] }, pipeliningSync: 'off' });
    off.feed('EHLO client.test\r\n');
    expect(lines(off.feed(`AUTH PLAIN ${PLAIN_USER}\r\ndXNlcg==\r\n`))).toEqual(['334 bW9yZQ==', '235 2.7.0 Authentication successful']);
  });
});

describe('accepting AUTH takes a 235 only (RFC 4954 §6)', () => {
  it('a 250 is refused with ERR_SMTP_INVALID_REPLY and the decision stays pending; a 235 of its own is written', () => {
    const codes: (string | undefined)[] = [];
    const d = session({ autoAccept: ['connect', 'helo', 'mail', 'rcpt', 'data-start', 'message-end'] }, (e, conn) => {
      if (e.type !== 'auth') return false;
      try {
        conn.accept({ code: 250, text: 'fine' });
      } catch (err) {
        codes.push((err as { code?: string }).code);
      }
      expect(conn.pendingDecision).toBe('auth');
      conn.accept({ code: 235, enhanced: '2.7.0', text: 'Welcome' });
      return true;
    });
    d.feed('EHLO client.test\r\n');
    expect(lines(d.feed(`AUTH PLAIN ${PLAIN_USER}\r\n`))).toEqual(['235 2.7.0 Welcome']);
    expect(codes).toEqual(['ERR_SMTP_INVALID_REPLY']);
  });
});

describe('MAIL AUTH= in an authenticated session (RFC 4954 §5)', () => {
  it('stays a MAIL parameter after an EHLO that follows AUTH (the reply no longer lists AUTH), as in Postfix; its longer MAIL line too', () => {
    const d = session();
    d.feed('EHLO client.test\r\n');
    expect(lines(d.feed(`AUTH PLAIN ${PLAIN_USER}\r\n`))).toEqual(['235 2.7.0 Authentication successful']);
    expect(d.feed('EHLO client.test\r\n')).not.toContain('AUTH');
    expect(lines(d.feed('MAIL FROM:<a@example.org> AUTH=a@example.org\r\n'))).toEqual(['250 2.1.0 Sender OK']);
    expect(d.events.filter((e) => e.type === 'mail').at(-1)).toMatchObject({ parameters: { AUTH: 'a@example.org' } });
    d.feed('RSET\r\n');
    // a MAIL line past 512 octets with an AUTH= value within the 500 octets RFC 4954 §3 adds
    const local = 'x'.repeat(60);
    const line = `MAIL FROM:<a@example.org> AUTH=${`${local}.`.repeat(7)}${local}@example.org`;
    expect(line.length).toBeGreaterThan(512);
    expect(lines(d.feed(`${line}\r\n`))).toEqual(['250 2.1.0 Sender OK']);
  });
  it('is still refused where AUTH was never in force: after HELO, or on a plaintext session with no AUTH offered', () => {
    const clear = session({ secure: false, starttls: true });
    clear.feed('EHLO client.test\r\n');
    expect(lines(clear.feed('MAIL FROM:<a@example.org> AUTH=<>\r\n'))).toEqual(['555 5.5.4 Unsupported parameter AUTH']);
  });
});
