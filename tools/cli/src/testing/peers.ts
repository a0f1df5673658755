// Test helpers for the CLI's interop tests (tools/interop/src/cli-*.test.ts): start real peers on
// loopback with free ports, make throwaway certificates, and always clean up.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, throwawayCertificate, waitForPort } from '@smtpkit/testkit';
import { cliMain, repoRoot } from '../run-cli.js';

/** A started child process; `stop()` kills it (idempotent) and waits for it to exit. */
export interface Running {
  readonly child: ChildProcess;
  readonly port: number;
  output(): string;
  stop(): Promise<void>;
}

/** Asks the kernel for a free loopback port (released before returning: use it at once). */

/** A temporary directory removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** THROWAWAY, TEST-ONLY self-signed certificate for 127.0.0.1/localhost (RSA 2048, `throwawayCertificate`), written to `dir` as PEM files. */
export function testCertificate(dir: string): { cert: string; key: string; pem: string } {
  const cert = join(dir, 'test-only-cert.pem');
  const key = join(dir, 'test-only-key.pem');
  const pems = throwawayCertificate({ commonName: 'localhost', dns: ['localhost'], ip: ['127.0.0.1'], keyType: 'rsa-2048' });
  writeFileSync(cert, pems.cert);
  writeFileSync(key, pems.key, { mode: 0o600 });
  return { cert, key, pem: join(dir, 'test-only-cert.pem') };
}

function waitFor(child: ChildProcess, pattern: RegExp, timeoutMs: number, label: string, out: { text: string }): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const onData = (): void => {
      const m = pattern.exec(out.text);
      if (m) {
        cleanup();
        resolve(m);
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`${label} exited (${code}) before it was ready:\n${out.text}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${label} not ready within ${timeoutMs} ms:\n${out.text}`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    onData();
  });
}

function track(child: ChildProcess): { text: string } {
  const out = { text: '' };
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out.text += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out.text += d));
  return out;
}

function stopper(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill(signal);
    });
}

/** Starts `smtp serve` with extra options; resolves once it printed `listening on H:P`. */
export async function startServe(args: readonly string[], timeoutMs = 20_000): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', cliMain, 'serve', '--port', '0', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = track(child);
  try {
    const m = await waitFor(child, /listening on (\S+):(\d+)/, timeoutMs, 'smtp serve', out);
    return { child, port: Number(m[2]), output: () => out.text, stop: stopper(child) };
  } catch (e) {
    await stopper(child, 'SIGKILL')();
    throw e;
  }
}

/** Starts Postfix `smtp-sink` on a free port (`extra` flags, e.g. ['-d', template]). */
export async function startSmtpSink(extra: readonly string[] = []): Promise<Running> {
  const port = await freePort();
  const child = spawn('/usr/sbin/smtp-sink', ['-u', 'nobody', '-c', ...extra, `127.0.0.1:${port}`, '64'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = track(child);
  await waitForPort(port, 10_000);
  return { child, port, output: () => out.text, stop: stopper(child) };
}

/** Waits until something accepts TCP connections on the port. */

/**
 * The end of every Python peer script: start the aiosmtpd controller `c`, print `ready` (with
 * `readyArgs`, Python expressions) once it listens, serve until stdin closes (the test's `stop()`
 * or its own exit), then stop the controller.
 */
export function pythonServeTail(readyArgs = "'ready'"): string {
  return `c.start()\nprint(${readyArgs}, flush=True)\ntry:\n    sys.stdin.read()\nfinally:\n    c.stop()\n`;
}

const AIOSMTPD = String.raw`
import asyncio, json, os, ssl, sys, base64
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

outdir, port, cert, key, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
count = 0

class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith('reject'):
            return '550 5.1.1 No such user here'
        envelope.rcpt_tos.append(address)
        return '250 2.1.5 OK'
    async def handle_DATA(self, server, session, envelope):
        global count
        count += 1
        with open(os.path.join(outdir, 'msg-%06d.json' % count), 'w') as f:
            json.dump({'from': envelope.mail_from, 'to': envelope.rcpt_tos, 'data': base64.b64encode(envelope.original_content or envelope.content).decode(), 'tls': session.ssl is not None, 'user': (session.login_data.decode() if isinstance(session.login_data, bytes) else session.login_data) if session.authenticated else None}, f)
        return '250 2.0.0 Message accepted'

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
    return AuthResult(success=ok)

ctx = None
if cert != '-':
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
kwargs = dict(hostname='127.0.0.1', port=port, tls_context=ctx, require_starttls=False)
if user != '-':
    kwargs.update(authenticator=authenticator, auth_require_tls=ctx is not None, auth_required=False)
c = Controller(Handler(), **kwargs)
${pythonServeTail("'ready', port")}`;

export { freePort, waitForPort };

/**
 * Runs a Python server script (`/usr/bin/python3 script ...args`) that listens on `port` and prints
 * `ready` (or what `ready` matches) once it does; `stop()` ends it (SIGTERM, then SIGKILL).
 */
export async function startPython(script: string, args: readonly string[], port: number, ready: RegExp = /ready/, timeoutMs = 15_000): Promise<Running> {
  const child = spawn('/usr/bin/python3', [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = track(child);
  try {
    await waitFor(child, ready, timeoutMs, `python3 ${script}`, out);
  } catch (e) {
    await stopper(child, 'SIGKILL')();
    throw e;
  }
  return { child, port, output: () => out.text, stop: stopper(child) };
}

/** Starts Python aiosmtpd (`/usr/bin/python3`): optional STARTTLS (cert/key) and AUTH (user/pass). Recipients starting with `reject` get 550 5.1.1. Each message lands in `dir` as msg-N.json. */
export async function startAiosmtpd(dir: string, options: { cert?: string; key?: string; user?: string; pass?: string } = {}): Promise<Running> {
  const port = await freePort();
  const script = join(dir, 'aiosmtpd-server.py');
  writeFileSync(script, AIOSMTPD);
  return startPython(script, [dir, String(port), options.cert ?? '-', options.key ?? '-', options.user ?? '-', options.pass ?? '-'], port, /ready \d+/);
}

/** One message stored by `smtp serve`. */
export interface Stored {
  readonly id: string;
  readonly eml: Uint8Array;
  readonly envelope: Record<string, unknown> & { from: string; to: string[]; clientAddress?: string; size: number };
}

/** Reads every complete message (`<id>.json` present) in a serve directory, oldest first. */
export async function readStored(dir: string): Promise<Stored[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  const out: Stored[] = [];
  for (const name of names) {
    const id = name.slice(0, -'.json'.length);
    const envelope = JSON.parse(await readFile(join(dir, name), 'utf8')) as Stored['envelope'];
    out.push({ id, envelope, eml: new Uint8Array(await readFile(join(dir, `${id}.eml`))) });
  }
  return out;
}

/** Waits until `count` messages are stored (bounded). */
export async function waitForStored(dir: string, count: number, timeoutMs = 30_000): Promise<Stored[]> {
  const { readdir } = await import('node:fs/promises');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = (await readdir(dir)).filter((x) => x.endsWith('.json') && !x.startsWith('.')).length;
    if (n >= count) return readStored(dir);
    if (Date.now() > deadline) throw new Error(`only ${n} of ${count} messages stored after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs a program to completion with a time bound; resolves with its exit code and output. */
export function runProgram(cmd: string, args: readonly string[], options: { input?: string; timeoutMs?: number; cwd?: string } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: options.cwd ?? repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** True when the esmtp-server-fsm Node adapter exports createServer (so `smtp serve` can run). */
export async function serverAdapterAvailable(): Promise<boolean> {
  const mod = (await import('esmtp-server-fsm/node')) as Record<string, unknown>;
  return typeof mod['createServer'] === 'function';
}

/** True when the smtp-client-fsm Node adapter is there (so `smtp send` can run). */
export async function clientAdapterAvailable(): Promise<boolean> {
  const mod = (await import('smtp-client-fsm/node')) as Record<string, unknown>;
  return typeof mod['sendMail'] === 'function' || typeof mod['connect'] === 'function';
}

/**
 * The worker processes of a `smtp serve --workers` primary: its node children (the TypeScript
 * loader may also run an esbuild service as a child, which is not a worker); none while it has none.
 */
export function workersOf(primary: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(primary)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([, comm]) => comm === 'node')
      .map(([pid]) => Number(pid));
  } catch {
    return []; // ps exits non-zero while there is none
  }
}
