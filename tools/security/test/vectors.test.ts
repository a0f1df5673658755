// Every vector of tools/security/vectors.json against the real machines, whole, byte by byte, at
// every split point (small inputs) and at random splits (large ones), through the public APIs.
import { describe, expect, it } from 'vitest';
import { loadCorpus, runAllChunkings } from '../src/vectors.js';

const corpus = loadCorpus();

describe('vector corpus (TEST-1, TEST-2, X-3)', () => {
  it('TEST-1 the corpus is well formed: unique ids, known targets, an expectation each', () => {
    const ids = new Set<string>();
    for (const v of corpus.vectors) {
      expect(ids.has(v.id), v.id).toBe(false);
      ids.add(v.id);
      expect(['server', 'client', 'reply-reader', 'ehlo', 'args']).toContain(v.target);
      expect(Object.keys(v.expect).length, v.id).toBeGreaterThan(0);
      expect(v.id.startsWith(v.requirement) || v.id.includes('/'), v.id).toBe(true);
    }
    expect(corpus.vectors.length).toBeGreaterThan(100);
  });

  for (const v of corpus.vectors) {
    it(`${v.id} (${v.target}): ${v.description}`, () => {
      expect(runAllChunkings(v)).toEqual([]);
    });
  }
});
