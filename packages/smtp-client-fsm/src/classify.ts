/**
 * Classification of negative replies for per-recipient results. The default classifier is
 * code-based; pass smtp-errors' `classify` (or any function) as the `classify` option for bounce
 * classes with rules, domains and phrases.
 */
import type { Reply } from 'smtp-reply-reader';

/**
 * A classification attached to a result: class id and name (legacy bounce classes), category.
 *
 * @example
 * const c: Classification = { id: 10, name: 'Invalid Recipient', category: 'hard' };
 * @see RFC 3463 (enhanced status codes), RFC 5321 §4.2.1
 */
export interface Classification {
  readonly id: number;
  readonly name: string;
  readonly category: string;
}

/**
 * A classifier: reply (and the recipient's domain) in, classification out.
 *
 * @example
 * new ClientConnection({ classify: (reply, domain) => myRules(reply.text, domain) });
 * @see RFC 3463
 */
export type Classifier = (reply: Reply, domain: string | undefined) => Classification;

/**
 * Code-based default with the legacy class ids: 4xx is 20 Soft Bounce, 5.1.x and 550/551/553 are
 * 10 Invalid Recipient, 5.7.x is 50 Mail Block, 552 is 40 Generic Bounce, other 5xx 1 Undetermined.
 *
 * @example
 * defaultClassify({ code: 452, lines: ['x'], text: 'x' }, 'example.com').category; // 'soft'
 * @see RFC 3463 §3
 */
export function defaultClassify(reply: Reply, _domain: string | undefined): Classification {
  if (reply.code < 400) return { id: 0, name: 'Delivered', category: 'none' };
  if (reply.code < 500) return { id: 20, name: 'Soft Bounce', category: 'soft' };
  const e = reply.enhanced;
  if (e && e.subject === 1) return { id: 10, name: 'Invalid Recipient', category: 'hard' };
  if (e && e.subject === 7) return { id: 50, name: 'Mail Block', category: 'block' };
  if (reply.code === 550 || reply.code === 551 || reply.code === 553) return { id: 10, name: 'Invalid Recipient', category: 'hard' };
  if (reply.code === 552) return { id: 40, name: 'Generic Bounce', category: 'soft' };
  return { id: 1, name: 'Undetermined', category: 'undetermined' };
}
