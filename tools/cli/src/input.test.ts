// The file arguments of the CLI are read with a size cap (--rules 4 MiB, --file 64 MiB, --attach
// 48 MiB together), streamed and stopped at the cap: an endless input (/dev/zero, a pipe that never
// ends) is a usage error naming the option, the file and the cap, not a process that grows without
// bound. `--file -` reads the message from standard input, a pipe or a socket alike (a socket's
// /dev/stdin cannot be opened: ENXIO). The inputs here are long but finite, so that a CLI without
// the cap still ends (it read them whole).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingServers } from '@smtpkit/testkit';
import { cliMain, repoRoot, runCli } from './run-cli.js';

const MiB = 1024 * 1024;

const servers = recordingServers();
afterEach(() => servers.closeAll());
const recordingServer = servers.start;

/** A port nothing listens on (a server's port once it closed): a CLI that got past its inputs fails to connect (3). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

interface Fed {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  /** Bytes of the input the child took (written to its stdin) before it closed it or ended. */
  readonly fed: number;
}

/**
 * Runs `smtp ...args` with its standard input Node's 'pipe' (a socket pair on Linux), written with
 * `total` bytes of 76-octet lines as fast as the child takes them, stopped when it closes its end.
 */
function feedCli(args: readonly string[], total: number, timeoutMs = 60_000): Promise<Fed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cliMain, ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const chunk = Buffer.from(`${'x'.repeat(75)}\n`.repeat(13_797)); // about 1 MiB
    let fed = 0;
    let queued = 0;
    let open = true;
    child.stdin.on('error', () => (open = false));
    const pump = (): void => {
      while (open && queued < total) {
        const n = Math.min(chunk.length, total - queued);
        queued += n;
        // counted once written to the child
        if (!child.stdin.write(chunk.subarray(0, n), (e) => void (e ? undefined : (fed += n)))) return void child.stdin.once('drain', pump);
      }
      if (open) child.stdin.end();
    };
    pump();
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      open = false;
      resolve({ code, signal, stderr, fed });
    });
  });
}

/** Runs `producer | smtp ...args` in a shell: the CLI's stdin a real pipe (`/dev/stdin` opens it). */
function pipedCli(producer: string, args: readonly string[], timeoutMs = 60_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', `${producer} | exec ${[process.execPath, '--import', 'tsx', cliMain, ...args].map(quote).join(' ')}`], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

const send = (port: number, ...more: string[]): string[] => ['send', '-H', '127.0.0.1', '-p', String(port), '-f', 'a@client.test', '-t', 'b@srv.test', '--starttls', 'off', '--no-progress', ...more];

describe('file arguments are read up to a cap', () => {
  it('smtp classify --rules: an endless pipe past 4 MiB is a usage error naming the option, the file and the cap; the input is not read on', async () => {
    const r = await pipedCli(`yes 'example.com,10,no such user' | head -c ${36 * MiB}`, ['classify', '--rules', '/dev/stdin', '550', 'x']);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: --rules /dev/stdin: larger than 4 MiB');
  });

  it('smtp send --file: an endless pipe past 64 MiB is a usage error naming the option, the file and the cap (nothing sent)', async () => {
    const port = await closedPort();
    const r = await pipedCli(`yes ${'x'.repeat(75)} | head -c ${96 * MiB}`, send(port, '--file', '/dev/stdin'));
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: --file /dev/stdin: larger than 64 MiB');
  });

  it('smtp send --attach: attachments past 48 MiB together are a usage error naming the option, the file and the cap', async () => {
    const port = await closedPort();
    const r = await pipedCli(`yes ${'x'.repeat(75)} | head -c ${80 * MiB}`, send(port, '--subject', 's', '--attach', '/dev/stdin'));
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: --attach /dev/stdin: larger than 48 MiB');
  });

  it('a --file (a pipe) within the cap is sent whole', async () => {
    const srv = await recordingServer();
    const r = await pipedCli("printf 'Subject: piped\\n\\nline one\\nline two\\n'", send(srv.port, '--file', '/dev/stdin'));
    expect(r.code, r.stderr).toBe(0);
    expect(srv.messages).toEqual([['Subject: piped', '', 'line one', 'line two']]);
  });
});

describe('smtp send --file - (standard input, a socket when spawned by Node)', () => {
  it('sends the message read from standard input', async () => {
    const srv = await recordingServer();
    const r = await runCli(send(srv.port, '--file', '-'), { stdin: 'Subject: from stdin\n\nhello\n' });
    expect(r.code, r.stderr).toBe(0);
    expect(srv.messages).toEqual([['Subject: from stdin', '', 'hello']]);
  });

  it('past 64 MiB: a usage error naming the option, standard input and the cap; it stops reading there', async () => {
    const port = await closedPort();
    const r = await feedCli(send(port, '--file', '-'), 96 * MiB);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: --file - (standard input): larger than 64 MiB');
    // read up to the cap (writes are counted once complete, a chunk at a time), and not much past
    // it: what the socket and the stream's buffers held
    expect(r.fed).toBeGreaterThan(60 * MiB);
    expect(r.fed).toBeLessThan(72 * MiB);
  });

  it('--file /dev/stdin on a socket (which cannot be opened) is a usage error that names --file -', async () => {
    const port = await closedPort();
    const r = await runCli(send(port, '--file', '/dev/stdin'), { stdin: 'Subject: x\n\nhi\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: --file \/dev\/stdin: .*--file -/);
  });
});
