/**
 * Where the server suite's processes run: every server (each child, and the bench's own process,
 * which runs the core MB/s and memory figures) on one CPU, smtp-source on another, when the
 * machine allows it (Linux with `taskset`, at least two CPUs this process may use, and
 * BENCH_PIN not `0`).
 *
 * Why: on the 2-core machine of the 2026-12-04 runs, where the scheduler happened to put a process
 * moved its CPU time by about +-10% (the same JavaScript with mock sockets cost 19 µs a message
 * pinned to CPU 0 and 11.5 µs pinned to CPU 1), and the CPU ratios against smtp-server moved with
 * it from run to run (1.39x/1.35x and 1.12x/1.04x for the same code). Pinned, every server is
 * measured on the same CPU and the client never competes with it for that CPU.
 *
 * Which CPU: fixed, not measured at run time. The servers get the second CPU this process may use
 * (CPU 1 on a 2-core machine: the mock-socket measurement above found it the cheaper one) and
 * smtp-source the first (CPU 0). A quick probe on the same machine (200 ms of pure JavaScript,
 * alternating `taskset -c 0` and `-c 1`, four times each) found no consistent difference between
 * the two CPUs (204, 201, 208, 206 ms against 210, 203, 244, 258 ms), so a choice made at run time
 * would mostly follow noise and could differ between runs; a fixed placement keeps runs comparable
 * with each other, which is what the ratios need.
 */
import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The CPUs of a Linux CPU list such as `0-3,6,8-9`, in ascending order; undefined if malformed. */
export function parseCpuList(list: string): number[] | undefined {
  const out = new Set<number>();
  for (const part of list.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return undefined;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) return undefined;
    for (let c = from; c <= to; c++) out.add(c);
  }
  return [...out].sort((a, b) => a - b);
}

/** The affinity list out of `taskset -pc <pid>`: `pid 123's current affinity list: 0,1`. */
export function parseTasksetOutput(output: string): string | undefined {
  const m = /affinity list:\s*(\S+)\s*$/m.exec(output);
  return m?.[1];
}

export interface Placement {
  /** The CPU of every server process, when pinned. */
  readonly server?: number;
  /** The CPU of smtp-source, when pinned. */
  readonly source?: number;
  /** For the report, e.g. `pinned: servers on CPU 1, smtp-source on CPU 0`. */
  readonly text: string;
}

/**
 * The placement for a process allowed on `allowed` CPUs (undefined: unknown, taskset missing) on a
 * machine of `cores` CPUs, with BENCH_PIN = `pin`.
 */
export function choosePlacement(pin: string | undefined, cores: number, allowed: readonly number[] | undefined): Placement {
  if (pin === '0') return { text: 'not pinned (BENCH_PIN=0): the scheduler places every process' };
  if (cores < 2) return { text: 'not pinned (one CPU): servers and smtp-source share it' };
  if (allowed === undefined) return { text: 'not pinned (no taskset): the scheduler places every process' };
  if (allowed.length < 2) return { text: `not pinned (this process may run on CPU ${String(allowed[0])} only): servers and smtp-source share it` };
  const server = allowed[1]!;
  const source = allowed[0]!;
  return { server, source, text: `pinned: servers on CPU ${String(server)}, smtp-source on CPU ${String(source)}` };
}

/**
 * Pins this process (every thread; children forked later inherit it) to the servers' CPU, and
 * returns the placement with a function that restores this process's affinity (so that suites run
 * after this one are placed as before).
 */
export async function pinServers(): Promise<Placement & { restore(): Promise<void> }> {
  const pid = String(process.pid);
  let original: string | undefined;
  if (process.platform === 'linux' && process.env.BENCH_PIN !== '0') {
    try {
      original = parseTasksetOutput((await run('taskset', ['-pc', pid])).stdout);
    } catch {
      original = undefined;
    }
  }
  const allowed = original === undefined ? undefined : parseCpuList(original);
  const placement = choosePlacement(process.env.BENCH_PIN, cpus().length, allowed);
  if (placement.server === undefined || original === undefined) return { ...placement, restore: async () => {} };
  try {
    await run('taskset', ['-a', '-pc', String(placement.server), pid]);
  } catch (e) {
    return { text: `not pinned (taskset failed: ${(e as Error).message.split('\n')[0] ?? ''})`, restore: async () => {} };
  }
  const list = original;
  return {
    ...placement,
    restore: async () => {
      await run('taskset', ['-a', '-pc', list, pid]).catch(() => undefined);
    },
  };
}

/** The command and arguments that run `file args` on `cpu` (unchanged when `cpu` is undefined). */
export function onCpu(cpu: number | undefined, file: string, args: readonly string[]): [string, string[]] {
  return cpu === undefined ? [file, [...args]] : ['taskset', ['-c', String(cpu), file, ...args]];
}
