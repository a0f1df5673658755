import { describe, expect, test } from 'vitest';
import { guardVerdicts, otherPackageError, thrownValue as thrown } from '@smtpkit/testkit';
import { ReplyReader, ReplyReaderError, SmtpkitError, formatReply, isReplyReaderError, isSmtpkitError, parseReply } from 'smtp-reply-reader';

const isRemoteError = (e: unknown): e is ReplyReaderError => isReplyReaderError(e) && e.kind === 'remote';
const isLocalError = (e: unknown): e is ReplyReaderError => isReplyReaderError(e) && e.kind === 'local';

describe('ReplyReaderError', () => {
  test('a peer error is an SmtpkitError of this package, kind remote, with offset and replies', () => {
    const e = thrown(() => new ReplyReader().push('250 ok\r\n600 x\r\n'));
    expect(e).toBeInstanceOf(SmtpkitError);
    expect(e).toBeInstanceOf(ReplyReaderError);
    expect(isSmtpkitError(e)).toBe(true);
    expect(isReplyReaderError(e)).toBe(true);
    const r = e as ReplyReaderError;
    expect([r.package, r.kind, r.code, r.name]).toEqual(['smtp-reply-reader', 'remote', 'ERR_SMTP_REPLY_CODE_OUT_OF_RANGE', 'ReplyReaderError']);
    expect(r.offset).toBe(8);
    expect(r.replies.map((x) => x.code)).toEqual([250]);
  });

  test('API misuse is kind local', () => {
    const e = thrown(() => formatReply({ code: 250, text: 'a\r\nb' }));
    expect(isReplyReaderError(e)).toBe(true);
    expect([(e as ReplyReaderError).kind, (e as ReplyReaderError).code]).toEqual(['local', 'ERR_SMTP_REPLY_TEXT_INVALID']);
    expect((e as ReplyReaderError).replies).toEqual([]);
  });

  test('parseReply errors are remote and keep the replies found', () => {
    const e = thrown(() => parseReply('250 a\r\n251 b\r\n')) as ReplyReaderError;
    expect([e.kind, e.code, e.offset, e.replies.length]).toEqual(['remote', 'ERR_SMTP_REPLY_EXTRA_DATA', 0, 2]);
  });

  test("the guard and instanceof are false for another package's error, the base guard true", () => {
    const other = otherPackageError('smtp-capabilities');
    expect(isReplyReaderError(other)).toBe(false);
    expect(other instanceof ReplyReaderError).toBe(false);
    expect(isSmtpkitError(other)).toBe(true);
    expect(other instanceof SmtpkitError).toBe(true);
  });

  test('a copy from another bundle is recognised by its brand', () => {
    const copy = Object.assign(new Error('x'), { code: 'ERR_SMTP_REPLY_SYNTAX', kind: 'remote' });
    Object.defineProperty(copy, Symbol.for('smtpkit.error'), { value: 'smtp-reply-reader' });
    expect(isReplyReaderError(copy)).toBe(true);
    expect(copy instanceof ReplyReaderError).toBe(true);
    for (const v of [null, undefined, 1, 'x', new Error('x'), { code: 'ERR_SMTP_REPLY_SYNTAX' }]) expect(isReplyReaderError(v)).toBe(false);
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

describe('isReplyReaderError', () => {
  test("needs this package's brand", () => {
    expect(guardVerdicts(isReplyReaderError, 'smtp-reply-reader', 'smtp-capabilities')).toEqual([true, false, false, false, false]);
  });
});
