import { describe, expect, it } from 'vitest';
import { createClassifier, type ClassifierOptions } from './classifier.js';
import { isSmtpErrorsError } from './errors.js';
import type { RuleInit } from './rules.js';

/** An object whose field `key` answers `first` on its first read and `then` on every later one. */
function flipping<T extends object>(base: object, key: string, first: unknown, then: unknown): T {
  let reads = 0;
  return Object.defineProperty({ ...base }, key, { enumerable: true, get: () => (++reads === 1 ? first : then) }) as T;
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isSmtpErrorsError(e) ? e.code : `plain ${String(e)}`;
  }
  return undefined;
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

describe('createClassifier reads each option once', () => {
  it('rules: undefined, then a number', () => {
    expect(codeOf(() => createClassifier(flipping<ClassifierOptions>({}, 'rules', undefined, 5)))).toBeUndefined();
  });

  it('rules: text, then a list (the text is added)', () => {
    const c = createClassifier(flipping<ClassifierOptions>({}, 'rules', ',10,no such person', [{ pattern: 'other', id: 22 }]));
    expect(c.rules()[0]).toEqual({ layer: 'user', pattern: 'no such person', id: 10 });
  });

  it('classes: a list, then a number (the list is registered)', () => {
    const classes = [{ id: 99, name: 'Profanity', description: 'Rejected for language.', category: 'block' as const }];
    expect(createClassifier(flipping<ClassifierOptions>({}, 'classes', classes, 5)).forId(99)?.name).toBe('Profanity');
  });

  it('limits: undefined, then text (the defaults, no stray keys)', () => {
    expect(createClassifier(flipping<ClassifierOptions>({}, 'limits', undefined, 'abc')).limits).toEqual({ maxTextBytes: 65536, cacheSize: 16384 });
  });

  it('builtinRules: undefined, then 0 (the built-in rules stay on)', () => {
    const c = createClassifier(flipping<ClassifierOptions>({}, 'builtinRules', undefined, 0));
    expect(c.rules().length).toBeGreaterThan(100);
  });

  it('fallback: undefined, then a function (never called)', () => {
    let calls = 0;
    const c = createClassifier(flipping<ClassifierOptions>({}, 'fallback', undefined, () => (calls++, 10)));
    expect(c.classify('550 zzz').rule.kind).toBe('reply-code');
    expect(calls).toBe(0);
  });

  it('providerCodes: a list, then a number', () => {
    const c = createClassifier(flipping<ClassifierOptions>({}, 'providerCodes', [{ code: 'RX-0042', provider: 'example-mx', id: 51 }], 5));
    expect(c.classify('550 RX-0042').rule).toEqual({ kind: 'provider-code', provider: 'example-mx', code: 'RX-0042' });
  });
});
