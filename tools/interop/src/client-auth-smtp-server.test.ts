// The client's AUTH against smtp-server from npm (pinned in tools/interop/package.json) on loopback:
// credentials too long for the 512-octet AUTH line (RFC 4954 §4) go as the answer to the server's
// empty 334 instead of as an initial response, and a real server logs the client in with them.
// A realistic OAuth access token is 1-2 KB; a 600-character password makes a PLAIN line of 800+.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { sendMail } from 'smtp-client-fsm/node';

const TOKEN = `ya29.${'A1b2C3d4E5'.repeat(180)}`; // 1,805 characters
const PASSWORD = `p${'q'.repeat(599)}`;
const logins: string[] = [];
let server: SMTPServer;
let port = 0;

beforeAll(async () => {
  server = new SMTPServer({
    authMethods: ['PLAIN', 'XOAUTH2'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, cb) {
      const ok = auth.method === 'XOAUTH2' ? auth.accessToken === TOKEN : auth.password === PASSWORD;
      if (!ok) return cb(new Error('bad credentials'));
      logins.push(`${auth.method} ${auth.username ?? ''}`);
      cb(null, { user: auth.username });
    },
    onData(stream, _session, cb) {
      stream.resume();
      stream.on('end', () => cb());
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

describe('smtp-client-fsm/node AUTH with long credentials against smtp-server', () => {
  it.each([
    ['XOAUTH2', { user: 'alice@example.com', accessToken: TOKEN }],
    ['PLAIN', { user: 'bob@example.com', pass: PASSWORD }],
  ] as const)('%s: the AUTH line holds no initial response, the 334 gets it, the server logs the client in and takes the message', async (mechanism, auth) => {
    const lines: string[] = [];
    const r = await sendMail({
      host: '127.0.0.1', port, security: 'off', allowInsecureAuth: true,
      auth,
      from: 'a@example.com', to: ['b@example.org'], body: 'Subject: t\r\n\r\nhi\r\n',
      transcript: (e) => lines.push(`${e.direction === 'client' ? 'C' : 'S'}: ${e.line}`),
    });
    expect(r.outcome).toBe('delivered');
    expect(logins.at(-1)).toBe(`${mechanism} ${auth.user}`);
    const authLine = lines.find((l) => l.startsWith('C: AUTH '));
    expect(authLine).toBe(`C: AUTH ${mechanism}`);
    expect(lines.some((l) => /^S: 334/.test(l))).toBe(true);
    expect(lines.some((l) => /^S: 235/.test(l))).toBe(true);
  });
});
