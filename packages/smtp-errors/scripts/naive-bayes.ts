/**
 * A multinomial naive Bayes over binary features: the model format the training script writes and
 * the scoring the fallback runs. Pure data and arithmetic, no I/O.
 */
import { features, type FeatureConfig } from '../src/learned/features.js';

/** A trained model as the training script writes it. */
export interface NaiveBayesModel {
  readonly config: FeatureConfig;
  /** Additive smoothing. */
  readonly alpha: number;
  /** Answer only when the best class's log score beats the rules' class by more than this. */
  readonly margin: number;
  /** The class ids the model knows. */
  readonly classes: readonly number[];
  /** Training rows per class (the prior). */
  readonly rows: readonly number[];
  /** Per feature: pairs of (class index, rows of that class holding it). */
  readonly counts: Readonly<Record<string, readonly number[]>>;
}

/** A model ready to score: log priors, and per class the log of the smoothed feature total. */
export interface NaiveBayesScorer {
  readonly model: NaiveBayesModel;
  readonly logPrior: Float64Array;
  readonly logTotal: Float64Array;
  readonly vocabulary: number;
}

/** Prepares `model` for scoring. */
export function scorer(model: NaiveBayesModel): NaiveBayesScorer {
  const k = model.classes.length;
  const totals = new Float64Array(k);
  let vocabulary = 0;
  for (const key in model.counts) {
    vocabulary++;
    const list = model.counts[key]!;
    for (let i = 0; i < list.length; i += 2) totals[list[i]!]! += list[i + 1]!;
  }
  const all = model.rows.reduce((a, b) => a + b, 0);
  const logPrior = new Float64Array(k);
  const logTotal = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    logPrior[c] = Math.log(model.rows[c]! / all);
    logTotal[c] = Math.log(totals[c]! + model.alpha * vocabulary);
  }
  return { model, logPrior, logTotal, vocabulary };
}

/** Log scores per class (in `model.classes` order) of a feature list; unknown features are skipped. */
export function scores(s: NaiveBayesScorer, feats: readonly string[]): Float64Array {
  const { model } = s;
  const k = model.classes.length;
  const out = new Float64Array(k);
  const seen = new Float64Array(k);
  let known = 0;
  for (const f of feats) {
    const list = Object.prototype.hasOwnProperty.call(model.counts, f) ? model.counts[f] : undefined;
    if (list === undefined) continue;
    known++;
    for (let i = 0; i < list.length; i += 2) seen[list[i]!] = list[i + 1]!;
    for (let c = 0; c < k; c++) {
      out[c]! += Math.log(seen[c]! + model.alpha);
      seen[c] = 0;
    }
  }
  for (let c = 0; c < k; c++) out[c]! += s.logPrior[c]! - known * s.logTotal[c]!;
  return out;
}

/**
 * The model's answer for a weak decision, or undefined: its best class when that beats the rules'
 * class (`rulesId`) by more than the margin (any class the model does not know is beaten).
 */
export function decide(s: NaiveBayesScorer, text: string, replyCode: number | undefined, enhancedCode: string | undefined, rulesId: number, margin = s.model.margin): number | undefined {
  const sc = scores(s, features(text, replyCode, enhancedCode, rulesId, s.model.config));
  const classes = s.model.classes;
  let best = 0;
  for (let c = 1; c < classes.length; c++) if (sc[c]! > sc[best]!) best = c;
  const own = classes.indexOf(rulesId);
  if (classes[best] === rulesId) return undefined;
  return own < 0 || sc[best]! - sc[own]! > margin ? classes[best] : undefined;
}
