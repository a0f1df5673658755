/**
 * Second iteration of the learned fallback's validation: on which decision kinds should the model be
 * consulted, with which margin, and can the model itself be better? Same protocol as
 * validate-learned.ts: 5 stratified folds x 3 seeds over the tune and dev rows only. In each fold
 * the model is trained on the other folds and applied, on the validation fold, to the decisions of
 * the classifier with its phrase rules off and of the full classifier, per decision kind
 * (`rule.kind`) and margin. Prints aggregate counts only (per-seed averages summed over the folds).
 *
 * Each cell reads `m<margin>: right/changed/broken` (broken: right answers of the rules the model
 * turned wrong). The totals at the end are for the weak kinds only (what the hook consults today).
 *
 *   pnpm tsx packages/smtp-errors/scripts/validate-fallback-kinds.ts
 *   SETTINGS=base,l2=0.2 SEEDS=4,5,6 pnpm tsx packages/smtp-errors/scripts/validate-fallback-kinds.ts
 *   BY_CLASS=1 PER_KIND=reply-code=4,enhanced-code=4,none=3 SETTINGS=kind pnpm tsx packages/smtp-errors/scripts/validate-fallback-kinds.ts
 *
 * SEEDS: the fold seeds (1,2,3 as validate-learned.ts; 4,5,6 were used to confirm a choice);
 * BY_CLASS=1: word-family decisions per class too; PER_KIND: a margin per weak kind for the totals.
 */
import { createClassifier, type Classification } from '../src/index.js';
import { features, type FeatureConfig } from '../src/learned/features.js';
import { logisticScores, weightIndex } from '../src/learned/logistic.js';
import { stratifiedFolds, trainLogistic, trainingRows, type TrainingRow } from './learned-lib.js';

const rows = trainingRows();
const K = 5;
const SEEDS = (process.env['SEEDS'] ?? '1,2,3').split(',').map(Number);
const folds = SEEDS.map((s) => stratifiedFolds(rows, K, s));
const env = (name: string, fallback: string): string => process.env[name] ?? fallback;
const MARGINS = env('MARGINS', '0,1,2,3,4,5,6,8,10,12').split(',').map(Number);

/** A decision of a classifier on a row: what the fallback would receive if it were consulted. */
interface Seen {
  readonly kind: string;
  readonly id: number;
  readonly replyCode: number | undefined;
  readonly enhancedCode: string | undefined;
  readonly stage: string | undefined;
}
const see = (c: Classification): Seen => ({
  kind: c.rule.kind,
  id: c.id,
  replyCode: c.replyCode,
  enhancedCode: c.enhancedCode,
  stage: 'stage' in c.rule ? c.rule.stage : undefined,
});
const offC = createClassifier({ builtinRules: false, limits: { cacheSize: 0 } });
const fullC = createClassifier({ limits: { cacheSize: 0 } });
const seen = new Map(rows.map((r) => [r, { off: see(offC.classify(r.text)), full: see(fullC.classify(r.text)) }]));

/** The extra features of the second iteration, on top of the first's FeatureConfig. */
interface Extra {
  /** The SMTP stage the rules found (`s:rcpt`), when the decision names one. */
  readonly stage: boolean;
  /** The decision kind (`d:keyword`). */
  readonly kind: boolean;
}
function feats(r: TrainingRow, s: Seen, config: FeatureConfig, extra: Extra): string[] {
  const f = features(r.text, s.replyCode, s.enhancedCode, s.id, config);
  if (extra.stage && s.stage !== undefined) f.push(`s:${s.stage}`);
  if (extra.kind) f.push(`d:${s.kind}`);
  return f;
}

interface Setting {
  readonly name: string;
  readonly config: FeatureConfig;
  readonly extra: Extra;
  readonly l2: number;
  readonly epochs: number;
  readonly prune: number;
  readonly scale: number;
  /** Train on the full classifier's reading too (each row twice). */
  readonly both: boolean;
}
const base: Setting = { name: 'base', config: { pairs: false, grams: [3], rulesId: true }, extra: { stage: false, kind: false }, l2: 0.1, epochs: 100, prune: 0.1, scale: 0.1, both: false };
const ALL: Setting[] = [
  base,
  { ...base, name: 'pairs', config: { ...base.config, pairs: true } },
  { ...base, name: 'stage', extra: { stage: true, kind: false } },
  { ...base, name: 'kind', extra: { stage: false, kind: true } },
  { ...base, name: 'stage+kind', extra: { stage: true, kind: true } },
  { ...base, name: 'both-readings', both: true },
  { ...base, name: 'both-readings+kind', both: true, extra: { stage: false, kind: true } },
  { ...base, name: 'l2=0.03', l2: 0.03 },
  { ...base, name: 'l2=0.3', l2: 0.3 },
  { ...base, name: 'l2=1', l2: 1 },
  { ...base, name: 'grams=3+5', config: { ...base.config, grams: [3, 5] } },
  { ...base, name: 'epochs=200', epochs: 200 },
  { ...base, name: 'prune=0.2', prune: 0.2 },
  { ...base, name: 'prune=0.05', prune: 0.05, scale: 0.05 },
  { ...base, name: 'kind+epochs=200', extra: { stage: false, kind: true }, epochs: 200 },
  { ...base, name: 'kind+l2=0.2', extra: { stage: false, kind: true }, l2: 0.2 },
  { ...base, name: 'l2=0.2', l2: 0.2 },
  { ...base, name: 'kind+pairs', extra: { stage: false, kind: true }, config: { ...base.config, pairs: true } },
];
const wanted = env('SETTINGS', ALL.map((s) => s.name).join(',')).split(',');

interface Tally {
  n: number;
  rules: number;
  fallback: number[];
  changed: number[];
  broken: number[];
}
const BY_CLASS = env('BY_CLASS', '') === '1';
const KINDS = ['reply-code', 'enhanced-code', 'none', 'keyword', 'builtin-rule'];

function run(s: Setting): Record<'off' | 'full', Record<string, Tally>> {
  const out = { off: {} as Record<string, Tally>, full: {} as Record<string, Tally> };
  for (const which of ['off', 'full'] as const) for (const k of KINDS) out[which][k] = { n: 0, rules: 0, fallback: MARGINS.map(() => 0), changed: MARGINS.map(() => 0), broken: MARGINS.map(() => 0) };
  const trainF = new Map<TrainingRow, string[]>(rows.map((r) => [r, feats(r, seen.get(r)!.off, s.config, s.extra)]));
  const fullF = new Map<TrainingRow, string[]>(rows.map((r) => [r, feats(r, seen.get(r)!.full, s.config, s.extra)]));
  for (const fold of folds)
    for (let k = 0; k < K; k++) {
      const train = rows.filter((_, i) => fold[i] !== k);
      // both readings: each training row twice, as the phrase-rules-off and as the full classifier read it
      const fm = new Map<TrainingRow, string[]>(train.map((r) => [r, trainF.get(r)!]));
      if (s.both) for (const r of train) fm.set({ ...r }, fullF.get(r)!);
      const m = trainLogistic([...fm.keys()], { config: s.config, l2: s.l2, epochs: s.epochs, margin: 0, prune: s.prune, scale: s.scale }, (r) => fm.get(r)!);
      const index = weightIndex(m);
      rows.forEach((r, i) => {
        if (fold[i] !== k) return;
        for (const which of ['off', 'full'] as const) {
          const d = seen.get(r)![which];
          const ts = [out[which][d.kind]];
          // word-family decisions per class too (kw:<class>)
          if (d.kind === 'keyword' && BY_CLASS) ts.push((out[which][`kw:${d.id}`] ??= { n: 0, rules: 0, fallback: MARGINS.map(() => 0), changed: MARGINS.map(() => 0), broken: MARGINS.map(() => 0) }));
          const sc = logisticScores(m, index, which === 'off' ? trainF.get(r)! : fullF.get(r)!);
          let best = 0;
          for (let c = 1; c < m.classes.length; c++) if (sc[c]! > sc[best]!) best = c;
          const own = m.classes.indexOf(d.id);
          const diff = own < 0 ? Infinity : sc[best]! - sc[own]!;
          const ok = r.acceptable.includes(d.id);
          for (const t of ts) {
            if (!t) continue;
            t.n++;
            if (ok) t.rules++;
            MARGINS.forEach((mg, mi) => {
              const got = m.classes[best] !== d.id && diff > mg ? m.classes[best]! : d.id;
              const okG = r.acceptable.includes(got);
              if (okG) t.fallback[mi]!++;
              if (got !== d.id) t.changed[mi]!++;
              if (ok && !okG) t.broken[mi]!++;
            });
          }
        }
      });
    }
  return out;
}

const n = SEEDS.length;
const r1 = (x: number): string => (Math.round((x / n) * 10) / 10).toString();
console.log(`rows: ${rows.length}; per-seed averages over ${n} seeds x ${K} folds; margins ${MARGINS.join(',')}`);
for (const which of ['off', 'full'] as const) {
  const counts = KINDS.map((k) => `${k} ${rows.filter((r) => seen.get(r)![which].kind === k).length}`);
  console.log(`decisions of ${which}: ${counts.join(', ')}`);
}
for (const s of ALL.filter((x) => wanted.includes(x.name))) {
  const t0 = performance.now();
  const res = run(s);
  console.log(`\n== ${s.name} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  for (const which of ['off', 'full'] as const)
    for (const k of [...KINDS, ...Object.keys(res[which]).filter((x) => x.startsWith('kw:')).sort()]) {
      const t = res[which][k]!;
      if (t.n === 0) continue;
      const cells = MARGINS.map((mg, mi) => `m${mg}: ${r1(t.fallback[mi]!)}/${r1(t.changed[mi]!)}/${r1(t.broken[mi]!)}`);
      console.log(`${which.padEnd(4)} ${k.padEnd(13)} n ${r1(t.n)} rules ${r1(t.rules)} | ${cells.join('  ')}`);
    }
  // weak kinds only, at margin 3 (the first iteration's setting) and at the margins per kind in PER_KIND
  const perKind = Object.fromEntries(env('PER_KIND', 'reply-code=3,enhanced-code=3,none=3').split(',').map((x) => [x.split('=')[0]!, Number(x.split('=')[1])]));
  for (const [label, margin] of [['margin 3', (): number => 3], [`PER_KIND`, (k: string): number => perKind[k] ?? 3]] as const)
    for (const which of ['off', 'full'] as const) {
      let rules = 0;
      let fb = 0;
      let nn = 0;
      let broken = 0;
      let changed = 0;
      for (const k of ['reply-code', 'enhanced-code', 'none']) {
        const mi = MARGINS.indexOf(margin(k));
        const t = res[which][k]!;
        nn += t.n;
        rules += t.rules;
        fb += t.fallback[mi]!;
        broken += t.broken[mi]!;
        changed += t.changed[mi]!;
      }
      console.log(`${which} weak kinds, ${label}: n ${r1(nn)} rules ${r1(rules)} -> ${r1(fb)} (${fb >= rules ? '+' : ''}${r1(fb - rules)}), changed ${r1(changed)}, broken ${r1(broken)}`);
    }
}
