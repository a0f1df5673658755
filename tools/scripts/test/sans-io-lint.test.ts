// Proves the sans-IO ban in eslint.config.js fires on a core file that breaks it, and stays quiet
// for the same code under src/node/ (where Node APIs are allowed).
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));

const offending = [
  "import { readFileSync } from 'node:fs';",
  "import { connect } from 'net';",
  'export const a = Buffer.from(readFileSync.name);',
  'export const b = process.env;',
  'export const c = setTimeout(() => connect, 1);',
  'export const d = setInterval(() => 0, 1);',
  'export const e = setImmediate(() => 0);',
  'export const f = Date.now();',
  '',
].join('\n');

async function lintAt(dirInPackage: string): Promise<ESLint.LintResult> {
  // A real file inside a package's src/, so the type-aware config sees it exactly as it sees source.
  const base = join(root, 'packages', 'smtp-reply-reader', 'src', ...dirInPackage.split('/').filter(Boolean));
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'lint-probe-'));
  const file = join(dir, 'probe.ts');
  try {
    writeFileSync(file, offending);
    const eslint = new ESLint({ cwd: root });
    const [result] = await eslint.lintFiles([relative(root, file)]);
    return result!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (dirInPackage === 'node') rmSync(base, { recursive: true, force: true });
  }
}

describe('sans-IO lint ban', () => {
  it('reports every banned import and global in packages/*/src', async () => {
    const result = await lintAt('');
    expect(result.fatalErrorCount).toBe(0);
    const banned = result.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals');
    const rules = banned.map((m) => `${m.ruleId}:${m.line}`);
    expect(rules).toEqual([
      'no-restricted-imports:1',
      'no-restricted-imports:2',
      'no-restricted-globals:3',
      'no-restricted-globals:4',
      'no-restricted-globals:5',
      'no-restricted-globals:6',
      'no-restricted-globals:7',
      'no-restricted-globals:8',
    ]);
  });

  it('allows Node APIs under src/node/', async () => {
    const result = await lintAt('node');
    const banned = result.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals');
    expect(banned).toEqual([]);
  });
});
