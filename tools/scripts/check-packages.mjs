#!/usr/bin/env node
// `pnpm check:packages`: publint --strict and attw --pack on every published package (needs a build).
// attw runs with its strict profile: node10 too (many projects still default to it; `typesVersions`
// maps the `./node` subpaths there), node16 CJS/ESM and bundler.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('../..', import.meta.url).pathname;
let failed = 0;
for (const name of readdirSync(join(root, 'packages')).sort()) {
  const dir = join(root, 'packages', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (pkg.private) continue;
  for (const [cmd, args] of [
    ['publint', ['--strict']],
    ['attw', ['--pack', '.', '--format', 'table-flipped']],
  ]) {
    const bin = join(root, 'node_modules', '.bin', cmd);
    const res = spawnSync(bin, args, { cwd: dir, stdio: 'inherit' });
    if (res.status !== 0) {
      failed++;
      console.error(`check:packages: ${cmd} failed for ${name}`);
    }
  }
}
if (failed) {
  console.error(`check:packages: ${failed} check(s) failed`);
  process.exit(1);
}
console.log('check:packages: every package passed publint --strict and attw --pack');
