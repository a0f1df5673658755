// Turns Stryker's mutant results into per-package scores and renders the tables of docs/mutation.md
// and of the root README's "Mutation score" section. Pure functions, tested in summary.test.ts.
import { relative } from 'node:path';

/** The fields of Stryker's MutantResult this summary reads. */
export interface MutantLike {
  readonly fileName: string;
  readonly status: string;
  readonly mutatorName: string;
  readonly replacement?: string | undefined;
  readonly location: { readonly start: { readonly line: number; readonly column: number } };
}

export interface FileScore {
  readonly file: string;
  readonly mutants: number;
  readonly survived: number;
  readonly noCoverage: number;
  readonly score: number;
}

export interface PackageScore {
  readonly package: string;
  /** Every mutant Stryker generated, whatever its status. */
  readonly mutants: number;
  readonly killed: number;
  readonly survived: number;
  readonly timeout: number;
  readonly noCoverage: number;
  /** CompileError + RuntimeError: invalid mutants, left out of the score. */
  readonly errors: number;
  readonly ignored: number;
  /** (killed + timeout) / (killed + timeout + survived + noCoverage), in percent. */
  readonly score: number;
  /** The same over covered mutants only (no-coverage ones left out), in percent. */
  readonly scoreCovered: number;
  readonly date: string;
  readonly seconds: number;
  readonly commit: string;
  /** Files with undetected mutants, most survivors first. */
  readonly files: readonly FileScore[];
}

interface Counts {
  mutants: number;
  killed: number;
  survived: number;
  timeout: number;
  noCoverage: number;
  errors: number;
  ignored: number;
}

function count(mutants: readonly MutantLike[]): Counts {
  const c: Counts = { mutants: 0, killed: 0, survived: 0, timeout: 0, noCoverage: 0, errors: 0, ignored: 0 };
  for (const m of mutants) {
    c.mutants++;
    switch (m.status) {
      case 'Killed':
        c.killed++;
        break;
      case 'Survived':
        c.survived++;
        break;
      case 'Timeout':
        c.timeout++;
        break;
      case 'NoCoverage':
        c.noCoverage++;
        break;
      case 'CompileError':
      case 'RuntimeError':
        c.errors++;
        break;
      default:
        c.ignored++;
    }
  }
  return c;
}

function percent(part: number, whole: number): number {
  return whole === 0 ? 100 : Math.round((part / whole) * 10_000) / 100;
}

/** Scores one package's mutation run. */
export function summarize(pkg: string, mutants: readonly MutantLike[], run: { date: string; seconds: number; commit: string; root: string }): PackageScore {
  const c = count(mutants);
  const detected = c.killed + c.timeout;
  const byFile = new Map<string, MutantLike[]>();
  for (const m of mutants) {
    const file = relative(run.root, m.fileName).split('\\').join('/');
    const list = byFile.get(file) ?? [];
    list.push(m);
    byFile.set(file, list);
  }
  const files: FileScore[] = [...byFile]
    .map(([file, list]) => {
      const f = count(list);
      return { file, mutants: f.mutants, survived: f.survived, noCoverage: f.noCoverage, score: percent(f.killed + f.timeout, f.killed + f.timeout + f.survived + f.noCoverage) };
    })
    .filter((f) => f.survived + f.noCoverage > 0)
    .sort((a, b) => b.survived + b.noCoverage - (a.survived + a.noCoverage) || a.file.localeCompare(b.file));
  return {
    package: pkg,
    ...c,
    score: percent(detected, detected + c.survived + c.noCoverage),
    scoreCovered: percent(detected, detected + c.survived),
    date: run.date,
    seconds: run.seconds,
    commit: run.commit,
    files,
  };
}

/** One shard of a package's mutation run (`pnpm mutation <package> --shard n/m`), as saved. */
export interface ShardResult {
  /** `n/m`. */
  readonly shard: string;
  /** The git tree of the package (sources and tests) the shard ran on. */
  readonly source: string;
  readonly commit: string;
  readonly seconds: number;
  /** The source files the shard mutated, relative to the repository root. */
  readonly files: readonly string[];
  readonly mutants: readonly MutantLike[];
}

/** A shard's result as saved: JSON with one mutant a line, so that a rerun reads as a diff. */
export function shardText(shard: ShardResult): string {
  const head = JSON.stringify({ ...shard, mutants: [] }).slice(0, -'[]}'.length);
  return `${head}[\n${shard.mutants.map((m) => JSON.stringify(m)).join(',\n')}\n]}\n`;
}

/**
 * Splits `files` (with their sizes) into `count` groups of about equal size, largest file first into
 * the smallest group; the same input always gives the same groups.
 */
export function shardFiles(files: readonly { file: string; bytes: number }[], count: number): string[][] {
  const groups = Array.from({ length: count }, () => ({ bytes: 0, files: [] as string[] }));
  const ordered = [...files].sort((a, b) => b.bytes - a.bytes || a.file.localeCompare(b.file));
  for (const f of ordered) {
    const smallest = groups.reduce((best, g) => (g.bytes < best.bytes ? g : best));
    smallest.bytes += f.bytes;
    smallest.files.push(f.file);
  }
  return groups.map((g) => g.files.sort());
}

/**
 * The mutants of a whole run put together from its shards. Refuses (throws) shards of different
 * splits or sources, a shard missing or run twice, and shards that do not cover `expectedFiles`
 * (the package's files now) exactly once.
 */
export function combineShards(shards: readonly ShardResult[], expectedFiles: readonly string[]): { mutants: MutantLike[]; seconds: number; commit: string } {
  if (shards.length === 0) throw new Error('no shard results to combine');
  const count = Number(shards[0]!.shard.split('/')[1]);
  const seen = new Set<string>();
  for (const s of shards) {
    if (s.source !== shards[0]!.source) throw new Error(`shard ${s.shard} ran on other sources (${s.source}) than shard ${shards[0]!.shard} (${shards[0]!.source})`);
    if (Number(s.shard.split('/')[1]) !== count) throw new Error(`shard ${s.shard} is of another split than ${shards[0]!.shard}`);
    if (seen.has(s.shard)) throw new Error(`shard ${s.shard} appears twice`);
    seen.add(s.shard);
  }
  for (let n = 1; n <= count; n++) if (!seen.has(`${n}/${count}`)) throw new Error(`shard ${n}/${count} has not been run`);
  const covered = shards.flatMap((s) => s.files);
  const missing = expectedFiles.filter((f) => !covered.includes(f));
  const extra = covered.filter((f, i) => !expectedFiles.includes(f) || covered.indexOf(f) !== i);
  if (missing.length > 0 || extra.length > 0) throw new Error(`the shards do not cover the package's files once each (missing: ${missing.join(', ') || 'none'}; extra or twice: ${extra.join(', ') || 'none'})`);
  return { mutants: shards.flatMap((s) => s.mutants), seconds: shards.reduce((n, s) => n + s.seconds, 0), commit: [...new Set(shards.map((s) => s.commit))].join(',') };
}

function minutes(seconds: number): string {
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** The per-package table (and per-file detail) for docs/mutation.md. */
export function renderDoc(packages: readonly string[], scores: readonly PackageScore[]): string {
  const out: string[] = [];
  out.push('| package | mutants | killed | timeout | survived | no coverage | errors | ignored (static) | score | score of covered | run time | date (UTC) | commit | reproduce |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|');
  for (const pkg of packages) {
    const s = scores.find((x) => x.package === pkg);
    if (s === undefined) {
      out.push(`| \`${pkg}\` | not run | | | | | | | | | | | \`pnpm mutation ${pkg}\` |`);
      continue;
    }
    out.push(
      `| \`${pkg}\` | ${s.mutants} | ${s.killed} | ${s.timeout} | ${s.survived} | ${s.noCoverage} | ${s.errors} | ${s.ignored} | **${s.score.toFixed(2)} %** | ${s.scoreCovered.toFixed(2)} % | ${minutes(s.seconds)} | ${s.date.slice(0, 16).replace('T', ' ')} | \`${s.commit}\` | \`pnpm mutation ${pkg}\` |`,
    );
  }
  for (const s of scores) {
    if (s.files.length === 0) continue;
    out.push('', `### \`${s.package}\`: files with undetected mutants`, '');
    out.push('| file | mutants | survived | no coverage | score |', '|---|---:|---:|---:|---:|');
    for (const f of s.files) out.push(`| \`${f.file}\` | ${f.mutants} | ${f.survived} | ${f.noCoverage} | ${f.score.toFixed(2)} % |`);
  }
  return `${out.join('\n')}\n`;
}

/** The short table of the root README. */
export function renderReadmeTable(packages: readonly string[], scores: readonly PackageScore[]): string {
  const out = ['| package | mutants | score | date |', '|---|---:|---:|---|'];
  for (const pkg of packages) {
    const s = scores.find((x) => x.package === pkg);
    out.push(s === undefined ? `| \`${pkg}\` | not run | | |` : `| \`${pkg}\` | ${s.mutants} | ${s.score.toFixed(2)} % | ${s.date.slice(0, 10)} |`);
  }
  return `${out.join('\n')}\n`;
}

/**
 * Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` (markers kept);
 * `undefined` when the markers are missing.
 */
export function replaceBetweenMarkers(text: string, name: string, body: string): string | undefined {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end, from + start.length);
  if (from < 0 || to < 0) return undefined;
  return `${text.slice(0, from + start.length)}\n${body}${text.slice(to)}`;
}
