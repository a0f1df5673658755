// What the client gets when onAuth fails: RFC 4954 §6 `454 4.7.0 Temporary authentication failure`
// (not the generic 451 4.3.0 of the other hooks); the cause goes to onError. And AUTH PLAIN with an
// initial response may be pipelined with the envelope (RFC 4954 §4).
import { describe, expect, it } from 'vitest';
import { rawSession, serversPerTest } from './servers.js';

const servers = serversPerTest('auth.test');
const lines = (s: string): string[] => s.split('\r\n').filter((l) => /^\d{3} /.test(l));
/** `\0a\0pw`. */
const PLAIN_IR = 'AGEAcHc=';

describe('onAuth failures', () => {
  for (const [name, onAuth] of [
    ['throws', () => {
      throw new Error('directory down');
    }],
    ['rejects its promise', () => Promise.reject(new Error('directory down'))],
    ['returns a reply the session refuses', () => ({ code: 999 })],
  ] as const) {
    it(`an onAuth that ${name}: 454 4.7.0, the cause to onError, the session goes on`, async () => {
      const errors: unknown[] = [];
      const { port } = await servers.start({ auth: { mechanisms: ['PLAIN'], allowInsecure: true }, onAuth, onError: (e) => void errors.push(e) });
      const out = await rawSession(port, [
        { write: 'EHLO c.example\r\n', after: 1 },
        { write: `AUTH PLAIN ${PLAIN_IR}\r\n`, after: 2 },
        { write: 'NOOP\r\n', after: 3 },
      ], { timeoutMs: 5000 });
      expect(lines(out).slice(2)).toEqual(['454 4.7.0 Temporary authentication failure', '250 2.0.0 Ok']);
      expect(errors).toHaveLength(1);
    });
  }

  it('an onMailFrom that throws still gets 451 4.3.0', async () => {
    const { port } = await servers.start({
      onMailFrom: () => {
        throw new Error('db down');
      },
      onError: () => undefined,
    });
    const out = await rawSession(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      { write: 'MAIL FROM:<a@b.example>\r\n', after: 2 },
    ], { timeoutMs: 5000 });
    expect(lines(out).slice(2)).toEqual(['451 4.3.0 Local error in processing']);
  });
});

describe('RFC 4954 §4 AUTH PLAIN with an initial response pipelined with the envelope', () => {
  it('AUTH PLAIN <ir> + MAIL + RCPT in one write: 235, 250, 250, the message is from the authenticated user', async () => {
    const users: (string | undefined)[] = [];
    const { port } = await servers.start({
      auth: { mechanisms: ['PLAIN'], allowInsecure: true, required: true },
      onAuth: (c) => Promise.resolve(c.password === 'pw'),
      onData: async (env, body) => {
        await body.toArray();
        users.push(env.user);
      },
    });
    const out = await rawSession(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      { write: `AUTH PLAIN ${PLAIN_IR}\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBDAT 2 LAST\r\nhi`, after: 2 },
      { write: 'QUIT\r\n', after: 6 },
    ], { timeoutMs: 5000 });
    expect(lines(out).map((l) => l.slice(0, 3))).toEqual(['220', '250', '235', '250', '250', '250', '221']);
    expect(users).toEqual(['a']);
  });
});
