// onAuth fails closed: only an explicit accept (true, or a 235 reply) logs a client in; returning
// nothing (the "default answer" of the other hooks) is 535 5.7.8, whether the hook answers at once
// or through a promise. PLAIN's authorization identity (RFC 4616 §2) is refused before onAuth
// unless auth.allowAuthorizationIdentity, and then the session runs as that identity.
import { describe, expect, it } from 'vitest';
import { rawSession, serversPerTest } from './servers.js';

const servers = serversPerTest('auth-fail-closed.test');
const lines = (s: string): string[] => s.split('\r\n').filter((l) => /^\d{3} /.test(l));
const plain = (authzid: string, user: string, pass: string): string => Buffer.from(`${authzid}\0${user}\0${pass}`).toString('base64');

async function login(options: Parameters<typeof servers.start>[0], ir: string): Promise<string[]> {
  const { port } = await servers.start({ auth: { mechanisms: ['PLAIN'], allowInsecure: true }, ...options });
  const out = await rawSession(port, [
    { write: 'EHLO c.example\r\n', after: 1 },
    { write: `AUTH PLAIN ${ir}\r\n`, after: 2 },
  ], { timeoutMs: 5000 });
  return lines(out).slice(2);
}

describe('onAuth needs an explicit accept', () => {
  const REFUSED = ['535 5.7.8 Error: authentication failed'];
  for (const [name, onAuth] of [
    ['returns nothing', () => undefined],
    ['resolves to nothing', () => Promise.resolve(undefined)],
    ['returns nothing on a wrong password (if (ok) return true)', (c: { password?: string }) => (c.password === 'right' ? true : undefined)],
    ['returns null', () => null as unknown as undefined],
    ['returns a truthy non-answer (1)', () => 1 as unknown as true],
  ] as const) {
    it(`an onAuth that ${name}: 535 5.7.8`, async () => {
      expect(await login({ onAuth }, plain('', 'a', 'pw'))).toEqual(REFUSED);
    });
  }
  it('true, at once or through a promise, and a 235 reply accept', async () => {
    expect(await login({ onAuth: () => true }, plain('', 'a', 'pw'))).toEqual(['235 2.7.0 Authentication successful']);
    expect(await login({ onAuth: () => Promise.resolve(true) }, plain('', 'a', 'pw'))).toEqual(['235 2.7.0 Authentication successful']);
    expect(await login({ onAuth: () => ({ code: 235, enhanced: '2.7.0', text: 'Hi' }) }, plain('', 'a', 'pw'))).toEqual(['235 2.7.0 Hi']);
  });
});

describe('PLAIN authorization identity through createServer', () => {
  it('by default another identity is 535 and onAuth is never called', async () => {
    const seen: unknown[] = [];
    const onAuth = (c: unknown): boolean => (seen.push(c), true);
    expect(await login({ onAuth }, plain('admin', 'a', 'pw'))).toEqual(['535 5.7.8 Error: authentication failed']);
    expect(seen).toEqual([]);
  });
  it('with auth.allowAuthorizationIdentity onAuth gets it and the session (and the envelope) is that identity', async () => {
    const users: (string | undefined)[] = [];
    const { port } = await servers.start({
      auth: { mechanisms: ['PLAIN'], allowInsecure: true, allowAuthorizationIdentity: true },
      onAuth: (c) => c.username === 'a' && c.password === 'pw' && c.authorizationId === 'shared',
      onData: async (env, body) => {
        await body.toArray();
        users.push(env.user);
      },
    });
    const out = await rawSession(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      { write: `AUTH PLAIN ${plain('shared', 'a', 'pw')}\r\n`, after: 2 },
      { write: 'MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n', after: 3 },
      { write: 'Subject: x\r\n\r\nhi\r\n.\r\n', after: 6 },
      { write: 'QUIT\r\n', after: 7 },
    ], { timeoutMs: 5000 });
    expect(lines(out).slice(2, 3)).toEqual(['235 2.7.0 Authentication successful']);
    expect(users).toEqual(['shared']);
  });
});

describe('an onAuth answering a reply the session refuses fails closed, as the other hooks do', () => {
  // [what, onAuth's answer, the same fault in onMailFrom's answer (null: it has no such fault)]
  const CASES: [string, unknown, unknown][] = [
    ['a code outside 2xx-5xx', { code: 999 }, { code: 999 }],
    ['text that is not a string', { code: 235, text: 5 }, { code: 250, text: 5 }],
    ['CR LF in its text (a forged second reply)', { code: 235, text: 'Ok\r\n250 forged' }, { code: 250, text: 'Ok\r\n250 forged' }],
    ['an enhanced code of another class', { code: 235, enhanced: '5.7.8', text: 'Ok' }, { code: 250, enhanced: '5.1.0', text: 'Ok' }],
    ['a positive code other than 235', { code: 250, text: 'Ok' }, null],
  ];
  const code = (e: unknown): unknown => (e as { code?: unknown }).code;
  for (const [name, authAnswer] of CASES) {
    it(`${name}: ERR_SMTP_INVALID_REPLY to onError, 454 4.7.0 to the client, never logged in`, async () => {
      const errors: unknown[] = [];
      const { port } = await servers.start({
        auth: { mechanisms: ['PLAIN'], allowInsecure: true, required: true },
        onAuth: () => authAnswer as true,
        onError: (e) => void errors.push(e),
      });
      const out = await rawSession(port, [
        { write: 'EHLO c.example\r\n', after: 1 },
        { write: `AUTH PLAIN ${plain('', 'a', 'pw')}\r\n`, after: 2 },
        { write: 'MAIL FROM:<a@b.example>\r\n', after: 3 },
      ], { timeoutMs: 5000 });
      expect(lines(out).slice(2)).toEqual(['454 4.7.0 Temporary authentication failure', '530 5.7.0 Authentication required']);
      expect(errors.map(code)).toEqual(['ERR_SMTP_INVALID_REPLY']);
    });
  }
  it('onMailFrom answering the same faults gets the same typed error, with its own temporary failure (451 4.3.0)', async () => {
    for (const [name, , mailAnswer] of CASES.filter((c) => c[2] !== null)) {
      const errors: unknown[] = [];
      const { port } = await servers.start({ onMailFrom: () => mailAnswer as true, onError: (e) => void errors.push(e) });
      const out = await rawSession(port, [
        { write: 'EHLO c.example\r\n', after: 1 },
        { write: 'MAIL FROM:<a@b.example>\r\n', after: 2 },
      ], { timeoutMs: 5000 });
      expect(lines(out).slice(2), name).toEqual(['451 4.3.0 Local error in processing']);
      expect(errors.map(code), name).toEqual(['ERR_SMTP_INVALID_REPLY']);
    }
  });
});

describe('SRV-8 credentials that are not UTF-8 through createServer', () => {
  it('SRV-8 PLAIN passwords \\xff and \\xfe: 501 5.5.2 each, onAuth never called (decoded lossily they were one U+FFFD)', async () => {
    const seen: unknown[] = [];
    const bytes = (s: string): string => Buffer.from(s, 'latin1').toString('base64');
    for (const pass of ['\xff', '\xfe']) {
      expect(await login({ onAuth: (c) => (seen.push(c.password), true) }, bytes(`\0a\0${pass}`))).toEqual(['501 5.5.2 Error: invalid credentials']);
    }
    expect(seen).toEqual([]);
  });
});
