import { describe, expect, test } from 'vitest';
import { ReplyReader } from 'smtp-reply-reader';
import {
  DEFAULT_MAX_EHLO_LINE_LENGTH,
  formatEhloReply,
  formatEhloReplyBytes,
  formatEhloReplyText,
  isCapabilitiesError,
  parseEhloReply,
} from 'smtp-capabilities';
import { errorCodeOf } from '@smtpkit/testkit';

const codeOf = (fn: () => unknown): string | undefined => errorCodeOf(fn, isCapabilitiesError);

describe('formatEhloReply', () => {
  test('domain and greeting, then one line per keyword; no trailing space after value-less keywords', () => {
    expect(
      formatEhloReply({
        domain: 'mx.example.com',
        greeting: 'at your service',
        keywords: ['PIPELINING', 'size 10240000', { keyword: 'auth', params: ['PLAIN', 'LOGIN'] }, { keyword: 'DSN' }, { keyword: '8BITMIME', params: [] }],
      }),
    ).toEqual(['mx.example.com at your service', 'PIPELINING', 'SIZE 10240000', 'AUTH PLAIN LOGIN', 'DSN', '8BITMIME']);
    expect(formatEhloReply({ domain: '[192.0.2.1]', keywords: [] })).toEqual(['[192.0.2.1]']);
  });

  test('wire text and bytes: 250- on all lines but the last, CRLF after each', () => {
    const input = { domain: 'mx', greeting: 'hi', keywords: ['PIPELINING', 'SIZE 5'] };
    const text = formatEhloReplyText(input);
    expect(text).toBe('250-mx hi\r\n250-PIPELINING\r\n250 SIZE 5\r\n');
    expect(new TextDecoder().decode(formatEhloReplyBytes(input))).toBe(text);
    expect(formatEhloReplyText({ domain: 'mx', keywords: [] })).toBe('250 mx\r\n');
  });

  test('legacyAuth adds AUTH= after AUTH (Postfix broken_sasl_auth_clients)', () => {
    expect(formatEhloReply({ domain: 'mx', keywords: ['AUTH PLAIN LOGIN', 'DSN'] }, { legacyAuth: true })).toEqual(['mx', 'AUTH PLAIN LOGIN', 'DSN', 'AUTH=PLAIN LOGIN']);
    expect(formatEhloReply({ domain: 'mx', keywords: ['DSN'] }, { legacyAuth: true })).toEqual(['mx', 'DSN']);
  });

  test('INJ: CR, LF and NUL are refused anywhere', () => {
    for (const bad of ['\r', '\n', '\0', '\r\n250 X']) {
      expect(codeOf(() => formatEhloReply({ domain: `mx${bad}`, keywords: [] }))).toBe('ERR_SMTP_EHLO_INVALID_TEXT');
      expect(codeOf(() => formatEhloReply({ domain: 'mx', greeting: `hi${bad}`, keywords: [] }))).toBe('ERR_SMTP_EHLO_INVALID_TEXT');
      expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: [`SIZE 1${bad}`] }))).toBe('ERR_SMTP_EHLO_INVALID_TEXT');
      expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: [{ keyword: `X${bad}` }] }))).toBe('ERR_SMTP_EHLO_INVALID_TEXT');
      expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: [{ keyword: 'X', params: [`a${bad}`] }] }))).toBe('ERR_SMTP_EHLO_INVALID_TEXT');
    }
  });

  test('keyword and parameter syntax is enforced', () => {
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: ['X_Y'] }))).toBe('ERR_SMTP_EHLO_INVALID_KEYWORD');
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: ['-X'] }))).toBe('ERR_SMTP_EHLO_INVALID_KEYWORD');
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: [''] }))).toBe('ERR_SMTP_EHLO_INVALID_KEYWORD');
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: ['AUTH=PLAIN'] }))).toBe('ERR_SMTP_EHLO_INVALID_KEYWORD');
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: [42 as unknown as string] }))).toBe('ERR_SMTP_EHLO_INVALID_KEYWORD');
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: ['SIZE  1'] }))).toBe('ERR_SMTP_EHLO_INVALID_PARAM');
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: ['PIPELINING '] }))).toBe('ERR_SMTP_EHLO_INVALID_PARAM');
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: [{ keyword: 'X', params: ['a b'] }] }))).toBe('ERR_SMTP_EHLO_INVALID_PARAM');
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: [{ keyword: 'X', params: [''] }] }))).toBe('ERR_SMTP_EHLO_INVALID_PARAM');
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: [{ keyword: 'X', params: ['é'] }] }))).toBe('ERR_SMTP_EHLO_INVALID_PARAM');
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: [{ keyword: 'X', params: ['a\tb'] }] }))).toBe('ERR_SMTP_EHLO_INVALID_PARAM');
  });

  test('domain must be non-empty without spaces', () => {
    expect(codeOf(() => formatEhloReply({ domain: '', keywords: [] }))).toBe('ERR_SMTP_EHLO_INVALID_DOMAIN');
    expect(codeOf(() => formatEhloReply({ domain: 'a b', keywords: [] }))).toBe('ERR_SMTP_EHLO_INVALID_DOMAIN');
    expect(codeOf(() => formatEhloReply({ domain: 'a\tb', keywords: [] }))).toBe('ERR_SMTP_EHLO_INVALID_DOMAIN');
    expect(codeOf(() => formatEhloReply({ domain: 'bücher.example', keywords: [] }))).toBe('ERR_SMTP_EHLO_INVALID_DOMAIN');
  });

  test('greeting: HT and UTF-8 allowed, other control characters refused', () => {
    expect(formatEhloReply({ domain: 'mx', greeting: 'grüß\tdich', keywords: [] })).toEqual(['mx grüß\tdich']);
    for (const c of ['\x1b[31m', '\x07', '\x7f', '\x0b']) {
      expect(codeOf(() => formatEhloReply({ domain: 'mx', greeting: `hi${c}`, keywords: [] }))).toBe('ERR_SMTP_EHLO_INVALID_TEXT');
    }
  });

  test('lines over maxLineLength bytes (code and CRLF included, UTF-8 counted) are refused', () => {
    expect(DEFAULT_MAX_EHLO_LINE_LENGTH).toBe(512);
    const ok = 'a'.repeat(506);
    expect(formatEhloReply({ domain: ok, keywords: [] })).toEqual([ok]);
    expect(codeOf(() => formatEhloReply({ domain: `${ok}a`, keywords: [] }))).toBe('ERR_SMTP_EHLO_LINE_TOO_LONG');
    expect(codeOf(() => formatEhloReply({ domain: 'mx', greeting: 'é'.repeat(252), keywords: [] }))).toBe('ERR_SMTP_EHLO_LINE_TOO_LONG');
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: [`X ${'p'.repeat(600)}`] }))).toBe('ERR_SMTP_EHLO_LINE_TOO_LONG');
    expect(formatEhloReply({ domain: 'mx', keywords: [`X ${'p'.repeat(600)}`] }, { maxLineLength: 1000 })).toHaveLength(2);
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: [] }, { maxLineLength: 3 }))).toBe('ERR_SMTP_INVALID_OPTION');
  });

  test('round trip through smtp-reply-reader and parseEhloReply', () => {
    const text = formatEhloReplyText({ domain: 'mx.example.com', greeting: 'ESMTP', keywords: ['PIPELINING', 'SIZE 0', 'AUTH PLAIN', 'X-FOO a=b c'] }, { legacyAuth: true });
    const [reply] = new ReplyReader().push(text);
    const caps = parseEhloReply(reply!);
    expect(caps.toJSON().keywords).toEqual([
      { keyword: 'PIPELINING', params: [] },
      { keyword: 'SIZE', params: ['0'] },
      { keyword: 'AUTH', params: ['PLAIN'] },
      { keyword: 'X-FOO', params: ['a=b', 'c'] },
      { keyword: 'AUTH', params: ['PLAIN'] },
    ]);
    expect(caps.warnings).toEqual([]);
    expect(caps.greeting).toBe('ESMTP');
  });
});
