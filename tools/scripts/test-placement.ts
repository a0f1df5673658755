/**
 * The test placement rule of CONTRIBUTING.md ("Where tests live"), as a check over one package:
 *
 * 1. No test file is named for the tool that found the gap: `*.mutation.test.ts`, `*.stryker.test.ts`,
 *    `*.fuzz.test.ts` are refused (fold them into the module's test file or `<module>.edges.test.ts`).
 * 2. A test in `src/` tests one module, next to it: `src/**\/<module>.test.ts` and
 *    `src/**\/<module>.<aspect>.test.ts` need a sibling `<module>.ts`.
 * 3. A file in `test/` (tests and their helpers) reaches the package only through a public entry:
 *    a relative import into `src/` must be one of the entries in package.json `exports`
 *    (`src/index.ts`, `src/node/index.ts`, `src/message/index.ts`, ...), or the package's npm name.
 *
 * Run it alone with `pnpm exec tsx tools/scripts/test-placement.ts` (prints every violation).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One breach of the rule, with the file relative to the package directory. */
export interface PlacementViolation {
  readonly file: string;
  readonly rule: 'tool-named' | 'no-sibling-module' | 'test-imports-internals';
  readonly detail: string;
}

const TOOL_NAMED = /\.(mutation|stryker|fuzz)\.test\.ts$/;

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name === 'dist' || name === 'fixtures') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** The source files behind a package's `exports` (`./dist/message/index.js` -> `src/message/index.ts`). */
export function publicEntries(packageDir: string): Set<string> {
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { exports?: Record<string, unknown> };
  const entries = new Set<string>();
  for (const [key, value] of Object.entries(pkg.exports ?? {})) {
    if (key.endsWith('package.json')) continue;
    const sub = key === '.' ? '' : key.replace(/^\.\//, '');
    entries.add(join(packageDir, 'src', sub, 'index.ts'));
    // A private package whose exports point at sources directly.
    const target = typeof value === 'string' ? value : undefined;
    if (target?.startsWith('./src/')) entries.add(join(packageDir, target));
  }
  return entries;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT)) out.push((m[1] ?? m[2])!);
  return out;
}

/** Every violation of the placement rule in one package directory. */
export function placementViolations(packageDir: string): PlacementViolation[] {
  const out: PlacementViolation[] = [];
  const src = join(packageDir, 'src');
  const entries = publicEntries(packageDir);
  const rel = (p: string): string => relative(packageDir, p).split(sep).join('/');
  for (const file of [...walk(src), ...walk(join(packageDir, 'test'))]) {
    const name = file.slice(dirname(file).length + 1);
    if (TOOL_NAMED.test(name)) out.push({ file: rel(file), rule: 'tool-named', detail: 'named for a tool, not for what it tests' });
  }
  for (const file of walk(src)) {
    const name = file.slice(dirname(file).length + 1);
    if (!name.endsWith('.test.ts') || TOOL_NAMED.test(name)) continue;
    const module = name.slice(0, name.indexOf('.'));
    if (!existsSync(join(dirname(file), `${module}.ts`))) {
      out.push({ file: rel(file), rule: 'no-sibling-module', detail: `no ${module}.ts next to it: a test of the package belongs in test/` });
    }
  }
  for (const file of walk(join(packageDir, 'test'))) {
    for (const spec of new Set(importsOf(readFileSync(file, 'utf8')))) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
      if (!target.startsWith(src + sep)) continue;
      if (!entries.has(target)) out.push({ file: rel(file), rule: 'test-imports-internals', detail: `imports ${spec}, not a public entry` });
    }
  }
  return out;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  let failures = 0;
  for (const name of readdirSync(join(root, 'packages')).sort()) {
    for (const v of placementViolations(join(root, 'packages', name))) {
      failures++;
      console.log(`error: packages/${name}/${v.file}: ${v.rule}: ${v.detail}`);
    }
  }
  process.exitCode = failures > 0 ? 1 : 0;
}
