/**
 * The one tsup preset every smtpkit package uses. A package's `tsup.config.ts` only calls
 * {@link definePackage}, so build output (ESM + CJS, bundled types for both, source maps,
 * ES2022 target, no minification) stays identical across the monorepo.
 */
import { readFileSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

/** The package's own tsconfig `paths` (e.g. smtp-errors/message importing `smtp-errors`), kept beside the foundation's. */
function ownPaths(): Record<string, string[]> {
  try {
    const config = JSON.parse(readFileSync('tsconfig.json', 'utf8')) as { compilerOptions?: { paths?: Record<string, string[]> } };
    return config.compilerOptions?.paths ?? {};
  } catch {
    return {};
  }
}

export interface PackageBuild {
  /** Entry points, keyed by output name: `{ index: 'src/index.ts', 'node/index': 'src/node/index.ts' }`. */
  readonly entry: Record<string, string>;
}

export function definePackage(build: PackageBuild): Options {
  return defineConfig({
    entry: build.entry,
    format: ['esm', 'cjs'],
    // The private @smtpkit/foundation is bundled (code and types): it is a devDependency, so
    // published packages never depend on it.
    dts: {
      resolve: [/^@smtpkit\/foundation/],
      compilerOptions: { rootDir: '../..', baseUrl: '.', paths: { ...ownPaths(), '@smtpkit/foundation': ['../foundation/src/index.ts'] } },
    },
    noExternal: [/^@smtpkit\/foundation/],
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    external: [/^node:/],
    splitting: false,
    treeshake: true,
    minify: false,
    outDir: 'dist',
    tsconfig: 'tsconfig.json',
  }) as Options;
}
