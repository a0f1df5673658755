// format-ehlo-reply: the exact boundaries and edge cases (each test pins one behaviour a subtly wrong
// implementation would otherwise get away with).
import { describe, expect, test } from 'vitest';
import { errorCodeOf } from '@smtpkit/testkit';
import { formatEhloReply, isCapabilitiesError, type EhloReplyInput } from 'smtp-capabilities';

const codeOf = (fn: () => unknown): string | undefined => errorCodeOf(fn, isCapabilitiesError);

describe('line length is counted in UTF-8 bytes (maxLineLength 16: 10 bytes of text)', () => {
  // First line = "a " + greeting: 8 bytes of greeting fit exactly, 9 do not.
  const cases: [string, string, string][] = [
    ['2-byte', '\u00e9'.repeat(4), '\u00e9'.repeat(4) + 'x'],
    ['2-byte top', '\u07ff'.repeat(4), '\u07ff'.repeat(4) + 'x'],
    ['3-byte bottom', '\u0800\u0800xx', '\u0800\u0800\u0800'],
    ['4-byte pair', '\u{1f600}\u{1f600}', '\u{1f600}\u{1f600}x'],
  ];
  test.each(cases)('DOS %s: fits exactly, one byte more is ERR_SMTP_EHLO_LINE_TOO_LONG', (_name, fits, over) => {
    expect(formatEhloReply({ domain: 'a', greeting: fits, keywords: [] }, { maxLineLength: 16 })).toEqual([`a ${fits}`]);
    expect(codeOf(() => formatEhloReply({ domain: 'a', greeting: over, keywords: [] }, { maxLineLength: 16 }))).toBe('ERR_SMTP_EHLO_LINE_TOO_LONG');
  });
  test('the error names the full line length with its prefix and CRLF', () => {
    expect(() => formatEhloReply({ domain: 'a', greeting: 'x'.repeat(9), keywords: [] }, { maxLineLength: 16 })).toThrow('EHLO reply line of 17 bytes exceeds 16');
  });
  test('maxLineLength 16 is the smallest accepted', () => {
    expect(codeOf(() => formatEhloReply({ domain: 'a', keywords: [] }, { maxLineLength: 16 }))).toBeUndefined();
    expect(codeOf(() => formatEhloReply({ domain: 'a', keywords: [] }, { maxLineLength: 15 }))).toBe('ERR_SMTP_INVALID_OPTION');
  });
});

describe('hostile or malformed input is refused with the right code', () => {
  test.each([
    ['CR first in a keyword line', { domain: 'mx', keywords: ['\rPIPELINING'] }, 'ERR_SMTP_EHLO_INVALID_TEXT'],
    ['LF first in a parameter', { domain: 'mx', keywords: [{ keyword: 'SIZE', params: ['\n1'] }] }, 'ERR_SMTP_EHLO_INVALID_TEXT'],
    ['NUL first in the domain', { domain: '\0mx', keywords: [] }, 'ERR_SMTP_EHLO_INVALID_TEXT'],
    ['a domain that is not a string', { domain: 42 as unknown as string, keywords: [] }, 'ERR_SMTP_EHLO_INVALID_TEXT'],
    ['DEL in the greeting', { domain: 'mx', greeting: 'hi\u007f', keywords: [] }, 'ERR_SMTP_EHLO_INVALID_TEXT'],
    ['a C0 control in the greeting', { domain: 'mx', greeting: 'hi\u0001', keywords: [] }, 'ERR_SMTP_EHLO_INVALID_TEXT'],
    ['a double space in a keyword line', { domain: 'mx', keywords: ['SIZE  1000'] }, 'ERR_SMTP_EHLO_INVALID_PARAM'],
    ['a trailing space in a keyword line', { domain: 'mx', keywords: ['PIPELINING '] }, 'ERR_SMTP_EHLO_INVALID_PARAM'],
    ['a null keyword', { domain: 'mx', keywords: [null as unknown as string] }, 'ERR_SMTP_EHLO_INVALID_KEYWORD'],
    ['a number keyword', { domain: 'mx', keywords: [7 as unknown as string] }, 'ERR_SMTP_EHLO_INVALID_KEYWORD'],
    ['an object without a string keyword', { domain: 'mx', keywords: [{ keyword: 7 } as unknown as string] }, 'ERR_SMTP_EHLO_INVALID_KEYWORD'],
  ] as [string, EhloReplyInput, string][])('INJ %s', (_name, input, code) => {
    expect(codeOf(() => formatEhloReply(input))).toBe(code);
  });
  test.each([
    ['a lone high surrogate then ASCII in the greeting', { domain: 'mx', greeting: 'hi \ud800a', keywords: [] }],
    ['a lone low surrogate in the greeting', { domain: 'mx', greeting: '\udc00', keywords: [] }],
    ['a high surrogate at the end of the greeting', { domain: 'mx', greeting: 'hi\ud800', keywords: [] }],
    ['a lone surrogate in a keyword line', { domain: 'mx', keywords: ['X-FOO a\ud800'] }],
    ['a lone surrogate in a parameter', { domain: 'mx', keywords: [{ keyword: 'X-FOO', params: ['\udfff'] }] }],
  ] as [string, EhloReplyInput][])('INJ %s is refused (it has no UTF-8 form; an encoder would send U+FFFD)', (_name, input) => {
    expect(codeOf(() => formatEhloReply(input))).toBe('ERR_SMTP_EHLO_INVALID_TEXT');
  });
  test('a surrogate pair in the greeting is text like any other', () => {
    expect(formatEhloReply({ domain: 'mx', greeting: '\u{1f600} hi', keywords: [] })).toEqual(['mx \u{1f600} hi']);
  });
  test('TAB is allowed in the greeting', () => {
    expect(formatEhloReply({ domain: 'mx', greeting: 'a\tb', keywords: [] })).toEqual(['mx a\tb']);
  });
});

describe('legacyAuth', () => {
  test('repeats the first AUTH line only, and not an AUTH without mechanisms', () => {
    expect(formatEhloReply({ domain: 'mx', keywords: ['AUTH PLAIN', 'AUTH LOGIN'] }, { legacyAuth: true })).toEqual(['mx', 'AUTH PLAIN', 'AUTH LOGIN', 'AUTH=PLAIN']);
    expect(formatEhloReply({ domain: 'mx', keywords: ['AUTH'] }, { legacyAuth: true })).toEqual(['mx', 'AUTH']);
    expect(formatEhloReply({ domain: 'mx', keywords: ['auth LOGIN'] }, { legacyAuth: true })).toEqual(['mx', 'AUTH LOGIN', 'AUTH=LOGIN']);
  });
});

describe('a keyword given twice is refused: the parser reads its first line only', () => {
  test.each([
    [['SIZE 10', 'SIZE 20']],
    [['X-A b', 'x-a c']],
    [['LIMITS RCPTMAX=5', { keyword: 'limits', params: ['MAILMAX=2'] }]],
    [['PIPELINING', '8BITMIME', 'PIPELINING']],
  ])('%j', (keywords) => {
    expect(codeOf(() => formatEhloReply({ domain: 'mx.example', keywords }))).toBe('ERR_SMTP_EHLO_INVALID_KEYWORD');
  });

  test('AUTH lines, which a client merges, are still allowed (and the legacy AUTH= line beside AUTH)', () => {
    expect(formatEhloReply({ domain: 'mx.example', keywords: ['AUTH PLAIN', 'AUTH LOGIN', 'AUTH=PLAIN LOGIN'] })).toEqual(['mx.example', 'AUTH PLAIN', 'AUTH LOGIN', 'AUTH=PLAIN LOGIN']);
  });
});
