/**
 * A throw-away npm registry for the release rehearsal: Verdaccio on a free loopback port, its
 * storage, users and config in a temp directory. The six smtpkit packages are served only from
 * this registry (never proxied, so a same-named package on npmjs.org cannot stand in for them);
 * anything else a package might depend on is proxied from npmjs.org.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForPort } from '@smtpkit/testkit';

const registryDir = fileURLToPath(new URL('../registry', import.meta.url));
const verdaccioBin = join(registryDir, 'node_modules', 'verdaccio', 'bin', 'verdaccio');

/** A running registry. */
export interface LocalRegistry {
  /** e.g. `http://127.0.0.1:41234/` */
  readonly url: string;
  /** Token of a user allowed to publish. */
  readonly token: string;
  /** Everything Verdaccio printed (for a failure report). */
  log(): string;
  /** Stops Verdaccio and waits for it to exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
}

/** Installs the pinned Verdaccio (tools/release/registry, npm ci from its lockfile) unless present. */
export function ensureVerdaccio(): void {
  if (existsSync(verdaccioBin)) return;
  const res = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--omit=dev'], { cwd: registryDir, stdio: 'inherit' });
  if (res.status !== 0 || !existsSync(verdaccioBin)) throw new Error(`npm ci in ${registryDir} failed (status ${String(res.status)})`);
}

/** Starts Verdaccio with its state under `dir`, serving (and accepting) `packages` locally. */
export async function startRegistry(dir: string, packages: readonly string[]): Promise<LocalRegistry> {
  ensureVerdaccio();
  const port = await freePort();
  const url = `http://127.0.0.1:${String(port)}/`;
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const own = packages.map((name) => `  '${name}':\n    access: $all\n    publish: $authenticated\n`).join('');
  writeFileSync(
    join(dir, 'config.yaml'),
    [
      `storage: ${join(dir, 'storage')}`,
      'auth:',
      '  htpasswd:',
      `    file: ${join(dir, 'htpasswd')}`,
      '    max_users: 10',
      'uplinks:',
      '  npmjs:',
      '    url: https://registry.npmjs.org/',
      'packages:',
      own.trimEnd(),
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      '    proxy: npmjs',
      'log: { type: stdout, format: pretty, level: warn }',
      'publish:',
      '  allow_offline: true',
      '',
    ].join('\n'),
  );
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [verdaccioBin, '--config', join(dir, 'config.yaml'), '--listen', `127.0.0.1:${String(port)}`], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  // Should this process end without calling stop() (a crash, a kill), the registry ends with it.
  const onExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', onExit);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.off('exit', onExit);
      resolve();
    }),
  );
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForPort(port, 60_000);
    const res = await fetch(`${url}-/user/org.couchdb.user:rehearsal`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'rehearsal', password: 'rehearsal-only', type: 'user', roles: [] }),
    });
    const body = (await res.json()) as { token?: string };
    if (!res.ok || !body.token) throw new Error(`could not add the rehearsal user: HTTP ${String(res.status)} ${JSON.stringify(body)}`);
    return { url, token: body.token, log: () => output, stop };
  } catch (e) {
    await stop();
    throw new Error(`Verdaccio did not start: ${(e as Error).message}\n${output}`);
  }
}
