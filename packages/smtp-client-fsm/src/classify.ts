/**
 * Classification of negative replies for per-recipient results, through smtp-errors (bounce
 * classes with rules, per-domain overrides, phrases and enhanced status codes). To change it, pass
 * your own `classify` option: a function `(reply, domain) => Classification` (a {@link Classifier}),
 * not a classifier object. To use a smtp-errors `createClassifier()` instance with custom rules,
 * wrap its method: `classify: (reply, domain) => custom.classify(reply, { domain })`.
 */
import type { Reply } from 'smtp-reply-reader';
import { classify as classifyReply } from 'smtp-errors';

/**
 * A classification attached to a result: legacy bounce class id and name, category, and whether
 * a retry may succeed.
 *
 * @example
 * const c: Classification = { id: 10, name: 'Invalid Recipient', category: 'hard', transient: false };
 * @see RFC 3463 (enhanced status codes), RFC 5321 §4.2.1
 */
export interface Classification {
  readonly id: number;
  readonly name: string;
  readonly category: string;
  readonly transient?: boolean;
}

/**
 * A classifier: reply (and the recipient's domain) in, classification out.
 *
 * @example
 * new ClientConnection({ classify: (reply, domain) => myClassifier.classify(reply, { domain }) });
 * @see RFC 3463
 */
export type Classifier = (reply: Reply, domain: string | undefined) => Classification;

/**
 * The default classifier: smtp-errors' default instance, reduced to the fields results carry.
 *
 * @example
 * defaultClassify({ code: 550, enhanced: { class: 5, subject: 1, detail: 1 }, lines: ['5.1.1 no such user'], text: '5.1.1 no such user' }, 'example.com').id; // 10
 * @see RFC 3463 §3
 */
export function defaultClassify(reply: Reply, domain: string | undefined): Classification {
  const c = classifyReply(reply, domain === undefined ? {} : { domain });
  return { id: c.id, name: c.name, category: c.category, transient: c.transient };
}
