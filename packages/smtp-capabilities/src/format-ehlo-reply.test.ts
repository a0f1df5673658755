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
    // a KEYWORD=value line is refused, but for the legacy AUTH= line (see 'formatEhloReply and parseEhloReply agree')
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: ['SIZE=1000'] }))).toBe('ERR_SMTP_EHLO_INVALID_KEYWORD');
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

describe('formatEhloReply and parseEhloReply agree: what is formatted parses back whole', () => {
  const back = (lines: string[]) => parseEhloReply(new ReplyReader().push(lines.map((l, i) => `250${i === lines.length - 1 ? ' ' : '-'}${l}\r\n`).join(''))[0]!);

  test('the legacy AUTH= line formatEhloReply writes (legacyAuth) is taken back from caps.toLines(), once', () => {
    const lines = formatEhloReply({ domain: 'mx.example.com', keywords: ['PIPELINING', 'AUTH PLAIN LOGIN'] }, { legacyAuth: true });
    expect(lines).toEqual(['mx.example.com', 'PIPELINING', 'AUTH PLAIN LOGIN', 'AUTH=PLAIN LOGIN']);
    const caps = back(lines);
    expect(caps.toLines()).toEqual(['PIPELINING', 'AUTH PLAIN LOGIN', 'AUTH=PLAIN LOGIN']);
    expect(formatEhloReply({ domain: caps.domain, keywords: caps.toLines() })).toEqual(lines);
    // asked for again, it is not written twice
    expect(formatEhloReply({ domain: caps.domain, keywords: caps.toLines() }, { legacyAuth: true })).toEqual(lines);
    // as received from another server (any case), written upper-case as keywords are
    expect(formatEhloReply({ domain: 'mx', keywords: ['auth=plain login'] })).toEqual(['mx', 'AUTH=plain login']);
  });

  test('the legacy form is AUTH\'s only, and its mechanisms are checked as parameters', () => {
    for (const bad of ['SIZE=1000', 'X-FOO=bar', 'AUTH=', 'AUTH=PLAIN  LOGIN', 'AUTH=PL\u00e9IN']) {
      expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: [bad] })), bad).toMatch(/^ERR_SMTP_EHLO_INVALID_(KEYWORD|PARAM|TEXT)$/);
    }
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: [{ keyword: 'AUTH=PLAIN' }] }))).toBe('ERR_SMTP_EHLO_INVALID_KEYWORD');
  });

  test('at most 64 parameters on a line (what parseEhloReply keeps): 64 round-trip, 65 are refused', () => {
    const mechs = (n: number) => Array.from({ length: n }, (_, i) => `M${String(i)}`);
    const lines = formatEhloReply({ domain: 'mx', keywords: [{ keyword: 'AUTH', params: mechs(64) }] });
    expect(back(lines).params('AUTH')).toEqual(mechs(64));
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: [{ keyword: 'AUTH', params: mechs(65) }] }))).toBe('ERR_SMTP_EHLO_TOO_MANY_PARAMS');
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: [`X-LIST ${mechs(65).join(' ')}`] }))).toBe('ERR_SMTP_EHLO_TOO_MANY_PARAMS');
  });

  test('at most 256 keyword lines (what parseEhloReply keeps): 256 round-trip, 257 are refused, the legacy AUTH= line counted', () => {
    const kws = (n: number) => Array.from({ length: n }, (_, i) => `X-K${String(i)}`);
    expect(back(formatEhloReply({ domain: 'mx', keywords: kws(256) })).keywords).toEqual(kws(256));
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: kws(257) }))).toBe('ERR_SMTP_EHLO_TOO_MANY_KEYWORDS');
    const withAuth = [...kws(255), 'AUTH PLAIN'];
    expect(formatEhloReply({ domain: 'mx', keywords: withAuth })).toHaveLength(257);
    expect(codeOf(() => formatEhloReply({ domain: 'mx', keywords: withAuth }, { legacyAuth: true }))).toBe('ERR_SMTP_EHLO_TOO_MANY_KEYWORDS');
  });
});
