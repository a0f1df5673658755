// onAuth may name the account a login is for with `{ user }`: an OAUTHBEARER client that sent no
// `a=` (RFC 7628 §3.1) is otherwise logged in as '' (a falsy user an application reads as nobody).
import { describe, expect, it } from 'vitest';
import { rawSession, serversPerTest } from '../../test/servers.js';
import type { Envelope } from './index.js';
import { isSmtpServerError } from '../index.js';

const servers = serversPerTest('auth-user.test');
const NO_A = Buffer.from('n,,\x01auth=Bearer tok-123\x01\x01').toString('base64');

const transaction = (port: number): Promise<string> =>
  rawSession(port, [
    { write: 'EHLO c.test\r\n', after: 1 },
    { write: `AUTH OAUTHBEARER ${NO_A}\r\n`, after: 2 },
    { write: 'MAIL FROM:<a@example.org>\r\n', after: 3 },
    { write: 'RCPT TO:<b@example.net>\r\n', after: 4 },
    { write: 'DATA\r\n', after: 5 },
    { write: 'Subject: t\r\n\r\nhi\r\n.\r\n', after: 6 },
    { write: 'QUIT\r\n', after: 7 },
  ]);

describe('onAuth returning { user }', () => {
  it("logs the client in as that user: the session, MAIL's hook and the envelope see it", async () => {
    const seen: (string | undefined)[] = [];
    const envelopes: Envelope[] = [];
    const { port } = await servers.start({
      auth: { mechanisms: ['OAUTHBEARER'], allowInsecure: true, required: true },
      onAuth: (c) => Promise.resolve(c.token === 'tok-123' ? { user: 'alice@example.com' } : false),
      onMailFrom: (_from, _p, session) => void seen.push(session.info.authenticatedUser),
      onData: async (env, body) => {
        envelopes.push(env);
        for await (const _ of body);
      },
    });
    const got = await transaction(port);
    expect(got).toContain('\r\n235 2.7.0 Authentication successful\r\n');
    expect(got).toContain('\r\n250 2.0.0 Message accepted');
    expect(seen).toEqual(['alice@example.com']);
    expect(envelopes.map((e) => [e.user, e.protocol])).toEqual([['alice@example.com', 'ESMTPA']]);
  });

  it('with code 235 and text, answers with that reply', async () => {
    const { port } = await servers.start({
      auth: { mechanisms: ['OAUTHBEARER'], allowInsecure: true },
      onAuth: () => ({ user: 'alice', code: 235, enhanced: '2.7.0', text: 'Hello alice' }),
    });
    expect(await transaction(port)).toContain('\r\n235 2.7.0 Hello alice\r\n');
  });

  it('an empty or unsafe user is a hook failure: 454 4.7.0, ERR_SMTP_INVALID_ARGUMENT to onError, no login', async () => {
    for (const user of ['', 'a\r\nRCPT TO:<x@y>', 5]) {
      const errors: unknown[] = [];
      const { port } = await servers.start({
        auth: { mechanisms: ['OAUTHBEARER'], allowInsecure: true, required: true },
        onError: (e) => void errors.push(e),
        onAuth: () => ({ user }) as { user: string },
      });
      const got = await transaction(port);
      expect(got).toContain('\r\n454 4.7.0 Temporary authentication failure\r\n');
      expect(got).toContain('\r\n530 5.7.0 Authentication required\r\n');
      expect(errors.map((e) => (isSmtpServerError(e) ? e.code : e))).toEqual(['ERR_SMTP_INVALID_ARGUMENT']);
    }
  });

  it('{ user } from another hook is not a reply: 451 and onError', async () => {
    const errors: unknown[] = [];
    const { port } = await servers.start({
      onError: (e) => void errors.push(e),
      onMailFrom: () => ({ user: 'alice' }) as never,
    });
    const got = await rawSession(port, [{ write: 'EHLO c.test\r\n', after: 1 }, { write: 'MAIL FROM:<a@example.org>\r\n', after: 2 }, { write: 'QUIT\r\n', after: 3 }]);
    expect(got).toContain('\r\n451 4.3.0 Local error in processing\r\n');
    expect(errors).toHaveLength(1);
  });
});
