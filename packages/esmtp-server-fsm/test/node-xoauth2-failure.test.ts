// XOAUTH2 through createServer: an onAuth that throws or refuses with a 454 is a temporary failure,
// answered at once; the 334 error challenge is for a refused token only.
import { describe, expect, it } from 'vitest';
import { rawSession, serversPerTest } from './servers.js';

const servers = serversPerTest('xoauth2-failure.test');
describe('XOAUTH2 through createServer: a temporary failure is not a refused token', () => {
  const token = Buffer.from('user=a@b.example\x01auth=Bearer t\x01\x01').toString('base64');
  async function xoauth2(onAuth: () => unknown): Promise<string[]> {
    const { port } = await servers.start({ auth: { mechanisms: ['XOAUTH2'], allowInsecure: true }, onAuth: onAuth as () => boolean, onError: () => undefined });
    const out = await rawSession(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      { write: `AUTH XOAUTH2 ${token}\r\n`, after: 2 },
      { write: 'NOOP\r\n', after: 3 },
    ], { timeoutMs: 5000 });
    return out.split('\r\n').filter((l) => /^\d{3} /.test(l)).slice(2);
  }
  it('an onAuth that throws: 454 4.7.0 at once, with no 334 error challenge', async () => {
    expect(await xoauth2(() => {
      throw new Error('token service down');
    })).toEqual(['454 4.7.0 Temporary authentication failure', '250 2.0.0 Ok']);
  });
  it('an onAuth that refuses with a 454: the same', async () => {
    expect(await xoauth2(() => ({ code: 454, enhanced: '4.7.0', text: 'Try later' }))).toEqual(['454 4.7.0 Try later', '250 2.0.0 Ok']);
  });
});
