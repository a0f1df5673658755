/**
 * The ready default classifier behind the plain functions. It is an ordinary `Classifier`; the
 * mutating functions (`registerClass`, `addRule`, `addRules`) change it for everything in the
 * process that uses the plain functions, so libraries should use `createClassifier()` instead.
 */

import type { BounceCategory, BounceClass } from './classes.js';
import { Classifier, type Classification, type ClassifyOptions } from './classifier.js';
import type { ReplyInput } from './reply-input.js';
import type { RuleInit } from './rules.js';

/**
 * The default classifier used by the plain functions (built-in classes and rules).
 *
 * @example
 * ```ts
 * defaultClassifier.classify('550 5.1.1 unknown').id; // 10
 * ```
 * @see RFC 5321 §4.2
 */
export const defaultClassifier: Classifier = new Classifier();

/**
 * Classifies a reply with the default classifier (the legacy `smtp_error_classify`, and with
 * `options.length` `smtp_error_classify_len`).
 *
 * @example
 * ```ts
 * classify('host mx.example.com said: 550 5.1.1 <a@example.com>: User unknown (in reply to RCPT TO command)');
 * // { id: 10, name: 'Invalid Recipient', category: 'hard', transient: false, rule: { kind: 'builtin-rule', ... } }
 * ```
 * @see RFC 5321 §4.2, RFC 3463 §2
 */
export function classify(response: ReplyInput, options?: ClassifyOptions): Classification {
  return defaultClassifier.classify(response, options);
}

/**
 * The class with this id in the default classifier, or undefined (legacy `smtp_error_for_id`).
 *
 * @example
 * ```ts
 * forId(24)?.name; // 'Timeout'
 * ```
 * @see RFC 3463 §3
 */
export function forId(id: number): BounceClass | undefined {
  return defaultClassifier.forId(id);
}

/**
 * Name and description of a class, or undefined (legacy `smtp_error_retrieve_class`).
 *
 * @example
 * ```ts
 * retrieveClass(51); // { name: 'Spam Block', description: '...' }
 * ```
 * @see RFC 3463 §3
 */
export function retrieveClass(id: number): { readonly name: string; readonly description: string } | undefined {
  return defaultClassifier.retrieveClass(id);
}

/**
 * Registers a custom class on the default classifier (legacy `smtp_error_register_class`).
 *
 * @example
 * ```ts
 * registerClass(99, 'Profanity', 'Rejected for language.', 'block');
 * ```
 * @see RFC 3463 §3
 */
export function registerClass(
  id: number,
  name: string,
  description: string,
  category: BounceCategory,
  options?: { readonly replace?: boolean },
): BounceClass {
  return defaultClassifier.registerClass(id, name, description, category, options);
}

/**
 * Adds a rule to the default classifier.
 *
 * @example
 * ```ts
 * addRule({ domain: 'example.com', pattern: 'box|full', id: 22 });
 * ```
 * @see RFC 5321 §4.2
 */
export function addRule(rule: RuleInit): void {
  defaultClassifier.addRule(rule);
}

/**
 * Adds rules in the legacy `domain,bounce_code,rule` format to the default classifier.
 *
 * @example
 * ```ts
 * addRules(',10,no such person here');
 * ```
 * @see RFC 5321 §4.2
 */
export function addRules(text: string): number {
  return defaultClassifier.addRules(text);
}
