import { describe, expect, it } from 'vitest';
import { createClassifier } from './classifier.js';
import type { RuleInit } from './rules.js';

/** An object whose field `key` answers `first` on its first read and `then` on every later one. */
function flipping<T extends object>(base: object, key: string, first: unknown, then: unknown): T {
  let reads = 0;
  return Object.defineProperty({ ...base }, key, { enumerable: true, get: () => (++reads === 1 ? first : then) }) as T;
}

describe('a rule is read once (a getter that changes its answer is taken at its first)', () => {
  it('pattern: a string, then a number', () => {
    const c = createClassifier();
    c.addRule(flipping<RuleInit>({ id: 10 }, 'pattern', 'no such person', 5));
    expect(c.rules()[0]).toEqual({ layer: 'user', pattern: 'no such person', id: 10 });
    expect(c.classify('550 no such person').rule).toEqual({ kind: 'user-rule', pattern: 'no such person' });
  });

  it('pattern: one string, then another (the listed and the matched pattern are the same)', () => {
    const c = createClassifier();
    c.addRule(flipping<RuleInit>({ id: 10 }, 'pattern', 'no such person', 'zzz'));
    expect(c.rules()[0]!.pattern).toBe('no such person');
    expect(c.classify('550 zzz').rule.kind).not.toBe('user-rule');
  });

  it('domain: undefined or a string, then a number', () => {
    const c = createClassifier();
    c.addRule(flipping<RuleInit>({ id: 10, pattern: 'no such person' }, 'domain', undefined, 5));
    expect(c.rules()[0]).toEqual({ layer: 'user', pattern: 'no such person', id: 10 });
    c.addRule(flipping<RuleInit>({ id: 22, pattern: 'box full' }, 'domain', ' Example.COM ', 5));
    expect(c.rules()[0]).toEqual({ layer: 'domain', domain: 'example.com', pattern: 'box full', id: 22 });
  });
});
