// Arguments of the wrong type or out of range, through the public entry: each is a typed, local
// ReplyReaderError with a stable code, never an untyped TypeError, a silently dropped chunk or a
// silently wrong result.
import { describe, expect, test } from 'vitest';
import { thrownValue } from '@smtpkit/testkit';
import {
  ReplyReader,
  expectReply,
  formatEnhancedStatusCode,
  formatReply,
  formatReplyBytes,
  isIntermediate,
  isPermanentNegative,
  isPositive,
  isReplyReaderError,
  isTransientNegative,
  parseEnhancedStatusCode,
  parseReply,
  sameEnhancedStatusCode,
  type EnhancedStatusCode,
  type FormatReplyInput,
  type ReplyReaderError,
} from 'smtp-reply-reader';

function localCode(fn: () => unknown): string {
  const e = thrownValue(fn);
  if (!isReplyReaderError(e)) return `untyped ${String(e)}`;
  return `${e.kind} ${e.code}`;
}

const wire = new TextEncoder().encode('250 ok\r\n');

/** A Uint8Array whose buffer has been transferred away (detached): iterating it throws a TypeError. */
function detachedBytes(): Uint8Array {
  const bytes = new Uint8Array(4);
  structuredClone(bytes.buffer, { transfer: [bytes.buffer] });
  return bytes;
}

describe('ReplyReader.push and parseReply take a string or a Uint8Array only', () => {
  const notBytes: readonly [string, unknown][] = [
    ['a number', 250],
    ['null', null],
    ['undefined', undefined],
    ['an array of byte values', [...wire]],
    ['an ArrayBuffer', wire.buffer],
    ['a DataView', new DataView(wire.buffer)],
    ['a Uint16Array', new Uint16Array(wire)],
    ['an Int8Array', new Int8Array(wire)],
    ['a plain object', { length: 8 }],
  ];
  test.each(notBytes)('push(%s) is ERR_SMTP_INVALID_ARGUMENT and the reader is still usable', (_, chunk) => {
    const reader = new ReplyReader();
    expect(localCode(() => reader.push(chunk as Uint8Array))).toBe('local ERR_SMTP_INVALID_ARGUMENT');
    expect(reader.error).toBeUndefined();
    expect(reader.push(wire)).toEqual([{ code: 250, lines: ['ok'], text: 'ok' }]);
  });
  test.each(notBytes)('parseReply(%s) is ERR_SMTP_INVALID_ARGUMENT', (_, input) => {
    expect(localCode(() => parseReply(input as Uint8Array))).toBe('local ERR_SMTP_INVALID_ARGUMENT');
  });
  test('a Buffer and a Uint8Array over a SharedArrayBuffer are bytes', () => {
    expect(parseReply(Buffer.from('250 ok\r\n')).text).toBe('ok');
    const shared = new Uint8Array(new SharedArrayBuffer(wire.length));
    shared.set(wire);
    expect(new ReplyReader().push(shared)).toHaveLength(1);
  });
});

describe('options that are not an object', () => {
  test.each([null, 5, 'strict', true])('new ReplyReader(%j) and parseReply(_, %j) are ERR_SMTP_INVALID_OPTION', (options) => {
    expect(localCode(() => new ReplyReader(options as never))).toBe('local ERR_SMTP_INVALID_OPTION');
    expect(localCode(() => parseReply('250 ok', options as never))).toBe('local ERR_SMTP_INVALID_OPTION');
  });
  test('a list ([] or a non-empty one) is no options object: ERR_SMTP_INVALID_OPTION, not the defaults', () => {
    for (const options of [[], [1000], ['lax']]) {
      expect(localCode(() => new ReplyReader(options as never)), JSON.stringify(options)).toBe('local ERR_SMTP_INVALID_OPTION');
      expect(localCode(() => parseReply('250 ok', options as never)), JSON.stringify(options)).toBe('local ERR_SMTP_INVALID_OPTION');
      expect(localCode(() => formatReply({ code: 250, text: 'ok' }, options as never)), JSON.stringify(options)).toBe('local ERR_SMTP_INVALID_OPTION');
    }
  });
  test.each([null, 5, 'x'])('formatReply(_, %j) is ERR_SMTP_INVALID_OPTION', (options) => {
    expect(localCode(() => formatReply({ code: 250, text: 'ok' }, options as never))).toBe('local ERR_SMTP_INVALID_OPTION');
  });
  test.each([1, 'no', null])('spaceOnEmptyLastLine: %j (not a boolean) is ERR_SMTP_INVALID_OPTION, not taken as truthy or falsy', (v) => {
    expect(localCode(() => formatReply({ code: 250, text: '' }, { spaceOnEmptyLastLine: v as never }))).toBe('local ERR_SMTP_INVALID_OPTION');
  });
});

describe('an option given as null is refused, not taken as the default (only a missing one is)', () => {
  test.each(['maxLineLength', 'maxReplyLines', 'maxReplyBytes', 'lineEndings'])('%s: null', (name) => {
    expect(localCode(() => new ReplyReader({ [name]: null }))).toBe('local ERR_SMTP_INVALID_OPTION');
    expect(localCode(() => parseReply('250 ok\r\n', { [name]: null }))).toBe('local ERR_SMTP_INVALID_OPTION');
    expect(() => new ReplyReader({ [name]: undefined })).not.toThrow();
  });
});

describe('parseReply: the CRLF it adds does not lose the replies an error carries', () => {
  test('a bad last line without its CRLF keeps the replies before it, as with the CRLF', () => {
    for (const input of ['250 a\r\n250 b\r\n999', '250 a\r\n250 b\r\n999\r\n']) {
      const e = thrownValue(() => parseReply(input)) as ReplyReaderError;
      expect([e.code, e.offset, e.replies.map((r) => r.text)]).toEqual(['ERR_SMTP_REPLY_CODE_OUT_OF_RANGE', 14, ['a', 'b']]);
    }
  });
  test('a bare CR at the end, lenient or strict, is completed as before', () => {
    expect(parseReply('250 ok\r').text).toBe('ok');
    expect(parseReply('250 ok\r', { lineEndings: 'lenient' }).text).toBe('ok');
  });
});

describe('formatReply: text, lines and enhanced of the wrong type', () => {
  const bad: readonly [string, unknown][] = [
    ['no text and no lines', { code: 250 }],
    ['a number as text', { code: 250, text: 250 }],
    ['null as text', { code: 250, text: null }],
    ['a string as lines', { code: 250, lines: 'abc' }],
    ['a number as lines', { code: 250, lines: 5 }],
    ['null as lines and no text', { code: 250, lines: null }],
    ['a number in lines', { code: 250, lines: ['a', 2] }],
    ['null in lines', { code: 250, lines: [null] }],
    // a byte view is no list of lines: an empty one is not an empty reply, a detached one cannot be read
    ['an empty Uint8Array as lines', { code: 250, lines: new Uint8Array(0) }],
    ['a Uint8Array as lines', { code: 250, lines: new TextEncoder().encode('ok') }],
    ['a detached Uint8Array as lines', { code: 250, lines: detachedBytes() }],
  ];
  test.each(bad)('%s is ERR_SMTP_REPLY_TEXT_INVALID', (_, input) => {
    expect(localCode(() => formatReply(input as FormatReplyInput))).toBe('local ERR_SMTP_REPLY_TEXT_INVALID');
    expect(localCode(() => formatReplyBytes(input as FormatReplyInput))).toBe('local ERR_SMTP_REPLY_TEXT_INVALID');
  });
  test.each([null, 5, undefined, 'x'])('the reply itself as %j is ERR_SMTP_INVALID_ARGUMENT', (input) => {
    expect(localCode(() => formatReply(input as unknown as FormatReplyInput))).toBe('local ERR_SMTP_INVALID_ARGUMENT');
  });
  test.each([null, 5, '5.1', true])('enhanced: %j is ERR_SMTP_INVALID_ENHANCED_CODE', (enhanced) => {
    expect(localCode(() => formatReply({ code: 550, enhanced: enhanced as unknown as EnhancedStatusCode, text: 'x' }))).toBe(
      'local ERR_SMTP_INVALID_ENHANCED_CODE',
    );
  });
  test('lines given as any other iterable (a one-shot generator, a set) are read once, in order', () => {
    function* lines(): Generator<string> {
      yield 'mx.example.com';
      yield 'PIPELINING';
    }
    const expected = '250-mx.example.com\r\n250 PIPELINING\r\n';
    expect(formatReply({ code: 250, lines: lines() as unknown as string[] })).toBe(expected);
    expect(formatReply({ code: 250, lines: new Set(['mx.example.com', 'PIPELINING']) as unknown as string[] })).toBe(expected);
  });
  test('a lone surrogate in the text is refused (it cannot be written as UTF-8); a pair is text', () => {
    for (const text of ['a\ud800b', 'a\udc00', '\ud800']) {
      const e = thrownValue(() => formatReply({ code: 250, text })) as ReplyReaderError;
      expect([e.code, e.message]).toEqual(['ERR_SMTP_REPLY_TEXT_INVALID', `reply text contains a lone surrogate at index ${text.indexOf(text.match(/[\ud800-\udfff]/)![0])}`]);
    }
    expect(localCode(() => formatReply({ code: 250, lines: ['ok', 'x\udfff'] }))).toBe('local ERR_SMTP_REPLY_TEXT_INVALID');
    expect(formatReply({ code: 250, text: 'a\u{1f600}b' })).toBe('250 a\u{1f600}b\r\n');
  });
});

describe('formatEnhancedStatusCode checks the code as formatReply does', () => {
  const bad: unknown[] = [
    null,
    undefined,
    '5.1.1',
    { class: 7, subject: 1, detail: 1 },
    { class: 5, subject: -1, detail: 1 },
    { class: 5, subject: 1000, detail: 1 },
    { class: 5, subject: 1.5, detail: 1 },
    { class: 5, subject: 1, detail: Number.NaN },
    { class: 5, subject: 1, detail: Infinity },
    { class: '5', subject: 1, detail: 1 },
  ];
  test.each(bad)('%j is ERR_SMTP_INVALID_ENHANCED_CODE', (e) => {
    expect(localCode(() => formatEnhancedStatusCode(e as EnhancedStatusCode))).toBe('local ERR_SMTP_INVALID_ENHANCED_CODE');
  });
  test('what it writes, parseEnhancedStatusCode reads back', () => {
    for (const e of [{ class: 2, subject: 0, detail: 0 }, { class: 5, subject: 999, detail: 999 }, { class: 4, subject: -0, detail: 7 }] as EnhancedStatusCode[]) {
      expect(sameEnhancedStatusCode(parseEnhancedStatusCode(formatEnhancedStatusCode(e)), e)).toBe(true);
    }
  });
});

describe('parseEnhancedStatusCode and sameEnhancedStatusCode', () => {
  test.each([null, undefined, 511, ['5.1.1']])('parseEnhancedStatusCode(%j) is ERR_SMTP_INVALID_ARGUMENT', (text) => {
    expect(localCode(() => parseEnhancedStatusCode(text as never))).toBe('local ERR_SMTP_INVALID_ARGUMENT');
  });
  test.each([null, '5.1.1', 5])('sameEnhancedStatusCode with %j is ERR_SMTP_INVALID_ENHANCED_CODE', (v) => {
    const a: EnhancedStatusCode = { class: 5, subject: 1, detail: 1 };
    expect(localCode(() => sameEnhancedStatusCode(a, v as never))).toBe('local ERR_SMTP_INVALID_ENHANCED_CODE');
    expect(localCode(() => sameEnhancedStatusCode(v as never, a))).toBe('local ERR_SMTP_INVALID_ENHANCED_CODE');
  });
});

describe('the reply-class predicates and expectReply take a Reply or an integer code', () => {
  const predicates = [isPositive, isIntermediate, isTransientNegative, isPermanentNegative];
  test.each([250.5, 299.9, Number.NaN, Infinity, '250', null, undefined, {}, { code: '250' }])('%j is ERR_SMTP_INVALID_REPLY_CODE', (v) => {
    for (const p of predicates) expect(localCode(() => p(v as number))).toBe('local ERR_SMTP_INVALID_REPLY_CODE');
    expect(localCode(() => expectReply(v as number, 250))).toBe('local ERR_SMTP_INVALID_REPLY_CODE');
  });
  test.each([[250.5], ['250'], [[250]], [null]])('expected or extra code %j is ERR_SMTP_INVALID_REPLY_CODE, not a silent false', (v) => {
    expect(localCode(() => expectReply(250, v as number))).toBe('local ERR_SMTP_INVALID_REPLY_CODE');
    expect(localCode(() => expectReply(250, 251, v as number))).toBe('local ERR_SMTP_INVALID_REPLY_CODE');
  });
  test('the error names what was given: the value, its type, or the type of its code', () => {
    const message = (v: unknown): string => {
      const e = thrownValue(() => isPositive(v as number));
      return isReplyReaderError(e) ? e.message : 'no typed error';
    };
    expect(message(250.5)).toBe('reply must be an integer reply code or a Reply, got 250.5');
    expect(message('250')).toBe('reply must be an integer reply code or a Reply, got string');
    expect(message(null)).toBe('reply must be an integer reply code or a Reply, got null');
    expect(message(undefined)).toBe('reply must be an integer reply code or a Reply, got undefined');
    expect(message([250])).toBe('reply must be an integer reply code or a Reply, got Array');
    expect(message({ code: '250' })).toBe('reply.code must be an integer reply code, got string');
    expect(message({ code: 2.5 })).toBe('reply.code must be an integer reply code, got 2.5');
    expect(message({})).toBe('reply.code must be an integer reply code, got undefined');
  });
  test('integers outside every class stay plain false; -0 is 0', () => {
    for (const p of predicates) for (const c of [0, -0, 150, 600, 2500]) expect(p(c)).toBe(false);
    expect(expectReply(parseReply('250 ok'), 251, 250)).toBe(true);
  });
});

describe('formatReply: a code no arithmetic or String() can read', () => {
  const codes: readonly [string, unknown][] = [
    ['a BigInt', 250n],
    ['a symbol', Symbol('250')],
    ['an object without a prototype', Object.create(null)],
    ['a string', '250'],
  ];
  test.each(codes)('%s is ERR_SMTP_INVALID_REPLY_CODE, not a TypeError', (_, code) => {
    expect(localCode(() => formatReply({ code, text: 'ok' } as never))).toBe('local ERR_SMTP_INVALID_REPLY_CODE');
    expect(localCode(() => formatReplyBytes({ code, text: 'ok' } as never))).toBe('local ERR_SMTP_INVALID_REPLY_CODE');
  });
  test('the message names a number as written and anything else by its type', () => {
    expect((thrownValue(() => formatReply({ code: 250n, text: 'ok' } as never)) as Error).message).toBe('reply code must be 2yz-5yz with y 0-5, got bigint');
    expect((thrownValue(() => formatReply({ code: 260, text: 'ok' })) as Error).message).toBe('reply code must be 2yz-5yz with y 0-5, got 260');
  });
});

describe('formatReply maxLineLength: null', () => {
  test('is ERR_SMTP_INVALID_OPTION, as the reader refuses a null limit; undefined is the default', () => {
    expect(localCode(() => formatReply({ code: 250, text: 'ok' }, { maxLineLength: null as never }))).toBe('local ERR_SMTP_INVALID_OPTION');
    expect(formatReply({ code: 250, text: 'ok' }, { maxLineLength: undefined as never })).toBe('250 ok\r\n');
  });
});
