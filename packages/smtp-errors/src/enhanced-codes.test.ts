import { describe, expect, it } from 'vitest';
import { classify, ENHANCED_STATUS_CODES, enhancedClass, forId } from './index.js';

describe('enhanced status code table (RFC 3463 and the IANA registry)', () => {
  it('lists every registered subject.detail', () => {
    const codes = new Set(ENHANCED_STATUS_CODES.filter((r) => r.code.startsWith('X.')).map((r) => r.code));
    const expected = [
      ...[0].map((d) => `X.0.${d}`),
      ...Array.from({ length: 11 }, (_, d) => `X.1.${d}`),
      ...Array.from({ length: 5 }, (_, d) => `X.2.${d}`),
      ...Array.from({ length: 7 }, (_, d) => `X.3.${d}`),
      ...Array.from({ length: 8 }, (_, d) => `X.4.${d}`),
      ...Array.from({ length: 7 }, (_, d) => `X.5.${d}`),
      ...Array.from({ length: 11 }, (_, d) => `X.6.${d}`),
      ...Array.from({ length: 31 }, (_, d) => `X.7.${d}`),
    ];
    expect([...codes].sort()).toEqual(expected.sort());
    for (const r of ENHANCED_STATUS_CODES) {
      expect(forId(r.permanent), r.code).toBeDefined();
      expect(forId(r.transient), r.code).toBeDefined();
    }
  });

  it.each([
    ['5.1.1', 10],
    ['4.1.1', 10],
    ['5.2.2', 22],
    ['4.2.2', 22],
    ['5.2.3', 23],
    ['5.3.4', 23],
    ['4.4.7', 24],
    ['5.4.4', 21],
    ['5.7.1', 50],
    ['4.7.1', 50],
    ['5.7.26', 50],
    ['5.7.606', 51],
    ['5.7.649', 51],
    ['5.7.708', 51],
    ['5.7.699', 51],
    ['5.7.750', 51],
    ['5.7.799', 51],
    ['4.7.650', 51],
    ['5.1.10', 10],
    ['5.0.0', 40],
    ['4.0.0', 70],
    ['5.9.9', undefined],
    ['2.0.0', undefined],
  ])('%s -> %s', (code, id) => {
    const [c, s, d] = code.split('.').map(Number) as [number, number, number];
    expect(enhancedClass({ class: c, subject: s, detail: d })?.id).toBe(id);
  });

  it('vendor codes decide when no phrase matches', () => {
    expect(classify('550 5.7.611 no')).toMatchObject({ id: 51, rule: { kind: 'enhanced-code', code: '5.7.611' } });
  });
});
