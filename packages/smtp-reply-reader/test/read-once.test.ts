// A value is read once, checked, and the checked value is what gets written: a getter (or a Proxy)
// that answers the check with a valid value and the writer with another cannot put a CR or LF on
// the wire (no reply injection).
import { describe, expect, test } from 'vitest';
import { formatEnhancedStatusCode, formatReply, type EnhancedStatusCode, type FormatReplyInput } from 'smtp-reply-reader';

/** An accessor that gives `first` on the first read and `later` on every read after it. */
function changing(first: unknown, later: unknown): PropertyDescriptor {
  let reads = 0;
  return { enumerable: true, get: () => (reads++ === 0 ? first : later) };
}

/** The lines of `wire`, without their CRLF. */
function linesOf(wire: string): string[] {
  return wire.split('\r\n').slice(0, -1);
}

describe('formatReply reads each field of the reply once', () => {
  test('a code that changes after its check is written as checked', () => {
    const reply = Object.defineProperties({ text: 'ok' }, { code: changing(250, '250 x\r\n550') }) as FormatReplyInput;
    const wire = formatReply(reply);
    expect(wire).toBe('250 ok\r\n');
    expect(linesOf(wire)).toEqual(['250 ok']);
  });
  test('an enhanced code object whose fields change after their check is written as checked', () => {
    const enhanced = Object.defineProperties({ class: 2 }, { subject: changing(1, '1\r\n550 x'), detail: changing(0, '0\r\n550 y') }) as EnhancedStatusCode;
    expect(formatReply({ code: 250, enhanced, text: 'ok' })).toBe('250 2.1.0 ok\r\n');
  });
});

describe('formatEnhancedStatusCode reads each field once', () => {
  test('fields that change after their check are written as checked', () => {
    const e = Object.defineProperties({}, { class: changing(5, '5\r\n'), subject: changing(7, '7\r\nx'), detail: changing(1, '1\r\ny') }) as EnhancedStatusCode;
    expect(formatEnhancedStatusCode(e)).toBe('5.7.1');
  });
});

describe('formatReply reads lines and text once', () => {
  /** A reply whose `name` field is a getter that counts its reads. */
  function counted(fields: Record<string, unknown>, name: string, value: unknown): { reply: FormatReplyInput; reads: () => number } {
    let reads = 0;
    const reply = Object.defineProperty({ ...fields }, name, { enumerable: true, get: () => (reads++, value) }) as FormatReplyInput;
    return { reply, reads: () => reads };
  }
  test('lines, given as a list, is read once', () => {
    const { reply, reads } = counted({ code: 250 }, 'lines', ['a', 'b']);
    expect(formatReply(reply)).toBe('250-a\r\n250 b\r\n');
    expect(reads()).toBe(1);
  });
  test('lines, absent (undefined), is read once and text is written', () => {
    const { reply, reads } = counted({ code: 250, text: 'ok' }, 'lines', undefined);
    expect(formatReply(reply)).toBe('250 ok\r\n');
    expect(reads()).toBe(1);
  });
  test('text, beside lines: null, is read once', () => {
    const { reply, reads } = counted({ code: 250, lines: null }, 'text', 'ok');
    expect(formatReply(reply)).toBe('250 ok\r\n');
    expect(reads()).toBe(1);
  });
  test('a line that changes kind is still named by what was read first', () => {
    // lines read as undefined (so the text is written), then as a list: the fault is the text's
    let reads = 0;
    const reply = Object.defineProperty({ code: 250, text: 'a\r\nb' }, 'lines', { enumerable: true, get: () => (reads++ === 0 ? undefined : ['x']) }) as FormatReplyInput;
    expect(() => formatReply(reply)).toThrow(/reply text/);
  });
});
