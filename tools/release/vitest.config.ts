import { defineConfig } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared.js';

// `pnpm test:release`: one file, sequential, long hooks (installing Verdaccio, publishing, npm installs).
export default defineConfig({
  resolve: { alias: workspaceAliases() },
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['src/**/*.release.ts'],
    testTimeout: 180_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
