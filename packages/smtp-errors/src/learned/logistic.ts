/**
 * A multinomial logistic regression over binary features: the model format the training script
 * writes and the scoring the fallback runs. Pure data and arithmetic, no I/O.
 */
import type { FeatureConfig } from './features.js';

/** A trained model as the training script writes it. */
export interface LogisticModel {
  readonly config: FeatureConfig;
  /** Answer only when the best class's score beats the rules' class by more than this (log-odds). */
  readonly margin: number;
  /** The class ids the model knows. */
  readonly classes: readonly number[];
  /** What one unit of a stored weight is worth: weights and biases are stored as integers. */
  readonly scale: number;
  /** The bias per class, in `classes` order. */
  readonly bias: readonly number[];
  /** Per feature: pairs of (class index, weight in units of `scale`); weights not listed are 0. */
  readonly weights: Readonly<Record<string, readonly number[]>>;
}

/** The model's weights by feature, for lookups. */
export function weightIndex(model: LogisticModel): ReadonlyMap<string, readonly number[]> {
  return new Map(Object.entries(model.weights));
}

/** Scores per class (in `model.classes` order) of a feature list; unknown features are skipped. */
export function logisticScores(model: LogisticModel, index: ReadonlyMap<string, readonly number[]>, feats: Iterable<string>): Float64Array {
  const out = Float64Array.from(model.bias);
  for (const f of feats) {
    const list = index.get(f);
    if (list === undefined) continue;
    for (let i = 0; i < list.length; i += 2) out[list[i]!]! += list[i + 1]!;
  }
  for (let c = 0; c < out.length; c++) out[c]! *= model.scale;
  return out;
}
