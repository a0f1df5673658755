// enhanced-status-code: the exact boundaries and edge cases (each test pins one behaviour a subtly wrong
// implementation would otherwise get away with).
import { describe, expect, test } from 'vitest';
import { formatReply, isReplyReaderError, parseEnhancedStatusCode, sameEnhancedStatusCode, type EnhancedStatusCode, type ReplyReaderError } from 'smtp-reply-reader';
const isLocalError = (e: unknown): e is ReplyReaderError => isReplyReaderError(e) && e.kind === 'local';

describe('parseEnhancedStatusCode: digits', () => {
  test('RPL-4 the digit 9 and multi-digit subjects and details', () => {
    expect(parseEnhancedStatusCode('5.9.9 x')).toEqual({ class: 5, subject: 9, detail: 9 });
    expect(parseEnhancedStatusCode('4.12.34 x')).toEqual({ class: 4, subject: 12, detail: 34 });
    expect(parseEnhancedStatusCode('5.123.456')).toEqual({ class: 5, subject: 123, detail: 456 });
    expect(parseEnhancedStatusCode('2.99.19\tok')).toEqual({ class: 2, subject: 99, detail: 19 });
  });
  test.each(['5', '5.', '5.1', '5.1.', '5.1/.1 x', '5.1.1/', '5.1:1.1'])('RPL-4 no code in %j', (t) => {
    expect(parseEnhancedStatusCode(t)).toBeUndefined();
  });
});

describe('sameEnhancedStatusCode', () => {
  const a: EnhancedStatusCode = { class: 5, subject: 1, detail: 1 };
  test('every field counts; undefined equals only undefined', () => {
    expect(sameEnhancedStatusCode(a, { class: 5, subject: 1, detail: 1 })).toBe(true);
    expect(sameEnhancedStatusCode(a, { class: 4, subject: 1, detail: 1 })).toBe(false);
    expect(sameEnhancedStatusCode(a, { class: 5, subject: 2, detail: 1 })).toBe(false);
    expect(sameEnhancedStatusCode(a, { class: 5, subject: 1, detail: 2 })).toBe(false);
    expect(sameEnhancedStatusCode(a, undefined)).toBe(false);
    expect(sameEnhancedStatusCode(undefined, a)).toBe(false);
  });

  test('values that are no enhanced status code are ERR_SMTP_INVALID_ENHANCED_CODE, not "the same"', () => {
    const bad: unknown[] = [null, '5.1.1', {}, [], [5, 1, 1], { class: 3, subject: 1, detail: 1 }, { class: 5, subject: 1000, detail: 1 }, { class: 5, subject: 1, detail: -1 }, { class: 5, subject: '1', detail: 1 }];
    for (const v of bad) {
      for (const [x, y] of [[v, v], [v, a], [a, v], [v, undefined]]) {
        let code: string | undefined;
        try {
          sameEnhancedStatusCode(x as EnhancedStatusCode, y as EnhancedStatusCode);
        } catch (e) {
          code = isLocalError(e) ? e.code : 'other';
        }
        expect(code, JSON.stringify([x, y])).toBe('ERR_SMTP_INVALID_ENHANCED_CODE');
      }
    }
  });
});

describe('formatReply validates the enhanced code it is given', () => {
  const bad: EnhancedStatusCode[] = [
    { class: 3 as 2, subject: 0, detail: 0 },
    { class: 5, subject: -1, detail: 0 },
    { class: 5, subject: 1000, detail: 0 },
    { class: 5, subject: 1.5, detail: 0 },
    { class: 5, subject: 0, detail: -1 },
    { class: 5, subject: 0, detail: 1000 },
    { class: 5, subject: 0, detail: 0.5 },
  ];
  test.each(bad)('INJ rejects %j with ERR_SMTP_INVALID_ENHANCED_CODE', (enhanced) => {
    let code: string | undefined;
    try {
      formatReply({ code: 550, enhanced, text: 'x' });
    } catch (e) {
      code = isLocalError(e) ? e.code : 'other';
    }
    expect(code).toBe('ERR_SMTP_INVALID_ENHANCED_CODE');
  });
  test('the bounds themselves are valid', () => {
    expect(formatReply({ code: 550, enhanced: { class: 5, subject: 0, detail: 999 }, text: 'x' })).toBe('550 5.0.999 x\r\n');
    expect(formatReply({ code: 250, enhanced: { class: 2, subject: 999, detail: 0 }, text: 'x' })).toBe('250 2.999.0 x\r\n');
    expect(formatReply({ code: 450, enhanced: { class: 4, subject: 7, detail: 1 }, text: 'x' })).toBe('450 4.7.1 x\r\n');
  });
});
