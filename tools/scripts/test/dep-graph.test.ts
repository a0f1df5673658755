// docs/architecture.md shows the dependency graph that tools/scripts/dep-graph.mjs computes from the
// code; this fails when they drift (rerun the script and paste its output between the markers).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const script = join(root, 'tools', 'scripts', 'dep-graph.mjs');

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function documented(base: string): string | undefined {
  const doc = readFileSync(join(base, 'docs', 'architecture.md'), 'utf8');
  return /<!-- dep-graph:start -->[\s\S]*?```mermaid\n([\s\S]*?)\n```[\s\S]*?<!-- dep-graph:end -->/.exec(doc)?.[1];
}

describe('docs/architecture.md dependency graph', () => {
  it('equals what dep-graph.mjs computes from package.json and the imports in src/', () => {
    const r = run();
    expect(r.status).toBe(0);
    expect(documented(root)).toBe(r.stdout.trimEnd());
    expect(run('--check').status).toBe(0);
  });
});

describe('dep-graph.mjs on a synthetic repository', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dep-graph-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const pkg = (folder: string, json: object, src: string): void => {
    write(`packages/${folder}/package.json`, JSON.stringify(json));
    write(`packages/${folder}/src/index.ts`, src);
  };
  pkg('base', { name: '@x/base', private: true }, 'export const b = 1;\n');
  pkg('leaf', { name: 'leaf', devDependencies: { '@x/base': 'workspace:*' } }, "import { b } from '@x/base';\nexport const l = b;\n");
  pkg('mid', { name: 'mid', dependencies: { leaf: 'workspace:^', unused: 'workspace:^', 'left-pad': '1.3.0' } }, "export { l } from 'leaf';\nconst lazy = () => import('other/sub');\n");
  pkg('unused', { name: 'unused' }, 'export {};\n');
  pkg('other', { name: 'other' }, 'export {};\n');
  write('packages/mid/src/index.test.ts', "import { u } from 'unused';\n");

  it('draws imported, bundled, mismatched and third-party edges; tests do not count', () => {
    const r = run('--root', dir);
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      'flowchart TD',
      '  x_base["@x/base<br/>(private, bundled into each package)"]',
      '  leaf["leaf"]',
      '  mid["mid"]',
      '  other["other"]',
      '  unused["unused"]',
      '  ext_left_pad(["left-pad 1.3.0<br/>(third party)"])',
      '  ext_left_pad --> mid',
      '  leaf --> mid',
      '  other -- "imported, not declared" --> mid',
      '  unused -- "declared, not imported" --> mid',
      '  x_base -.-> leaf',
    ]);
  });

  it('--check fails when the document differs', () => {
    write('docs/architecture.md', '<!-- dep-graph:start -->\n```mermaid\nflowchart TD\n```\n<!-- dep-graph:end -->\n');
    const r = run('--root', dir, '--check');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('differs from the code');
  });
});
