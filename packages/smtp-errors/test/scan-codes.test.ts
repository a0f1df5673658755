// scanCodes / parseEnhanced edge cases the mutation run (tools/mutation/reports/smtp-errors)
// showed no test pinned down: what counts as "standing alone", which whitespace ends a code, and
// which code wins when there are several.
import { describe, expect, it } from 'vitest';
import { classify, parseEnhanced, scanCodes } from 'smtp-errors';

function codes(text: string): [number | undefined, string | undefined] {
  const { code, enhanced } = scanCodes(text);
  return [code, enhanced ? `${enhanced.class}.${enhanced.subject}.${enhanced.detail}` : undefined];
}

describe('scanCodes: a code glued to a letter or digit is not a code; punctuation is a separator', () => {
  it.each([
    ['A550 x', undefined],
    ['Z550 x', undefined],
    ['a550 x', undefined],
    ['z550 x', undefined],
    ['9550 x', undefined],
    ['@550 x', 550],
    ['[550 x', 550],
    ['`550 x', 550],
    ['{550 x', 550],
    ['~550 x', 550],
  ])('%j has reply code %s', (text, code) => {
    expect(codes(text)[0]).toBe(code);
  });

  it.each([
    ['x 5.1.1A', undefined],
    ['x 5.1.1Z', undefined],
    ['x 5.1.1a', undefined],
    ['x 5.1.1z', undefined],
    ['x 5.1.1[', '5.1.1'],
    ['x 5.1.1{', '5.1.1'],
    ['xZ5.1.1 y', undefined],
    ['x[5.1.1] y', '5.1.1'],
  ])('%j has enhanced code %s', (text, enhanced) => {
    expect(codes(text)[1]).toBe(enhanced);
  });
});

describe('scanCodes: what may follow a reply code', () => {
  it.each([
    ['550 x', 550],
    ['550\tx', 550],
    ['550\r\n', 550],
    ['550\nx', 550],
    ['550-x', 550],
    ['550', 550],
    ['550.', undefined],
    ['550x', undefined],
  ])('%j has reply code %s', (text, code) => {
    expect(codes(text)[0]).toBe(code);
  });
});

describe("scanCodes: 571, outside RFC 5321's second digits, is a reply code; other 56x-59x are not", () => {
  it.each([
    ['571 Delivery not authorized', 571],
    ['571-x', 571],
    ['571', 571],
    ['572 x', undefined],
    ['561 x', undefined],
    ['5710 x', undefined],
  ])('%j has reply code %s', (text, code) => {
    expect(codes(text)[0]).toBe(code);
    expect(classify(new TextEncoder().encode(text)).replyCode).toBe(code);
  });

  it('a bare 571 is a refusal, as a structured one is', () => {
    expect(classify('571 x')).toMatchObject({ id: 50, replyCode: 571, rule: { kind: 'reply-code', code: 571 } });
    expect(classify({ code: 571, text: 'x' }).id).toBe(50);
  });
});

describe('scanCodes: the first code of each kind wins, in either order', () => {
  it.each([
    ['5.1.1 first, 5.2.2 second', [undefined, '5.1.1']],
    ['5.1.1 then 550 rejected', [550, '5.1.1']],
    ['550 5.1.1 then 451 4.2.2', [550, '5.1.1']],
    ['550 5.12.3 x', [550, '5.12.3']],
    ['550 5.123.45 x', [550, '5.123.45']],
    ['452 4.5.3 100 recipients is too many', [452, '4.5.3']],
  ])('%j', (text, want) => {
    expect(codes(text)).toEqual(want);
    const c = classify(text);
    expect([c.replyCode, c.enhancedCode]).toEqual(want);
  });
});

describe('parseEnhanced: exactly class.subject.detail', () => {
  it.each([
    ['2.0.0', { class: 2, subject: 0, detail: 0 }],
    ['4.7.650', { class: 4, subject: 7, detail: 650 }],
    ['5.999.999', { class: 5, subject: 999, detail: 999 }],
  ])('%j parses', (text, want) => {
    expect(parseEnhanced(text)).toEqual(want);
  });

  it.each(['5..1', '5.1.', '5.1', '5-1.1', '5.1-1', '5x1.1', '.1.1', '5.1.1.', '5.1.1234', '5.1234.1', '1.1.1', ''])('%j is not an enhanced code', (text) => {
    expect(parseEnhanced(text)).toBeUndefined();
  });
});
