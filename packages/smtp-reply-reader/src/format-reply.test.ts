import { describe, expect, test } from 'vitest';
import { errorCodeOf } from '@smtpkit/testkit';
import { formatReply, formatReplyBytes, isReplyReaderError, parseReply, type FormatReplyInput, type ReplyReaderError } from 'smtp-reply-reader';
const isLocalError = (e: unknown): e is ReplyReaderError => isReplyReaderError(e) && e.kind === 'local';

const code = (fn: () => unknown): string | undefined => errorCodeOf(fn, isLocalError);

describe('formatReply', () => {
  test('one line, with and without an enhanced code', () => {
    expect(formatReply({ code: 250, text: 'OK' })).toBe('250 OK\r\n');
    expect(formatReply({ code: 550, enhanced: { class: 5, subject: 1, detail: 1 }, text: 'No such user' })).toBe(
      '550 5.1.1 No such user\r\n',
    );
    expect(formatReply({ code: 250, text: '' })).toBe('250\r\n');
    expect(formatReply({ code: 250, enhanced: { class: 2, subject: 0, detail: 0 }, text: '' })).toBe('250 2.0.0\r\n');
  });
  test('multi-line: hyphen on every line but the last, enhanced code on every line', () => {
    expect(formatReply({ code: 250, lines: ['mx.example.com', 'PIPELINING', 'SIZE 10240000'] })).toBe(
      '250-mx.example.com\r\n250-PIPELINING\r\n250 SIZE 10240000\r\n',
    );
    expect(formatReply({ code: 451, enhanced: { class: 4, subject: 7, detail: 1 }, lines: ['Greylisted,', 'try later'] })).toBe(
      '451-4.7.1 Greylisted,\r\n451 4.7.1 try later\r\n',
    );
    expect(formatReply({ code: 250, lines: [] })).toBe('250\r\n');
    expect(formatReply({ code: 250, lines: ['a', ''] })).toBe('250-a\r\n250\r\n');
  });
  test('an empty 334 challenge keeps its space (RFC 4954 §4); other codes stay bare unless asked', () => {
    expect(formatReply({ code: 334, text: '' })).toBe('334 \r\n');
    expect(formatReply({ code: 334, lines: [] })).toBe('334 \r\n');
    expect(formatReply({ code: 334, text: 'PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UuZXhhbXBsZS5uZXQ+' })).toBe(
      '334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UuZXhhbXBsZS5uZXQ+\r\n',
    );
    expect(formatReply({ code: 334, text: '' }, { spaceOnEmptyLastLine: false })).toBe('334\r\n');
    expect(formatReply({ code: 250, text: '' }, { spaceOnEmptyLastLine: true })).toBe('250 \r\n');
    expect(formatReply({ code: 250, lines: ['a', ''] }, { spaceOnEmptyLastLine: true })).toBe('250-a\r\n250 \r\n');
    expect(formatReply({ code: 250, lines: ['a', 'b'] }, { spaceOnEmptyLastLine: true })).toBe('250-a\r\n250 b\r\n');
    expect(new TextDecoder().decode(formatReplyBytes({ code: 334, text: '' }))).toBe('334 \r\n');
  });
  test('an empty 334 challenge reads back as an empty line', () => {
    expect(parseReply(formatReply({ code: 334, text: '' })).lines).toEqual(['']);
  });
  test('a parsed Reply formats back to the same wire form', () => {
    const wire = '550-5.1.1 first\r\n550 5.1.1 second\r\n';
    expect(formatReply(parseReply(wire))).toBe(wire);
  });
  test('wraps long text so no line exceeds 512 bytes with CRLF', () => {
    const words = Array.from({ length: 400 }, (_, i) => `word${i}`);
    const wire = formatReply({ code: 554, enhanced: { class: 5, subject: 7, detail: 606 }, text: words.join(' ') });
    const lines = wire.split('\r\n').slice(0, -1);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(new TextEncoder().encode(l).length + 2).toBeLessThanOrEqual(512);
    const r = parseReply(wire);
    expect(r.lines.join(' ').split(' ')).toEqual(words);
    expect(r.enhanced).toEqual({ class: 5, subject: 7, detail: 606 });
  });
  test('hard-splits text with no spaces, never inside a UTF-8 sequence', () => {
    const text = '😀é'.repeat(500);
    const wire = formatReply({ code: 250, text });
    for (const l of wire.split('\r\n').slice(0, -1)) expect(new TextEncoder().encode(l).length + 2).toBeLessThanOrEqual(512);
    expect(parseReply(wire).lines.join('')).toBe(text);
  });
  test('a custom maxLineLength, never below 512', () => {
    const text = 'a'.repeat(1000);
    expect(formatReply({ code: 250, text }, { maxLineLength: 2048 })).toBe(`250 ${text}\r\n`);
    expect(code(() => formatReply({ code: 250, text }, { maxLineLength: 100 }))).toBe('ERR_SMTP_INVALID_OPTION');
  });
  test('formatReplyBytes is the UTF-8 of formatReply', () => {
    expect(new TextDecoder().decode(formatReplyBytes({ code: 221, text: 'Bye ✓' }))).toBe('221 Bye ✓\r\n');
  });
});

describe('formatReply refuses injection (INJ: CR, LF, NUL, controls)', () => {
  test.each(['a\r\n250 injected', 'a\nb', 'a\rb', 'a\0b', 'a\u001bb', 'a\u007fb', 'a\u0085b'])('reply injection refused: %j', (text) => {
    expect(code(() => formatReply({ code: 550, text }))).toBe('ERR_SMTP_REPLY_TEXT_INVALID');
    expect(code(() => formatReply({ code: 550, lines: ['ok', text] }))).toBe('ERR_SMTP_REPLY_TEXT_INVALID');
  });
  test('TAB is allowed', () => {
    expect(formatReply({ code: 250, text: 'a\tb' })).toBe('250 a\tb\r\n');
  });
  test.each([199, 600, 260, 250.5, NaN, -250, 2500])('invalid reply code %s', (c) => {
    expect(code(() => formatReply({ code: c, text: 'x' }))).toBe('ERR_SMTP_INVALID_REPLY_CODE');
  });
  test('invalid or mismatched enhanced codes', () => {
    const bad: FormatReplyInput[] = [
      { code: 250, enhanced: { class: 5, subject: 1, detail: 1 }, text: 'x' },
      { code: 550, enhanced: { class: 5, subject: 1000, detail: 1 }, text: 'x' },
      { code: 550, enhanced: { class: 3 as 5, subject: 1, detail: 1 }, text: 'x' },
      { code: 550, enhanced: { class: 5, subject: 1, detail: -1 }, text: 'x' },
    ];
    for (const b of bad) expect(code(() => formatReply(b))).toBe('ERR_SMTP_INVALID_ENHANCED_CODE');
  });
});
