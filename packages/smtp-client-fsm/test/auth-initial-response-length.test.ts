// RFC 4954 §4: an initial response that would make the AUTH command longer than the 512-octet
// command line (RFC 5321 §4.5.3.1.4, CRLF included) is not sent on the AUTH line: the client sends
// `AUTH <mechanism>`, waits for the empty `334 ` and sends the response on a line of its own
// (RFC 4422 §5). Postfix refuses AUTH lines over 2048 octets yet takes responses up to 12288.
// Before, the client sent `AUTH <mechanism>` and then answered the empty challenge with the
// mechanism's `step()`: right for PLAIN (whose step repeats the response), but XOAUTH2's step is
// the empty answer to an error challenge, so a long access token was never sent.
import { describe, expect, it } from 'vitest';
import { ClientConnection } from '../src/index.js';
import type { ClientEvent, TranscriptEntry } from '../src/index.js';
import type { SaslMechanism } from '@smtpkit/foundation';
import { step } from './step.js';

const b64 = (s: string): string => btoa(s);

/** Greeting and EHLO offering `mechanisms`; returns what the client wrote after the EHLO reply. */
function open(options: ConstructorParameters<typeof ClientConnection>[0], mechanisms: string) {
  const events: ClientEvent[] = [];
  const transcript: TranscriptEntry[] = [];
  const conn = new ClientConnection({ hostname: 'c.test', security: 'implicit', transcript: (e) => transcript.push(e), ...options });
  conn.sendMessage({ from: 's@x.test', to: ['a@y.test'], body: 'hi\r\n' });
  step(conn, '220 mx.test\r\n', events);
  const auth = step(conn, `250-mx.test\r\n250 AUTH ${mechanisms}\r\n`, events);
  return { conn, events, transcript, auth };
}

describe('INJ-10 AUTH initial response and the 512-octet command line (RFC 4954 §4)', () => {
  it('XOAUTH2, short token: the response goes on the AUTH line', () => {
    const ir = b64('user=me@x.test\x01auth=Bearer short\x01\x01');
    const { conn, events, auth } = open({ auth: { user: 'me@x.test', accessToken: 'short' } }, 'XOAUTH2');
    expect(auth).toBe(`AUTH XOAUTH2 ${ir}\r\n`);
    expect(step(conn, '235 2.7.0 ok\r\n', events)).toBe('MAIL FROM:<s@x.test>\r\n');
  });

  it('XOAUTH2, a 2000-character token: AUTH XOAUTH2 alone, then the response after the empty 334', () => {
    const token = 'T'.repeat(2000);
    const ir = b64(`user=me@x.test\x01auth=Bearer ${token}\x01\x01`);
    const { conn, events, transcript, auth } = open({ auth: { user: 'me@x.test', accessToken: token } }, 'XOAUTH2');
    expect(auth).toBe('AUTH XOAUTH2\r\n');
    expect(step(conn, '334 \r\n', events)).toBe(`${ir}\r\n`);
    expect(step(conn, '235 2.7.0 ok\r\n', events)).toBe('MAIL FROM:<s@x.test>\r\n');
    expect(events.find((e) => e.type === 'authenticated')).toMatchObject({ mechanism: 'XOAUTH2' });
    // the token is never in the transcript
    expect(transcript.filter((e) => e.direction === 'client').map((e) => e.line).slice(1, 3)).toEqual(['AUTH XOAUTH2', '<redacted>']);
  });

  it('XOAUTH2, a long token refused: the error challenge after it gets the empty answer, then the 535 fails AUTH', () => {
    const token = 'T'.repeat(2000);
    const { conn, events } = open({ auth: { user: 'me@x.test', accessToken: token } }, 'XOAUTH2');
    step(conn, '334 \r\n', events);
    expect(step(conn, `334 ${b64('{"status":"401"}')}\r\n`, events)).toBe('\r\n');
    step(conn, '535 5.7.8 no\r\n', events);
    expect(events.find((e) => e.type === 'auth-failed')).toMatchObject({ mechanism: 'XOAUTH2', reply: { code: 535 } });
  });

  it('PLAIN: a 509-octet AUTH line carries the response, a 513-octet one would not', () => {
    // `AUTH PLAIN ` is 11 octets. `\0u\0` and 369 octets of password: 372 bytes, 496 of base64, a
    // 509-octet line; with 372 octets of password: 375 bytes, 500 of base64, a 513-octet line.
    const short = 'p'.repeat(369);
    const long = 'p'.repeat(372);
    const a = open({ auth: { user: 'u', pass: short } }, 'PLAIN');
    expect(a.auth).toBe(`AUTH PLAIN ${b64(`\0u\0${short}`)}\r\n`);
    expect(a.auth.length).toBe(509);
    const b = open({ auth: { user: 'u', pass: long } }, 'PLAIN');
    expect(b.auth).toBe('AUTH PLAIN\r\n');
    expect(step(b.conn, '334 \r\n', b.events)).toBe(`${b64(`\0u\0${long}`)}\r\n`);
  });

  it('the boundary is 512 octets with CRLF exactly (a custom mechanism with a response of any length)', () => {
    const mech = (ir: string): SaslMechanism => ({ name: 'X-IR', client: () => ({ initial: () => ir, step: () => 'not the initial response' }) });
    // `AUTH X-IR ` is 10 octets: 500 of base64 (375 bytes) make 512 with CRLF
    const at = open({ auth: { mechanism: mech('r'.repeat(375)) } }, 'X-IR');
    expect(at.auth).toBe(`AUTH X-IR ${b64('r'.repeat(375))}\r\n`);
    expect(at.auth.length).toBe(512);
    const over = open({ auth: { mechanism: mech('r'.repeat(376)) } }, 'X-IR');
    expect(over.auth).toBe('AUTH X-IR\r\n');
    // the held initial response answers the first challenge, not the mechanism's step()
    expect(step(over.conn, '334 \r\n', over.events)).toBe(`${b64('r'.repeat(376))}\r\n`);
    // a later challenge goes to step()
    expect(step(over.conn, '334 \r\n', over.events)).toBe(`${b64('not the initial response')}\r\n`);
  });

  it('an OAUTHBEARER-like mechanism with a long token: the GS2 response after the empty 334, its error answer (^A) only for the error challenge', () => {
    const token = 'B'.repeat(3000);
    const gs2 = `n,a=me@x.test,\x01auth=Bearer ${token}\x01\x01`;
    const oauthbearer: SaslMechanism = { name: 'OAUTHBEARER', client: () => ({ initial: () => gs2, step: () => '\x01' }) };
    const { conn, events, auth } = open({ auth: { mechanism: oauthbearer } }, 'OAUTHBEARER');
    expect(auth).toBe('AUTH OAUTHBEARER\r\n');
    expect(step(conn, '334 \r\n', events)).toBe(`${b64(gs2)}\r\n`);
    expect(step(conn, `334 ${b64('{"status":"invalid_token"}')}\r\n`, events)).toBe(`${b64('\x01')}\r\n`);
  });

  it('an initial response over 12288 octets of base64 is cancelled with `*` after the empty 334', () => {
    const token = 'T'.repeat(10_000);
    const { conn, events, auth } = open({ auth: { user: 'me@x.test', accessToken: token } }, 'XOAUTH2');
    expect(auth).toBe('AUTH XOAUTH2\r\n');
    expect(step(conn, '334 \r\n', events)).toBe('*\r\n');
    step(conn, '501 5.7.0 cancelled\r\n', events);
    expect(events.find((e) => e.type === 'auth-failed')).toMatchObject({ mechanism: 'XOAUTH2' });
  });
});
