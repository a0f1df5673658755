/**
 * One SASL mechanism interface for both sides of AUTH (RFC 4954, RFC 4422). A mechanism is a name
 * plus, side by side, what a client does to prove credentials (`client`) and what a server does to
 * collect them (`server`). The built-ins implement both sides; a custom mechanism implements the
 * side it is used on.
 */

import { decodeBase64 } from './base64.js';

const encoder = new TextEncoder();
// ignoreBOM: a leading EF BB BF stays in the text (the default drops it: `\uFEFFalice` was `alice`)
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const text = (b: Uint8Array): string => decoder.decode(b);

/**
 * What a client proves: a user with a password, or with an OAuth2 access token.
 *
 * @example
 * ```ts
 * const creds: SaslClientCredentials = { user: 'me@example.com', pass: 'secret' };
 * ```
 */
export interface SaslClientCredentials {
  readonly user: string;
  readonly pass?: string;
  /** PLAIN authorization identity. */
  readonly authzid?: string;
  /** XOAUTH2 and OAUTHBEARER bearer token. */
  readonly accessToken?: string;
}

/**
 * Host-provided cryptography for client mechanisms (the sans-IO cores bring no HMAC of their own).
 *
 * @example
 * ```ts
 * const crypto: SaslCrypto = { hmacMd5: (key, data) => new Uint8Array(createHmac('md5', key).update(data).digest()) };
 * ```
 * @see RFC 2195 (CRAM-MD5)
 */
export interface SaslCrypto {
  hmacMd5?(key: Uint8Array, data: Uint8Array): Uint8Array;
}

/**
 * The client side of one exchange. `initial` is the initial response sent with `AUTH` (or null
 * to wait for a challenge); `step` answers each `334` challenge (decoded bytes).
 *
 * @see RFC 4954 §4
 */
export interface SaslClientExchange {
  initial(): Uint8Array | string | null;
  step(challenge: Uint8Array): Uint8Array | string;
}

/**
 * What the server collected once an exchange is done; the application decides whether it is valid.
 *
 * @example
 * ```ts
 * if (e.type === 'auth' && e.credentials.password === secret) conn.accept();
 * ```
 * @see RFC 4954 §4
 */
export interface AuthCredentials {
  readonly mechanism: string;
  /**
   * Authentication identity (PLAIN authcid, LOGIN username, CRAM-MD5 user, XOAUTH2 user); for
   * OAUTHBEARER the authorization identity `a=`, `''` when the client sent none.
   */
  readonly username: string;
  /** Cleartext password (PLAIN, LOGIN). */
  readonly password?: string;
  /** Authorization identity (PLAIN authzid) when not empty. */
  readonly authorizationId?: string;
  /** CRAM-MD5: the challenge sent and the hex HMAC-MD5 digest received. */
  readonly challenge?: string;
  readonly response?: string;
  /** XOAUTH2 and OAUTHBEARER bearer token. */
  readonly token?: string;
}

/**
 * One server step: send a challenge, finish with credentials, or fail the exchange.
 *
 * @see RFC 4422 §3.4
 */
export type SaslStep =
  | { readonly type: 'challenge'; readonly challenge: Uint8Array | string }
  | { readonly type: 'done'; readonly credentials: AuthCredentials }
  | { readonly type: 'fail'; readonly text: string };

/** The server side of one exchange: `step` gets each decoded client response (undefined when AUTH had none). */
export interface SaslServerExchange {
  step(response: Uint8Array | undefined): SaslStep;
}

/** What a server mechanism may ask of the session: its host name and a fresh challenge string. */
export interface SaslServerContext {
  readonly hostname: string;
  readonly challenge: () => string;
}

/**
 * A SASL mechanism, both sides side by side.
 *
 * @example
 * ```ts
 * const ANONYMOUS: SaslMechanism = {
 *   name: 'ANONYMOUS',
 *   client: () => ({ initial: () => 'trace', step: () => '' }),
 *   server: () => ({ step: (r) => r === undefined
 *     ? { type: 'challenge', challenge: '' }
 *     : { type: 'done', credentials: { mechanism: 'ANONYMOUS', username: new TextDecoder().decode(r) } } }),
 * };
 * ```
 * @see RFC 4954 §4, RFC 4422 §3
 */
export interface SaslMechanism {
  /** The registered name, upper case (`PLAIN`, `XOAUTH2`). */
  readonly name: string;
  /** Client side; undefined when the mechanism cannot be used by (or for) these credentials. */
  client?(credentials: SaslClientCredentials, crypto: SaslCrypto): SaslClientExchange | undefined;
  /** Server side: begin an exchange for one AUTH command. */
  server?(context: SaslServerContext): SaslServerExchange;
  /**
   * Server side, optional error step: when the application rejects the credentials, the session
   * first sends this as a `334` challenge, waits for the client's (normally empty) response, then
   * sends the rejection. XOAUTH2 and OAUTHBEARER use it for their JSON error (RFC 7628 §3.2.2).
   */
  failureChallenge?(credentials: AuthCredentials): Uint8Array | string | undefined;
}

/**
 * PLAIN: `authzid NUL authcid NUL passwd` as the initial response. The server side fails an empty
 * user name or password (RFC 4616 §2 grammar).
 *
 * @see RFC 4616 §2
 */
export const PLAIN: SaslMechanism = {
  name: 'PLAIN',
  client: (c) => {
    if (c.pass === undefined) return undefined;
    const response = `${c.authzid ?? ''}\0${c.user}\0${c.pass}`;
    return { initial: () => response, step: () => response };
  },
  server: () => ({
    step(response) {
      if (response === undefined) return { type: 'challenge', challenge: '' };
      const a = response.indexOf(0);
      const b = a < 0 ? -1 : response.indexOf(0, a + 1);
      if (a < 0 || b < 0 || response.indexOf(0, b + 1) >= 0) return { type: 'fail', text: 'Malformed PLAIN response' };
      const authz = text(response.subarray(0, a));
      const username = text(response.subarray(a + 1, b));
      const password = text(response.subarray(b + 1));
      // RFC 4616 §2: authcid and passwd are 1*SAFE; an empty password never reaches the
      // application (an LDAP simple bind with one is an unauthenticated bind that succeeds)
      if (!username || !password) return { type: 'fail', text: 'Malformed PLAIN response' };
      return { type: 'done', credentials: { mechanism: 'PLAIN', username, password, ...(authz ? { authorizationId: authz } : {}) } };
    },
  }),
};

/**
 * LOGIN (legacy, draft-murchison-sasl-login): `Username:` then `Password:` challenges. The server
 * side fails an empty user name (at once, before `Password:`) or an empty password, as PLAIN does.
 *
 * @see RFC 4954 §4 (exchange framing)
 */
export const LOGIN: SaslMechanism = {
  name: 'LOGIN',
  client: (c) => {
    const pass = c.pass;
    if (pass === undefined) return undefined;
    let n = 0;
    return { initial: () => null, step: () => (n++ === 0 ? c.user : pass) };
  },
  server: () => {
    let username: string | undefined;
    return {
      step(response) {
        if (response === undefined) return { type: 'challenge', challenge: 'Username:' };
        const value = text(response);
        if (!value) return { type: 'fail', text: 'Malformed LOGIN response' };
        if (username === undefined) {
          username = value;
          return { type: 'challenge', challenge: 'Password:' };
        }
        return { type: 'done', credentials: { mechanism: 'LOGIN', username, password: value } };
      },
    };
  },
};

/**
 * CRAM-MD5: the server sends a challenge; the client answers `user hex(HMAC-MD5(pass, challenge))`.
 * The client side needs `crypto.hmacMd5`.
 *
 * @see RFC 2195 §2
 */
export const CRAM_MD5: SaslMechanism = {
  name: 'CRAM-MD5',
  client: (c, crypto) => {
    const pass = c.pass;
    const hmac = crypto.hmacMd5?.bind(crypto);
    if (pass === undefined || hmac === undefined) return undefined;
    return {
      initial: () => null,
      step: (challenge) => {
        const mac = hmac(encoder.encode(pass), challenge);
        let hex = '';
        for (const b of mac) hex += b.toString(16).padStart(2, '0');
        return `${c.user} ${hex}`;
      },
    };
  },
  server: (ctx) => {
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
        if (sp <= 0 || !isHexDigest(digest)) return { type: 'fail', text: 'Malformed CRAM-MD5 response' };
        return { type: 'done', credentials: { mechanism: 'CRAM-MD5', username: t.slice(0, sp), challenge, response: digest } };
      },
    };
  },
};

function isHexDigest(s: string): boolean {
  if (s.length !== 32) return false;
  for (let i = 0; i < 32; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/**
 * XOAUTH2 (Google, Microsoft): `user=<u>^Aauth=Bearer <token>^A^A`. A client answers an error
 * challenge with an empty line so the server can send its final 5xx; a server sends the JSON error
 * step (`{"status":"401","schemes":"bearer"}`) before rejecting. To name a scope in that JSON,
 * spread the mechanism and replace `failureChallenge`.
 *
 * @see https://developers.google.com/gmail/imap/xoauth2-protocol, RFC 7628 §3.2.2
 */
export const XOAUTH2: SaslMechanism = {
  name: 'XOAUTH2',
  client: (c) => {
    if (c.accessToken === undefined) return undefined;
    const response = `user=${c.user}\x01auth=Bearer ${c.accessToken}\x01\x01`;
    return { initial: () => response, step: () => '' };
  },
  failureChallenge: () => '{"status":"401","schemes":"bearer"}',
  server: () => ({
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
 * OAUTHBEARER (RFC 7628): `n,a=<user>,^Aauth=Bearer <token>^A^A`, the standard form of XOAUTH2.
 * The client escapes `,` and `=` in the user name (`=2C`, `=3D`; the server reads them in either case) and answers the server's error
 * challenge with `^A` so the server can send its final 5xx. The server parses strictly: a GS2
 * header of `n,` or `y,` (channel binding, `p=`, is refused) with an optional `a=` authorization
 * identity, `^A`-separated `key=value` pairs with one `auth` whose scheme is `Bearer` (any case)
 * and whose token is an RFC 6750 b64token, and the closing `^A^A`; anything else fails. Its
 * credentials are `{ mechanism: 'OAUTHBEARER', username, token }`, where `username` is the
 * unescaped `a=` value, or `''` when the client sent none (RFC 7628 §3.1 lets the token alone name
 * the user: validate the token and name the login by its subject with the server's `acceptAuth(user)`,
 * or `{ user }` from `onAuth`; a plain accept logs in as `''`). Its error step is `{"status":"invalid_token","schemes":"bearer"}` (§3.2.2's
 * `status`, and `schemes` as XOAUTH2 sends it); to name a `scope` or an `openid-configuration`,
 * spread the mechanism and replace `failureChallenge`. Not among {@link BUILTIN_MECHANISMS}: a server offers it when
 * `auth.mechanisms` names it.
 *
 * @example
 * ```ts
 * createServer({ auth: { mechanisms: ['PLAIN', 'XOAUTH2', 'OAUTHBEARER'] }, onAuth });
 * ```
 * @see RFC 7628 §3.1, §3.2.2, RFC 5801 §4
 */
export const OAUTHBEARER: SaslMechanism = {
  name: 'OAUTHBEARER',
  client: (c) => {
    if (c.accessToken === undefined) return undefined;
    const user = c.user.replace(/=/g, '=3D').replace(/,/g, '=2C');
    const response = `n,${user && `a=${user}`},\x01auth=Bearer ${c.accessToken}\x01\x01`;
    return { initial: () => response, step: () => '\x01' };
  },
  failureChallenge: () => '{"status":"invalid_token","schemes":"bearer"}',
  server: () => ({
    step(response) {
      if (response === undefined) return { type: 'challenge', challenge: '' };
      const fail = { type: 'fail', text: 'Malformed OAUTHBEARER response' } as const;
      const t = text(response);
      // RFC 5801 §4 gs2-header: `n` or `y` (RFC 7628 takes no channel binding), an optional `a=`
      // saslname (no NUL; its `=` only in `=2C` or `=3D`, in either case: RFC 5234 §2.3 makes
      // ABNF's quoted strings case-insensitive), `,`
      const comma = t.indexOf(',', 2);
      const authz = comma < 0 ? '' : t.slice(2, comma);
      if (!/^[ny],/.test(t) || comma < 0 || (authz !== '' && !/^a=(?:[^\0,=]|=2[Cc]|=3[Dd])+$/.test(authz))) return fail;
      // RFC 7628 §3.1: ^A-led `key=value` pairs, then ^A^A; split, each pair checked on its own
      // (one pass each, no pattern over the whole list)
      const rest = t.slice(comma + 1);
      if (rest.length < 3 || rest[0] !== '\x01' || !rest.endsWith('\x01\x01')) return fail;
      const pairs = rest.slice(1, -2).split('\x01');
      if (!pairs.every((p) => /^[A-Za-z]+=[!-~ \t\r\n]*$/.test(p))) return fail;
      // one `auth` pair: `Bearer` (any case), 1*SP and an RFC 6750 §2.1 b64token
      const auth = pairs.filter((p) => p.startsWith('auth='));
      const token = auth.length === 1 ? /^auth=bearer +([\w\-.~+/]+=*)$/i.exec(auth[0]!)?.[1] : undefined;
      if (!token) return fail;
      const username = authz.slice(2).replace(/=2C/gi, ',').replace(/=3D/gi, '=');
      return { type: 'done', credentials: { mechanism: 'OAUTHBEARER', username, token } };
    },
  }),
};

/**
 * The built-in mechanisms the server advertises, in this order, by default; a client with a
 * password prefers CRAM-MD5 (when it has `hmacMd5`), then PLAIN, then LOGIN. {@link OAUTHBEARER}
 * is built in too but offered only when named (see {@link KNOWN_MECHANISMS}).
 */
export const BUILTIN_MECHANISMS: readonly SaslMechanism[] = Object.freeze([PLAIN, LOGIN, CRAM_MD5, XOAUTH2]);

/**
 * @internal Every built-in mechanism, {@link BUILTIN_MECHANISMS} and {@link OAUTHBEARER}: where a
 * mechanism given by name (a server's `auth.mechanisms`, a client's `mechanisms`) is looked up.
 */
export const KNOWN_MECHANISMS: readonly SaslMechanism[] = Object.freeze([...BUILTIN_MECHANISMS, OAUTHBEARER]);

/**
 * Decodes one SASL response line of RFC 4954 §4: `*` cancels, `=` is an empty initial response,
 * anything else must be strict base64 (undefined when it is not).
 */
export function decodeSaslLine(line: string): Uint8Array | 'cancel' | undefined {
  if (line === '*') return 'cancel';
  if (line === '=') return new Uint8Array();
  return decodeBase64(line);
}

/** Bytes of a mechanism's answer (strings are UTF-8). */
export function saslBytes(v: Uint8Array | string): Uint8Array {
  return typeof v === 'string' ? encoder.encode(v) : v;
}
