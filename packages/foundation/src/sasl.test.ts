import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from './base64.js';
import { BUILTIN_MECHANISMS, CRAM_MD5, LOGIN, PLAIN, XOAUTH2, decodeSaslLine, saslBytes, type SaslMechanism } from './sasl.js';

const enc = new TextEncoder();
const ctx = { hostname: 'mx.example', challenge: () => '<1.2@mx.example>' };
const fakeHmac = (key: Uint8Array, data: Uint8Array): Uint8Array => {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = (key[i % key.length]! ^ data[i % data.length]!) & 0xff;
  return out;
};

/** Runs one mechanism's client against its own server, as the two cores do over the wire. */
function roundTrip(m: SaslMechanism, creds: Parameters<NonNullable<SaslMechanism['client']>>[0]) {
  const client = m.client!(creds, { hmacMd5: fakeHmac })!;
  const server = m.server!(ctx);
  const initial = client.initial();
  let step = server.step(initial === null ? undefined : saslBytes(initial));
  for (let i = 0; i < 4 && step.type === 'challenge'; i++) {
    // Over the wire the challenge and response travel base64-encoded.
    const challenge = decodeBase64(encodeBase64(step.challenge))!;
    step = server.step(decodeBase64(encodeBase64(client.step(challenge))));
  }
  return step;
}

describe('one SASL interface for both sides', () => {
  it('PLAIN, LOGIN, CRAM-MD5 and XOAUTH2 clients satisfy their own servers', () => {
    expect(roundTrip(PLAIN, { user: 'u', pass: 'p', authzid: 'z' })).toEqual({
      type: 'done', credentials: { mechanism: 'PLAIN', username: 'u', password: 'p', authorizationId: 'z' },
    });
    expect(roundTrip(LOGIN, { user: 'u', pass: 'p' })).toEqual({ type: 'done', credentials: { mechanism: 'LOGIN', username: 'u', password: 'p' } });
    const cram = roundTrip(CRAM_MD5, { user: 'u', pass: 'secret' });
    expect(cram.type).toBe('done');
    if (cram.type === 'done') {
      expect(cram.credentials.challenge).toBe('<1.2@mx.example>');
      expect(cram.credentials.response).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(roundTrip(XOAUTH2, { user: 'u@example.com', accessToken: 'tok' })).toEqual({
      type: 'done', credentials: { mechanism: 'XOAUTH2', username: 'u@example.com', token: 'tok' },
    });
  });

  it('a client mechanism declines credentials it cannot use', () => {
    expect(PLAIN.client!({ user: 'u', accessToken: 't' }, {})).toBeUndefined();
    expect(CRAM_MD5.client!({ user: 'u', pass: 'p' }, {})).toBeUndefined();
    expect(XOAUTH2.client!({ user: 'u', pass: 'p' }, {})).toBeUndefined();
    expect(BUILTIN_MECHANISMS.map((m) => m.name)).toEqual(['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2']);
  });

  it('servers refuse malformed responses', () => {
    expect(PLAIN.server!(ctx).step(enc.encode('no-nul'))).toEqual({ type: 'fail', text: 'Malformed PLAIN response' });
    expect(PLAIN.server!(ctx).step(enc.encode('\0\0p'))).toEqual({ type: 'fail', text: 'Malformed PLAIN response' });
    // an empty password is refused too (RFC 4616 §2: passwd = 1*SAFE), and LOGIN agrees with PLAIN
    expect(PLAIN.server!(ctx).step(enc.encode('\0u\0'))).toEqual({ type: 'fail', text: 'Malformed PLAIN response' });
    const emptyUser = LOGIN.server!(ctx);
    expect(emptyUser.step(undefined).type).toBe('challenge');
    expect(emptyUser.step(new Uint8Array())).toEqual({ type: 'fail', text: 'Malformed LOGIN response' });
    const emptyPass = LOGIN.server!(ctx);
    emptyPass.step(undefined);
    expect(emptyPass.step(enc.encode('u'))).toEqual({ type: 'challenge', challenge: 'Password:' });
    expect(emptyPass.step(new Uint8Array())).toEqual({ type: 'fail', text: 'Malformed LOGIN response' });
    const cram = CRAM_MD5.server!(ctx);
    expect(cram.step(undefined).type).toBe('challenge');
    expect(cram.step(enc.encode('u ZZZZ'))).toEqual({ type: 'fail', text: 'Malformed CRAM-MD5 response' });
    expect(CRAM_MD5.server!(ctx).step(enc.encode('x')).type).toBe('fail');
    expect(XOAUTH2.server!(ctx).step(enc.encode('user=u\x01\x01')).type).toBe('fail');
    expect(XOAUTH2.failureChallenge!({ mechanism: 'XOAUTH2', username: 'u' })).toBe('{"status":"401","schemes":"bearer"}');
  });
});

describe('strict base64', () => {
  it('round-trips every length', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      expect(decodeBase64(encodeBase64(bytes))).toEqual(bytes);
    }
    expect(encodeBase64('Username:')).toBe('VXNlcm5hbWU6');
  });

  it('refuses whitespace, bad padding and foreign characters', () => {
    for (const bad of ['AHVz ZXI=', 'AHVzZXI', 'AHVzZX=I', 'AH-zZXI=', 'A===', '====', 'AHVzZXIé', 'AHVzZXI=\r\n']) {
      expect(decodeBase64(bad), bad).toBeUndefined();
    }
  });

  it('decodes SASL response lines', () => {
    expect(decodeSaslLine('*')).toBe('cancel');
    expect(decodeSaslLine('=')).toEqual(new Uint8Array());
    expect(decodeSaslLine('dQ==')).toEqual(enc.encode('u'));
    expect(decodeSaslLine('d Q==')).toBeUndefined();
  });
});
