/**
 * SASL mechanisms for AUTH (RFC 4954). The session never checks passwords: a mechanism turns the
 * client's responses into credentials, and the application decides on the `auth` event.
 */
import { decodeBase64 } from './base64.js';

/**
 * Decoded credentials handed to the application in the `auth` event.
 *
 * @example
 * ```ts
 * if (e.type === 'auth' && e.credentials.password === secret) conn.accept();
 * ```
 * @see RFC 4954 §4
 */
export interface AuthCredentials {
  readonly mechanism: string;
  /** Authentication identity (PLAIN authcid, LOGIN username, CRAM-MD5 user, XOAUTH2 user). */
  readonly username: string;
  /** Cleartext password (PLAIN, LOGIN). */
  readonly password?: string;
  /** Authorization identity (PLAIN authzid) when not empty. */
  readonly authorizationId?: string;
  /** CRAM-MD5: the challenge sent and the hex HMAC-MD5 digest received. */
  readonly challenge?: string;
  readonly response?: string;
  /** XOAUTH2 bearer token. */
  readonly token?: string;
}

/**
 * One step of a SASL exchange, as returned by a mechanism.
 *
 * @example
 * ```ts
 * const step: SaslStep = { type: 'challenge', challenge: 'Username:' };
 * ```
 * @see RFC 4422 §3.4
 */
export type SaslStep =
  | { readonly type: 'challenge'; readonly challenge: Uint8Array | string }
  | { readonly type: 'done'; readonly credentials: AuthCredentials }
  | { readonly type: 'fail'; readonly text: string };

/**
 * A running exchange: `step` gets each decoded client response (undefined when AUTH had none).
 *
 * @example
 * ```ts
 * const x = PLAIN.start({ hostname: 'mx', challenge: () => '' }); x.step(undefined);
 * ```
 * @see RFC 4422 §3.4
 */
export interface SaslExchange {
  step(response: Uint8Array | undefined): SaslStep;
}

/**
 * A SASL mechanism (pluggable): `start` begins an exchange for one AUTH command.
 *
 * @example
 * ```ts
 * const ANONYMOUS: SaslMechanism = { name: 'ANONYMOUS', start: () => ({ step: (r) =>
 *   r === undefined ? { type: 'challenge', challenge: '' } : { type: 'done', credentials: { mechanism: 'ANONYMOUS', username: new TextDecoder().decode(r) } } }) };
 * ```
 * @see RFC 4954 §4, RFC 4422 §3
 */
export interface SaslMechanism {
  readonly name: string;
  start(context: { readonly hostname: string; readonly challenge: () => string }): SaslExchange;
  /**
   * Optional error step: when the application rejects the credentials, the session first sends
   * this as a `334` challenge, waits for the client's (normally empty) response, and only then
   * sends the rejection (`535` by default). XOAUTH2 uses it for its JSON error.
   */
  failureChallenge?(credentials: AuthCredentials): Uint8Array | string | undefined;
}

const dec = new TextDecoder('utf-8', { fatal: false });
const text = (b: Uint8Array): string => dec.decode(b);

/**
 * PLAIN (RFC 4616): `authzid NUL authcid NUL passwd`.
 *
 * @example
 * ```ts
 * new ServerConnection({ auth: { mechanisms: [PLAIN] } });
 * ```
 * @see RFC 4616 §2
 */
export const PLAIN: SaslMechanism = {
  name: 'PLAIN',
  start: () => ({
    step(response) {
      if (response === undefined) return { type: 'challenge', challenge: '' };
      const a = response.indexOf(0);
      const b = a < 0 ? -1 : response.indexOf(0, a + 1);
      if (a < 0 || b < 0 || response.indexOf(0, b + 1) >= 0) return { type: 'fail', text: 'Malformed PLAIN response' };
      const authz = text(response.subarray(0, a));
      const username = text(response.subarray(a + 1, b));
      const password = text(response.subarray(b + 1));
      if (!username) return { type: 'fail', text: 'Malformed PLAIN response' };
      return { type: 'done', credentials: { mechanism: 'PLAIN', username, password, ...(authz ? { authorizationId: authz } : {}) } };
    },
  }),
};

/**
 * LOGIN (legacy, draft-murchison-sasl-login): "Username:" then "Password:" challenges.
 *
 * @example
 * ```ts
 * new ServerConnection({ auth: { mechanisms: [LOGIN, PLAIN] } });
 * ```
 * @see RFC 4954 §4 (exchange framing)
 */
export const LOGIN: SaslMechanism = {
  name: 'LOGIN',
  start: () => {
    let username: string | undefined;
    return {
      step(response) {
        if (response === undefined) return { type: 'challenge', challenge: 'Username:' };
        if (username === undefined) {
          username = text(response);
          return { type: 'challenge', challenge: 'Password:' };
        }
        return { type: 'done', credentials: { mechanism: 'LOGIN', username, password: text(response) } };
      },
    };
  },
};

/**
 * CRAM-MD5 (RFC 2195): the session sends a challenge from the `challenge` generator option; the
 * application checks `response` = hex HMAC-MD5(password, challenge).
 *
 * @example
 * ```ts
 * new ServerConnection({ auth: { mechanisms: [CRAM_MD5] }, challenge: () => `<${rand}.${now}@host>` });
 * ```
 * @see RFC 2195 §2
 */
export const CRAM_MD5: SaslMechanism = {
  name: 'CRAM-MD5',
  start: (ctx) => {
    const challenge = ctx.challenge();
    let sent = false;
    return {
      step(response) {
        if (!sent) {
          sent = true;
          if (response !== undefined) return { type: 'fail', text: 'CRAM-MD5 takes no initial response' };
          return { type: 'challenge', challenge };
        }
        const t = text(response ?? new Uint8Array());
        const sp = t.lastIndexOf(' ');
        const digest = t.slice(sp + 1);
        if (sp <= 0 || !/^[0-9a-f]{32}$/.test(digest)) return { type: 'fail', text: 'Malformed CRAM-MD5 response' };
        return { type: 'done', credentials: { mechanism: 'CRAM-MD5', username: t.slice(0, sp), challenge, response: digest } };
      },
    };
  },
};

/**
 * XOAUTH2 (Google/Microsoft): `user=<u>^Aauth=Bearer <token>^A^A`. A rejected token gets the
 * mechanism's error step: `334` with base64 `{"status":"401","schemes":"bearer"}`, the client's
 * empty response, then the rejection (`535 5.7.8` by default). To name a scope in that JSON, spread
 * the mechanism and replace `failureChallenge`.
 *
 * @example
 * ```ts
 * new ServerConnection({ auth: { mechanisms: [XOAUTH2] } });
 * const withScope = { ...XOAUTH2, failureChallenge: () => JSON.stringify({ status: '401', schemes: 'bearer', scope: 'mail' }) };
 * ```
 * @see RFC 7628 §3.2.2 (the error step of OAUTHBEARER, which XOAUTH2 shares)
 */
export const XOAUTH2: SaslMechanism = {
  name: 'XOAUTH2',
  failureChallenge: () => '{"status":"401","schemes":"bearer"}',
  start: () => ({
    step(response) {
      if (response === undefined) return { type: 'challenge', challenge: '' };
      const fields = text(response).split('\x01');
      let username: string | undefined;
      let token: string | undefined;
      for (const f of fields) {
        if (f.startsWith('user=')) username = f.slice(5);
        else if (f.toLowerCase().startsWith('auth=bearer ')) token = f.slice(12);
      }
      if (!username || !token) return { type: 'fail', text: 'Malformed XOAUTH2 response' };
      return { type: 'done', credentials: { mechanism: 'XOAUTH2', username, token } };
    },
  }),
};

/**
 * The built-in mechanisms, in the order advertised by default.
 *
 * @example
 * ```ts
 * new ServerConnection({ auth: { mechanisms: BUILTIN_MECHANISMS } });
 * ```
 * @see RFC 4954 §3
 */
export const BUILTIN_MECHANISMS: readonly SaslMechanism[] = Object.freeze([PLAIN, LOGIN, CRAM_MD5, XOAUTH2]);

/** Decodes one SASL client line: '*' cancel, '=' empty, else strict base64. */
export function decodeSaslLine(line: string): Uint8Array | 'cancel' | undefined {
  if (line === '*') return 'cancel';
  if (line === '=') return new Uint8Array();
  return decodeBase64(line);
}
