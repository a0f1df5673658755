// `pnpm -s smtp serve` as a script starts it: `pnpm -s smtp serve ... &`, later `kill $!`. The
// signal reaches pnpm, not the server; the server must still stop cleanly and free its port, not
// live on as an orphan (pnpm's script shell used to die on the SIGTERM without passing it on).
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { repoRoot } from './run-cli.js';
import { tempDir } from './testing/peers.js';

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

describe('pnpm -s smtp (the documented launcher)', () => {
  it('SIGTERM to pnpm stops serve gracefully and frees the port (no orphaned server)', async () => {
    const tmp = tempDir('launcher-');
    cleanups.push(tmp.cleanup);
    // detached: its own process group, so afterEach can remove every process of it.
    const child = spawn('pnpm', ['-s', 'smtp', 'serve', '-p', '0', '-d', `${tmp.dir}/store`], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    groups.push(child);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    // 'exit' first: an orphaned server would keep the pipes open, so 'close' would never come.
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    for (let waited = 0; !/listening on \S+:\d+/.test(out); waited += 50) {
      if (waited > 30_000) throw new Error(`no listening line:\n${out}\n${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const port = Number(/listening on \S+:(\d+)/.exec(out)![1]);
    expect(await refused(port)).toBe(false);
    child.kill('SIGTERM'); // pnpm's own pid, as `kill $!` does
    expect(await exited).toBe(0);
    await closed;
    expect(err).toContain('SIGTERM: stopping');
    expect(await refused(port)).toBe(true);
  }, 60_000);
});
