/**
 * SASL mechanisms for AUTH (RFC 4954): PLAIN, LOGIN, CRAM-MD5, XOAUTH2 and any mechanism the
 * caller plugs in. Cryptographic helpers (HMAC-MD5 for CRAM-MD5) come from the adapter, so the
 * core stays free of `node:*`.
 */
import { assertNoControl } from './control.js';
import { SmtpClientError } from './errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Crypto helpers the core cannot provide itself. The Node adapter passes `node:crypto` ones.
 *
 * @example
 * const crypto: SaslCrypto = { hmacMd5: (key, data) => new Uint8Array(createHmac('md5', key).update(data).digest()) };
 * @see RFC 2195 (CRAM-MD5)
 */
export interface SaslCrypto {
  hmacMd5?(key: Uint8Array, data: Uint8Array): Uint8Array;
}

/**
 * One SASL exchange. `start` returns the initial response (or null to wait for a challenge);
 * `step` answers each 334 challenge (decoded bytes) with the raw response bytes.
 *
 * @example
 * const anonymous: SaslMechanism = { name: 'ANONYMOUS', start: () => 'trace', step: () => '' };
 * @see RFC 4954 §4, RFC 4422
 */
export interface SaslMechanism {
  readonly name: string;
  start(): Uint8Array | string | null;
  step(challenge: Uint8Array): Uint8Array | string;
}

/**
 * Credentials for AUTH: a password, an OAuth2 access token, or a ready mechanism.
 *
 * @example
 * const auth: AuthOptions = { user: 'me@example.com', pass: 'secret' };
 * @see RFC 4954
 */
export type AuthOptions =
  | { readonly user: string; readonly pass: string; readonly authzid?: string; readonly mechanisms?: readonly string[] }
  | { readonly user: string; readonly accessToken: string }
  | { readonly mechanism: SaslMechanism };

/**
 * AUTH PLAIN: `authzid NUL user NUL pass` as the initial response.
 *
 * @example
 * plainMechanism('user', 'pass').start(); // '\0user\0pass'
 * @see RFC 4616
 */
export function plainMechanism(user: string, pass: string, authzid = ''): SaslMechanism {
  for (const [w, v] of [['AUTH user', user], ['AUTH password', pass], ['AUTH authzid', authzid]] as const) {
    if (v.includes('\0')) throw new SmtpClientError('ERR_SMTP_CLIENT_CONTROL_CHARACTER', `${w} contains NUL`);
  }
  return { name: 'PLAIN', start: () => `${authzid}\0${user}\0${pass}`, step: () => `${authzid}\0${user}\0${pass}` };
}

/**
 * AUTH LOGIN: the user name, then the password, each answering a 334 challenge.
 *
 * @example
 * const m = loginMechanism('user', 'pass'); m.start(); // null
 * @see draft-murchison-sasl-login
 */
export function loginMechanism(user: string, pass: string): SaslMechanism {
  let n = 0;
  return {
    name: 'LOGIN',
    start: () => null,
    step: () => (n++ === 0 ? user : pass),
  };
}

/**
 * AUTH CRAM-MD5: `user SP hex(HMAC-MD5(pass, challenge))`.
 *
 * @example
 * cramMd5Mechanism('user', 'pass', nodeHmacMd5);
 * @see RFC 2195
 */
export function cramMd5Mechanism(user: string, pass: string, hmacMd5: (key: Uint8Array, data: Uint8Array) => Uint8Array): SaslMechanism {
  return {
    name: 'CRAM-MD5',
    start: () => null,
    step: (challenge) => {
      const mac = hmacMd5(encoder.encode(pass), challenge);
      let hex = '';
      for (const b of mac) hex += b.toString(16).padStart(2, '0');
      return `${user} ${hex}`;
    },
  };
}

/**
 * AUTH XOAUTH2 (Google, Microsoft): `user=..^Aauth=Bearer ..^A^A`; an error challenge is
 * answered with an empty line so the server can send its final 5xx.
 *
 * @example
 * xoauth2Mechanism('me@example.com', token);
 * @see https://developers.google.com/gmail/imap/xoauth2-protocol (RFC 7628 for OAUTHBEARER)
 */
export function xoauth2Mechanism(user: string, accessToken: string): SaslMechanism {
  assertNoControl('AUTH user', user);
  assertNoControl('AUTH access token', accessToken);
  return {
    name: 'XOAUTH2',
    start: () => `user=${user}\x01auth=Bearer ${accessToken}\x01\x01`,
    step: () => '',
  };
}

/** @internal Picks a mechanism the server offers for the given credentials. */
export function chooseMechanism(auth: AuthOptions, offered: readonly string[], crypto: SaslCrypto): SaslMechanism | undefined {
  if ('mechanism' in auth) return offered.includes(auth.mechanism.name.toUpperCase()) ? auth.mechanism : undefined;
  if ('accessToken' in auth) return offered.includes('XOAUTH2') ? xoauth2Mechanism(auth.user, auth.accessToken) : undefined;
  const wanted = (auth.mechanisms ?? ['CRAM-MD5', 'PLAIN', 'LOGIN']).map((m) => m.toUpperCase());
  for (const m of wanted) {
    if (!offered.includes(m)) continue;
    if (m === 'PLAIN') return plainMechanism(auth.user, auth.pass, auth.authzid ?? '');
    if (m === 'LOGIN') return loginMechanism(auth.user, auth.pass);
    const hmac = crypto.hmacMd5?.bind(crypto);
    if (m === 'CRAM-MD5' && hmac) return cramMd5Mechanism(auth.user, auth.pass, hmac);
  }
  return undefined;
}

/** @internal */
export function saslBytes(v: Uint8Array | string): Uint8Array {
  return typeof v === 'string' ? encoder.encode(v) : v;
}

/** @internal */
export function saslText(v: Uint8Array): string {
  return decoder.decode(v);
}
