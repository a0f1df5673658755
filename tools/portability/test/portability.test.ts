// pnpm test:portability: the sans-IO cores run unchanged in Node 18, Bun, Deno and headless Chromium, with
// byte-identical results to Node's, and every core entry bundles for the browser within its budget.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CORE_PACKAGES } from '../src/packages.mjs';
import { browserBundle, bundleSize, distExists, readBudget, root, runBrowser, runRuntime, type RuntimeRun } from '../src/harness.js';

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

  it('exercises every area with meaningful results (so equality across runtimes means something)', () => {
    const r = JSON.parse(node.output);
    expect(r.replies.whole).toHaveLength(5);
    expect(r.replies.sameByteByByte).toBe(true);
    expect(r.replies.enhanced).toEqual(['5.7.1', '4.7.650', '5.7.606']);
    expect(r.replies.bareLf.error).toMatch(/^ERR_/);
    expect(r.ehlo.size).toBe(52428800);
    expect(r.ehlo.auth).toEqual(['CRAM-MD5', 'LOGIN', 'PLAIN']);
    expect(r.args.mailLine).toBe('MAIL FROM:<alice@example.com> SIZE=12345 BODY=8BITMIME ENVID=id+2B1+3Dx');
    expect(r.args.injection.error).toMatch(/^ERR_/);
    expect(r.classification.builtin.map((c: { id: number }) => c.id)).toEqual([10, 22, 51, 52, 51, 10, 1]);
    expect(r.classification.domainRule.id).toBe(54);
    // The in-memory conversation: one message, dot-stuffing undone, bare LF normalised, one rejection.
    const received = Buffer.from(r.conversation.received, 'hex').toString('latin1');
    expect(received).toBe('Subject: portability\r\n\r\n.leading dot\r\nbare lf\r\nend\r\n');
    expect(r.conversation.clientEvents).toContain('recipient nobody@mx.example rejected 10');
    expect(r.conversation.serverEvents.filter((t: string) => t === 'message-end')).toHaveLength(1);
    expect(r.conversation.closed).toBe(true);
  });

  it('gives byte-identical results in Node 18.20.8, the oldest Node any package declares in engines', () => {
    const old = runRuntime('node18');
    expect(old.version).toBe('v18.20.8');
    expect(old.output).toBe(node.output);
  });

  it('every package declares in engines a Node this suite runs (18 here, or the Node running it)', () => {
    for (const name of CORE_PACKAGES) {
      const pkg = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')) as { engines?: { node?: string } };
      const lowest = /^>=(\d+)$/.exec(pkg.engines?.node ?? '')?.[1];
      expect([name, lowest]).toEqual([name, expect.stringMatching(/^(18|20)$/)]);
      expect(Number(lowest)).toBeLessThanOrEqual(Number(process.versions.node.split('.')[0]));
    }
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
  it('the browser bundle pulls in no Node built-in and no polyfill', async () => {
    const code = await browserBundle();
    expect(code).not.toMatch(/\bfrom\s*["']node:|require\(["']|\bBuffer\b|process\.env/);
  });

  const budget = readBudget();
  it.each([...CORE_PACKAGES])('%s bundles for the browser with no Node built-ins and stays within budget', async (name) => {
    const deps = CORE_PACKAGES.filter((p) => p !== name);
    const size = await bundleSize(name, deps);
    const limit = budget[name];
    expect(limit, `no size budget for ${name} in size-budget.json`).toBeTypeOf('number');
    expect(size.totalGzip).toBeLessThanOrEqual(limit!);
  });
});
