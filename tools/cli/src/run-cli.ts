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

/** Runs `smtp ...args`, optionally feeding stdin, killing it after `timeoutMs`. */
export function runCli(args: readonly string[], options: { stdin?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cliMain, ...args], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
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
