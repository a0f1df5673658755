// close() with a long grace: connections that have no transaction to finish are not waited for.
// A connection in its TLS handshake (implicit TLS, or after STARTTLS's 220) or still sending its
// PROXY header is dropped at once; a session between transactions gets its 421 at once and its
// socket is closed as soon as that reply is written, whether or not the client closes its side (a
// command line half received is answered first, as the core documents). A session in a transaction
// keeps its documented grace: it finishes, then gets the 421 and is closed as soon as it is written. The grace here is a minute and every test bounds itself at a few seconds, so
// a close() that settles did not wait for the grace (ordering, not timing).
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Socket } from 'node:net';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { throwawayCertificate } from '@smtpkit/testkit';
import type { ThrowawayCertificate } from '@smtpkit/testkit';
import { createServer } from './create-server.js';
import type { CreateServerOptions, SmtpServer } from './options.js';

const GRACE = 60_000;
/** The test's own bound on a close() that must not wait: far below GRACE. */
const BOUND = 4_000;

let tls: ThrowawayCertificate;
beforeAll(() => {
  tls = throwawayCertificate({ commonName: 'localhost' });
});

const servers: SmtpServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await s.close({ timeout: 100 });
});

/** The start of a TLS ClientHello record: a handshake that will never complete. */
const HALF_CLIENT_HELLO = Buffer.from('16030100c8010000c40303', 'hex');
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function start(options: CreateServerOptions): Promise<{ server: SmtpServer; port: number; closes: () => number }> {
  let closes = 0;
  const server = createServer({ hostname: 'close.test', ...options, onClose: () => closes++ });
  servers.push(server);
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port, closes: () => closes };
}

/** A raw client that never closes its side on its own (half-open, as a stuck or hostile peer). */
async function raw(port: number): Promise<{ socket: Socket; got: () => string; closed: Promise<void> }> {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  sockets.push(socket);
  socket.on('error', () => undefined);
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  // the server closed the connection: its FIN ('end'; this client keeps its own side open) or a reset
  const closed = new Promise<void>((r) => {
    socket.once('end', () => r());
    socket.once('close', () => r());
  });
  await new Promise((r) => socket.once('connect', r));
  return { socket, got: () => text, closed };
}

async function until(ok: () => boolean): Promise<void> {
  await vi.waitFor(() => expect(ok()).toBe(true), { timeout: BOUND });
}

/** close() with the long grace: whether it settled within the test's bound. */
async function settles(server: SmtpServer): Promise<boolean> {
  return Promise.race([server.close({ timeout: GRACE }).then(() => true), pause(BOUND).then(() => false)]);
}

/**
 * Records whether any 5 s timer the server arms (the close timer of a finished session, which gives
 * a client that does not close its side 5 s) fired: a close() that waited for it did not close at once.
 */
function watchCloseTimers(): { fired: () => number } {
  let fired = 0;
  const realSet = globalThis.setTimeout;
  vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, delay?: number, ...args: unknown[]) =>
    realSet(
      delay === 5000
        ? () => {
            fired++;
            fn();
          }
        : fn,
      delay,
      ...args,
    )) as typeof setTimeout);
  return { fired: () => fired };
}

describe('SRV-6 close() does not wait for connections without a transaction', () => {
  it('a client that stops after STARTTLS 220 (with or without half a ClientHello) is dropped at once', async () => {
    for (const hello of [false, true]) {
      const { server, port, closes } = await start({ tls });
      const c = await raw(port);
      await until(() => c.got().startsWith('220 '));
      c.socket.write('EHLO me.test\r\n');
      await until(() => /^250 /m.test(c.got()));
      c.socket.write('STARTTLS\r\n');
      await until(() => /^220 2\.0\.0/m.test(c.got()));
      if (hello) c.socket.write(HALF_CLIENT_HELLO);
      expect(await settles(server), `half ClientHello: ${String(hello)}`).toBe(true);
      await c.closed;
      expect(closes()).toBe(1);
    }
  });

  it("implicit TLS (security: 'implicit'), a handshake begun and never finished: dropped at once", async () => {
    const { server, port } = await start({ tls, security: 'implicit', timeouts: { tlsHandshake: GRACE } });
    const c = await raw(port);
    c.socket.write(HALF_CLIENT_HELLO);
    await pause(50);
    expect(await settles(server)).toBe(true);
    await c.closed;
  });

  it('a PROXY header never finished (alone, or before STARTTLS): dropped at once', async () => {
    const { server, port } = await start({ proxyProtocol: true, tls });
    const c = await raw(port);
    c.socket.write('PROXY TCP4 192.0.2.1 ');
    await pause(50);
    expect(await settles(server)).toBe(true);
    await c.closed;
    // the PROXY header done, then a STARTTLS handshake never finished
    const second = await start({ proxyProtocol: true, tls });
    const d = await raw(second.port);
    d.socket.write('PROXY TCP4 192.0.2.1 192.0.2.2 40000 25\r\n');
    await until(() => d.got().startsWith('220 '));
    d.socket.write('EHLO me.test\r\n');
    await until(() => /^250 /m.test(d.got()));
    d.socket.write('STARTTLS\r\n');
    await until(() => /^220 2\.0\.0/m.test(d.got()));
    expect(await settles(second.server)).toBe(true);
    await d.closed;
  });

  it('an idle session whose client never closes its side: 421 at once, the socket closed once it is written (the 5 s close timer never runs out)', async () => {
    const timers = watchCloseTimers();
    const { server, port, closes } = await start({});
    const c = await raw(port);
    await until(() => c.got().startsWith('220 '));
    c.socket.write('EHLO me.test\r\n');
    await until(() => /^250 /m.test(c.got()));
    expect(await settles(server)).toBe(true);
    expect(timers.fired()).toBe(0);
    await c.closed;
    expect(c.got()).toMatch(/\r\n421 4\.3\.2 close\.test Service shutting down, closing transmission channel\r\n$/);
    expect(closes()).toBe(1);
  });

  it('a command line half received when close() is called is answered, then 421 and the socket closed at once (the core\'s documented point)', async () => {
    const timers = watchCloseTimers();
    const { server, port } = await start({});
    const c = await raw(port);
    await until(() => c.got().startsWith('220 '));
    c.socket.write('EHLO me.test\r\n');
    await until(() => /^250 /m.test(c.got()));
    c.socket.write('NO');
    await pause(50);
    let settled = false;
    const closing = server.close({ timeout: GRACE }).then(() => (settled = true));
    await pause(100);
    expect([settled, c.got().includes('421')]).toEqual([false, false]);
    c.socket.write('OP\r\n');
    await c.closed;
    expect(c.got()).toMatch(/\r\n250 2\.0\.0 Ok\r\n421 4\.3\.2 /);
    await Promise.race([closing, pause(BOUND)]);
    expect(settled).toBe(true);
    expect(timers.fired()).toBe(0);
  });

  it('a session in a transaction keeps its grace: it finishes its message, then gets the 421', async () => {
    const stored: string[] = [];
    const { server, port } = await start({
      onData: async (_e, body) => {
        let text = '';
        for await (const chunk of body) text += (chunk as Buffer).toString('latin1');
        stored.push(text);
      },
    });
    const c = await raw(port);
    await until(() => c.got().startsWith('220 '));
    c.socket.write('EHLO me.test\r\n');
    await until(() => /^250 /m.test(c.got()));
    c.socket.write('MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n');
    await until(() => (c.got().match(/^250 /gm) ?? []).length === 3);
    let settled = false;
    const closing = server.close({ timeout: GRACE }).then(() => (settled = true));
    await pause(200);
    expect(settled).toBe(false); // the transaction is waited for
    expect(c.got()).not.toContain('421');
    c.socket.write('DATA\r\n');
    await until(() => /^354 /m.test(c.got()));
    c.socket.write('hello\r\n.\r\n');
    await until(() => /^421 /m.test(c.got()));
    expect(c.got()).toMatch(/\r\n250 [^\r]*\r\n421 4\.3\.2 /);
    await Promise.race([closing, pause(BOUND)]);
    expect(settled).toBe(true);
    expect(stored).toEqual(['hello\r\n']);
  });
});

describe('SRV-6 close(): a connection that arrives during the grace without a PROXY header or a TLS handshake done', () => {
  for (const [name, options] of [
    ['PROXY header', { proxyProtocol: true }],
    ['implicit TLS', { security: 'implicit', timeouts: { tlsHandshake: GRACE } }],
  ] as const) {
    it(`${name}: refused at once (421 before a PROXY header, closed before a TLS handshake), not waited for when the last session is done`, async () => {
      let answer: (() => void) | undefined;
      const { server, port } = await start({ tls, ...options, onMailFrom: () => new Promise<boolean>((r) => (answer = () => r(false))) });
      // a session deciding its MAIL keeps the grace: refused (no transaction) once the late connection is in
      let text = '';
      const busy =
        name === 'PROXY header'
          ? connect({ port, host: '127.0.0.1' }).once('connect', function (this: Socket) {
              this.write('PROXY TCP4 192.0.2.1 192.0.2.2 40000 25\r\n');
            })
          : tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false });
      sockets.push(busy);
      busy.on('error', () => undefined);
      busy.on('data', (d: Buffer) => (text += d.toString('latin1')));
      await until(() => text.startsWith('220 '));
      busy.write('EHLO me.test\r\n');
      await until(() => /^250 /m.test(text));
      busy.write('MAIL FROM:<a@b.example>\r\n');
      await until(() => answer !== undefined);
      let settled = false;
      const closing = server.close({ timeout: GRACE }).then(() => (settled = true));
      // the late one: it never sends its header or its ClientHello
      const late = await raw(port);
      await pause(100);
      answer!();
      await until(() => /^550 [^\r]*\r\n421 4\.3\.2 /m.test(text));
      await Promise.race([closing, pause(BOUND)]);
      expect(settled).toBe(true);
      await late.closed;
      expect(late.got()).toBe(name === 'PROXY header' ? '421 4.3.2 close.test Service shutting down\r\n' : '');
    });
  }
});
