/**
 * Training data and training for the learned fallback (smtp-errors/learned). Reads only the
 * provider set's `tune` rows and the sisimai set's `dev` rows: never a held-out or test row.
 */
import { createClassifier, type Classifier, type FallbackInput } from '../src/index.js';
import { loadProviderRows } from '../test/provider-eval.js';
import { loadRows } from '../test/bounce-eval.js';
import { features, type FeatureConfig } from '../src/learned/features.js';
import type { NaiveBayesModel } from './naive-bayes.js';
import type { LogisticModel } from '../src/learned/logistic.js';
import { seededRandom } from '@smtpkit/testkit';

/** What a classifier decided for a row, and what its fallback would be given when that was weak. */
export interface Decision {
  readonly id: number;
  /** The fallback's input when the decision was weak (reply-code, enhanced-code, none). */
  readonly weak: FallbackInput | undefined;
}

export interface TrainingRow {
  readonly set: 'tune' | 'dev';
  readonly text: string;
  readonly label: number;
  readonly acceptable: readonly number[];
  /** The classifier with its phrase rules off. */
  readonly off: Decision;
  /** The full classifier. */
  readonly full: Decision;
}

function decision(c: Classifier, seen: { input: FallbackInput | undefined }, text: string): Decision {
  seen.input = undefined;
  const { id } = c.classify(text);
  return { id, weak: seen.input };
}

/** The tune and dev rows, in file order, with both classifiers' decisions. */
export function trainingRows(): TrainingRow[] {
  const seen: { input: FallbackInput | undefined } = { input: undefined };
  const capture = (r: FallbackInput): undefined => {
    seen.input = r;
    return undefined;
  };
  const off = createClassifier({ builtinRules: false, fallback: capture, limits: { cacheSize: 0 } });
  const full = createClassifier({ fallback: capture, limits: { cacheSize: 0 } });
  const rows: { set: 'tune' | 'dev'; text: string; label: number; acceptable: readonly number[] }[] = [
    ...loadProviderRows()
      .filter((r) => r.split === 'tune')
      .map((r) => ({ set: 'tune' as const, text: r.text, label: r.class, acceptable: r.acceptable })),
    ...loadRows()
      .filter((r) => r.split === 'dev')
      .map((r) => ({ set: 'dev' as const, text: r.text, label: r.acceptable[0]!, acceptable: r.acceptable })),
  ];
  return rows.map((r) => ({ ...r, off: decision(off, seen, r.text), full: decision(full, seen, r.text) }));
}

export interface TrainOptions {
  readonly config: FeatureConfig;
  readonly alpha: number;
  readonly margin: number;
  /** Train on every row, or only on rows the phrase-rules-off classifier decided weakly. */
  readonly weakOnly: boolean;
  /** Keep only features seen in at least this many training rows. */
  readonly minCount: number;
}

/** The features of a training row: as the fallback would see it under the phrase-rules-off classifier. */
export function rowFeatures(r: TrainingRow, config: FeatureConfig): string[] {
  const w = r.off.weak;
  if (w) return features(w.text, w.replyCode, w.enhancedCode, w.id, config);
  // Not weak: the same reading, from the full classifier's codes when it has them.
  const c = createCodes(r.text);
  return features(r.text, c.replyCode, c.enhancedCode, r.off.id, config);
}

const plain = createClassifier({ builtinRules: false, limits: { cacheSize: 0 } });
function createCodes(text: string): { replyCode: number | undefined; enhancedCode: string | undefined } {
  const c = plain.classify(text);
  return { replyCode: c.replyCode, enhancedCode: c.enhancedCode };
}

/** Trains a naive Bayes model; deterministic (classes in id order, features in sorted order). */
export function train(rows: readonly TrainingRow[], o: TrainOptions, feats: (r: TrainingRow) => readonly string[] = (r) => rowFeatures(r, o.config)): NaiveBayesModel {
  const used = o.weakOnly ? rows.filter((r) => r.off.weak !== undefined) : rows;
  const classes = [...new Set(used.map((r) => r.label))].sort((a, b) => a - b);
  const index = new Map(classes.map((c, i) => [c, i]));
  const perRows = classes.map(() => 0);
  const counts = new Map<string, number[]>();
  const df = new Map<string, number>();
  for (const r of used) {
    const ci = index.get(r.label)!;
    perRows[ci]!++;
    for (const f of feats(r)) {
      let a = counts.get(f);
      if (!a) counts.set(f, (a = classes.map(() => 0)));
      a[ci]!++;
      df.set(f, (df.get(f) ?? 0) + 1);
    }
  }
  const out: Record<string, number[]> = {};
  for (const f of [...counts.keys()].sort()) {
    if (df.get(f)! < o.minCount) continue;
    const a = counts.get(f)!;
    const list: number[] = [];
    a.forEach((n, ci) => {
      if (n > 0) list.push(ci, n);
    });
    out[f] = list;
  }
  return { config: o.config, alpha: o.alpha, margin: o.margin, classes, rows: perRows, counts: out };
}

/** Stratified folds: per label, rows shuffled by `seed` and dealt round-robin. Returns each row's fold. */
export function stratifiedFolds(rows: readonly TrainingRow[], k: number, seed: number): number[] {
  // the folds are the same on every run
  const rand = seededRandom(seed);
  const fold = new Array<number>(rows.length).fill(0);
  const byLabel = new Map<number, number[]>();
  rows.forEach((r, i) => byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), i]));
  let next = 0;
  for (const label of [...byLabel.keys()].sort((a, b) => a - b)) {
    const idx = byLabel.get(label)!;
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    for (const i of idx) fold[i] = next++ % k;
  }
  return fold;
}

export interface LogisticOptions {
  readonly config: FeatureConfig;
  /** L2 penalty on the summed log loss. */
  readonly l2: number;
  readonly epochs: number;
  readonly margin: number;
  /** Weights smaller than this in magnitude are dropped. */
  readonly prune: number;
  /** Weights are rounded to multiples of this (stored as integers). */
  readonly scale: number;
}

/** Trains a softmax regression with full-batch AdaGrad: deterministic (no sampling, fixed order). */
export function trainLogistic(rows: readonly TrainingRow[], o: LogisticOptions, feats: (r: TrainingRow) => readonly string[] = (r) => rowFeatures(r, o.config)): LogisticModel {
  const classes = [...new Set(rows.map((r) => r.label))].sort((a, b) => a - b);
  const k = classes.length;
  const index = new Map(classes.map((c, i) => [c, i]));
  const vocab = new Map<string, number>();
  const xs = rows.map((r) => {
    const ids = [...new Set(feats(r))].sort().map((f) => {
      let v = vocab.get(f);
      if (v === undefined) vocab.set(f, (v = vocab.size));
      return v;
    });
    return Int32Array.from(ids);
  });
  const ys = rows.map((r) => index.get(r.label)!);
  const d = vocab.size;
  const w = new Float64Array(d * k);
  const b = new Float64Array(k);
  const gw = new Float64Array(d * k);
  const gb = new Float64Array(k);
  const hw = new Float64Array(d * k).fill(1e-8);
  const hb = new Float64Array(k).fill(1e-8);
  const p = new Float64Array(k);
  const lr = 0.5;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    gw.fill(0);
    gb.fill(0);
    for (let n = 0; n < xs.length; n++) {
      const x = xs[n]!;
      for (let c = 0; c < k; c++) p[c] = b[c]!;
      for (const j of x) for (let c = 0; c < k; c++) p[c]! += w[j * k + c]!;
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, p[c]!);
      let z = 0;
      for (let c = 0; c < k; c++) z += p[c] = Math.exp(p[c]! - max);
      for (let c = 0; c < k; c++) {
        const g = p[c]! / z - (c === ys[n] ? 1 : 0);
        gb[c]! += g;
        for (const j of x) gw[j * k + c]! += g;
      }
    }
    for (let i = 0; i < w.length; i++) {
      const g = gw[i]! + o.l2 * w[i]!;
      hw[i]! += g * g;
      w[i]! -= (lr * g) / Math.sqrt(hw[i]!);
    }
    for (let c = 0; c < k; c++) {
      hb[c]! += gb[c]! * gb[c]!;
      b[c]! -= (lr * gb[c]!) / Math.sqrt(hb[c]!);
    }
  }
  const round = (x: number): number => Math.round(x / o.scale) + 0; // + 0: no -0
  const weights: Record<string, number[]> = {};
  for (const [f, j] of [...vocab.entries()].sort((a, c) => (a[0] < c[0] ? -1 : 1))) {
    const list: number[] = [];
    for (let c = 0; c < k; c++) if (Math.abs(w[j * k + c]!) >= o.prune && round(w[j * k + c]!) !== 0) list.push(c, round(w[j * k + c]!));
    if (list.length) weights[f] = list;
  }
  return { config: o.config, margin: o.margin, classes, scale: o.scale, bias: [...b].map(round), weights };
}
