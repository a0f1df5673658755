// Test helper: runs the smtp command in a child process (node --import tsx) and collects its output.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Repository root (tsx finds the root tsconfig paths from here). */
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
/** The CLI entry point. */
export const cliMain = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Outcome of one CLI run. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `smtp ...args`, optionally feeding stdin, killing it after `timeoutMs`. `stdoutBytes`: its
 * stdout reader goes away after that many bytes (0: at once), as `| head -c N` does; `stdout` then
 * holds what was read.
 */
export function runCli(args: readonly string[], options: { stdin?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv; stdoutBytes?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cliMain, ...args], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const limit = options.stdoutBytes;
    if (limit === undefined) child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    else if (limit === 0) child.stdout.destroy();
    else {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.subarray(0, limit - stdout.length).toString('latin1');
        if (stdout.length >= limit) child.stdout.destroy();
      });
    }
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
