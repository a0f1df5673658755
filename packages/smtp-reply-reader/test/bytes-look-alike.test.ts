import { describe, expect, it } from 'vitest';
import { runInNewContext } from 'node:vm';
import { ReplyReader, isReplyReaderError, parseReply } from 'smtp-reply-reader';
import { thrownBy } from '@smtpkit/testkit';

const lookAlikes: [string, unknown][] = [
  ['an object with the Uint8Array tag', { [Symbol.toStringTag]: 'Uint8Array', length: 3 }],
  ['an object made from Uint8Array.prototype', Object.create(Uint8Array.prototype)],
  ['a Proxy of a Uint8Array', new Proxy(new TextEncoder().encode('250 ok\r\n'), {})],
];

describe('input that only looks like a Uint8Array is a typed error, not a TypeError', () => {
  it.each(lookAlikes)('%s: push() and parseReply() throw ERR_SMTP_INVALID_ARGUMENT', (_name, fake) => {
    for (const f of [() => new ReplyReader().push(fake as Uint8Array), () => parseReply(fake as Uint8Array)]) {
      const e = thrownBy(f, isReplyReaderError);
      expect([e.code, e.kind]).toEqual(['ERR_SMTP_INVALID_ARGUMENT', 'local']);
    }
  });

  it('a real Uint8Array from another realm is still read', () => {
    const foreign = runInNewContext('Uint8Array.from(codes)', { codes: [...new TextEncoder().encode('250 ok\r\n')] }) as Uint8Array;
    expect(parseReply(foreign).text).toBe('ok');
  });
});
