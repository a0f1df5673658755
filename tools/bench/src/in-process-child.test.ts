// The in-process rows of the server suite: both servers complete the scripted client's messages
// behind the in-memory socket and report a CPU figure (a figure never comes from a server that
// stalled or answered nothing: the child reports only after every message got its 250).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./in-process-child.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

function run(kind: string, sessions: number, messages: number): Promise<{ cpu: number }> {
  return new Promise((resolve, reject) => {
    const c = fork(child, [kind, String(sessions), String(messages)], { cwd: repoRoot, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    const timer = setTimeout(() => {
      c.kill('SIGKILL');
      reject(new Error(`${kind}: no report within 30 s`));
    }, 30_000);
    c.once('message', (m) => {
      clearTimeout(timer);
      resolve(m as { cpu: number });
    });
    c.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} exited (${String(code)}) before reporting`));
    });
  });
}

describe('in-process server bench child', () => {
  for (const kind of ['ours', 'peer']) {
    it(`${kind}: every scripted message is answered and a CPU figure is reported`, async () => {
      const { cpu } = await run(kind, 2, 60);
      expect(Number.isFinite(cpu)).toBe(true);
      expect(cpu).toBeGreaterThan(0);
    }, 40_000);
  }

  it('refuses arguments it cannot run', async () => {
    await expect(run('other', 1, 1)).rejects.toThrow(/exited/);
  }, 40_000);
});
