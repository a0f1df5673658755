import { describe, expect, it } from 'vitest';
import { classify, createClassifier, PROVIDER_CODES } from './index.js';
import { findProviderCode } from './provider-codes.js';

describe('provider codes: documented codes, read one by one', () => {
  it('every entry names its provider, family, meaning, class and source, and is frozen', () => {
    expect(PROVIDER_CODES.length).toBeGreaterThan(10);
    for (const c of PROVIDER_CODES) {
      expect(c.code).toMatch(/^[A-Z]{2}:[A-Z]{3}$/);
      expect(c.code.startsWith(`${c.family}:`)).toBe(true);
      expect(c.meaning.length).toBeGreaterThan(10);
      expect(c.source).toMatch(/https?:\/\//);
      expect(Object.isFrozen(c)).toBe(true);
    }
    expect(new Set(PROVIDER_CODES.map((c) => c.code)).size).toBe(PROVIDER_CODES.length);
  });

  it.each([
    // one prefix, different meanings: a connection limit, a suspension, an allow list
    ['554 HL:ICC', 70],
    ['554 HL:IHU 192.0.2.1', 51],
    ['554 HL:IPB 192.0.2.1', 50],
    ['554 DT:SPM 192.0.2.1 mail content rejected', 52],
    ['450 DT:RBL http://www.example.org/rbl', 51],
    ['451 MI:SFQ', 70],
    // a policy refusal in a 4xx reply is a deferral
    ['450 WM:BLU user@example.com', 70],
    ['550 WM:BLU user@example.com', 50],
  ])('%s -> %i', (text, id) => {
    const c = classify(text);
    expect(c.id).toBe(id);
    expect(c.rule.kind).toBe('provider-code');
  });

  it('reports the provider and the code that decided, for text and bytes alike', () => {
    expect(classify('554 HL:IHU').rule).toEqual({ kind: 'provider-code', provider: 'netease', code: 'HL:IHU' });
    expect(classify(new TextEncoder().encode('554 HL:IHU'))).toMatchObject({ id: 51, rule: { kind: 'provider-code' } });
  });

  it('decides with the phrase rules switched off, and gives way to the operator’s own rules', () => {
    expect(createClassifier({ builtinRules: false }).classify('554 HL:ICC').id).toBe(70);
    const c = createClassifier({ rules: ',10,hl:icc' });
    expect(c.classify('554 HL:ICC')).toMatchObject({ id: 10, rule: { kind: 'user-rule' } });
  });

  it('reads a code only when it stands alone and is documented', () => {
    expect(findProviderCode('554 HL:IHU')?.code).toBe('HL:IHU');
    expect(findProviderCode('HL:IHU')?.code).toBe('HL:IHU');
    expect(findProviderCode('554 XHL:IHU')).toBeUndefined();
    expect(findProviderCode('554 HL:IHUX')).toBeUndefined();
    expect(findProviderCode('554 hl:ihu')).toBeUndefined();
    expect(findProviderCode('554 HL:ZZZ')).toBeUndefined();
    expect(findProviderCode('12:30 RE: HL:')).toBeUndefined();
    expect(findProviderCode('')).toBeUndefined();
  });

  it('reads bytes exactly as it reads the same ASCII text', () => {
    for (const text of ['554 HL:IHU', 'HL:IHU', '554 XHL:IHU', '554 HL:IHUX', '554 HL:ZZZ', '12:30 RE: HL:', 'HL:IH', ':HL:IHU:', '550 DT:SPM.', '']) {
      expect(findProviderCode(new TextEncoder().encode(text))).toBe(findProviderCode(text));
    }
  });

  it('scans long text with many colons in one pass', () => {
    const text = `${'AB:CD '.repeat(20000)}550 DT:SPM`;
    expect(findProviderCode(text)?.code).toBe('DT:SPM');
  });
});
