// deliver() when each exchanger refuses for something different: one lacks STARTTLS under required
// TLS, the next SMTPUTF8 for a message that needs it (or XCLIENT required, SMTPUTF8, a SIZE large
// enough). The recipients got the last exchanger's code and each attempt only an `error` string, so
// a caller could not tell, per exchanger, which code (and which server reply) stopped it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { throwawayCertificate } from '@smtpkit/testkit';
import { xclientState } from '../src/index.js';
import type { ClientConnection } from '../src/index.js';
import { deliver } from '../src/node/index.js';
import { exchangerResolver } from './fake-resolver.js';
import { ScriptedServer, serveScripted, serveScriptedTls } from './scripted-server.js';
import type { Script } from './scripted-server.js';

let key = '';
let cert = '';
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
let port = 0;


/** Listens on `ip` at the shared port (every exchanger is dialled on the same port). */
async function listenOn(ip: string, script: Script, withTls = false): Promise<void> {
  const srv = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    if (withTls) serveScriptedTls(sock, new ScriptedServer(script), { key, cert });
    else serveScripted(sock, new ScriptedServer(script));
  });
  servers.push(srv);
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, ip, () => resolve());
  });
}

beforeAll(async () => {
  ({ key, cert } = throwawayCertificate({ commonName: 'localhost' }));
  const first = net.createServer();
  await new Promise<void>((r) => first.listen(0, '127.0.0.41', r));
  port = (first.address() as net.AddressInfo).port;
  await new Promise<void>((r) => first.close(() => r()));
  // no STARTTLS
  await listenOn('127.0.0.41', { ehlo: ['PIPELINING', '8BITMIME'] });
  // STARTTLS, no SMTPUTF8
  await listenOn('127.0.0.42', { ehlo: ['PIPELINING', 'STARTTLS'], ehloTls: ['PIPELINING', '8BITMIME'] }, true);
  // no XCLIENT
  await listenOn('127.0.0.43', { ehlo: ['PIPELINING', '8BITMIME', 'SMTPUTF8'] });
  // XCLIENT, no SMTPUTF8
  await listenOn('127.0.0.44', { ehlo: ['PIPELINING', '8BITMIME', 'XCLIENT ADDR'] });
  // XCLIENT and SMTPUTF8, a SIZE too small
  await listenOn('127.0.0.45', { ehlo: ['PIPELINING', '8BITMIME', 'SMTPUTF8', 'XCLIENT ADDR', 'SIZE 20'] });
  // a 421 greeting, then one that says 421 to MAIL
  await listenOn('127.0.0.46', { greeting: '421 4.3.2 busy, try another MX' });
  await listenOn('127.0.0.47', { fail421On: 'MAIL' });
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
});

const MX: Record<string, readonly string[]> = {
  'tls-utf8.test': ['127.0.0.41', '127.0.0.42'],
  'three.test': ['127.0.0.43', '127.0.0.44', '127.0.0.45'],
  'busy.test': ['127.0.0.46', '127.0.0.47'],
};
const resolver = exchangerResolver(MX);

const base = { resolver, connectTimeout: 5000, from: 'a@origin.test' } as const;

describe('deliver: what each exchanger refused, with its code', () => {
  it('STARTTLS missing under required TLS, then SMTPUTF8 missing: each attempt has its own code; the recipient is deferred with the last one', async () => {
    const r = await deliver({ ...base, port, security: 'required', tls: { rejectUnauthorized: false }, to: ['\u00fc@tls-utf8.test'], body: 'Subject: u\r\n\r\nhello\r\n' });
    expect(r.domains[0]!.attempts).toEqual([
      { exchange: 'mx1.tls-utf8.test', address: '127.0.0.41', code: 'ERR_SMTP_CLIENT_TLS_REQUIRED', error: expect.any(String) as unknown },
      { exchange: 'mx2.tls-utf8.test', address: '127.0.0.42', code: 'ERR_SMTP_CLIENT_SMTPUTF8_UNAVAILABLE', error: 'ERR_SMTP_CLIENT_SMTPUTF8_UNAVAILABLE' },
    ]);
    expect(r.outcome).toBe('deferred');
    expect(r.recipients[0]).toMatchObject({ status: 'deferred', transient: true, errorCode: 'ERR_SMTP_CLIENT_SMTPUTF8_UNAVAILABLE' });
  });

  it('XCLIENT required and missing, SMTPUTF8 missing, a SIZE too small: three exchangers, three codes', async () => {
    const setup = (c: ClientConnection): void => {
      c.registerState(xclientState({ ADDR: '192.0.2.1' }, { required: true }), { after: 'starttls' });
    };
    const r = await deliver({ ...base, port, security: 'off', setup, maxSessions: 3, to: ['\u00fc@three.test'], body: 'Subject: u\r\n\r\nmore than twenty bytes\r\n' });
    expect(r.domains[0]!.attempts.map((a) => [a.exchange, a.address, a.code])).toEqual([
      ['mx1.three.test', '127.0.0.43', 'ERR_SMTP_CLIENT_XCLIENT_UNAVAILABLE'],
      ['mx2.three.test', '127.0.0.44', 'ERR_SMTP_CLIENT_SMTPUTF8_UNAVAILABLE'],
      ['mx3.three.test', '127.0.0.45', 'ERR_SMTP_CLIENT_MESSAGE_TOO_LARGE'],
    ]);
    expect(r.recipients[0]).toMatchObject({ status: 'deferred', errorCode: 'ERR_SMTP_CLIENT_MESSAGE_TOO_LARGE' });
  });

  it('a refusal with a server reply keeps the reply in its attempt: a 421 greeting, then a 421 to MAIL', async () => {
    const r = await deliver({ ...base, port, security: 'off', to: ['u@busy.test'], body: 'Subject: s\r\n\r\nhi\r\n' });
    const [greeting, mail] = r.domains[0]!.attempts;
    expect(greeting).toMatchObject({ address: '127.0.0.46', code: 'ERR_SMTP_CLIENT_GREETING_REJECTED', reply: { code: 421, enhanced: { class: 4, subject: 3, detail: 2 } }, error: 'session refused: 421 4.3.2 busy, try another MX' });
    expect(mail).toMatchObject({ address: '127.0.0.47', code: 'ERR_SMTP_CLIENT_CONNECTION_LOST', reply: { code: 421 } });
    // the recipient keeps the last session's answer to it, that 421
    expect(r.recipients[0]).toMatchObject({ status: 'deferred', reply: { code: 421 } });
  });
});
