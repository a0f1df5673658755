/**
 * Portability harness: runs the conformance script in Node, Bun, Deno and headless Chromium, and
 * measures each core entry's browser bundle (minified, gzipped) against a budget.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const here = fileURLToPath(new URL('.', import.meta.url));
export const root = join(here, '..', '..', '..');
const bin = (name: string) => join(here, '..', 'node_modules', '.bin', name);

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Node 18.20.8, the oldest release that `engines` of smtp-reply-reader, smtp-capabilities,
 * smtp-client-args and esmtp-server-fsm allow, installed from the npm registry by tools/node18.
 */
export const NODE18 = join(root, 'tools', 'node18', 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node');

export interface RuntimeRun {
  readonly runtime: string;
  readonly version: string;
  readonly output: string;
}

function run(cmd: string, args: string[]): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : ''), status: r.status };
}

function lastLine(s: string): string {
  const lines = s.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

const script = join(here, 'run-runtime.mjs');

/** Runs the conformance script with a command-line runtime and returns its JSON output line. */
export function runRuntime(runtime: 'node' | 'node18' | 'bun' | 'deno'): RuntimeRun {
  const cmd = runtime === 'node' ? process.execPath : runtime === 'node18' ? NODE18 : bin(runtime);
  if (runtime === 'node18' && !existsSync(NODE18)) throw new Error(`no Node 18 at ${NODE18}: run pnpm install (tools/node18 has the Linux builds)`);
  const args = runtime === 'deno' ? ['run', '--allow-read', '--allow-env', '--no-prompt', script] : [script];
  const version = runtime === 'node' ? process.version : lastLine(run(cmd, ['--version']).stdout.split('\n')[0] ?? '');
  const r = run(cmd, args);
  if (r.status !== 0) throw new Error(`${runtime} exited with ${r.status}: ${r.stderr}`);
  return { runtime, version, output: lastLine(r.stdout) };
}

/** Bundles the browser entry with esbuild --platform=browser (no Node built-ins resolve there). */
export async function browserBundle(): Promise<string> {
  const result = await build({
    entryPoints: [join(here, 'browser-entry.mjs')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** Runs the bundled conformance script in headless Chromium (Debian's) via playwright-core. */
export async function runBrowser(): Promise<RuntimeRun> {
  const { chromium } = await import('playwright-core');
  const code = await browserBundle();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30_000,
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.setContent('<!doctype html><html><head><title>smtpkit portability</title></head><body></body></html>');
    await page.addScriptTag({ content: code, type: 'module' });
    await page.waitForFunction(() => (globalThis as { __smtpkit?: unknown }).__smtpkit !== undefined, undefined, { timeout: 20_000 });
    const output = await page.evaluate(async () => (globalThis as unknown as { __smtpkit: Promise<string> }).__smtpkit);
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    return { runtime: 'chromium', version: browser.version(), output };
  } finally {
    await browser.close();
  }
}

export interface BundleSize {
  readonly name: string;
  /** The package's own core entry, siblings external: what it adds on top of its dependencies. */
  readonly ownMin: number;
  readonly ownGzip: number;
  /** The core entry with every sibling it depends on bundled in: what a browser app really ships. */
  readonly totalMin: number;
  readonly totalGzip: number;
}

/** Bundles one core entry for the browser, minified, and measures it raw and gzipped. */
export async function bundleSize(name: string, siblings: readonly string[]): Promise<BundleSize> {
  const entry = join(root, 'packages', name, 'dist', 'index.js');
  const measure = async (external: string[]) => {
    const r = await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      write: false,
      external,
      logLevel: 'silent',
    });
    const bytes = r.outputFiles[0]!.contents;
    return { min: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  };
  const own = await measure([...siblings]);
  const total = await measure([]);
  return { name, ownMin: own.min, ownGzip: own.gzip, totalMin: total.min, totalGzip: total.gzip };
}

export interface Budget {
  /** Maximum gzipped size of the package's core entry with its sibling dependencies bundled in, in bytes. */
  readonly [packageName: string]: number;
}

export function readBudget(): Budget {
  return JSON.parse(readFileSync(join(here, '..', 'size-budget.json'), 'utf8')) as Budget;
}

export function distExists(name: string): boolean {
  return existsSync(join(root, 'packages', name, 'dist', 'index.js'));
}
