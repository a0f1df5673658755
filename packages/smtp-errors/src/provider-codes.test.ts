import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify, createClassifier, PROVIDER_CODES } from './index.js';
import { RuleMatcher } from './rules.js';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
/** Phrase rules off: only the provider codes and the status codes decide. */
const bare = createClassifier({ builtinRules: false });

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
    ['550 DT:RBL http://www.example.org/rbl', 51],
    ['451 MI:SFQ', 70],
    ['550 WM:BLU user@example.com', 50],
  ])('%s -> %i', (text, id) => {
    const c = classify(text);
    expect(c.id).toBe(id);
    expect(c.rule.kind).toBe('provider-code');
  });

  it.each([
    // the labelling guide's rule 6: a policy, reputation or content refusal in a 4xx reply is a
    // deferral the sender retries, whatever the provider documents
    ['450 WM:BLU user@example.com', 70],
    ['450 DT:RBL http://www.example.org/rbl', 70],
    ['451 4.7.1 HL:IHU 192.0.2.1', 70],
    ['451 DT:SPM', 70],
    // with no reply code, the enhanced code says whether the reply is temporary
    ['4.7.1 HL:IHU', 70],
    ['5.7.1 HL:IHU', 51],
    ['HL:IHU', 51],
  ])('in a temporary reply: %s -> %i', (text, id) => {
    const c = classify(text);
    expect([c.id, c.rule.kind]).toEqual([id, 'provider-code']);
    // transient unless the reply is permanent (a reply with no code at all counts as transient)
    expect(c.transient).toBe(!text.startsWith('5'));
  });

  it('reports the provider and the code that decided, for text and bytes alike', () => {
    expect(classify('554 HL:IHU').rule).toEqual({ kind: 'provider-code', provider: 'netease', code: 'HL:IHU' });
    expect(classify(encode('554 HL:IHU'))).toMatchObject({ id: 51, rule: { kind: 'provider-code' } });
  });

  it('decides with the phrase rules switched off, and gives way to the operator’s own rules', () => {
    expect(bare.classify('554 HL:ICC').id).toBe(70);
    const c = createClassifier({ rules: ',10,hl:icc' });
    expect(c.classify('554 HL:ICC')).toMatchObject({ id: 10, rule: { kind: 'user-rule' } });
  });

  it.each(['554 HL:IHU', 'HL:IHU', '(HL:IHU)', ':HL:IHU:', '_HL:IHU_', '550 DT:SPM.'])('reads %j', (text) => {
    expect(bare.classify(text).rule.kind).toBe('provider-code');
    expect(bare.classify(encode(text)).rule.kind).toBe('provider-code');
  });

  it.each(['554 XHL:IHU', '554 HL:IHUX', '1HL:IHU', 'HL:IHU2', '554 hl:ihu', '554 HL:ZZZ', '12:30 RE: HL:', 'HL:IH', ''])('does not read %j: a code stands alone and is documented', (text) => {
    expect(bare.classify(text).rule.kind).not.toBe('provider-code');
    expect(bare.classify(encode(text)).rule.kind).not.toBe('provider-code');
  });

  it('finds a code after a long run of near misses', () => {
    const text = `${'AB:CD HL:IH XHL:IHU '.repeat(3000)}550 DT:SPM`;
    expect(bare.classify(text).rule).toMatchObject({ code: 'DT:SPM' });
    expect(bare.classify(encode(text)).rule).toMatchObject({ code: 'DT:SPM' });
  });
});

describe('the matcher reads codes in its one pass', () => {
  it('agrees with the obvious definition on random texts, as strings and as bytes', () => {
    const codes = ['HL:IHU', 'DT:SPM', 'AB 12', '12'];
    const matcher = new RuleMatcher([], [], codes);
    /** Reference: the code ending first (the longer of two ending together) with no letter or digit beside it. */
    const naive = (text: string): number => {
      const word = (k: number): boolean => k >= 0 && k < text.length && /[A-Za-z0-9]/.test(text[k]!);
      for (let end = 1; end <= text.length; end++) {
        let best = -1;
        codes.forEach((code, k) => {
          const start = end - code.length;
          if (start >= 0 && text.slice(start, end) === code && !word(start - 1) && !word(end) && (best < 0 || code.length > codes[best]!.length)) best = k;
        });
        if (best >= 0) return best;
      }
      return -1;
    };
    const piece = fc.constantFrom(...codes, 'hl:ihu', 'HL:IH', 'AB 1', 'A', '9', ' ', ':', '_', '.', 'я', 'b');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join('');
        matcher.match(text, undefined);
        expect(matcher.code).toBe(naive(text));
        const bytes = encode(text);
        if (matcher.matchAscii(bytes, bytes.length, undefined)) expect(matcher.code).toBe(naive(text));
      }),
      { numRuns: process.env['SMTPKIT_MUTATION_PACKAGE'] === undefined ? 400 : 40 },
    );
  });
});
