import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { describe, expect, it, vi } from 'vitest';
import { thrownBy, throwawayCertificate } from '@smtpkit/testkit';
import { isSmtpServerError } from '../src/index.js';
import { createServer, SmtpReplyError } from '../src/node/index.js';
import type { CreateServerOptions } from '../src/node/index.js';
import { rawSession, serversPerTest } from './servers.js';
import { Writable } from 'node:stream';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const servers = serversPerTest('node.test');

async function start(options: CreateServerOptions): Promise<number> {
  return (await servers.start(options)).port;
}

const codes = (s: string): number[] => (s.match(/^\d{3}(?= )/gm) ?? []).map(Number);

async function readAll(body: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of body) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** A transaction that always completes: the fresh-client check after hostile input. */
async function deliverOne(port: number, host?: string): Promise<string> {
  return rawSession(
    port,
    [
      { write: 'EHLO fresh.example\r\n', after: 1 },
      { write: 'MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n', after: 2 },
      { write: 'fresh\r\n.\r\nQUIT\r\n', after: 5 },
    ],
    host ? { host } : {},
  );
}

/** Connects (the socket kept in `open`), sends a PROXY `header`, and returns the first reply. */
async function greetingVia(port: number, open: Socket[], header: string): Promise<string> {
  const s = connect(port, '127.0.0.1');
  open.push(s);
  let out = '';
  s.on('data', (d: Buffer) => (out += d.toString('latin1')));
  s.on('error', () => undefined);
  await new Promise((r) => s.once('connect', r));
  s.write(header);
  await vi.waitFor(() => expect(out).toMatch(/^\d{3} /m));
  return out;
}

describe('SRV-1 no input crashes createServer', () => {
  it('SRV-1 EHLO a\\xC2\\x85b.example gets 501 (with and without an async onHelo), the server keeps serving', async () => {
    const helos: string[] = [];
    for (const onHelo of [undefined, (d: string): Promise<void> => Promise.resolve().then(() => void helos.push(d))]) {
      const errors: unknown[] = [];
      const port = await start({ ...(onHelo ? { onHelo } : {}), onError: (e) => errors.push(e) });
      const out = await rawSession(port, [
        { write: Buffer.from('EHLO a\xc2\x85b.example\r\n', 'latin1'), after: 1 },
        { write: 'QUIT\r\n', after: 2 },
      ]);
      expect(codes(out)).toEqual([220, 501, 221]);
      expect(out).not.toContain('\x85');
      expect(codes(await deliverOne(port))).toEqual([220, 250, 250, 250, 354, 250, 221]);
      expect(errors).toEqual([]);
    }
    expect(helos).toEqual(['fresh.example']);
  });

  it('SRV-1 an internal error of the core (a throwing SASL mechanism) ends that session only: 421 4.3.0, onError with the cause', async () => {
    const boom = new Error('mechanism bug');
    const errors: unknown[] = [];
    const port = await start({
      auth: { allowInsecure: true, mechanisms: [{ name: 'XBOOM', server: () => ({ step: () => { throw boom; } }) }] }, // prettier-ignore
      onAuth: () => true,
      onError: (e) => errors.push(e),
    });
    const out = await rawSession(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      { write: 'AUTH XBOOM\r\n', after: 2 },
    ]);
    expect(out).toMatch(/\r\n421 4\.3\.0 node\.test Error: internal error, closing connection\r\n$/);
    expect(errors).toEqual([boom]);
    expect(codes(await deliverOne(port))).toEqual([220, 250, 250, 250, 354, 250, 221]);
  });

  it('SRV-1 a session that fails while starting (a throwing isTrusted) gets 421 4.3.0 and gives its slots back', async () => {
    const errors: unknown[] = [];
    const { port, server } = await servers.start({
      maxConnectionsPerClient: 1,
      isTrusted: () => {
        throw new Error('trust store down');
      },
      onError: (e) => errors.push(e),
    });
    // twice from the same address: the per-address slot of the first is released (else 421 4.7.0)
    for (let i = 0; i < 2; i++) {
      const out = await rawSession(port, [], { end: false, timeoutMs: 5000 });
      expect(out).toMatch(/^421 4\.3\.0 /);
    }
    await vi.waitFor(() => expect(server.connections).toBe(0));
    expect(errors.map((e) => (e as Error).message)).toEqual(['trust store down', 'trust store down']);
  });
  it('SRV-1 a hook result whose then getter throws is that hook failing: 451 and the session goes on, not an internal error', async () => {
    const errors: unknown[] = [];
    const getterError = new Error('then getter');
    const port = await start({
      onMailFrom: () =>
        ({
          get then(): never {
            throw getterError;
          },
        }) as never,
      onError: (e) => errors.push(e),
    });
    const out = await rawSession(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      { write: 'MAIL FROM:<a@b.example>\r\n', after: 2 },
      { write: 'QUIT\r\n', after: 3 },
    ]);
    expect(codes(out)).toEqual([220, 250, 451, 221]);
    expect(errors).toEqual([getterError]);
  });
  it('SRV-1 hook misuse (an invalid reply, a list outside LMTP, a throwing onClose/onError) is a typed error to onError, never a crash', async () => {
    const errors: unknown[] = [];
    let closes = 0;
    const port = await start({
      onMailFrom: () => ({ code: 999, text: 'bad' }),
      onRcptTo: () => [{ code: 250 }] as never,
      onClose: () => {
        closes++;
        throw new Error('onClose bug');
      },
      onError: (e) => {
        errors.push(e);
        throw new Error('onError bug');
      },
    });
    const out = await rawSession(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      { write: 'MAIL FROM:<a@b.example>\r\n', after: 2 },
      { write: 'QUIT\r\n', after: 3 },
    ]);
    expect(codes(out)).toEqual([220, 250, 451, 221]);
    expect(errors.some((e) => isSmtpServerError(e) && e.code === 'ERR_SMTP_INVALID_REPLY')).toBe(true);
    await vi.waitFor(() => expect(closes).toBe(1), { timeout: 5000 });
    expect(codes(await rawSession(port, [{ write: 'QUIT\r\n', after: 1 }]))).toEqual([220, 221]);
  });

  it('SRV-4 options are checked at createServer: ERR_SMTP_INVALID_OPTION naming the option', () => {
    const cases: [string, CreateServerOptions][] = [
      ['maxConnections', { maxConnections: NaN }],
      ['maxConnections', { maxConnections: -1 }],
      ['maxBufferedInput', { maxBufferedInput: '1MB' as never }],
      ['minDataRate', { minDataRate: -5 }],
      ['limits.maxMessageSize', { limits: { maxMessageSize: '1MB' as never } }],
      ['timeouts.command', { timeouts: { command: NaN } }],
      ['proxyProtocol', { proxyProtocol: 'yes' as never }],
    ];
    for (const [name, o] of cases) {
      const e = thrownBy(() => createServer(o), isSmtpServerError);
      expect(e.code).toBe('ERR_SMTP_INVALID_OPTION');
      expect(e.message).toContain(name);
    }
  });
});

describe('SRV-4 documented meanings of 0 and Infinity', () => {
  it('SRV-4 maxConnections and maxConnectionsPerClient 0 or Infinity mean no limit', async () => {
    for (const n of [0, Infinity]) {
      const port = await start({ maxConnections: n, maxConnectionsPerClient: n });
      expect(codes(await rawSession(port, [{ write: 'QUIT\r\n', after: 1 }]))).toEqual([220, 221]);
    }
  });
});

describe('SRV-2 half-close: a client that shuts down its side after its last command gets every reply', () => {
  const bodies = { small: 'Subject: t\r\n\r\nsmall body\r\n', large: `${'y'.repeat(998)}\r\n`.repeat(2100) };
  for (const [size, body] of Object.entries(bodies)) {
    for (const mode of ['DATA', 'BDAT'] as const) {
      it(`SRV-2 ${mode} ${size} body + QUIT in one write, then FIN; slow async onData: 250 and 221 are read, the message is stored complete`, async () => {
        const stored: Buffer[] = [];
        const port = await start({
          onData: async (_env, stream) => {
            const data = await readAll(stream);
            await new Promise((r) => setTimeout(r, 100));
            stored.push(data);
          },
        });
        const steps =
          mode === 'DATA'
            ? [
                { write: 'EHLO c.example\r\n', after: 1 },
                { write: 'MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n', after: 2 },
                { write: `${body}.\r\nQUIT\r\n`, after: 5 },
              ]
            : [
                { write: 'EHLO c.example\r\n', after: 1 },
                { write: `MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBDAT ${String(Buffer.byteLength(body))} LAST\r\n${body}QUIT\r\n`, after: 2 },
              ];
        const out = await rawSession(port, steps);
        expect(codes(out).slice(-2)).toEqual([250, 221]);
        expect(stored).toHaveLength(1);
        expect(stored[0]!.toString('latin1')).toBe(body);
      });
    }
  }
  it('SRV-2 over STARTTLS and implicit TLS too: "." + QUIT, then close_notify and FIN; 250 and 221 are read, the message is stored', async () => {
    const tls = throwawayCertificate({ commonName: 'localhost', keyType: 'rsa-2048' });
    for (const implicit of [false, true]) {
      const stored: string[] = [];
      const port = await start({
        tls,
        secure: implicit,
        onData: async (_env, stream) => {
          const data = await readAll(stream);
          await new Promise((r) => setTimeout(r, 50));
          stored.push(data.toString());
        },
      });
      let out = '';
      const wait = async (re: RegExp): Promise<void> => vi.waitFor(() => expect(out).toMatch(re), { timeout: 5000 });
      let secure: TLSSocket;
      if (implicit) {
        secure = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false });
        secure.on('data', (d: Buffer) => (out += d.toString('latin1')));
      } else {
        const raw = connect(port, '127.0.0.1');
        raw.on('data', (d: Buffer) => (out += d.toString('latin1')));
        await wait(/^220 /m);
        raw.write('EHLO c.example\r\n');
        await wait(/^250 /m);
        raw.write('STARTTLS\r\n');
        await wait(/^220 2\.0\.0 /m);
        raw.removeAllListeners('data');
        out = '';
        secure = tlsConnect({ socket: raw, rejectUnauthorized: false });
        secure.on('data', (d: Buffer) => (out += d.toString('latin1')));
        await new Promise((r) => secure.once('secureConnect', r));
        out = '220 after TLS\r\n';
      }
      secure.on('error', () => undefined);
      await wait(/^220 /m);
      secure.write('EHLO c.example\r\n');
      await wait(/^250 /m);
      secure.write('MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n');
      await wait(/^354 /m);
      secure.end('tls body\r\n.\r\nQUIT\r\n');
      await new Promise((r) => secure.once('close', r));
      expect(codes(out).slice(-2), implicit ? 'implicit TLS' : 'STARTTLS').toEqual([250, 221]);
      expect(stored).toEqual(['tls body\r\n']);
    }
  });
  /**
   * EHLO (then `first.write`, until `first.until` is read), then `commands` in one write and a FIN
   * at once; everything read until the server closes the connection (`closed`) or 5 s pass (the
   * command timeout is 60 s: only an end the session makes itself comes within them).
   */
  async function halfClosedAfter(port: number, commands: string, first?: { write: string; until: RegExp }): Promise<{ out: string; closed: boolean }> {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
    socket.on('error', () => undefined);
    await vi.waitFor(() => expect(out).toMatch(/^220 /m), { timeout: 5000 });
    socket.write('EHLO c.example\r\n');
    await vi.waitFor(() => expect(out).toMatch(/^250 /m), { timeout: 5000 });
    if (first) {
      socket.write(first.write);
      await vi.waitFor(() => expect(out).toMatch(first.until), { timeout: 5000 });
    }
    socket.end(commands);
    const closed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 5000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    socket.destroy();
    return { out, closed };
  }
  const slowly = <T,>(v: T): Promise<T> => new Promise((r) => setTimeout(() => r(v), 200));
  const timeouts = { command: 60_000 };

  it('SRV-2 MAIL and RCPT, then FIN while an async onMailFrom / onRcptTo (200 ms) decides: its reply is written, then the session ends at once', async () => {
    for (const verdict of [undefined, { code: 550, enhanced: '5.7.1', text: 'Not from you' }]) {
      const port = await start({ timeouts, onMailFrom: () => slowly(verdict) });
      const { out, closed } = await halfClosedAfter(port, 'MAIL FROM:<a@b.example>\r\n');
      expect(closed, 'closed by the server').toBe(true);
      expect(out.split('\r\n').slice(-2)[0]).toBe(verdict ? '550 5.7.1 Not from you' : '250 2.1.0 Sender OK');
    }
    for (const verdict of [undefined, { code: 550, enhanced: '5.1.1', text: 'No such user' }]) {
      const rcpts: string[] = [];
      const port = await start({ timeouts, onRcptTo: (to) => slowly(verdict).then((v) => (rcpts.push(to), v)) });
      const { out, closed } = await halfClosedAfter(port, 'MAIL FROM:<a@b.example>\r\nRCPT TO:<x@y.example>\r\n');
      expect(closed, 'closed by the server').toBe(true);
      expect(rcpts).toEqual(['x@y.example']);
      expect(codes(out)).toEqual([220, 250, 250, verdict ? 550 : 250]);
      expect(out.split('\r\n').slice(-2)[0]).toBe(verdict ? '550 5.1.1 No such user' : '250 2.1.5 Recipient OK');
    }
  });

  it.each([['"." + QUIT', 'QUIT\r\n'], ['"." alone', '']])('SRV-2 %s in one write, then FIN while an async onData (200 ms) decides: 250 (or its refusal) and 221 if asked, then the session ends at once', async (_name, quit) => {
    for (const verdict of [undefined, { code: 554, enhanced: '5.7.1', text: 'Refused' }]) {
      const stored: string[] = [];
      const port = await start({
        timeouts,
        onData: async (_env, stream) => {
          stored.push((await readAll(stream)).toString());
          return slowly(verdict);
        },
      });
      const { out, closed } = await halfClosedAfter(port, `Subject: t\r\n\r\nbody\r\n.\r\n${quit}`, { write: 'MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n', until: /^354 /m });
      expect(closed, 'closed by the server').toBe(true);
      expect(codes(out)).toEqual([220, 250, 250, 250, 354, verdict ? 554 : 250, ...(quit ? [221] : [])]);
      expect(out.endsWith('\r\n')).toBe(true);
      expect(stored).toEqual(['Subject: t\r\n\r\nbody\r\n']);
    }
  });

  it('SRV-2 FIN inside a message aborts it: nothing is stored, the socket closes', async () => {
    const stored: string[] = [];
    const errors: string[] = [];
    const port = await start({
      onData: async (_env, stream) => {
        try {
          stored.push((await readAll(stream)).toString());
        } catch (e) {
          errors.push((e as { code?: string }).code ?? 'untyped');
          throw e;
        }
      },
    });
    const out = await rawSession(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      { write: 'MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n', after: 2 },
      { write: 'partial body\r\n', after: 5 },
    ]);
    expect(codes(out)).toEqual([220, 250, 250, 250, 354]);
    expect(stored).toEqual([]);
    expect(errors).toEqual(['ERR_SMTP_MESSAGE_ABORTED']);
  });
});

describe('SRV-5 bodies never hang a session', () => {
  it('SRV-5 onData that settles at once while a consumer reads, which then stops (its pipe destination fails, a readable listener gone): the rest is drained, its answer applied', async () => {
    let n = 0;
    const port = await start({
      onData: (_env, body) => {
        n++;
        if (n === 1) {
          // a destination that fails after 20 KB: the pipe lets go of the body
          let written = 0;
          const dest = new Writable({
            highWaterMark: 1024,
            write(chunk: Buffer, _encoding, callback) {
              written += chunk.length;
              if (written > 20_000) callback(new Error('disk full'));
              else setImmediate(callback);
            },
          });
          dest.on('error', () => undefined);
          body.pipe(dest);
          return { code: 250, enhanced: '2.0.0', text: 'piped' };
        }
        // one read of the first data, then nothing reads
        body.once('readable', () => void body.read(10));
        return { code: 250, enhanced: '2.0.0', text: 'peeked' };
      },
    });
    const big = `${'z'.repeat(998)}\r\n`.repeat(200);
    const tx = (after: number): { write: string; after: number }[] => [
      { write: 'MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n', after },
      { write: `${big}.\r\n`, after: after + 3 },
    ];
    const out = await rawSession(port, [{ write: 'EHLO c.example\r\n', after: 1 }, ...tx(2), ...tx(6), { write: 'QUIT\r\n', after: 10 }]);
    expect(out).toContain('250 2.0.0 piped\r\n');
    expect(out).toContain('250 2.0.0 peeked\r\n');
    expect(codes(out).at(-1)).toBe(221);
  });
  it('SRV-5 onData that settles without reading a 200 KB body (sync and async): the rest is drained, its answer applied', async () => {
    let n = 0;
    const port = await start({
      onData: () => {
        n++;
        return n === 1 ? { code: 250, enhanced: '2.0.0', text: 'ignored body' } : Promise.resolve({ code: 554, enhanced: '5.6.0', text: 'refused unread' });
      },
    });
    const big = `${'z'.repeat(998)}\r\n`.repeat(200);
    const tx = (after: number): { write: string; after: number }[] => [
      { write: 'MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n', after },
      { write: `${big}.\r\n`, after: after + 3 },
    ];
    const out = await rawSession(port, [{ write: 'EHLO c.example\r\n', after: 1 }, ...tx(2), ...tx(6), { write: 'QUIT\r\n', after: 10 }]);
    expect(out).toContain('250 2.0.0 ignored body\r\n');
    expect(out).toContain('554 5.6.0 refused unread\r\n');
    expect(codes(out).at(-1)).toBe(221);
  });
  it('SRV-5 onData that destroys the body stream half-way (a for-await left by a throw, a failed pipeline): the rest is drained, its answer applied', async () => {
    const port = await start({
      onData: async (env, body) => {
        if (env.from === 'throw@b.example') {
          for await (const chunk of body) if ((chunk as Buffer).length > 0) throw new SmtpReplyError({ code: 552, enhanced: '5.2.2', text: 'over quota' });
        }
        const disk = new Writable({ write: (_chunk, _enc, cb) => cb(new Error('ENOSPC')) });
        await pipeline(body, disk).catch(() => undefined);
        return { code: 451, enhanced: '4.3.0', text: 'disk full' };
      },
    });
    const big = `${'z'.repeat(998)}\r\n`.repeat(300);
    const tx = (from: string, after: number): { write: string; after: number }[] => [
      { write: `MAIL FROM:<${from}>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n`, after },
      { write: `${big}.\r\n`, after: after + 3 },
    ];
    const out = await rawSession(port, [{ write: 'EHLO c.example\r\n', after: 1 }, ...tx('throw@b.example', 2), ...tx('pipe@b.example', 6), { write: 'QUIT\r\n', after: 10 }], { timeoutMs: 5000 });
    expect(out).toContain('\r\n552 5.2.2 over quota\r\n');
    expect(out).toContain('\r\n451 4.3.0 disk full\r\n');
    expect(codes(out).at(-1)).toBe(221);
  });
  it('SRV-5 onData that never settles is bounded by the data-block timeout: 421 4.4.2 and close, ERR_SMTP_HOOK_TIMEOUT to onError', async () => {
    const errors: unknown[] = [];
    const port = await start({ timeouts: { dataBlock: 300 }, onData: () => new Promise(() => undefined), onError: (e) => errors.push(e) });
    const out = await rawSession(
      port,
      [
        { write: 'EHLO c.example\r\n', after: 1 },
        { write: 'MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n', after: 2 },
        { write: 'body\r\n.\r\n', after: 5 },
      ],
      { end: false },
    );
    expect(out).toMatch(/\r\n421 4\.4\.2 node\.test Error: timeout exceeded\r\n$/);
    // the message is lost (the client retries it): the application is told why, as for a decision hook
    expect(errors.map((e) => (isSmtpServerError(e) ? e.code : 'untyped'))).toEqual(['ERR_SMTP_HOOK_TIMEOUT']);
  });
  it('SRV-5 a decision hook that never settles is bounded by the command timeout: 421 4.4.2, ERR_SMTP_HOOK_TIMEOUT to onError', async () => {
    const errors: unknown[] = [];
    const port = await start({ timeouts: { command: 300 }, onMailFrom: () => new Promise(() => undefined), onError: (e) => errors.push(e) });
    const out = await rawSession(
      port,
      [
        { write: 'EHLO c.example\r\n', after: 1 },
        { write: 'MAIL FROM:<a@b.example>\r\n', after: 2 },
      ],
      { end: false },
    );
    expect(out).toMatch(/\r\n421 4\.4\.2 node\.test Error: timeout exceeded\r\n$/);
    expect(errors.map((e) => (isSmtpServerError(e) ? e.code : 'untyped'))).toEqual(['ERR_SMTP_HOOK_TIMEOUT']);
  });
  it('SRV-5 a size abort reaches the body stream as a typed error with a code and reason', async () => {
    const seen: { code: string | undefined; reason: string | undefined }[] = [];
    const port = await start({
      limits: { maxMessageSize: 65536 },
      onData: async (_env, stream) => {
        try {
          await readAll(stream);
        } catch (e) {
          seen.push({ code: (e as { code?: string }).code, reason: (e as { reason?: string }).reason });
        }
      },
    });
    const out = await rawSession(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      { write: 'MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n', after: 2 },
      { write: `${'q'.repeat(998)}\r\n`.repeat(100) + '.\r\nQUIT\r\n', after: 5 },
    ]);
    expect(codes(out).slice(-2)).toEqual([552, 221]);
    expect(seen).toEqual([{ code: 'ERR_SMTP_MESSAGE_ABORTED', reason: 'too-large' }]);
  });
});

describe('SRV-7 PROXY: the early-talker check applies whatever onConnect is', () => {
  const hooks: [string, CreateServerOptions['onConnect']][] = [
    ['none', undefined],
    ['sync', () => true],
    ['async', () => Promise.resolve(true)],
  ];
  for (const [name, onConnect] of hooks) {
    it(`SRV-7 input in the same segment as the PROXY header is refused (onConnect: ${name})`, async () => {
      const port = await start({ proxyProtocol: true, ...(onConnect ? { onConnect } : {}) });
      const out = await rawSession(port, [{ write: 'PROXY TCP4 192.0.2.1 192.0.2.2 40000 25\r\nEHLO early.example\r\n' }], { end: false });
      expect(codes(out)).toEqual([554]);
      const ok = await rawSession(port, [
        { write: 'PROXY TCP4 192.0.2.1 192.0.2.2 40000 25\r\n' },
        { write: 'QUIT\r\n', after: 1 },
      ]);
      expect(codes(ok)).toEqual([220, 221]);
    });
  }
});

/** A client that sends `text` one byte every `everyMs` (restarting any idle timer) and collects the replies. */
function trickle(port: number, text: string, everyMs: number, host = '127.0.0.1'): { socket: Socket; output: () => string; closed: Promise<void> } {
  const socket = connect({ port, host: '127.0.0.1', localAddress: host });
  let out = '';
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return;
    if (/^220 /m.test(out)) socket.write(text[i++]!);
  }, everyMs);
  socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((r) =>
    socket.on('close', () => {
      clearInterval(timer);
      r();
    }),
  );
  return { socket, output: () => out, closed };
}

describe('SRV-6 fair share under abuse (on by default)', () => {
  it('SRV-6 100 trickling connections from 127.0.0.1 do not stop a client from 127.0.0.2 getting 220 and delivering', async () => {
    const stored: string[] = [];
    const port = await start({
      onData: async (_env, body) => {
        stored.push((await readAll(body)).toString());
      },
    });
    const tricklers = Array.from({ length: 100 }, () => trickle(port, 'EHLO slow.example\r\n', 1000));
    try {
      // every trickler has connected and been answered (220 or 421)
      await vi.waitFor(() => expect(tricklers.every((t) => /^(220|421) /m.test(t.output()))).toBe(true), { timeout: 15_000 });
      const refused = tricklers.filter((t) => t.output().startsWith('421 4.7.0 ')).length;
      expect(refused).toBe(100 - 20); // DEFAULT_MAX_CONNECTIONS_PER_CLIENT
      const out = await deliverOne(port, '127.0.0.2');
      expect(codes(out)).toEqual([220, 250, 250, 250, 354, 250, 221]);
      expect(stored).toEqual(['fresh\r\n']);
    } finally {
      for (const t of tricklers) t.socket.destroy();
    }
  });
  it('SRV-6 a command line trickled byte by byte is cut by its deadline (421 4.4.2), although every byte restarts the idle timer', async () => {
    const port = await start({ minDataRate: 0, timeouts: { command: 60_000, commandLine: 400 } });
    const t = trickle(port, 'EHLO a-very-slow-client.example\r\n', 30);
    await t.closed;
    expect(t.output()).toMatch(/^421 4\.4\.2 node\.test Error: timeout exceeded\r\n/m);
  });
  it('SRV-6 a message trickled line by line is cut by the data-phase deadline (421 4.4.2)', async () => {
    const port = await start({ minDataRate: 0, timeouts: { dataBlock: 60_000, dataPhase: 500 } });
    const socket = connect(port, '127.0.0.1');
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
    await vi.waitFor(() => expect(out).toMatch(/^220 /m));
    socket.write('EHLO c.example\r\n');
    await vi.waitFor(() => expect(out).toMatch(/^250 /m));
    socket.write('MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n');
    await vi.waitFor(() => expect(out).toMatch(/^354 /m));
    const timer = setInterval(() => socket.write('line\r\n'), 30);
    await new Promise((r) => socket.on('close', r));
    clearInterval(timer);
    expect(out).toMatch(/\r\n421 4\.4\.2 node\.test Error: timeout exceeded\r\n$/);
  });
  it('DOS-8 minDataRate applies to message bodies only: a command line slower than the rate completes, bounded by its own deadline', async () => {
    const port = await start({ minDataRate: 1000, minDataRateGraceMs: 200, timeouts: { command: 60_000, commandLine: 60_000 } });
    // 17 bytes at one per 40 ms: about 25 bytes/s for about 700 ms, far below the rate, past the grace
    const t = trickle(port, 'EHLO a.example\r\n', 40);
    try {
      await vi.waitFor(() => expect(t.output()).toMatch(/^250 /m), { timeout: 10_000 });
      expect(t.output()).not.toMatch(/^421 /m);
    } finally {
      t.socket.destroy();
    }
  });
  it('SRV-6 with the default minDataRate, a trickled command line is cut by the command-line deadline', async () => {
    const port = await start({ timeouts: { command: 60_000, commandLine: 400 } });
    const t = trickle(port, 'EHLO a-very-slow-client.example\r\n', 30);
    await t.closed;
    expect(t.output()).toMatch(/^421 4\.4\.2 node\.test Error: timeout exceeded\r\n/m);
  });
  for (const mode of ['DATA', 'BDAT'] as const) {
    it(`SRV-6 the data-phase deadline starts at the first body byte (${mode}): a client that waits after ${mode === 'DATA' ? 'the 354' : 'the BDAT command'} is not charged for the wait`, async () => {
      const stored: string[] = [];
      const port = await start({
        minDataRate: 0,
        timeouts: { dataBlock: 60_000, dataPhase: 300 },
        onData: async (_env, body) => {
          stored.push((await readAll(body)).toString());
        },
      });
      const socket = connect(port, '127.0.0.1');
      let out = '';
      socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
      socket.on('error', () => undefined);
      try {
        await vi.waitFor(() => expect(out).toMatch(/^220 /m));
        socket.write('EHLO c.example\r\n');
        await vi.waitFor(() => expect(out).toMatch(/^250 /m));
        socket.write('MAIL FROM:<a@b.example>\r\n');
        await vi.waitFor(() => expect(codes(out)).toHaveLength(3));
        socket.write('RCPT TO:<c@d.example>\r\n');
        await vi.waitFor(() => expect(codes(out)).toHaveLength(4));
        if (mode === 'DATA') {
          socket.write('DATA\r\n');
          await vi.waitFor(() => expect(out).toMatch(/^354 /m));
        } else socket.write('BDAT 7 LAST\r\n');
        // twice the data-phase deadline before the first body byte
        await new Promise((r) => setTimeout(r, 600));
        socket.write(mode === 'DATA' ? 'hello\r\n.\r\n' : 'hello\r\n');
        await vi.waitFor(() => expect(codes(out)).toHaveLength(mode === 'DATA' ? 6 : 5));
        expect(codes(out).at(-1)).toBe(250);
        expect(stored).toEqual(['hello\r\n']);
      } finally {
        socket.destroy();
      }
    });
  }
  it('SRV-6 the per-address limit counts the PROXY source address', async () => {
    const port = await start({ proxyProtocol: true, maxConnectionsPerClient: 2 });
    const open: Socket[] = [];
    const greet = (source: string): Promise<string> => greetingVia(port, open, `PROXY TCP4 ${source} 192.0.2.250 40000 25\r\n`);
    try {
      expect(await greet('192.0.2.9')).toMatch(/^220 /);
      expect(await greet('192.0.2.9')).toMatch(/^220 /);
      expect(await greet('192.0.2.9')).toMatch(/^421 4\.7\.0 /);
      expect(await greet('192.0.2.10')).toMatch(/^220 /);
    } finally {
      for (const s of open) s.destroy();
    }
  });

  it('SRV-6 one host cannot step around the per-address limit with the addresses of its IPv6 /64', async () => {
    const port = await start({ proxyProtocol: true, maxConnectionsPerClient: 2 });
    const open: Socket[] = [];
    const greet = (source: string): Promise<string> => greetingVia(port, open, `PROXY TCP6 ${source} 2001:db8::25 40000 25\r\n`);
    try {
      expect(await greet('2001:db8:0:7::1')).toMatch(/^220 /);
      expect(await greet('2001:db8:0:7::2')).toMatch(/^220 /);
      expect(await greet('2001:db8:0:7:a:b:c:d')).toMatch(/^421 4\.7\.0 /);
      expect(await greet('2001:db8:0:8::1')).toMatch(/^220 /);
    } finally {
      for (const s of open) s.destroy();
    }
    // 128: each address alone
    const exact = await start({ proxyProtocol: true, maxConnectionsPerClient: 1, clientIpv6PrefixLength: 128 });
    const one = (source: string): Promise<string> => greetingVia(exact, open, `PROXY TCP6 ${source} 2001:db8::25 40000 25\r\n`);
    try {
      expect(await one('2001:db8:0:7::1')).toMatch(/^220 /);
      expect(await one('2001:db8:0:7::2')).toMatch(/^220 /);
      expect(await one('2001:db8:0:7::2')).toMatch(/^421 4\.7\.0 /);
    } finally {
      for (const s of open) s.destroy();
    }
  });
});
