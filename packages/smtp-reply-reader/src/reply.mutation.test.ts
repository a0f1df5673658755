// Tests added from surviving mutants of `pnpm mutation smtp-reply-reader` (docs/mutation.md).
import { describe, expect, test } from 'vitest';
import {
  LocalProtocolError,
  RemoteProtocolError,
  expectReply,
  isIntermediate,
  isLocalProtocolError,
  isPermanentNegative,
  isPositive,
  isRemoteProtocolError,
  isSmtpError,
  isTransientNegative,
} from 'smtp-reply-reader';

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
  const remote = new RemoteProtocolError('ERR_SMTP_REPLY_SYNTAX', 'x');
  const local = new LocalProtocolError('ERR_SMTP_INVALID_OPTION', 'y');
  test('the brand is a non-enumerable own property', () => {
    const d = Object.getOwnPropertyDescriptor(remote, Symbol.for('smtpkit.error'));
    expect(d?.value).toBe(true);
    expect(d?.enumerable).toBe(false);
  });
  test('names, kinds and defaults', () => {
    expect(remote.name).toBe('RemoteProtocolError');
    expect(local.name).toBe('LocalProtocolError');
    expect(remote.replies).toEqual([]);
    expect(remote.offset).toBe(0);
  });
  test('each guard accepts its own kind only and never throws on non-objects', () => {
    expect([isSmtpError(remote), isRemoteProtocolError(remote), isLocalProtocolError(remote)]).toEqual([true, true, false]);
    expect([isSmtpError(local), isRemoteProtocolError(local), isLocalProtocolError(local)]).toEqual([true, false, true]);
    for (const v of [null, undefined, 0, 'ERR_SMTP_REPLY_SYNTAX', new Error('x'), { code: 'ERR_SMTP_REPLY_SYNTAX', kind: 'remote' }]) {
      expect([isSmtpError(v), isRemoteProtocolError(v), isLocalProtocolError(v)]).toEqual([false, false, false]);
    }
  });
});
