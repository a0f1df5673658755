/**
 * The benchmark harness: every suite measures ours and a peer in the same bench run, repeats
 * each measurement several times and reports medians and ratios.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The installed version of an npm peer (printed in every report that measures it). */
export function npmVersion(name: string): string {
  try {
    const file = require.resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The Postfix version of smtp-sink/smtp-source. */
export function postfixVersion(): string {
  try {
    return execFileSync('/usr/sbin/postconf', ['-dh', 'mail_version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** One measured figure: a median over `runs` runs of `unit` per second (or another unit). */
export interface Figure {
  readonly name: string;
  /** Median over the runs. */
  readonly median: number;
  /** Every run's value, for the report. */
  readonly runs: readonly number[];
  /** e.g. `replies/s`, `MB/s`, `messages/s`, `MB` (for memory, lower is better). */
  readonly unit: string;
  /** true when a larger number is better (throughput); false for memory or latency. */
  readonly higherIsBetter: boolean;
}

/** A comparison of ours against a peer measured in the same run. */
export interface Comparison {
  readonly title: string;
  readonly ours: Figure;
  readonly peer?: Figure;
  /** The aim from the issue, e.g. `>= 3x`, shown next to the ratio. */
  readonly aim?: string;
  /** Anything the reader must know (peer version, message size, sessions). */
  readonly notes?: string;
}

/** A suite: a named group of comparisons (one file in src/suites/). */
export interface Suite {
  readonly name: string;
  /** Runs the measurements; quick mode (BENCH_QUICK=1) should cut the work by ~10x. */
  run(options: { quick: boolean }): Promise<Comparison[]>;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Calls `fn` repeatedly for about `ms` milliseconds per run, `runs` times (after one warm-up run),
 * and returns the median operations per second. `fn` returns how many operations it did.
 *
 * With `clock: 'cpu'` the seconds are this process's CPU time (user + system, every thread, so
 * the garbage collector's helper threads count too) rather than wall-clock time: on a shared,
 * loaded machine, time spent descheduled then does not count against the code measured. On an
 * idle machine the two agree for synchronous work (CPU time is at least as large).
 */
export function throughput(name: string, unit: string, fn: () => number, opts: { runs?: number; ms?: number; clock?: 'wall' | 'cpu' } = {}): Figure {
  const runs = opts.runs ?? 5;
  const ms = opts.ms ?? 300;
  const cpuClock = opts.clock === 'cpu';
  const values: number[] = [];
  for (let r = -1; r < runs; r++) {
    let ops = 0;
    const start = performance.now();
    const cpuStart = cpuClock ? process.cpuUsage() : undefined;
    let elapsed = 0;
    while (elapsed < ms) {
      ops += fn();
      elapsed = performance.now() - start;
    }
    if (cpuStart !== undefined) {
      const used = process.cpuUsage(cpuStart);
      elapsed = (used.user + used.system) / 1000;
    }
    if (r >= 0) values.push((ops * 1000) / elapsed);
  }
  return { name, median: median(values), runs: values, unit, higherIsBetter: true };
}

/** As {@link throughput} for asynchronous work: `fn` resolves to the number of operations done. */
export async function throughputAsync(
  name: string,
  unit: string,
  fn: () => Promise<number>,
  opts: { runs?: number } = {},
): Promise<Figure> {
  const runs = opts.runs ?? 3;
  const values: number[] = [];
  for (let r = -1; r < runs; r++) {
    const start = performance.now();
    const ops = await fn();
    const elapsed = performance.now() - start;
    if (r >= 0) values.push((ops * 1000) / elapsed);
  }
  return { name, median: median(values), runs: values, unit, higherIsBetter: true };
}

/** Ours / peer for throughput, peer / ours for lower-is-better figures: above 1 means we win. */
export function ratio(c: Comparison): number | undefined {
  if (!c.peer) return undefined;
  return c.ours.higherIsBetter ? c.ours.median / c.peer.median : c.peer.median / c.ours.median;
}

export function formatNumber(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toPrecision(3);
}

/**
 * Runs ours and the peer alternately, one measurement each per round, so that load drift on a
 * shared machine hits both alike; returns each side's median over the rounds.
 */
export function interleaved(rounds: number, a: () => Figure, b: () => Figure): [Figure, Figure] {
  const ra: number[] = [];
  const rb: number[] = [];
  let fa: Figure | undefined;
  let fb: Figure | undefined;
  for (let r = 0; r < rounds; r++) {
    fa = a();
    fb = b();
    ra.push(fa.median);
    rb.push(fb.median);
  }
  return [
    { ...fa!, median: median(ra), runs: ra },
    { ...fb!, median: median(rb), runs: rb },
  ];
}
