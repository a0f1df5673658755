import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { connect, createPool, sendMail } from './index.js';
import { resolveMx } from './mx.js';
import { xclientState } from 'smtp-client-fsm';
import type { ClientConnection } from 'smtp-client-fsm';
import { ScriptedServer, listenScripted } from '../../test/scripted-server.js';
import type { ScriptedListener } from '../../test/scripted-server.js';
import type { Script } from '../../test/scripted-server.js';

let script: Script = {};
let last: ScriptedServer | undefined;
let listener: ScriptedListener;
let port = 0;

beforeAll(async () => {
  listener = await listenScripted(() => {
    const s = new ScriptedServer(script);
    last = s;
    return s;
  });
  port = listener.port;
});
afterAll(() => listener.close());

const dec = new TextDecoder();

describe('smtp-client-fsm/node over loopback', () => {
  it('sendMail delivers a string body with per-recipient results and a transcript', async () => {
    script = { rcpt: (a) => (a.startsWith('bad') ? '550 5.1.1 no such user' : '250 ok') };
    const lines: string[] = [];
    const r = await sendMail({
      host: '127.0.0.1', port, security: 'off',
      from: 'a@example.com', to: ['b@example.org', 'bad@example.org'],
      body: 'Subject: t\r\n\r\nhello\n.dot\r\n',
      transcript: (e) => lines.push(`${e.direction === 'client' ? 'C' : 'S'}: ${e.line}`),
    });
    expect(r.outcome).toBe('partial');
    expect(r.accepted).toEqual(['b@example.org']);
    expect(r.recipients[1]).toMatchObject({ status: 'rejected', permanent: true, classification: { id: 10 } });
    expect(dec.decode(last!.messages[0]!.content)).toBe('Subject: t\r\n\r\nhello\r\n.dot\r\n');
    expect(lines[0]).toMatch(/^S: 220/);
    expect(lines).toContain('C: QUIT');
  });

  it('connect sends many messages over one connection, streamed from a Node stream and a web ReadableStream', async () => {
    script = {};
    const client = await connect({ host: '127.0.0.1', port, security: 'off' });
    const big = 'x'.repeat(70) + '\r\n';
    const r1 = await client.send({ from: 'a@x.test', to: ['c@y.test'], body: Readable.from([big.repeat(1000), big.repeat(1000)]) });
    const web = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(new TextEncoder().encode('line1\n')); c.enqueue(new TextEncoder().encode('line2')); c.close(); } });
    const r2 = await client.send({ from: 'a@x.test', to: ['d@y.test'], body: web });
    const r3 = await client.send({ from: 'a@x.test', to: ['e@y.test'], body: new TextEncoder().encode('bytes') });
    await client.quit();
    expect([r1.outcome, r2.outcome, r3.outcome]).toEqual(['delivered', 'delivered', 'delivered']);
    expect(last!.messages.map((g) => g.content.length)).toEqual([big.length * 2000, 14, 7]);
    expect(dec.decode(last!.messages[1]!.content)).toBe('line1\r\nline2\r\n');
    expect(client.closed).toBe(true);
  });

  it('a streamed body goes with BODY=8BITMIME when the server offers it, unless bodyType says 7bit', async () => {
    script = { ehlo: ['PIPELINING', '8BITMIME'] };
    const stream = () => Readable.from(['Subject: caf\u00e9\r\n\r\n', 'd\u00e9j\u00e0 vu\r\n']);
    const r1 = await sendMail({ host: '127.0.0.1', port, security: 'off', from: 'a@x.test', to: ['b@y.test'], body: stream() });
    expect(r1.outcome).toBe('delivered');
    expect(last!.messages[0]!.mailLine).toBe('MAIL FROM:<a@x.test> BODY=8BITMIME');
    expect(dec.decode(last!.messages[0]!.content)).toBe('Subject: caf\u00e9\r\n\r\nd\u00e9j\u00e0 vu\r\n');
    const r2 = await sendMail({ host: '127.0.0.1', port, security: 'off', from: 'a@x.test', to: ['b@y.test'], bodyType: '7bit', body: Readable.from(['Subject: s\r\n\r\nplain\r\n']) });
    expect(r2.outcome).toBe('delivered');
    expect(last!.messages[0]!.mailLine).toBe('MAIL FROM:<a@x.test>');
  });

  it('text bodies: a surrogate pair cut by a large chunk or by a stream arrives whole; a lone surrogate is a typed error, never U+FFFD', async () => {
    script = {};
    const client = await connect({ host: '127.0.0.1', port, security: 'off', allowLongLines: true });
    // 280,015 UTF-16 units: whole, and streamed as one chunk the adapter cuts at 262,144 units, inside a pair (the pairs start at an odd index)
    const emoji = '\u{1f600}'.repeat(140_000);
    const r0 = await client.send({ from: 'a@x.test', to: ['c@y.test'], body: `Subject: s\r\n\r\nx${emoji}\r\n` });
    const r1 = await client.send({ from: 'a@x.test', to: ['c@y.test'], body: Readable.from([`Subject: s\r\n\r\nx${emoji}\r\n`]) });
    const r2 = await client.send({ from: 'a@x.test', to: ['d@y.test'], body: Readable.from(['Subject: s\r\n\r\nsmile \ud83d', '\ude00\r\n']) });
    await expect(client.send({ from: 'a@x.test', to: ['e@y.test'], body: 'Subject: s\r\n\r\n\ud800\r\n' })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' });
    expect([r0.outcome, r1.outcome, r2.outcome]).toEqual(['delivered', 'delivered', 'delivered']);
    expect(dec.decode(last!.messages[0]!.content)).toBe(`Subject: s\r\n\r\nx${emoji}\r\n`);
    expect(dec.decode(last!.messages[1]!.content)).toBe(`Subject: s\r\n\r\nx${emoji}\r\n`);
    expect(dec.decode(last!.messages[2]!.content)).toBe('Subject: s\r\n\r\nsmile \u{1f600}\r\n');
    // a lone surrogate inside a streamed body: the message fails for good with the typed error
    const r3 = await client.send({ from: 'a@x.test', to: ['f@y.test'], body: Readable.from(['Subject: s\r\n\r\n', 'bad \udc00\r\n']) });
    expect(r3).toMatchObject({ outcome: 'failed', transient: false, accepted: [], errorCode: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' });
    // the same in a chunk large enough for the adapter to cut (on a new connection: a body that
    // cannot be completed ends its session)
    expect(client.closed).toBe(true);
    const again = await connect({ host: '127.0.0.1', port, security: 'off', allowLongLines: true });
    const r4 = await again.send({ from: 'a@x.test', to: ['g@y.test'], body: Readable.from([`Subject: s\r\n\r\n${'a'.repeat(300_000)}\udc00\r\n`]) });
    expect(r4).toMatchObject({ outcome: 'failed', transient: false, accepted: [], errorCode: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' });
    expect(last!.messages).toHaveLength(0);
    await again.quit().catch(() => undefined);
  });

  it('a final dot still in the socket when the data-block timer fires (the server stopped reading) is deferred, not unknown: it never left the process', async () => {
    const { createServer } = await import('node:net');
    const stalled = createServer((s) => {
      s.on('error', () => undefined);
      s.write('220 stalled.test\r\n');
      let text = '';
      s.on('data', (d: Buffer) => {
        text += d.toString('latin1');
        for (let i = text.indexOf('\r\n'); i >= 0; i = text.indexOf('\r\n')) {
          const line = text.slice(0, i);
          text = text.slice(i + 2);
          if (line.startsWith('EHLO')) s.write('250-stalled.test\r\n250 PIPELINING\r\n');
          else if (line === 'DATA') {
            s.write('354 go on\r\n');
            s.pause(); // reads no more: the body fills the socket buffers
            return;
          } else s.write('250 ok\r\n');
        }
      });
    });
    await new Promise<void>((r) => stalled.listen(0, '127.0.0.1', r));
    const stalledPort = (stalled.address() as { port: number }).port;
    try {
      const body = new TextEncoder().encode('x'.repeat(98) + '\r\n').slice(); // 100 octets
      const big = new Uint8Array(32 * 1024 * 1024);
      for (let o = 0; o < big.length; o += body.length) big.set(body.subarray(0, Math.min(body.length, big.length - o)), o);
      big.set([13, 10], big.length - 2);
      // no write completes for dataBlock: the body is stuck before its dot (dataDone never starts)
      const client = await connect({ host: '127.0.0.1', port: stalledPort, security: 'off', timeouts: { dataBlock: 100 } });
      const r = await client.send({ from: 'a@x.test', to: ['b@y.test'], body: big });
      expect(r).toMatchObject({ outcome: 'deferred', transient: true, deferred: ['b@y.test'], unknown: [], errorCode: 'ERR_SMTP_CLIENT_TIMEOUT' });
      expect(r.recipients[0]).toMatchObject({ status: 'deferred', transient: true });
    } finally {
      stalled.close();
    }
  });

  it('a body uploaded more slowly than dataDone is delivered: the wait for the reply to the final dot starts once the dot is written (RFC 5321 §4.5.3.2.6)', async () => {
    const { createServer } = await import('node:net');
    let received = 0;
    const slow = createServer((s) => {
      s.on('error', () => undefined);
      s.write('220 slow.test\r\n');
      let text = '';
      let inData = false;
      s.on('data', (d: Buffer) => {
        if (inData) {
          received += d.length;
          // the end of data: the last five octets received, whatever the chunking
          text = (text + d.toString('latin1')).slice(-5);
          if (text === '\r\n.\r\n') {
            inData = false;
            text = '';
            s.write('250 2.0.0 queued\r\n');
          }
          return;
        }
        text += d.toString('latin1');
        for (let i = text.indexOf('\r\n'); i >= 0 && !inData; i = text.indexOf('\r\n')) {
          const line = text.slice(0, i);
          text = text.slice(i + 2);
          if (line.startsWith('EHLO')) s.write('250-slow.test\r\n250 PIPELINING\r\n');
          else if (line === 'QUIT') s.end('221 bye\r\n');
          else if (line === 'DATA') {
            inData = true;
            s.write('354 go on\r\n');
            // a slow link: nothing read for a while, the body waits in the socket buffers
            s.pause();
            setTimeout(() => s.resume(), 1_500);
          } else s.write('250 ok\r\n');
        }
        if (inData && text.length > 0) {
          received += text.length;
          text = text.slice(-5);
        }
      });
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    try {
      const line = new TextEncoder().encode('x'.repeat(98) + '\r\n'); // 100 octets
      const big = new Uint8Array(32 * 1024 * 1024);
      for (let o = 0; o < big.length; o += line.length) big.set(line.subarray(0, Math.min(line.length, big.length - o)), o);
      big.set([13, 10], big.length - 2);
      // dataDone far shorter than the upload: armed when the body was queued, it fired mid-upload
      const r = await sendMail({ host: '127.0.0.1', port: (slow.address() as { port: number }).port, security: 'off', timeouts: { dataDone: 500 }, from: 'a@x.test', to: ['b@y.test'], body: big });
      expect(r).toMatchObject({ outcome: 'delivered', accepted: ['b@y.test'] });
      expect(received).toBe(big.length + 3);
    } finally {
      slow.close();
    }
  });

  it('a body line over 998 octets: send() rejects a whole body, a streamed one fails for good; nothing reaches the server', async () => {
    script = {};
    const long = `Subject: s\r\n\r\n${'x'.repeat(2000)}\r\n`;
    const client = await connect({ host: '127.0.0.1', port, security: 'off' });
    await expect(client.send({ from: 'a@x.test', to: ['b@y.test'], body: long })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_LINE_TOO_LONG' });
    const r = await client.send({ from: 'a@x.test', to: ['b@y.test'], body: Readable.from(['Subject: s\r\n\r\n', 'x'.repeat(2000), '\r\n']) });
    expect(r).toMatchObject({ outcome: 'failed', transient: false, rejected: ['b@y.test'], errorCode: 'ERR_SMTP_CLIENT_LINE_TOO_LONG' });
    expect(last!.messages).toHaveLength(0);
    await client.quit();
    const ok = await sendMail({ host: '127.0.0.1', port, security: 'off', allowLongLines: true, from: 'a@x.test', to: ['b@y.test'], body: long });
    expect(ok.outcome).toBe('delivered');
    expect(dec.decode(last!.messages[0]!.content)).toBe(long);
  });

  it('a body source that yields something other than text or bytes fails its message for good (a retry yields the same)', async () => {
    script = {};
    const client = await connect({ host: '127.0.0.1', port, security: 'off' });
    const r = await client.send({ from: 'a@x.test', to: ['b@y.test'], body: Readable.from(['Subject: s\r\n\r\n', 5]) as never });
    expect(r).toMatchObject({ outcome: 'failed', transient: false, errorCode: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' });
    expect(last!.messages).toHaveLength(0);
    expect(client.closed).toBe(true);
  });

  it('credentials refused: connect rejects with ERR_SMTP_CLIENT_AUTH_FAILED carrying the reply (535 is permanent, 454 is not)', async () => {
    for (const refusal of ['535 5.7.8 authentication credentials invalid', '454 4.7.0 temporary authentication failure']) {
      script = { ehlo: ['AUTH PLAIN'], auth: () => refusal };
      const e: unknown = await connect({ host: '127.0.0.1', port, security: 'off', allowInsecureAuth: true, auth: { user: 'u', pass: 'p' } }).then(() => undefined, (x: unknown) => x);
      expect(e).toMatchObject({ code: 'ERR_SMTP_CLIENT_AUTH_FAILED', reply: { code: Number(refusal.slice(0, 3)), text: refusal.slice(10) } });
    }
  });

  it('TLS-8: connect rejects with a typed error when required STARTTLS is missing', async () => {
    script = {};
    await expect(connect({ host: '127.0.0.1', port, security: 'required' })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_REQUIRED' });
  });

  it('a required XCLIENT the server does not offer: connect rejects with ERR_SMTP_CLIENT_XCLIENT_UNAVAILABLE, no MAIL is sent', async () => {
    script = { ehlo: ['PIPELINING'] };
    const setup = (c: ClientConnection): void => {
      c.registerState(xclientState({ ADDR: '192.0.2.1' }, { required: true }), { after: 'starttls' });
    };
    await expect(connect({ host: '127.0.0.1', port, security: 'off', setup })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_XCLIENT_UNAVAILABLE', kind: 'remote' });
    expect(last!.commands.some((c) => c.startsWith('MAIL') || c.startsWith('XCLIENT'))).toBe(false);
    // refused with a 5xx: sendMail and a pool's send reject with the reply (for the caller to retry:
    // legacy XCLIENT = "required" fails transiently), nothing is sent
    script = { ehlo: ['PIPELINING', 'XCLIENT ADDR'], xclient: '550 5.7.0 not authorized' };
    const refused = { code: 'ERR_SMTP_CLIENT_PROTOCOL', kind: 'remote', reply: { code: 550 } };
    await expect(sendMail({ host: '127.0.0.1', port, security: 'off', setup, from: 'a@x', to: ['b@y'], body: 'x' })).rejects.toMatchObject(refused);
    expect(last!.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
    const pool = createPool({ host: '127.0.0.1', port, security: 'off', setup });
    await expect(pool.send({ from: 'a@x', to: ['b@y'], body: 'x' })).rejects.toMatchObject(refused);
    await pool.close();
    expect(last!.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
  });

  it.each([
    ['421 4.7.0 mx.test Error: too many connections from 127.0.0.1', 421],
    ['554 5.7.1 mx.test: your address is blocked', 554],
  ])('a refused session (%s) rejects connect with the reply, typed', async (greeting, code) => {
    script = { greeting };
    const refused = { code: 'ERR_SMTP_CLIENT_GREETING_REJECTED', reply: { code } };
    await expect(connect({ host: '127.0.0.1', port, security: 'off' })).rejects.toMatchObject(refused);
    await expect(sendMail({ host: '127.0.0.1', port, security: 'off', from: 'a@x', to: ['b@y'], body: 'x' })).rejects.toMatchObject(refused);
  });

  it('a 421 during RCPT resolves the message as transient failure', async () => {
    script = { fail421On: 'RCPT' };
    const r = await sendMail({ host: '127.0.0.1', port, security: 'off', from: 'a@x', to: ['b@y'], body: 'x' });
    expect(r).toMatchObject({ outcome: 'deferred', transient: true });
  });

  it('resolveMx sorts by preference, falls back to the domain itself, refuses null MX', async () => {
    const fake = (mx: { exchange: string; priority: number }[] | Error) => ({
      resolveMx: () => (mx instanceof Error ? Promise.reject(mx) : Promise.resolve(mx)),
      lookup: () => Promise.resolve({ address: '192.0.2.1', family: 4 }),
    }) as unknown as Parameters<typeof resolveMx>[1];
    expect(await resolveMx('x.test', fake([{ exchange: 'b', priority: 20 }, { exchange: 'a', priority: 10 }]))).toEqual([
      { exchange: 'a', priority: 10, implicit: false }, { exchange: 'b', priority: 20, implicit: false },
    ]);
    expect(await resolveMx('x.test', fake(Object.assign(new Error('no'), { code: 'ENODATA' })))).toEqual([{ exchange: 'x.test', priority: 0, implicit: true }]);
    await expect(resolveMx('x.test', fake([{ exchange: '', priority: 0 }]))).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_ADDRESS' });
  });

  it('resolveMx: the implicit MX of an internationalised domain is its A-label form, looked up as such', async () => {
    const looked: string[] = [];
    const resolver = {
      resolveMx: () => Promise.reject(Object.assign(new Error('no'), { code: 'ENODATA' })),
      lookup: (host: string) => {
        looked.push(host);
        return Promise.resolve({ address: '192.0.2.1', family: 4 });
      },
    } as unknown as Parameters<typeof resolveMx>[1];
    expect(await resolveMx('bücher.example', resolver)).toEqual([{ exchange: 'xn--bcher-kva.example', priority: 0, implicit: true }]);
    expect(looked).toEqual(['xn--bcher-kva.example']);
  });
});
