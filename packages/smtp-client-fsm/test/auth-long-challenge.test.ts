// RFC 4954 §4: a client must handle the longest challenges of the mechanisms it supports, and
// 12288 octets of base64 is the line length named as sufficient. A `334` challenge longer than the
// reader's old 4096-octet line limit (GSSAPI tokens, XOAUTH2 error JSON, custom mechanisms) ended
// the session with ERR_SMTP_CLIENT_PROTOCOL. The client's reply lines now go to 12294 octets (a
// `334 ` line carrying 12288 octets of base64, with its CRLF), and no further.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientConnection } from '../src/index.js';
import type { ClientEvent } from '../src/index.js';
import type { SaslMechanism } from '@smtpkit/foundation';
import { connect } from '../src/node/index.js';
import { ScriptedServer, listenScripted } from './scripted-server.js';
import type { ScriptedListener } from './scripted-server.js';
import { step } from './step.js';

/** Answers each challenge with its decoded length, so the test sees what the mechanism was given. */
const seen: number[] = [];
const echoLength: SaslMechanism = {
  name: 'X-LONG',
  client: () => ({
    initial: () => null,
    step: (challenge) => {
      seen.push(challenge.length);
      return `got ${challenge.length}`;
    },
  }),
};

/** `n` octets of base64 (decoding to 3n/4 bytes). */
const b64 = (n: number): string => 'QUJD'.repeat(n / 4);

function authSession(challenge: string): { events: ClientEvent[]; out: string; conn: ClientConnection } {
  const events: ClientEvent[] = [];
  const conn = new ClientConnection({ hostname: 'c.test', security: 'implicit', auth: { mechanism: echoLength } });
  conn.sendMessage({ from: 's@x.test', to: ['a@y.test'], body: 'hi\r\n' });
  step(conn, '220 mx.test\r\n', events);
  expect(step(conn, '250-mx.test\r\n250 AUTH X-LONG\r\n', events)).toBe('AUTH X-LONG\r\n');
  const out = step(conn, `334 ${challenge}\r\n`, events);
  return { events, out, conn };
}

describe('INJ-10 AUTH: a 334 challenge longer than 4096 octets (RFC 4954 §4)', () => {
  it.each([4096, 8192, 12288])('a challenge of %i octets of base64 reaches the mechanism and is answered', (n) => {
    seen.length = 0;
    const { events, out, conn } = authSession(b64(n));
    expect(seen).toEqual([(n / 4) * 3]);
    expect(out).toBe(`${btoa(`got ${(n / 4) * 3}`)}\r\n`);
    expect(step(conn, '235 2.7.0 ok\r\n', events)).toBe('MAIL FROM:<s@x.test>\r\n');
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    expect(events.find((e) => e.type === 'authenticated')).toMatchObject({ mechanism: 'X-LONG' });
  });

  it('a line past 12294 octets (12288 of base64 and more) is still refused: ERR_SMTP_CLIENT_PROTOCOL naming the line limit, the message deferred', () => {
    seen.length = 0;
    const { events, out, conn } = authSession(b64(12292));
    expect(out).toBe('');
    expect(seen).toEqual([]);
    expect(conn.closed).toBe(true);
    expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_PROTOCOL', message: expect.stringContaining('ERR_SMTP_LINE_TOO_LONG') });
    expect(events.find((e) => e.type === 'message-sent')).toMatchObject({ outcome: 'deferred', transient: true });
  });

  it('the bound holds split across chunks too: the reader never holds more than the line limit', () => {
    const events: ClientEvent[] = [];
    const conn = new ClientConnection({ hostname: 'c.test', security: 'implicit', auth: { mechanism: echoLength } });
    step(conn, '220 mx.test\r\n', events);
    step(conn, '250-mx.test\r\n250 AUTH X-LONG\r\n', events);
    const long = `334 ${b64(20000)}`;
    for (let i = 0; i < long.length && !conn.closed; i += 1000) step(conn, long.slice(i, i + 1000), events);
    expect(conn.closed).toBe(true);
    expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_PROTOCOL', message: expect.stringContaining('12294') });
  });

  it('an explicit replyLimits.maxLineLength still wins (4096 refuses the 8192-octet challenge)', () => {
    const events: ClientEvent[] = [];
    const conn = new ClientConnection({ hostname: 'c.test', security: 'implicit', auth: { mechanism: echoLength }, replyLimits: { maxLineLength: 4096 } });
    step(conn, '220 mx.test\r\n', events);
    step(conn, '250-mx.test\r\n250 AUTH X-LONG\r\n', events);
    step(conn, `334 ${b64(8192)}\r\n`, events);
    expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_PROTOCOL', message: expect.stringContaining('4096') });
  });

  it('after STARTTLS the new reader keeps the same bound', () => {
    seen.length = 0;
    const events: ClientEvent[] = [];
    const conn = new ClientConnection({ hostname: 'c.test', security: 'required', auth: { mechanism: echoLength } });
    step(conn, '220 mx.test\r\n', events);
    expect(step(conn, '250-mx.test\r\n250 STARTTLS\r\n', events)).toBe('STARTTLS\r\n');
    step(conn, '220 go\r\n', events);
    conn.tlsEstablished({ verified: true });
    step(conn, '', events);
    expect(step(conn, '250-mx.test\r\n250 AUTH X-LONG\r\n', events)).toBe('AUTH X-LONG\r\n');
    step(conn, `334 ${b64(12288)}\r\n`, events);
    expect(seen).toEqual([9216]);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
  });
});

describe('AUTH with a long challenge through ./node', () => {
  let listener: ScriptedListener;
  beforeAll(async () => {
    listener = await listenScripted(
      () =>
        new ScriptedServer({
          ehlo: ['PIPELINING', 'AUTH X-LONG'],
          auth: (line, n) => (n === 0 ? `334 ${b64(12288)}` : line === btoa('got 9216') ? '235 2.7.0 ok' : '535 5.7.8 no'),
        }),
    );
  });
  afterAll(() => listener.close());

  it('connect() authenticates after a 12288-octet challenge', async () => {
    seen.length = 0;
    const client = await connect({ host: '127.0.0.1', port: listener.port, security: 'off', allowInsecureAuth: true, auth: { mechanism: echoLength } });
    expect(seen).toEqual([9216]);
    await client.quit();
  });
});
