// `smtp serve --workers`: a SIGHUP that the primary gets while a worker has read (or is reading) its
// certificate files but does not listen yet. The primary cannot forward it then (a worker that has
// not caught its signals would die of it), so it sends it once that worker listens: every worker
// ends up serving the files as they were at the last SIGHUP.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { throwawayCertificate } from '@smtpkit/testkit';
import { cliMain, repoRoot } from './run-cli.js';
import { workersOf } from './testing/peers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

let dir = '';
const pems: Record<'first' | 'second', { cert: string; key: string }> = { first: { cert: '', key: '' }, second: { cert: '', key: '' } };
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'serve-workers-reload-'));
  // THROWAWAY, TEST-ONLY EC certificates
  pems.first = throwawayCertificate({ commonName: 'first.test' });
  pems.second = throwawayCertificate({ commonName: 'second.test' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));


/** Whether the process catches SIGHUP (SigCgt bit 0). */
function catchesHangup(pid: number): boolean {
  const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'))?.[1] ?? '0';
  return (BigInt(`0x${mask}`) & 1n) === 1n;
}

/** Waits (bounded) until a reader has the named pipe open, and returns a writer's descriptor. */
async function openedToRead(pipe: string): Promise<number> {
  for (let waited = 0; waited < 20_000; waited += 2) {
    try {
      // never blocks: ENXIO while no one has the pipe open to read it
      return openSync(pipe, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENXIO') throw e;
    }
    await pause(2);
  }
  throw new Error(`no one read ${pipe}`);
}

function writeAndClose(fd: number, text: string): void {
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** Puts a plain file with `text` in place of `path` (one rename: a reader holding the old one keeps it). */
function replaceFile(path: string, text: string): void {
  writeFileSync(`${path}.new`, text);
  renameSync(`${path}.new`, path);
}

async function certCn(port: number): Promise<string> {
  const s = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false });
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('secureConnect', resolve);
      s.once('error', reject);
    });
    return String(s.getPeerCertificate().subject.CN);
  } finally {
    s.destroy();
  }
}

describe('smtp serve --workers: SIGHUP while a worker starts', () => {
  it('a worker that read its certificate before the SIGHUP and listens after it reloads once it listens: every worker serves the new files', async () => {
    const run = mkdtempSync(join(dir, 'run-'));
    const cert = join(run, 'cert.pipe');
    const key = join(run, 'key.pipe');
    execFileSync('mkfifo', [cert, key]);
    const child = spawn(process.execPath, ['--import', 'tsx', cliMain, 'serve', '--port', '0', '--dir', join(run, 'store'), '--tls-cert', cert, '--tls-key', key, '--tls-implicit', '--workers', '2'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const stopped: number[] = [];
    cleanups.push(() => {
      for (const pid of stopped) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // gone already
        }
      }
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });

    // The primary reads the pipes first (to check the pair), then forks the workers.
    writeAndClose(await openedToRead(cert), pems.first.cert);
    writeAndClose(await openedToRead(key), pems.first.key);
    // Both workers would read the same pipes: the second is stopped before it catches its signals
    // (long before it reads a certificate) and let go once the new files are in place.
    let workers: number[] = [];
    for (let waited = 0; waited < 20_000 && workers.length < 2 && child.exitCode === null; waited += 2) {
      workers = workersOf(child.pid!);
      if (workers.length < 2) await pause(2);
    }
    expect(workers, out).toHaveLength(2);
    const later = workers[1]!;
    process.kill(later, 'SIGSTOP');
    stopped.push(later);
    expect(catchesHangup(later), 'the second worker was stopped too late (it caught its signals already)').toBe(false);

    // The first worker reads the old pair; while it reads the key the primary gets SIGHUP, with the
    // new pair in place by the time it could listen.
    writeAndClose(await openedToRead(cert), pems.first.cert);
    const keyWriter = await openedToRead(key);
    child.kill('SIGHUP');
    for (let waited = 0; waited < 20_000 && !/INFO SIGHUP: (?![^\n]*worker=)/.test(out); waited += 25) await pause(25);
    expect(out).toMatch(/INFO SIGHUP: (?![^\n]*worker=)/);
    replaceFile(cert, pems.second.cert);
    replaceFile(key, pems.second.key);
    writeAndClose(keyWriter, pems.first.key);

    process.kill(later, 'SIGCONT');
    stopped.pop();
    for (let waited = 0; waited < 20_000 && !/listening on/.test(out) && child.exitCode === null; waited += 25) await pause(25);
    const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
    expect(port, out).toBeGreaterThan(0);
    // node:cluster's round robin gives each worker every other connection: four reach both
    let cns: string[] = [];
    for (let waited = 0; waited < 10_000; waited += 50) {
      cns = [];
      for (let i = 0; i < 4; i++) cns.push(await certCn(port));
      if (cns.every((cn) => cn === 'second.test')) break;
      await pause(50);
    }
    expect(cns, out).toEqual(['second.test', 'second.test', 'second.test', 'second.test']);
    expect(out).toMatch(/INFO SIGHUP came while this worker started: sent now that it listens worker=\d/);
    expect(out).not.toMatch(/exited unexpectedly/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
