// parseEhloReplyText drops an enhanced status code by RFC 3463 §2's grammar, the one smtp-reply-reader
// reads (one scanner, in @smtpkit/foundation): class 2, 4 or 5, subject and detail of one to three
// digits without a leading zero, then SP, HT or the end of the line.
import { ReplyReader } from 'smtp-reply-reader';
import { describe, expect, test } from 'vitest';
import { parseEhloReply, parseEhloReplyText } from './parse-ehlo-reply.js';

/** The start of a line, and whether RFC 3463 reads it as an enhanced status code. */
const TABLE: readonly [string, boolean][] = [
  ['2.0.0 ', true],
  ['2.1.5\t', true],
  ['2.999.999 ', true],
  ['2.00.0 ', false],
  ['2.0.00 ', false],
  ['2.000.000 ', false],
  ['2.01.1 ', false],
  ['2.1000.0 ', false],
  ['5.7.1234 ', false],
  ['2.0. ', false],
  ['2.0.0x ', false],
  ['6.0.0 ', false],
  ['5.0.0 ', false],
];

describe('an enhanced status code on the lines of an EHLO reply text', () => {
  test.each(TABLE)('%j is dropped: %s', (code, dropped) => {
    const wire = `250-${code}mx.example.com Hello\r\n250 ${code}DSN\r\n`;
    const caps = parseEhloReplyText(wire);
    if (dropped) {
      expect([caps.domain, caps.greeting, caps.dsn]).toEqual(['mx.example.com', 'Hello', true]);
    } else {
      expect(caps.domain).toBe(code.slice(0, -1));
      expect(caps.dsn).toBe(false);
    }
    // as smtp-reply-reader reads the same text
    expect(caps.toJSON()).toEqual(parseEhloReply(new ReplyReader().push(wire)[0]!).toJSON());
  });
});
