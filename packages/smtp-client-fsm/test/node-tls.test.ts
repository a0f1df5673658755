import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import tls from 'node:tls';
import { throwawayCertificate } from '@smtpkit/testkit';
import { connect, sendMail } from '../src/node/index.js';
import { ScriptedServer, serveScriptedTls } from './scripted-server.js';

let key = '';
let cert = '';
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();

beforeAll(() => {
  ({ key, cert } = throwawayCertificate({ commonName: 'localhost' }));
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/**
 * A scripted server over a socket; with `starttls` it upgrades after its 220 to STARTTLS (with
 * `context`, its TLS: one the client cannot interoperate with, say).
 */
function serve(sock: net.Socket, s: ScriptedServer, starttls: boolean, seen: { tls: boolean[] }, context?: tls.SecureContext): void {
  sockets.add(sock);
  serveScriptedTls(sock, s, starttls ? (context ? { secureContext: context } : { key, cert }) : undefined, (secure) => seen.tls.push(secure));
}

async function listen(make: () => net.Server): Promise<number> {
  const srv = make();
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return (srv.address() as net.AddressInfo).port;
}

describe('smtp-client-fsm/node with TLS', () => {
  it('implicit TLS (port 465 style)', async () => {
    let last: ScriptedServer | undefined;
    const seen = { tls: [] as boolean[] };
    const port = await listen(() => tls.createServer({ key, cert }, (sock) => serve(sock, (last = new ScriptedServer({})), false, seen)));
    const r = await sendMail({ host: '127.0.0.1', port, security: 'implicit', tls: { rejectUnauthorized: false }, from: 'a@x', to: ['b@y'], body: 'over tls' });
    expect(r.outcome).toBe('delivered');
    expect(new TextDecoder().decode(last!.messages[0]!.content)).toBe('over tls\r\n');
  });

  it('STARTTLS: upgrade, EHLO again, AUTH only over TLS (TLS-6)', async () => {
    let last: ScriptedServer | undefined;
    const seen = { tls: [] as boolean[] };
    const port = await listen(() => net.createServer((sock) => serve(sock, (last = new ScriptedServer({ ehlo: ['STARTTLS'], ehloTls: ['PIPELINING', 'AUTH PLAIN'] })), true, seen)));
    const r = await sendMail({ host: '127.0.0.1', port, security: 'required', tls: { rejectUnauthorized: false }, auth: { user: 'u', pass: 'p' }, from: 'a@x', to: ['b@y'], body: 'x' });
    expect(r.outcome).toBe('delivered');
    expect(last!.commands.slice(0, 4)).toEqual(['EHLO localhost', 'STARTTLS', 'EHLO localhost', 'AUTH PLAIN AHUAcA==']);
    expect(seen.tls.slice(1).every(Boolean)).toBe(true);
  });

  it('refuses an untrusted certificate by default', async () => {
    const seen = { tls: [] as boolean[] };
    const port = await listen(() => tls.createServer({ key, cert }, (sock) => serve(sock, new ScriptedServer({}), false, seen)));
    await expect(sendMail({ host: '127.0.0.1', port, security: 'implicit', from: 'a@x', to: ['b@y'], body: 'x' })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_FAILED' });
  });

  it('STARTTLS with an untrusted certificate fails with the TLS cause, not a lost connection', async () => {
    const seen = { tls: [] as boolean[] };
    const port = await listen(() => net.createServer((sock) => serve(sock, new ScriptedServer({ ehlo: ['STARTTLS'], ehloTls: ['PIPELINING'] }), true, seen)));
    const failure = await sendMail({ host: '127.0.0.1', port, security: 'required', from: 'a@x', to: ['b@y'], body: 'x' }).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(failure?.code).toBe('ERR_SMTP_CLIENT_TLS_FAILED');
    expect(failure?.message).toMatch(/certificate/i);
  });

  it('opportunistic STARTTLS encrypts to a self-signed certificate and reports verified: false', async () => {
    let last: ScriptedServer | undefined;
    const seen = { tls: [] as boolean[] };
    const port = await listen(() => net.createServer((sock) => serve(sock, (last = new ScriptedServer({ ehlo: ['STARTTLS'], ehloTls: ['PIPELINING'] })), true, seen)));
    const client = await connect({ host: '127.0.0.1', port, security: 'opportunistic' });
    expect(client.tls).toMatchObject({ verified: false });
    expect(client.tls?.authorizationError).toMatch(/self.signed/i);
    const r = await client.send({ from: 'a@x.test', to: ['b@y.test'], body: 'x' });
    await client.quit();
    expect(r.outcome).toBe('delivered');
    expect(last!.commands.slice(0, 2)).toEqual(['EHLO localhost', 'STARTTLS']);
    expect(seen.tls.slice(1).every(Boolean)).toBe(true);
  });

  it('the default policy (no security option) is opportunistic: a self-signed MX still gets the mail', async () => {
    const seen = { tls: [] as boolean[] };
    const port = await listen(() => net.createServer((sock) => serve(sock, new ScriptedServer({ ehlo: ['STARTTLS'], ehloTls: ['PIPELINING'] }), true, seen)));
    const r = await sendMail({ host: '127.0.0.1', port, from: 'a@x.test', to: ['b@y.test'], body: 'x' });
    expect(r.outcome).toBe('delivered');
  });

  it('credentials are not sent over unverified opportunistic TLS unless allowUnverifiedAuth', async () => {
    const seen = { tls: [] as boolean[] };
    let last: ScriptedServer | undefined;
    const port = await listen(() => net.createServer((sock) => serve(sock, (last = new ScriptedServer({ ehlo: ['STARTTLS'], ehloTls: ['AUTH PLAIN'] })), true, seen)));
    await expect(connect({ host: '127.0.0.1', port, security: 'opportunistic', auth: { user: 'u', pass: 'p' } })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_INSECURE_AUTH' });
    expect(last!.commands.some((c) => c.startsWith('AUTH'))).toBe(false);
    const ok = await connect({ host: '127.0.0.1', port, security: 'opportunistic', auth: { user: 'u', pass: 'p' }, allowUnverifiedAuth: true });
    await ok.quit();
    expect(last!.commands).toContain('AUTH PLAIN AHUAcA==');
  });

  describe('plaintextFallback: a server whose TLS cannot interoperate (TLS 1.1 at most)', () => {
    /** A server offering STARTTLS whose handshake fails for a client at Node's defaults (TLS 1.2 at least). */
    const oldTls = async (): Promise<{ port: number; sessions: ScriptedServer[] }> => {
      const sessions: ScriptedServer[] = [];
      const context = tls.createSecureContext({ key, cert, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' });
      const port = await listen(() =>
        net.createServer((sock) => {
          const s = new ScriptedServer({ ehlo: ['STARTTLS', 'PIPELINING'] });
          sessions.push(s);
          serve(sock, s, true, { tls: [] }, context);
        }),
      );
      return { port, sessions };
    };

    it('connects again without STARTTLS and sends in plaintext; tlsFallback holds the handshake error', async () => {
      const { port, sessions } = await oldTls();
      const client = await connect({ host: '127.0.0.1', port, plaintextFallback: true });
      expect(client.tls).toBeUndefined();
      expect(client.tlsFallback).toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_FAILED' });
      const r = await client.send({ from: 'a@x.test', to: ['b@y.test'], body: 'in the clear' });
      await client.quit();
      expect(r.outcome).toBe('delivered');
      expect(sessions).toHaveLength(2);
      expect(sessions[0]!.commands).toEqual(['EHLO localhost', 'STARTTLS']);
      expect(sessions[1]!.commands.slice(0, 2)).toEqual(['EHLO localhost', 'MAIL FROM:<a@x.test>']);
      expect(new TextDecoder().decode(sessions[1]!.messages[0]!.content)).toBe('in the clear\r\n');
    });

    it('sendMail with the default opportunistic policy delivers with it, and fails without it', async () => {
      const { port, sessions } = await oldTls();
      await expect(sendMail({ host: '127.0.0.1', port, from: 'a@x.test', to: ['b@y.test'], body: 'x' })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_FAILED' });
      expect(sessions).toHaveLength(1);
      const r = await sendMail({ host: '127.0.0.1', port, plaintextFallback: true, from: 'a@x.test', to: ['b@y.test'], body: 'x' });
      expect(r.outcome).toBe('delivered');
      expect(sessions).toHaveLength(3);
    });

    it('never with credentials, nor with required TLS: the handshake failure stands (TLS-8)', async () => {
      const { port, sessions } = await oldTls();
      await expect(connect({ host: '127.0.0.1', port, security: 'opportunistic', auth: { user: 'u', pass: 'p' }, allowUnverifiedAuth: true, plaintextFallback: true })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_FAILED' });
      await expect(connect({ host: '127.0.0.1', port, security: 'required', tls: { rejectUnauthorized: false }, plaintextFallback: true })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_FAILED' });
      expect(sessions).toHaveLength(2);
      expect(sessions.every((s) => !s.commands.some((c) => c.startsWith('AUTH') || c.startsWith('MAIL')))).toBe(true);
    });

    it('a value that is not a boolean is refused', async () => {
      await expect(connect({ host: '127.0.0.1', port: 1, plaintextFallback: 'yes' as unknown as boolean })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_OPTION', message: expect.stringContaining('plaintextFallback') });
    });
  });

  it('required verifies the certificate for the server name: trusted CA and right name pass, wrong name fails', async () => {
    const seen = { tls: [] as boolean[] };
    const port = await listen(() => net.createServer((sock) => serve(sock, new ScriptedServer({ ehlo: ['STARTTLS'], ehloTls: ['PIPELINING'] }), true, seen)));
    const client = await connect({ host: '127.0.0.1', port, security: 'required', tls: { ca: cert, servername: 'localhost' } });
    expect(client.tls).toMatchObject({ verified: true });
    await client.quit();
    await expect(connect({ host: '127.0.0.1', port, security: 'required', tls: { ca: cert, servername: 'mx.example.org' } })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_FAILED' });
  });

  it('an internationalised server name is verified by its A-labels, as certificates name it (RFC 5890)', async () => {
    const { key: idnKey, cert: idnCert } = throwawayCertificate({ commonName: 'mx.xn--bcher-kva.example', dns: ['mx.xn--bcher-kva.example'] });
    const context = tls.createSecureContext({ key: idnKey, cert: idnCert });
    const seen = { tls: [] as boolean[] };
    const port = await listen(() => net.createServer((sock) => serve(sock, new ScriptedServer({ ehlo: ['STARTTLS'], ehloTls: ['PIPELINING'] }), true, seen, context)));
    for (const servername of ['mx.bücher.example', 'mx.xn--bcher-kva.example']) {
      const client = await connect({ host: '127.0.0.1', port, security: 'required', tls: { ca: idnCert, servername } });
      expect(client.tls, servername).toMatchObject({ verified: true });
      await client.quit();
    }
  });
});

describe('smtp-client-fsm/node: the certificate is checked for the host connected to (an IP address too)', () => {
  // A server's certificate names it by DNS name or by IP address (RFC 6125 §6.2.1, RFC 5280
  // §4.2.1.6). A TLS socket over an existing one checks `servername`, else the `host` it is given,
  // else `localhost`: without the host, a certificate for `localhost` passed for any IP address
  // and one naming the IP address failed.
  const onlyLocalhost = () => throwawayCertificate({ commonName: 'localhost', dns: ['localhost'] });
  const onlyIp = () => throwawayCertificate({ commonName: 'ip-only', ip: ['127.0.0.1'] });
  const starttlsServer = (c: { key: string; cert: string }) =>
    listen(() =>
      net.createServer((sock) => {
        const s = new ScriptedServer({ ehlo: ['STARTTLS'], ehloTls: ['PIPELINING'] });
        serve(sock, s, true, { tls: [] }, tls.createSecureContext(c));
      }),
    );
  const implicitServer = (c: { key: string; cert: string }) =>
    listen(() => tls.createServer(c, (sock) => serve(sock, new ScriptedServer({}), false, { tls: [] })));
  const tunnel = (port: number) => () => net.connect(port, '127.0.0.1');

  it.each([
    ['STARTTLS', 'required' as const, starttlsServer, false],
    ['STARTTLS over a connection factory', 'required' as const, starttlsServer, true],
    ['implicit TLS over a connection factory', 'implicit' as const, implicitServer, true],
  ])('%s: a certificate for localhost only is refused for 127.0.0.1; one naming 127.0.0.1 is accepted', async (_name, security, make, factory) => {
    const bad = onlyLocalhost();
    const badPort = await make(bad);
    const refused = connect({ host: '127.0.0.1', port: badPort, security, tls: { ca: bad.cert }, ...(factory ? { connection: tunnel(badPort) } : {}) });
    await expect(refused).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_FAILED' });
    await expect(refused).rejects.toThrow(/127\.0\.0\.1/);
    const good = onlyIp();
    const goodPort = await make(good);
    const client = await connect({ host: '127.0.0.1', port: goodPort, security, tls: { ca: good.cert }, ...(factory ? { connection: tunnel(goodPort) } : {}) });
    expect(client.tls?.verified).toBe(true);
    client.close();
  });

  it("a connection factory's own listeners on its stream stay through STARTTLS and the session", async () => {
    const good = onlyIp();
    const port = await starttlsServer(good);
    const heard: string[] = [];
    const connection = () => {
      const sock = net.connect(port, '127.0.0.1');
      sock.on('error', () => heard.push('error'));
      sock.on('close', () => heard.push('close'));
      return sock;
    };
    const client = await connect({ host: '127.0.0.1', port, security: 'required', tls: { ca: good.cert }, connection });
    expect(client.tls?.verified).toBe(true);
    client.close();
    for (let i = 0; i < 200 && !heard.includes('close'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(heard).toContain('close');
  });
});
