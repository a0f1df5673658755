// TEST-4, short run: a few hundred fast-check cases per parser (the long run is `pnpm fuzz`), and
// every regression fixture found by a long run replayed.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadRegressions, properties, propertyOf, replay } from '../src/fuzz.js';

const RUNS = 300;

describe('TEST-4 fuzzing every parser (short run)', () => {
  for (const [name, f] of Object.entries(properties())) {
    it(`TEST-4 X-4 DOS-9 DOS-10 ${name}: only typed errors, bounded buffers, split-invariant`, () => {
      fc.assert(propertyOf(f), { numRuns: RUNS, seed: 20261129 });
    });
  }
});

describe('TEST-4 regression fixtures', () => {
  const regressions = loadRegressions();
  it('TEST-4 the fixture folder loads', () => {
    expect(Array.isArray(regressions)).toBe(true);
  });
  for (const r of regressions) {
    it(`TEST-4 regression ${r.parser} (seed ${String(r.seed)})`, () => {
      expect(() => replay(r)).not.toThrow();
    });
  }
});
