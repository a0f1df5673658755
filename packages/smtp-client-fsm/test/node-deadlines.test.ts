// Bounded in time, always (issue 16, defect 2): on a protocol error or a deadline the socket is
// destroyed (not half-closed) and every pending send settles. Hostile servers on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { connect, sendMail } from '../src/node/index.js';

type Behaviour = (sock: net.Socket, line: string, n: number) => void;

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** A server that never closes a connection itself; `closed` resolves when the client's socket goes away. */
async function hostile(greeting: string | undefined, onLine: Behaviour): Promise<{ port: number; closed: Promise<void>; sockets: net.Socket[] }> {
  const sockets: net.Socket[] = [];
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  const srv = net.createServer((sock) => {
    sockets.push(sock);
    sock.on('error', () => undefined);
    sock.on('close', () => resolveClosed());
    // Never end our side, and keep talking after the client's FIN: a client socket that was only
    // half-closed keeps reading (no close here, the test times out); a destroyed one resets.
    sock.on('end', () => {
      const t = setInterval(() => (sock.destroyed ? clearInterval(t) : sock.write('250-still here\r\n')), 10);
      sock.on('close', () => clearInterval(t));
    });
    sock.allowHalfOpen = true;
    if (greeting !== undefined) sock.write(greeting);
    let buf = '';
    let n = 0;
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i).replace(/\r$/, '');
        buf = buf.slice(i + 1);
        onLine(sock, line, n++);
      }
    });
  });
  srv.on('connection', (s) => (s.allowHalfOpen = true));
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as net.AddressInfo).port, closed, sockets };
}

const ehloThen = (after: Behaviour): Behaviour => (sock, line, n) => {
  if (line.startsWith('EHLO')) sock.write('250-mx\r\n250 PIPELINING\r\n');
  else after(sock, line, n);
};

describe('hostile servers', () => {
  it('an endless multi-line reply: protocol error, socket destroyed, send settles', async () => {
    const h = await hostile('220 mx\r\n', (sock, line) => {
      if (line.startsWith('EHLO')) for (let i = 0; i < 2000; i++) sock.write('250-more and more\r\n');
    });
    await expect(sendMail({ host: '127.0.0.1', port: h.port, security: 'off', from: 'a@x.test', to: ['b@y.test'], body: 'x' })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_PROTOCOL' });
    await h.closed;
  });

  it('a non-reply line after the greeting: protocol error and the socket is closed without waiting for the server', async () => {
    const h = await hostile('220 mx\r\n', (sock, line) => {
      if (line.startsWith('EHLO')) sock.write('hello there\r\n');
    });
    await expect(connect({ host: '127.0.0.1', port: h.port, security: 'off' })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_PROTOCOL' });
    await h.closed;
  });

  it('a non-reply line in the middle of a transaction settles the pending send', async () => {
    const h = await hostile('220 mx\r\n', ehloThen((sock, line) => {
      if (line.startsWith('MAIL')) sock.write('250 ok\r\n');
      if (line.startsWith('RCPT')) sock.write('<html>\r\n');
    }));
    const client = await connect({ host: '127.0.0.1', port: h.port, security: 'off' });
    const r = await client.send({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
    expect(r).toMatchObject({ outcome: 'deferred', errorCode: 'ERR_SMTP_CLIENT_PROTOCOL', deferred: ['b@y.test'] });
    await h.closed;
    expect(client.closed).toBe(true);
  });

  it('a silent greeting hits connectTimeout, which covers the whole connect', async () => {
    const h = await hostile(undefined, () => undefined);
    await expect(connect({ host: '127.0.0.1', port: h.port, security: 'off', connectTimeout: 300 })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TIMEOUT' });
    await h.closed;
  });

  it('no reply after the final dot: messageTimeout settles the send as unknown (never transient) and destroys the socket', async () => {
    const h = await hostile('220 mx\r\n', ehloThen((sock, line) => {
      if (line.startsWith('MAIL') || line.startsWith('RCPT')) sock.write('250 ok\r\n');
      if (line === 'DATA') sock.write('354 go\r\n');
    }));
    const client = await connect({ host: '127.0.0.1', port: h.port, security: 'off', messageTimeout: 300 });
    const r = await client.send({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
    expect(r).toMatchObject({ outcome: 'unknown', transient: false, unknown: ['b@y.test'], errorCode: 'ERR_SMTP_CLIENT_TIMEOUT' });
    expect(r.reply).toBeUndefined();
    await h.closed;
  });

  it('a reply that drips forever within the line limits ends at the reply timeout', async () => {
    const h = await hostile('220 mx\r\n', (sock, line) => {
      if (!line.startsWith('EHLO')) return;
      const t = setInterval(() => (sock.destroyed ? clearInterval(t) : sock.write('250-still going\r\n')), 20);
      sock.on('close', () => clearInterval(t));
    });
    await expect(connect({ host: '127.0.0.1', port: h.port, security: 'off', timeouts: { ehlo: 300 } })).rejects.toMatchObject({ code: expect.stringMatching(/ERR_SMTP_CLIENT_(TIMEOUT|PROTOCOL)/) });
    await h.closed;
  });

  it('bad options are typed errors naming the option, before any connection', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ port: 25 }, /^host/],
      [{ host: '127.0.0.1', security: 'tls' }, /^security/],
      [{ host: '127.0.0.1', port: 70000 }, /^port/],
      [{ host: '127.0.0.1', connectTimeout: -1 }, /^connectTimeout/],
      // a list is no options object, and no tls.connect options (spread as nothing: the defaults)
      [[] as never, /^options: /],
      [['127.0.0.1', 25] as never, /^options: /],
      [{ host: '127.0.0.1', port: 1, tls: [] }, /^tls: /],
      [{ host: '127.0.0.1', port: 1, tls: [{ rejectUnauthorized: false }] }, /^tls: /],
    ];
    for (const [o, msg] of cases) {
      await expect(connect(o as never)).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_OPTION', message: expect.stringMatching(msg) });
    }
  });

  it('body: 42 is a typed error, not a lost connection', async () => {
    const h = await hostile('220 mx\r\n', ehloThen((sock, line) => {
      if (line === 'QUIT') sock.end('221 bye\r\n');
    }));
    const client = await connect({ host: '127.0.0.1', port: h.port, security: 'off' });
    await expect(client.send({ from: 'a@x.test', to: ['b@y.test'], body: 42 as never })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_PARAMETER', message: expect.stringMatching(/^body/) });
    await expect(client.send({ from: 'a@b@c', to: ['b@y.test'], body: 'x' })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_ADDRESS' });
    await client.quit();
  });
  it('sendMail: a server that never answers QUIT delays the known result by the QUIT grace (2 s) at most, then the connection is closed', async () => {
    const h = await hostile('220 mx\r\n', ehloThen((sock, line) => {
      if (line.startsWith('MAIL') || line.startsWith('RCPT')) sock.write('250 ok\r\n');
      else if (line === 'DATA') sock.write('354 go\r\n');
      else if (line === '.') sock.write('250 queued\r\n');
      // QUIT: no answer, the socket stays open
    }));
    const t0 = Date.now();
    const r = await sendMail({ host: '127.0.0.1', port: h.port, security: 'off', from: 'a@x.test', to: ['b@y.test'], body: 'hello\r\n' });
    expect(r.outcome).toBe('delivered');
    expect(Date.now() - t0).toBeLessThan(4000);
    await h.closed;
    // a shorter quit timeout bounds it further
    const t1 = Date.now();
    const h2 = await hostile('220 mx\r\n', ehloThen((sock, line) => {
      if (line.startsWith('MAIL') || line.startsWith('RCPT')) sock.write('250 ok\r\n');
      else if (line === 'DATA') sock.write('354 go\r\n');
      else if (line === '.') sock.write('250 queued\r\n');
    }));
    expect((await sendMail({ host: '127.0.0.1', port: h2.port, security: 'off', timeouts: { quit: 200 }, from: 'a@x.test', to: ['b@y.test'], body: 'x\r\n' })).outcome).toBe('delivered');
    expect(Date.now() - t1).toBeLessThan(1500);
    await h2.closed;
  });

  it('a 554 greeting from a server that never answers QUIT: connect and sendMail reject with the greeting at once, not a timeout; the QUIT is bounded by connectTimeout', async () => {
    const quits: number[] = [];
    const h = await hostile('554 5.7.1 no service for you\r\n', (_sock, line) => {
      if (line === 'QUIT') quits.push(Date.now());
    });
    const refused = { code: 'ERR_SMTP_CLIENT_GREETING_REJECTED', reply: { code: 554 } };
    const t0 = Date.now();
    await expect(connect({ host: '127.0.0.1', port: h.port, security: 'off', connectTimeout: 1500 })).rejects.toMatchObject(refused);
    await expect(sendMail({ host: '127.0.0.1', port: h.port, security: 'off', connectTimeout: 1500, from: 'a@x.test', to: ['b@y.test'], body: 'x' })).rejects.toMatchObject(refused);
    expect(Date.now() - t0).toBeLessThan(1000);
    // the courtesy QUIT went out, and its socket is gone by the connect deadline
    await h.closed;
    expect(quits.length).toBeGreaterThan(0);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});
