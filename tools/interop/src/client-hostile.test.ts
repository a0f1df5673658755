// Hostile servers against smtp-client-fsm/node on loopback (issue 16): hangs and reply smuggling.
// Each case must settle within its deadline (the per-test timeout is the bound), the client socket
// must be gone (the server sees it close even though it never closes itself), and nothing may be
// reported delivered that the server did not acknowledge in order.
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { connect, sendMail } from 'smtp-client-fsm/node';
import { crlfLines } from '@smtpkit/testkit';

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

interface Hostile {
  readonly port: number;
  /** Resolves when the client's socket is gone. */
  readonly gone: Promise<void>;
  /** Every line the server received. */
  readonly lines: string[];
}

/** A server that never ends a connection itself and keeps writing after the client's FIN. */
async function hostile(greeting: string | undefined, onLine: (s: net.Socket, line: string) => void): Promise<Hostile> {
  const lines: string[] = [];
  let gone: () => void = () => undefined;
  const done = new Promise<void>((r) => (gone = r));
  const srv = net.createServer({ allowHalfOpen: true }, (sock) => {
    sock.on('error', () => undefined);
    sock.on('close', () => gone());
    sock.on('end', () => {
      const t = setInterval(() => (sock.destroyed ? clearInterval(t) : sock.write('250-keep talking\r\n')), 10);
      sock.on('close', () => clearInterval(t));
    });
    if (greeting !== undefined) sock.write(greeting);
    sock.setEncoding('latin1');
    sock.on(
      'data',
      crlfLines((line) => {
        lines.push(line);
        onLine(sock, line);
      }),
    );
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as net.AddressInfo).port, gone: done, lines };
}

const MSG = { from: 'a@client.test', to: ['b@srv.test'], body: 'Subject: x\r\n\r\nhello\r\n' };

describe('hostile servers (deadline: the test timeout)', () => {
  it('hang: silent after the greeting; the ehlo timer ends it', { timeout: 5000 }, async () => {
    const h = await hostile('220 mx\r\n', () => undefined);
    await expect(connect({ host: '127.0.0.1', port: h.port, security: 'off', timeouts: { ehlo: 500 } })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TIMEOUT' });
    await h.gone;
  });

  it('hang: an endless multi-line EHLO reply is cut by the reply limits', { timeout: 5000 }, async () => {
    const h = await hostile('220 mx\r\n', (s, line) => {
      if (line.startsWith('EHLO')) s.write('250-x\r\n'.repeat(5000));
    });
    await expect(sendMail({ host: '127.0.0.1', port: h.port, security: 'off', ...MSG })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_PROTOCOL' });
    await h.gone;
  });

  it('smuggling: replies sent ahead for commands not yet sent (no PIPELINING) are refused, no body goes out', { timeout: 5000 }, async () => {
    const h = await hostile('220 mx\r\n', (s, line) => {
      if (line.startsWith('EHLO')) s.write('250 mx\r\n');
      // Answers MAIL, and in the same flight RCPT and DATA the client has not sent yet.
      if (line.startsWith('MAIL')) s.write('250 ok\r\n250 ok\r\n354 go ahead\r\n');
    });
    const client = await connect({ host: '127.0.0.1', port: h.port, security: 'off' });
    const r = await client.send(MSG);
    expect(r).toMatchObject({ outcome: 'deferred', errorCode: 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY' });
    expect(h.lines.some((l) => l.startsWith('Subject'))).toBe(false);
    await h.gone;
  });

  it('smuggling: a second final reply after the dot is not taken as the next message\'s answer', { timeout: 5000 }, async () => {
    const h = await hostile('220 mx\r\n', (s, line) => {
      if (line.startsWith('EHLO')) s.write('250-mx\r\n250 PIPELINING\r\n');
      else if (line.startsWith('MAIL') || line.startsWith('RCPT')) s.write('250 ok\r\n');
      else if (line === 'DATA') s.write('354 go\r\n');
      else if (line === '.') s.write('250 queued\r\n250 queued too\r\n');
    });
    const client = await connect({ host: '127.0.0.1', port: h.port, security: 'off' });
    const first = await client.send(MSG);
    expect(first.outcome).toBe('delivered');
    // The surplus reply ended the session before a second message could start: send() rejects with
    // the cause, and no second MAIL ever went out.
    await h.gone;
    await expect(client.send(MSG)).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY' });
    expect(h.lines.filter((l) => l.startsWith('MAIL'))).toHaveLength(1);
    await h.gone;
  });

  it('smuggling: bytes after the 220 to STARTTLS end the session before TLS', { timeout: 5000 }, async () => {
    const h = await hostile('220 mx\r\n', (s, line) => {
      if (line.startsWith('EHLO')) s.write('250-mx\r\n250 STARTTLS\r\n');
      if (line === 'STARTTLS') s.write('220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n');
    });
    await expect(connect({ host: '127.0.0.1', port: h.port, security: 'required' })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_STARTTLS_INJECTION' });
    await h.gone;
  });

  it('hang: no reply after the final dot; messageTimeout gives unknown, never resent', { timeout: 5000 }, async () => {
    const h = await hostile('220 mx\r\n', (s, line) => {
      if (line.startsWith('EHLO')) s.write('250-mx\r\n250 PIPELINING\r\n');
      else if (line.startsWith('MAIL') || line.startsWith('RCPT')) s.write('250 ok\r\n');
      else if (line === 'DATA') s.write('354 go\r\n');
    });
    const client = await connect({ host: '127.0.0.1', port: h.port, security: 'off', messageTimeout: 500 });
    const r = await client.send(MSG);
    expect(r).toMatchObject({ outcome: 'unknown', transient: false, unknown: ['b@srv.test'] });
    expect(h.lines.filter((l) => l === '.')).toHaveLength(1);
    await h.gone;
  });
});
