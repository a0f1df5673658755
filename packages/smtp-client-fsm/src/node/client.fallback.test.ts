// plaintextFallback is for a server whose TLS cannot interoperate, never for a certificate that
// failed the verification the caller asked for (that would send in clear to the host it distrusts).
import { afterAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import tls from 'node:tls';
import { throwawayCertificate } from '@smtpkit/testkit';
import { connect, createPool, deliver, sendMail } from './index.js';
import { ScriptedServer, serveScriptedTls } from '../../test/scripted-server.js';

const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** A loopback server offering STARTTLS with `context`; every session it had, in order. */
async function starttlsServer(context: tls.SecureContext): Promise<{ port: number; sessions: ScriptedServer[] }> {
  const sessions: ScriptedServer[] = [];
  const server = net.createServer((sock) => {
    sockets.add(sock);
    const s = new ScriptedServer({ ehlo: ['STARTTLS', 'PIPELINING'], ehloTls: ['PIPELINING'] });
    sessions.push(s);
    serveScriptedTls(sock, s, { secureContext: context });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, sessions };
}

const localhost = (): { key: string; cert: string } => throwawayCertificate({ commonName: 'localhost', dns: ['localhost'] });
/** A self-signed certificate no client trusts by default. */
const untrusted = (): Promise<{ port: number; sessions: ScriptedServer[] }> => starttlsServer(tls.createSecureContext(localhost()));
/** TLS 1.1 at most: no handshake with a client at Node's defaults (TLS 1.2 at least). */
const oldTls = (): Promise<{ port: number; sessions: ScriptedServer[] }> => starttlsServer(tls.createSecureContext({ ...localhost(), minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }));

const base = { host: '127.0.0.1', security: 'opportunistic', plaintextFallback: true, connectTimeout: 5000 } as const;
const noMail = (sessions: ScriptedServer[]): boolean => sessions.every((s) => !s.commands.some((c) => c.startsWith('MAIL')));

describe('plaintextFallback and a certificate the caller asked to verify', () => {
  it('connect: a certificate that fails verification (self-signed, untrusted) rejects with ERR_SMTP_CLIENT_TLS_FAILED, no plaintext session', async () => {
    const { port, sessions } = await untrusted();
    await expect(connect({ ...base, port, tls: { rejectUnauthorized: true } })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_FAILED', cause: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' } });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.commands).toEqual(['EHLO localhost', 'STARTTLS']);
  });

  it('connect: a trusted certificate for another name (checkServerIdentity) rejects the same way', async () => {
    const { port, sessions } = await untrusted();
    await expect(connect({ ...base, port, tls: { rejectUnauthorized: true, ca: localhost().cert, servername: 'mx.example.org' } })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_FAILED', cause: { code: 'ERR_TLS_CERT_ALTNAME_INVALID' } });
    // a check of the caller's own that refuses the certificate
    const own = () => new Error('pinned key differs');
    await expect(connect({ ...base, port, tls: { rejectUnauthorized: true, ca: localhost().cert, servername: 'localhost', checkServerIdentity: own } })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_FAILED', message: expect.stringContaining('pinned key differs') });
    expect(sessions).toHaveLength(2);
    expect(noMail(sessions)).toBe(true);
  });

  it('sendMail, createPool and deliver: no plaintext either, the message is not sent', async () => {
    const { port, sessions } = await untrusted();
    const msg = { from: 'a@x.test', to: ['b@y.test'], body: 'secret\r\n' };
    await expect(sendMail({ ...base, port, tls: { rejectUnauthorized: true }, ...msg })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_FAILED' });
    const pool = createPool({ ...base, port, tls: { rejectUnauthorized: true } });
    try {
      await expect(pool.send(msg)).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_FAILED' });
    } finally {
      await pool.close();
    }
    const { host: _h, ...conn } = base;
    const r = await deliver({ ...conn, port, tls: { rejectUnauthorized: true }, from: 'a@x.test', to: ['b@[127.0.0.1]'], body: 'secret\r\n' });
    expect(r.recipients[0]).toMatchObject({ status: 'deferred', errorCode: 'ERR_SMTP_CLIENT_TLS_FAILED' });
    expect(r.domains[0]!.attempts).toHaveLength(1);
    expect(sessions).toHaveLength(3);
    expect(noMail(sessions)).toBe(true);
  });

  it('a handshake that cannot interoperate (TLS 1.1 at most) still falls back with verification asked for', async () => {
    const { port, sessions } = await oldTls();
    const client = await connect({ ...base, port, tls: { rejectUnauthorized: true } });
    expect(client.tls).toBeUndefined();
    expect(client.tlsFallback).toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_FAILED' });
    const r = await client.send({ from: 'a@x.test', to: ['b@y.test'], body: 'x\r\n' });
    await client.quit();
    expect(r.outcome).toBe('delivered');
    expect(sessions).toHaveLength(2);
  });

  it('without verification asked for, opportunistic TLS takes the self-signed certificate (no fallback needed)', async () => {
    const { port, sessions } = await untrusted();
    const client = await connect({ ...base, port });
    expect(client.tls).toMatchObject({ verified: false });
    expect(client.tlsFallback).toBeUndefined();
    await client.quit();
    expect(sessions).toHaveLength(1);
  });
});
