// Where the server suite runs its processes: the CPU lists taskset prints, and the fallbacks
// (no pinning, said in the report) where pinning is off, impossible or unknown.
import { describe, expect, it } from 'vitest';
import { choosePlacement, onCpu, parseCpuList, parseTasksetOutput } from './placement.js';

describe('bench placement', () => {
  it('reads Linux CPU lists', () => {
    expect(parseCpuList('0,1')).toEqual([0, 1]);
    expect(parseCpuList('0-3,6,8-9\n')).toEqual([0, 1, 2, 3, 6, 8, 9]);
    expect(parseCpuList('2')).toEqual([2]);
    expect(parseCpuList('3-1')).toBeUndefined();
    expect(parseCpuList('0,x')).toBeUndefined();
    expect(parseCpuList('')).toBeUndefined();
  });

  it("reads taskset's affinity list", () => {
    expect(parseTasksetOutput("pid 30862's current affinity list: 0,1\n")).toBe('0,1');
    expect(parseTasksetOutput("pid 7's current affinity list: 0-3\npid 8's current affinity list: 0-3\n")).toBe('0-3');
    expect(parseTasksetOutput('taskset: failed')).toBeUndefined();
  });

  it('pins the servers on the second allowed CPU and smtp-source on the first', () => {
    expect(choosePlacement(undefined, 2, [0, 1])).toEqual({ server: 1, source: 0, text: 'pinned: servers on CPU 1, smtp-source on CPU 0' });
    expect(choosePlacement('1', 8, [2, 5, 7])).toMatchObject({ server: 5, source: 2 });
  });

  it('does not pin when it is turned off, on one CPU, or without taskset, and says so', () => {
    for (const p of [choosePlacement('0', 2, [0, 1]), choosePlacement(undefined, 1, [0]), choosePlacement(undefined, 2, undefined), choosePlacement(undefined, 4, [3])]) {
      expect(p.server).toBeUndefined();
      expect(p.source).toBeUndefined();
      expect(p.text).toMatch(/^not pinned \(/);
    }
  });

  it('wraps a command in taskset only when a CPU is given', () => {
    expect(onCpu(0, '/usr/sbin/smtp-source', ['-s', '1'])).toEqual(['taskset', ['-c', '0', '/usr/sbin/smtp-source', '-s', '1']]);
    expect(onCpu(undefined, '/usr/sbin/smtp-source', ['-s', '1'])).toEqual(['/usr/sbin/smtp-source', ['-s', '1']]);
  });
});
