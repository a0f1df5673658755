// An outside-in audit of createServer for STARTTLS and implicit TLS, the PROXY protocol and
// close(): what the hooks, onError, the logger and a real client on loopback see. Every wait is
// bounded; nothing asserts timing.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { Readable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { throwawayCertificate } from '@smtpkit/testkit';
import type { ThrowawayCertificate } from '@smtpkit/testkit';
import { createServer } from './create-server.js';
import type { CreateServerOptions, SessionContext, SmtpServer } from './options.js';
import type { LogEntry } from '../../test/servers.js';
import { recorder } from '../../test/servers.js';

let tls: ThrowawayCertificate;
beforeAll(() => {
  tls = throwawayCertificate({ commonName: 'localhost' });
});

/** Unhandled rejections seen while this file runs: there must be none. */
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown): void => void unhandled.push(e);
process.on('unhandledRejection', onUnhandled);
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

const servers: SmtpServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await s.close({ timeout: 100 });
});

interface Seen {
  readonly errors: unknown[];
  readonly closes: string[];
  readonly connects: string[];
  readonly entries: LogEntry[];
}

async function start(options: Partial<CreateServerOptions>): Promise<{ server: SmtpServer; port: number; seen: Seen }> {
  const { logger, entries } = recorder();
  const seen: Seen = { errors: [], closes: [], connects: [], entries };
  const onConnect = options.onConnect;
  const server = createServer({
    hostname: 'audit.test',
    logger,
    ...options,
    onError: (e, s) => {
      seen.errors.push(e);
      options.onError?.(e, s);
    },
    onClose: (s) => {
      seen.closes.push(s.id);
      options.onClose?.(s);
    },
    ...(onConnect ? { onConnect: (s: SessionContext) => (seen.connects.push(s.id), onConnect(s)) } : {}),
  });
  servers.push(server);
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port, seen };
}

const codes = (s: string): number[] => (s.match(/^\d{3}(?= )/gm) ?? []).map(Number);
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Reads final replies off a stream, one at a time; `(closed)` once the stream is gone. */
class Replies {
  text = '';
  all = '';
  done = false;
  private wake = (): void => undefined;
  constructor(readonly stream: Duplex) {
    stream.on('data', this.onData);
    stream.on('error', () => undefined);
    const gone = (): void => {
      this.done = true;
      this.wake();
    };
    stream.once('end', gone);
    stream.once('close', gone);
  }
  private readonly onData = (d: Buffer): void => {
    this.text += d.toString('latin1');
    this.all += d.toString('latin1');
    this.wake();
  };
  detach(): void {
    this.stream.removeListener('data', this.onData);
  }
  next(timeoutMs = 4000): Promise<string> {
    return new Promise((resolve) => {
      const settle = (value: string): void => {
        clearTimeout(timer);
        // a reply that comes later waits for the next call
        this.wake = () => undefined;
        resolve(value);
      };
      const timer = setTimeout(() => settle('(timeout)'), timeoutMs);
      this.wake = () => {
        const m = /^\d{3} [^\r\n]*\r\n/m.exec(this.text);
        if (m) {
          const end = m.index + m[0].length;
          const reply = this.text.slice(0, end);
          this.text = this.text.slice(end);
          settle(reply);
        } else if (this.done) settle('(closed)');
      };
      this.wake();
    });
  }
  async send(line: string): Promise<string> {
    this.stream.write(`${line}\r\n`);
    return this.next();
  }
}

function plain(port: number): { socket: Socket; r: Replies; closed: Promise<void> } {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  sockets.push(socket);
  // the server closed the connection: its FIN (this client keeps its own side open) or a reset
  const closed = new Promise<void>((res) => {
    socket.once('end', () => res());
    socket.once('close', () => res());
  });
  return { socket, r: new Replies(socket), closed };
}

/** EHLO then STARTTLS on a plain connection, then the TLS handshake: the TLS reader. */
async function upgrade(socket: Socket, r: Replies): Promise<{ secure: TLSSocket; s: Replies }> {
  expect(await r.send('STARTTLS')).toMatch(/^220 /);
  r.detach();
  const secure = tlsConnect({ socket, rejectUnauthorized: false });
  secure.on('error', () => undefined);
  await new Promise((res) => secure.once('secureConnect', res));
  return { secure, s: new Replies(secure) };
}

/** A per-address limit of one: the next connection from 127.0.0.1 is served only once the earlier one has its slot back. */
async function slotFree(port: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    const { socket, r } = plain(port);
    const greeting = await r.next();
    socket.destroy();
    if (greeting.startsWith('220 ')) return true;
    await pause(50);
  }
  return false;
}

/** Implicit TLS greeting, for slot checks on an implicit TLS server. */
async function tlsSlotFree(port: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    const secure = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false });
    const r = new Replies(secure);
    const greeting = await r.next();
    secure.destroy();
    if (greeting.startsWith('220 ')) return true;
    await pause(50);
  }
  return false;
}

const GARBAGE = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';

describe('audit: STARTTLS', () => {
  it('STARTTLS twice, after MAIL, with an argument, and without tls configured get their codes; the session goes on', async () => {
    const { port } = await start({ tls });
    const a = plain(port);
    await a.r.next();
    await a.r.send('EHLO c.test');
    expect(await a.r.send('STARTTLS now')).toMatch(/^501 /);
    expect(await a.r.send('MAIL FROM:<a@b.test>')).toMatch(/^250[ -]/);
    expect(await a.r.send('STARTTLS')).toMatch(/^503 /);
    expect(await a.r.send('RSET')).toMatch(/^250[ -]/);
    const { s } = await upgrade(a.socket, a.r);
    expect(await s.send('EHLO c.test')).toMatch(/^250[ -]/);
    expect(s.all).not.toMatch(/STARTTLS/);
    expect(await s.send('STARTTLS')).toMatch(/^503 /);
    expect(await s.send('NOOP')).toMatch(/^250[ -]/);
    const { port: bare } = await start({});
    const b = plain(bare);
    await b.r.next();
    expect(await b.r.send('EHLO c.test')).not.toMatch(/STARTTLS/);
    expect(await b.r.send('STARTTLS')).toMatch(/^5\d\d /);
    expect(await b.r.send('NOOP')).toMatch(/^250[ -]/);
  });

  it('after the upgrade the session starts over: HELO, AUTH and the envelope are cleared, the hooks see secure and the TLS details; onConnect is not asked again', async () => {
    const seen: { point: string; helo: string | undefined; user: string | undefined; secure: boolean; tls: SessionContext['tls'] }[] = [];
    const snap = (point: string, s: SessionContext): void => void seen.push({ point, helo: s.info.helo, user: s.info.authenticatedUser, secure: s.info.secure, tls: s.tls });
    let envelope: { secure: boolean; protocol: string; user: string | undefined } | undefined;
    const { port, seen: r } = await start({
      tls,
      auth: { mechanisms: ['PLAIN'], allowInsecure: true },
      onConnect: (s) => snap('connect', s),
      onHelo: (_d, s) => snap('helo', s),
      onAuth: () => true,
      onMailFrom: (_f, _p, s) => snap('mail', s),
      onData: async (env, body: Readable) => {
        envelope = { secure: env.secure, protocol: env.protocol, user: env.user };
        for await (const _ of body);
      },
    });
    const a = plain(port);
    await a.r.next();
    await a.r.send('EHLO before.test');
    expect(await a.r.send(`AUTH PLAIN ${Buffer.from('\0u\0p').toString('base64')}`)).toMatch(/^235 /);
    const { s } = await upgrade(a.socket, a.r);
    expect(await s.send('MAIL FROM:<a@b.test>')).toMatch(/^503 /);
    expect(await s.send('EHLO after.test')).toMatch(/^250[ -]/);
    expect(await s.send('MAIL FROM:<a@b.test>')).toMatch(/^250[ -]/);
    expect(await s.send('RCPT TO:<c@d.test>')).toMatch(/^250[ -]/);
    expect(await s.send('DATA')).toMatch(/^354 /);
    expect(await s.send('Subject: x\r\n\r\nhi\r\n.')).toMatch(/^250[ -]/);
    expect(await s.send('QUIT')).toMatch(/^221 /);
    expect(r.connects).toHaveLength(1);
    const after = seen.filter((x) => x.point !== 'connect' && x.secure);
    expect(after.map((x) => x.point)).toEqual(['helo', 'mail']);
    expect(after[0]).toMatchObject({ helo: undefined, user: undefined });
    expect(after[1]).toMatchObject({ helo: 'after.test', user: undefined });
    expect(after[1]!.tls).toMatchObject({ protocol: expect.stringMatching(/^TLSv1\.[23]$/), cipher: expect.any(String) });
    expect(seen.filter((x) => !x.secure).every((x) => x.tls === undefined)).toBe(true);
    // the AUTH given in clear is gone: the message is ESMTPS from no user (RFC 3848)
    expect(envelope).toEqual({ secure: true, protocol: 'ESMTPS', user: undefined });
    expect(r.errors).toEqual([]);
  });

  it('AUTH is offered and taken only after the upgrade (no allowInsecure): onAuth sees the TLS session, the message is ESMTPSA from the user', async () => {
    const authSeen: { secure: boolean; tls: boolean }[] = [];
    let envelope: { protocol: string; user: string | undefined } | undefined;
    const { port } = await start({
      tls,
      auth: { mechanisms: ['PLAIN'] },
      onAuth: (c, s) => {
        authSeen.push({ secure: s.info.secure, tls: s.tls !== undefined });
        return c.username === 'u' && c.password === 'p';
      },
      onData: async (env, body: Readable) => {
        envelope = { protocol: env.protocol, user: env.user };
        for await (const _ of body);
      },
    });
    const a = plain(port);
    await a.r.next();
    expect(await a.r.send('EHLO c.test')).not.toMatch(/AUTH/);
    expect(await a.r.send(`AUTH PLAIN ${Buffer.from('\0u\0p').toString('base64')}`)).toMatch(/^5\d\d /);
    const { s } = await upgrade(a.socket, a.r);
    expect(await s.send('EHLO c.test')).toMatch(/^250-AUTH PLAIN\r$/m);
    expect(await s.send(`AUTH PLAIN ${Buffer.from('\0u\0p').toString('base64')}`)).toMatch(/^235 /);
    expect(await s.send('MAIL FROM:<a@b.test>')).toMatch(/^250 /);
    expect(await s.send('RCPT TO:<c@d.test>')).toMatch(/^250 /);
    expect(await s.send('DATA')).toMatch(/^354 /);
    expect(await s.send('x\r\n.')).toMatch(/^250 /);
    expect(authSeen).toEqual([{ secure: true, tls: true }]);
    expect(envelope).toEqual({ protocol: 'ESMTPSA', user: 'u' });
  });

  for (const [name, act] of [
    ['garbage instead of a ClientHello', (s: Socket) => void s.write(GARBAGE)],
    ['a reset after half a ClientHello', (s: Socket) => void s.write(Buffer.from('16030100c8010000c40303', 'hex'), () => setTimeout(() => s.resetAndDestroy(), 50))],
    ['a reset with nothing sent', (s: Socket) => void s.resetAndDestroy()],
    ['FIN with nothing sent', (s: Socket) => void s.end()],
  ] as const) {
    it(`STARTTLS then ${name}: the session ends once, its slot comes back, onError at most once, the server goes on`, async () => {
      const { port, seen } = await start({ tls, maxConnectionsPerClient: 1, maxConnections: 1 });
      const a = plain(port);
      await a.r.next();
      await a.r.send('EHLO c.test');
      expect(await a.r.send('STARTTLS')).toMatch(/^220 /);
      act(a.socket);
      await vi.waitFor(() => expect(seen.closes).toHaveLength(1), { timeout: 4000 });
      expect(await slotFree(port)).toBe(true);
      await vi.waitFor(() => expect(seen.closes).toHaveLength(2), { timeout: 4000 });
      expect(seen.errors.length).toBeLessThanOrEqual(1);
      const warned = seen.entries.filter((e) => e.level === 'warn' || e.level === 'error');
      expect(warned.length).toBe(seen.errors.length);
      // nothing in plaintext after the 220
      expect(a.r.all.slice(a.r.all.indexOf('220 2.0.0'))).toMatch(/^220 2\.0\.0 [^\n]*\r\n$/);
    });
  }
});

describe('audit: STARTTLS with the ClientHello in the same segment', () => {
  it('a client that does not wait for the 220: its ClientHello is discarded with the rest, the handshake timeout ends it, no plaintext after the 220, onClose once', async () => {
    const { port, seen } = await start({ tls, timeouts: { tlsHandshake: 300 } });
    const a = plain(port);
    await a.r.next();
    await a.r.send('EHLO c.test');
    a.socket.write(Buffer.concat([Buffer.from('STARTTLS\r\n'), Buffer.from('16030100c8010000c40303', 'hex')]));
    await a.closed;
    expect(codes(a.r.all)).toEqual([220, 250, 220]);
    await vi.waitFor(() => expect(seen.closes).toHaveLength(1));
  });
});

describe('audit: implicit TLS', () => {
  for (const [name, act] of [
    ['garbage instead of a ClientHello', (s: Socket) => void s.write(GARBAGE)],
    ['a reset after half a ClientHello', (s: Socket) => void s.write(Buffer.from('16030100c8010000c40303', 'hex'), () => setTimeout(() => s.resetAndDestroy(), 50))],
    ['a reset with nothing sent', (s: Socket) => void s.resetAndDestroy()],
    ['FIN with nothing sent', (s: Socket) => void s.end()],
    ['FIN after half a ClientHello', (s: Socket) => void s.end(Buffer.from('16030100c8010000c40303', 'hex'))],
  ] as const) {
    it(`${name}: no session, no greeting, its slot comes back, onError at most once, the server goes on`, async () => {
      const { port, seen } = await start({ tls, secure: true, maxConnectionsPerClient: 1, maxConnections: 1, onConnect: () => undefined });
      const a = plain(port);
      await new Promise((res) => a.socket.once('connect', res));
      act(a.socket);
      await a.closed;
      expect(await tlsSlotFree(port)).toBe(true);
      await vi.waitFor(() => expect(seen.closes).toHaveLength(1), { timeout: 4000 });
      expect(seen.connects).toHaveLength(1);
      expect(seen.errors.length).toBeLessThanOrEqual(1);
      expect(a.r.all).toBe('');
    });
  }

  it('onConnect sees secure and the TLS details', async () => {
    let at: SessionContext | undefined;
    const { port } = await start({ tls, secure: true, onConnect: (s) => void (at = s) });
    const secure = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false, servername: 'mx.audit.test' });
    const r = new Replies(secure);
    expect(await r.next()).toMatch(/^220 /);
    expect(at!.info.secure).toBe(true);
    expect(at!.tls).toMatchObject({ protocol: expect.stringMatching(/^TLSv1\.[23]$/), servername: 'mx.audit.test' });
    secure.destroy();
  });
});

/** A PROXY v2 header for TCP over IPv4 (`cmd` 1 PROXY, 0 LOCAL). */
function proxyV2(src: string, sport: number, dst: string, dport: number, cmd = 1): Buffer {
  const sig = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');
  const head = Buffer.from([0x20 | cmd, cmd === 0 ? 0x00 : 0x11, 0, cmd === 0 ? 0 : 12]);
  if (cmd === 0) return Buffer.concat([sig, head]);
  const body = Buffer.alloc(12);
  src.split('.').forEach((x, i) => body.writeUInt8(Number(x), i));
  dst.split('.').forEach((x, i) => body.writeUInt8(Number(x), 4 + i));
  body.writeUInt16BE(sport, 8);
  body.writeUInt16BE(dport, 10);
  return Buffer.concat([sig, head, body]);
}

describe('audit: PROXY protocol', () => {
  it('v1 and v2, the header split byte by byte: the hooks and Received see the header addresses and ports', async () => {
    const ctxs: SessionContext[] = [];
    const { port } = await start({ proxyProtocol: true, onConnect: (s) => void ctxs.push(s) });
    for (const header of [Buffer.from('PROXY TCP4 192.0.2.7 198.51.100.1 40000 25\r\n'), proxyV2('192.0.2.7', 40000, '198.51.100.1', 25)]) {
      const a = plain(port);
      await new Promise((res) => a.socket.once('connect', res));
      for (const byte of header) {
        a.socket.write(Buffer.from([byte]));
        await pause(1);
      }
      expect(await a.r.next()).toMatch(/^220 /);
      a.socket.destroy();
    }
    expect(ctxs.map((c) => [c.remoteAddress, c.remotePort, c.localAddress, c.localPort, c.proxy?.version])).toEqual([
      ['192.0.2.7', 40000, '198.51.100.1', 25, 1],
      ['192.0.2.7', 40000, '198.51.100.1', 25, 2],
    ]);
  });

  it('v2 LOCAL and v1 UNKNOWN: the connection\'s own address', async () => {
    const ctxs: SessionContext[] = [];
    const { port } = await start({ proxyProtocol: true, onConnect: (s) => void ctxs.push(s) });
    for (const header of [proxyV2('0.0.0.0', 0, '0.0.0.0', 0, 0), Buffer.from('PROXY UNKNOWN\r\n')]) {
      const a = plain(port);
      a.socket.write(header);
      expect(await a.r.next()).toMatch(/^220 /);
      a.socket.destroy();
    }
    expect(ctxs.map((c) => c.remoteAddress)).toEqual(['127.0.0.1', '127.0.0.1']);
  });

  it('the per-address limit counts the v2 header address; a bad header gets no greeting and holds no place', async () => {
    const { server, port, seen } = await start({ proxyProtocol: true, maxConnectionsPerClient: 1, maxConnections: 2 });
    const a = plain(port);
    a.socket.write(proxyV2('192.0.2.7', 1, '198.51.100.1', 25));
    expect(await a.r.next()).toMatch(/^220 /);
    const b = plain(port);
    b.socket.write(proxyV2('192.0.2.7', 2, '198.51.100.1', 25));
    expect(await b.r.next()).toMatch(/^421 4\.7\.0 /);
    const c = plain(port);
    c.socket.write(proxyV2('192.0.2.8', 2, '198.51.100.1', 25));
    expect(await c.r.next()).toMatch(/^220 /);
    c.socket.destroy();
    await vi.waitFor(() => expect(server.connections).toBe(1));
    for (const bad of ['PROXY TCP4 1.2.3.4\r\n', 'EHLO x\r\n', '\r\n\r\n\0\r\nQUIT\n!!!!!!!!']) {
      const d = plain(port);
      d.socket.write(bad);
      await d.closed;
      expect(d.r.all).toBe('');
    }
    // maxConnections 2: a (open) and the next one; the refused ones held nothing
    const e = plain(port);
    e.socket.write(proxyV2('192.0.2.9', 2, '198.51.100.1', 25));
    expect(await e.r.next()).toMatch(/^220 /);
    expect(seen.errors.filter((x) => (x as { code?: string }).code === 'ERR_SMTP_PROXY_HEADER_INVALID')).toHaveLength(3);
  });

  it('a header that never completes is bounded by its timeout: the connection is closed, its place given back', async () => {
    let arrived = 0;
    const { port, server } = await start({ proxyProtocol: true, maxConnections: 1, isTrustedProxy: () => (arrived++, true) });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const a = plain(port);
      a.socket.write('PROXY TCP4 192.0.2.7 ');
      await vi.waitFor(() => expect(arrived).toBe(1), { interval: 5 });
      vi.advanceTimersByTime(10_001);
      await a.closed;
      expect(a.r.all).toBe('');
    } finally {
      vi.useRealTimers();
    }
    const b = plain(port);
    b.socket.write('PROXY TCP4 192.0.2.8 198.51.100.1 1 25\r\n');
    expect(await b.r.next()).toMatch(/^220 /);
    expect(server.connections).toBe(1);
  });

  it('implicit TLS behind PROXY: the per-address limit takes the header address before the handshake', async () => {
    const { port } = await start({ tls, secure: true, proxyProtocol: true, maxConnectionsPerClient: 1 });
    const open = async (src: string): Promise<string> => {
      const raw = connect({ port, host: '127.0.0.1' });
      sockets.push(raw);
      raw.on('error', () => undefined);
      raw.write(`PROXY TCP4 ${src} 198.51.100.1 40000 465\r\n`);
      const secure = tlsConnect({ socket: raw, rejectUnauthorized: false });
      const r = new Replies(secure);
      return (await r.next()).slice(0, 3);
    };
    expect(await open('192.0.2.7')).toBe('220');
    expect(await open('192.0.2.7')).toBe('(cl');
    expect(await open('192.0.2.8')).toBe('220');
  });

  it('implicit TLS behind PROXY: the header and the ClientHello in one segment, the session over TLS with the header address', async () => {
    const ctxs: SessionContext[] = [];
    const { port } = await start({ tls, secure: true, proxyProtocol: true, onConnect: (s) => void ctxs.push(s) });
    const raw = connect({ port, host: '127.0.0.1' });
    sockets.push(raw);
    raw.on('error', () => undefined);
    await new Promise((res) => raw.once('connect', res));
    let first = true;
    // a duplex that sends the header in the same write as the first TLS record
    const wire = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        raw.write(first ? Buffer.concat([Buffer.from('PROXY TCP4 192.0.2.7 198.51.100.1 40000 465\r\n'), chunk]) : chunk, cb);
        first = false;
      },
    });
    raw.on('data', (d) => wire.push(d));
    raw.on('close', () => wire.push(null));
    const secure = tlsConnect({ socket: wire, rejectUnauthorized: false });
    const r = new Replies(secure);
    expect(await r.next()).toMatch(/^220 /);
    expect(await r.send('EHLO c.test')).toMatch(/^250[ -]/);
    secure.destroy();
    expect(ctxs.map((c) => [c.remoteAddress, c.info.secure])).toEqual([['192.0.2.7', true]]);
  });

  it('STARTTLS behind PROXY: the address from the header stays after the upgrade', async () => {
    const seen: (string | undefined)[] = [];
    const { port } = await start({ tls, proxyProtocol: true, onHelo: (_d, s) => void seen.push(`${String(s.remoteAddress)} ${String(s.info.secure)} ${String(s.info.clientAddress)}`) });
    const a = plain(port);
    a.socket.write('PROXY TCP4 192.0.2.7 198.51.100.1 40000 25\r\n');
    await a.r.next();
    await a.r.send('EHLO c.test');
    const { s } = await upgrade(a.socket, a.r);
    expect(await s.send('EHLO c.test')).toMatch(/^250[ -]/);
    expect(seen).toEqual(['192.0.2.7 false 192.0.2.7', '192.0.2.7 true 192.0.2.7']);
  });
});

describe('audit: close()', () => {
  it('a session mid-DATA whose onData is in flight: the body completes, its 250, then 421; onData settled; close() resolves once', async () => {
    let settled = false;
    let release = (): void => undefined;
    const { server, port, seen } = await start({
      onData: async (_env, body: Readable) => {
        for await (const _ of body);
        await new Promise<void>((res) => (release = res));
        settled = true;
      },
    });
    const a = plain(port);
    const idle = plain(port);
    await a.r.next();
    await idle.r.next();
    await a.r.send('EHLO c.test');
    await a.r.send('MAIL FROM:<a@b.test>');
    await a.r.send('RCPT TO:<c@d.test>');
    expect(await a.r.send('DATA')).toMatch(/^354 /);
    a.socket.write('Subject: x\r\n\r\nfirst half\r\n');
    await pause(50);
    let resolved = 0;
    const closing = server.close({ timeout: 20_000 }).then(() => resolved++);
    expect(await idle.r.next()).toMatch(/^421 4\.3\.2 /);
    a.socket.write('second half\r\n.\r\n');
    await pause(50);
    release();
    expect(await a.r.next()).toMatch(/^250[ -]/);
    expect(await a.r.next()).toMatch(/^421 4\.3\.2 /);
    await closing;
    expect(settled).toBe(true);
    expect(resolved).toBe(1);
    await server.close();
    expect(resolved).toBe(1);
    expect(seen.closes).toHaveLength(2);
    expect(seen.errors).toEqual([]);
  });

  it('a session whose onRcptTo is pending at close(): its answer goes out, the transaction may finish, then 421', async () => {
    let release = (): void => undefined;
    const { server, port } = await start({ onRcptTo: () => new Promise<undefined>((res) => (release = () => res(undefined))) });
    const a = plain(port);
    await a.r.next();
    await a.r.send('EHLO c.test');
    await a.r.send('MAIL FROM:<a@b.test>');
    a.socket.write('RCPT TO:<c@d.test>\r\n');
    await pause(50);
    const closing = server.close({ timeout: 20_000 });
    release();
    expect(await a.r.next()).toMatch(/^250[ -]/);
    expect(await a.r.send('DATA')).toMatch(/^354 /);
    expect(await a.r.send('x\r\n.')).toMatch(/^250[ -]/);
    expect(await a.r.next()).toMatch(/^421 /);
    await closing;
  });

  it('a session inside an AUTH exchange at close(): 421 now', async () => {
    const { server, port } = await start({ auth: { mechanisms: ['LOGIN'], allowInsecure: true }, onAuth: () => true });
    const a = plain(port);
    await a.r.next();
    await a.r.send('EHLO c.test');
    expect(await a.r.send('AUTH LOGIN')).toMatch(/^334 /);
    const closing = server.close({ timeout: 20_000 });
    expect(await a.r.next()).toMatch(/^421 /);
    await closing;
  });

  it('an onData that never settles: cut at the timeout, the body stream aborted, onClose once, close() resolves', async () => {
    let bodyError: unknown;
    const { server, port, seen } = await start({
      onData: (_env, body: Readable) => {
        body.on('error', (e) => (bodyError = e));
        body.resume();
        return new Promise(() => undefined);
      },
    });
    const a = plain(port);
    await a.r.next();
    await a.r.send('EHLO c.test');
    await a.r.send('MAIL FROM:<a@b.test>');
    await a.r.send('RCPT TO:<c@d.test>');
    await a.r.send('DATA');
    a.socket.write('half\r\n');
    await pause(50);
    await server.close({ timeout: 300 });
    expect(seen.closes).toHaveLength(1);
    expect((bodyError as { code?: string }).code).toBe("ERR_SMTP_MESSAGE_ABORTED");
    await a.closed;
  });

  it('close({ timeout: Infinity }) waits as long as the transaction takes (no timer that overflows into a cut at once); a bad timeout is a typed error and closes nothing', async () => {
    let release = (): void => undefined;
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      const { server, port } = await start({
        onData: async (_env, body: Readable) => {
          for await (const _ of body);
          await new Promise<void>((res) => (release = res));
        },
      });
      for (const timeout of [Number.NaN, -1, 2 ** 31, '10' as unknown as number]) {
        await expect(server.close({ timeout })).rejects.toMatchObject({ code: 'ERR_SMTP_INVALID_OPTION' });
      }
      // nothing was closed: a new session is served
      const a = plain(port);
      expect(await a.r.next()).toMatch(/^220 /);
      await a.r.send('EHLO c.test');
      await a.r.send('MAIL FROM:<a@b.test>');
      await a.r.send('RCPT TO:<c@d.test>');
      await a.r.send('DATA');
      a.socket.write('x\r\n.\r\n');
      await pause(20);
      let resolved = false;
      const closing = server.close({ timeout: Infinity }).then(() => (resolved = true));
      await pause(100);
      expect(resolved).toBe(false);
      release();
      expect(await a.r.next()).toMatch(/^250 /);
      expect(await a.r.next()).toMatch(/^421 /);
      await closing;
      expect(warnings.filter((w) => w.name === 'TimeoutOverflowWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('idle sessions over TLS (after STARTTLS, and implicit) get their 421 inside TLS at close()', async () => {
    const { server, port } = await start({ tls });
    const a = plain(port);
    await a.r.next();
    await a.r.send('EHLO c.test');
    const { s } = await upgrade(a.socket, a.r);
    expect(await s.send('EHLO c.test')).toMatch(/^250[ -]/);
    const { port: port465, server: server465 } = await start({ tls, secure: true });
    const implicit = tlsConnect({ port: port465, host: '127.0.0.1', rejectUnauthorized: false });
    const i = new Replies(implicit);
    expect(await i.next()).toMatch(/^220 /);
    const closing = [server.close({ timeout: 20_000 }), server465.close({ timeout: 20_000 })];
    expect(await s.next()).toMatch(/^421 4\.3\.2 /);
    expect(await i.next()).toMatch(/^421 4\.3\.2 /);
    await Promise.all(closing);
    // nothing went out in plaintext after the STARTTLS 220
    expect(a.r.all.slice(a.r.all.indexOf('220 2.0.0'))).toMatch(/^220 2\.0\.0 [^\n]*\r\n$/);
  });

  it('close() while onConnect is pending: once it answers, the client is told 421 (never left waiting), close() resolves', async () => {
    let release = (): void => undefined;
    const { server, port, seen } = await start({ onConnect: () => new Promise<undefined>((res) => (release = () => res(undefined))) });
    const a = plain(port);
    await vi.waitFor(() => expect(seen.connects).toHaveLength(1));
    const closing = server.close({ timeout: 20_000 });
    release();
    const replies = [await a.r.next(), await a.r.next()].join('');
    expect(replies).toMatch(/^421 4\.3\.2 /m);
    await closing;
    expect(seen.closes).toHaveLength(1);
  });

  it('close() called from inside a hook (an admin verb, a policy): the command gets its reply, the transaction its grace, then 421', async () => {
    const ref: { server?: SmtpServer } = {};
    let closing: Promise<void> | undefined;
    const started = await start({
      onMailFrom: () => {
        closing = ref.server!.close({ timeout: 20_000 });
        return undefined;
      },
    });
    ref.server = started.server;
    const a = plain(started.port);
    await a.r.next();
    await a.r.send('EHLO c.test');
    expect(await a.r.send('MAIL FROM:<a@b.test>')).toMatch(/^250 /);
    expect(await a.r.send('RCPT TO:<c@d.test>')).toMatch(/^250 /);
    expect(await a.r.send('DATA')).toMatch(/^354 /);
    expect(await a.r.send('x\r\n.')).toMatch(/^250 /);
    expect(await a.r.next()).toMatch(/^421 4\.3\.2 /);
    await closing;
    expect(started.seen.errors).toEqual([]);
  });

  it('a hook still pending when close() cuts its session: its late answer or failure reaches nothing once close() has settled (no onError, no log line after the close)', async () => {
    const settle: ((fail: boolean) => void)[] = [];
    const order: string[] = [];
    const { server, port, seen } = await start({
      onMailFrom: () => new Promise<undefined>((res, rej) => settle.push((fail) => (fail ? rej(new Error('database gone')) : res(undefined)))),
      onRcptTo: () => new Promise<undefined>((res, rej) => settle.push((fail) => (fail ? rej(new Error('database gone')) : res(undefined)))),
      onError: () => void order.push('error'),
      onClose: () => void order.push('close'),
    });
    const a = plain(port);
    const b = plain(port);
    await a.r.next();
    await b.r.next();
    await a.r.send('EHLO c.test');
    await b.r.send('EHLO c.test');
    a.socket.write('MAIL FROM:<a@b.test>\r\n');
    await vi.waitFor(() => expect(settle).toHaveLength(1));
    settle.shift()!(false);
    expect(await a.r.next()).toMatch(/^250 /);
    a.socket.write('RCPT TO:<c@d.test>\r\n');
    b.socket.write('MAIL FROM:<a@b.test>\r\n');
    await vi.waitFor(() => expect(settle).toHaveLength(2));
    await server.close({ timeout: 100 });
    order.push('closed');
    const logged = seen.entries.length;
    for (const s of settle.splice(0)) s(true);
    await pause(50);
    expect(order).toEqual(['close', 'close', 'closed']);
    expect(seen.errors).toEqual([]);
    expect(seen.entries.length).toBe(logged);
  });

  it('a BDAT transaction between chunks at close() keeps its grace: the LAST chunk is answered, then 421', async () => {
    const bodies: string[] = [];
    const { server, port } = await start({
      onData: async (_env, body: Readable) => {
        let text = '';
        for await (const c of body) text += (c as Buffer).toString('latin1');
        bodies.push(text);
      },
    });
    const a = plain(port);
    await a.r.next();
    await a.r.send('EHLO c.test');
    await a.r.send('MAIL FROM:<a@b.test>');
    await a.r.send('RCPT TO:<c@d.test>');
    a.socket.write('BDAT 6\r\nhello ');
    expect(await a.r.next()).toMatch(/^250 /);
    const closing = server.close({ timeout: 20_000 });
    a.socket.write('BDAT 5 LAST\r\nworld');
    expect(await a.r.next()).toMatch(/^250 /);
    expect(await a.r.next()).toMatch(/^421 4\.3\.2 /);
    await closing;
    expect(bodies).toEqual(['hello world']);
  });

  it('a session in the error tarpit at close(): its held reply, then 421, within the grace', async () => {
    const { server, port } = await start({ limits: { softErrorLimit: 1 }, timeouts: { errorDelay: 300 } });
    const a = plain(port);
    await a.r.next();
    await a.r.send('EHLO c.test');
    expect(await a.r.send('BOGUS')).toMatch(/^5\d\d /);
    a.socket.write('BOGUS\r\n');
    await pause(20);
    const closing = server.close({ timeout: 20_000 });
    expect(await a.r.next()).toMatch(/^5\d\d /);
    expect(await a.r.next()).toMatch(/^421 4\.3\.2 /);
    await closing;
  });

  it('close() before listen() and twice resolves', async () => {
    const server = createServer({ hostname: 'x.test' });
    await server.close({ timeout: 100 });
    await server.close();
  });
});
