import { describe, expect, it } from 'vitest';
import { classify, createClassifier, isSmtpErrorsError } from 'smtp-errors';
import { createLearnedClassifier, learnedFallback } from './index.js';
import { features, tokens } from './features.js';
import { MODEL } from './model.js';

describe('smtp-errors/learned', () => {
  const learned = createLearnedClassifier();

  it('overrules weak decisions where its model is confident (texts like the tune and dev rows)', () => {
    expect(learned.classify('550 Sorry, no access for this address')).toMatchObject({
      id: 51,
      rule: { kind: 'fallback', overruled: { kind: 'reply-code', code: 550 }, overruledId: 50 },
      replyCode: 550,
    });
    expect(learned.classify('Could not find a gateway for someone@example.org')).toMatchObject({ id: 24, rule: { kind: 'fallback', overruled: { kind: 'none' } } });
    expect(learned.classify('Unable to deliver message to <a@example.org> (and other recipients in the same domain).').id).toBe(10);
  });

  it('keeps the rules answer where the model is not sure, and never reads strong decisions', () => {
    expect(learned.classify('550 xyzzy')).toEqual(classify('550 xyzzy'));
    expect(learned.classify('550 5.1.1 user unknown')).toEqual(classify('550 5.1.1 user unknown'));
    expect(learned.classify('452 4.2.2 Mailbox full')).toEqual(classify('452 4.2.2 Mailbox full'));
    // a relaying refusal the word families read themselves since the twenty-first round (the model
    // overruled the rules' 50 before)
    expect(learned.classify('550 5.7.1 UUCP addressing denied')).toEqual(classify('550 5.7.1 UUCP addressing denied'));
    expect(learned.classify('550 5.7.1 UUCP addressing denied')).toMatchObject({ id: 54, rule: { kind: 'keyword' } });
  });

  it('passes options through, and refuses what createClassifier refuses', () => {
    const c = createLearnedClassifier({ rules: ',22,no access for this address' });
    expect(c.classify('550 Sorry, no access for this address').id).toBe(22);
    let error: unknown;
    try {
      createLearnedClassifier(null as never);
    } catch (e) {
      error = e;
    }
    expect(isSmtpErrorsError(error) && error.code).toBe('ERR_SMTP_INVALID_OPTION');
  });

  it('is a plain fallback: usable with createClassifier, answers only known classes', () => {
    const c = createClassifier({ fallback: learnedFallback });
    expect(c.classify('550 your ip is in prison').id).toBe(51);
    const answer = learnedFallback({ text: 'no access for this user', replyCode: 550, enhancedCode: undefined, id: 40, rule: { kind: 'reply-code', code: 550, stage: undefined } });
    expect(MODEL.classes).toContain(answer);
    expect(learnedFallback({ text: '', replyCode: undefined, enhancedCode: undefined, id: 1, rule: { kind: 'none' } })).toSatisfy((x) => x === undefined || MODEL.classes.includes(x as number));
  });

  it('answers undefined, never a TypeError, when called by hand with what is no FallbackInput', () => {
    const rule = { kind: 'none' } as const;
    for (const bad of [undefined, null, 5, 'x', {}, { text: 5, replyCode: 550, enhancedCode: undefined, id: 50, rule }, { text: 'no access', replyCode: '550', enhancedCode: undefined, id: 50, rule }, { text: 'no access', replyCode: 550, enhancedCode: 5.1, id: 50, rule }, { text: 'no access', replyCode: 550, enhancedCode: undefined, id: '50', rule }]) {
      expect(learnedFallback(bad as never)).toBeUndefined();
    }
  });

  it('reads each field once: an id that answers a class, then something else, is taken at its first', () => {
    let reads = 0;
    const input = { text: 'Sorry, no access for this address', replyCode: 550, enhancedCode: undefined, rule: { kind: 'reply-code', code: 550, stage: undefined } as const, get id() { return ++reads === 1 ? 50 : 51; } };
    expect(learnedFallback(input)).toBe(51);
  });

  it('reads words lower-cased with accents folded, digits masked, CJK characters alone', () => {
    expect(tokens('Boîte PLEINE 550ab x_y 宛先不明')).toEqual(['boite', 'pleine', '#', 'x', 'y', '宛', '先', '不', '明']);
    const f = features('Quota', 452, '4.2.2', 22, { pairs: false, grams: [3], rulesId: true });
    expect(f).toEqual(expect.arrayContaining(['c:4', 'r:452', 'e:2', 'e:2.2', 'k:22', 'quota', '~^qu', '~ta$']));
  });

  it('stays linear and does not throw on large or odd input', () => {
    const big = `550 ${'a\u0301b '.repeat(20000)}\uD800`;
    expect(() => learned.classify(big)).not.toThrow();
  });
});
