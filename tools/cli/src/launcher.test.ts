// `pnpm -s smtp serve` as a script or a supervisor starts it. A signal sent to pnpm (`kill $!`) or
// to pnpm's child must reach the server: pnpm's script shell used to die on a SIGTERM without
// passing it on, and the tsx wrapper in between died on SIGHUP, each leaving the server orphaned.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { repoRoot } from './run-cli.js';
import { tempDir, testCertificate } from './testing/peers.js';

const groups: ChildProcess[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  // Whatever the outcome, nothing of the run outlives the test: the whole process group goes.
  for (const child of groups.splice(0)) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const c of cleanups.splice(0)) c();
});

/** Resolves true when a TCP connection to the port is refused, false when one is accepted. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.on('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', () => resolve(true));
  });
}

/** Waits (bounded) until `read()` matches. */
async function until(read: () => string, re: RegExp, what: string): Promise<RegExpExecArray> {
  for (let waited = 0; ; waited += 50) {
    const m = re.exec(read());
    if (m) return m;
    if (waited > 30_000) throw new Error(`${what} never came:\n${read()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `pnpm -s smtp serve -p 0 -d <tmp> ...extra` in its own process group, once it listens. */
async function pnpmServe(extra: readonly string[] = []) {
  const tmp = tempDir('launcher-');
  cleanups.push(tmp.cleanup);
  const child = spawn('pnpm', ['-s', 'smtp', 'serve', '-p', '0', '-d', `${tmp.dir}/store`, ...extra.map((a) => a.replace('{tmp}', tmp.dir))], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  groups.push(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  // 'exit' first: an orphaned server would keep the pipes open, so 'close' would never come.
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const port = Number((await until(() => out, /listening on \S+:(\d+)/, 'the listening line'))[1]);
  return { child, port, exited, closed, tmp: tmp.dir, stderr: () => err };
}

describe('pnpm -s smtp (the documented launcher)', () => {
  it('SIGTERM to pnpm stops serve gracefully and frees the port (no orphaned server)', async () => {
    const s = await pnpmServe();
    expect(await refused(s.port)).toBe(false);
    s.child.kill('SIGTERM'); // pnpm's own pid, as `kill $!` does
    expect(await s.exited).toBe(0);
    await s.closed;
    expect(s.stderr()).toContain('SIGTERM: stopping');
    expect(await refused(s.port)).toBe(true);
  }, 60_000);

  it("SIGHUP to pnpm's child (the server process) reloads the certificate and the server keeps running", async () => {
    const dir = tempDir('launcher-cert-');
    cleanups.push(dir.cleanup);
    const { cert, key } = testCertificate(dir.dir);
    const s = await pnpmServe(['--tls-cert', cert, '--tls-key', key]);
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(s.child.pid)], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
    expect(children).toHaveLength(1);
    process.kill(children[0]!, 'SIGHUP');
    await until(s.stderr, /SIGHUP: certificate reloaded/, 'the reload line');
    expect(await refused(s.port)).toBe(false);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    await s.closed;
    expect(await refused(s.port)).toBe(true);
  }, 60_000);
});
