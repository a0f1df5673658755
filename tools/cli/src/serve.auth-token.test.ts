// `smtp serve --auth-token` and `smtp send --auth-token`: an OAuth 2.0 bearer token end to end
// (XOAUTH2 from the CLI's client; OAUTHBEARER with and without a= from a raw client), the stored
// envelope naming the token's user, and a wrong token refused after the JSON error step.
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { join } from 'node:path';
import { runCli } from './run-cli.js';
import { readStored, startServe, tempDir, waitForStored } from './testing/peers.js';
import type { Running } from './testing/peers.js';

const running: Running[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
  for (const c of cleanups.splice(0)) c();
});

async function serve(args: readonly string[]): Promise<{ port: number; dir: string }> {
  const tmp = tempDir('serve-token-');
  cleanups.push(tmp.cleanup);
  const dir = join(tmp.dir, 'store');
  const proc = await startServe(['--dir', dir, '--quiet', ...args]);
  running.push(proc);
  return { port: proc.port, dir };
}

/** Sends each line once every reply to the lines before it has come (one reply per line). */
function lockstep(port: number, lines: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    let heard = '';
    let next = 0;
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      heard += d;
      const finals = heard.match(/^\d{3} /gm)?.length ?? 0;
      if (finals > next && next < lines.length) s.write(lines[next++]!);
    });
    s.on('error', reject);
    s.on('close', () => resolve(heard));
    setTimeout(() => s.destroy(), 10_000).unref();
  });
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const transaction = ['MAIL FROM:<a@example.org>\r\n', 'RCPT TO:<b@example.net>\r\n', 'DATA\r\n', 'Subject: t\r\n\r\nhi\r\n.\r\n', 'QUIT\r\n'];

describe('smtp serve --auth-token', () => {
  it('smtp send --auth-token delivers (XOAUTH2), the envelope names the user; a wrong token is refused', async () => {
    const { port, dir } = await serve(['--auth-token', 'alice@example.org:tok-s3cret']);
    const base = ['send', '--host', '127.0.0.1', '--port', String(port), '--starttls', 'off', '--from', 'a@example.org', '--to', 'b@example.net', '--subject', 's', '--text', 'hi'];
    const ok = await runCli([...base, '--auth-token', 'alice@example.org:tok-s3cret', '--transcript'], { timeoutMs: 20_000 });
    expect(ok.code).toBe(0);
    // the transcript shows the mechanism, never the token
    expect(ok.stderr).toMatch(/^C: AUTH XOAUTH2 <redacted>$/m);
    const [m] = await waitForStored(dir, 1);
    expect(m!.envelope).toMatchObject({ user: 'alice@example.org', protocol: 'ESMTPA' });
    const bad = await runCli([...base, '--auth-token', 'alice@example.org:wrong'], { timeoutMs: 20_000 });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('authentication refused (ERR_SMTP_CLIENT_AUTH_FAILED)');
    expect(await readStored(dir)).toHaveLength(1);
  });

  it('OAUTHBEARER without a= is logged in as the token’s user; with another a= it is refused after the JSON error step', async () => {
    const { port, dir } = await serve(['--auth-token', 'alice@example.org:tok-s3cret']);
    const noA = await lockstep(port, ['EHLO me\r\n', `AUTH OAUTHBEARER ${b64('n,,\x01auth=Bearer tok-s3cret\x01\x01')}\r\n`, ...transaction]);
    expect(noA).toContain('250-AUTH XOAUTH2 OAUTHBEARER');
    expect(noA).toMatch(/^235 2\.7\.0/m);
    const [m] = await waitForStored(dir, 1);
    expect(m!.envelope).toMatchObject({ user: 'alice@example.org' });
    const other = await lockstep(port, ['EHLO me\r\n', `AUTH OAUTHBEARER ${b64('n,a=mallory@example.org,\x01auth=Bearer tok-s3cret\x01\x01')}\r\n`, 'AQ==\r\n', 'MAIL FROM:<a@example.org>\r\n', 'QUIT\r\n']);
    expect(other).toMatch(/^334 /m);
    expect(other).toMatch(/^535 5\.7\.8/m);
    expect(other).toMatch(/^530 5\.7\.0/m);
  });

  it('with --auth too, both a password and the token log in; the token is not a password', async () => {
    const { port } = await serve(['--auth', 'u:pw', '--auth-token', 'u:tok']);
    const plainOk = await lockstep(port, ['EHLO me\r\n', `AUTH PLAIN ${b64('\0u\0pw')}\r\n`, 'QUIT\r\n']);
    expect(plainOk).toContain('250-AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER');
    expect(plainOk).toMatch(/^235 2\.7\.0/m);
    const tokenAsPassword = await lockstep(port, ['EHLO me\r\n', `AUTH PLAIN ${b64('\0u\0tok')}\r\n`, 'QUIT\r\n']);
    expect(tokenAsPassword).toMatch(/^535 5\.7\.8/m);
  });

  it('send refuses --auth with --auth-token', async () => {
    const r = await runCli(['send', '--host', '127.0.0.1', '--port', '1', '--from', 'a@example.org', '--to', 'b@example.net', '--auth', 'u:p', '--auth-token', 'u:t'], { timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot be used with/);
  });
});
