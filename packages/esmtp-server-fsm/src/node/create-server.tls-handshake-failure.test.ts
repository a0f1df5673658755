// A TLS handshake that fails because of the client (a scanner that resets, plain text on the TLS
// port, no shared protocol version or cipher, a refused client certificate) is not a server error:
// no onError, one info line `TLS handshake failed` (implicit TLS) or a close reason saying so
// (STARTTLS). A failure that is the server's own (an SNI callback's error) still reaches onError.
// Real loopback TLS clients; no timing is asserted beyond generous bounds.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { describe, expect, it, vi } from 'vitest';
import { throwawayCertificate } from '@smtpkit/testkit';
import { isSmtpServerError } from '../errors.js';
import type { CreateServerOptions } from './options.js';
import type { ServerTlsOptions } from './tls.js';
import { rawClient, recorder, serversPerTest, within } from '../../test/servers.js';
import type { LogEntry } from '../../test/servers.js';

const servers = serversPerTest('tls-handshake-failure.test');
const cert = throwawayCertificate({ commonName: 'localhost' });
/** A client certificate the server trusts (it is its own CA) and one it does not know. */
const relay = throwawayCertificate({ commonName: 'relay.test' });
const stranger = throwawayCertificate({ commonName: 'stranger.test' });

interface Started {
  readonly port: number;
  readonly entries: LogEntry[];
  readonly errors: unknown[];
  readonly closes: () => number;
}

async function start(options: Partial<CreateServerOptions>): Promise<Started> {
  const { logger, entries } = recorder();
  const errors: unknown[] = [];
  let closes = 0;
  const { port } = await servers.start({
    tls: cert,
    logger,
    onError: (e) => void errors.push(e),
    onClose: () => void closes++,
    ...options,
  });
  return { port, entries, errors, closes: () => closes };
}

/** Final replies read from `socket` one by one. */
function replies(socket: Socket | TLSSocket): { next: () => Promise<string> } {
  let text = '';
  let wake = (): void => undefined;
  socket.on('data', (d: Buffer) => {
    text += d.toString('latin1');
    wake();
  });
  socket.on('close', () => wake());
  return {
    next: () =>
      new Promise<string>((resolve) => {
        wake = () => {
          const m = /^(\d{3}) [^\r\n]*\r\n/m.exec(text);
          if (m) {
            text = text.slice(m.index + m[0].length);
            resolve(m[1]!);
          } else if (socket.destroyed) resolve('(closed)');
        };
        wake();
      }),
  };
}

/** One transaction over `socket` (the greeting read already or not, per `greeted`): the reply codes. */
async function transaction(socket: Socket | TLSSocket, greeted: boolean): Promise<string[]> {
  const r = replies(socket);
  const codes: string[] = greeted ? [] : [await r.next()];
  for (const line of ['EHLO good.test', 'MAIL FROM:<a@good.test>', 'RCPT TO:<b@localhost>', 'DATA', 'Subject: x\r\n\r\nhello\r\n.', 'QUIT']) {
    socket.write(`${line}\r\n`);
    codes.push(await r.next());
  }
  socket.destroy();
  return codes;
}

/** Implicit TLS: a good client's whole transaction. */
async function goodImplicit(port: number, extra: ConnectionOptions = {}): Promise<string[]> {
  const socket = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...extra });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('secureConnect', resolve));
  return transaction(socket, false);
}

/** A plain connection up to the 220 to STARTTLS (the raw socket, nothing read after it). */
async function upToStarttls(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  let text = '';
  const onData = (d: Buffer): void => void (text += d.toString('latin1'));
  socket.on('data', onData);
  const until = async (re: RegExp): Promise<void> => vi.waitFor(() => expect(text).toMatch(re), { timeout: 4000 });
  await until(/^220 /m);
  socket.write('EHLO me.test\r\n');
  await until(/^250 [^\r\n]*\r\n/m);
  socket.write('STARTTLS\r\n');
  await until(/^220 [\s\S]*^220 [^\r\n]*\r\n/m);
  socket.off('data', onData);
  return socket;
}

/** STARTTLS then a good client's whole transaction over TLS. */
async function goodStarttls(port: number, extra: ConnectionOptions = {}): Promise<string[]> {
  const raw = await upToStarttls(port);
  const socket = tlsConnect({ socket: raw, rejectUnauthorized: false, ...extra });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('secureConnect', resolve));
  return transaction(socket, true);
}

/** A TLS client that fails its handshake (implicit TLS): settles when its connection is gone. */
async function failingImplicit(port: number, options: ConnectionOptions): Promise<void> {
  const socket = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...options });
  socket.on('error', () => undefined);
  // with TLS 1.3 a refused client certificate shows at the client's first read
  socket.on('secureConnect', () => socket.write('EHLO x\r\n'));
  await within(new Promise((r) => socket.once('close', r)), 5000);
}

const OK = ['220', '250', '250', '250', '354', '250', '221'];

/** The `TLS handshake failed` lines, once the one expected has come. */
async function failedLines(entries: LogEntry[]): Promise<LogEntry[]> {
  await vi.waitFor(() => expect(entries.some((e) => e.message === 'TLS handshake failed')).toBe(true), { timeout: 4000 });
  // anything else the same failure would log comes on the same turn or the next
  await new Promise((r) => setTimeout(r, 50));
  return entries.filter((e) => e.message === 'TLS handshake failed');
}

/** Log entries at warn and error. */
const loud = (entries: LogEntry[]): LogEntry[] => entries.filter((e) => e.level === 'warn' || e.level === 'error');

/** Asserts the single `TLS handshake failed` info line of an implicit-TLS client, with `code` matching. */
async function expectOneImplicitFailure(s: Started, code: RegExp): Promise<void> {
  const lines = await failedLines(s.entries);
  expect(lines).toHaveLength(1);
  const line = lines[0]!;
  expect(line.level).toBe('info');
  expect(line.fields['remoteAddress']).toBe('127.0.0.1');
  expect(line.fields['session']).toBeUndefined();
  const err = line.fields['err'] as { code?: unknown; message?: unknown };
  expect(String(err.code)).toMatch(code);
  expect(typeof err.message).toBe('string');
  expect(s.errors).toEqual([]);
  expect(loud(s.entries)).toEqual([]);
  // no session was announced
  expect(s.closes()).toBe(0);
}

describe('createServer implicit TLS: a handshake the client fails is logged at info, not given to onError', () => {
  it('a client that connects and resets', async () => {
    const s = await start({ security: 'implicit' });
    const c = await rawClient(s.port);
    // the start of a ClientHello record, so that the server is inside its handshake
    c.socket.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x80, 0x01]));
    await new Promise((r) => setTimeout(r, 50));
    c.socket.resetAndDestroy();
    await expectOneImplicitFailure(s, /^ECONNRESET$/);
    expect(await goodImplicit(s.port)).toEqual(OK);
    expect(s.errors).toEqual([]);
  });

  it('a client that closes its side (FIN) during the handshake, after part of a ClientHello or after nothing', async () => {
    for (const sent of [Buffer.from([0x16, 0x03, 0x01, 0x00, 0x80, 0x01]), Buffer.alloc(0)]) {
      const s = await start({ security: 'implicit' });
      const c = await rawClient(s.port);
      c.socket.end(sent);
      expect(await within(c.closed, 5000)).toBe(true);
      await expectOneImplicitFailure(s, /^EOF$/);
      expect(await goodImplicit(s.port)).toEqual(OK);
    }
  });

  it('a plain-text client sending EHLO to the TLS port', async () => {
    const s = await start({ security: 'implicit' });
    const c = await rawClient(s.port);
    c.socket.write('EHLO x\r\n');
    await within(c.closed, 5000);
    // nothing readable can be sent before a handshake: no SMTP reply in plain text
    expect(c.got()).not.toMatch(/^\d{3} /);
    await expectOneImplicitFailure(s, /^ERR_SSL_/);
    expect(await goodImplicit(s.port)).toEqual(OK);
  });

  it('a client offering only TLS 1.0 to a server whose minVersion is TLS 1.2', async () => {
    const s = await start({ security: 'implicit', tls: { ...cert, minVersion: 'TLSv1.2' } });
    // SECLEVEL=0: OpenSSL 3 sends no TLS 1.0 ClientHello otherwise
    await failingImplicit(s.port, { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' });
    await expectOneImplicitFailure(s, /^ERR_SSL_/);
    expect(await goodImplicit(s.port)).toEqual(OK);
  });

  it('a client whose only cipher the server does not share', async () => {
    // the server's key is EC: an RSA-authenticated suite cannot be chosen
    const s = await start({ security: 'implicit' });
    await failingImplicit(s.port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' });
    await expectOneImplicitFailure(s, /^ERR_SSL_/);
    expect(await goodImplicit(s.port)).toEqual(OK);
  });

  it('a refused client certificate (rejectUnauthorized): none sent, or one tls.ca does not vouch for', async () => {
    const tls: ServerTlsOptions = { ...cert, ca: relay.cert, requestCert: true, rejectUnauthorized: true };
    for (const client of [{}, { key: stranger.key, cert: stranger.cert }]) {
      const s = await start({ security: 'implicit', tls });
      await failingImplicit(s.port, client);
      await expectOneImplicitFailure(s, /^(ERR_SSL_|ERR_TLS_CLIENT_CERTIFICATE_REFUSED$)/);
      expect(await goodImplicit(s.port, { key: relay.key, cert: relay.cert })).toEqual(OK);
      expect(s.errors).toEqual([]);
    }
  });

  it('the address logged is the client\'s from the PROXY header when there is one', async () => {
    const s = await start({ security: 'implicit', proxyProtocol: true });
    const c = await rawClient(s.port);
    c.socket.write('PROXY TCP4 203.0.113.9 192.0.2.1 40000 465\r\nEHLO x\r\n');
    await within(c.closed, 5000);
    const lines = await failedLines(s.entries);
    expect(lines.map((l) => [l.level, l.fields['remoteAddress']])).toEqual([['info', '203.0.113.9']]);
    expect(s.errors).toEqual([]);
  });

  it('an SNICallback that fails is the server\'s error: it still reaches onError, and no TLS handshake failed line', async () => {
    const s = await start({
      security: 'implicit',
      tls: { ...cert, SNICallback: (name, cb) => (name === 'broken.test' ? cb(new Error('store down')) : cb(null)) },
    });
    await failingImplicit(s.port, { servername: 'broken.test' });
    await vi.waitFor(() => expect(s.errors).toHaveLength(1), { timeout: 4000 });
    expect(isSmtpServerError(s.errors[0]) && s.errors[0].code).toBe('ERR_SMTP_TLS_SNI_FAILED');
    expect(s.entries.filter((e) => e.message === 'TLS handshake failed')).toEqual([]);
    expect(s.entries.filter((e) => e.level === 'error').map((e) => e.message)).toEqual(['error before the session']);
    expect(await goodImplicit(s.port, { servername: 'good.test' })).toEqual(OK);
  });

  it('a tls.sni callback that throws is the server\'s error too', async () => {
    const thrown = new Error('lookup failed');
    const s = await start({
      security: 'implicit',
      tls: {
        ...cert,
        sni: (name) => {
          if (name === 'broken.test') throw thrown;
          return undefined;
        },
      },
    });
    await failingImplicit(s.port, { servername: 'broken.test' });
    await vi.waitFor(() => expect(s.errors).toEqual([thrown]), { timeout: 4000 });
    expect(s.entries.filter((e) => e.message === 'TLS handshake failed')).toEqual([]);
    expect(await goodImplicit(s.port, { servername: 'good.test' })).toEqual(OK);
  });
});

/** The close lines of the sessions. */
const closeLines = (entries: LogEntry[]): LogEntry[] => entries.filter((e) => e.message === 'close');

/** Waits for the session's end, then checks it ended once with `reason` and without onError. */
async function expectStarttlsFailure(s: Started, reason: RegExp): Promise<void> {
  await vi.waitFor(() => expect(s.closes()).toBe(1), { timeout: 4000 });
  await new Promise((r) => setTimeout(r, 50));
  expect(s.closes()).toBe(1);
  expect(s.errors).toEqual([]);
  expect(loud(s.entries)).toEqual([]);
  const closes = closeLines(s.entries);
  expect(closes).toHaveLength(1);
  expect(closes[0]!.level).toBe('info');
  expect(String(closes[0]!.fields['reason'])).toMatch(reason);
  const failed = s.entries.filter((e) => e.message === 'TLS handshake failed');
  expect(failed).toHaveLength(1);
  expect(failed[0]!.level).toBe('info');
  expect(failed[0]!.fields['session']).toBe(closes[0]!.fields['session']);
}

describe('createServer STARTTLS: a handshake the client fails ends its session with that reason, not onError', () => {
  it('a client that resets after the 220', async () => {
    const s = await start({});
    const raw = await upToStarttls(s.port);
    raw.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x80, 0x01]));
    await new Promise((r) => setTimeout(r, 50));
    raw.resetAndDestroy();
    await expectStarttlsFailure(s, /^TLS handshake failed \(ECONNRESET\)$/);
    expect(await goodStarttls(s.port)).toEqual(OK.slice(1));
    expect(s.errors).toEqual([]);
  });

  it('a client that closes its side (FIN) after the 220', async () => {
    const s = await start({});
    const raw = await upToStarttls(s.port);
    raw.end();
    await within(new Promise((r) => raw.once('close', r)), 5000);
    await expectStarttlsFailure(s, /^TLS handshake failed \(EOF\)$/);
    expect(await goodStarttls(s.port)).toEqual(OK.slice(1));
  });

  it('a client that sends plain text after the 220', async () => {
    const s = await start({});
    const raw = await upToStarttls(s.port);
    raw.write('this is no ClientHello\r\n\r\n');
    await within(new Promise((r) => raw.once('close', r)), 5000);
    await expectStarttlsFailure(s, /^TLS handshake failed \(ERR_SSL_[A-Z0-9_]+\)$/);
    expect(await goodStarttls(s.port)).toEqual(OK.slice(1));
  });

  it('a refused client certificate', async () => {
    const s = await start({ tls: { ...cert, ca: relay.cert, requestCert: true, rejectUnauthorized: true } });
    const raw = await upToStarttls(s.port);
    const t = tlsConnect({ socket: raw, rejectUnauthorized: false, key: stranger.key, cert: stranger.cert });
    t.on('error', () => undefined);
    t.on('secureConnect', () => t.write('EHLO x\r\n'));
    await within(new Promise((r) => t.once('close', r)), 5000);
    await expectStarttlsFailure(s, /^TLS handshake failed \((ERR_SSL_[A-Z0-9_]+|ERR_TLS_CLIENT_CERTIFICATE_REFUSED)\)$/);
    expect(await goodStarttls(s.port, { key: relay.key, cert: relay.cert })).toEqual(OK.slice(1));
  });

  it('an SNICallback that fails after STARTTLS still reaches onError', async () => {
    const s = await start({ tls: { ...cert, SNICallback: (name, cb) => (name === 'broken.test' ? cb(new Error('store down')) : cb(null)) } });
    const raw = await upToStarttls(s.port);
    const t = tlsConnect({ socket: raw, rejectUnauthorized: false, servername: 'broken.test' });
    t.on('error', () => undefined);
    await within(new Promise((r) => t.once('close', r)), 5000);
    await vi.waitFor(() => expect(s.closes()).toBe(1), { timeout: 4000 });
    expect(s.errors.map((e) => isSmtpServerError(e) && e.code)).toEqual(['ERR_SMTP_TLS_SNI_FAILED']);
    expect(s.entries.filter((e) => e.message === 'TLS handshake failed')).toEqual([]);
  });
});
