// TEST-5: the vector corpus must catch each deliberately broken variant of the machines.
// (Mutation testing with StrykerJS is out of scope here; these hand-written mutants cover the
// classic bugs the issue lists.)
import { describe, expect, it } from 'vitest';
import { loadCorpus, runAllChunkings } from '../src/vectors.js';
import { MUTANTS } from '../src/mutants.js';

const corpus = loadCorpus();

describe('TEST-5 mutants are caught by the vector corpus', () => {
  for (const mutant of MUTANTS) {
    it(`TEST-5 ${mutant.name}`, () => {
      const caught: string[] = [];
      for (const v of corpus.vectors) {
        if (!mutant.targets.includes(v.target)) continue;
        const failures = runAllChunkings(v, mutant.machines, { exhaustive: false, stopAtFirst: true });
        if (failures.length > 0) caught.push(v.id);
      }
      expect(caught.length).toBeGreaterThan(0);
      for (const id of mutant.caughtBy) expect(caught, `${id} should catch "${mutant.name}"`).toContain(id);
    });
  }
});
