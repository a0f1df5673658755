// Vitest config for mutation runs: the root config's aliases (sibling packages resolve to their
// sources, here the instrumented copies in Stryker's sandbox) with the test files narrowed to the
// package under test, so each package's score measures its own suite. The Node adapter tests
// (src/node/** and test/node-*.test.ts) open sockets and wait on timers; they stay out, as do
// the adapters' sources (see run.ts).
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared.js';

/**
 * Stryker runs a mutant's covering test files one after another and stops at the first failure.
 * Vitest's own order puts the slowest files first (right for a parallel run); here the file that
 * failed last time (it killed the previous mutant) comes first, then the fastest: a killed mutant
 * then costs the cheapest file that catches it, not every slow file before it.
 */
class CheapFirst extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cache = this.ctx.cache;
    const keyOf = (f: TestSpecification): string => `${f.project.name}:${relative(this.ctx.config.root, f.moduleId)}`;
    // [failed last time first, files with a recorded duration before those without, then the
    // duration (ms) or, without one, the file size (bytes)]: the two units are never compared
    const rank = (f: TestSpecification): [number, number, number] => {
      const state = cache.getFileTestResults(keyOf(f));
      if (state !== undefined) return [state.failed ? 0 : 1, 0, state.duration];
      return [1, 1, cache.getFileStats(keyOf(f))?.size ?? 0];
    };
    return Promise.resolve(
      [...files].sort((a, b) => {
        const ra = rank(a);
        const rb = rank(b);
        return ra[0] - rb[0] || ra[1] - rb[1] || ra[2] - rb[2];
      }),
    );
  }
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = process.env.SMTPKIT_MUTATION_PACKAGE ?? '*';

export default defineConfig({
  root,
  resolve: { alias: workspaceAliases() },
  test: {
    include: [`packages/${pkg}/src/**/*.test.ts`, `packages/${pkg}/test/**/*.test.ts`],
    exclude: ['**/node_modules/**', '**/dist/**', 'packages/*/src/node/**', 'packages/*/test/node-*.test.ts', '.stryker-tmp/**'],
    testTimeout: 30_000,
    sequence: { sequencer: CheapFirst },
  },
});
