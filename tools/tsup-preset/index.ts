/**
 * The one tsup preset every smtpkit package uses. A package's `tsup.config.ts` only calls
 * {@link definePackage}, so build output (ESM + CJS, bundled types for both, source maps,
 * ES2022 target, no minification) stays identical across the monorepo.
 */
import { defineConfig, type Options } from 'tsup';

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
      compilerOptions: { rootDir: '../..', baseUrl: '.', paths: { '@smtpkit/foundation': ['../foundation/src/index.ts'] } },
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
