// Tests added from surviving mutants of `pnpm mutation smtp-reply-reader` (docs/mutation.md).
import { describe, expect, test } from 'vitest';
import { ReplyReaderError, expectReply, isIntermediate, isReplyReaderError, isPermanentNegative, isPositive, isTransientNegative } from 'smtp-reply-reader';
const isRemoteError = (e: unknown): e is ReplyReaderError => isReplyReaderError(e) && e.kind === 'remote';
const isLocalError = (e: unknown): e is ReplyReaderError => isReplyReaderError(e) && e.kind === 'local';

describe('reply classes at the edges of each range', () => {
  test.each([
    [199, [false, false, false, false]],
    [200, [true, false, false, false]],
    [299, [true, false, false, false]],
    [300, [false, true, false, false]],
    [399, [false, true, false, false]],
    [400, [false, false, true, false]],
    [499, [false, false, true, false]],
    [500, [false, false, false, true]],
    [599, [false, false, false, true]],
    [600, [false, false, false, false]],
  ] as const)('%i', (code, expected) => {
    expect([isPositive(code), isIntermediate(code), isTransientNegative(code), isPermanentNegative(code)]).toEqual(expected);
  });
  test('expectReply matches the expected code itself, not only the extras', () => {
    expect(expectReply(250, 250)).toBe(true);
    expect(expectReply(251, 250, 251)).toBe(true);
    expect(expectReply(252, 250, 251)).toBe(false);
  });
});

describe('error guards', () => {
  const remote = new ReplyReaderError('ERR_SMTP_REPLY_SYNTAX', 'x', 'remote');
  const local = new ReplyReaderError('ERR_SMTP_INVALID_OPTION', 'y', 'local');
  test('the brand is a non-enumerable own property', () => {
    const d = Object.getOwnPropertyDescriptor(remote, Symbol.for('smtpkit.error'));
    expect(d?.value).toBe('smtp-reply-reader');
    expect(d?.enumerable).toBe(false);
  });
  test('names, kinds and defaults', () => {
    expect(remote.name).toBe('ReplyReaderError');
    expect(local.name).toBe('ReplyReaderError');
    expect(remote.replies).toEqual([]);
    expect(remote.offset).toBe(0);
  });
  test('each guard accepts its own kind only and never throws on non-objects', () => {
    expect([isReplyReaderError(remote), isRemoteError(remote), isLocalError(remote)]).toEqual([true, true, false]);
    expect([isReplyReaderError(local), isRemoteError(local), isLocalError(local)]).toEqual([true, false, true]);
    for (const v of [null, undefined, 0, 'ERR_SMTP_REPLY_SYNTAX', new Error('x'), { code: 'ERR_SMTP_REPLY_SYNTAX', kind: 'remote' }]) {
      expect([isReplyReaderError(v), isRemoteError(v), isLocalError(v)]).toEqual([false, false, false]);
    }
  });
});
