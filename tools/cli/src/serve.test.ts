// `smtp serve` as a process: the listening line, byte-exact storage, LMTP, size limit, clean stop.
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { talk } from '@smtpkit/testkit';
import { InvalidArgumentError } from 'commander';
import { runCli } from './run-cli.js';
import { formatField, parseProxyFrom, proxyPeers, textLogger } from './serve.js';
import { readStored, startServe, tempDir, waitForStored } from './testing/peers.js';
import type { Running } from './testing/peers.js';

const running: Running[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
  for (const c of cleanups.splice(0)) c();
});

/**
 * Speaks one scripted session: each step is sent once the server has given all final replies so far
 * (`[text, replies it will produce]`), so pipelined groups stay within RFC 2920 rules.
 */
function session(port: number, steps: readonly (readonly [string, number])[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    let heard = '';
    let expected = 1; // the greeting
    let step = 0;
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      heard += d;
      const finals = heard.match(/^\d{3} /gm)?.length ?? 0;
      if (finals >= expected && step < steps.length) {
        const [text, replies] = steps[step++]!;
        expected += replies;
        s.write(text);
      }
    });
    s.on('error', reject);
    s.on('close', () => resolve(heard));
    setTimeout(() => s.destroy(), 10_000).unref();
  });
}

async function serve(args: readonly string[] = []): Promise<{ port: number; dir: string; proc: Running }> {
  const tmp = tempDir('serve-test-');
  cleanups.push(tmp.cleanup);
  const dir = join(tmp.dir, 'store');
  const proc = await startServe(['--dir', dir, '--quiet', ...args]);
  running.push(proc);
  return { port: proc.port, dir, proc };
}

describe('smtp serve', () => {
  it('prints `listening on H:P` and stores a pipelined message byte-exact with its envelope', async () => {
    const { port, dir, proc } = await serve();
    expect(proc.output()).toMatch(/^listening on 127\.0\.0\.1:\d+\n/);
    const body = 'Subject: t\r\n\r\n..leading dot\r\nbare\tTAB ok\r\n';
    const heard = await session(port, [['EHLO me.example\r\n', 1], ['MAIL FROM:<a@example.org> SIZE=100\r\nRCPT TO:<b@example.net>\r\nRCPT TO:<c@example.net> NOTIFY=NEVER\r\nDATA\r\n', 4], [`${body}.\r\nQUIT\r\n`, 2]]);
    expect(heard).toMatch(/250 2\.0\.0 Ok: queued as \S+/);
    const [m] = await waitForStored(dir, 1);
    expect(new TextDecoder().decode(m!.eml)).toBe('Subject: t\r\n\r\n.leading dot\r\nbare\tTAB ok\r\n');
    expect(m!.envelope).toMatchObject({ from: 'a@example.org', to: ['b@example.net', 'c@example.net'], helo: 'me.example', clientAddress: '127.0.0.1', parameters: { mail: { SIZE: '100' }, rcpt: { 'c@example.net': { NOTIFY: 'NEVER' } } } });
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('--max-size refuses a larger message (552) and stores nothing', async () => {
    const { port, dir } = await serve(['--max-size', '100']);
    const heard = await session(port, [['EHLO me\r\n', 1], ['MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n', 3], [`Subject: big\r\n\r\n${'x'.repeat(300)}\r\n.\r\nQUIT\r\n`, 2]]);
    expect(heard).toContain('250-SIZE 100');
    expect(heard).toMatch(/552 5\.3\.4/);
    expect(await readStored(dir)).toEqual([]);
  });

  it('--lmtp answers once per recipient after the body', async () => {
    const { port, dir } = await serve(['--lmtp']);
    const heard = await session(port, [['LHLO me\r\n', 1], ['MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nRCPT TO:<c@example.net>\r\nDATA\r\n', 4], ['Subject: l\r\n\r\nhi\r\n.\r\nQUIT\r\n', 3]]);
    expect(heard.match(/250 2\.0\.0 Ok: queued as/g)).toHaveLength(2);
    expect(await waitForStored(dir, 1)).toHaveLength(1);
  });

  it('--auth requires authentication before MAIL', async () => {
    const { port } = await serve(['--auth', 'u:p']);
    const plain = Buffer.from('\0u\0p').toString('base64');
    const denied = await session(port, [['EHLO me\r\n', 1], ['MAIL FROM:<a@example.org>\r\nQUIT\r\n', 2]]);
    expect(denied).toMatch(/530 5\.7\.0/);
    const ok = await session(port, [['EHLO me\r\n', 1], [`AUTH PLAIN ${plain}\r\n`, 1], ['MAIL FROM:<a@example.org>\r\nQUIT\r\n', 2]]);
    expect(ok).toMatch(/235 2\.7\.0/);
    expect(ok).toMatch(/250 2\.1\.0/);
  });

  it('--auth refuses PLAIN with an authorization identity other than the user (RFC 4616 §2: the sink authorizes no one to act as another)', async () => {
    const { port } = await serve(['--auth', 'u:p']);
    const as = (authzid: string): string => Buffer.from(`${authzid}\0u\0p`).toString('base64');
    const other = await session(port, [['EHLO me\r\n', 1], [`AUTH PLAIN ${as('admin')}\r\n`, 1], ['QUIT\r\n', 1]]);
    expect(other).toMatch(/^535 5\.7\.8/m);
    const self = await session(port, [['EHLO me\r\n', 1], [`AUTH PLAIN ${as('u')}\r\n`, 1], ['QUIT\r\n', 1]]);
    expect(self).toMatch(/^235 2\.7\.0/m);
  });

  it('BDAT chunks followed by RSET leave no partial file behind; the next message is stored', async () => {
    const { port, dir } = await serve();
    const steps: [string, number][] = [['EHLO me\r\n', 1]];
    for (let i = 0; i < 5; i++) steps.push(['MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nBDAT 4\r\nabcdRSET\r\n', 4]);
    steps.push(['MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nBDAT 3 LAST\r\nendQUIT\r\n', 4]);
    const heard = await session(port, steps);
    expect(heard).toMatch(/250 2\.0\.0 Ok: queued as/);
    const stored = await waitForStored(dir, 1);
    expect(new TextDecoder().decode(stored[0]!.eml)).toBe('end');
    // before the fix, each reset message kept its .partial file (and its open stream) for ever
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('a client that disconnects in the middle of the body leaves no file behind', async () => {
    const { port, dir } = await serve();
    const { socket: s, until, closed } = talk(port);
    await until(/^220 /m);
    s.write('EHLO me\r\n');
    await until(/^250 /m);
    s.write('MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n');
    await until(/^354 /m);
    s.write(`Subject: cut\r\n\r\n${'x'.repeat(100_000)}`, () => setTimeout(() => s.destroy(), 200));
    await closed;
    await new Promise((r) => setTimeout(r, 500));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('stops cleanly on SIGTERM (exit 0) and on SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const { proc } = await serve();
      const exit = new Promise<number | null>((r) => proc.child.once('exit', (code) => r(code)));
      proc.child.kill(signal);
      expect(await exit).toBe(0);
    }
  });

  it('bad TLS files and half a TLS pair are usage errors (exit 2)', async () => {
    const a = await runCli(['serve', '-p', '0', '-d', '/tmp/x', '--tls-cert', '/nonexistent.pem', '--tls-key', '/nonexistent.key']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('cannot load the TLS certificate');
    const b = await runCli(['serve', '-p', '0', '-d', '/tmp/x', '--tls-cert', '/nonexistent.pem']);
    expect(b.code).toBe(2);
  });
});

describe('smtp serve log fields', () => {
  it('a value with a space, a quote or an = is one JSON token with = written \\u003d: no peer text makes a " key=" on the line', () => {
    expect(formatField('a@b.example')).toBe('a@b.example');
    expect(formatField('<>')).toBe('<>');
    const forged = '"x serverId=0 session=forged"@x.test';
    expect(formatField(forged)).toBe('"\\"x serverId\\u003d0 session\\u003dforged\\"@x.test"');
    expect(JSON.parse(formatField(forged))).toBe(forged);
    expect(JSON.parse(formatField(['a b=c@d', 'e@f']))).toEqual(['a b=c@d', 'e@f']);
    expect(formatField('"q"@x')).toBe('"\\"q\\"@x"');
    const lines: string[] = [];
    textLogger('info', (l) => lines.push(l)).info({ session: 's-1', from: forged, err: { message: 'a=b c' } }, 'stored');
    expect(lines[0]).toMatch(/ INFO stored session=s-1 from="[^ ]* [^=]*" err=\{"message":"a\\u003db c"\}\n$/);
    expect([...lines[0]!.matchAll(/ \w+=/g)].map((m) => m[0])).toEqual([' session=', ' from=', ' err=']);
  });
});

describe('--proxy-from', () => {
  it('parses IPv4 and IPv6 networks and single addresses; IPv4-mapped IPv6 peers match as IPv4', () => {
    const list = parseProxyFrom('192.0.2.0/24,2001:db8::/32', parseProxyFrom('127.0.0.2'));
    expect(list).toEqual(['127.0.0.2', '192.0.2.0/24', '2001:db8::/32']);
    const trusted = proxyPeers(list);
    const answers = ['127.0.0.2', '127.0.0.1', '192.0.2.200', '192.0.3.1', '::ffff:192.0.2.7', '::ffff:127.0.0.1', '2001:db8:ffff::1', '2001:db9::1', undefined].map((a) => [a, trusted(a)]);
    expect(answers).toEqual([
      ['127.0.0.2', true],
      ['127.0.0.1', false],
      ['192.0.2.200', true],
      ['192.0.3.1', false],
      ['::ffff:192.0.2.7', true],
      ['::ffff:127.0.0.1', false],
      ['2001:db8:ffff::1', true],
      ['2001:db9::1', false],
      [undefined, false],
    ]);
    expect(proxyPeers(parseProxyFrom('::/0'))('::ffff:10.0.0.1')).toBe(true);
    expect(proxyPeers(parseProxyFrom('0.0.0.0/0'))('2001:db8::1')).toBe(false);
  });

  it('refuses anything but addresses and prefix lengths in range, as a typed CLI error', () => {
    for (const bad of ['', ',', '10.0.0.0/8,', '10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/08', '10.0.0.1/', '2001:db8::/129', '10.0.0', '010.0.0.1', 'example.org', 'fe80::1%eth0', ' 10.0.0.1', '10.0.0.0/8/8']) {
      expect(() => parseProxyFrom(bad), JSON.stringify(bad)).toThrow(InvalidArgumentError);
    }
  });
});
