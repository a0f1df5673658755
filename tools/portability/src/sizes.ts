/**
 * `pnpm size`: measures every core entry's browser bundle (esbuild --platform=browser --minify, then
 * gzip -9) and prints a table. `pnpm size --write` also records the figures in each package README
 * between `<!-- portability:start -->` and `<!-- portability:end -->` markers. The budgets that CI
 * enforces live in tools/portability/size-budget.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORE_PACKAGES } from './packages.mjs';
import { bundleSize, readBudget, root } from './harness.js';

const write = process.argv.includes('--write');
const budget = readBudget();
const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
console.log('| package | own (min / gzip) | with siblings (min / gzip) | budget (gzip) |');
console.log('|---|---|---|---|');
for (const name of CORE_PACKAGES) {
  const s = await bundleSize(name, CORE_PACKAGES.filter((p) => p !== name));
  const limit = budget[name];
  console.log(`| ${name} | ${kb(s.ownMin)} / ${kb(s.ownGzip)} | ${kb(s.totalMin)} / ${kb(s.totalGzip)} | ${limit ? kb(limit) : 'none'} |`);
  if (!write) continue;
  const readme = join(root, 'packages', name, 'README.md');
  const manifest = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')) as { engines?: { node?: string } };
  const engines = manifest.engines?.node?.replace(/^>=\s*/, '') ?? '18';
  let text: string;
  try {
    text = readFileSync(readme, 'utf8');
  } catch {
    continue;
  }
  const start = '<!-- portability:start -->';
  const end = '<!-- portability:end -->';
  const body = [
    start,
    '',
    `Tested to run (CI, \`pnpm test:portability\`, against the built \`dist\`): Node 20${engines === '18' ? ' and 18.20.8, the oldest Node its `engines` allows' : ` (\`engines\` allows ${engines}+)`},`,
    'Bun 1.x, Deno 2.x, and headless Chromium from a bundle made with `esbuild --platform=browser` (no',
    'Node built-ins, no polyfills). Results are compared byte for byte with Node\'s.' +
      (name.endsWith('-fsm') ? ' The `./node` subpath is Node-only.' : ''),
    '',
    `Bundle size (minified / gzipped, measured by \`pnpm size\`): ${kb(s.ownMin)} / ${kb(s.ownGzip)} on its own,` +
      ` ${kb(s.totalMin)} / ${kb(s.totalGzip)} with its sibling dependencies; CI budget ${limit ? kb(limit) : 'none'} gzipped.`,
    '',
    end,
  ].join('\n');
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  text = i >= 0 && j > i ? text.slice(0, i) + body + text.slice(j + end.length) : `${text.trimEnd()}\n\n## Where it runs\n\n${body}\n`;
  writeFileSync(readme, text);
}
