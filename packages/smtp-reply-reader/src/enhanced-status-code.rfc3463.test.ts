// The enhanced status code the reader drops from a reply's lines follows RFC 3463 §2 exactly (the
// grammar shared with smtp-capabilities' parseEhloReplyText): class 2, 4 or 5, subject and detail of
// one to three digits "expressed without leading zero digits", then SP, HT or the end of the line.
import { describe, expect, test } from 'vitest';
import { parseEnhancedStatusCode } from './enhanced-status-code.js';
import { ReplyReader } from './reply-reader.js';

/** Text after the reply code, and the code RFC 3463 reads at its start (undefined: none). */
const TABLE: readonly [string, string | undefined][] = [
  ['2.0.0 ok', '2.0.0'],
  ['2.1.5\tok', '2.1.5'],
  ['2.999.999 ok', '2.999.999'],
  ['2.0.0', '2.0.0'],
  ['2.00.0 ok', undefined],
  ['2.0.00 ok', undefined],
  ['2.000.000 ok', undefined],
  ['2.01.1 ok', undefined],
  ['2.1000.0 ok', undefined],
  ['2.0.1234 ok', undefined],
  ['2.0. ok', undefined],
  ['2.0 ok', undefined],
  ['2.0.0x ok', undefined],
  ['2.0.0.0 ok', undefined],
  ['6.0.0 ok', undefined],
  ['02.0.0 ok', undefined],
];

describe('RFC 3463 §2 grammar in the reader', () => {
  test.each(TABLE)('250 %s: code %s', (text, code) => {
    const reply = new ReplyReader().push(`250-${text}\r\n250 ${text}\r\n`)[0]!;
    const e = reply.enhanced;
    expect(e && `${e.class}.${e.subject}.${e.detail}`).toBe(code);
    // the code and the space after it are dropped from every line; anything else is text
    const rest = code === undefined ? text : text.slice(code.length + 1);
    expect(reply.lines).toEqual([rest, rest]);
    const parsed = parseEnhancedStatusCode(text);
    expect(parsed && `${parsed.class}.${parsed.subject}.${parsed.detail}`).toBe(code);
  });
});
