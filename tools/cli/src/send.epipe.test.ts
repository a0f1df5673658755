// smtp send with its stdout closed early (`smtp send ... | head -1`): the reader going away stops the
// output, not the run, and the exit code is the mail's outcome (0, 1 or 4), as with stdout open. It
// used to exit 0 at the first write into the closed pipe, before the exit code was computed: a
// script read success for mail that was rejected, or maybe delivered (4: do not resend blindly).
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { spawn } from 'node:child_process';
import { crlfLines } from '@smtpkit/testkit';
import { cliMain, repoRoot } from './run-cli.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

type Mode = 'accept' | 'reject' | 'drop-after-dot';

/**
 * A server that accepts every recipient, rejects them all (550 to each RCPT, 554 to DATA), or closes
 * the connection when the final dot comes (no reply: the outcome is unknown). `hold` delays the
 * reply to every MAIL after the first until it resolves. `mails` counts the MAIL commands.
 */
function server(mode: Mode, hold?: Promise<void>): Promise<{ port: number; mails: () => number }> {
  let mails = 0;
  const srv = createServer((socket: Socket) => {
    socket.on('error', () => undefined);
    socket.write('220 mx.test ESMTP\r\n');
    let data = false;
    socket.setEncoding('latin1');
    socket.on(
      'data',
      crlfLines((line) => {
        if (data) {
          if (line !== '.') return;
          data = false;
          if (mode === 'drop-after-dot') socket.destroy();
          else socket.write('250 2.0.0 Ok: queued\r\n');
          return;
        }
        if (line.startsWith('EHLO')) socket.write('250-mx.test\r\n250 ENHANCEDSTATUSCODES\r\n');
        else if (line.startsWith('MAIL')) {
          mails++;
          if (mails > 1 && hold !== undefined) void hold.then(() => socket.write('250 2.1.0 Ok\r\n'));
          else socket.write('250 2.1.0 Ok\r\n');
        } else if (line.startsWith('RCPT')) socket.write(mode === 'reject' ? '550 5.1.1 No such user\r\n' : '250 2.1.5 Ok\r\n');
        else if (line === 'DATA') {
          if (mode === 'reject') socket.write('554 5.5.1 No valid recipients\r\n');
          else {
            data = true;
            socket.write('354 go\r\n');
          }
        } else if (line === 'QUIT') socket.end('221 2.0.0 Bye\r\n');
        else socket.write('250 2.0.0 Ok\r\n');
      }),
    );
  });
  servers.push(srv);
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({ port: (srv.address() as AddressInfo).port, mails: () => mails })));
}

/**
 * Runs `smtp send` whose stdout reader goes away: at once (`linesRead` 0), or after reading that
 * many lines (as `head -n` does); `closed()` is called once it went. Resolves with the exit code.
 */
function runWithClosedStdout(args: readonly string[], linesRead: number, closed?: () => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cliMain, ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const close = (): void => {
      child.stdout.destroy();
      closed?.();
    };
    if (linesRead === 0) close();
    else {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (stdout.split('\n').length > linesRead) close();
      });
    }
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const send = (port: number, ...more: string[]): string[] => ['send', '-H', '127.0.0.1', '-p', String(port), '-f', 'a@client.test', '-t', 'b@srv.test', '--starttls', 'off', '--no-progress', '--timeout', '5000', ...more];

describe('smtp send with stdout closed before anything is written', () => {
  it.each([
    ['every recipient accepted', 0, 'accept'],
    ['every recipient rejected', 1, 'reject'],
    ['no reply after the final dot (maybe delivered)', 4, 'drop-after-dot'],
  ] as const)('%s: every message still sent, exit %i as with stdout open, no stack trace', async (_what, code, mode) => {
    for (const output of [['--json'], []]) {
      const srv = await server(mode);
      const r = await runWithClosedStdout(send(srv.port, '--count', '3', ...output), 0);
      expect(r.signal).toBeNull();
      expect(r.stderr, output.join(' ')).not.toMatch(/EPIPE|Error|\n\s+at /);
      expect(r.code, output.join(' ')).toBe(code);
      expect(srv.mails()).toBe(3);
    }
  }, 60_000);
});

describe('smtp send piped into a reader that takes one line (`| head -n 1`)', () => {
  it.each([
    ['every recipient rejected', 1, 'reject'],
    ['no reply after the final dot (maybe delivered)', 4, 'drop-after-dot'],
  ] as const)('%s: the messages after the reader went are sent, exit %i', async (_what, code, mode) => {
    // the second message's MAIL is answered only once the reader has gone: its line meets a closed pipe
    let release!: () => void;
    const srv = await server(mode, new Promise<void>((r) => (release = r)));
    const r = await runWithClosedStdout(send(srv.port, '--count', '3', '--json'), 1, () => release());
    expect(r.signal).toBeNull();
    expect(JSON.parse(r.stdout.split('\n')[0]!)).toMatchObject({ type: 'message', index: 0, ok: false });
    expect(r.stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
    expect(r.code).toBe(code);
    expect(srv.mails()).toBe(3);
  });
});
