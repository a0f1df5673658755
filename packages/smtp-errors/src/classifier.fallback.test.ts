import { describe, expect, it } from 'vitest';
import { classify, createClassifier, isSmtpErrorsError, type FallbackInput } from './index.js';

/** A fallback that records what it was given and answers `answer`. */
function recording(answer: unknown): { calls: FallbackInput[]; fallback: (r: FallbackInput) => number | undefined } {
  const calls: FallbackInput[] = [];
  return {
    calls,
    fallback: (r) => {
      calls.push(r);
      return answer as number | undefined;
    },
  };
}

describe('createClassifier({ fallback })', () => {
  it('is consulted on a decision by the reply code alone, and its class wins', () => {
    const { calls, fallback } = recording(51);
    const c = createClassifier({ fallback, limits: { cacheSize: 0 } });
    const r = c.classify('550   xyzzy');
    expect(calls).toEqual([{ text: '550 xyzzy', replyCode: 550, enhancedCode: undefined, id: 50, rule: { kind: 'reply-code', code: 550, stage: undefined } }]);
    expect(r.id).toBe(51);
    expect(r.category).toBe('block');
    expect(r.action).toBe('alert');
    expect(r.rule).toEqual({ kind: 'fallback', overruled: { kind: 'reply-code', code: 550, stage: undefined }, overruledId: 50 });
    expect(r.replyCode).toBe(550);
    expect(Object.isFrozen(r.rule)).toBe(true);
  });

  it('is consulted on an enhanced code alone and on no decision at all, with the codes found', () => {
    const { calls, fallback } = recording(undefined);
    const c = createClassifier({ fallback });
    expect(c.classify('550 5.7.1 xyzzy').rule.kind).toBe('enhanced-code');
    expect(c.classify('xyzzy').rule.kind).toBe('none');
    expect(calls.map((r) => [r.rule.kind, r.replyCode, r.enhancedCode, r.id])).toEqual([
      ['enhanced-code', 550, '5.7.1', 50],
      ['none', undefined, undefined, 1],
    ]);
  });

  it('is not consulted when a phrase rule, a word family, a provider code or a user rule decided', () => {
    const { calls, fallback } = recording(51);
    const c = createClassifier({ fallback, rules: ',22,xyzzy' });
    expect(c.classify('550 5.1.1 user unknown').id).toBe(10);
    expect(c.classify('550 Diese Adresse existiert nicht').id).toBe(10);
    expect(c.classify('554 HL:IHU').rule.kind).toBe('provider-code');
    expect(c.classify('550 xyzzy').id).toBe(22);
    expect(calls).toEqual([]);
  });

  it('reads bytes and structured replies too', () => {
    const { calls, fallback } = recording(undefined);
    const c = createClassifier({ fallback });
    c.classify(new TextEncoder().encode('550 xyzzy'));
    c.classify(new TextEncoder().encode('550 xyzzy \u00e9'));
    c.classify({ code: 550, enhanced: '5.7.1', text: 'xyzzy' });
    expect(calls.map((r) => [r.text, r.replyCode, r.enhancedCode])).toEqual([
      ['550 xyzzy', 550, undefined],
      ['550 xyzzy \u00e9', 550, undefined],
      ['xyzzy', 550, '5.7.1'],
    ]);
  });

  it('keeps the rules answer when the fallback returns undefined, the same class, junk or an unregistered id', () => {
    for (const answer of [undefined, 50, 999, 0, -1, 40.5, NaN, '51', null, {}, [51]]) {
      const r = createClassifier({ fallback: recording(answer).fallback }).classify('550 xyzzy');
      expect(r.id).toBe(50);
      expect(r.rule.kind).toBe('reply-code');
    }
  });

  it('keeps the rules answer when the fallback throws', () => {
    const c = createClassifier({
      fallback: () => {
        throw new Error('boom');
      },
    });
    expect(c.classify('550 xyzzy')).toMatchObject({ id: 50, rule: { kind: 'reply-code', code: 550 } });
    expect(c.classify('xyzzy').id).toBe(1);
  });

  it('may return a custom class registered on the instance', () => {
    const c = createClassifier({ classes: [{ id: 99, name: 'Mine', description: 'd', category: 'hard' }], fallback: () => 99 });
    expect(c.classify('550 xyzzy')).toMatchObject({ id: 99, name: 'Mine', action: 'suppress', transient: false });
  });

  it('throws ERR_SMTP_INVALID_OPTION for a fallback that is not a function', () => {
    for (const fallback of [1, 'f', {}, null, true]) {
      let error: unknown;
      try {
        createClassifier({ fallback } as never);
      } catch (e) {
        error = e;
      }
      expect(isSmtpErrorsError(error) && error.code).toBe('ERR_SMTP_INVALID_OPTION');
    }
    expect(() => createClassifier({ fallback: undefined })).not.toThrow();
  });

  it('leaves the default classify as it was', () => {
    expect(classify('550 xyzzy')).toMatchObject({ id: 50, rule: { kind: 'reply-code', code: 550 } });
  });
});
