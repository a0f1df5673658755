// `smtp serve` operations, each flag against the real process: --log-level, --transcript,
// --tls-implicit, SIGHUP certificate reload, --workers (node:cluster), and the fairness limits.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { closeSync, constants, copyFileSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { connect, createServer as createNetServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect as tlsConnect } from 'node:tls';
import { freePort, talk, throwawayCertificate } from '@smtpkit/testkit';
import { cliMain, repoRoot, runCli } from './run-cli.js';
import { startServe, tempDir, workersOf } from './testing/peers.js';
import type { Running } from './testing/peers.js';

const running: Running[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
  for (const c of cleanups.splice(0)) c();
});

let certDir = '';
/** THROWAWAY, TEST-ONLY EC certificates, as the files `smtp serve` reads. */
function makeCert(name: string): { cert: string; key: string } {
  const cert = join(certDir, `${name}.crt`);
  const key = join(certDir, `${name}.key`);
  const pems = throwawayCertificate({ commonName: name });
  writeFileSync(cert, pems.cert);
  writeFileSync(key, pems.key, { mode: 0o600 });
  return { cert, key };
}
let first: { cert: string; key: string };
let second: { cert: string; key: string };
beforeAll(() => {
  certDir = mkdtempSync(join(tmpdir(), 'serve-ops-certs-'));
  first = makeCert('first.test');
  second = makeCert('second.test');
});
afterAll(() => rmSync(certDir, { recursive: true, force: true }));

async function serve(args: readonly string[]): Promise<Running> {
  const tmp = tempDir('serve-ops-');
  cleanups.push(tmp.cleanup);
  const proc = await startServe(['--dir', join(tmp.dir, 'store'), ...args]);
  running.push(proc);
  return proc;
}

/** Waits (bounded) until the process output matches. */
async function outputMatches(proc: Running, re: RegExp, timeoutMs = 10_000): Promise<string> {
  for (let waited = 0; waited < timeoutMs; waited += 25) {
    if (re.test(proc.output())) return proc.output();
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`output never matched ${String(re)}:\n${proc.output()}`);
}

/** Sends each step after the previous final reply; resolves with everything heard at close. */
function session(port: number, steps: readonly string[], timeoutMs = 10_000, tls = false): Promise<string> {
  return new Promise((resolve) => {
    const s = tls ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }) : connect({ host: '127.0.0.1', port });
    let heard = '';
    let step = 0;
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      heard += d;
      const finals = heard.match(/^\d{3} /gm)?.length ?? 0;
      if (finals > step && step < steps.length) s.write(steps[step++]!);
    });
    s.on('error', () => undefined);
    s.on('close', () => resolve(heard));
    setTimeout(() => s.destroy(), timeoutMs).unref();
  });
}

async function certCn(port: number): Promise<string> {
  const s = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false });
  await new Promise<void>((resolve, reject) => {
    s.once('secureConnect', resolve);
    s.once('error', reject);
  });
  const cn = String(s.getPeerCertificate().subject.CN);
  s.destroy();
  return cn;
}

const PLAIN = Buffer.from('\0u\0s3cret-pass').toString('base64');
const MESSAGE = ['EHLO me.test\r\n', 'MAIL FROM:<a@example.org>\r\n', 'RCPT TO:<b@example.net>\r\n', 'DATA\r\n', 'Subject: x\r\n\r\nprivate words\r\n.\r\n', 'QUIT\r\n'];


describe('smtp serve --log-level and --transcript', () => {
  it('info (default): connect and close lines with the session id; warn hides them', async () => {
    const info = await serve([]);
    await session(info.port, ['EHLO me.test\r\n', 'QUIT\r\n']);
    const out = await outputMatches(info, /INFO close session=\S+ reason=quit/);
    const id = /INFO connect session=(\S+) remoteAddress=127\.0\.0\.1/.exec(out)?.[1];
    expect(id).toBeDefined();
    expect(out).toContain(`INFO close session=${id!} reason=quit`);
    const warn = await serve(['--log-level', 'warn']);
    await session(warn.port, ['EHLO me.test\r\n', 'QUIT\r\n']);
    await new Promise((r) => setTimeout(r, 300));
    expect(warn.output()).not.toMatch(/INFO/);
    expect(out).not.toMatch(/DEBUG/);
    const debug = await serve(['--log-level', 'debug']);
    await session(debug.port, MESSAGE);
    const detailed = await outputMatches(debug, /INFO close /);
    expect(detailed).toMatch(/DEBUG mail session=\S+ from=a@example\.org\n/);
    expect(detailed).toMatch(/DEBUG end of data session=\S+ size=29 recipients=1\n/);
    expect(detailed).toMatch(/INFO stored /);
    // the stored line names its session (the other lines of that session) and the envelope's id (serverId in <id>.json)
    const stored = /INFO stored \S+ \(29 bytes\)[^\n]* session=(\S+) serverId=(\S+)/.exec(detailed);
    expect(stored, detailed).not.toBeNull();
    expect(detailed).toContain(`DEBUG end of data session=${stored![1]!} size=29`);
    const bad = await runCli(['serve', '-p', '0', '-d', '/tmp/x', '--log-level', 'loud']);
    expect(bad.code).toBe(2);
  });

  it('the stored line holds the envelope in quoted fields: a sender address cannot forge session= or serverId=', async () => {
    const proc = await serve([]);
    const forged = '"x serverId=0000000000000000 session=forged-1 worker=9"@x.test';
    await session(proc.port, ['EHLO me.test\r\n', `MAIL FROM:<${forged}>\r\n`, 'RCPT TO:<"ceo@corp.example, cfo"@evil.test>\r\n', 'DATA\r\n', 'Subject: x\r\n\r\nprivate words\r\n.\r\n', 'QUIT\r\n']);
    const out = await outputMatches(proc, /INFO close /);
    const line = out.split('\n').find((l) => / INFO stored /.test(l))!;
    expect([...line.matchAll(/ session=/g)], line).toHaveLength(1);
    expect([...line.matchAll(/serverId=/g)], line).toHaveLength(1);
    // each field is one token: key=value pairs split on spaces outside JSON strings parse back
    const fields = Object.fromEntries([...line.matchAll(/ (\w+)=("(?:[^"\\]|\\.)*"|\[[^\]]*\]|\S+)/g)].map((m) => [m[1], m[2]]));
    expect(JSON.parse(fields.from)).toBe(forged);
    expect(JSON.parse(fields.to)).toEqual(['"ceo@corp.example, cfo"@evil.test']);
    expect(fields.session).toMatch(/^[0-9a-f]+-\w+$/);
  });

  it('SRV-13 --transcript shows both directions, never the AUTH credentials or the body', async () => {
    const proc = await serve(['--transcript', '--auth', 'u:s3cret-pass']);
    await session(proc.port, ['EHLO me.test\r\n', `AUTH PLAIN ${PLAIN}\r\n`, ...MESSAGE.slice(1)]);
    const out = await outputMatches(proc, /S: 221 /);
    expect(out).toMatch(/\S+ C: EHLO me\.test\n/);
    expect(out).toContain('C: AUTH PLAIN <redacted>');
    expect(out).toMatch(/S: 235 /);
    expect(out).toContain('C: <message data: 29 bytes>');
    expect(out).not.toContain(PLAIN);
    expect(out).not.toContain('s3cret-pass');
    expect(out).not.toContain('private words');
  });
});

describe('smtp serve TLS', () => {
  it('--tls-implicit speaks TLS from the first byte; without a certificate it is a usage error', async () => {
    const proc = await serve(['--tls-cert', first.cert, '--tls-key', first.key, '--tls-implicit']);
    const s = tlsConnect({ port: proc.port, host: '127.0.0.1', rejectUnauthorized: false });
    const greeting = await new Promise<string>((resolve) => s.once('data', (d: Buffer) => resolve(d.toString())));
    expect(greeting).toMatch(/^220 /);
    s.destroy();
    const bad = await runCli(['serve', '-p', '0', '-d', '/tmp/x', '--tls-implicit']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--tls-implicit needs');
  });

  it('--tls-handshake-timeout: a silent client on implicit TLS is closed with no reply at that timeout, logged at WARN as TLS handshake timeout', async () => {
    const proc = await serve(['--tls-cert', first.cert, '--tls-key', first.key, '--security', 'implicit', '--tls-handshake-timeout', '0.3']);
    const silent = talk(proc.port, { timeoutMs: 10_000 });
    // a generous bound, well under the 60 s default: only the flag closes it this early
    const bound = new Promise<string>((r) => setTimeout(() => r('still open'), 8000).unref());
    expect(await Promise.race([silent.closed.then(() => 'closed'), bound])).toBe('closed');
    expect(silent.heard()).toBe('');
    const log = await outputMatches(proc, /TLS handshake timeout/);
    expect(log.split('\n').find((l) => l.includes('TLS handshake timeout'))).toMatch(/WARN TLS handshake timeout remoteAddress=127\.0\.0\.1 timeoutMs=300$/);
  });

  it('--tls-handshake-timeout bounds the handshake after STARTTLS too: the session closes with nothing after the 220, its close line naming the timeout', async () => {
    const proc = await serve(['--tls-cert', first.cert, '--tls-key', first.key, '--tls-handshake-timeout', '0.3']);
    const c = talk(proc.port, { timeoutMs: 10_000 });
    await c.until(/^220 /m);
    c.socket.write('EHLO client.example\r\n');
    await c.until(/^250 /m);
    c.socket.write('STARTTLS\r\n');
    const bound = new Promise<string>((r) => setTimeout(() => r('still open'), 8000).unref());
    expect(await Promise.race([c.closed.then(() => 'closed'), bound])).toBe('closed');
    expect(c.heard()).toMatch(/220 [^\r\n]*\r\n$/);
    const log = await outputMatches(proc, / close /);
    expect(log.split('\n').find((l) => l.includes(' close '))).toContain('reason="TLS handshake timeout (300 ms)"');
    expect(log).not.toContain('rejected');
  });

  it('--tls-handshake-timeout without TLS, or past what a timer holds, is a usage error naming the flag', async () => {
    for (const args of [[], ['--tls-cert', first.cert, '--tls-key', first.key, '--security', 'off']]) {
      const bad = await runCli(['serve', '-p', '0', '-d', '/tmp/x', ...args, '--tls-handshake-timeout', '5']);
      expect([bad.code, bad.stderr], args.join(' ')).toEqual([2, expect.stringContaining('--tls-handshake-timeout needs --tls-cert and --tls-key') as unknown]);
    }
    const tooLong = await runCli(['serve', '-p', '0', '-d', '/tmp/x', '--tls-cert', first.cert, '--tls-key', first.key, '--tls-handshake-timeout', '2147483.648']);
    expect([tooLong.code, tooLong.stderr]).toEqual([2, expect.stringContaining("'--tls-handshake-timeout <seconds>' argument '2147483.648' is invalid. expected at most 2147483.647 seconds.") as unknown]);
  });

  it('--security off|opportunistic|required|implicit: the TlsSecurity words; --tls-implicit stays an alias', async () => {
    const tls = ['--tls-cert', first.cert, '--tls-key', first.key];
    const ehloOf = async (args: readonly string[]): Promise<string> => session((await serve([...tls, ...args])).port, ['EHLO me.test\r\n', 'MAIL FROM:<a@example.org>\r\n', 'QUIT\r\n']);
    const off = await ehloOf(['--security', 'off']);
    expect(off).not.toContain('STARTTLS');
    expect(off).toMatch(/^250 2\.1\.0 /m);
    const opportunistic = await ehloOf(['--security', 'opportunistic']);
    expect(opportunistic).toMatch(/^250[- ]STARTTLS\r\n/m);
    expect(opportunistic).toMatch(/^250 2\.1\.0 /m);
    // the default with a certificate
    expect(await ehloOf([])).toMatch(/^250[- ]STARTTLS\r\n/m);
    const required = await ehloOf(['--security', 'required']);
    expect(required).toMatch(/^250[- ]STARTTLS\r\n/m);
    expect(required).toMatch(/^530 5\.7\.0 /m);
    const implicit = await serve([...tls, '--security', 'implicit']);
    expect(await certCn(implicit.port)).toBe('first.test');
  });

  it('--security refuses a level its certificate cannot serve, a contradiction and an unknown word', async () => {
    const tls = ['--tls-cert', first.cert, '--tls-key', first.key];
    for (const [args, message] of [
      [['--security', 'required'], '--security required needs --tls-cert'],
      [['--security', 'implicit'], '--security implicit needs --tls-cert'],
      [[...tls, '--security', 'off', '--tls-implicit'], '--tls-implicit contradicts --security off'],
      [['--security', 'starttls'], 'Allowed choices are off, opportunistic, required, implicit'],
    ] as const) {
      const bad = await runCli(['serve', '-p', '0', '-d', '/tmp/x', ...args]);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr).toContain(message);
    }
  });

  it('SIGHUP reloads the certificate files; an unusable file keeps the old certificate', async () => {
    const cert = join(certDir, 'live.crt');
    const key = join(certDir, 'live.key');
    copyFileSync(first.cert, cert);
    copyFileSync(first.key, key);
    const proc = await serve(['--tls-cert', cert, '--tls-key', key, '--tls-implicit']);
    expect(await certCn(proc.port)).toBe('first.test');
    copyFileSync(second.cert, cert);
    copyFileSync(second.key, key);
    proc.child.kill('SIGHUP');
    await outputMatches(proc, /SIGHUP: certificate reloaded/);
    expect(await certCn(proc.port)).toBe('second.test');
    copyFileSync(first.key, cert); // a key where the certificate should be
    proc.child.kill('SIGHUP');
    await outputMatches(proc, /ERROR SIGHUP: certificate not reloaded/);
    expect(await certCn(proc.port)).toBe('second.test');
  });
});

/** A `smtp serve` process started by `serveReadingPipes`. */
interface PipeServe {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** The --tls-cert and --tls-key paths (named pipes). */
  readonly paths: { readonly cert: string; readonly key: string };
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /**
   * Waits (bounded) until the server opens that pipe to read it, runs `whileReading` (the server
   * is held in that read, before it listens), then writes `pem` and closes the pipe.
   */
  feed(which: 'cert' | 'key', pem: string, whileReading?: () => void): Promise<void>;
}

/**
 * `smtp serve` (one process, `--port 0` unless `args` name one) whose --tls-cert and --tls-key are
 * named pipes: the test sees when the server reads them (before it listens) and holds it there
 * until it writes them.
 */
function serveReadingPipes(args: readonly string[] = ['--port', '0']): PipeServe {
  const tmp = tempDir('serve-pipes-');
  cleanups.push(tmp.cleanup);
  const paths = { cert: join(tmp.dir, 'cert.pipe'), key: join(tmp.dir, 'key.pipe') };
  execFileSync('mkfifo', [paths.cert, paths.key]);
  const child = spawn(process.execPath, ['--import', 'tsx', cliMain, 'serve', '--dir', join(tmp.dir, 'store'), '--tls-cert', paths.cert, '--tls-key', paths.key, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    child,
    paths,
    output: () => out,
    exited,
    feed: async (which, pem, whileReading) => {
      for (let waited = 0; waited < 20_000; waited += 2) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`smtp serve ended (${String(child.exitCode ?? child.signalCode)}) before it read its ${which}:\n${out}`);
        let fd: number | undefined;
        try {
          // never blocks: ENXIO while no one has the pipe open to read it
          fd = openSync(paths[which], constants.O_WRONLY | constants.O_NONBLOCK);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENXIO') throw e;
        }
        if (fd !== undefined) {
          try {
            whileReading?.();
            writeSync(fd, pem);
          } finally {
            closeSync(fd);
          }
          return;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      throw new Error(`smtp serve never read its ${which}:\n${out}`);
    },
  };
}

/** Puts a plain file with `text` in place of `path` (one rename: a reader holding the old file keeps it). */
function replaceFile(path: string, text: string): void {
  writeFileSync(`${path}.new`, text);
  renameSync(`${path}.new`, path);
}

describe('smtp serve: signals while it starts', () => {
  // The server is held while it reads its certificate, before it listens: a SIGHUP there met the
  // default action and ended it (its handlers came after the listening line).
  it('a SIGHUP while it reads its certificate is remembered and answered once it listens (a reload), and it serves', async () => {
    const proc = serveReadingPipes(['--port', '0', '--tls-implicit']);
    // the answer reads the files again: by then plain files with the second pair stand in the pipes' places
    await proc.feed('cert', readFileSync(first.cert, 'utf8'), () => {
      proc.child.kill('SIGHUP');
      replaceFile(proc.paths.cert, readFileSync(second.cert, 'utf8'));
    });
    await proc.feed('key', readFileSync(first.key, 'utf8'), () => replaceFile(proc.paths.key, readFileSync(second.key, 'utf8')));
    for (let waited = 0; waited < 20_000 && !/SIGHUP: certificate /.test(proc.output()) && proc.child.exitCode === null && proc.child.signalCode === null; waited += 25) await new Promise((r) => setTimeout(r, 25));
    expect(proc.child.signalCode, proc.output()).toBeNull();
    expect(proc.child.exitCode, proc.output()).toBeNull();
    expect(proc.output()).toMatch(/INFO SIGHUP came while the server started: answered now that it listens/);
    expect(proc.output()).toMatch(/INFO SIGHUP: certificate reloaded/);
    const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(proc.output())?.[1]);
    expect(await certCn(port)).toBe('second.test');
    expect(await session(port, MESSAGE, 10_000, true)).toMatch(/^250 2\.0\.0 Ok: queued as /m);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
  });

  it('a SIGHUP after it catches signals, before it reads its certificate: nothing to reload, and it serves', async () => {
    const proc = serveReadingPipes();
    // SigCgt: the signals the process catches, bit 0 for SIGHUP
    const catchesHangup = (): boolean => {
      const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${String(proc.child.pid)}/status`, 'utf8'))?.[1] ?? '0';
      return (BigInt(`0x${mask}`) & 1n) === 1n;
    };
    for (let waited = 0; waited < 15_000 && !catchesHangup(); waited += 2) {
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(catchesHangup(), `it never caught SIGHUP before it read its certificate:\n${proc.output()}`).toBe(true);
    // no one reads the certificate pipe yet (a writer cannot open it)
    expect(() => closeSync(openSync(proc.paths.cert, constants.O_WRONLY | constants.O_NONBLOCK))).toThrow(/ENXIO/);
    proc.child.kill('SIGHUP');
    await proc.feed('cert', readFileSync(first.cert, 'utf8'));
    await proc.feed('key', readFileSync(first.key, 'utf8'));
    for (let waited = 0; waited < 20_000 && !/listening on/.test(proc.output()) && proc.child.exitCode === null; waited += 25) await new Promise((r) => setTimeout(r, 25));
    expect(proc.output()).toMatch(/INFO SIGHUP came while the server started, before it read the certificate files: nothing to reload/);
    const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(proc.output())?.[1]);
    expect(await session(port, MESSAGE)).toMatch(/^250 2\.0\.0 Ok: queued as /m);
    expect(proc.output()).not.toMatch(/SIGHUP: certificate|answered now/);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
  });

  it('SIGINT or SIGTERM while it reads its certificate: exit 0, and nothing listens', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const port = await freePort();
      const proc = serveReadingPipes(['--port', String(port)]);
      await proc.feed('cert', readFileSync(first.cert, 'utf8'), () => proc.child.kill(signal));
      // the files are read as streams: the signal may end it before it opens the key (or after)
      await proc.feed('key', readFileSync(first.key, 'utf8')).catch((e: Error) => expect(e.message).toMatch(/^smtp serve ended \(0\) before it read its key/));
      expect(await proc.exited, proc.output()).toEqual({ code: 0, signal: null });
      expect(proc.output()).not.toMatch(/listening on/);
      const refused = await new Promise<string>((resolve) => {
        const s = connect({ host: '127.0.0.1', port });
        s.once('connect', () => (s.destroy(), resolve('connected')));
        s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      });
      expect(refused, signal).toBe('ECONNREFUSED');
    }
  });
});

describe('smtp serve --workers', () => {
  it('N processes on one port: one listening line, sessions spread, SIGHUP forwarded, SIGTERM stops all (exit 0)', async () => {
    const proc = await serve(['--workers', '2']);
    expect(proc.output().match(/listening on/g)).toHaveLength(1);
    for (let i = 0; i < 6; i++) expect(await session(proc.port, ['EHLO me.test\r\n', 'QUIT\r\n'])).toMatch(/221 /);
    const out = await outputMatches(proc, /(?:worker=2[\s\S]*worker=1|worker=1[\s\S]*worker=2)/);
    expect(out).toMatch(/INFO connect worker=\d session=/);
    proc.child.kill('SIGHUP');
    await outputMatches(proc, /no --tls-cert[^\n]*worker=1[\s\S]*no --tls-cert|no --tls-cert[^\n]*worker=2[\s\S]*no --tls-cert/);
    const exit = new Promise<number | null>((r) => proc.child.once('exit', (code) => r(code)));
    proc.child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  // The SIGHUP goes as soon as the first worker exists, while the primary forks the others: it
  // was killed by it now and then (the default action, before its handlers were set after the
  // forks; 2 runs of 5), and its workers then failed on their closed channel (EPIPE).
  it('a SIGHUP while the workers start reaches each one only once it listens (it would kill a starting one), and does not kill the primary forking them: the server comes up', async () => {
    const tmp = tempDir('serve-hup-');
    cleanups.push(tmp.cleanup);
    const cli = fileURLToPath(new URL('./main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--port', '0', '--dir', join(tmp.dir, 'store'), '--tls-cert', first.cert, '--tls-key', first.key, '--workers', '4'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      // ps exits non-zero while the primary has no children yet
      const forked = (): number => {
        try {
          return workersOf(child.pid!).length;
        } catch {
          return 0;
        }
      };
      for (let waited = 0; waited < 15_000 && forked() < 1; waited += 2) await new Promise((r) => setTimeout(r, 2));
      child.kill('SIGHUP');
      for (let waited = 0; waited < 20_000 && !/listening on/.test(out); waited += 25) await new Promise((r) => setTimeout(r, 25));
      expect(out, out).toMatch(/listening on 127\.0\.0\.1:\d+/);
      expect(out).not.toMatch(/exited unexpectedly/);
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('Ctrl-C (SIGINT to every process) plus SIGTERM from the primary: a message in flight still gets its 250', async () => {
    const proc = await serve(['--workers', '2']);
    const children = workersOf(proc.child.pid!);
    expect(children).toHaveLength(2);
    const { socket: s, until } = talk(proc.port);
    await until(/^220 /m);
    s.write('EHLO me.test\r\n');
    await until(/^250 /m);
    s.write('MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n');
    await until(/^354 /m);
    s.write('Subject: in flight\r\n\r\nfirst half\r\n');
    const exit = new Promise<number | null>((r) => proc.child.once('exit', (code) => r(code)));
    for (const pid of children) process.kill(pid, 'SIGINT');
    // the primary's SIGTERM reaches the workers after they began stopping
    await outputMatches(proc, /SIGINT: stopping[\s\S]*SIGINT: stopping/);
    proc.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    s.write('second half\r\n.\r\n');
    await until(/^250 2\.0\.0 Ok: queued/m);
    s.write('QUIT\r\n');
    expect(await exit).toBe(0);
  });

  it('a worker that dies is reported, the others are stopped, exit 1 (no silent restart)', async () => {
    const proc = await serve(['--workers', '2']);
    await session(proc.port, ['EHLO me.test\r\n', 'QUIT\r\n']);
    // the workers are the primary's children
    const children = workersOf(proc.child.pid!);
    expect(children).toHaveLength(2);
    const exit = new Promise<number | null>((r) => proc.child.once('exit', (code) => r(code)));
    process.kill(children[0]!, 'SIGKILL');
    expect(await exit).toBe(1);
    expect(proc.output()).toMatch(/ERROR worker exited unexpectedly/);
  });
});

// A run that forks starts three processes (the primary and two workers, each loading the CLI under
// tsx: about 0.7 s of CPU apiece, 2.2-2.7 s a run on one idle core, measured); the test runner and
// its children share that core, so under load a run takes several times that. One run per test:
// each has the whole test timeout, and runCli's 20 s kill stays inside it.
describe('smtp serve --workers that cannot start', () => {
  it('a --dir it cannot use is exit 2, as without --workers, found before any worker is forked', async () => {
    const tmp = tempDir('serve-ops-');
    cleanups.push(tmp.cleanup);
    const file = join(tmp.dir, 'not-a-dir');
    writeFileSync(file, 'x');
    const dirRun = await runCli(['serve', '-p', '0', '-d', file, '--workers', '2'], { timeoutMs: 20_000 });
    expect(dirRun.code, dirRun.stderr).toBe(2);
    expect(dirRun.stderr).toContain(`smtp serve: cannot use the message directory ${file}: EEXIST`);
    expect(dirRun.stderr).not.toMatch(/unexpectedly/);
    // no worker was started to find it out (the primary logs a worker that cannot start)
    expect(dirRun.stderr).not.toMatch(/worker/);
  });

  it('an address in use is exit 3, as without --workers', async () => {
    const tmp = tempDir('serve-ops-');
    cleanups.push(tmp.cleanup);
    const taken = createNetServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => void taken.close());
    const port = (taken.address() as AddressInfo).port;
    const portRun = await runCli(['serve', '-p', String(port), '-d', join(tmp.dir, 'store'), '--workers', '2'], { timeoutMs: 20_000 });
    expect(portRun.code, portRun.stderr).toBe(3);
    expect(portRun.stderr).toContain(`smtp serve: cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
    expect(portRun.stderr).not.toMatch(/unexpectedly/);
  });
});

describe('smtp serve storage failures', () => {
  it('a message that cannot be stored gets 451 4.3.0 and an ERROR line (shown at --log-level error)', async () => {
    const tmp = tempDir('serve-ops-');
    cleanups.push(tmp.cleanup);
    const store = join(tmp.dir, 'store');
    const proc = await startServe(['--dir', store, '--log-level', 'error']);
    running.push(proc);
    rmSync(store, { recursive: true, force: true }); // the directory goes away under the running server
    const heard = await session(proc.port, MESSAGE);
    expect(heard).toContain('451 4.3.0 Local error in processing: could not store the message');
    const out = await outputMatches(proc, /ERROR cannot store a message/);
    expect(out).toMatch(/ERROR cannot store a message session=\S+ err="ENOENT: no such file or directory/);
    expect(out).not.toMatch(/INFO|private words/);
  });
});

describe('smtp serve with its log reader gone', () => {
  it('a closed stderr pipe (smtp serve 2>&1 | head) ends the log, not the server', async () => {
    const tmp = tempDir('serve-ops-');
    cleanups.push(tmp.cleanup);
    const proc = await startServe(['--dir', join(tmp.dir, 'store'), '--transcript']);
    running.push(proc);
    proc.child.stderr!.destroy(); // the reader of the log goes away: the next log line meets EPIPE
    for (let i = 0; i < 3; i++) {
      const heard = await session(proc.port, MESSAGE);
      expect(heard, `session ${i + 1}`).toMatch(/^250 2\.0\.0 Ok: queued as /m);
      expect(heard).toMatch(/^221 /m);
    }
    expect(proc.child.exitCode).toBeNull();
    proc.child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => proc.child.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
  });
});

describe('smtp serve fairness limits', () => {
  it('a --dir that cannot be made (a file in the way) is named in the error, exit 2, not reported as a listen failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smtp-serve-dir-'));
    try {
      const file = join(dir, 'not-a-dir');
      writeFileSync(file, 'x');
      for (const bad of [file, join(file, 'sub')]) {
        const run = await runCli(['serve', '-p', '0', '-d', bad]);
        expect(run.code, run.stderr).toBe(2);
        expect(run.stderr).toMatch(new RegExp(`^smtp serve: cannot use the message directory ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: (EEXIST|ENOTDIR)\n$`));
        expect(run.stderr).not.toMatch(/cannot listen/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a --dir where mkdir answers ENOENT under an existing parent (/proc) ends with exit 2, not an endless retry', async () => {
    // Node's recursive mkdir loops forever there at full CPU; runCli kills a process that outlives its limit.
    const run = await runCli(['serve', '-p', '0', '-d', '/proc/smtpkit-no-such-dir/store'], { timeoutMs: 15_000 });
    expect(run.signal).toBeNull();
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toBe('smtp serve: cannot use the message directory /proc/smtpkit-no-such-dir/store: ENOENT\n');
  });

  it('--max-connections and --max-connections-per-client refuse with 421 4.7.0', async () => {
    for (const flag of ['--max-connections', '--max-connections-per-client']) {
      const proc = await serve([flag, '1']);
      const holder = connect({ host: '127.0.0.1', port: proc.port });
      await new Promise((r) => holder.once('data', r));
      const refused = await session(proc.port, []);
      expect(refused, flag).toMatch(/^421 4\.7\.0 /);
      holder.destroy();
    }
    expect((await runCli(['serve', '-p', '0', '-d', '/tmp/x', '--max-connections-per-client', '-1'])).code).toBe(2);
  });

  it('--hostname with an internationalised name greets with its ASCII form (A-labels)', async () => {
    const proc = await serve(['--hostname', 'm\u00fcnchen.example']);
    const heard = await session(proc.port, ['EHLO c.example\r\n', 'QUIT\r\n']);
    expect(heard).toMatch(/^220 xn--mnchen-3ya\.example /);
    expect(heard).toContain('250-xn--mnchen-3ya.example');
  });

  it('--client-ipv6-prefix: IPv6 clients share the per-client limit by /64, or by the prefix given', async () => {
    const greet = async (port: number, source: string): Promise<{ socket: Socket; first: string }> => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.on('error', () => undefined);
      socket.write(`PROXY TCP6 ${source} 2001:db8::25 40000 25\r\n`);
      const first = await new Promise<string>((r) => socket.once('data', (d: Buffer) => r(d.toString('latin1'))));
      return { socket, first };
    };
    for (const [extra, second] of [[[], /^421 4\.7\.0 /], [['--client-ipv6-prefix', '128'], /^220 /]] as const) {
      const proc = await serve(['--proxy-protocol', '--max-connections-per-client', '1', ...extra]);
      const a = await greet(proc.port, '2001:db8:0:9::1');
      const b = await greet(proc.port, '2001:db8:0:9::2');
      expect(a.first).toMatch(/^220 /);
      expect(b.first, extra.join(' ')).toMatch(second);
      a.socket.destroy();
      b.socket.destroy();
    }
    expect((await runCli(['serve', '-p', '0', '-d', '/tmp/x', '--client-ipv6-prefix', '129'])).code).toBe(2);
  });

  it('--proxy-from: a PROXY header is taken from the peers listed only; another peer gets 421 4.7.0 and is closed', async () => {
    const proc = await serve(['--proxy-protocol', '--proxy-from', '192.0.2.0/24,127.0.0.2', '--hostname', 'sink.example']);
    const from = (localAddress: string) => {
      const c = talk(proc.port, { localAddress, timeoutMs: 10_000 });
      c.socket.write('PROXY TCP4 203.0.113.9 192.0.2.25 40000 25\r\n');
      return c;
    };
    const refused = from('127.0.0.1');
    await refused.closed;
    expect(refused.heard()).toMatch(/^421 4\.7\.0 sink\.example [^\r\n]*\r\n$/);
    const allowed = from('127.0.0.2');
    await allowed.until(/^220 sink\.example /);
    allowed.socket.write('QUIT\r\n');
    await allowed.closed;
    const log = await outputMatches(proc, /connection refused/);
    const line = log.split('\n').find((l) => l.includes('connection refused'));
    // the peer's own address, not the one its header claimed
    expect(line).toMatch(/WARN connection refused remoteAddress=127\.0\.0\.1 reason=/);
    expect(line).not.toContain('203.0.113.9');
  });

  it('--proxy-from: a bad address or prefix, or the flag without --proxy-protocol, is a usage error (exit 2)', async () => {
    const bad = await runCli(['serve', '-p', '0', '-d', '/tmp/x', '--proxy-protocol', '--proxy-from', '10.0.0.0/33']);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('--proxy-from') as unknown]);
    const without = await runCli(['serve', '-p', '0', '-d', '/tmp/x', '--proxy-from', '10.0.0.0/8']);
    expect([without.code, without.stderr]).toEqual([2, expect.stringContaining('--proxy-protocol') as unknown]);
  });

  it('--proxy-header-timeout: a connection whose PROXY header is not done in time is closed with no reply, logged at WARN with the peer\'s address', async () => {
    const proc = await serve(['--proxy-protocol', '--proxy-header-timeout', '0.3', '--hostname', 'sink.example']);
    const slow = talk(proc.port, { timeoutMs: 10_000 });
    slow.socket.write('PROXY TCP4 203.0.113.9 ');
    // a generous bound, still under the 10 s default: only the option closes it this early
    const bound = new Promise<string>((r) => setTimeout(() => r('still open'), 8000).unref());
    expect(await Promise.race([slow.closed.then(() => 'closed'), bound])).toBe('closed');
    expect(slow.heard()).toBe('');
    const log = await outputMatches(proc, /PROXY header timeout/);
    expect(log.split('\n').find((l) => l.includes('PROXY header timeout'))).toMatch(/WARN PROXY header timeout remoteAddress=127\.0\.0\.1 timeoutMs=300$/);
    // a header sent at once is still taken
    const quick = talk(proc.port, { timeoutMs: 10_000 });
    quick.socket.write('PROXY TCP4 203.0.113.9 192.0.2.25 40000 25\r\n');
    await quick.until(/^220 sink\.example /);
    quick.socket.write('QUIT\r\n');
    await quick.closed;
  });

  it('--proxy-header-timeout: not a number of seconds, past what a timer holds, or without --proxy-protocol is a usage error (exit 2)', async () => {
    for (const value of ['soon', '-1', '2147484']) {
      const bad = await runCli(['serve', '-p', '0', '-d', '/tmp/x', '--proxy-protocol', '--proxy-header-timeout', value]);
      expect([bad.code, bad.stderr], value).toEqual([2, expect.stringContaining('--proxy-header-timeout') as unknown]);
    }
    const without = await runCli(['serve', '-p', '0', '-d', '/tmp/x', '--proxy-header-timeout', '5']);
    expect([without.code, without.stderr]).toEqual([2, expect.stringContaining('--proxy-header-timeout needs --proxy-protocol') as unknown]);
  });

  it('--command-deadline and --data-deadline end a trickle with 421 whatever it sends', async () => {
    const proc = await serve(['--command-deadline', '0.5', '--data-deadline', '1']);
    const line = await session(proc.port, ['EHL']);
    expect(line).toMatch(/^421 4\.4\.2 /m);
    const data = await session(proc.port, [...MESSAGE.slice(0, 4), 'Subject: slow\r\n']);
    expect(data).toMatch(/^354 /m);
    expect(data).toMatch(/^421 4\.4\.2 /m);
    expect((await runCli(['serve', '-p', '0', '-d', '/tmp/x', '--data-deadline', 'soon'])).code).toBe(2);
  });

  it('--command-deadline and --data-deadline past what a timer holds are usage errors naming the flag typed, not the library option it sets', async () => {
    // 2147483.648 s: one ms past the bound
    for (const [flag, value] of [
      ['--command-deadline', '9999999'],
      ['--data-deadline', '2147483.648'],
    ] as const) {
      const bad = await runCli(['serve', '-p', '0', '-d', '/tmp/x', flag, value]);
      expect([bad.code, bad.stderr], `${flag} ${value}`).toEqual([2, expect.stringContaining(`'${flag} <seconds>' argument '${value}' is invalid. expected at most 2147483.647 seconds.`) as unknown]);
      expect(bad.stderr, `${flag} ${value}`).not.toContain('timeouts.');
    }
  });

  it('the largest timer each seconds flag holds is taken, and --min-data-rate-grace (not a timer) takes any value up to 9999999.999', async () => {
    const proc = await serve(['--command-deadline', '2147483.647', '--data-deadline', '2147483.647', '--min-data-rate-grace', '9999999.999', '--proxy-protocol', '--proxy-header-timeout', '2147483.647']);
    const c = talk(proc.port, { timeoutMs: 10_000 });
    c.socket.write('PROXY TCP4 203.0.113.9 192.0.2.25 40000 25\r\n');
    await c.until(/^220 /);
    c.socket.write('QUIT\r\n');
    await c.closed;
    expect(c.heard()).toMatch(/^221 /m);
  });

  it('--min-data-rate ends a message body slower than the rate once --min-data-rate-grace is over; command lines are not rated', async () => {
    const proc = await serve(['--min-data-rate', '100k', '--min-data-rate-grace', '0.5']);
    const { socket: s, heard, until, closed } = talk(proc.port, { timeoutMs: 10_000 });
    const waitFor = (n: number): Promise<void> => until((text) => (text.match(/^\d{3} /gm)?.length ?? 0) >= n);
    await waitFor(1);
    // a command line dripped far below 100 KiB/s for longer than the grace: still answered
    const line = 'EHLO me.test\r\n';
    for (const c of line) {
      s.write(c);
      await new Promise((r) => setTimeout(r, 60));
    }
    await waitFor(2);
    expect(heard()).toMatch(/^250 /m);
    s.write('MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n');
    await waitFor(5);
    expect(heard()).toMatch(/^354 /m);
    // a body at a few bytes a second
    const drip = setInterval(() => s.write('N'), 100);
    await Promise.race([closed, new Promise<void>((resolve) => setTimeout(resolve, 20_000).unref())]);
    clearInterval(drip);
    expect(heard()).toMatch(/^421 4\.4\.2 /m);
    expect((await runCli(['serve', '-p', '0', '-d', '/tmp/x', '--min-data-rate-grace', 'later'])).code).toBe(2);
  }, 30_000);
});
