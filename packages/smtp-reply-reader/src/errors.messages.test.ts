import { describe, expect, test } from 'vitest';
import { thrownValue as thrown } from '@smtpkit/testkit';
import { ReplyReader, ReplyReaderError, formatReply, parseReply } from 'smtp-reply-reader';

// The code says which rule broke; the message is what a person reads in a log. Each message must
// name the option or value at fault and the bound it broke.
const failure = (f: () => unknown): [string, string] => {
  const e = thrown(f) as ReplyReaderError;
  expect(e).toBeInstanceOf(ReplyReaderError);
  return [e.code, e.message];
};

describe('option errors name the option and its bound', () => {
  test.each([
    [{ maxLineLength: 100 }, 'invalid option: maxLineLength must be an integer >= 512'],
    [{ maxReplyLines: 0 }, 'invalid option: maxReplyLines must be an integer >= 1'],
    [{ maxReplyBytes: 100 }, 'invalid option: maxReplyBytes must be an integer >= 512'],
    [{ lineEndings: 'loose' as never }, "invalid option: lineEndings must be 'strict' or 'lenient'"],
  ])('%o', (options, message) => {
    expect(failure(() => new ReplyReader(options))).toEqual(['ERR_SMTP_INVALID_OPTION', message]);
  });

  test('the formatter names its line length bound', () => {
    expect(failure(() => formatReply({ code: 250, text: 'ok' }, { maxLineLength: 100 }))).toEqual([
      'ERR_SMTP_INVALID_OPTION',
      'maxLineLength must be an integer >= 512',
    ]);
  });
});

describe('formatter input errors show the value at fault', () => {
  test('a reply code outside 2yz-5yz', () => {
    expect(failure(() => formatReply({ code: 600, text: 'x' }))).toEqual([
      'ERR_SMTP_INVALID_REPLY_CODE',
      'reply code must be 2yz-5yz with y 0-5, got 600',
    ]);
  });

  test('an enhanced code with a class that is not 2, 4 or 5', () => {
    expect(failure(() => formatReply({ code: 250, text: 'x', enhanced: { class: 3 as never, subject: 0, detail: 0 } }))).toEqual([
      'ERR_SMTP_INVALID_ENHANCED_CODE',
      'enhanced status code must be {class: 2|4|5, subject: 0-999, detail: 0-999}',
    ]);
  });

  test('an enhanced code whose class differs from the reply code', () => {
    expect(failure(() => formatReply({ code: 250, text: 'x', enhanced: { class: 5, subject: 1, detail: 1 } }))).toEqual([
      'ERR_SMTP_INVALID_ENHANCED_CODE',
      'enhanced code class 5 does not match reply code 250',
    ]);
  });
});

describe('parseReply errors say what the input held', () => {
  test('no reply at all', () => {
    expect(failure(() => parseReply(''))).toEqual(['ERR_SMTP_REPLY_INCOMPLETE', 'no complete reply in the input']);
  });

  test('more than one reply, with the count', () => {
    expect(failure(() => parseReply('250 a\r\n251 b\r\n252 c\r\n'))).toEqual([
      'ERR_SMTP_REPLY_EXTRA_DATA',
      'expected exactly one reply, found 3',
    ]);
  });

  test('one reply and the start of another is extra data, not an incomplete reply (the reply is kept)', () => {
    expect(failure(() => parseReply('250 a\r\n550-b\r\n'))).toEqual(['ERR_SMTP_REPLY_EXTRA_DATA', 'expected exactly one reply, found 1 and the start of another']);
    const e = thrown(() => parseReply('250 a\r\n550-b\r\n550-c')) as ReplyReaderError;
    expect([e.code, e.replies.map((r) => r.code)]).toEqual(['ERR_SMTP_REPLY_EXTRA_DATA', [250]]);
    // a lone unfinished reply is still incomplete
    expect(failure(() => parseReply('250-a\r\n'))[0]).toBe('ERR_SMTP_REPLY_INCOMPLETE');
  });

  test('a peer error before any reply carries no replies', () => {
    const e = thrown(() => new ReplyReader().push('600 x\r\n')) as ReplyReaderError;
    expect([e.kind, e.code, e.replies]).toEqual(['remote', 'ERR_SMTP_REPLY_CODE_OUT_OF_RANGE', []]);
  });
});

describe('peer errors quote the offending line safely', () => {
  const message = (input: string | Uint8Array, options?: ConstructorParameters<typeof ReplyReader>[0]): string =>
    (thrown(() => new ReplyReader(options).push(input)) as ReplyReaderError).message;

  test('printable bytes are quoted as they are', () => {
    expect(message('hello there\r\n')).toBe('not a reply line: "hello there"');
    expect(message('250xok\r\n')).toBe('not a reply line: "250xok"');
    expect(message('650 no\r\n')).toBe('reply code out of range: "650"');
  });

  test('control and 8-bit bytes are shown as \\x escapes, never raw', () => {
    expect(message(new Uint8Array([0x41, 0x00, 0x1f, 0x20, 0x7e, 0x7f, 0xff, 0x0d, 0x0a]))).toBe('not a reply line: "A\\\\x00\\\\x1f ~\\\\x7f\\\\xff"');
  });

  test('only the first 40 bytes are quoted, with an ellipsis when there is more', () => {
    const forty = 'x'.repeat(40);
    expect(message(`${forty}\r\n`)).toBe(`not a reply line: "${forty}"`);
    expect(message(`${forty}yz\r\n`)).toBe(`not a reply line: "${forty}..."`);
  });

  test('bare line endings and overlong lines are quoted too', () => {
    expect(message('250 a\nb')).toBe('bare LF in reply line "250 a"');
    expect(message('250 a\rb\r\n')).toBe('bare CR in reply line "250 a\\\\x0db"');
    expect(message(`250 ${'y'.repeat(600)}`, { maxLineLength: 512 })).toBe(`reply line longer than 512 bytes: "250 ${'y'.repeat(36)}..."`);
  });

  test('an overlong line split over chunks is quoted from its start', () => {
    const reader = new ReplyReader({ maxLineLength: 512 });
    reader.push(`251 ${'z'.repeat(300)}`);
    const e = thrown(() => reader.push('z'.repeat(300))) as ReplyReaderError;
    expect([e.code, e.message]).toEqual(['ERR_SMTP_LINE_TOO_LONG', `reply line longer than 512 bytes: "251 ${'z'.repeat(36)}..."`]);
  });
});
