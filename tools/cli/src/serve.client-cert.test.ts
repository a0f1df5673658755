// `smtp serve --tls-client-ca` / `--tls-require-client-cert` against the real process: client
// certificates asked, shown on the log's `tls established` line, and required. THROWAWAY,
// TEST-ONLY certificates made here with openssl: a client CA, a client certificate it signs, and
// a self-signed one it does not vouch for.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import { throwawayCertificate } from '@smtpkit/testkit';
import { cliMain, repoRoot, runCli } from './run-cli.js';
import { startServe, tempDir } from './testing/peers.js';
import type { Running } from './testing/peers.js';

const running: Running[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
  for (const c of cleanups.splice(0)) c();
});

let dir = '';
const file = (name: string): string => join(dir, name);
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const openssl = (args: readonly string[]): void => void execFileSync('openssl', args, { stdio: 'ignore', timeout: 15_000 });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'serve-client-cert-'));
  const server = throwawayCertificate({ commonName: 'sink.test' });
  writeFileSync(file('server.crt'), server.cert);
  writeFileSync(file('server.key'), server.key, { mode: 0o600 });
  openssl(['req', '-x509', ...EC, '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '1', '-subj', '/CN=Sink Client CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(['req', ...EC, '-keyout', file('relay.key'), '-out', file('relay.csr'), '-subj', '/CN=relay.test']);
  openssl(['x509', '-req', '-in', file('relay.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-days', '1', '-out', file('relay.crt')]);
  const stranger = throwawayCertificate({ commonName: 'stranger.test' });
  writeFileSync(file('stranger.crt'), stranger.cert);
  writeFileSync(file('stranger.key'), stranger.key, { mode: 0o600 });
}, 60_000);
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** The store directory of the last server `serve` started. */
let store = '';

async function serve(args: readonly string[]): Promise<Running> {
  const tmp = tempDir('serve-client-cert-');
  cleanups.push(tmp.cleanup);
  store = join(tmp.dir, 'store');
  const proc = await startServe(['--dir', store, '--tls-cert', file('server.crt'), '--tls-key', file('server.key'), '--security', 'implicit', ...args]);
  running.push(proc);
  return proc;
}

/** Implicit TLS with the given client certificate: one message, each command after its reply. */
function sendOne(port: number, extra: ConnectionOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...extra });
    const script = ['EHLO relay.test', 'MAIL FROM:<a@relay.test>', 'RCPT TO:<b@sink.test>', 'DATA', 'Subject: t\r\n\r\nhi\r\n.', 'QUIT'];
    let heard = '';
    s.on('error', reject);
    s.on('data', (d: Buffer) => {
      heard += d.toString('latin1');
      // a complete reply (its last line has a space after the code) lets the next command go
      while (/^\d{3} [^\r\n]*\r\n/m.test(heard) && script.length > 0) {
        heard = heard.replace(/^[\s\S]*?^\d{3} [^\r\n]*\r\n/m, (reply) => {
          if (/^[45]/m.test(reply.split('\r\n').at(-2) ?? '')) reject(new Error(`refused: ${reply}`));
          return '';
        });
        s.write(`${script.shift()!}\r\n`);
      }
    });
    s.on('close', () => resolve(heard));
    setTimeout(() => s.destroy(new Error('no answer')), 10_000).unref();
  });
}

/** Waits (bounded) for the first stored envelope in the store, and reads it. */
async function storedEnvelope(): Promise<Record<string, unknown>> {
  for (let waited = 0; waited < 10_000; waited += 25) {
    const json = existsSync(store) ? readdirSync(store).find((f) => f.endsWith('.json') && !f.startsWith('.')) : undefined;
    if (json !== undefined) return JSON.parse(readFileSync(join(store, json), 'utf8')) as Record<string, unknown>;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('no envelope stored');
}

const client = (name: string): ConnectionOptions => ({ cert: readFileSync(file(`${name}.crt`)), key: readFileSync(file(`${name}.key`)) });

/** Implicit TLS: the greeting's first line, or `(closed)` when the server closed before it. */
function greeting(port: number, extra: ConnectionOptions = {}): Promise<string> {
  return new Promise((resolve) => {
    const s = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...extra });
    let heard = '';
    s.on('error', () => undefined);
    s.on('data', (d: Buffer) => {
      heard += d.toString('latin1');
      if (heard.includes('\r\n')) {
        s.destroy();
        resolve(heard.split('\r\n')[0]!);
      }
    });
    s.on('close', () => resolve(heard === '' ? '(closed)' : heard));
    setTimeout(() => s.destroy(), 10_000).unref();
  });
}

/** Waits (bounded) until the process output matches. */
async function outputMatches(proc: Running, re: RegExp): Promise<string> {
  for (let waited = 0; waited < 10_000; waited += 25) {
    if (re.test(proc.output())) return proc.output();
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`output never matched ${String(re)}:\n${proc.output()}`);
}

describe('smtp serve client certificates', () => {
  it('--tls-client-ca asks for a certificate and serves every client; the log shows the subject and whether it was authorized', async () => {
    const proc = await serve(['--tls-client-ca', file('ca.crt')]);
    expect(await greeting(proc.port, client('relay'))).toMatch(/^220 /);
    await outputMatches(proc, /tls=\{[^\n]*"clientCertificate":\{"subject":"CN\\u003drelay\.test"[^\n]*"authorized":true/);
    expect(await greeting(proc.port, client('stranger'))).toMatch(/^220 /);
    await outputMatches(proc, /"subject":"CN\\u003dstranger\.test"[^\n]*"authorized":false,"authorizationError":"[A-Z_]+"/);
    expect(await greeting(proc.port)).toMatch(/^220 /);
  });

  it('the stored envelope records the client certificate, as the hooks saw it', async () => {
    const proc = await serve(['--tls-client-ca', file('ca.crt')]);
    await sendOne(proc.port, client('relay'));
    const envelope = await storedEnvelope();
    expect(envelope['tls']).toBe(true);
    expect(envelope['clientCertificate']).toMatchObject({ subject: 'CN=relay.test', issuer: 'CN=Sink Client CA', authorized: true });
    expect((envelope['clientCertificate'] as { fingerprint256: string }).fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('--tls-require-client-cert serves only clients with a certificate of --tls-client-ca', async () => {
    const proc = await serve(['--tls-client-ca', file('ca.crt'), '--tls-require-client-cert']);
    expect(await greeting(proc.port, client('relay'))).toMatch(/^220 /);
    expect(await greeting(proc.port, client('stranger'))).toBe('(closed)');
    expect(await greeting(proc.port)).toBe('(closed)');
    await outputMatches(proc, /INFO TLS handshake failed[^\n]*"message":"client certificate refused: [^\n]*"code":"ERR_TLS_CLIENT_CERTIFICATE_REFUSED"/);
  });

  it('usage errors (exit 2): a CA without a certificate, a requirement without a CA, an unreadable CA file', async () => {
    const cases: [string[], string][] = [
      [['--tls-client-ca', file('ca.crt')], '--tls-client-ca needs --tls-cert'],
      [['--tls-cert', file('server.crt'), '--tls-key', file('server.key'), '--tls-require-client-cert'], '--tls-require-client-cert needs --tls-client-ca'],
      [['--tls-cert', file('server.crt'), '--tls-key', file('server.key'), '--tls-client-ca', file('missing.crt')], 'cannot load the TLS'],
    ];
    // files Node would take as no CA at all (and so trust its default store) or that OpenSSL stops reading
    writeFileSync(file('junk.crt'), 'not a certificate\n');
    writeFileSync(file('empty.crt'), '');
    writeFileSync(file('key-only.crt'), readFileSync(file('server.key')));
    writeFileSync(file('corrupt.crt'), `${readFileSync(file('ca.crt'), 'utf8')}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`);
    for (const name of ['junk.crt', 'empty.crt', 'key-only.crt', 'corrupt.crt']) {
      cases.push([['--tls-cert', file('server.crt'), '--tls-key', file('server.key'), '--tls-client-ca', file(name)], `--tls-client-ca ${file(name)}: `]);
    }
    for (const [args, message] of cases) {
      const r = await runCli(['serve', '-p', '0', '-d', join(dir, 'unused'), ...args]);
      expect(r.code, message).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });

  it('TLS files are read up to 4 MiB: a pipe that goes on past it is a usage error naming the option, the file and the cap', async () => {
    for (const option of ['--tls-cert', '--tls-client-ca']) {
      const args = ['serve', '-p', '0', '-d', join(dir, 'unused'), '--tls-cert', file('server.crt'), '--tls-key', file('server.key'), '--tls-client-ca', file('ca.crt')];
      args[args.indexOf(option) + 1] = '/dev/stdin';
      const quoted = [process.execPath, '--import', 'tsx', cliMain, ...args].map((a) => `'${a}'`).join(' ');
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile('sh', ['-c', `yes '${'x'.repeat(63)}' | head -c ${36 * 1024 * 1024} | exec ${quoted}`], { cwd: repoRoot, timeout: 60_000 }, (e, _stdout, stderr) => resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : null, stderr }));
      });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`${option} /dev/stdin: larger than 4 MiB, the most ${option} reads`);
    }
  }, 120_000);

  it('SIGHUP with a --tls-client-ca file overwritten with junk: an ERROR, the old CAs kept (a trusted client still served with --tls-require-client-cert)', async () => {
    const tmp = tempDir('serve-client-cert-ca-');
    cleanups.push(tmp.cleanup);
    const ca = join(tmp.dir, 'clients.crt');
    writeFileSync(ca, readFileSync(file('ca.crt')));
    const proc = await serve(['--tls-client-ca', ca, '--tls-require-client-cert']);
    expect(await greeting(proc.port, client('relay'))).toMatch(/^220 /);
    writeFileSync(ca, 'not a certificate\n');
    proc.child.kill('SIGHUP');
    const out = await outputMatches(proc, /SIGHUP: certificate not reloaded/);
    expect(out).toMatch(/ERROR SIGHUP: certificate not reloaded, keeping the old one[^\n]*--tls-client-ca/);
    expect(out).not.toContain('SIGHUP: certificate reloaded');
    expect(await greeting(proc.port, client('relay'))).toMatch(/^220 /);
    await outputMatches(proc, /"subject":"CN\\u003drelay\.test"[^\n]*"authorized":true[^\n]*\n[\s\S]*"subject":"CN\\u003drelay\.test"[^\n]*"authorized":true/);
    expect(await greeting(proc.port, client('stranger'))).toBe('(closed)');
    expect(proc.child.exitCode).toBeNull();
  });
});
