import { connect } from 'node:net';
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { describe, expect, it, vi } from 'vitest';
import { throwawayCertificate } from '@smtpkit/testkit';
import { createServer, SmtpReplyError } from './index.js';
import type { CreateServerOptions, Envelope } from './index.js';
import { serversPerTest } from '../../test/servers.js';

/** A tiny line-oriented client: `reply()` resolves with the next complete reply. */
class Client {
  private buf = '';
  private waiters: ((r: string) => void)[] = [];
  closed = false;
  constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf += d.toString('latin1');
      this.drain();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w('');
    });
    socket.on('error', () => undefined);
  }
  private drain(): void {
    for (;;) {
      const m = /^((?:\d{3}-[^\r\n]*\r\n)*\d{3}(?: [^\r\n]*)?\r\n)/.exec(this.buf);
      if (!m || this.waiters.length === 0) return;
      this.buf = this.buf.slice(m[1]!.length);
      this.waiters.shift()!(m[1]!);
    }
  }
  reply(): Promise<string> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.drain();
      if (this.closed) resolve('');
    });
  }
  async cmd(line: string): Promise<string> {
    const r = this.reply();
    this.socket.write(Buffer.from(line + '\r\n', 'latin1'));
    return r;
  }
}

const servers = serversPerTest('node.test');

async function start(options: CreateServerOptions): Promise<number> {
  return (await servers.start(options)).port;
}

async function client(port: number): Promise<Client> {
  const socket = connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  return new Client(socket);
}

async function collect(body: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of body) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('createServer', () => {
  it('hooks: rejections thrown or returned, exact body bytes, envelope', async () => {
    const got: { env: Envelope; data: string }[] = [];
    const port = await start({
      onMailFrom: (from) => (from === 'bad@x.example' ? false : undefined),
      onRcptTo: (to) => {
        if (to.startsWith('no')) throw new SmtpReplyError({ code: 550, enhanced: '5.1.1', text: 'No such user' });
      },
      onData: async (env, body) => {
        got.push({ env, data: (await collect(body)).toString('latin1') });
        return { code: 250, enhanced: '2.0.0', text: `Queued as ${env.id}` };
      },
    });
    const c = await client(port);
    expect(await c.reply()).toMatch(/^220 node\.test ESMTP/);
    expect(await c.cmd('EHLO me.example')).toContain('250 ');
    expect(await c.cmd('MAIL FROM:<bad@x.example>')).toMatch(/^550 5\.7\.1/);
    expect(await c.cmd('MAIL FROM:<a@x.example> BODY=8BITMIME')).toMatch(/^250/);
    expect(await c.cmd('RCPT TO:<no@y.example>')).toBe('550 5.1.1 No such user\r\n');
    expect(await c.cmd('RCPT TO:<yes@y.example>')).toMatch(/^250/);
    expect(await c.cmd('DATA')).toMatch(/^354/);
    const final = await c.cmd('a\r\n..b\r\n\xe9\r\n.');
    expect(final).toMatch(/^250 2\.0\.0 Queued as /);
    expect(got).toHaveLength(1);
    expect(got[0]!.data).toBe('a\r\n.b\r\n\xe9\r\n');
    expect(got[0]!.env).toMatchObject({ from: 'a@x.example', to: ['yes@y.example'], helo: 'me.example', clientAddress: '127.0.0.1', size: 10, secure: false, protocol: 'ESMTP' });
    expect(got[0]!.env.mailParameters).toEqual({ BODY: '8BITMIME' });
    expect(await c.cmd('QUIT')).toMatch(/^221/);
  });

  it('a hook that throws an Error gives 451 4.3.0 and onError', async () => {
    const errors: unknown[] = [];
    const port = await start({
      onMailFrom: () => {
        throw new Error('database down');
      },
      onError: (e) => errors.push(e),
    });
    const c = await client(port);
    await c.reply();
    await c.cmd('EHLO me');
    expect(await c.cmd('MAIL FROM:<a@b.c>')).toMatch(/^451 4\.3\.0/);
    expect(errors).toHaveLength(1);
  });

  it("a thrown value whose code is not a refusal never accepts: a driver's 262 or a thrown 250 is 451 4.3.0 and onError", async () => {
    const errors: unknown[] = [];
    const port = await start({
      onMailFrom: (from) => {
        if (from.startsWith('p')) throw new SmtpReplyError({ code: 250, text: 'thrown, yet positive' });
      },
      onRcptTo: () => Promise.reject(Object.assign(new Error('operation exceeded time limit'), { code: 262 })),
      onError: (e) => errors.push(e),
    });
    const c = await client(port);
    await c.reply();
    await c.cmd('EHLO me');
    expect(await c.cmd('MAIL FROM:<p@b.c>')).toMatch(/^451 4\.3\.0/);
    expect(await c.cmd('MAIL FROM:<a@b.c>')).toMatch(/^250/);
    expect(await c.cmd('RCPT TO:<d@e.f>')).toMatch(/^451 4\.3\.0/);
    expect(errors).toHaveLength(2);
  });

  it.each([
    ['a reply that does not fit its command (354 to MAIL)', { code: 354, text: 'go on' }],
    ['null (a typed error, not a TypeError)', null],
  ])('a hook answering %s: 451 4.3.0 and ERR_SMTP_INVALID_REPLY to onError', async (_what, answer) => {
    const errors: unknown[] = [];
    const port = await start({ onMailFrom: () => answer as unknown as undefined, onError: (e) => errors.push(e) });
    const c = await client(port);
    await c.reply();
    await c.cmd('EHLO me');
    expect(await c.cmd('MAIL FROM:<a@b.c>')).toMatch(/^451 4\.3\.0/);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'ERR_SMTP_INVALID_REPLY' });
  });

  it('backpressure: a slow body consumer gets the whole message, the reply waits for it', async () => {
    let stored = 0;
    let doneAt = 0;
    const port = await start({
      limits: { maxMessageSize: 0 },
      onData: async (_env, body) => {
        for await (const c of body) {
          stored += (c as Buffer).length;
          await new Promise((r) => setTimeout(r, 1));
        }
        doneAt = Date.now();
      },
    });
    const c = await client(port);
    await c.reply();
    await c.cmd('EHLO me');
    await c.cmd('MAIL FROM:<a@b.c>');
    await c.cmd('RCPT TO:<d@e.f>');
    await c.cmd('DATA');
    const line = 'z'.repeat(998) + '\r\n';
    const block = line.repeat(64);
    const total = 4 * 1024 * 1024;
    let sent = 0;
    while (sent < total) {
      if (!c.socket.write(block)) await new Promise((r) => c.socket.once('drain', r));
      sent += block.length;
    }
    const final = await c.cmd('.');
    expect(final).toMatch(/^250/);
    expect(stored).toBe(sent);
    expect(doneAt).toBeGreaterThan(0);
  });

  it('DOS-8 a body trickling below minDataRate gets 421 4.4.2', async () => {
    const aborted: string[] = [];
    const port = await start({
      minDataRate: 1000,
      minDataRateGraceMs: 200,
      onData: async (_e, body) => {
        try {
          await collect(body);
        } catch (e) {
          aborted.push(String(e));
        }
      },
    });
    const c = await client(port);
    await c.reply();
    await c.cmd('EHLO me');
    await c.cmd('MAIL FROM:<a@b.c>');
    await c.cmd('RCPT TO:<d@e.f>');
    await c.cmd('DATA');
    const bye = c.reply();
    c.socket.write('a');
    expect(await bye).toMatch(/^421 4\.4\.2/);
    await new Promise((r) => setTimeout(r, 20));
    expect(aborted).toHaveLength(1);
  });

  it('pipelining: replies of a group with hooks (corked together) come in order; a slow hook still gets its replies out', async () => {
    const seen: string[] = [];
    const port = await start({
      onMailFrom: (from) => void seen.push(from),
      onRcptTo: async (to) => {
        if (to.startsWith('slow')) await new Promise((r) => setTimeout(r, 30));
        if (to.startsWith('no')) throw new SmtpReplyError({ code: 550, enhanced: '5.1.1', text: 'No such user' });
      },
      onData: async (_e, body) => void (await collect(body)),
    });
    const c = await client(port);
    await c.reply();
    await c.cmd('EHLO c.test');
    const replies = [c.reply(), c.reply(), c.reply(), c.reply()];
    c.socket.write('MAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nRCPT TO:<no@x.test>\r\nRCPT TO:<c@x.test>\r\n');
    const got = await Promise.all(replies);
    expect(got.map((r) => r.slice(0, 3))).toEqual(['250', '250', '550', '250']);
    const slow = [c.reply(), c.reply(), c.reply()];
    c.socket.write('RCPT TO:<slow@x.test>\r\nRCPT TO:<d@x.test>\r\nDATA\r\n');
    expect((await Promise.all(slow)).map((r) => r.slice(0, 3))).toEqual(['250', '250', '354']);
    expect((await c.cmd('hello\r\n.')).slice(0, 3)).toBe('250');
    expect(seen).toEqual(['a@x.test']);
    c.socket.end();
  });

  it('hooks that answer at once (values, replies, throws) and onData settling before the end of the body', async () => {
    const bodies: number[] = [];
    let message = 0;
    const port = await start({
      onMailFrom: (from) => (from.startsWith('plain') ? { code: 553, enhanced: '5.1.8', text: 'Sender refused' } : true),
      onRcptTo: (to) => {
        // a plain reply object thrown (not an Error) is the reply
        if (to.startsWith('obj')) throw { code: 550, enhanced: '5.1.1', text: 'Unknown' }; // eslint-disable-line @typescript-eslint/only-throw-error
      },
      onData: (_env, body) => {
        message++;
        // the rest of the body is still consumed and dropped, the session stays in sync
        body.on('data', (c: Buffer) => (bodies[message - 1] = (bodies[message - 1] ?? 0) + c.length));
        if (message === 1) return { code: 250, enhanced: '2.0.0', text: 'Taken at once' };
        if (message === 2) throw new SmtpReplyError({ code: 554, enhanced: '5.6.0', text: 'Refused at once' });
        if (message === 3) return Promise.reject(new SmtpReplyError({ code: 452, enhanced: '4.3.1', text: 'Refused early' }));
        return undefined;
      },
    });
    const c = await client(port);
    await c.reply();
    await c.cmd('EHLO me');
    expect(await c.cmd('MAIL FROM:<plain@x.test>')).toBe('553 5.1.8 Sender refused\r\n');
    for (const [i, final] of ['250 2.0.0 Taken at once', '554 5.6.0 Refused at once', '452 4.3.1 Refused early', '250 2.0.0 Message accepted'].entries()) {
      expect(await c.cmd('MAIL FROM:<a@x.test>')).toMatch(/^250/);
      expect(await c.cmd('RCPT TO:<obj@x.test>')).toBe('550 5.1.1 Unknown\r\n');
      expect(await c.cmd('RCPT TO:<b@x.test>')).toMatch(/^250/);
      expect(await c.cmd('DATA')).toMatch(/^354/);
      const reply = await c.cmd(`${'x'.repeat(70)}\r\n`.repeat(2000) + '.');
      expect(reply.startsWith(final), `message ${String(i + 1)}: ${reply}`).toBe(true);
    }
    expect(bodies).toEqual([144_000, 144_000, 144_000, 144_000]);
    expect(await c.cmd('QUIT')).toMatch(/^221/);
  });

  it('onData answering with a thenable that is not a Promise (fulfilled with a reply, rejected with one, fulfilled with nothing) after reading the body', async () => {
    const sizes: number[] = [];
    let message = 0;
    /** A promise of another library: only `then`, settled after the body has been read (typed as a Promise for onData). */
    const later = (body: NodeJS.ReadableStream, settle: (ok: (v: unknown) => void, fail: (e: unknown) => void) => void): Promise<undefined> =>
      ({
        then(ok: unknown, fail: unknown) {
        let size = 0;
        body.on('data', (c: Buffer) => (size += c.length));
        body.on('end', () => {
          sizes.push(size);
          setTimeout(() => settle(ok as (v: unknown) => void, fail as (e: unknown) => void), 5);
        });
      },
    }) as unknown as Promise<undefined>;
    const port = await start({
      onData: (_env, body) => {
        message++;
        if (message === 1) return later(body, (ok) => ok({ code: 250, enhanced: '2.0.0', text: 'Thenable took it' }));
        if (message === 2) return later(body, (_ok, fail) => fail(new SmtpReplyError({ code: 451, enhanced: '4.3.0', text: 'Thenable refused' })));
        return later(body, (ok) => ok(undefined));
      },
    });
    const c = await client(port);
    await c.reply();
    await c.cmd('EHLO me');
    for (const final of ['250 2.0.0 Thenable took it', '451 4.3.0 Thenable refused', '250 2.0.0 Message accepted']) {
      expect(await c.cmd('MAIL FROM:<a@x.test>')).toMatch(/^250/);
      expect(await c.cmd('RCPT TO:<b@x.test>')).toMatch(/^250/);
      expect(await c.cmd('DATA')).toMatch(/^354/);
      expect(await c.cmd(`${'y'.repeat(70)}\r\n`.repeat(100) + '.')).toMatch(new RegExp(`^${final}`));
    }
    expect(sizes).toEqual([7200, 7200, 7200]);
    expect(await c.cmd('QUIT')).toMatch(/^221/);
  });

  it('DOS-6 a client that pipelines RSET without reading its replies: reading stops, memory stays bounded, every reply arrives once it reads', async () => {
    const server = createServer({ hostname: 'node.test', limits: { junkCommandLimit: 1e9 } });
    servers.track(server);
    // an in-memory connection whose client does not read: writes are held until `reading`
    let reading = false;
    const held: (() => void)[] = [];
    let oks = 0;
    let tail = '';
    const socket = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        const text = tail + chunk.toString('latin1');
        const cut = text.lastIndexOf('\n') + 1;
        oks += text.slice(0, cut).split('250 2.0.0 Ok\r\n').length - 1;
        tail = text.slice(cut);
        if (reading) callback();
        else held.push(callback);
      },
    });
    server.handleConnection(socket as unknown as Socket);
    // a second, idle session: with more than one, replies are written at the end of the turn
    const idle = new Duplex({ read() {}, write: (_c, _e, callback) => callback() });
    server.handleConnection(idle as unknown as Socket);
    expect(server.connections).toBe(2);
    const commands = 200_000;
    const ticks = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
    };
    await ticks(5); // the greeting
    socket.push(Buffer.from('EHLO me\r\n'));
    await ticks(5);
    oks = 0;
    // RSET may be pipelined (RFC 2920 §3.1), a flood of it only produces replies
    const input = Buffer.from('RSET\r\n'.repeat(commands));
    // in 4 KB reads, as from a socket
    for (let i = 0; i < input.length; i += 4096) socket.push(input.subarray(i, i + 4096));
    await ticks(50);
    // the server stopped: most commands are still unread, and what it wrote is bounded
    expect(socket.readableLength).toBeGreaterThan(1_000_000);
    expect(socket.writableLength).toBeLessThan(200_000);
    expect(oks).toBeLessThan(20_000);
    reading = true;
    for (const callback of held.splice(0)) callback();
    for (let i = 0; i < 5000 && oks < commands; i++) await new Promise((r) => setImmediate(r));
    expect(oks).toBe(commands);
    expect(socket.readableLength).toBe(0);
    socket.destroy();
    idle.destroy();
  });

  it('pipelined commands whose replies pass maxPendingOutput in one read: the session goes on after handing them over (no drain, no new input)', async () => {
    let bodyBytes = 0;
    const port = await start({
      limits: { junkCommandLimit: 1e9 },
      onData: async (_e, body) => {
        bodyBytes = (await collect(body)).length;
      },
    });
    for (const [input, replies] of [
      // 20,000 BDAT chunks of 3 bytes: their replies pass 64 KiB with no hook in between
      [Buffer.concat([Buffer.from('MAIL FROM:<a@node.test>\r\nRCPT TO:<b@node.test>\r\n'), ...Array.from({ length: 20_000 }, (_, i) => Buffer.from(`BDAT 3${i === 19_999 ? ' LAST' : ''}\r\nabc`)), Buffer.from('QUIT\r\n')]), 20_003],
      // replies that produce no event at all
      [Buffer.from('RSET\r\n'.repeat(20_000) + 'QUIT\r\n'), 20_001],
    ] as const) {
      const c = await client(port);
      expect(await c.reply()).toMatch(/^220 /);
      expect(await c.cmd('EHLO me')).toMatch(/^250/);
      let text = '';
      const done = new Promise<void>((resolve) => c.socket.on('close', resolve));
      c.socket.removeAllListeners('data');
      c.socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      c.socket.write(input);
      await done;
      expect(text.split('\r\n').length - 1).toBe(replies);
      expect(text.endsWith('221 2.0.0 node.test Bye\r\n')).toBe(true);
    }
    expect(bodyBytes).toBe(60_000);
  });

  it('several sessions pipelining at the same time: each gets its own replies, in order, in one write per group', async () => {
    const port = await start({
      onRcptTo: async (to) => {
        await Promise.resolve();
        if (to.startsWith('no')) return { code: 550, enhanced: '5.1.1', text: `No ${to}` };
        return undefined;
      },
    });
    const clients = await Promise.all(Array.from({ length: 6 }, () => client(port)));
    for (const c of clients) {
      await c.reply();
      await c.cmd('EHLO me');
    }
    const reads = clients.map(() => 0);
    clients.forEach((c, i) => c.socket.on('data', () => reads[i]!++));
    const groups = await Promise.all(
      clients.map(async (c, i) => {
        const replies = [c.reply(), c.reply(), c.reply(), c.reply()];
        c.socket.write(`MAIL FROM:<s${String(i)}@x.test>\r\nRCPT TO:<a${String(i)}@x.test>\r\nRCPT TO:<no${String(i)}@x.test>\r\nRCPT TO:<b${String(i)}@x.test>\r\n`);
        return Promise.all(replies);
      }),
    );
    groups.forEach((got, i) => {
      expect(got.map((r) => r.slice(0, 3))).toEqual(['250', '250', '550', '250']);
      expect(got[2]).toBe(`550 5.1.1 No no${String(i)}@x.test\r\n`);
    });
    // the four replies of each group were written together (a hook answering within the turn)
    expect(reads).toEqual(clients.map(() => 1));
  });

  it('a reset in the middle of a session ends it (no onError: the peer lost the connection, see create-server.connection-lost.test.ts); a reset after QUIT is not an error either', async () => {
    const errors: unknown[] = [];
    let closes = 0;
    const port = await start({ onError: (e) => errors.push(e), onClose: () => closes++ });
    const waitFor = async (cond: () => boolean): Promise<void> => {
      for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
    };
    const a = await client(port);
    await a.reply();
    await a.cmd('EHLO me');
    a.socket.resetAndDestroy(); // RST in the middle of a session
    await waitFor(() => closes === 1);
    expect(closes).toBe(1);
    expect(errors).toEqual([]);
    const b = await client(port);
    await b.reply();
    expect(await b.cmd('QUIT')).toMatch(/^221/);
    b.socket.resetAndDestroy();
    await waitFor(() => closes === 2);
    expect(closes).toBe(2);
    expect(errors).toEqual([]);
  });

  it('a closed session leaves no timer behind (nothing keeps it in memory)', async () => {
    let closes = 0;
    const port = await start({ onClose: () => closes++ });
    // every timer the server arms from here on, and every one it clears
    const armed: unknown[] = [];
    const cleared = new Set<unknown>();
    const realSet = globalThis.setTimeout;
    const realClear = globalThis.clearTimeout;
    const set = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      const t = realSet(fn, ms);
      armed.push(t);
      return t;
    }));
    const clear = vi.spyOn(globalThis, 'clearTimeout').mockImplementation(((t: NodeJS.Timeout | undefined) => {
      cleared.add(t);
      realClear(t);
    }) as typeof clearTimeout);
    try {
      for (let i = 0; i < 20; i++) {
        const c = await client(port);
        await c.reply();
        expect(await c.cmd('QUIT')).toMatch(/^221/);
        c.socket.end();
      }
      for (let i = 0; i < 200 && closes < 20; i++) await new Promise((r) => realSet(r, 10));
    } finally {
      set.mockRestore();
      clear.mockRestore();
    }
    expect(closes).toBe(20);
    // the client helper's own waits above used the real setTimeout, so all of these are the server's
    expect(armed.length).toBeGreaterThanOrEqual(20);
    expect(armed.filter((t) => !cleared.has(t))).toEqual([]);
  });

  it('connection limit: 421 past maxConnections', async () => {
    const port = await start({ maxConnections: 1 });
    const a = await client(port);
    expect(await a.reply()).toMatch(/^220/);
    const b = await client(port);
    expect(await b.reply()).toMatch(/^421 4\.7\.0/);
  });

  it('timeouts come from pendingTimeout: 421 4.4.2 and close', async () => {
    const port = await start({ timeouts: { command: 150 } });
    const c = await client(port);
    await c.reply();
    expect(await c.reply()).toMatch(/^421 4\.4\.2 node\.test Error: timeout exceeded/);
  });

  it('DOS-5 tarpit: the error-delay timer holds the reply, and bytes trickled meanwhile do not extend it', async () => {
    const port = await start({ timeouts: { errorDelay: 100 }, pipeliningSync: 'off' });
    const c = await client(port);
    await c.reply();
    for (let i = 0; i < 9; i++) expect(await c.cmd('XXXX')).toMatch(/^500/);
    const tenth = c.cmd('XXXX');
    let answered = false;
    void tenth.then(() => (answered = true));
    // a byte every 20 ms, for at most 3 s: the 100 ms delay must end while the client keeps sending
    for (let i = 0; i < 150 && !answered; i++) {
      c.socket.write('N');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(answered).toBe(true);
    expect(await tenth).toMatch(/^500/);
    c.socket.write('OOP\r\n'); // the trickled N's and OOP make one unknown command
    expect(await c.reply()).toMatch(/^500/);
    expect(await c.cmd('QUIT')).toMatch(/^221/);
  });

  it('graceful shutdown: 421 to idle sessions and new ones; an in-flight message finishes first', async () => {
    const s = createServer({ hostname: 'node.test', onData: async (_e, body) => void (await collect(body)) });
    const port = (await s.listen(0, '127.0.0.1')).port;
    const idle = await client(port);
    await idle.reply();
    const busy = await client(port);
    await busy.reply();
    await busy.cmd('EHLO me');
    await busy.cmd('MAIL FROM:<a@b.c>');
    await busy.cmd('RCPT TO:<d@e.f>');
    await busy.cmd('DATA');
    busy.socket.write('part one\r\n');
    const idleBye = idle.reply();
    const closing = s.close({ timeout: 5000 });
    expect(await idleBye).toMatch(/^421 4\.3\.2/);
    const finalReply = busy.reply();
    const bye = busy.reply();
    busy.socket.write('part two\r\n.\r\n');
    expect(await finalReply).toMatch(/^250/);
    expect(await bye).toMatch(/^421 4\.3\.2/);
    await closing;
  });

  it('a recipient given twice is one recipient of the envelope (delivered once); LMTP keeps each, with its own reply', async () => {
    for (const lmtp of [false, true]) {
      const envs: Envelope[] = [];
      const port = await start({
        lmtp,
        onData: async (env, body) => {
          await collect(body);
          envs.push(env);
        },
      });
      const c = await client(port);
      await c.reply();
      await c.cmd(lmtp ? 'LHLO me' : 'EHLO me');
      await c.cmd('MAIL FROM:<a@b.c>');
      // the third is the first again, its domain in capitals (domains are case-insensitive)
      for (const to of ['<x@d.example> NOTIFY=NEVER', '<y@d.example>', '<x@D.Example> NOTIFY=NEVER']) expect(await c.cmd(`RCPT TO:${to}`)).toMatch(/^250/);
      await c.cmd('DATA');
      c.socket.write('hi\r\n.\r\n');
      const replies = [await c.reply(), ...(lmtp ? [await c.reply(), await c.reply()] : [])];
      expect(replies.every((r) => r.startsWith('250'))).toBe(true);
      expect(envs[0]!.to).toEqual(lmtp ? ['x@d.example', 'y@d.example', 'x@D.Example'] : ['x@d.example', 'y@d.example']);
      expect(envs[0]!.rcptParameters).toEqual(lmtp ? [{ NOTIFY: 'NEVER' }, {}, { NOTIFY: 'NEVER' }] : [{ NOTIFY: 'NEVER' }, {}]);
      c.socket.destroy();
    }
  });

  it("hooks see the transaction in progress on the session (smtp-server's session.envelope): the sender, the recipients accepted so far", async () => {
    const seen: unknown[] = [];
    const port = await start({
      onRcptTo: (to, _params, session) => {
        seen.push([to, session.transaction.from, session.transaction.recipients.map((r) => r.address)]);
        // a sender-dependent policy: the null sender gets one recipient
        return session.transaction.from === '' && session.transaction.recipients.length > 0 ? { code: 550, enhanced: '5.7.1', text: 'one recipient for bounces' } : undefined;
      },
      onData: async (_e, body, session) => {
        await collect(body);
        seen.push(['data', session.transaction.recipients.length]);
      },
    });
    const c = await client(port);
    await c.reply();
    await c.cmd('EHLO me');
    await c.cmd('MAIL FROM:<>');
    expect(await c.cmd('RCPT TO:<x@d.example>')).toMatch(/^250/);
    expect(await c.cmd('RCPT TO:<y@d.example>')).toMatch(/^550 5\.7\.1/);
    await c.cmd('RSET');
    await c.cmd('MAIL FROM:<a@b.c>');
    expect(await c.cmd('RCPT TO:<y@d.example>')).toMatch(/^250/);
    await c.cmd('DATA');
    expect(await c.cmd('hi\r\n.')).toMatch(/^250/);
    c.socket.destroy();
    expect(seen).toEqual([
      ['x@d.example', '', []],
      ['y@d.example', '', ['x@d.example']],
      ['y@d.example', 'a@b.c', []],
      ['data', 1],
    ]);
  });

  /** Listens, and leaves one session in the middle of a message body that never ends; its client's socket. */
  async function messageInFlight(s: ReturnType<typeof createServer>): Promise<Socket> {
    const port = (await s.listen(0, '127.0.0.1')).port;
    const busy = await client(port);
    await busy.reply();
    await busy.cmd('EHLO me');
    await busy.cmd('MAIL FROM:<a@b.c>');
    await busy.cmd('RCPT TO:<d@e.f>');
    await busy.cmd('DATA');
    busy.socket.write('a message that never ends\r\n');
    return busy.socket;
  }

  it('close() called twice (SIGTERM, then SIGINT): both promises settle, the later shorter timeout cuts the wait', async () => {
    const s = createServer({ hostname: 'node.test', onData: async (_e, body) => void (await collect(body)) });
    await messageInFlight(s);
    const first = s.close({ timeout: 600_000 });
    const second = s.close({ timeout: 50 });
    expect(await Promise.all([first, second])).toEqual([undefined, undefined]);
    // and once closed, close() settles at once
    await s.close();
    expect(s.address()).toBeUndefined();
  });

  it('close() past its timeout settles after the cut sessions are released: their onClose ran and their body stream has its abort', async () => {
    const events: string[] = [];
    const s = createServer({
      hostname: 'node.test',
      onClose: () => events.push('onClose'),
      // reads the body, never settles
      onData: (_e, body) =>
        new Promise(() => {
          body.resume();
          body.on('error', (e) => events.push(`body ${(e as { code?: string }).code ?? ''}`));
        }),
    });
    await messageInFlight(s);
    await s.close({ timeout: 50 });
    events.push('closed');
    expect(events).toEqual(['onClose', 'body ERR_SMTP_MESSAGE_ABORTED', 'closed']);
  });

  it('a client that leaves inside a message (FIN or reset): the body stream gets ERR_SMTP_MESSAGE_ABORTED with reason eof', async () => {
    for (const leave of ['end', 'resetAndDestroy'] as const) {
      const seen = new Promise<string>((resolve) => {
        const s = createServer({
          hostname: 'node.test',
          onData: async (_e, body) => {
            body.on('error', (e) => resolve(`${(e as { code?: string }).code ?? ''}/${(e as { reason?: string }).reason ?? ''}`));
            await collect(body).catch(() => undefined);
          },
        });
        void messageInFlight(servers.track(s)).then((socket) => socket.write('', () => socket[leave]()));
      });
      expect(await seen, leave).toBe('ERR_SMTP_MESSAGE_ABORTED/eof');
    }
  });

  it('PROXY protocol v1: the proxied address is the client address; garbage is dropped', async () => {
    const envs: Envelope[] = [];
    const port = await start({ proxyProtocol: true, onData: async (env, body) => void (envs.push(env), await collect(body)) });
    const c = await client(port);
    c.socket.write('PROXY TCP4 203.0.113.9 192.0.2.1 40000 25\r\n');
    expect(await c.reply()).toMatch(/^220/);
    await c.cmd('EHLO me');
    await c.cmd('MAIL FROM:<a@b.c>');
    await c.cmd('RCPT TO:<d@e.f>');
    await c.cmd('DATA');
    await c.cmd('x\r\n.');
    expect(envs[0]!.clientAddress).toBe('203.0.113.9');
    const bad = await client(port);
    bad.socket.write('EHLO no-proxy-header\r\n');
    expect(await bad.reply()).toBe('');
  });

  it('PROXY v1 TCP6: the addresses in the form v2 and Node give (RFC 5952), so that one client has one address for isTrusted and the hooks', async () => {
    const seen: string[] = [];
    const port = await start({
      proxyProtocol: true,
      isTrusted: (a) => (seen.push(`trusted? ${String(a)}`), false),
      onConnect: (s) => void seen.push(`${String(s.remoteAddress)} -> ${String(s.localAddress)}`),
    });
    for (const [source, destination] of [
      ['2001:DB8:0:0:0:0:0:1', '2001:db8:0:0:1:0:0:25'],
      ['::FFFF:192.0.2.1', '::ffff:c000:219'],
    ]) {
      const c = await client(port);
      c.socket.write(`PROXY TCP6 ${source} ${destination} 40000 25\r\n`);
      expect(await c.reply()).toMatch(/^220/);
      c.socket.destroy();
    }
    expect(seen).toEqual(['trusted? 2001:db8::1', '2001:db8::1 -> 2001:db8::1:0:0:25', 'trusted? ::ffff:192.0.2.1', '::ffff:192.0.2.1 -> ::ffff:192.0.2.25']);
  });

  it('SRV-7 isTrustedProxy: a peer it refuses gets 421 4.7.0 before its PROXY header is read; the claimed address reaches nothing', async () => {
    const seen: string[] = [];
    const warnings: unknown[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (fields: Record<string, unknown>, message: string) => void warnings.push([message, fields]), error: () => undefined };
    const port = await start({
      hostname: 'mx.example',
      proxyProtocol: true,
      isTrustedProxy: (a) => (seen.push(`proxy? ${String(a)}`), a === '127.0.0.2'),
      onConnect: (s) => void seen.push(`connect ${String(s.remoteAddress)}`),
      onClose: (s) => void seen.push(`close ${String(s.remoteAddress)}`),
      onError: (e) => void seen.push(`error ${String(e)}`),
      logger,
    });
    const from = async (localAddress: string): Promise<Client> => {
      const socket = connect({ port, host: '127.0.0.1', localAddress });
      await new Promise((r) => socket.once('connect', r));
      const c = new Client(socket);
      socket.write('PROXY TCP4 203.0.113.9 192.0.2.1 40000 25\r\n');
      return c;
    };
    const refused = await from('127.0.0.1');
    expect(await refused.reply()).toMatch(/^421 4\.7\.0 mx\.example /);
    expect(await refused.reply()).toBe('');
    expect(refused.closed).toBe(true);
    expect(warnings).toEqual([['connection refused', { remoteAddress: '127.0.0.1', reason: expect.stringMatching(/proxy/i) as unknown }]]);
    const allowed = await from('127.0.0.2');
    expect(await allowed.reply()).toMatch(/^220 mx\.example /);
    expect(await allowed.cmd('QUIT')).toMatch(/^221 /);
    expect(await allowed.reply()).toBe('');
    await vi.waitFor(() => expect(seen).toContain('close 203.0.113.9'));
    // asked about the socket's own address, never the one the header claims; the refused peer reached no hook
    expect(seen).toEqual(['proxy? 127.0.0.1', 'proxy? 127.0.0.2', 'connect 203.0.113.9', 'close 203.0.113.9']);
  });

  it('implicit TLS', async () => {
    const port = await start({ secure: true, tls: throwawayCertificate({ commonName: 'localhost', keyType: 'rsa-2048' }) });
    const socket = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false });
    await new Promise((r) => socket.once('secureConnect', r));
    const c = new Client(socket);
    expect(await c.reply()).toMatch(/^220/);
    const ehlo = await c.cmd('EHLO me');
    expect(ehlo).not.toContain('STARTTLS');
    expect(ehlo).toContain('REQUIRETLS');
    socket.destroy();
  });

  it('connections still in their TLS handshake or PROXY header count against maxConnections: idle ones cannot pile up', async () => {
    const tls = throwawayCertificate({ commonName: 'localhost' });
    for (const options of [{ secure: true, tls }, { proxyProtocol: true }] as const) {
      const port = await start({ maxConnections: 2, ...options });
      const silent: Socket[] = [];
      for (let i = 0; i < 2; i++) {
        const s = connect(port, '127.0.0.1');
        await new Promise((r) => s.once('connect', r));
        silent.push(s);
      }
      // the third is refused at once (implicit TLS: closed; PROXY: 421), not held for the handshake or header time
      const third = connect(port, '127.0.0.1');
      let got = '';
      third.on('data', (d: Buffer) => (got += d.toString('latin1')));
      third.on('error', () => undefined);
      await new Promise((r) => third.once('close', r));
      expect(got).toBe('secure' in options ? '' : '421 4.7.0 node.test Error: too many connections, try again later\r\n');
      // once one of them goes, a connection is admitted again (as soon as the server has seen it go)
      silent.shift()!.end();
      const greeting = async (): Promise<string> => {
        for (let attempt = 0; attempt < 200; attempt++) {
          const s = 'secure' in options ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false }) : connect(port, '127.0.0.1');
          s.on('error', () => undefined);
          if (!('secure' in options)) s.once('connect', () => s.write('PROXY TCP4 192.0.2.1 192.0.2.2 40000 25\r\n'));
          let text = '';
          s.on('data', (d: Buffer) => (text += d.toString('latin1')));
          await new Promise((r) => {
            s.once('close', r);
            s.on('data', () => text.includes('\r\n') && r(undefined));
          });
          s.destroy();
          if (text.startsWith('220')) return text;
          await new Promise((r) => setTimeout(r, 10));
        }
        return 'never admitted';
      };
      expect(await greeting()).toMatch(/^220 /);
      for (const s of silent) s.destroy();
    }
  });

  it('implicit TLS: a handshake holds its client address slot, so one host cannot take every place with handshakes it never finishes; timeouts.tlsHandshake bounds it', async () => {
    const tls = throwawayCertificate({ commonName: 'localhost' });
    const port = await start({ secure: true, tls, maxConnections: 100, maxConnectionsPerClient: 2 });
    const open = (localAddress: string): Promise<Socket> =>
      new Promise((resolve) => {
        const s = connect({ port, host: '127.0.0.1', localAddress });
        s.on('error', () => undefined);
        s.once('connect', () => resolve(s));
      });
    const closedAtOnce = async (s: Socket): Promise<boolean> => {
      const closed = new Promise<boolean>((r) => s.once('close', () => r(true)));
      return Promise.race([closed, new Promise<boolean>((r) => setTimeout(() => r(false), 2000))]);
    };
    const greeting = (localAddress: string): Promise<string> =>
      new Promise((resolve) => {
        const raw = connect({ port, host: '127.0.0.1', localAddress });
        raw.on('error', () => undefined);
        const s = tlsConnect({ socket: raw, rejectUnauthorized: false });
        s.on('error', () => resolve('error'));
        s.once('data', (d: Buffer) => {
          resolve(d.toString('latin1'));
          s.end('QUIT\r\n');
        });
      });
    const silent = [await open('127.0.0.1'), await open('127.0.0.1')];
    // the third from the same address is closed before any handshake
    expect(await closedAtOnce(await open('127.0.0.1'))).toBe(true);
    // another client is served meanwhile
    expect(await greeting('127.0.0.2')).toMatch(/^220 /);
    // a handshake that goes away gives its slot back
    silent.shift()!.destroy();
    let admitted = '';
    for (let i = 0; i < 100 && !admitted.startsWith('220'); i++) {
      admitted = await greeting('127.0.0.1');
      if (!admitted.startsWith('220')) await new Promise((r) => setTimeout(r, 20));
    }
    expect(admitted).toMatch(/^220 /);
    for (const s of silent) s.destroy();

    // timeouts.tlsHandshake bounds the handshake (before the session exists)
    const quick = await start({ secure: true, tls, timeouts: { tlsHandshake: 200 } });
    const idle = connect(quick, '127.0.0.1');
    idle.on('error', () => undefined);
    // closed by the 200 ms bound, well within the test's timeout (the default bound is 60 s)
    await new Promise((r) => idle.once('close', r));
    expect(idle.destroyed).toBe(true);
  });
});
