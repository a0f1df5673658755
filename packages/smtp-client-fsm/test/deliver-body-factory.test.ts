// deliver() with a body factory (`body: () => fs.createReadStream(path)`): a fresh stream for each
// attempt that needs the body, so a streamed message falls back to the next exchanger after one read
// part of it (a 421 or a drop in the body) and goes to several domains; every stream opened and not
// finished is released; a factory or stream that fails is that domain's typed result, not a throw.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { deliver } from '../src/node/index.js';
import type { BodySource } from '../src/node/index.js';
import { exchangerResolver } from './fake-resolver.js';
import { ScriptedServer, serveScripted } from './scripted-server.js';

const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
let port = 0;
let dir = '';
let file = '';
let message = new Uint8Array();
/** Body bytes each cutting server read before it cut the session. */
const cutRead: Record<string, number> = {};
/** Messages the accepting servers took, by address. */
const taken: Record<string, ScriptedServer[]> = {};

/** How much of the body a cutting server reads before it answers 421 or drops the connection. */
const CUT_AFTER = 100_000;

function track(srv: net.Server): net.Server {
  srv.on('connection', (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  servers.push(srv);
  return srv;
}

async function listen(srv: net.Server, ip: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, ip, () => resolve());
  });
}

/** An exchanger that takes the session and some of the body, then says 421 or drops the connection. */
async function cutting(ip: string, how: '421' | 'drop'): Promise<void> {
  cutRead[ip] = 0;
  const srv = track(
    net.createServer((sock) => {
      sock.on('error', () => undefined);
      sock.write('220 cut.test ESMTP\r\n');
      let text = '';
      let inData = false;
      const body = (n: number): void => {
        cutRead[ip]! += n;
        if (cutRead[ip]! < CUT_AFTER) return;
        inData = false;
        if (how === '421') sock.end('421 4.3.2 shutting down\r\n');
        else sock.destroy();
      };
      sock.on('data', (d: Buffer) => {
        if (sock.destroyed || sock.writableEnded) return;
        if (inData) return body(d.length);
        text += d.toString('latin1');
        for (let i = text.indexOf('\r\n'); i >= 0 && !inData; i = text.indexOf('\r\n')) {
          const verb = text.slice(0, 4).toUpperCase();
          text = text.slice(i + 2);
          if (verb === 'EHLO') sock.write('250 cut.test\r\n');
          else if (verb === 'QUIT') sock.end('221 bye\r\n');
          else if (verb === 'DATA') {
            sock.write('354 go ahead\r\n');
            inData = true;
            const rest = text.length;
            text = '';
            if (rest > 0) body(rest);
          } else sock.write('250 ok\r\n');
        }
      });
    }),
  );
  await listen(srv, ip);
}

/** An exchanger that takes every message (recorded in `taken[ip]`). */
async function accepting(ip: string): Promise<void> {
  taken[ip] = [];
  const srv = track(
    net.createServer((sock) => {
      const s = new ScriptedServer({ ehlo: ['PIPELINING', '8BITMIME'] });
      taken[ip]!.push(s);
      serveScripted(sock, s);
    }),
  );
  await listen(srv, ip);
}

const MX: Record<string, readonly string[]> = {
  'cut.test': ['127.0.0.81', '127.0.0.83'],
  'drop.test': ['127.0.0.82', '127.0.0.83'],
  'one.test': ['127.0.0.83'],
  'two.test': ['127.0.0.84'],
  'pair.test': ['127.0.0.83', '127.0.0.84'],
};
const resolver = exchangerResolver(MX);

const base = { resolver, connectTimeout: 5000, security: 'off', from: 'a@origin.test' } as const;

beforeAll(async () => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.81', r));
  port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  await cutting('127.0.0.81', '421');
  await cutting('127.0.0.82', 'drop');
  await accepting('127.0.0.83');
  await accepting('127.0.0.84');
  // a file-backed message of about 400 KB, some lines starting with a dot (stuffed on the wire)
  const lines = ['From: a@origin.test', 'Subject: large', ''];
  for (let i = 0; i < 6000; i++) lines.push(`${i % 97 === 0 ? '.' : ''}line ${String(i).padStart(6, '0')} ${'x'.repeat(50)}`);
  message = new TextEncoder().encode(lines.join('\r\n') + '\r\n');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smtpkit-factory-'));
  file = path.join(dir, 'message.eml');
  fs.writeFileSync(file, message);
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A factory of file streams, each one it opened kept. */
function files(): { readonly opened: fs.ReadStream[]; readonly body: () => fs.ReadStream } {
  const opened: fs.ReadStream[] = [];
  return {
    opened,
    body: () => {
      const s = fs.createReadStream(file);
      opened.push(s);
      return s;
    },
  };
}

/** Resolves once every stream has closed (a stream left open keeps the test waiting: it fails). */
async function allClosed(streams: readonly fs.ReadStream[]): Promise<void> {
  await Promise.all(streams.map((s) => (s.closed ? Promise.resolve() : once(s, 'close'))));
}

function messagesAt(ip: string): Uint8Array[] {
  return taken[ip]!.flatMap((s) => s.messages.map((m) => m.content));
}

describe('deliver: a body factory', () => {
  it.each([
    ['a 421 in the body', 'cut.test', '127.0.0.81'],
    ['a connection dropped in the body', 'drop.test', '127.0.0.82'],
  ])('%s: the next exchanger gets the whole message from a fresh stream, byte-exact', async (_name, domain, cutter) => {
    const before = messagesAt('127.0.0.83').length;
    const readBefore = cutRead[cutter]!;
    const f = files();
    const r = await deliver({ ...base, port, to: [`b@${domain}`], body: f.body });
    expect(r.outcome).toBe('delivered');
    expect(r.recipients[0]).toMatchObject({ address: `b@${domain}`, status: 'accepted' });
    expect(r.domains[0]!.attempts).toEqual([
      expect.objectContaining({ exchange: `mx1.${domain}`, address: cutter, code: 'ERR_SMTP_CLIENT_CONNECTION_LOST' }),
      { exchange: `mx2.${domain}`, address: '127.0.0.83' },
    ]);
    // the first exchanger read part of the body, then cut the session
    expect(cutRead[cutter]! - readBefore).toBeGreaterThanOrEqual(CUT_AFTER);
    expect(cutRead[cutter]! - readBefore).toBeLessThan(message.length);
    const got = messagesAt('127.0.0.83').slice(before);
    expect(got).toHaveLength(1);
    expect(Buffer.from(got[0]!).equals(Buffer.from(message))).toBe(true);
    // one stream per attempt that needed the body, every one closed
    expect(f.opened).toHaveLength(2);
    await allClosed(f.opened);
    expect(f.opened.every((s) => s.destroyed)).toBe(true);
  });

  it('two domains each get the whole message, each from its own stream', async () => {
    const before = [messagesAt('127.0.0.83').length, messagesAt('127.0.0.84').length] as const;
    const f = files();
    const r = await deliver({ ...base, port, to: ['b@one.test', 'c@two.test'], body: f.body });
    expect(r.outcome).toBe('delivered');
    expect(r.recipients.map((x) => x.status)).toEqual(['accepted', 'accepted']);
    for (const [ip, n] of [['127.0.0.83', before[0]], ['127.0.0.84', before[1]]] as const) {
      const got = messagesAt(ip).slice(n);
      expect(got).toHaveLength(1);
      expect(Buffer.from(got[0]!).equals(Buffer.from(message))).toBe(true);
    }
    expect(f.opened).toHaveLength(2);
    await allClosed(f.opened);
  });

  it.each([
    ['a 421', 'cut.test'],
    ['a dropped connection', 'drop.test'],
  ])('a web ReadableStream per attempt: the first stalls after %s cut it and is cancelled, the next one is read whole', async (_name, domain) => {
    const before = messagesAt('127.0.0.83').length;
    let opened = 0;
    let cancelled = 0;
    let finished = 0;
    const body = (): ReadableStream<Uint8Array> => {
      const first = opened++ === 0;
      let at = 0;
      return new ReadableStream<Uint8Array>({
        async pull(c) {
          // the first source gives what the cutting server reads, then nothing more (a stalled
          // source: only a release ends it)
          if (first && at >= CUT_AFTER + 16_384) await new Promise<void>(() => undefined);
          if (at >= message.length) {
            finished++;
            c.close();
            return;
          }
          c.enqueue(message.slice(at, (at += 16_384)));
        },
        cancel() {
          cancelled++;
        },
      });
    };
    const r = await deliver({ ...base, port, to: [`b@${domain}`], body });
    expect(r.outcome).toBe('delivered');
    const got = messagesAt('127.0.0.83').slice(before);
    expect(got).toHaveLength(1);
    expect(Buffer.from(got[0]!).equals(Buffer.from(message))).toBe(true);
    expect([opened, cancelled, finished]).toEqual([2, 1, 1]);
  });

  it.each([
    ['throws', (): BodySource => { throw new Error('message file gone'); }, 'message file gone'],
    ['rejects', (): Promise<BodySource> => Promise.reject(new Error('spool unreachable')), 'spool unreachable'],
    ['returns no body source', (): BodySource => 42 as unknown as BodySource, 'something other than a string'],
  ])('a factory that %s: the domain is deferred with ERR_SMTP_CLIENT_BODY_SOURCE_FAILED, no other exchanger tried', async (_name, body, text) => {
    const before = [messagesAt('127.0.0.83').length, messagesAt('127.0.0.84').length];
    const r = await deliver({ ...base, port, to: ['b@pair.test'], body });
    expect(r.outcome).toBe('deferred');
    expect(r.recipients[0]).toMatchObject({ address: 'b@pair.test', status: 'deferred', transient: true, errorCode: 'ERR_SMTP_CLIENT_BODY_SOURCE_FAILED' });
    expect(r.domains[0]!.attempts).toEqual([{ exchange: 'mx1.pair.test', address: '127.0.0.83', code: 'ERR_SMTP_CLIENT_BODY_SOURCE_FAILED', error: expect.stringContaining(text) as unknown }]);
    expect([messagesAt('127.0.0.83').length, messagesAt('127.0.0.84').length]).toEqual(before);
  });

  it('a factory that fails for one domain leaves the other delivered', async () => {
    let calls = 0;
    const body = (): BodySource => {
      if (calls++ === 0) throw new Error('first call fails');
      return fs.createReadStream(file);
    };
    const r = await deliver({ ...base, port, to: ['b@one.test', 'c@two.test'], body });
    expect(r.outcome).toBe('partial');
    expect(r.recipients.map((x) => x.status).sort()).toEqual(['accepted', 'deferred']);
    expect(r.recipients.find((x) => x.status === 'deferred')).toMatchObject({ errorCode: 'ERR_SMTP_CLIENT_BODY_SOURCE_FAILED' });
  });

  it('a stream that errors in the body: deferred with ERR_SMTP_CLIENT_BODY_SOURCE_FAILED, the stream destroyed, no other exchanger tried', async () => {
    const before = [messagesAt('127.0.0.83').length, messagesAt('127.0.0.84').length];
    const opened: Readable[] = [];
    const body = (): Readable => {
      let n = 0;
      const s = new Readable({
        read() {
          if (n++ < 4) this.push(message.slice((n - 1) * 16_384, n * 16_384));
          else this.destroy(new Error('disk read failed'));
        },
      });
      opened.push(s);
      return s;
    };
    const r = await deliver({ ...base, port, to: ['b@pair.test'], body });
    expect(r.outcome).toBe('deferred');
    expect(r.recipients[0]).toMatchObject({ status: 'deferred', transient: true, errorCode: 'ERR_SMTP_CLIENT_BODY_SOURCE_FAILED' });
    expect(r.domains[0]!.attempts).toEqual([{ exchange: 'mx1.pair.test', address: '127.0.0.83', code: 'ERR_SMTP_CLIENT_BODY_SOURCE_FAILED', error: expect.stringContaining('disk read failed') as unknown }]);
    expect(opened).toHaveLength(1);
    expect(opened[0]!.destroyed).toBe(true);
    expect([messagesAt('127.0.0.83').length, messagesAt('127.0.0.84').length]).toEqual(before);
  });

  it('send() takes no factory: a function body is refused with ERR_SMTP_CLIENT_INVALID_PARAMETER naming deliver()', async () => {
    const { connect } = await import('../src/node/index.js');
    const client = await connect({ host: '127.0.0.83', port, security: 'off' });
    try {
      await expect(client.send({ from: 'a@origin.test', to: ['b@one.test'], body: (() => 'x') as unknown as BodySource })).rejects.toMatchObject({
        code: 'ERR_SMTP_CLIENT_INVALID_PARAMETER',
        message: expect.stringContaining('deliver()') as unknown,
      });
    } finally {
      await client.quit();
    }
  });
});
