// parseEhloReplyText on a transcript that stops before the reply's last line (`250 ...`): the
// keywords read are kept, but a cut-off reply is said to be one, as smtp-reply-reader's
// ERR_SMTP_REPLY_INCOMPLETE says it, so nobody takes a partial keyword list for the whole offer.
import { describe, expect, test } from 'vitest';
import { parseEhloReplyText } from './parse-ehlo-reply.js';

const codes = (text: string): [string, number][] => parseEhloReplyText(text).warnings.map((w) => [w.code, w.line]);

describe('parseEhloReplyText: a reply without its last line', () => {
  test('a reply cut after a continuation line is reported', () => {
    const caps = parseEhloReplyText('250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 1000\r\n');
    expect(caps.keywords).toEqual(['PIPELINING', 'SIZE']);
    expect(codes('250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 1000\r\n')).toEqual([['bad-reply-line', 3]]);
    expect(codes('250-mx\r\n250-')).toEqual([['bad-reply-line', 2], ['empty-line', 1]]);
    expect(codes('250-mx\n250-X\n\n')).toEqual([['bad-reply-line', 3]]);
  });

  test('a complete reply, with or without the final CRLF, is not', () => {
    expect(codes('250-mx\r\n250-PIPELINING\r\n250 SIZE 1000\r\n')).toEqual([]);
    expect(codes('250-mx\r\n250 SIZE 1000')).toEqual([]);
    expect(codes('250 mx')).toEqual([]);
    expect(codes('250-mx\r\n250\r\n')).toEqual([['empty-line', 1]]);
  });

  test('nor is a transcript cut short on purpose (more keyword lines than maxKeywords)', () => {
    const text = `250-mx\r\n${'250-X\r\n'.repeat(10)}`;
    expect(parseEhloReplyText(text, { limits: { maxKeywords: 3 } }).warnings.map((w) => w.code)).toEqual(['too-many-keywords']);
  });
});
