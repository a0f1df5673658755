import { defineConfig } from 'vitest/config';
import { workspaceAliases } from '../../../vitest.shared.js';

// TEST-7 runs against a real peer (aiosmtpd under /usr/bin/python3), so it is not part of the unit
// suite: `npx vitest run --config tools/security/differential/vitest.config.ts`.
export default defineConfig({
  resolve: { alias: workspaceAliases() },
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 30_000,
  },
});
