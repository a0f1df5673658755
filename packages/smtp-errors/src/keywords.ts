/**
 * Last-resort keywords: single words that hint at a class when everything else gave only a generic
 * answer (40 Generic Bounce or 1 Undetermined). The first listed keyword found in the text wins.
 */

import { makeRule, RuleMatcher, type StoredRule } from './rules.js';

/**
 * The keyword list: `[keyword, class id]`, in precedence order.
 *
 * @example
 * ```ts
 * classify('550 mailbox is disabled').rule; // { kind: 'keyword', pattern: 'disabled' }
 * ```
 * @see RFC 3463 §3
 */
export const KEYWORDS: readonly (readonly [string, number])[] = Object.freeze([
  ['unknown', 10],
  ['not found', 10],
  ['no such', 10],
  ['not exist', 10],
  ['disabled', 10],
  ['suspended', 10],
  ['deactivated', 10],
  ['invalid', 10],
  ['full', 22],
  ['too big', 23],
  ['size', 23],
  ['loop', 20],
  ['dns', 21],
  ['relay', 54],
  ['refused', 50],
  ['denied', 50],
  ['rejected', 50],
  ['prohibited', 50],
  ['not allowed', 50],
  ['not permitted', 50],
  ['unauthorized', 50],
  ['busy', 70],
  ['temporar', 70],
  ['try again', 70],
  ['unavailable', 70],
] as const);

const STORED: readonly StoredRule[] = KEYWORDS.map(([pattern, id]) => makeRule({ pattern, id }, 'builtin', `keyword-${pattern}`));
let matcher: RuleMatcher | undefined;

/** @internal The first-listed keyword found in `text`, or undefined. */
export function findKeyword(text: string): StoredRule | undefined {
  matcher ??= new RuleMatcher(STORED);
  return matcher.match(text, undefined);
}
