/**
 * Chooses the learned fallback's model, features, smoothing or penalty, and margin by repeated
 * stratified k-fold cross-validation on the tune and dev rows only (5 folds x 3 seeds). In each
 * fold the model is trained on the other folds and applied, on the validation fold, only where a
 * classifier decided weakly: the classifier with its phrase rules off (a stand-in for rules that
 * have not seen the wording) and the full classifier. Prints aggregate counts only.
 *
 *   pnpm tsx packages/smtp-errors/scripts/validate-learned.ts            # both model families
 *   MODEL=nb MARGINS=8,10,12 TOP=10 pnpm tsx packages/smtp-errors/scripts/validate-learned.ts
 */
import { features, type FeatureConfig } from '../src/learned/features.js';
import { logisticScores, weightIndex } from '../src/learned/logistic.js';
import { scorer, scores } from './naive-bayes.js';
import { rowFeatures, stratifiedFolds, train, trainLogistic, trainingRows, type TrainingRow } from './learned-lib.js';

const rows = trainingRows();
const K = 5;
const SEEDS = [1, 2, 3];
const folds = SEEDS.map((s) => stratifiedFolds(rows, K, s));
const env = (name: string, fallback: string): string => process.env[name] ?? fallback;
const MODELS = env('MODEL', 'nb,lr').split(',');

const configs: FeatureConfig[] = [];
for (const pairs of [false, true]) for (const grams of [[], [3], [4], [3, 5]]) for (const rulesId of [false, true]) configs.push({ pairs, grams, rulesId });
// CONFIG=pairs=false,grams=3,rulesId=true keeps only the feature sets whose description holds each item.
const only = env('CONFIG', '').split(',').filter((x) => x !== '');
configs.splice(0, configs.length, ...configs.filter((c) => only.every((o) => `pairs=${c.pairs} grams=${c.grams.join('+') || '-'} rulesId=${c.rulesId}`.split(' ').includes(o))));

/** A model family's settings: a name, and how to fit one on training rows. */
interface Spec {
  readonly key: string;
  readonly margins: readonly number[];
  fit(train: readonly TrainingRow[], feats: (r: TrainingRow) => readonly string[]): { classes: readonly number[]; score(f: readonly string[]): Float64Array };
}
const specs: Spec[] = [];
for (const config of configs) {
  const tag = `pairs=${config.pairs} grams=${config.grams.join('+') || '-'} rulesId=${config.rulesId}`;
  if (MODELS.includes('nb'))
    for (const alpha of [0.1, 0.3, 1])
      for (const minCount of [1, 2])
        for (const weakOnly of [false, true])
          specs.push({
            key: `nb ${tag} alpha=${alpha} min=${minCount} weakOnly=${weakOnly}`,
            margins: env('MARGINS', '0,2,5,8,10,12,15').split(',').map(Number),
            fit(t, feats) {
              const m = train(t, { config, alpha, margin: 0, weakOnly, minCount }, feats);
              const s = scorer(m);
              return { classes: m.classes, score: (f) => scores(s, f) };
            },
          });
  if (MODELS.includes('lr'))
    for (const l2 of env('L2', '0.1,0.3,1').split(',').map(Number))
      for (const [prune, scale] of env('PRUNE', '0:0.001').split(',').map((x) => x.split(':').map(Number)))
      specs.push({
        key: `lr ${tag} l2=${l2} prune=${prune} scale=${scale}`,
        margins: env('LR_MARGINS', '0,0.5,1,2,3,4').split(',').map(Number),
        fit(t, feats) {
          const m = trainLogistic(t, { config, l2, epochs: Number(env('EPOCHS', '100')), margin: 0, prune: prune!, scale: scale! }, feats);
          const index = weightIndex(m);
          return { classes: m.classes, score: (f) => logisticScores(m, index, f) };
        },
      });
}

interface Tally {
  weak: number;
  rules: number;
  fallback: number;
  changed: number;
}
const tally = (): Tally => ({ weak: 0, rules: 0, fallback: 0, changed: 0 });
const cache = new Map<FeatureConfig, { train: Map<TrainingRow, string[]>; off: Map<TrainingRow, string[]>; full: Map<TrainingRow, string[]> }>();
function featuresFor(config: FeatureConfig) {
  let c = cache.get(config);
  if (!c) {
    const of = (w: TrainingRow['off']['weak']) => features(w!.text, w!.replyCode, w!.enhancedCode, w!.id, config);
    c = {
      train: new Map(rows.map((r) => [r, rowFeatures(r, config)])),
      off: new Map(rows.filter((r) => r.off.weak).map((r) => [r, of(r.off.weak)])),
      full: new Map(rows.filter((r) => r.full.weak).map((r) => [r, of(r.full.weak)])),
    };
    cache.clear();
    cache.set(config, c);
  }
  return c;
}

const results: { key: string; off: Tally; full: Tally }[] = [];
let config: FeatureConfig | undefined;
for (const spec of specs) {
  const i = configs.findIndex((c) => spec.key.includes(`pairs=${c.pairs} grams=${c.grams.join('+') || '-'} rulesId=${c.rulesId}`));
  config = configs[i]!;
  const f = featuresFor(config);
  const off = spec.margins.map(tally);
  const full = spec.margins.map(tally);
  for (const fold of folds)
    for (let k = 0; k < K; k++) {
      const model = spec.fit(
        rows.filter((_, i) => fold[i] !== k),
        (r) => f.train.get(r)!,
      );
      for (const [which, out] of [['off', off], ['full', full]] as const) {
        rows.forEach((r, i) => {
          const w = r[which].weak;
          if (fold[i] !== k || !w) return;
          const sc = model.score(f[which].get(r)!);
          let best = 0;
          for (let c = 1; c < model.classes.length; c++) if (sc[c]! > sc[best]!) best = c;
          const own = model.classes.indexOf(w.id);
          const diff = own < 0 ? Infinity : sc[best]! - sc[own]!;
          spec.margins.forEach((m, mi) => {
            const t = out[mi]!;
            const got = model.classes[best] !== w.id && diff > m ? model.classes[best]! : w.id;
            t.weak++;
            if (r.acceptable.includes(w.id)) t.rules++;
            if (r.acceptable.includes(got)) t.fallback++;
            if (got !== w.id) t.changed++;
          });
        });
      }
    }
  spec.margins.forEach((m, mi) => results.push({ key: `${spec.key} margin=${m}`, off: off[mi]!, full: full[mi]! }));
}
const n = SEEDS.length;
const r1 = (x: number): string => (Math.round((x / n) * 10) / 10).toString();
const fmt = (t: Tally): string => `weak ${r1(t.weak)}, rules ${r1(t.rules)}, rules+fallback ${r1(t.fallback)} (${t.fallback >= t.rules ? '+' : ''}${r1(t.fallback - t.rules)}), changed ${r1(t.changed)}`;
results.sort((a, b) => b.off.fallback + b.full.fallback - (a.off.fallback + a.full.fallback) || b.off.fallback - a.off.fallback);
console.log(`rows: ${rows.length} (tune ${rows.filter((r) => r.set === 'tune').length}, dev ${rows.filter((r) => r.set === 'dev').length}); per-seed averages over ${n} seeds x ${K} folds; ${results.length} settings`);
for (const r of results.slice(0, Number(env('TOP', '20')))) console.log(`${r.key}\n  rules off: ${fmt(r.off)}\n  full:      ${fmt(r.full)}`);
