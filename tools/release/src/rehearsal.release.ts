// The release rehearsal (`pnpm test:release`, run by .ci/run): every package is packed as it would
// be published, published to a local Verdaccio, then installed alone in a fresh project that uses
// only that registry, the way a user meets it: `npm install <package>`, `import` and `require` of
// every entry point, `tsc --noEmit` (strict) with moduleResolution node16, bundler and node10, and
// the package README's quick-start (its `<!-- run -->` blocks). Needs `pnpm build` first (the
// `test:release` script does it).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractBlocks } from '../../readme-check/src/blocks.js';
import { startRegistry, type LocalRegistry } from './registry.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const nodeTypes = join(root, 'node_modules', '@types');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  exports: Record<string, unknown>;
  dependencies?: Record<string, string>;
  files?: string[];
}

const packages = readdirSync(join(root, 'packages'))
  .sort()
  .map((dir) => ({ dir: join(root, 'packages', dir), manifest: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as Manifest }))
  .filter((p) => !p.manifest.private);

/**
 * The environment of every child: this process's, without the npm_* / pnpm_* settings a package
 * manager passes to scripts (`pnpm test:release` runs under pnpm, and a machine's npmrc may set
 * things like omit-lockfile-registry-resolved), plus `env`.
 */
function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm|pnpm)_/i.test(k)) clean[k] = v;
  return { ...clean, ...env };
}

function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 170_000): string {
  const res = spawnSync(cmd, args, { cwd, env: childEnv(env), encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  const out = `${res.stdout}${res.stderr}`;
  if (res.error) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}): ${res.error.message}\n${out}`);
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${String(res.status)}\n${out}`);
  return out;
}

/** The entry points of a package as import specifiers: `name`, `name/node`, ... (not package.json). */
function entryPoints(m: Manifest): string[] {
  return Object.keys(m.exports)
    .filter((k) => k !== './package.json')
    .map((k) => (k === '.' ? m.name : `${m.name}/${k.slice(2)}`));
}

let work = '';
let registry: LocalRegistry | undefined;
let npmEnv: NodeJS.ProcessEnv = {};
const tarballs = new Map<string, { file: string; files: string[]; bytes: number; unpacked: number }>();

beforeAll(async () => {
  for (const p of packages) {
    if (!existsSync(join(p.dir, 'dist'))) throw new Error(`${p.manifest.name}: no dist/ (run pnpm build first; pnpm test:release does)`);
  }
  work = mkdtempSync(join(tmpdir(), 'smtpkit-release-'));
  registry = await startRegistry(join(work, 'registry'), packages.map((p) => p.manifest.name));
  const host = registry.url.replace(/^http:/, '');
  writeFileSync(join(work, 'npmrc'), `registry=${registry.url}\n${host}:_authToken=${registry.token}\n`);
  writeFileSync(join(work, 'npmrc-global'), '');
  // Every npm/pnpm call below sees only this registry, no machine-wide npmrc, and a cache of its own.
  npmEnv = {
    npm_config_userconfig: join(work, 'npmrc'),
    npm_config_globalconfig: join(work, 'npmrc-global'),
    npm_config_registry: registry.url,
    npm_config_cache: join(work, 'npm-cache'),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  const packDir = join(work, 'tarballs');
  mkdirSync(packDir);
  for (const p of packages) {
    // pnpm pack is what pnpm publish sends: workspace:^ rewritten to real ranges, publishConfig applied.
    const before = new Set(readdirSync(packDir));
    run('pnpm', ['pack', '--pack-destination', packDir], p.dir, npmEnv);
    const file = readdirSync(packDir).find((f) => !before.has(f));
    if (!file) throw new Error(`${p.manifest.name}: pnpm pack wrote no tarball`);
    const tarball = join(packDir, file);
    const listing = run('tar', ['-tvzf', tarball], work).trim().split('\n');
    const files = listing.map((l) => l.split(/\s+/).slice(5).join(' ').replace(/^package\//, '')).sort();
    const unpacked = listing.reduce((n, l) => n + Number(l.split(/\s+/)[2] ?? 0), 0);
    tarballs.set(p.manifest.name, { file: tarball, files, bytes: statSync(tarball).size, unpacked });
    // Provenance needs a CI provider's identity (the release workflow has it); here it is off.
    run('npm', ['publish', tarball, '--provenance=false', '--access', 'public'], work, npmEnv);
  }
}, 600_000);

afterAll(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
}, 60_000);

describe.each(packages.map((p) => [p.manifest.name, p] as const))('%s', (name, pkg) => {
  const project = (): string => join(work, 'projects', name);

  it('the tarball holds dist, LICENSE (and the notices of data it ships), README and package.json only; no tests or fixtures; every source map carries its sources', () => {
    const t = tarballs.get(name)!;
    console.log(`${name}: tarball ${String(t.files.length)} files, ${(t.bytes / 1024).toFixed(1)} KiB packed, ${(t.unpacked / 1024).toFixed(1)} KiB unpacked\n  ${t.files.join('\n  ')}`);
    expect(t.files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
    // A changelog written by `changeset version` ships with the package (files must list it).
    if (existsSync(join(pkg.dir, 'CHANGELOG.md'))) expect(t.files, `${name}: CHANGELOG.md is not in files`).toContain('CHANGELOG.md');
    // And `files` lists nothing that does not exist.
    for (const f of pkg.manifest.files ?? []) expect(existsSync(join(pkg.dir, f)), `${name}: files lists ${f}, which does not exist`).toBe(true);
    for (const f of t.files) {
      // LICENSE-<source>.txt: the licence notice of third-party data a bundle is built from (the
      // sisimai rows behind smtp-errors/learned)
      expect(f, `${name}: unexpected file in the tarball`).toMatch(/^(dist\/.+\.(js|cjs|d\.ts|d\.cts|js\.map|cjs\.map)|LICENSE|LICENSE-[a-z0-9-]+\.txt|README\.md|CHANGELOG\.md|package\.json)$/);
      expect(f).not.toMatch(/\.test\.|fixtures|\/test\//);
    }
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toContain('Copyright (c) 2026 the smtpkit authors');
    // A map pointing at ../src/*.ts (not shipped) must embed that source, or it points nowhere.
    const dir = pkg.dir;
    for (const f of t.files.filter((x) => x.endsWith('.map'))) {
      const map = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      expect(map.sourcesContent?.length, `${f}: sourcesContent`).toBe(map.sources.length);
      expect(map.sourcesContent?.every((s) => typeof s === 'string' && s.length > 0), `${f}: empty sourcesContent`).toBe(true);
    }
  });

  it('installs alone from the registry; its siblings come from the registry too', () => {
    const dir = project();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `rehearsal-${name}`, private: true, type: 'module' }, null, 2));
    run('npm', ['install', name], dir, npmEnv);
    const installed = JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as Manifest;
    expect(installed.version).toBe(pkg.manifest.version);
    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string; version?: string }> };
    const deps: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (path === '') continue;
      const depName = path.replace(/^.*node_modules\//, '');
      deps.push(`${depName}@${entry.version ?? '?'}`);
      if (packages.some((p) => p.manifest.name === depName)) expect(entry.resolved ?? '(no resolved URL in package-lock.json)', `${depName} must come from the local registry`).toContain(registry!.url);
    }
    for (const range of Object.values(installed.dependencies ?? {})) expect(range).not.toMatch(/^workspace:/);
    console.log(`${name}: installed ${installed.version} (${deps.join(', ')})`);
  });

  it('import and require of every entry point', () => {
    const dir = project();
    const loaded: string[] = [];
    for (const spec of entryPoints(pkg.manifest)) {
      const esm = run(process.execPath, ['--input-type=module', '-e', `import * as m from '${spec}'; console.log(Object.keys(m).sort().join(','));`], dir).trim();
      const cjs = run(process.execPath, ['-e', `console.log(Object.keys(require('${spec}')).sort().join(','));`], dir).trim();
      expect(esm.length, `${spec}: ESM exports`).toBeGreaterThan(0);
      expect(cjs.split(',').filter((k) => k !== 'default' && k !== '__esModule')).toEqual(esm.split(','));
      loaded.push(`${spec} (${String(esm.split(',').length)} exports, import + require)`);
    }
    console.log(`${name}: entry points ${loaded.join('; ')}`);
  });

  const resolutions = [
    { name: 'node16', module: 'node16', moduleResolution: 'node16', quickStart: true, files: ['entries.ts', 'entries.cts'] },
    { name: 'bundler', module: 'esnext', moduleResolution: 'bundler', quickStart: true, files: ['entries.ts'] },
    { name: 'node10', module: 'commonjs', moduleResolution: 'node10', quickStart: false, files: ['entries.ts'] },
  ] as const;

  const quickStart = (): { file: string; line: number; code: string }[] =>
    extractBlocks(readFileSync(join(pkg.dir, 'README.md'), 'utf8'), `packages/${name}/README.md`)
      .filter((b) => b.mode === 'run')
      .map((b, i) => ({ file: `quickstart-${String(i + 1)}.ts`, line: b.line, code: b.code }));

  it('tsc --noEmit (strict) with moduleResolution node16, bundler and node10', () => {
    const dir = project();
    const specs = entryPoints(pkg.manifest);
    // Every entry point, its types used; node10 sees them through main/types and typesVersions.
    writeFileSync(join(dir, 'entries.ts'), specs.map((s, i) => `import * as e${String(i)} from '${s}';\nexport const n${String(i)}: number = Object.keys(e${String(i)}).length;\n`).join(''));
    // Under node16 the project is ESM ("type": "module"); a .cts file is the CommonJS consumer (the require types).
    writeFileSync(join(dir, 'entries.cts'), specs.map((s, i) => `import e${String(i)} = require('${s}');\nexport const n${String(i)}: number = Object.keys(e${String(i)}).length;\n`).join(''));
    const qs = quickStart();
    for (const q of qs) writeFileSync(join(dir, q.file), q.code);
    const done: string[] = [];
    for (const r of resolutions) {
      const config = `tsconfig.${r.name}.json`;
      writeFileSync(join(dir, config), JSON.stringify({
        compilerOptions: {
          strict: true, noEmit: true, target: 'es2022', module: r.module, moduleResolution: r.moduleResolution,
          lib: ['es2022', 'dom'], types: ['node'], typeRoots: [nodeTypes], skipLibCheck: false, esModuleInterop: true,
        },
        files: [...r.files, ...(r.quickStart ? qs.map((q) => q.file) : [])],
      }, null, 2));
      run(process.execPath, [tsc, '-p', config], dir);
      done.push(`${r.name} ok (${[...r.files, ...(r.quickStart && qs.length ? ['the quick-start'] : [])].join(', ')})`);
    }
    console.log(`${name}: TypeScript ${done.join(', ')}`);
  });

  it("runs the README quick-start against the installed package", () => {
    const dir = project();
    const qs = quickStart();
    expect(qs.length, `packages/${name}/README.md has no <!-- run --> block`).toBeGreaterThan(0);
    for (const q of qs) {
      writeFileSync(join(dir, q.file), q.code);
      run(process.execPath, [tsx, q.file], dir, {}, 60_000);
      console.log(`${name}: quick-start README.md:${String(q.line)} ran (${q.file})`);
    }
  });
});
