// OAUTHBEARER (RFC 7628): the client's message, the server's strict reading of it, and the error step.
import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from './base64.js';
import { BUILTIN_MECHANISMS, KNOWN_MECHANISMS, OAUTHBEARER, saslBytes } from './sasl.js';

const ctx = { hostname: 'mx.example', challenge: () => '' };
const TOKEN = 'vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==';
// RFC 7628 §4.1's initial client response (IMAP, port 143), and the same in its SMTP form (port 587)
const RFC_IMAP = 'bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB';
const RFC_SMTP = 'bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9NTg3AWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB';

const serve = (message: string) => OAUTHBEARER.server!(ctx).step(new TextEncoder().encode(message));
const FAIL = { type: 'fail', text: 'Malformed OAUTHBEARER response' };

describe('OAUTHBEARER client', () => {
  it('sends the GS2 header with the user as a=, the auth pair and the closing ^A^A', () => {
    const ex = OAUTHBEARER.client!({ user: 'user@example.com', accessToken: TOKEN }, {})!;
    expect(ex.initial()).toBe(`n,a=user@example.com,\x01auth=Bearer ${TOKEN}\x01\x01`);
  });

  it('escapes , and = in the user name (=2C, =3D), = first', () => {
    const ex = OAUTHBEARER.client!({ user: 'a,b=c=2C', accessToken: 't' }, {})!;
    expect(ex.initial()).toBe('n,a=a=2Cb=3Dc=3D2C,\x01auth=Bearer t\x01\x01');
  });

  it('leaves a= out for an empty user name', () => {
    expect(OAUTHBEARER.client!({ user: '', accessToken: 't' }, {})!.initial()).toBe('n,,\x01auth=Bearer t\x01\x01');
  });

  it("answers the server's error challenge with ^A (AQ== on the wire)", () => {
    const ex = OAUTHBEARER.client!({ user: 'u', accessToken: 't' }, {})!;
    const json = new TextEncoder().encode('{"status":"invalid_token"}');
    expect(encodeBase64(saslBytes(ex.step(json)))).toBe('AQ==');
  });

  it('declines credentials without an access token', () => {
    expect(OAUTHBEARER.client!({ user: 'u', pass: 'p' }, {})).toBeUndefined();
  });
});

describe('OAUTHBEARER server', () => {
  it("reads RFC 7628 §4's examples (host and port pairs are read past)", () => {
    for (const vector of [RFC_IMAP, RFC_SMTP]) {
      expect(OAUTHBEARER.server!(ctx).step(decodeBase64(vector))).toEqual({
        type: 'done', credentials: { mechanism: 'OAUTHBEARER', username: 'user@example.com', token: TOKEN },
      });
    }
  });

  it('asks for the response with an empty challenge when AUTH had none', () => {
    expect(OAUTHBEARER.server!(ctx).step(undefined)).toEqual({ type: 'challenge', challenge: '' });
  });

  it("unescapes =2C and =3D; username is '' when the client sent no a=", () => {
    expect(serve('n,a=a=2Cb=3Dc=3D2C,\x01auth=Bearer t\x01\x01')).toEqual({ type: 'done', credentials: { mechanism: 'OAUTHBEARER', username: 'a,b=c=2C', token: 't' } });
    expect(serve('y,,\x01auth=Bearer t\x01\x01')).toEqual({ type: 'done', credentials: { mechanism: 'OAUTHBEARER', username: '', token: 't' } });
  });

  it('reads =2c and =3d in a= as =2C and =3D (ABNF quoted strings are case-insensitive, RFC 5234 §2.3)', () => {
    expect(serve('n,a=a=2cb=3dc=3D2c=2C,\x01auth=Bearer t\x01\x01')).toEqual({ type: 'done', credentials: { mechanism: 'OAUTHBEARER', username: 'a,b=c=2c,', token: 't' } });
  });

  it('takes the Bearer scheme in any case, after one or more spaces', () => {
    expect(serve('n,,\x01auth=BEARER  t-._~+/9==\x01\x01')).toMatchObject({ type: 'done', credentials: { token: 't-._~+/9==' } });
  });

  it('round-trips its own client, escapes included', () => {
    const c = OAUTHBEARER.client!({ user: 'x=y,z@example.org', accessToken: 'tok' }, {})!;
    expect(OAUTHBEARER.server!(ctx).step(saslBytes(c.initial()!))).toEqual({ type: 'done', credentials: { mechanism: 'OAUTHBEARER', username: 'x=y,z@example.org', token: 'tok' } });
  });

  it.each([
    ['no GS2 header', 'auth=Bearer t\x01\x01'],
    ['a GS2 header without its closing comma', 'n,a=u\x01auth=Bearer t\x01\x01'],
    ['channel binding (p=)', 'p=tls-unique,,\x01auth=Bearer t\x01\x01'],
    ['an unknown GS2 flag', 'x,,\x01auth=Bearer t\x01\x01'],
    ['an empty a=', 'n,a=,\x01auth=Bearer t\x01\x01'],
    ['a bare = in a=', 'n,a=u=x,\x01auth=Bearer t\x01\x01'],
    ['an escape that is neither =2C nor =3D in a=', 'n,a=u=2D,\x01auth=Bearer t\x01\x01'],
    ['no auth pair', 'n,,\x01host=mx.example\x01\x01'],
    ['only the header', 'n,,\x01\x01'],
    ['two auth pairs', 'n,,\x01auth=Bearer t\x01auth=Bearer u\x01\x01'],
    ['a scheme other than Bearer', 'n,,\x01auth=Basic dTpw\x01\x01'],
    ['Bearer without a token', 'n,,\x01auth=Bearer \x01\x01'],
    ['Bearer glued to its token', 'n,,\x01auth=Bearert\x01\x01'],
    ['a token with a space', 'n,,\x01auth=Bearer t u\x01\x01'],
    ['a token with a control byte', 'n,,\x01auth=Bearer t\x7f\x01\x01'],
    ['a key that is not ALPHA', 'n,,\x01ho-st=x\x01auth=Bearer t\x01\x01'],
    ['a pair without =', 'n,,\x01host\x01auth=Bearer t\x01\x01'],
    ['an empty pair', 'n,,\x01\x01auth=Bearer t\x01\x01'],
    ['a value with a control byte', 'n,,\x01host=a\x00b\x01auth=Bearer t\x01\x01'],
    ['no closing ^A', 'n,,\x01auth=Bearer t\x01'],
    ['bytes after the closing ^A', 'n,,\x01auth=Bearer t\x01\x01x'],
    ['the bare ^A of an error answer', '\x01'],
    ['nothing', ''],
  ])('fails %s', (_, message) => {
    expect(serve(message)).toEqual(FAIL);
  });

  it('sends the RFC 7628 §3.2.2 error status before a refusal', () => {
    const json = OAUTHBEARER.failureChallenge!({ mechanism: 'OAUTHBEARER', username: 'u', token: 't' });
    expect(JSON.parse(String(json))).toEqual({ status: 'invalid_token', schemes: 'bearer' });
  });

  it('is built in (found by name) but not offered by default', () => {
    expect(KNOWN_MECHANISMS.map((m) => m.name)).toEqual(['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2', 'OAUTHBEARER']);
    expect(BUILTIN_MECHANISMS).not.toContain(OAUTHBEARER);
  });
});
