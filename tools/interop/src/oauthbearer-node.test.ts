// OAUTHBEARER (RFC 7628) end to end on loopback: smtp-client-fsm/node against esmtp-server-fsm/node.
// A good token logs in and the message is taken; a refused one goes through the error step (334
// with the JSON status, the client's ^A as AQ==, the 535) and connect rejects with
// ERR_SMTP_CLIENT_AUTH_FAILED; a token provider's retry keeps the mechanisms the caller listed.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'esmtp-server-fsm/node';
import type { Envelope } from 'esmtp-server-fsm/node';
import type { AuthCredentials } from 'esmtp-server-fsm';
import { connect, sendMail } from 'smtp-client-fsm/node';
import { connect as tcp } from 'node:net';
import type { Socket } from 'node:net';

const GOOD = 'ya29.good-token_1';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A server offering `mechanisms` that logs every AUTH and accepts only GOOD for alice@example.com. */
async function start(mechanisms: string[]) {
  const seen: AuthCredentials[] = [];
  const delivered: string[] = [];
  const server = createServer({
    hostname: 'mx.oauth.test',
    auth: { mechanisms, allowInsecure: true },
    onAuth: (c: AuthCredentials) => {
      seen.push(c);
      return c.token === GOOD && c.username === 'alice@example.com';
    },
    onData: async (e: Envelope, body: NodeJS.ReadableStream) => {
      for await (const c of body) void c;
      delivered.push(e.from);
    },
  });
  const { port } = await server.listen(0, '127.0.0.1');
  cleanups.push(() => server.close({ timeout: 500 }));
  return { port, seen, delivered };
}

const base = (port: number) => ({ host: '127.0.0.1', port, security: 'off' as const, allowInsecureAuth: true });

describe('OAUTHBEARER between the two Node adapters', () => {
  it('a good token: the client picks OAUTHBEARER, the server hands the token to onAuth, the message is delivered', async () => {
    const srv = await start(['PLAIN', 'OAUTHBEARER']);
    const client: string[] = [];
    const r = await sendMail({
      ...base(srv.port),
      auth: { user: 'alice@example.com', accessToken: GOOD },
      from: 'alice@example.com', to: ['bob@example.org'], body: 'Subject: t\r\n\r\nhi\r\n',
      transcript: (e) => client.push(`${e.direction}: ${e.line}`),
    });
    expect(r.outcome).toBe('delivered');
    expect(srv.seen).toEqual([{ mechanism: 'OAUTHBEARER', username: 'alice@example.com', token: GOOD }]);
    expect(srv.delivered).toEqual(['alice@example.com']);
    expect(client).toContain('client: AUTH OAUTHBEARER <redacted>');
    expect(client.some((l) => /^server: 235/.test(l))).toBe(true);
  });

  it('a refused token: 334 with the JSON status, the client answers AQ==, the 535 rejects connect', async () => {
    const srv = await start(['OAUTHBEARER']);
    const client: string[] = [];
    // what the client wrote, as bytes on the socket (its transcript redacts SASL answers)
    let wire = '';
    const connection = ({ host, port }: { host: string; port: number }): Socket => {
      const socket = tcp(port, host);
      const write = socket.write.bind(socket) as (chunk: Uint8Array | string, ...rest: unknown[]) => boolean;
      socket.write = (chunk: Uint8Array | string, ...rest: unknown[]) => {
        wire += Buffer.from(chunk).toString('latin1');
        return write(chunk, ...rest);
      };
      return socket;
    };
    const err = await connect({ ...base(srv.port), connection, auth: { user: 'alice@example.com', accessToken: 'expired' }, transcript: (e) => client.push(`${e.direction}: ${e.line}`) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'ERR_SMTP_CLIENT_AUTH_FAILED', reply: { code: 535 } });
    const challenge = client.find((l) => l.startsWith('server: 334 '))!;
    expect(JSON.parse(Buffer.from(challenge.slice('server: 334 '.length), 'base64').toString())).toEqual({ status: 'invalid_token', schemes: 'bearer' });
    // the answer to the error challenge is ^A: AQ== on the wire, right after the AUTH line
    const sent = wire.split('\r\n');
    expect(sent[sent.findIndex((l) => l.startsWith('AUTH OAUTHBEARER ')) + 1]).toBe('AQ==');
    expect(srv.seen).toEqual([{ mechanism: 'OAUTHBEARER', username: 'alice@example.com', token: 'expired' }]);
  });

  it("a token provider's retry after a refusal keeps `mechanisms` (OAUTHBEARER both times, XOAUTH2 offered too)", async () => {
    const srv = await start(['XOAUTH2', 'OAUTHBEARER']);
    const asked: boolean[] = [];
    const c = await connect({
      ...base(srv.port),
      auth: { user: 'alice@example.com', mechanisms: ['OAUTHBEARER'], accessToken: ({ refresh }) => (asked.push(refresh), refresh ? GOOD : 'stale') },
    });
    await c.quit();
    expect(asked).toEqual([false, true]);
    expect(srv.seen.map((s) => `${s.mechanism} ${s.token}`)).toEqual(['OAUTHBEARER stale', 'OAUTHBEARER ' + GOOD]);
  });
});
