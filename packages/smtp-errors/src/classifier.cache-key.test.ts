import { describe, expect, it } from 'vitest';
import { createClassifier } from './index.js';

// The result cache must be exact: a cached answer is returned only for the same effective input
// (text, domain, examined length), so no answer depends on what was classified before.
describe('classify: the result cache keys exactly what decides the result', () => {
  it('a domain holding NUL and a text starting with NUL are told apart', () => {
    const fresh = (text: string, domain: string) => createClassifier({ rules: 'a,90,zz' }).classify(text, { domain }).id;
    expect(fresh('zz', 'a\u0000')).toBe(1);
    expect(fresh('\u0000zz', 'a')).toBe(90);
    const c = createClassifier({ rules: 'a,90,zz' });
    expect(c.classify('zz', { domain: 'a\u0000' }).id).toBe(1);
    expect(c.classify('\u0000zz', { domain: 'a' }).id).toBe(90);
    const d = createClassifier({ rules: 'a,90,zz' });
    expect(d.classify('\u0000zz', { domain: 'a' }).id).toBe(90);
    expect(d.classify('zz', { domain: 'a\u0000' }).id).toBe(1);
  });

  it('an ignored length (a string, NaN, negative) is keyed as no length, not by its text', () => {
    const reply = '550 5.1.1 user unknown';
    const c = createClassifier();
    expect(c.classify(reply, { length: 5 }).id).toBe(50);
    expect(c.classify(reply, { length: '5' as unknown as number }).id).toBe(10);
    expect(c.classify(reply, { length: { toString: () => '5' } as unknown as number }).id).toBe(10);
    const d = createClassifier();
    expect(d.classify(reply, { length: '5' as unknown as number }).id).toBe(10);
    expect(d.classify(reply, { length: 5 }).id).toBe(50);
    expect(d.classify(reply, { length: 5.9 }).id).toBe(50);
    expect(d.classify(reply, { length: NaN }).id).toBe(10);
    expect(d.classify(reply, { length: -1 }).id).toBe(10);
  });
});
