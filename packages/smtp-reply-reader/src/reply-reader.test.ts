import { describe, expect, test } from 'vitest';
import { byteByByte, bytes, resultsForEverySplit } from '@smtpkit/testkit';
import { DEFAULT_REPLY_LIMITS, ReplyReader, isReplyReaderError, type ReplyReaderError } from 'smtp-reply-reader';
import { feed, fixture, fixtureNames } from '../test/helpers.js';
const isRemoteError = (e: unknown): e is ReplyReaderError => isReplyReaderError(e) && e.kind === 'remote';
const isLocalError = (e: unknown): e is ReplyReaderError => isReplyReaderError(e) && e.kind === 'local';

describe('vendor transcript fixtures (X-3: whole, byte by byte, every split, random splits)', () => {
  for (const name of fixtureNames()) {
    test(name, () => {
      const { wire, expected } = fixture(name);
      const { distinct, first } = resultsForEverySplit(wire, (chunks) => feed(chunks), { random: 30 });
      expect(distinct).toHaveLength(1);
      expect(first.error).toBeUndefined();
      expect(first.replies).toEqual(expected);
    });
  }

  test('Gmail 5.1.1 block: enhanced code stripped on every line, extra space kept', () => {
    const { replies } = feed([fixture('gmail-session').wire]);
    const r = replies.find((x) => x.code === 550)!;
    expect(r.enhanced).toEqual({ class: 5, subject: 1, detail: 1 });
    expect(r.lines).toHaveLength(4);
    expect(r.lines[0]).toBe('The email account that you tried to reach does not exist. Please try');
    expect(r.lines[3]!.startsWith(' https://support.google.com/')).toBe(true);
  });

  test('Outlook 5.7.606: three-digit vendor detail', () => {
    const { replies } = feed([fixture('outlook-session').wire]);
    expect(replies.find((x) => x.code === 550)!.enhanced).toEqual({ class: 5, subject: 7, detail: 606 });
    expect(replies.find((x) => x.code === 451)!.enhanced).toEqual({ class: 4, subject: 7, detail: 500 });
  });

  test('Postfix greylisting 450 4.2.0 and EHLO lines', () => {
    const { replies } = feed([fixture('postfix-session').wire, fixture('postfix-rejects').wire]);
    expect(replies[1]!.lines).toContain('ENHANCEDSTATUSCODES');
    const grey = replies.find((x) => x.code === 450)!;
    expect(grey.enhanced).toEqual({ class: 4, subject: 2, detail: 0 });
    expect(grey.text).toMatch(/^<user@example.net>: Recipient address rejected: Greylisted/);
  });
});

describe('RPL-1 reply-code grammar', () => {
  test.each(['199 x', '600 x', '260 x', '170 x'])('RPL-1 out of range: %s', (line) => {
    expect(feed([`${line}\r\n`]).error).toBe('ERR_SMTP_REPLY_CODE_OUT_OF_RANGE');
  });
  test.each(['2500 x', '25 x', 'abc', '250x', '25', '2a0 x', ' 250 x', 'hello', '250\tx'])(
    'RPL-1 syntax: %j',
    (line) => {
      expect(feed([`${line}\r\n`]).error).toBe('ERR_SMTP_REPLY_SYNTAX');
    },
  );
  test('RPL-1 every valid code range is accepted', () => {
    for (let c = 200; c <= 559; c++) {
      if (Math.floor(c / 10) % 10 > 5) continue;
      expect(feed([`${c} x\r\n`]).replies[0]!.code).toBe(c);
    }
  });
});

describe('RPL-2 code-only final line and text rules', () => {
  test('RPL-2 "250", "250 " and "250-a / 250"', () => {
    const { replies, error } = feed(['250\r\n250 \r\n250-a\r\n250\r\n']);
    expect(error).toBeUndefined();
    expect(replies).toEqual([
      { code: 250, lines: [''], text: '' },
      { code: 250, lines: [''], text: '' },
      { code: 250, lines: ['a', ''], text: 'a\n' },
    ]);
  });
  test('RPL-2 control bytes are censored to "?" (TAB kept)', () => {
    const { replies } = feed([new Uint8Array([...bytes('250 a'), 0, 7, 0x1b, 9, 0x7f, ...bytes('b\r\n')])]);
    expect(replies[0]!.text).toBe('a???\t?b');
  });
  test('RPL-2 non-UTF-8 bytes never throw: decoded with replacement', () => {
    const { replies, error } = feed([new Uint8Array([...bytes('550 caf'), 0xe9, 0xff, ...bytes(' x\r\n')])]);
    expect(error).toBeUndefined();
    expect(replies[0]!.text).toBe('caf\uFFFD\uFFFD x');
  });
  test('RPL-2 UTF-8 split across chunks decodes per complete line', () => {
    const wire = bytes('250 héllo wörld ✓ 😀\r\n');
    const { distinct, first } = resultsForEverySplit(wire, (c) => feed(c));
    expect(distinct).toHaveLength(1);
    expect(first.replies[0]!.text).toBe('héllo wörld ✓ 😀');
  });
  test('RPL-2 a C1 control decoded from UTF-8 is censored', () => {
    expect(feed([new Uint8Array([...bytes('250 a'), 0xc2, 0x9b, ...bytes('b\r\n')])]).replies[0]!.text).toBe('a?b');
  });
});

describe('RPL-3 multi-line consistency', () => {
  test('RPL-3 mismatched code is a protocol error', () => {
    expect(feed(['250-a\r\n251 b\r\n']).error).toBe('ERR_SMTP_REPLY_CODE_MISMATCH');
  });
  test('RPL-3 text beginning with digits is valid', () => {
    expect(feed(['250-234 Text beginning with numbers\r\n250 ok\r\n']).replies[0]!.lines).toEqual([
      '234 Text beginning with numbers',
      'ok',
    ]);
  });
  test('RPL-3 a continuation line with an out-of-range code', () => {
    expect(feed(['250-a\r\n650 b\r\n']).error).toBe('ERR_SMTP_REPLY_CODE_OUT_OF_RANGE');
  });
});

describe('RPL-4 enhanced status codes', () => {
  test('RPL-4 "250 2.0.0" with no text after the code', () => {
    expect(feed(['250 2.0.0\r\n']).replies[0]).toEqual({
      code: 250,
      enhanced: { class: 2, subject: 0, detail: 0 },
      lines: [''],
      text: '',
    });
  });
  test('RPL-4 class mismatch: code kept, enhanced dropped, text untouched', () => {
    expect(feed(['250 5.0.0 x\r\n']).replies[0]).toEqual({ code: 250, lines: ['5.0.0 x'], text: '5.0.0 x' });
  });
  test.each(['2.1000.1 x', '2.0. x', '2..0 x', '2.0.0x', '2.0.1234 x', '2-0-0 x', '3.0.0 x'])('RPL-4 not an enhanced code: %j', (t) => {
    const r = feed([`250 ${t}\r\n`]).replies[0]!;
    expect(r.enhanced).toBeUndefined();
    expect(r.text).toBe(t);
  });
  test('RPL-4 multi-digit subject and detail, tab separator', () => {
    expect(feed(['550 5.999.999\tx\r\n']).replies[0]).toMatchObject({ enhanced: { class: 5, subject: 999, detail: 999 }, text: 'x' });
  });
  test('RPL-4 repeats stripped on continuation lines; a different code is kept as text', () => {
    const r = feed(['550-5.1.1 a\r\n550-5.1.2 b\r\n550-5.1.1\r\n550 5.1.1 c\r\n']).replies[0]!;
    expect(r.lines).toEqual(['a', '5.1.2 b', '', 'c']);
  });
  test('RPL-4 the enhanced code is taken from the first line only', () => {
    const r = feed(['250-mx.example.com\r\n250 2.0.0 ok\r\n']).replies[0]!;
    expect(r.enhanced).toBeUndefined();
    expect(r.lines).toEqual(['mx.example.com', '2.0.0 ok']);
  });
});

describe('RPL-5 garbage and empty lines', () => {
  test('RPL-5 an empty line between replies is skipped', () => {
    expect(feed(['250 a\r\n\r\n\r\n354 b\r\n']).replies.map((r) => r.code)).toEqual([250, 354]);
  });
  test('RPL-5 an empty line inside a multi-line reply is an error', () => {
    expect(feed(['250-a\r\n\r\n250 b\r\n']).error).toBe('ERR_SMTP_REPLY_SYNTAX');
  });
  test('RPL-5 garbage between pipelined replies fails the reader; earlier replies are kept on the error', () => {
    const out = feed(['250 2.1.0 Ok\r\nhello\r\n250 2.1.5 Ok\r\n']);
    expect(out.error).toBe('ERR_SMTP_REPLY_SYNTAX');
    expect(out.replies.map((r) => r.code)).toEqual([250]);
    expect(out.offset).toBe(14);
  });
});

describe('X-1 CRLF is the only line terminator', () => {
  test('X-1 bare LF is an error in strict mode (default)', () => {
    expect(feed(['250 ok\n']).error).toBe('ERR_SMTP_BARE_LF');
    expect(feed(['250-a\r\n250 ok\n']).error).toBe('ERR_SMTP_BARE_LF');
    expect(feed(['\n']).error).toBe('ERR_SMTP_BARE_LF');
  });
  test('X-1 a bare CR is never a line end: error in strict mode', () => {
    expect(feed(['250-a\r250 b\r\n']).error).toBe('ERR_SMTP_BARE_CR');
    expect(feed(['250 a\r\r\n']).error).toBe('ERR_SMTP_BARE_CR');
  });
  test('X-1 lenient mode accepts bare LF and keeps a stray CR as censored text', () => {
    const out = feed(['250-a\n250-b\r\n250 c\rd\n'], { lineEndings: 'lenient' });
    expect(out.error).toBeUndefined();
    expect(out.replies[0]!.lines).toEqual(['a', 'b', 'c?d']);
  });
  test('X-1 lenient mode is split-invariant too', () => {
    const { distinct } = resultsForEverySplit('250-a\n250-b\r\n250 c\rd\n\n220 x\r\n', (c) => feed(c, { lineEndings: 'lenient' }));
    expect(distinct).toHaveLength(1);
  });
});

describe('X-2 no action on an unterminated line', () => {
  test('X-2 "250 ok" without CRLF yields nothing until CRLF arrives', () => {
    const reader = new ReplyReader();
    expect(reader.push('250 ok')).toEqual([]);
    expect(reader.push('\r')).toEqual([]);
    expect(reader.pending).toBe(true);
    expect(reader.push('\n')).toEqual([{ code: 250, lines: ['ok'], text: 'ok' }]);
    expect(reader.pending).toBe(false);
  });
  test('X-2 end() inside a line or a multi-line reply is ERR_SMTP_REPLY_INCOMPLETE', () => {
    expect(feed(['250 ok']).error).toBe('ERR_SMTP_REPLY_INCOMPLETE');
    expect(feed(['250-ok\r\n']).error).toBe('ERR_SMTP_REPLY_INCOMPLETE');
    expect(feed(['250 ok\r\n\r\n']).error).toBeUndefined();
  });
});

describe('DOS-9 bounded reply reader', () => {
  test('DOS-9 a line over maxLineLength (CRLF counted) is rejected, one byte under is fine', () => {
    const ok = `250 ${'a'.repeat(4096 - 6)}\r\n`;
    expect(ok.length).toBe(4096);
    expect(feed([ok]).error).toBeUndefined();
    const bad = `250 ${'a'.repeat(4096 - 5)}\r\n`;
    const { distinct, first } = resultsForEverySplit(bad, (c) => feed(c), { maxExhaustive: 0, random: 20 });
    expect(distinct).toHaveLength(1);
    expect(first.error).toBe('ERR_SMTP_LINE_TOO_LONG');
  });
  test('DOS-9 a 10 MB line without CRLF fails as soon as the limit is passed, buffer stays bounded', () => {
    const reader = new ReplyReader();
    const chunk = new Uint8Array(1000).fill(0x41);
    let error: unknown;
    let pushes = 0;
    try {
      for (; pushes < 10_000; pushes++) {
        reader.push(chunk);
        expect(reader.bufferedBytes).toBeLessThan(DEFAULT_REPLY_LIMITS.maxLineLength);
      }
    } catch (e) {
      error = e;
    }
    expect((error as ReplyReaderError).code).toBe('ERR_SMTP_LINE_TOO_LONG');
    expect(pushes).toBe(4);
    expect(reader.bufferedBytes).toBe(0);
  });
  test('DOS-9 endless continuation lines hit maxReplyLines', () => {
    const out = feed(['250-x\r\n'.repeat(600)]);
    expect(out.error).toBe('ERR_SMTP_REPLY_TOO_MANY_LINES');
    expect(out.offset).toBe(512 * 7);
  });
  test('DOS-9 a reply over maxReplyBytes', () => {
    const line = `250-${'y'.repeat(1000)}\r\n`;
    expect(feed([line.repeat(70)]).error).toBe('ERR_SMTP_REPLY_TOO_LARGE');
    expect(feed([line.repeat(65), '250 end\r\n']).error).toBeUndefined();
  });
  test('DOS-9 custom limits', () => {
    expect(feed(['250-a\r\n250-b\r\n250 c\r\n'], { maxReplyLines: 2 }).error).toBe('ERR_SMTP_REPLY_TOO_MANY_LINES');
    expect(feed([`250 ${'a'.repeat(600)}\r\n`], { maxLineLength: 512 }).error).toBe('ERR_SMTP_LINE_TOO_LONG');
    expect(feed([`250 ${'a'.repeat(600)}\r\n`], { maxLineLength: 8192 }).error).toBeUndefined();
  });
  test('DOS-9 limits below the RFC minimum are refused', () => {
    for (const o of [{ maxLineLength: 511 }, { maxReplyBytes: 100 }, { maxReplyLines: 0 }, { maxLineLength: 1.5 }]) {
      try {
        new ReplyReader(o);
        expect.unreachable();
      } catch (e) {
        expect(isLocalError(e) && e.code).toBe('ERR_SMTP_INVALID_OPTION');
      }
    }
    expect(() => new ReplyReader({ lineEndings: 'loose' as 'strict' })).toThrow(/lineEndings/);
  });
  test('DOS-9 1 MiB of hostile input is rejected in one pass with bounded memory', () => {
    const cases: [string, Uint8Array, string][] = [
      ['long line', new Uint8Array(1 << 20).fill(0x61), 'ERR_SMTP_LINE_TOO_LONG'],
      ['endless continuation', bytes('250-x\r\n'.repeat((1 << 20) / 7)), 'ERR_SMTP_REPLY_TOO_MANY_LINES'],
      ['garbage lines', bytes('garbage\r\n'.repeat((1 << 20) / 9)), 'ERR_SMTP_REPLY_SYNTAX'],
      ['empty lines then long', bytes('\r\n'.repeat(1 << 19) + 'x'.repeat(5000)), 'ERR_SMTP_LINE_TOO_LONG'],
    ];
    for (const [, input, code] of cases) {
      const reader = new ReplyReader();
      expect(() => reader.push(input)).toThrow(expect.objectContaining({ code }));
      expect(reader.bufferedBytes).toBe(0);
    }
  });
});

describe('state after an error', () => {
  test('the reader stays failed: every later push and end throws the same error', () => {
    const reader = new ReplyReader();
    let first: unknown;
    try {
      reader.push('250 ok\r\nxyz\r\n');
    } catch (e) {
      first = e;
    }
    expect(isRemoteError(first)).toBe(true);
    expect(reader.error).toBe(first);
    expect(() => reader.push('250 ok\r\n')).toThrow(first);
    expect(() => reader.end()).toThrow(first);
    expect((first as ReplyReaderError).replies).toHaveLength(1);
  });
  test('push after end is API misuse', () => {
    const reader = new ReplyReader();
    reader.end();
    try {
      reader.push('250 ok\r\n');
      expect.unreachable();
    } catch (e) {
      expect(isLocalError(e) && e.code).toBe('ERR_SMTP_READER_ENDED');
    }
  });
  test('errors are branded, not enumerable, and carry a stable code', () => {
    try {
      new ReplyReader().push('600 x\r\n');
    } catch (e) {
      expect(isReplyReaderError(e)).toBe(true);
      expect(Object.keys(e as object)).not.toContain(Symbol.for('smtpkit.error').toString());
      expect((e as Record<symbol, unknown>)[Symbol.for('smtpkit.error')]).toBe('smtp-reply-reader');
      expect((e as ReplyReaderError).name).toBe('ReplyReaderError');
    }
    expect(isReplyReaderError(new Error('x'))).toBe(false);
    expect(isReplyReaderError({ code: 'ERR_SMTP_REPLY_SYNTAX' })).toBe(false);
  });
});

test('strings and bytes give the same replies; bufferedBytes reports the held bytes', () => {
  const reader = new ReplyReader();
  reader.push('250-hello\r\n25');
  expect(reader.bufferedBytes).toBe(11 + 2);
  expect(reader.push(bytes('0 ok\r\n'))).toEqual([{ code: 250, lines: ['hello', 'ok'], text: 'hello\nok' }]);
  expect(reader.bufferedBytes).toBe(0);
});

describe('X-3 the word-at-a-time scan agrees with the byte scan at every alignment', () => {
  test('X-3 a control or 8-bit byte at every position of a long chunk, at byte offsets 0-3', () => {
    const line = `250-${'abcdefgh'.repeat(12)}\r\n`;
    const base = bytes(`${line}${line}250 end\r\n`);
    for (const special of [0x00, 0x07, 0x0d, 0x1f, 0x7f, 0x80, 0xc3, 0xff]) {
      for (let at = 4; at < 100; at++) {
        const wire = base.slice();
        wire[at] = special;
        const expected = feed(byteByByte(wire));
        for (let shift = 0; shift < 4; shift++) {
          const backing = new Uint8Array(wire.length + shift);
          backing.set(wire, shift);
          expect(feed([backing.subarray(shift)])).toEqual(expected);
        }
      }
    }
  });
});
