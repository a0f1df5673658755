import { describe, expect, it } from 'vitest';
import { isClientArgsError, parseMailFrom, parseRcptTo } from 'smtp-client-args';
import type { ClientArgsError } from 'smtp-client-args';
import { thrownBy } from '@smtpkit/testkit';

describe('parseMailFrom / parseRcptTo: input that only looks like a Uint8Array', () => {
  it.each([
    ['an object with the Uint8Array tag', { [Symbol.toStringTag]: 'Uint8Array', length: 3 }],
    ['an object made from Uint8Array.prototype', Object.create(Uint8Array.prototype) as unknown],
    ['a Proxy of a Uint8Array', new Proxy(new TextEncoder().encode('FROM:<a@b>'), {})],
  ])('%s is a local ERR_SMTP_INVALID_ARGUMENT, not a 501 for invalid UTF-8 from the peer', (_name, fake) => {
    for (const parse of [parseMailFrom, parseRcptTo]) {
      const e = thrownBy(() => parse(fake as Uint8Array), isClientArgsError) as ClientArgsError;
      expect([e.code, e.kind]).toEqual(['ERR_SMTP_INVALID_ARGUMENT', 'local']);
    }
  });
});
