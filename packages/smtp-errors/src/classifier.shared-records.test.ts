// Decisions by a code, a stage or a word are shared frozen records, and so are the results they
// make with the same codes: equal in every field to what a fresh object would hold.
import { describe, expect, it } from 'vitest';
import { createClassifier } from './classifier.js';

describe('shared decision records', () => {
  it('two replies decided by the same reply code at the same stage share the frozen record and result', () => {
    const c = createClassifier({ limits: { cacheSize: 0 } });
    const a = c.classify('452 zzz (in reply to RCPT TO command)');
    const b = c.classify('452 qqq (in reply to RCPT TO command)');
    expect(a.rule).toEqual({ kind: 'reply-code', code: 452, stage: 'rcpt' });
    expect(b.rule).toBe(a.rule);
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.rule)).toBe(true);
    // another code, another stage: another record
    const other = c.classify('452 zzz (in reply to MAIL FROM command)');
    expect(other.rule).not.toBe(a.rule);
    expect(c.classify('451 zzz (in reply to RCPT TO command)').rule).toEqual({ kind: 'reply-code', code: 451, stage: 'rcpt' });
  });

  it('so do two replies decided by the same enhanced code, and a result is made anew when a code differs', () => {
    const c = createClassifier({ limits: { cacheSize: 0 } });
    const a = c.classify({ text: 'zzz', enhanced: '5.1.1' });
    const b = c.classify({ text: 'qqq', enhanced: '5.1.1' });
    expect(a.rule).toEqual({ kind: 'enhanced-code', code: '5.1.1', stage: undefined });
    expect(b.rule).toBe(a.rule);
    expect(b).toBe(a);
    const coded = c.classify({ text: 'zzz', enhanced: '5.1.1', code: 550 });
    expect(coded.rule).toBe(a.rule);
    expect(coded).not.toBe(a);
    expect(coded.replyCode).toBe(550);
  });

  it('a registered class replacing one forgets the results made with it', () => {
    const c = createClassifier({
      classes: [{ id: 99, name: 'Mine', description: 'mine', category: 'soft' }],
      providerCodes: [{ code: 'RX-0042', provider: 'example-mx', id: 99 }],
      limits: { cacheSize: 0 },
    });
    const a = c.classify('550 RX-0042 zzz');
    expect(c.classify('550 RX-0042 qqq')).toBe(a);
    c.registerClass(99, 'Mine', 'still mine', 'hard', { replace: true });
    const b = c.classify('550 RX-0042 qqq');
    expect(b.rule).toBe(a.rule);
    expect([a.description, a.category, b.description, b.category]).toEqual(['mine', 'soft', 'still mine', 'hard']);
  });
});
