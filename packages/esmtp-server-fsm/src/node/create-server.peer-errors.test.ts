// What a peer or the network does to a connection is routine, not a server error, also where no
// session exists yet (waiting for the PROXY header, refused with a 421) and on an established TLS
// session (a bad record, garbage inside TLS): no onError, no warn or error line, at most one info
// line. Real loopback sockets; no timing is asserted.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { describe, expect, it, vi } from 'vitest';
import { throwawayCertificate } from '@smtpkit/testkit';
import { SmtpServerError } from '../errors.js';
import type { CreateServerOptions } from './options.js';
import { lostConnectionCode } from './session.js';
import { freshTransaction, rawClient, receivedBy, receiving, startTlsOn, serversPerTest, startObserved, TRANSACTION_OK } from '../../test/servers.js';
import type { LogEntry, ObservedServer } from '../../test/servers.js';

const servers = serversPerTest('peer-errors.test');
const cert = throwawayCertificate({ commonName: 'localhost' });

type Started = ObservedServer;
const start = (options: Partial<CreateServerOptions> = {}): Promise<Started> => startObserved(servers, options);
const until = receivedBy;

/** Lets whatever else the same event would cause come (it comes on the same turn or the next). */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

/** The lines at warn or error, but the `connection refused` ones. */
const alarms = (entries: LogEntry[]): LogEntry[] => entries.filter((e) => (e.level === 'warn' || e.level === 'error') && e.message !== 'connection refused');

const OK = TRANSACTION_OK;

/** A fresh client's whole transaction over `socket` (plain or TLS, its greeting not read yet): the reply codes. */
async function transaction(socket: Socket | TLSSocket): Promise<string[]> {
  let text = '';
  let wake = (): void => undefined;
  socket.on('data', (d: Buffer) => {
    text += d.toString('latin1');
    wake();
  });
  socket.on('error', () => undefined);
  const next = (): Promise<string> =>
    new Promise((resolve) => {
      wake = () => {
        const m = /^(\d{3}) [^\r\n]*\r\n/m.exec(text);
        if (m) {
          text = text.slice(m.index + m[0].length);
          resolve(m[1]!);
        }
      };
      wake();
    });
  const codes = [await next()];
  for (const line of ['EHLO fresh.test', 'MAIL FROM:<f@fresh.test>', 'RCPT TO:<g@peer.test>', 'DATA', 'Subject: fresh\r\n\r\nhello\r\n.', 'QUIT']) {
    socket.write(`${line}\r\n`);
    codes.push(await next());
  }
  socket.destroy();
  return codes;
}

/** A fresh implicit-TLS client's transaction. */
async function freshTls(port: number): Promise<string[]> {
  const t = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false });
  await new Promise<void>((resolve) => t.once('secureConnect', resolve));
  return transaction(t);
}

/** Bytes that are no TLS record: what a broken or hostile client could send inside the TLS stream. */
const GARBAGE = Buffer.from('\x17\x03\x03\x00\x20this is not an encrypted record!!', 'latin1');

describe('createServer: a connection lost before its session is no error', () => {
  it('reset while the PROXY header is awaited: one info line, no onError, no warn', async () => {
    const s = await start({ proxyProtocol: true });
    const c = await rawClient(s.port);
    c.socket.write('PROXY TCP4 192.0.2.1');
    // the server has read the partial header (it waits for the rest)
    await settle();
    c.socket.resetAndDestroy();
    await vi.waitFor(() => expect(s.entries.some((e) => e.message === 'connection lost')).toBe(true), { timeout: 4000 });
    await settle();
    expect(s.errors).toEqual([]);
    expect(alarms(s.entries)).toEqual([]);
    const lost = s.entries.filter((e) => e.message === 'connection lost');
    expect(lost.map((e) => [e.level, e.fields['remoteAddress'], (e.fields['err'] as { code?: unknown }).code])).toEqual([['info', '127.0.0.1', 'ECONNRESET']]);
    expect(s.closes()).toBe(0);
    expect(await freshTransaction(s.port, 'PROXY TCP4 192.0.2.2 192.0.2.3 4000 25')).toEqual(OK);
    expect(s.errors).toEqual([]);
  });

  it('reset right after the 421 of the per-address limit: nothing but the refusal is logged, no onError', async () => {
    const s = await start({ maxConnectionsPerClient: 1 });
    const a = await rawClient(s.port);
    await until(a, /^220 /m);
    // half-open: the client does not answer the server's FIN with its own, it resets the connection
    const b = connect({ port: s.port, host: '127.0.0.1', allowHalfOpen: true });
    b.on('error', () => undefined);
    const refused = receiving(b);
    await refused(/^421 /m);
    b.resetAndDestroy();
    await new Promise((r) => b.once('close', r));
    await settle();
    await settle();
    expect(s.errors).toEqual([]);
    expect(alarms(s.entries)).toEqual([]);
    expect(s.entries.filter((e) => e.message === 'connection refused').map((e) => e.fields['reason'])).toEqual(['too many connections from this address']);
    // refused by the server: its end is no news
    expect(s.entries.filter((e) => e.message === 'connection lost')).toEqual([]);
    a.socket.write('QUIT\r\n');
    await a.closed;
    await vi.waitFor(() => expect(s.closes()).toBe(1), { timeout: 4000 });
    expect(await transaction(connect(s.port, '127.0.0.1'))).toEqual(OK);
    expect(s.errors).toEqual([]);
  });
});

/** Checks the end of a session whose TLS the client broke: once, no onError, nothing at warn or error; its close reason. */
async function expectTlsBroken(s: Started): Promise<string> {
  await vi.waitFor(() => expect(s.closes()).toBe(1), { timeout: 4000 });
  await settle();
  expect(s.closes()).toBe(1);
  expect(s.errors).toEqual([]);
  expect(alarms(s.entries)).toEqual([]);
  const closes = s.entries.filter((e) => e.message === 'close');
  expect(closes.map((e) => e.level)).toEqual(['info']);
  return String(closes[0]!.fields['reason']);
}

describe('createServer: garbage inside an established TLS session ends it, no error', () => {
  it('implicit TLS, after MAIL: close reason TLS error (ERR_SSL_...) after MAIL', async () => {
    const s = await start({ tls: cert, security: 'implicit' });
    const raw = connect(s.port, '127.0.0.1');
    raw.on('error', () => undefined);
    const t = tlsConnect({ socket: raw, rejectUnauthorized: false });
    t.on('error', () => undefined);
    const got = receiving(t);
    await got(/^220 /m);
    t.write('EHLO me.test\r\n');
    await got(/^250 /m);
    t.write('MAIL FROM:<a@me.test>\r\n');
    await got(/^250 [\s\S]*^250 /m);
    // under the TLS layer: the server's TLS socket meets a record it cannot read
    raw.write(GARBAGE);
    expect(await expectTlsBroken(s)).toMatch(/^TLS error \(ERR_SSL_[A-Z0-9_]+\) after MAIL$/);
    expect(await freshTls(s.port)).toEqual(OK);
    expect(s.errors).toEqual([]);
  });

  it('STARTTLS, in the middle of a DATA body: the message is aborted, close reason TLS error (ERR_SSL_...) during a message', async () => {
    const s = await start({ tls: cert });
    const c = await rawClient(s.port);
    const t = await startTlsOn(c);
    const got = receiving(t);
    t.write('EHLO me.test\r\n');
    await got(/^250 /m);
    t.write('MAIL FROM:<a@me.test>\r\n');
    await got(/^250 [\s\S]*^250 /m);
    t.write('RCPT TO:<b@peer.test>\r\n');
    await got(/^250 [\s\S]*^250 [\s\S]*^250 /m);
    t.write('DATA\r\n');
    await got(/^354 /m);
    t.write('Subject: cut\r\n\r\nthe first half of the body\r\n');
    await vi.waitFor(() => expect(s.body).toContain('data'), { timeout: 4000 });
    c.socket.write(GARBAGE);
    expect(await expectTlsBroken(s)).toMatch(/^TLS error \(ERR_SSL_[A-Z0-9_]+\) during a message$/);
    expect(s.body.filter((b) => b !== 'data')).toEqual(['error ERR_SMTP_MESSAGE_ABORTED/eof']);
    expect(s.entries.filter((e) => e.message === 'message aborted').map((e) => [e.level, e.fields['reason']])).toEqual([['info', 'eof']]);
    expect(s.entries.filter((e) => e.message === 'TLS handshake failed')).toEqual([]);
    expect(await transaction(connect(s.port, '127.0.0.1'))).toEqual(OK);
    expect(s.errors).toEqual([]);
  });
});

describe('lostConnectionCode: OpenSSL errors by origin, never our own', () => {
  it('an OpenSSL error (code ERR_SSL_*, with its library) is the peer breaking the connection', () => {
    const e = Object.assign(new Error('any text'), { code: 'ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC', library: 'SSL routines', reason: 'decryption failed or bad record mac' });
    expect(lostConnectionCode(e)).toBe('ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC');
  });

  it('an ERR_SSL_* code without OpenSSL origin, a message naming one, our own typed errors: not', () => {
    expect(lostConnectionCode(Object.assign(new Error('x'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }))).toBeUndefined();
    expect(lostConnectionCode(new Error('ERR_SSL_WRONG_VERSION_NUMBER'))).toBeUndefined();
    const ours = Object.assign(new SmtpServerError('ERR_SMTP_TLS_SNI_FAILED', 'sni'), { library: 'SSL routines' });
    expect(lostConnectionCode(ours)).toBeUndefined();
  });
});
