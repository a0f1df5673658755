// connect() derives a second options object from the caller's for an access-token provider (the
// token filled in, once more after a refresh) and for plaintextFallback (security 'off'). The
// caller's object may hold its fields on a prototype (Object.create(base), a class's getters):
// the derived connection sees them as the first one does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import tls from 'node:tls';
import { throwawayCertificate } from '@smtpkit/testkit';
import { connect } from './index.js';
import type { ConnectOptions, TokenProvider } from './index.js';
import { ScriptedServer, listenScripted, serveScriptedTls } from '../../test/scripted-server.js';
import type { ScriptedListener } from '../../test/scripted-server.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
let listener: ScriptedListener;
const sessions: ScriptedServer[] = [];
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  listener = await listenScripted(() => {
    const s = new ScriptedServer({
      ehlo: ['PIPELINING', 'AUTH XOAUTH2'],
      auth: (line, step) => (step === 0 ? (line.includes(b64('user=me@x.test\x01auth=Bearer good\x01\x01')) ? '235 2.7.0 ok' : `334 ${b64('{"status":"401"}')}`) : '535 5.7.8 token refused'),
    });
    sessions.push(s);
    return s;
  });
});
afterAll(async () => {
  await listener.close();
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** A loopback server whose STARTTLS handshake fails with a client at Node's defaults (TLS 1.1 at most). */
async function oldTlsServer(): Promise<{ port: number; sessions: ScriptedServer[] }> {
  const cert = throwawayCertificate({ commonName: 'localhost', dns: ['localhost'] });
  const context = tls.createSecureContext({ ...cert, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' });
  const seen: ScriptedServer[] = [];
  const server = net.createServer((sock) => {
    sockets.add(sock);
    const s = new ScriptedServer({ ehlo: ['STARTTLS', 'PIPELINING'], ehloTls: ['PIPELINING'] });
    seen.push(s);
    serveScriptedTls(sock, s, { secureContext: context });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, sessions: seen };
}

describe('connect() with options the caller\'s object inherits', () => {
  it('access-token provider: a method of a class is called on its object, and the user (a getter) is read once', async () => {
    let userReads = 0;
    class OAuth {
      readonly #tokens = ['stale', 'good'];
      get user(): string {
        userReads++;
        return 'me@x.test';
      }
      accessToken({ refresh }: { refresh: boolean }): string {
        return this.#tokens[refresh ? 1 : 0]!;
      }
    }
    const before = sessions.length;
    const client = await connect({ host: '127.0.0.1', port: listener.port, security: 'off', allowInsecureAuth: true, auth: new OAuth() });
    await client.quit();
    expect(sessions.length - before).toBe(2);
    expect(userReads).toBe(1);
  });

  it('access-token provider: host, port and security from a prototype reach the connection, and the retry after a refused token', async () => {
    const calls: boolean[] = [];
    const accessToken: TokenProvider = ({ refresh }) => {
      calls.push(refresh);
      return refresh ? 'good' : 'stale';
    };
    const base = { host: '127.0.0.1', port: listener.port, security: 'off' };
    const options = Object.assign(Object.create(base) as ConnectOptions, { allowInsecureAuth: true, auth: { user: 'me@x.test', accessToken } });
    const before = sessions.length;
    const client = await connect(options);
    await client.quit();
    expect(calls).toEqual([false, true]);
    expect(sessions.length - before).toBe(2);
  });

  it('access-token provider: a class whose host and port are getters', async () => {
    const port = listener.port;
    class Options {
      readonly security = 'off' as const;
      readonly allowInsecureAuth = true;
      readonly auth = { user: 'me@x.test', accessToken: (): string => 'good' };
      get host(): string {
        return '127.0.0.1';
      }
      get port(): number {
        return port;
      }
    }
    const before = sessions.length;
    const client = await connect(new Options());
    await client.quit();
    expect(sessions.length - before).toBe(1);
    expect(sessions.at(-1)!.commands.filter((c) => c.startsWith('AUTH XOAUTH2 '))).toHaveLength(1);
  });

  it('plaintextFallback: the second connection goes to the host and port the prototype gives, without STARTTLS', async () => {
    const { port, sessions: seen } = await oldTlsServer();
    const options = Object.create({ host: '127.0.0.1', port, security: 'opportunistic', plaintextFallback: true, connectTimeout: 5000 }) as ConnectOptions;
    const client = await connect(options);
    expect(client.tls).toBeUndefined();
    expect(client.tlsFallback).toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_FAILED' });
    const r = await client.send({ from: 'a@x.test', to: ['b@y.test'], body: 'x\r\n' });
    await client.quit();
    expect(r.outcome).toBe('delivered');
    expect(seen).toHaveLength(2);
    expect(seen[1]!.commands).not.toContain('STARTTLS');
  });
});
