import { describe, expect, test } from 'vitest';
import { expectReply, formatEnhancedStatusCode, isIntermediate, isPermanentNegative, isPositive, isTransientNegative, parseEnhancedStatusCode, parseReply, sameEnhancedStatusCode } from 'smtp-reply-reader';

describe('enhanced status codes (RFC 3463)', () => {
  test('format', () => {
    expect(formatEnhancedStatusCode({ class: 5, subject: 1, detail: 1 })).toBe('5.1.1');
    expect(formatEnhancedStatusCode({ class: 5, subject: 7, detail: 606 })).toBe('5.7.606');
  });
  test('parse from text', () => {
    expect(parseEnhancedStatusCode('5.7.606 Access denied')).toEqual({ class: 5, subject: 7, detail: 606 });
    expect(parseEnhancedStatusCode('  4.2.1')).toEqual({ class: 4, subject: 2, detail: 1 });
    expect(parseEnhancedStatusCode('2.0.0\tok')).toEqual({ class: 2, subject: 0, detail: 0 });
  });
  test.each(['Mailbox full', '3.0.0 x', '5.1000.1 x', '5.1.1x', '5.1.', '5..1 x', '', '5.1.1234', '550 5.1.1'])('RPL-4 no code in %j', (t) => {
    expect(parseEnhancedStatusCode(t)).toBeUndefined();
  });
  test('same', () => {
    expect(sameEnhancedStatusCode({ class: 5, subject: 1, detail: 1 }, parseEnhancedStatusCode('5.1.1'))).toBe(true);
    expect(sameEnhancedStatusCode({ class: 5, subject: 1, detail: 1 }, { class: 5, subject: 1, detail: 2 })).toBe(false);
    expect(sameEnhancedStatusCode(undefined, undefined)).toBe(true);
    expect(sameEnhancedStatusCode(undefined, { class: 2, subject: 0, detail: 0 })).toBe(false);
  });
});

describe('reply classification and read_smtp2 semantics', () => {
  test('classes', () => {
    expect([220, 354, 451, 550].map((c) => [isPositive(c), isIntermediate(c), isTransientNegative(c), isPermanentNegative(c)])).toEqual([
      [true, false, false, false],
      [false, true, false, false],
      [false, false, true, false],
      [false, false, false, true],
    ]);
    expect(isTransientNegative(parseReply('451 4.7.1 Greylisted\r\n'))).toBe(true);
  });
  test('expectReply', () => {
    const r = parseReply('251 2.1.5 will forward\r\n');
    expect(expectReply(r, 250)).toBe(false);
    expect(expectReply(r, 250, 251)).toBe(true);
    expect(expectReply(550, 250, 251, 252)).toBe(false);
  });
});

describe('parseReply', () => {
  test('exactly one reply; the last CRLF may be omitted', () => {
    expect(parseReply('250 ok').code).toBe(250);
    expect(parseReply('250 ok\r').text).toBe('ok');
    expect(parseReply(new TextEncoder().encode('250-a\r\n250 b\r\n')).lines).toEqual(['a', 'b']);
    expect(parseReply('250 ok\n', { lineEndings: 'lenient' }).text).toBe('ok');
  });
  test.each([
    ['', 'ERR_SMTP_REPLY_INCOMPLETE'],
    ['\r\n', 'ERR_SMTP_REPLY_INCOMPLETE'],
    ['250-a\r\n', 'ERR_SMTP_REPLY_INCOMPLETE'],
    ['250 a\r\n250 b\r\n', 'ERR_SMTP_REPLY_EXTRA_DATA'],
    ['hello', 'ERR_SMTP_REPLY_SYNTAX'],
    ['250 ok\n', 'ERR_SMTP_BARE_LF'],
  ])('errors for %j', (input, expected) => {
    expect(() => parseReply(input)).toThrow(expect.objectContaining({ code: expected }));
  });
});
