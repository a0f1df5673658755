// pnpm test:portability: the sans-IO cores run unchanged in Bun, Deno and headless Chromium, with
// byte-identical results to Node's, and every core entry bundles for the browser within its budget.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { CORE_PACKAGES } from '../src/packages.mjs';
import { bundleSize, distExists, readBudget, root, runBrowser, runRuntime, type RuntimeRun } from '../src/harness.js';

let node: RuntimeRun;

beforeAll(() => {
  if (!CORE_PACKAGES.every(distExists)) {
    const r = spawnSync('pnpm', ['build'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('pnpm build failed');
  }
  node = runRuntime('node');
}, 180_000);

describe('conformance script', () => {
  it('runs in Node against the built dist and covers every core package', () => {
    const result = JSON.parse(node.output) as { packages: string[]; error?: string };
    expect(result.error).toBeUndefined();
    expect(result.packages).toEqual([...CORE_PACKAGES].sort());
  });

  it.each(['bun', 'deno'] as const)('gives byte-identical results in %s', (runtime) => {
    const other = runRuntime(runtime);
    expect(other.output).toBe(node.output);
  });

  it('gives byte-identical results in headless Chromium (esbuild --platform=browser bundle)', async () => {
    const browser = await runBrowser();
    expect(browser.output).toBe(node.output);
  }, 60_000);
});

describe('browser bundles and size budgets', () => {
  const budget = readBudget();
  it.each([...CORE_PACKAGES])('%s bundles for the browser with no Node built-ins and stays within budget', async (name) => {
    const deps = CORE_PACKAGES.filter((p) => p !== name);
    const size = await bundleSize(name, deps);
    const limit = budget[name];
    expect(limit, `no size budget for ${name} in size-budget.json`).toBeTypeOf('number');
    expect(size.totalGzip).toBeLessThanOrEqual(limit!);
  });
});
