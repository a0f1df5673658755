// A connection the peer or the network drops (a reset, a broken pipe...) inside a session is the
// session's end, not a server error: no onError, no warn line, one `close` line (info) whose reason
// names the code and what was lost, onClose once, a message in progress aborted as always, and the
// server goes on serving. Real loopback sockets reset with resetAndDestroy(); no timing is asserted.
import { createServer as netCreateServer } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { describe, expect, it, vi } from 'vitest';
import { throwawayCertificate } from '@smtpkit/testkit';
import { createServer } from './create-server.js';
import type { CreateServerOptions } from './options.js';
import { freshTransaction, rawClient, receivedBy, receiving, startTlsOn, recorder, serversPerTest, startObserved, TRANSACTION_OK } from '../../test/servers.js';
import type { LogEntry, ObservedServer, RawClient } from '../../test/servers.js';

const servers = serversPerTest('lost.test');
const cert = throwawayCertificate({ commonName: 'localhost' });

type Started = ObservedServer;
const start = (options: Partial<CreateServerOptions> = {}): Promise<Started> => startObserved(servers, options);
const until = receivedBy;

/** Up to the reply to RCPT: greeting, EHLO, MAIL, RCPT (four final replies). */
async function upToRcpt(c: RawClient): Promise<void> {
  await until(c, /^220 /m);
  c.socket.write('EHLO me.test\r\n');
  await until(c, /^250 /m);
  c.socket.write('MAIL FROM:<a@me.test>\r\n');
  await until(c, /^250 [\s\S]*^250 /m);
  c.socket.write('RCPT TO:<b@lost.test>\r\n');
  await until(c, /^250 [\s\S]*^250 [\s\S]*^250 /m);
}

/** Checks the lost session's end: once, no onError, nothing at warn or error, one close line with `reason`. */
async function expectLost(s: Started, reason: string): Promise<void> {
  await vi.waitFor(() => expect(s.closes()).toBe(1), { timeout: 4000 });
  // anything else the same loss would cause comes on the same turn or the next
  await new Promise((r) => setTimeout(r, 50));
  expect(s.closes()).toBe(1);
  expect(s.errors).toEqual([]);
  expect(s.entries.filter((e) => e.level === 'warn' || e.level === 'error')).toEqual([]);
  const closes = s.entries.filter((e) => e.message === 'close');
  expect(closes.map((e) => [e.level, e.fields['reason']])).toEqual([['info', reason]]);
}

const OK = TRANSACTION_OK;

/**
 * Resets the client's connection: the session ends as lost with `reason` (`check` then looks at
 * what else it left), and the server still serves.
 */
async function resetLost(s: Started, c: RawClient, reason: string, check?: () => void): Promise<void> {
  c.socket.resetAndDestroy();
  await expectLost(s, reason);
  check?.();
  expect(await freshTransaction(s.port)).toEqual(OK);
  expect(s.errors).toEqual([]);
}

/** The `message aborted` lines. */
const aborted = (entries: LogEntry[]): unknown[] => entries.filter((e) => e.message === 'message aborted').map((e) => [e.level, e.fields['reason']]);

describe('createServer: a connection the client resets ends its session, not an error', () => {
  it('reset right after the greeting', async () => {
    const s = await start();
    const c = await rawClient(s.port);
    await until(c, /^220 /m);
    await resetLost(s, c, 'connection lost (ECONNRESET) after CONNECT');
  });

  it('reset after EHLO', async () => {
    const s = await start();
    const c = await rawClient(s.port);
    await until(c, /^220 /m);
    c.socket.write('EHLO me.test\r\n');
    await until(c, /^250 /m);
    await resetLost(s, c, 'connection lost (ECONNRESET) after EHLO');
  });

  it('reset after RCPT', async () => {
    const s = await start();
    const c = await rawClient(s.port);
    await upToRcpt(c);
    await resetLost(s, c, 'connection lost (ECONNRESET) after RCPT', () => {
      expect(aborted(s.entries)).toEqual([]);
    });
  });

  it('reset in the middle of a DATA body: onData sees the abort error, the message is aborted', async () => {
    const s = await start();
    const c = await rawClient(s.port);
    await upToRcpt(c);
    c.socket.write('DATA\r\n');
    await until(c, /^354 /m);
    c.socket.write('Subject: cut\r\n\r\nthe first half of the body\r\n');
    await vi.waitFor(() => expect(s.body).toContain('data'), { timeout: 4000 });
    await resetLost(s, c, 'connection lost (ECONNRESET) during a message', () => {
      expect(s.body.filter((b) => b !== 'data')).toEqual(['error ERR_SMTP_MESSAGE_ABORTED/eof']);
      expect(aborted(s.entries)).toEqual([['info', 'eof']]);
    });
    expect(s.body.at(-1)).toBe('end');
  });

  it('reset in the middle of a BDAT chunk: onData sees the abort error, the message is aborted', async () => {
    const s = await start();
    const c = await rawClient(s.port);
    await upToRcpt(c);
    c.socket.write('BDAT 1000 LAST\r\nSubject: cut\r\n\r\nthe first part of the chunk\r\n');
    await vi.waitFor(() => expect(s.body).toContain('data'), { timeout: 4000 });
    await resetLost(s, c, 'connection lost (ECONNRESET) during a message', () => {
      expect(s.body.filter((b) => b !== 'data')).toEqual(['error ERR_SMTP_MESSAGE_ABORTED/eof']);
      expect(aborted(s.entries)).toEqual([['info', 'eof']]);
    });
  });

  it('reset of the raw socket after the STARTTLS handshake completed', async () => {
    const s = await start({ tls: cert });
    const c = await rawClient(s.port);
    await startTlsOn(c);
    // the server's side of the handshake is done too
    await vi.waitFor(() => expect(s.entries.some((e) => e.message === 'tls established')).toBe(true), { timeout: 4000 });
    await resetLost(s, c, 'connection lost (ECONNRESET) after STARTTLS', () => {
      expect(s.entries.filter((e) => e.message === 'TLS handshake failed')).toEqual([]);
    });
  });

  it('reset under implicit TLS after EHLO', async () => {
    const s = await start({ tls: cert, security: 'implicit' });
    const c = await rawClient(s.port);
    const t = tlsConnect({ socket: c.socket, rejectUnauthorized: false });
    t.on('error', () => undefined);
    const got = receiving(t);
    await got(/^220 /m);
    t.write('EHLO me.test\r\n');
    await got(/^250 /m);
    // the TCP socket under the TLS one
    c.socket.resetAndDestroy();
    await expectLost(s, 'connection lost (ECONNRESET) after EHLO');
    expect(s.errors).toEqual([]);
  });
});

/**
 * A session on the server side of a loopback connection handed to `handleConnection`, whose socket
 * is then destroyed with `error` after EHLO (with `quit`, after the 221 to a QUIT that follows):
 * what onError, the logger and onClose saw.
 */
async function socketFails(error: Error, quit = false): Promise<{ errors: unknown[]; entries: LogEntry[]; closes: number }> {
  const { logger, entries } = recorder();
  const errors: unknown[] = [];
  let closes = 0;
  const smtp = servers.track(createServer({ hostname: 'lost.test', logger, onError: (e) => void errors.push(e), onClose: () => void closes++ }));
  const sockets: Socket[] = [];
  const net = netCreateServer((sock) => {
    sockets.push(sock);
    smtp.handleConnection(sock);
  });
  await new Promise<void>((r) => net.listen(0, '127.0.0.1', r));
  try {
    const c = await rawClient((net.address() as { port: number }).port);
    await until(c, /^220 /m);
    c.socket.write('EHLO me.test\r\n');
    await until(c, /^250 /m);
    if (quit) {
      // the client does not close its side after the 221: the session waits for it, and the
      // connection is lost meanwhile
      c.socket.allowHalfOpen = true;
      c.socket.write('QUIT\r\n');
      await until(c, /^221 /m);
    }
    sockets[0]!.destroy(error);
    await vi.waitFor(() => expect(closes).toBe(1), { timeout: 4000 });
    await new Promise((r) => setTimeout(r, 50));
    c.socket.destroy();
  } finally {
    net.close();
  }
  return { errors, entries, closes };
}

describe('createServer: which socket errors are a lost connection (by code, never by message)', () => {
  for (const code of ['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ECONNABORTED', 'EPIPE', 'EPROTO']) {
    it(`${code}: the session's end, not onError`, async () => {
      const seen = await socketFails(Object.assign(new Error(`read ${code} (any text)`), { code }));
      expect(seen.closes).toBe(1);
      expect(seen.errors).toEqual([]);
      expect(seen.entries.filter((e) => e.level === 'warn' || e.level === 'error')).toEqual([]);
      expect(seen.entries.filter((e) => e.message === 'close').map((e) => e.fields['reason'])).toEqual([`connection lost (${code}) after EHLO`]);
    });
  }

  // after the 221 to QUIT the session is over: any lost connection is its normal end
  for (const code of ['ETIMEDOUT', 'ECONNABORTED', 'ECONNRESET', 'EPROTO']) {
    it(`${code} after the 221 to QUIT: close reason quit, not onError`, async () => {
      const seen = await socketFails(Object.assign(new Error(`read ${code}`), { code }), true);
      expect(seen.closes).toBe(1);
      expect(seen.errors).toEqual([]);
      expect(seen.entries.filter((e) => e.level === 'warn' || e.level === 'error')).toEqual([]);
      expect(seen.entries.filter((e) => e.message === 'close').map((e) => e.fields['reason'])).toEqual(['quit']);
    });
  }

  const others: [string, Error][] = [
    ['an error without a code, whatever its message says', new Error('read ECONNRESET')],
    ['a local resource failure (EMFILE)', Object.assign(new Error('too many open files'), { code: 'EMFILE' })],
    ['a stream error of our own (ERR_STREAM_WRITE_AFTER_END)', Object.assign(new Error('write after end'), { code: 'ERR_STREAM_WRITE_AFTER_END' })],
  ];
  for (const [name, error] of others) {
    it(`${name}: still onError, once`, async () => {
      const seen = await socketFails(error);
      expect(seen.closes).toBe(1);
      expect(seen.errors).toEqual([error]);
      expect(seen.entries.filter((e) => e.message === 'close').map((e) => e.fields['reason'])).not.toContainEqual(expect.stringMatching(/^connection lost/));
    });
  }
});

describe('createServer: the close reason of a client that closes (FIN), with a logger and no transcript', () => {
  /** The close reasons once the one session has ended. */
  async function reasons(s: Started): Promise<unknown[]> {
    await vi.waitFor(() => expect(s.closes()).toBe(1), { timeout: 4000 });
    return s.entries.filter((e) => e.message === 'close').map((e) => e.fields['reason']);
  }

  it('after a whole message: client closed, not during a message', async () => {
    const s = await start();
    const c = await rawClient(s.port);
    await upToRcpt(c);
    c.socket.write('DATA\r\n');
    await until(c, /^354 /m);
    c.socket.write('Subject: whole\r\n\r\nbody\r\n.\r\n');
    await until(c, /^354 [\s\S]*^250 /m);
    c.socket.end();
    expect(await reasons(s)).toEqual(['client closed']);
    expect(s.errors).toEqual([]);
  });

  it('in the middle of a BDAT chunk: client closed during a message', async () => {
    const s = await start();
    const c = await rawClient(s.port);
    await upToRcpt(c);
    c.socket.write('BDAT 1000 LAST\r\nSubject: cut\r\n\r\nthe first part of the chunk\r\n');
    await vi.waitFor(() => expect(s.body).toContain('data'), { timeout: 4000 });
    c.socket.end();
    expect(await reasons(s)).toEqual(['client closed during a message']);
    expect(s.body.filter((b) => b !== 'data')).toEqual(['error ERR_SMTP_MESSAGE_ABORTED/eof']);
  });

  it('in the middle of a DATA body: client closed during a message', async () => {
    const s = await start();
    const c = await rawClient(s.port);
    await upToRcpt(c);
    c.socket.write('DATA\r\n');
    await until(c, /^354 /m);
    c.socket.write('Subject: cut\r\n\r\nhalf\r\n');
    await vi.waitFor(() => expect(s.body).toContain('data'), { timeout: 4000 });
    c.socket.end();
    expect(await reasons(s)).toEqual(['client closed during a message']);
  });
});
