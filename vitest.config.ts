import { defineConfig } from 'vitest/config';
import { workspaceAliases } from './vitest.shared.js';

export default defineConfig({
  resolve: { alias: workspaceAliases() },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'tools/*/src/**/*.test.ts', 'tools/*/test/**/*.test.ts'],
    // Interop and portability have their own configs (real peers; built dist), run by .ci/run;
    // .stryker-tmp holds the sandbox copies of a `pnpm mutation` run.
    exclude: ['**/node_modules/**', '**/dist/**', 'tools/interop/**', 'tools/portability/**', '.stryker-tmp/**'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
