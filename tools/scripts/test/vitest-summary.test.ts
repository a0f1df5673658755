// The closing line of .ci/run (`N passed, N failed`), which CI reads: it must never say `0 failed`
// for a run that failed, whether a test failed, a report is missing or a gate (lint, typecheck...)
// failed before the tests.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../vitest-summary.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'vitest-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function report(name: string, passed: number, failed: number): string {
  const file = join(dir, name);
  const results = [
    ...Array.from({ length: passed }, (_, i) => ({ status: 'passed', title: `p${String(i)}`, fullName: `p${String(i)}` })),
    ...Array.from({ length: failed }, (_, i) => ({ status: 'failed', title: `f${String(i)}`, fullName: `f${String(i)}`, failureMessages: ['boom'] })),
  ];
  writeFileSync(file, JSON.stringify({ numPassedTests: passed, numFailedTests: failed, testResults: [{ name: join(dir, 'a.test.ts'), status: failed ? 'failed' : 'passed', assertionResults: results }] }));
  return file;
}

function run(files: string[], gates?: string): { line: string; out: string; code: number | null } {
  const r = spawnSync(process.execPath, [script, ...files], { encoding: 'utf8', cwd: dir, env: { ...process.env, SMTPKIT_FAILED_GATES: gates ?? '' } });
  const lines = r.stdout.trim().split('\n');
  return { line: lines.at(-1) ?? '', out: r.stdout, code: r.status };
}

describe('vitest-summary.mjs', () => {
  it('counts the tests of every report; exit 0 when all passed', () => {
    expect(run([report('one.json', 3, 0), report('two.json', 2, 0)])).toMatchObject({ line: '5 passed, 0 failed', code: 0 });
  });

  it('names each failed test above the line; exit 1', () => {
    const r = run([report('three.json', 2, 1)]);
    expect(r).toMatchObject({ line: '2 passed, 1 failed', code: 1 });
    expect(r.out).toMatch(/^FAIL a\.test\.ts > f0\n {4}boom$/m);
  });

  it('a failed gate counts as a failure in the line, named above it, though every test passed', () => {
    const r = run([report('four.json', 4, 0)], 'pnpm lint;pnpm typecheck;');
    expect(r).toMatchObject({ line: '4 passed, 2 failed', code: 1 });
    expect(r.out).toContain('FAIL gate: pnpm lint\nFAIL gate: pnpm typecheck');
  });

  it('a missing report counts as a failure', () => {
    const r = run([report('five.json', 1, 0), join(dir, 'none.json')]);
    expect(r).toMatchObject({ line: '1 passed, 1 failed', code: 1 });
    expect(r.out).toContain('FAIL none.json (no report');
  });
});
