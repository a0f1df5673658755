/**
 * The learned fallback's one final scoring: `createLearnedClassifier()` against `classify` on each
 * split (provider held-out and tune, sisimai test and dev, and every row of a later blind round
 * when its file exists). Prints aggregate counts only: no row text, no ids.
 *
 *   pnpm tsx packages/smtp-errors/scripts/score-learned.ts
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { classify, type Classification } from '../src/index.js';
import { createLearnedClassifier } from '../src/learned/index.js';
import { loadProviderRows } from '../test/provider-eval.js';
import { loadRows } from '../test/bounce-eval.js';

interface Scored {
  readonly text: string;
  readonly acceptable: readonly number[];
}
const learned = createLearnedClassifier();
const WEAK = new Set(['reply-code', 'enhanced-code', 'none']);

function line(name: string, rows: readonly Scored[]): string {
  let base = 0;
  let withFallback = 0;
  let weak = 0;
  let changed = 0;
  let fixed = 0;
  let broken = 0;
  for (const r of rows) {
    const a: Classification = classify(r.text);
    const b = learned.classify(r.text);
    const okA = r.acceptable.includes(a.id);
    const okB = r.acceptable.includes(b.id);
    if (okA) base++;
    if (okB) withFallback++;
    if (WEAK.has(a.rule.kind)) weak++;
    if (a.id !== b.id) changed++;
    if (!okA && okB) fixed++;
    if (okA && !okB) broken++;
  }
  return `| ${name} | ${rows.length} | ${base} | ${withFallback} | ${withFallback - base >= 0 ? '+' : ''}${withFallback - base} | ${weak} | ${changed} | ${fixed} | ${broken} |`;
}

const provider = loadProviderRows();
const sisimai = loadRows();
console.log('| split | rows | classify | learned | gain | weak decisions | changed | fixed | broken |');
console.log('|---|---|---|---|---|---|---|---|---|');
console.log(line('provider held-out', provider.filter((r) => r.split === 'heldout')));
console.log(line('provider tune', provider.filter((r) => r.split === 'tune')));
console.log(line('sisimai test', sisimai.filter((r) => r.split === 'test')));
console.log(line('sisimai dev', sisimai.filter((r) => r.split === 'dev')));
const ROUND11 = fileURLToPath(new URL('../test/provider-eval-round11.jsonl', import.meta.url));
if (existsSync(ROUND11)) {
  const rows = readFileSync(ROUND11, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Scored);
  console.log(line('round 11 (all rows)', rows));
}
