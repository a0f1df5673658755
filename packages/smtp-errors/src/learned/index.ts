/**
 * smtp-errors/learned: an opt-in statistical fallback for the classifier's weak decisions (a class
 * chosen by the reply code alone, the enhanced code alone, or nothing). A softmax regression over
 * the reply class digit, the enhanced code's subject and detail, the rules' weak class, words
 * (lower-cased, accents folded) and their character trigrams, trained by scripts/train-learned.ts
 * on the provider set's tune rows and the sisimai set's dev rows. It overrules the rules only when
 * its best class beats the rules' class by a margin chosen by cross-validation.
 */
import { createClassifier, type Classifier, type ClassifierOptions, type ClassifyFallback, type FallbackInput } from 'smtp-errors';
import { features } from './features.js';
import { logisticScores, weightIndex } from './logistic.js';
import { MODEL } from './model.js';

const INDEX = weightIndex(MODEL);

/**
 * The learned fallback: the model's class for a weak decision, or `undefined` (keep the rules'
 * answer) when it does not beat the rules' class by the model's margin. Pure: the same input gives
 * the same answer. Called by hand with what is no {@link FallbackInput} (a `text` that is not a
 * string, an `id` that is not a number, codes of the wrong type), it answers `undefined`, never a
 * `TypeError`.
 *
 * @example
 * ```ts
 * import { createClassifier } from 'smtp-errors';
 * import { learnedFallback } from 'smtp-errors/learned';
 * const c = createClassifier({ rules: ',10,no such person', fallback: learnedFallback });
 * ```
 * @see RFC 3463 §3
 */
export const learnedFallback: ClassifyFallback = (reply: FallbackInput): number | undefined => {
  // each field read once (a getter may answer otherwise the next time)
  const { text, replyCode, enhancedCode, id } = (typeof reply === 'object' && reply !== null ? reply : {}) as Partial<FallbackInput>;
  if (typeof text !== 'string' || typeof id !== 'number' || (replyCode !== undefined && typeof replyCode !== 'number') || (enhancedCode !== undefined && typeof enhancedCode !== 'string')) return undefined;
  const scores = logisticScores(MODEL, INDEX, features(text, replyCode, enhancedCode, id, MODEL.config));
  const { classes } = MODEL;
  let best = 0;
  for (let c = 1; c < classes.length; c++) if (scores[c]! > scores[best]!) best = c;
  if (classes[best] === id) return undefined;
  const own = classes.indexOf(id);
  return own < 0 || scores[best]! - scores[own]! > MODEL.margin ? classes[best] : undefined;
};

/**
 * A classifier with the learned fallback: `createClassifier({ ...options, fallback: learnedFallback })`.
 *
 * @example
 * ```ts
 * const classifier = createLearnedClassifier();
 * classifier.classify('550 Requested action not taken: mailbox unavailable').rule.kind; // 'reply-code' or 'fallback'
 * ```
 * @see RFC 3463 §3
 */
export function createLearnedClassifier(options: Omit<ClassifierOptions, 'fallback'> = {}): Classifier {
  // Not an object: createClassifier throws ERR_SMTP_INVALID_OPTION for it.
  return createClassifier(typeof options === 'object' && options !== null ? { ...options, fallback: learnedFallback } : options);
}
