// The test placement rule (CONTRIBUTING.md, "Where tests live") holds for every package.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { placementViolations } from '../test-placement.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const packages = readdirSync(join(root, 'packages')).sort();

describe('test placement in the repository', () => {
  for (const name of packages) {
    it(`${name} follows the rule`, () => {
      expect(placementViolations(join(root, 'packages', name))).toEqual([]);
    });
  }
});

describe('the check itself', () => {
  const dir = mkdtempSync(join(tmpdir(), 'placement-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (path: string, text = ''): void => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  write('package.json', JSON.stringify({ exports: { '.': { import: './dist/index.js' }, './node': { import: './dist/node/index.js' }, './package.json': './package.json' } }));
  write('src/index.ts');
  write('src/parser.ts');
  write('src/parser.test.ts');
  write('src/parser.edges.test.ts');
  write('src/parser.mutation.test.ts');
  write('src/scenarios.test.ts');
  write('src/node/index.ts');
  write('src/node/socket.ts');
  write('src/node/socket.test.ts');
  write('test/public.test.ts', "import { a } from '../src/index.js';\nimport { b } from '../src/node/index.js';\nimport { c } from 'pkg';\nimport { d } from './helpers.js';\n");
  write('test/helpers.ts', "import type { T } from '../src/parser.js';\nexport { x } from '../src/node/socket.js';\nconst m = await import('../src/parser.js');\n");

  it('finds tool-named files, src tests without a module, and test/ files that import internals', () => {
    expect(placementViolations(dir)).toEqual([
      { file: 'src/parser.mutation.test.ts', rule: 'tool-named', detail: 'named for a tool, not for what it tests' },
      { file: 'src/scenarios.test.ts', rule: 'no-sibling-module', detail: 'no scenarios.ts next to it: a test of the package belongs in test/' },
      { file: 'test/helpers.ts', rule: 'test-imports-internals', detail: 'imports ../src/parser.js, not a public entry' },
      { file: 'test/helpers.ts', rule: 'test-imports-internals', detail: 'imports ../src/node/socket.js, not a public entry' },
    ]);
  });
});
