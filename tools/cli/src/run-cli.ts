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

/** How {@link runCli} runs the command. */
export interface RunCliOptions {
  /** Written to its standard input, a socket pair (Node's `stdio: 'pipe'`), which is then closed; empty when not given. */
  readonly stdin?: string;
  /**
   * Runs `cat FILE | smtp ...args` in a shell instead: standard input a real pipe holding this
   * file, as a shell makes it (`/dev/stdin` opens a pipe, not a socket pair). `stdin` is then unused.
   */
  readonly pipeFrom?: string;
  /** It is killed (SIGKILL) after this long: 20 s when not given. */
  readonly timeoutMs?: number;
  /** Added to the environment (with NO_COLOR=1). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Its stdout reader goes away after that many bytes (0: at once), as `| head -c N` does;
   * `stdout` then holds what was read.
   */
  readonly stdoutBytes?: number;
}

/**
 * Runs `smtp ...args` (see {@link RunCliOptions}) and resolves with its exit code or signal and
 * its output. A command that stops reading its standard input early (at an input's cap) is no
 * error of the run: what it did not take is dropped.
 */
export function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, '--import', 'tsx', cliMain, ...args];
    const [file, argv]: [string, string[]] = options.pipeFrom === undefined ? [process.execPath, command.slice(1)] : ['sh', ['-c', 'cat "$0" | exec "$@"', options.pipeFrom, ...command]];
    const child = spawn(file, argv, {
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
    // a child that exits before reading all of it closes the pipe (EPIPE): not a failure here
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.pipeFrom === undefined ? (options.stdin ?? '') : '');
  });
}
