// `smtp serve --hostname`: what createServer refuses is a usage error of the option (exit 2, one
// line, before any worker is forked or port listened on); a bare IP address, as configurations hold
// it, is served under its address literal.
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { join } from 'node:path';
import { runCli } from './run-cli.js';
import { startServe, tempDir } from './testing/peers.js';
import type { Running } from './testing/peers.js';

const running: Running[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
  for (const c of cleanups.splice(0)) c();
});

/** The first reply of the server on `port`. */
function greeting(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    s.setEncoding('latin1');
    s.once('data', (d: string) => {
      s.destroy();
      resolve(d);
    });
    s.on('error', reject);
  });
}

describe('smtp serve --hostname', () => {
  it.each([
    ['an enhanced status code shape', '2.0.0', 'all-digit label'],
    ['an all-digit last label', 'mx.123', 'all-digit label'],
    ['an IPv4 address with a part over 255', '192.0.2.300', 'all-digit label'],
    ['an IPv6 address with a zone', 'fe80::1%eth0', 'hostname must be'],
    ['a general address literal', '[x-tag:y]', 'hostname must be'],
  ])('%s (%s): exit 2 with the reason on one line, nothing listening, no stack trace', async (_what, hostname, reason) => {
    for (const workers of [[], ['--workers', '2']]) {
      const r = await runCli(['serve', '-p', '0', '-d', '/tmp/smtpkit-cli-never-made', '--hostname', hostname, ...workers], { timeoutMs: 15_000 });
      const at = `${hostname} ${workers.join(' ')}`;
      expect(r.signal, at).toBeNull();
      expect(r.code, `${at}: ${r.stderr}`).toBe(2);
      expect(r.stderr, at).toContain(`'--hostname <name>' argument '${hostname}' is invalid`);
      expect(r.stderr, at).toContain(reason);
      expect(r.stderr, at).not.toMatch(/^\s+at /m);
      expect(r.stderr.trim().split('\n').filter((l) => l.includes('hostname')), at).toHaveLength(1);
      expect(r.stdout, at).not.toContain('listening on');
    }
  });

  it.each([
    ['192.0.2.1', '[192.0.2.1]'],
    ['::1', '[IPv6:::1]'],
    ['[IPv6:2001:db8::1]', '[IPv6:2001:db8::1]'],
    ['mx.example', 'mx.example'],
    ['münchen.example', 'xn--mnchen-3ya.example'],
    // what createServer takes, the option takes: `_` (container names), a name of 244 octets
    ['mail_relay.internal', 'mail_relay.internal'],
    [`${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(50)}.example`, `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(50)}.example`],
  ])('%s is served as %s', async (hostname, spoken) => {
    const tmp = tempDir('serve-hostname-');
    cleanups.push(tmp.cleanup);
    const proc = await startServe(['--dir', join(tmp.dir, 'store'), '--quiet', '--hostname', hostname]);
    running.push(proc);
    expect(await greeting(proc.port)).toBe(`220 ${spoken} ESMTP smtpkit sink ready\r\n`);
  });
});
