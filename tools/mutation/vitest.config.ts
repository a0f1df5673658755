// Vitest config for mutation runs: the root config's aliases (sibling packages resolve to their
// sources, here the instrumented copies in Stryker's sandbox) with the test files narrowed to the
// package under test, so each package's score measures its own suite. The Node adapter tests
// (src/node/** and test/node-*.test.ts) open sockets and wait on timers; they stay out, as do
// the adapters' sources (see run.ts).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = process.env.SMTPKIT_MUTATION_PACKAGE ?? '*';

export default defineConfig({
  root,
  resolve: { alias: workspaceAliases() },
  test: {
    include: [`packages/${pkg}/src/**/*.test.ts`, `packages/${pkg}/test/**/*.test.ts`],
    exclude: ['**/node_modules/**', '**/dist/**', 'packages/*/src/node/**', 'packages/*/test/node-*.test.ts', '.stryker-tmp/**'],
    testTimeout: 30_000,
  },
});
