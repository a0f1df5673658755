#!/usr/bin/env node
// Creates an empty, buildable package folder: `node tools/scripts/new-package.mjs <name> "<description>" [--node]`.
// `--node` adds the `./node` subpath (src/node/index.ts) for packages with a Node adapter.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [name, description, ...flags] = process.argv.slice(2);
if (!name || !description) {
  console.error('usage: new-package.mjs <name> "<description>" [--node]');
  process.exit(2);
}
const withNode = flags.includes('--node');
const dir = join('packages', name);
if (existsSync(dir)) {
  console.error(`${dir} exists`);
  process.exit(1);
}
mkdirSync(join(dir, 'src'), { recursive: true });
const conditions = (base) => ({
  import: { types: `./dist/${base}.d.ts`, default: `./dist/${base}.js` },
  require: { types: `./dist/${base}.d.cts`, default: `./dist/${base}.cjs` },
});
const exportsMap = { '.': conditions('index') };
if (withNode) exportsMap['./node'] = conditions('node/index');
exportsMap['./package.json'] = './package.json';
const pkg = {
  name,
  version: '0.0.0',
  description,
  license: 'MIT',
  type: 'module',
  sideEffects: false,
  keywords: ['smtp', 'esmtp', 'email', 'rfc5321', 'sans-io', 'typescript'],
  repository: { type: 'git', url: 'git+https://github.com/smtpkit/smtpkit.git', directory: dir },
  engines: { node: '>=18' },
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.cts',
  exports: exportsMap,
  files: ['dist', 'README.md', 'CHANGELOG.md'],
  scripts: { build: 'tsup' },
  dependencies: {},
};
writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
const entry = { index: 'src/index.ts' };
if (withNode) entry['node/index'] = 'src/node/index.ts';
writeFileSync(
  join(dir, 'tsup.config.ts'),
  `import { definePackage } from '../../tools/tsup-preset/index.js';\n\nexport default definePackage({ entry: ${JSON.stringify(entry)} });\n`,
);
writeFileSync(
  join(dir, 'tsconfig.json'),
  JSON.stringify(
    {
      extends: '../../tsconfig.base.json',
      compilerOptions: { rootDir: 'src', outDir: 'dist', ...(withNode ? { types: ['node'] } : {}) },
      include: ['src'],
      exclude: ['src/**/*.test.ts'],
    },
    null,
    2,
  ) + '\n',
);
writeFileSync(join(dir, 'src', 'index.ts'), `// ${name}: public surface (explicit named exports).\nexport {};\n`);
if (withNode) {
  mkdirSync(join(dir, 'src', 'node'), { recursive: true });
  writeFileSync(join(dir, 'src', 'node', 'index.ts'), `// ${name}/node: Node.js adapter.\nexport {};\n`);
}
console.log(`created ${dir}`);
