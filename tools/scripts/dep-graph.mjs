#!/usr/bin/env node
// `node tools/scripts/dep-graph.mjs [--check]`: the package dependency graph as Mermaid, from the
// code. For every package in packages/, it reads the sibling packages declared in package.json
// (`dependencies`, and `devDependencies` for the private foundation, which the build bundles) and the
// sibling packages its `src/` actually imports (tests excluded), and prints one edge per pair:
//
//   A --> B          B depends on A and imports it (a published dependency)
//   A -.-> B         B bundles the private A at build time (devDependency, imported)
//   A -- "declared, not imported" --> B   a declared dependency that src never imports
//   A -- "imported, not declared" --> B   an import of a sibling missing from package.json
//   ext_X --> B      B's one pinned third-party runtime dependency (drawn as a rounded node)
//
// `--root DIR` reads another repository layout (the test uses a synthetic one). With --check, compares the output with the block between `<!-- dep-graph:start -->` and
// `<!-- dep-graph:end -->` in docs/architecture.md and exits 1 when they differ.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The package name of an import specifier (`smtp-errors/message` -> `smtp-errors`, `@a/b/c` -> `@a/b`). */
function packageOf(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Reads every package: its name, private flag, declared sibling dependencies and imported siblings. */
export function readPackages(base = root) {
  const dirs = readdirSync(join(base, 'packages'))
    .filter((d) => existsSync(join(base, 'packages', d, 'package.json')))
    .sort();
  const pkgs = dirs.map((d) => {
    const json = JSON.parse(readFileSync(join(base, 'packages', d, 'package.json'), 'utf8'));
    return { dir: d, json };
  });
  const names = new Set(pkgs.map((p) => p.json.name));
  return pkgs.map(({ dir, json }) => {
    const imported = new Set();
    for (const file of sourceFiles(join(base, 'packages', dir, 'src'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const name = packageOf(m[1] ?? m[2]);
        if (names.has(name) && name !== json.name) imported.add(name);
      }
    }
    const runtime = Object.keys(json.dependencies ?? {}).filter((n) => names.has(n));
    const external = Object.entries(json.dependencies ?? {})
      .filter(([n]) => !names.has(n))
      .map(([n, v]) => ({ name: n, version: v }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const bundled = Object.keys(json.devDependencies ?? {}).filter((n) => names.has(n) && pkgs.some((p) => p.json.name === n && p.json.private));
    return { name: json.name, private: json.private === true, runtime, bundled, external, imported: [...imported].sort() };
  });
}

const id = (name) => name.replace(/^@/, '').replace(/[^a-zA-Z0-9]/g, '_');

/** The Mermaid flowchart for the packages. */
export function mermaid(pkgs) {
  const lines = ['flowchart TD'];
  for (const p of pkgs) lines.push(`  ${id(p.name)}["${p.name}${p.private ? '<br/>(private, bundled into each package)' : ''}"]`);
  const edges = [];
  const externals = new Map();
  for (const p of pkgs) {
    for (const x of p.external) {
      externals.set(x.name, x.version);
      edges.push(`  ext_${id(x.name)} --> ${id(p.name)}`);
    }
    const declared = new Set([...p.runtime, ...p.bundled]);
    for (const dep of [...new Set([...declared, ...p.imported])].sort()) {
      const isImported = p.imported.includes(dep);
      let arrow;
      if (!declared.has(dep)) arrow = '-- "imported, not declared" -->';
      else if (!isImported) arrow = '-- "declared, not imported" -->';
      else if (p.bundled.includes(dep) && !p.runtime.includes(dep)) arrow = '-.->';
      else arrow = '-->';
      edges.push(`  ${id(dep)} ${arrow} ${id(p.name)}`);
    }
  }
  for (const [name, version] of [...externals].sort()) lines.push(`  ext_${id(name)}(["${name} ${version}<br/>(third party)"])`);
  lines.push(...edges.sort());
  return lines.join('\n');
}

/** The graph block as it stands between the markers of docs/architecture.md (without the fences). */
export function documentedGraph(base = root) {
  const doc = readFileSync(join(base, 'docs', 'architecture.md'), 'utf8');
  const m = /<!-- dep-graph:start -->[\s\S]*?```mermaid\n([\s\S]*?)\n```[\s\S]*?<!-- dep-graph:end -->/.exec(doc);
  return m ? m[1] : undefined;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const at = process.argv.indexOf('--root');
  const base = at > 0 && process.argv[at + 1] ? process.argv[at + 1] : root;
  const graph = mermaid(readPackages(base));
  if (process.argv.includes('--check')) {
    if (documentedGraph(base) !== graph) {
      console.error('dep-graph: docs/architecture.md differs from the code; paste this between the dep-graph markers:\n');
      console.error(graph);
      process.exit(1);
    }
    console.log('dep-graph: docs/architecture.md is up to date');
  } else console.log(graph);
}
