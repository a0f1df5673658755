/** The `auth` state: AUTH with a SASL mechanism from the foundation (RFC 4954). */
import { KNOWN_MECHANISMS, asciiUpper, decodeBase64, encodeBase64, saslBytes } from '@smtpkit/foundation';
import type { SaslClientExchange, SaslCrypto } from '@smtpkit/foundation';
import type { AuthOptions } from '../client-connection.js';
import { assertNoControl } from '../checks.js';
import type { ClientStateDefinition } from '../state-registry.js';
import { sessionOf } from '../session.js';
import { STAGE } from '../stages.js';

interface Chosen {
  readonly name: string;
  readonly exchange: SaslClientExchange;
}

/**
 * The exchange for the credentials among the mechanisms the server offers: a given mechanism
 * when offered; an access token tries `mechanisms` (default XOAUTH2, then OAUTHBEARER); a password
 * tries `mechanisms` (default CRAM-MD5, which needs `crypto.hmacMd5`, then PLAIN, then LOGIN).
 */
function choose(auth: AuthOptions, offered: ReadonlySet<string>, crypto: SaslCrypto): Chosen | undefined {
  if ('mechanism' in auth) {
    const name = asciiUpper(auth.mechanism.name);
    const ex = offered.has(name) ? auth.mechanism.client?.(auth.credentials ?? { user: '' }, crypto) : undefined;
    return ex ? { name, exchange: ex } : undefined;
  }
  const wanted = (auth.mechanisms ?? ('accessToken' in auth ? ['XOAUTH2', 'OAUTHBEARER'] : ['CRAM-MD5', 'PLAIN', 'LOGIN'])).map(asciiUpper);
  // ASCII only: Unicode upper-casing folds `plaın` (dotless i) to PLAIN, a name the caller did not write
  for (const name of wanted) {
    if (!offered.has(name)) continue;
    const ex = KNOWN_MECHANISMS.find((m) => m.name === name)?.client?.(auth, crypto);
    if (ex) return { name, exchange: ex };
  }
  return undefined;
}

/**
 * Authenticates once per session (again after STARTTLS) when `auth` is set. Credentials never go
 * out without TLS unless `allowInsecureAuth`, nor over TLS with an unverified certificate unless
 * `allowUnverifiedAuth`. An initial response that would make the AUTH line longer than 512 octets
 * (CRLF included) goes instead as the answer to the server's first challenge, the empty `334`
 * (RFC 4954 §4, RFC 4422 §5); a response over 12288 octets of base64 is `*`. A first challenge
 * that is not empty cannot take that held response: the client cancels with `*` and the AUTH
 * fails (`ERR_SMTP_CLIENT_AUTH_FAILED`, an `error` event naming the cause). A mechanism that
 * throws on a challenge is cancelled with `*`; more than 10 challenges fail the exchange
 * (`auth-failed`).
 *
 * @example
 * new ClientConnection({ security: 'required', auth: { user: 'me', pass: 'secret' }, crypto });
 * @see RFC 4954 §4, §4.1, RFC 8314
 */
export const authState: ClientStateDefinition = Object.freeze({
  name: 'auth',
  stage: STAGE.AFTER_EHLO,
  timeout: 'auth',
  pipelining: 'barrier',
  description: 'AUTH with a SASL mechanism',
  enter(ctx) {
    const s = sessionOf(ctx);
    const auth = s.opts.auth;
    if (!auth || s.authDone) return ctx.next();
    if (!s.tls && !s.opts.allowInsecureAuth) {
      s.emit({ type: 'error', code: 'ERR_SMTP_CLIENT_INSECURE_AUTH', message: 'refusing to send credentials without TLS (allowInsecureAuth)' });
      return s.abandon('ERR_SMTP_CLIENT_INSECURE_AUTH', undefined, false);
    }
    if (s.tls && !s.tlsVerified && !s.opts.allowUnverifiedAuth && !s.opts.allowInsecureAuth) {
      s.emit({ type: 'error', code: 'ERR_SMTP_CLIENT_INSECURE_AUTH', message: 'refusing to send credentials over TLS with an unverified certificate (allowUnverifiedAuth)' });
      return s.abandon('ERR_SMTP_CLIENT_INSECURE_AUTH', undefined, false);
    }
    const chosen = choose(auth, s.caps.auth, s.opts.crypto ?? {});
    if (!chosen) {
      s.emit({ type: 'error', code: 'ERR_SMTP_CLIENT_AUTH_UNAVAILABLE', message: 'no usable AUTH mechanism offered' });
      return s.abandon('ERR_SMTP_CLIENT_AUTH_UNAVAILABLE', undefined, false);
    }
    ctx.local['chosen'] = chosen;
    ctx.local['challenges'] = 0;
    ctx.local['initial'] = undefined;
    ctx.local['cancelled'] = false;
    const name = chosen.name;
    assertNoControl('AUTH mechanism', name);
    const ir = chosen.exchange.initial();
    if (ir === null) return s.command(`AUTH ${name}`);
    const enc = encodeBase64(saslBytes(ir));
    const line = `AUTH ${name} ${enc === '' ? '=' : enc}`;
    // RFC 4954 §4: omit the initial response when the command would exceed 512 octets with its
    // CRLF (INJ-10); it answers the server's first (empty) challenge instead (RFC 4422 §5).
    if (line.length + 2 > 512) {
      ctx.local['initial'] = enc;
      return s.command(`AUTH ${name}`);
    }
    s.command(line, `AUTH ${name} <redacted>`);
  },
  reply(ctx, reply) {
    const s = sessionOf(ctx);
    const chosen = ctx.local['chosen'] as Chosen;
    if (ctx.local['cancelled']) {
      // the server's answer to the `*` below: the AUTH failed, as a 535 or a 454 would have it
      s.emit({ type: 'error', code: 'ERR_SMTP_CLIENT_AUTH_FAILED', message: `${chosen.name}: first 334 not empty, initial response not sent (RFC 4954 §4)`, reply });
      return s.abandon('ERR_SMTP_CLIENT_AUTH_FAILED', reply, reply.code >= 500);
    }
    // A server that challenges without end (334 after a complete PLAIN response, after `*`) is
    // not authenticating: after 10 challenges the exchange fails (it ran until a timeout).
    if (reply.code === 334 && (ctx.local['challenges'] = (ctx.local['challenges'] as number) + 1) <= 10) {
      // An initial response held back from the AUTH line answers the first challenge; after it, a
      // challenge that is not strict base64 is handed over as empty bytes (the mechanism decides).
      let resp = ctx.local['initial'] as string | undefined;
      ctx.local['initial'] = undefined;
      // RFC 4954 §4: the held response answers an empty challenge (nothing, or `=`, the form §4
      // gives an empty response); a challenge with text is the mechanism's server going first, or
      // another exchange: never answer it with the credentials
      if (resp !== undefined && !/^[ \t]*=?[ \t]*$/.test(reply.lines[0] ?? '')) {
        ctx.local['cancelled'] = true;
        s.command('*');
        return;
      }
      try {
        resp ??= encodeBase64(saslBytes(chosen.exchange.step(decodeBase64(reply.lines[0] ?? '') ?? new Uint8Array(0))));
      } catch {
        s.command('*');
        return;
      }
      if (resp.length > 12_288) resp = '*';
      s.command(resp, '<redacted>');
      return;
    }
    if (reply.code === 235) {
      s.authDone = true;
      s.emit({ type: 'authenticated', mechanism: chosen.name, reply });
      return ctx.next();
    }
    s.emit({ type: 'auth-failed', mechanism: chosen.name, reply });
    s.abandon('ERR_SMTP_CLIENT_AUTH_FAILED', reply, reply.code >= 500);
  },
} satisfies ClientStateDefinition);
