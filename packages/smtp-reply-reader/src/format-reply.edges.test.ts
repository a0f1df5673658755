// format-reply: the exact boundaries and edge cases (each test pins one behaviour a subtly wrong
// implementation would otherwise get away with).
import { describe, expect, test } from 'vitest';
import { formatReply, isReplyReaderError, parseReply, type ReplyReaderError } from 'smtp-reply-reader';
const isLocalError = (e: unknown): e is ReplyReaderError => isReplyReaderError(e) && e.kind === 'local';

const utf8 = new TextEncoder();

function lineBytes(wire: string): number[] {
  return wire.split('\r\n').slice(0, -1).map((l) => utf8.encode(l).length + 2);
}

describe('formatReply wraps by UTF-8 bytes', () => {
  // Characters at each UTF-8 width boundary (U+0080-U+009F are controls and refused).
  test.each(['a', '\u00a0', '\u07ff', '\u0800', '\uffff', '\u{10000}', '\u{10ffff}'])(
    '%j repeated: no line over 512 bytes, lines filled, text kept',
    (ch) => {
      const text = ch.repeat(700);
      const wire = formatReply({ code: 250, text });
      const sizes = lineBytes(wire);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(512);
      const width = utf8.encode(ch).length;
      for (const size of sizes.slice(0, -1)) expect(size).toBeGreaterThan(512 - width);
      expect(parseReply(wire).lines.join('')).toBe(text);
    },
  );
  test('a word longer than a line is hard-split at exactly 512 bytes', () => {
    const wire = formatReply({ code: 250, text: 'x'.repeat(1000) });
    expect(lineBytes(wire)).toEqual([512, 1000 - 506 + 6]);
  });
  test('a line that starts with a space is hard-split, not broken at that space', () => {
    const wire = formatReply({ code: 250, text: ` ${'x'.repeat(600)}` });
    expect(parseReply(wire).lines).toEqual([` ${'x'.repeat(505)}`, 'x'.repeat(95)]);
  });
});

describe('formatReply refuses every control character, naming it', () => {
  function message(text: string): string | undefined {
    try {
      formatReply({ code: 250, text });
      return undefined;
    } catch (e) {
      return isLocalError(e) && e.code === 'ERR_SMTP_REPLY_TEXT_INVALID' ? e.message : 'other error';
    }
  }
  test('INJ-1 CR, LF, NUL and other controls are named with their index', () => {
    expect(message('ab\rc')).toBe('reply text contains CR at index 2');
    expect(message('a\nc')).toBe('reply text contains LF at index 1');
    expect(message('\0')).toBe('reply text contains NUL at index 0');
    expect(message('x\u0001')).toBe('reply text contains control U+0001 at index 1');
  });
  test('INJ-1 C1 controls up to U+009F are refused; U+00A0 and TAB are text', () => {
    expect(message('a\u007f')).toMatch(/U\+007f/);
    expect(message('a\u009f')).toMatch(/U\+009f/);
    expect(message('a\u00a0b\tc')).toBeUndefined();
  });
});

describe('formatReply takes the enhanced code as an object or as its text', () => {
  function code(enhanced: unknown, replyCode = 550): string {
    try {
      return formatReply({ code: replyCode, enhanced, text: 'x' } as never);
    } catch (e) {
      return isLocalError(e) ? `${e.code}: ${e.message}` : 'other error';
    }
  }
  test('the text form writes what the object form writes', () => {
    expect(code('5.1.1')).toBe('550 5.1.1 x\r\n');
    expect(code('5.1.1')).toBe(code({ class: 5, subject: 1, detail: 1 }));
    expect(code('4.7.500', 451)).toBe('451 4.7.500 x\r\n');
    expect(code('2.0.0', 250)).toBe('250 2.0.0 x\r\n');
    expect(code('5.999.0')).toBe('550 5.999.0 x\r\n');
  });
  test('a text that is not class.subject.detail is refused, naming it', () => {
    for (const bad of ['5.1', '5.1.1.1', '5.01.1', '5.1.00', '5.1000.1', '3.1.1', '5..1', '5.1.', ' 5.1.1', '5.1.1 ', '5.a.1', '', '５.1.1']) {
      expect(code(bad)).toBe(`ERR_SMTP_INVALID_ENHANCED_CODE: enhanced status code must be class.subject.detail, got ${JSON.stringify(bad)}`);
    }
  });
  test('the class must match the reply code in either form', () => {
    expect(code('4.1.1')).toBe('ERR_SMTP_INVALID_ENHANCED_CODE: enhanced code class 4 does not match reply code 550');
    expect(code({ class: 4, subject: 1, detail: 1 })).toBe('ERR_SMTP_INVALID_ENHANCED_CODE: enhanced code class 4 does not match reply code 550');
  });
  test('a value that is neither is refused with its type', () => {
    expect(code(511)).toBe('ERR_SMTP_INVALID_ENHANCED_CODE: enhanced status code must be {class: 2|4|5, subject: 0-999, detail: 0-999}, got number');
    expect(code(null)).toMatch(/, got null$/);
    expect(code({ class: 5, subject: 1 })).toBe('ERR_SMTP_INVALID_ENHANCED_CODE: enhanced status code must be {class: 2|4|5, subject: 0-999, detail: 0-999}');
  });
});

describe('formatReply names the line at fault', () => {
  function message(input: unknown): string | undefined {
    try {
      formatReply(input as never);
      return undefined;
    } catch (e) {
      return isLocalError(e) ? e.message : 'other error';
    }
  }
  test('a line of lines by its number; text as reply text', () => {
    expect(message({ code: 250, lines: ['ok', 'a\rb'] })).toBe('reply line 2 contains CR at index 1');
    expect(message({ code: 250, lines: ['a\0'] })).toBe('reply line 1 contains NUL at index 1');
    expect(message({ code: 250, lines: ['ok', 5] })).toBe('reply line 2 must be a string, got number');
    expect(message({ code: 250, text: 'a\nb' })).toBe('reply text contains LF at index 1');
  });
  test('lines: null with a text is the text; lines: null alone is refused, naming null', () => {
    expect(message({ code: 250, lines: null, text: 'a\rb' })).toBe('reply text contains CR at index 1');
    expect(formatReply({ code: 250, lines: null, text: 'ok' } as never)).toBe('250 ok\r\n');
    expect(message({ code: 250, lines: null })).toBe('reply lines must be a list of strings, got null');
  });
});
