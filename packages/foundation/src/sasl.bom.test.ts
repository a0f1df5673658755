// The server sides decode a response's bytes as they are: a leading UTF-8 byte order mark (EF BB BF)
// stays in the text, where TextDecoder's default dropped it, so `\uFEFFalice` and `alice` were one
// user name (and a BOM before OAUTHBEARER's GS2 header passed). OAUTHBEARER's saslname takes no
// NUL (RFC 5801 §4: UTF8-char-safe starts at %x01).
import { describe, expect, it } from 'vitest';
import { CRAM_MD5, LOGIN, OAUTHBEARER, PLAIN } from './sasl.js';

const ctx = { hostname: 'mx.example', challenge: () => '<1.2@mx.example>' };
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const BOM = '\uFEFF';
const DIGEST = '0123456789abcdef0123456789abcdef';

describe('a leading byte order mark is kept', () => {
  it('LOGIN: in the user name and the password', () => {
    const s = LOGIN.server!(ctx);
    s.step(undefined);
    s.step(bytes(`${BOM}alice`));
    expect(s.step(bytes(`${BOM}pw`))).toEqual({ type: 'done', credentials: { mechanism: 'LOGIN', username: `${BOM}alice`, password: `${BOM}pw` } });
  });

  it('PLAIN: in the authorization identity', () => {
    expect(PLAIN.server!(ctx).step(bytes(`${BOM}admin\0user\0pw`))).toEqual({
      type: 'done',
      credentials: { mechanism: 'PLAIN', username: 'user', password: 'pw', authorizationId: `${BOM}admin` },
    });
  });

  it('CRAM-MD5: in the user name', () => {
    const s = CRAM_MD5.server!(ctx);
    s.step(undefined);
    expect(s.step(bytes(`${BOM}bob ${DIGEST}`))).toMatchObject({ type: 'done', credentials: { username: `${BOM}bob` } });
  });

  it('OAUTHBEARER: a BOM before the GS2 header is a malformed response', () => {
    expect(OAUTHBEARER.server!(ctx).step(bytes(`${BOM}n,,\x01auth=Bearer t\x01\x01`))).toEqual({ type: 'fail', text: 'Malformed OAUTHBEARER response' });
  });
});

describe('OAUTHBEARER saslname', () => {
  it('a NUL in a= is a malformed response', () => {
    expect(OAUTHBEARER.server!(ctx).step(bytes('n,a=a\0b,\x01auth=Bearer t\x01\x01'))).toEqual({ type: 'fail', text: 'Malformed OAUTHBEARER response' });
  });

  it('%x01 and other bytes above NUL stay allowed (the session refuses controls in identities)', () => {
    expect(OAUTHBEARER.server!(ctx).step(bytes('n,a=a\x01b,\x01auth=Bearer t\x01\x01'))).toMatchObject({ type: 'done', credentials: { username: 'a\x01b' } });
  });
});
