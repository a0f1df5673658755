// OAuth2 token provider: called at connect, and again (refresh) when the server refuses the token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, sendMail } from '../src/node/index.js';
import type { TokenProvider } from '../src/node/index.js';
import { ScriptedServer, listenScripted } from './scripted-server.js';
import type { ScriptedListener } from './scripted-server.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
let valid = 'fresh-token';
let listener: ScriptedListener;
let port = 0;
const sessions: ScriptedServer[] = [];

beforeAll(async () => {
  listener = await listenScripted(() => {
    const s = new ScriptedServer({
      ehlo: ['PIPELINING', 'AUTH XOAUTH2'],
      // The initial response carries the token; a refused one gets the XOAUTH2 error challenge, then 535.
      auth: (line, step) => (step === 0 ? (line.includes(b64(`user=me@x.test\x01auth=Bearer ${valid}\x01\x01`)) ? '235 2.7.0 ok' : `334 ${b64('{"status":"401"}')}`) : '535 5.7.8 token refused'),
    });
    sessions.push(s);
    return s;
  });
  port = listener.port;
});
afterAll(() => listener.close());

describe('OAuth2 token provider', () => {
  it('uses the provider\'s token at connect; a refused token is refreshed once and the connection retried', async () => {
    valid = 'fresh-token';
    const calls: boolean[] = [];
    const accessToken: TokenProvider = ({ refresh }) => {
      calls.push(refresh);
      return Promise.resolve(refresh ? 'fresh-token' : 'stale-token');
    };
    const r = await sendMail({ host: '127.0.0.1', port, security: 'off', allowInsecureAuth: true, auth: { user: 'me@x.test', accessToken }, from: 'me@x.test', to: ['b@y.test'], body: 'x' });
    expect(r.outcome).toBe('delivered');
    expect(calls).toEqual([false, true]);
  });

  it('a token refused twice fails with ERR_SMTP_CLIENT_AUTH_FAILED after one refresh', async () => {
    valid = 'never';
    let calls = 0;
    await expect(connect({ host: '127.0.0.1', port, security: 'off', allowInsecureAuth: true, auth: { user: 'me@x.test', accessToken: () => `t${++calls}` } })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_AUTH_FAILED' });
    expect(calls).toBe(2);
  });

  it('a provider that throws or returns a non-string is a typed error, no connection made', async () => {
    const before = sessions.length;
    await expect(connect({ host: '127.0.0.1', port, security: 'off', allowInsecureAuth: true, auth: { user: 'me@x.test', accessToken: () => Promise.reject(new Error('idp down')) } })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_AUTH_FAILED', message: expect.stringContaining('idp down') });
    await expect(connect({ host: '127.0.0.1', port, security: 'off', allowInsecureAuth: true, auth: { user: 'me@x.test', accessToken: () => 42 as never } })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_OPTION', message: expect.stringMatching(/^auth\.accessToken/) });
    expect(sessions.length).toBe(before);
  });
});
