import { describe, expect, it } from 'vitest';
import { runInNewContext } from 'node:vm';
import { isCapabilitiesError, parseEhloReplyText } from 'smtp-capabilities';
import { thrownBy } from '@smtpkit/testkit';

describe('parseEhloReplyText: input that only looks like a Uint8Array', () => {
  it.each([
    ['an object with the Uint8Array tag', { [Symbol.toStringTag]: 'Uint8Array', length: 3 }],
    ['an object made from Uint8Array.prototype', Object.create(Uint8Array.prototype) as unknown],
    ['a Proxy of a Uint8Array', new Proxy(new TextEncoder().encode('250 mx\r\n'), {})],
  ])('%s is ERR_SMTP_INVALID_ARGUMENT, not a TypeError', (_name, fake) => {
    const e = thrownBy(() => parseEhloReplyText(fake as Uint8Array), isCapabilitiesError);
    expect(e.code).toBe('ERR_SMTP_INVALID_ARGUMENT');
  });

  it('a real Uint8Array from another realm is still read', () => {
    const foreign = runInNewContext('Uint8Array.from(codes)', { codes: [...new TextEncoder().encode('250-mx\r\n250 SIZE 1000\r\n')] }) as Uint8Array;
    expect(parseEhloReplyText(foreign).size).toBe(1000);
  });
});
