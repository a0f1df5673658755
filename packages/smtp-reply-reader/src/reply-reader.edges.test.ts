// reply-reader: the exact boundaries and edge cases (each test pins one behaviour a subtly wrong
// implementation would otherwise get away with).
import { describe, expect, test } from 'vitest';
import { resultsForEverySplit } from '@smtpkit/testkit';
import { ReplyReader } from 'smtp-reply-reader';
import { feed } from '../test/helpers.js';

describe('RPL-1 reply-code grammar: every digit checked on its own', () => {
  test.each(['100 x', '150 x', '050 x', '950 x', '655 x'])('RPL-1 out of range: %s', (line) => {
    expect(feed([`${line}\r\n`]).error).toBe('ERR_SMTP_REPLY_CODE_OUT_OF_RANGE');
  });
  test.each(['2', '25', '2 ', '25 x', '2-'])('RPL-1 a line shorter than its three digits is a syntax error, never a code: %j', (line) => {
    const out = feed([`${line}\r\n`]);
    expect(out.error).toBe('ERR_SMTP_REPLY_SYNTAX');
    expect(out.replies).toEqual([]);
  });
  test('a reply without an enhanced code has no enhanced key at all', () => {
    const r = feed(['250-a\r\n250 b\r\n']).replies[0]!;
    expect(Object.keys(r)).toEqual(['code', 'lines', 'text']);
  });
  test.each(['/50 x', ':50 x', '2/0 x', '2:0 x', '25/ x', '25: x', '250:x', '250/x'])('RPL-1 syntax: %j', (line) => {
    expect(feed([`${line}\r\n`]).error).toBe('ERR_SMTP_REPLY_SYNTAX');
  });
});

describe('RPL-4 enhanced codes on continuation lines', () => {
  test('RPL-4 a continuation line without an enhanced code after a first line with one', () => {
    const out = feed(['250-2.0.0 first\r\n250 second\r\n']);
    expect(out.error).toBeUndefined();
    expect(out.replies[0]).toEqual({ code: 250, enhanced: { class: 2, subject: 0, detail: 0 }, lines: ['first', 'second'], text: 'first\nsecond' });
  });
  test('RPL-4 only the same subject AND detail is stripped', () => {
    const r = feed(['550-5.1.1 a\r\n550-5.2.1 b\r\n550-5.1.2 c\r\n550 5.1.1 d\r\n']).replies[0]!;
    expect(r.lines).toEqual(['a', '5.2.1 b', '5.1.2 c', 'd']);
  });
  test.each(['2.0.1/', '2.0.1:', '2.1/.1 x', '2.1:.1 x'])('RPL-4 a non-digit right after the digits: %j is text', (t) => {
    const r = feed([`250 ${t}\r\n`]).replies[0]!;
    expect(r.enhanced).toBeUndefined();
    expect(r.text).toBe(t);
  });
});

describe('limits at their exact boundary', () => {
  test('DOS-9 a line of exactly maxLineLength bytes (with CRLF) is accepted at every split, one more byte is not', () => {
    const line = `250 ${'x'.repeat(512 - 6)}\r\n`;
    expect(line.length).toBe(512);
    const ok = resultsForEverySplit(line, (chunks) => feed(chunks, { maxLineLength: 512 }), { random: 20 });
    expect(ok.distinct).toHaveLength(1);
    expect(ok.first.error).toBeUndefined();
    const over = resultsForEverySplit(`250 ${'x'.repeat(512 - 5)}\r\n`, (chunks) => feed(chunks, { maxLineLength: 512 }), { random: 20 });
    expect(over.distinct).toHaveLength(1);
    expect(over.first.error).toBe('ERR_SMTP_LINE_TOO_LONG');
  });
  test('DOS-9 a reply of exactly maxReplyBytes is accepted, one more byte is not', () => {
    const line = `250-${'y'.repeat(256 - 6)}\r\n`; // 256 bytes
    const exact = `${line.repeat(3)}250 ${'z'.repeat(256 - 6)}\r\n`; // 1024 bytes
    expect(feed([exact], { maxReplyBytes: 1024 }).error).toBeUndefined();
    expect(feed([`${line.repeat(3)}250 ${'z'.repeat(256 - 5)}\r\n`], { maxReplyBytes: 1024 }).error).toBe('ERR_SMTP_REPLY_TOO_LARGE');
  });
  test('DOS-9 maxReplyLines: 1 is valid and allows exactly one line', () => {
    expect(feed(['250 one\r\n'], { maxReplyLines: 1 }).error).toBeUndefined();
    expect(feed(['250-one\r\n250 two\r\n'], { maxReplyLines: 1 }).error).toBe('ERR_SMTP_REPLY_TOO_MANY_LINES');
  });
});

describe('pending', () => {
  test('X-2 true inside a multi-line reply even when no bytes are buffered', () => {
    const reader = new ReplyReader();
    expect(reader.push('250-a\r\n')).toEqual([]);
    expect(reader.bufferedBytes).toBe(7);
    expect(reader.pending).toBe(true);
    expect(reader.push('250 b\r\n')).toHaveLength(1);
    expect(reader.pending).toBe(false);
  });
});

describe('X-3 string chunks: a surrogate pair split between two pushes is one character', () => {
  const text = '250-\u{1F600} ok\r\n250 \u00e9\u{10FFFF}\r\n';
  const whole = (): unknown => new ReplyReader().push(text);
  test('every split of the string, at every UTF-16 index, gives the replies of the whole string', () => {
    for (let i = 0; i <= text.length; i++) {
      const r = new ReplyReader();
      expect([...r.push(text.slice(0, i)), ...r.push(text.slice(i))]).toEqual(whole());
      r.end();
    }
  });
  test('one UTF-16 unit per push gives the same replies', () => {
    const r = new ReplyReader();
    const units = text.split('');
    expect(units).toHaveLength(text.length);
    const out = units.flatMap((unit) => r.push(unit));
    expect(out).toEqual(whole());
  });
  test('a high surrogate with no low half is U+FFFD, as when the whole text is encoded', () => {
    for (const next of ['x\r\n', new TextEncoder().encode('x\r\n')]) {
      const r = new ReplyReader();
      r.push('250 a\ud83d');
      expect(r.pending).toBe(true);
      expect(r.push(next)).toEqual(new ReplyReader().push('250 a\ud83dx\r\n'));
    }
    const r = new ReplyReader();
    expect(r.push('250 ok\r\n\ud83d')).toHaveLength(1);
    expect(r.pending).toBe(true);
    expect(() => r.end()).toThrow(expect.objectContaining({ code: 'ERR_SMTP_REPLY_INCOMPLETE', offset: 8 }));
  });
});
