// `pnpm mutation [package...] [--force] [--render]`: StrykerJS mutation testing of the core
// packages, one package at a time (smallest first), each with its own unit tests and the vitest
// runner. `--render` only regenerates the tables from scores.json.
//
// A package too large for one sitting can be run in shards: `pnpm mutation <package> --shard n/m`
// mutates the n-th of m groups of its source files (split by size, always the same way) and saves
// the result under tools/mutation/shards/<package>/ (committed); `pnpm mutation <package> --combine` scores the
// package from all m shards, provided they ran on the package's current sources and tests.
//
// Reports (html, json, survivors list, incremental file) go to tools/mutation/reports/<package>/
// (gitignored); the scores go to tools/mutation/scores.json, which docs/mutation.md and the
// "Mutation score" table of the root README are generated from.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stryker } from '@stryker-mutator/core';
import { combineShards, renderDoc, shardText, renderReadmeTable, replaceBetweenMarkers, shardFiles, summarize, type MutantLike, type PackageScore, type ShardResult } from './summary.js';

type StrykerOptions = ConstructorParameters<typeof Stryker>[0];

const root = fileURLToPath(new URL('../../..', import.meta.url));
const toolDir = join(root, 'tools', 'mutation');
const scoresFile = join(toolDir, 'scores.json');
const docFile = join(root, 'docs', 'mutation.md');
const readmeFile = join(root, 'README.md');

/** The six core packages (directory names under packages/). */
const CORE = ['smtp-reply-reader', 'smtp-capabilities', 'smtp-client-args', 'smtp-errors', 'smtp-client-fsm', 'esmtp-server-fsm'];

/** Source files that get mutated: the sans-IO core, without tests and without the Node adapter. */
function mutatePatterns(pkg: string): string[] {
  return [`packages/${pkg}/src/**/*.ts`, `!packages/${pkg}/src/**/*.test.ts`, `!packages/${pkg}/src/node/**`];
}

/** The files that get mutated (see `mutatePatterns`), relative to the root, with their sizes. */
function coreSourceFiles(pkg: string): { file: string; bytes: number }[] {
  const out: { file: string; bytes: number }[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'node') walk(path);
      } else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) {
        out.push({ file: relative(root, path).split('\\').join('/'), bytes: statSync(path).size });
      }
    }
  };
  walk(join(root, 'packages', pkg, 'src'));
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

function coreSourceBytes(pkg: string): number {
  return coreSourceFiles(pkg).reduce((n, f) => n + f.bytes, 0);
}

/** Whether the checkout of the package differs from HEAD (Stryker copies the checkout). */
function isDirty(pkg: string): boolean {
  return git(['status', '--porcelain', '--', `packages/${pkg}`]) !== '';
}

/** The git tree of the package's committed sources and tests, `+changes` when the checkout differs. */
function packageSource(pkg: string): string {
  const tree = git(['rev-parse', `HEAD:packages/${pkg}`]);
  return isDirty(pkg) ? `${tree}+changes` : tree;
}

function resolvePackage(arg: string): string {
  const match = CORE.filter((name) => name === arg || name.endsWith(`-${arg}`) || name.endsWith(arg));
  if (match.length !== 1) {
    throw new Error(`unknown or ambiguous package "${arg}"; one of: ${CORE.join(', ')}`);
  }
  return match[0]!;
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

function strykerOptions(pkg: string, force: boolean, shard?: { files: readonly string[]; name: string }): StrykerOptions {
  const reports = `tools/mutation/reports/${pkg}${shard ? `/shards/${shard.name}` : ''}`;
  return {
    packageManager: 'pnpm',
    testRunner: 'vitest',
    plugins: [fileURLToPath(import.meta.resolve('@stryker-mutator/vitest-runner'))],
    vitest: { configFile: 'tools/mutation/vitest.config.ts', related: true },
    mutate: shard ? [...shard.files] : mutatePatterns(pkg),
    coverageAnalysis: 'perTest',
    // A shared two-core machine: one test runner at a time.
    concurrency: Number(process.env['SMTPKIT_MUTATION_CONCURRENCY'] ?? '1'),
    // Static mutants (module-level initialisers: lookup tables, rule lists, regexes) need a fresh
    // module load and the whole suite each; they are counted as ignored, not run.
    ignoreStatic: true,
    incremental: true,
    incrementalFile: `${reports}/stryker-incremental.json`,
    force,
    // SMTPKIT_MUTATION_TMP lets two runs (different packages) work side by side without one
    // cleaning up the other's sandbox.
    tempDirName: process.env['SMTPKIT_MUTATION_TMP'] ?? '.stryker-tmp',
    cleanTempDir: true,
    ignorePatterns: ['/docs', '**/dist', '/.tmp', '/coverage', '/.vitest-results', '/tools/mutation/reports', '/.changeset'],
    reporters: ['html', 'json', 'clear-text', process.stdout.isTTY ? 'progress' : 'progress-append-only'],
    htmlReporter: { fileName: `${reports}/mutation.html` },
    jsonReporter: { fileName: `${reports}/mutation.json` },
    clearTextReporter: { allowColor: process.stdout.isTTY, reportMutants: false, reportTests: false, logTests: false },
    thresholds: { high: 80, low: 60, break: null },
    // Added to 1.5 x the covering tests' own time before a mutant counts as a timeout (an endless
    // loop); most endless loops are stopped sooner by Stryker's hit limit.
    timeoutMS: 4_000,
  };
}

function readScores(): PackageScore[] {
  if (!existsSync(scoresFile)) return [];
  return JSON.parse(readFileSync(scoresFile, 'utf8')) as PackageScore[];
}

function writeOutputs(scores: PackageScore[]): void {
  const ordered = CORE.map((name) => scores.find((s) => s.package === name)).filter((s): s is PackageScore => s !== undefined);
  writeFileSync(scoresFile, `${JSON.stringify(ordered, null, 2)}\n`);
  const doc = replaceBetweenMarkers(readFileSync(docFile, 'utf8'), 'mutation-results', renderDoc(CORE, ordered));
  if (doc !== undefined) writeFileSync(docFile, doc);
  const readme = readFileSync(readmeFile, 'utf8');
  const updated = replaceBetweenMarkers(readme, 'mutation-score', renderReadmeTable(CORE, ordered));
  if (updated !== undefined && updated !== readme) writeFileSync(readmeFile, updated);
}

function survivorsText(pkg: string, mutants: readonly MutantLike[]): string {
  const lines = mutants
    .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
    .map((m) => `${relative(join(root, 'packages', pkg), m.fileName)}:${m.location.start.line}:${m.location.start.column} ${m.status} ${m.mutatorName} -> ${JSON.stringify(m.replacement ?? '')}`)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return `${lines.join('\n')}\n`;
}

/**
 * The result file of one shard: committed (tools/mutation/shards/), so that the shards of one
 * package can be run in different sittings and on different machines.
 */
function shardFile(pkg: string, name: string): string {
  return join(toolDir, 'shards', pkg, `${name}.json`);
}

/** Scores `pkg`, writes its survivors list and its entry in scores.json and the tables. */
function record(pkg: string, mutants: readonly MutantLike[], seconds: number, commit: string): PackageScore {
  const score = summarize(pkg, mutants, { date: new Date().toISOString(), seconds, commit, root });
  mkdirSync(join(toolDir, 'reports', pkg), { recursive: true });
  writeFileSync(join(toolDir, 'reports', pkg, 'survivors.txt'), survivorsText(pkg, mutants));
  writeOutputs([...readScores().filter((s) => s.package !== pkg), score]);
  console.log(`==> ${pkg}: score ${score.score.toFixed(2)} % (${score.killed} killed, ${score.timeout} timeout, ${score.survived} survived, ${score.noCoverage} no coverage) in ${seconds} s`);
  return score;
}

/** `--combine`: the package's score from the saved results of all its shards. */
function combine(pkg: string): void {
  const dir = join(toolDir, 'shards', pkg);
  const names = existsSync(dir) ? readdirSync(dir).filter((f) => /^\d+-of-\d+\.json$/.test(f)) : [];
  const shards = names.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ShardResult);
  const source = packageSource(pkg);
  if (isDirty(pkg)) throw new Error(`packages/${pkg} has uncommitted changes: shards can only be checked against committed sources`);
  const stale = shards.filter((s) => s.source !== source);
  if (stale.length > 0) throw new Error(`shards ${stale.map((s) => s.shard).join(', ')} ran on other sources than the package's now (${source}); run them again`);
  const whole = combineShards(shards, coreSourceFiles(pkg).map((f) => f.file));
  const mutants = whole.mutants.map((m) => ({ ...m, fileName: join(root, m.fileName) }));
  record(pkg, mutants, whole.seconds, whole.commit);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const force = args.includes('--force');
  const shardAt = args.indexOf('--shard');
  const shardArg = shardAt >= 0 ? args[shardAt + 1] : undefined;
  const names = args.filter((a, i) => !a.startsWith('--') && !(shardAt >= 0 && i === shardAt + 1));
  if (args.includes('--render')) {
    // Only rewrite docs/mutation.md and the README table from tools/mutation/scores.json.
    writeOutputs(readScores());
    return;
  }
  if (args.includes('--combine') || shardArg !== undefined) {
    if (names.length !== 1) throw new Error('--shard and --combine take exactly one package');
    const pkg = resolvePackage(names[0]!);
    process.env.SMTPKIT_MUTATION_PACKAGE = pkg;
    if (shardArg === undefined) return combine(pkg);
    const m = /^(\d+)\/(\d+)$/.exec(shardArg);
    const n = Number(m?.[1]);
    const count = Number(m?.[2]);
    if (!m || n < 1 || n > count) throw new Error(`--shard takes n/m with 1 <= n <= m, not "${shardArg}"`);
    const files = shardFiles(coreSourceFiles(pkg), count)[n - 1]!;
    const name = `${n}-of-${count}`;
    console.log(`\n==> mutation testing ${pkg}, shard ${n}/${count}: ${files.join(', ')}`);
    const source = packageSource(pkg);
    const commit = git(['rev-parse', '--short', 'HEAD']);
    const started = performance.now();
    const results = await new Stryker(strykerOptions(pkg, force, { files, name })).runMutationTest();
    const shard: ShardResult = {
      shard: `${n}/${count}`,
      source,
      commit: source.endsWith('+changes') ? `${commit}+changes` : commit,
      seconds: Math.round((performance.now() - started) / 1000),
      files,
      // what the score and the survivors list read; a static (ignored) mutant only counts
      mutants: results.map((r) => ({
        fileName: relative(root, r.fileName).split('\\').join('/'),
        status: r.status,
        mutatorName: r.mutatorName,
        replacement: r.status === 'Ignored' ? undefined : r.replacement,
        location: { start: r.location.start },
      })),
    };
    mkdirSync(dirname(shardFile(pkg, name)), { recursive: true });
    // one mutant a line: a later run of the same shard shows as a readable diff
    writeFileSync(shardFile(pkg, name), shardText(shard));
    console.log(`==> shard ${n}/${count} of ${pkg} saved (${shard.mutants.length} mutants, ${shard.seconds} s); \`pnpm mutation ${pkg} --combine\` once all ${count} have run`);
    return;
  }
  const packages = (names.length > 0 ? names.map(resolvePackage) : [...CORE]).sort((a, b) => coreSourceBytes(a) - coreSourceBytes(b));

  let failed = 0;
  for (const pkg of packages) {
    console.log(`\n==> mutation testing ${pkg} (${coreSourceBytes(pkg)} bytes of core source)`);
    process.env.SMTPKIT_MUTATION_PACKAGE = pkg;
    // The tree Stryker copies into its sandbox: HEAD, plus uncommitted edits in the package.
    const commit = git(['rev-parse', '--short', 'HEAD']);
    const dirty = isDirty(pkg);
    const started = performance.now();
    let results;
    try {
      results = await new Stryker(strykerOptions(pkg, force)).runMutationTest();
    } catch (error) {
      failed++;
      console.error(`mutation run of ${pkg} failed:`, error);
      continue;
    }
    record(pkg, results, Math.round((performance.now() - started) / 1000), dirty ? `${commit}+changes` : commit);
  }
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
