/**
 * TLS material of `createServer`: the default certificate, per-hostname certificates chosen by
 * SNI, client certificates (mutual TLS), replacement without a restart, client-initiated
 * renegotiation refused and the server's cipher order honoured.
 */
import { TLSSocket, createSecureContext } from 'node:tls';
import type { SecureContext, SecureContextOptions } from 'node:tls';
import type { Socket } from 'node:net';
import { X509Certificate, constants } from 'node:crypto';
import { SmtpServerError, isSmtpServerError } from 'esmtp-server-fsm';
import { pemCertificateBlocks, isOptionsObject } from '@smtpkit/foundation';

/** Whether `v` is a promise of any kind (an object or function with a `then` method). */
function isThenable<T>(v: unknown): v is PromiseLike<T> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * Chooses the certificate for a TLS client that sent a server name (SNI). Returning `undefined`
 * keeps the default certificate. May be async (a certificate store lookup). Its answer is cached
 * per host name (case-insensitive, at most `SNI_CACHE_SIZE` names, the least recently used
 * dropped first) until `setSecureContext` replaces the configuration: a name costs one call and
 * one secure context, not one per handshake. A throw or a rejection is not cached (the next
 * handshake with that name asks again), nor is an answer still pending when every handshake
 * waiting for it has ended (its client gone, its handshake timeout): one that never comes does
 * not hold the name.
 *
 * @example
 * ```ts
 * sni: (name) => (name.endsWith('.example.org') ? { key: orgKey, cert: orgCert } : undefined)
 * ```
 * @see RFC 6066 §3
 */
export type SniCallback = (servername: string) => SecureContextOptions | SecureContext | undefined | PromiseLike<SecureContextOptions | SecureContext | undefined>;

/**
 * Node's form of an SNI chooser (`tls.createServer`'s `SNICallback`): called at every handshake of
 * a client that sent a server name, it answers through `cb`, at once or later, with the secure
 * context for that name (or secure-context options, made into one at each answer). Nothing is
 * cached: keep your own cache (a certificate loaded on demand, renewed by ACME, is taken at the
 * next handshake).
 *
 * @example
 * ```ts
 * SNICallback: (servername, cb) => void store.contextFor(servername).then((ctx) => cb(null, ctx), cb)
 * ```
 * @see RFC 6066 §3
 */
export type NodeSniCallback = (servername: string, cb: (err: Error | null, ctx?: SecureContext | SecureContextOptions | null) => void) => void;

/**
 * The `tls` option of `createServer`: Node's secure-context options (`key`, `cert`, `ca`,
 * `ciphers`, `minVersion`...) for the default certificate, plus per-hostname certificates (`sni`,
 * or Node's `SNICallback`) and client certificates (mutual TLS). `honorCipherOrder` defaults to
 * true (the server's cipher order wins). A `ca` (here or in an SNI entry) that holds no certificate
 * or a certificate block that does not parse is `ERR_SMTP_INVALID_OPTION`, with or without
 * `requestCert`.
 *
 * @example
 * ```ts
 * tls: {
 *   key: defaultKey, cert: defaultCert,
 *   sni: { 'mx.example.org': { key: orgKey, cert: orgCert }, '*.example.net': { key: netKey, cert: netCert } },
 *   ca: clientCaCert, requestCert: true, // ask clients for a certificate, record it in session.tls
 * }
 * ```
 * @see RFC 3207, RFC 8314 §3.3, RFC 6066 §3 (SNI), RFC 8446 §4.3.2 (CertificateRequest)
 */
export interface ServerTlsOptions extends SecureContextOptions {
  /**
   * Per-hostname certificates: a map from an exact host name or a `*.domain` wildcard (one label)
   * to its secure-context options (case-insensitive; an exact name wins over a wildcard), or a
   * callback. A client with no or an unknown server name gets the default certificate.
   * With `requestCert` every name asks for and trusts client certificates the same: each name's
   * context gets `tls.ca` as its trusted client CAs, an entry (or callback answer) that gives its
   * own `ca`, `requestCert` or `rejectUnauthorized` is refused, and so is a callback answering a
   * ready `SecureContext` (its trusted CAs cannot be checked): that handshake fails.
   */
  readonly sni?: Readonly<Record<string, SecureContextOptions>> | SniCallback;
  /**
   * Node's SNI chooser, as in `tls.createServer` (not with `sni`: giving both is
   * `ERR_SMTP_INVALID_OPTION`). Asked at every handshake of a client that sent a server name (one
   * that sent none gets the default certificate); it answers `cb(null, secureContext)`, at once or
   * later; an answer without a context gets the default certificate, as in Node. An error
   * (`cb(err)` or a throw) fails that handshake: `onError` gets an `SmtpServerError`
   * `ERR_SMTP_TLS_SNI_FAILED` (the callback's error as its `cause`) and the server goes on. An answer
   * that never comes is ended by the handshake's timeout (`timeouts.tlsHandshake`, after STARTTLS
   * as with implicit TLS). With `requestCert` it must answer secure-context options rather than a
   * `SecureContext` (whose trusted client CAs cannot be checked): that handshake fails.
   */
  readonly SNICallback?: NodeSniCallback | undefined;
  /**
   * Ask every TLS client for a certificate (default false), after STARTTLS and with implicit TLS,
   * for every SNI name. Needs `ca`: the CAs trusted for client certificates (Node would trust
   * every public CA without it, so it is refused, as is a `ca` holding no certificate, such as
   * `''`, which Node takes as none). What the client sent, checked against `ca`, is
   * `session.tls.clientCertificate` for the hooks; a client without one, or with one `ca` does not
   * vouch for, is still served (`authorized: false`) unless `rejectUnauthorized` is true.
   *
   * @see RFC 8446 §4.3.2, §4.4.2.4
   */
  readonly requestCert?: boolean | undefined;
  /**
   * With `requestCert`: fail the handshake of a client that sends no certificate, or one `ca`
   * does not vouch for (default false, unlike a Node HTTPS server). Such a failure is the client's:
   * logged at `info` as `TLS handshake failed`, not given to `onError`. For submission or internal
   * relays only: internet senders on port 25 have no client certificate and would not be served
   * at all. `true` without `requestCert` asks for nothing and is refused.
   */
  readonly rejectUnauthorized?: boolean | undefined;
}

/**
 * A client certificate as the session records it: plain data (JSON-safe, frozen), checked against
 * the server's `tls.ca` once at the handshake. Its text fields come from the client: match them
 * exactly (a known `fingerprint256`), never print them unescaped.
 *
 * @example
 * ```ts
 * const cert = session.tls?.clientCertificate;
 * if (cert?.authorized && relayFingerprints.has(cert.fingerprint256)) return undefined; // relay
 * ```
 * @see RFC 5280 §4.1
 */
export interface ClientCertificate {
  /** The subject, its attributes in certificate order as OpenSSL prints them (`CN=relay.example, O=Example\, Inc`: a `,` in a value escaped). */
  readonly subject: string;
  /** The issuer, written as `subject`. */
  readonly issuer: string;
  /** The SHA-256 fingerprint of the certificate (DER), upper-case hex pairs joined by `:`, as `openssl x509 -fingerprint -sha256` prints it. */
  readonly fingerprint256: string;
  /** The serial number, upper-case hex. */
  readonly serialNumber: string;
  /** Start of validity, ISO 8601 (UTC). */
  readonly validFrom: string;
  /** End of validity, ISO 8601 (UTC). */
  readonly validTo: string;
  /** The subjectAltName entries as OpenSSL prints them (`DNS:relay.example`, `email:postmaster@relay.example`, `IP Address:192.0.2.1`); none: empty. */
  readonly subjectAltNames: readonly string[];
  /** Whether the certificate chains to a CA of `tls.ca` and is valid now (OpenSSL's verification at the handshake). */
  readonly authorized: boolean;
  /** Why it is not authorized, as OpenSSL's verification code (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `CERT_HAS_EXPIRED`...); absent when authorized. */
  readonly authorizationError?: string;
}

/**
 * The TLS of a session, from the end of its handshake (after STARTTLS, or from the start with
 * implicit TLS): `session.tls` in every hook; `undefined` before TLS.
 *
 * @example
 * ```ts
 * onMailFrom: (from, _params, session) => (session.tls ? undefined : { code: 530, enhanced: '5.7.0', text: 'Must issue a STARTTLS command first' })
 * ```
 * @see RFC 3207, RFC 8314 §3.3
 */
export interface SessionTls {
  /** The negotiated protocol version (`TLSv1.3`, `TLSv1.2`). */
  readonly protocol: string | undefined;
  /** The negotiated cipher suite's OpenSSL name. */
  readonly cipher: string | undefined;
  /** The server name the client asked for (SNI), peer text; `undefined` when it sent none. */
  readonly servername: string | undefined;
  /** The client's certificate, when `tls.requestCert` asked for one and the client sent one; else `undefined`. */
  readonly clientCertificate: ClientCertificate | undefined;
}

/**
 * TLS server options that a per-name secure context does not hold and the server does not apply
 * per name: refused rather than ignored. Client certificates are asked for every name by
 * `tls.requestCert`; a name's certificate is chosen by `tls.sni` or `tls.SNICallback`.
 */
const NOT_APPLIED = ['requestCert', 'rejectUnauthorized', 'SNICallback'] as const;

/**
 * The session id context of every secure context when client certificates are asked: OpenSSL
 * refuses to resume a session (a ticket) without one when it verifies peers.
 */
const SESSION_ID_CONTEXT = 'esmtp-server-fsm mutual TLS';

/**
 * A secure context from `options`. `clientCa`: the trusted client CAs of mutual TLS, given to
 * every name's context (OpenSSL checks a client certificate against the context SNI chose).
 */
function makeContext(options: SecureContextOptions, what: string, clientCa?: SecureContextOptions['ca']): SecureContext {
  for (const name of NOT_APPLIED) {
    const value = (options as Record<string, unknown> | null | undefined)?.[name];
    // a falsy value (false, as Node's default) asks for nothing
    if (value) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `tls${what}.${name}: not supported (${name === 'SNICallback' ? 'a name\'s certificate is chosen by tls.sni or tls.SNICallback' : 'set tls.requestCert / tls.rejectUnauthorized: they apply to every name'})`);
  }
  if (clientCa !== undefined && (options as SecureContextOptions | null | undefined)?.ca !== undefined) {
    throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `tls${what}.ca: not supported with tls.requestCert (the trusted client CAs are tls.ca, for every name)`);
  }
  const ca = (options as SecureContextOptions | null | undefined)?.ca;
  // the default context's ca was checked by load(); an SNI entry's or answer's is checked here
  if (what !== '' && ca !== undefined && ca !== null) checkCa(ca, what, false);
  const mutual = clientCa !== undefined ? { sessionIdContext: SESSION_ID_CONTEXT, ca: clientCa } : {};
  try {
    // OpenSSL refuses renegotiation (a no_renegotiation alert): Node's own check does not fire
    // for client-initiated renegotiation with the OpenSSL 3 it ships.
    return createSecureContext({ honorCipherOrder: true, ...mutual, ...options, secureOptions: (options.secureOptions ?? 0) | constants.SSL_OP_NO_RENEGOTIATION });
  } catch (e) {
    throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `tls${what}: unusable TLS material: ${(e as Error).message}`);
  }
}

/**
 * The code of the error a TLS socket is destroyed with when `rejectUnauthorized` refuses the
 * client's certificate (its message names OpenSSL's verification code).
 */
const CLIENT_CERTIFICATE_REFUSED = 'ERR_TLS_CLIENT_CERTIFICATE_REFUSED';

/** Node's verification result of a server-side TLS socket: `null` when the client certificate is trusted. */
function verifyError(t: TLSSocket): (Error & { code?: string }) | null {
  // Node sets `authorized` only on the sockets of a tls.Server; its own check reads this
  const handle = (t as unknown as { _handle?: { verifyError?: () => (Error & { code?: string }) | null } | null })._handle;
  if (typeof handle?.verifyError !== 'function') return Object.assign(new Error('the TLS verification result is not available'), { code: 'ERR_TLS_VERIFY_UNAVAILABLE' });
  return handle.verifyError();
}

/** The subjectAltName entries of Node's one-line form (`DNS:a, DNS:"b, c"`): split at `, ` outside quotes. */
function altNames(text: string | undefined): string[] {
  const names: string[] = [];
  if (text === undefined || text === '') return names;
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === ',' && text[i + 1] === ' ') {
      names.push(text.slice(start, i));
      start = i + 2;
      i++;
    }
  }
  names.push(text.slice(start));
  return names;
}

/** A date of OpenSSL's form (`Dec  6 03:47:52 2026 GMT`) in ISO 8601; as it is if it does not parse. */
function isoDate(text: string): string {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}

/**
 * The TLS facts of a server-side socket whose handshake is done, as the session records them:
 * plain, frozen data. Internal to the Node adapter.
 */
export function sessionTls(t: TLSSocket): SessionTls {
  const peer = t.getPeerX509Certificate();
  let clientCertificate: ClientCertificate | undefined;
  if (peer !== undefined) {
    const error = verifyError(t);
    clientCertificate = Object.freeze({
      subject: peer.subject.split('\n').join(', '),
      issuer: peer.issuer.split('\n').join(', '),
      fingerprint256: peer.fingerprint256,
      serialNumber: peer.serialNumber.toUpperCase(),
      validFrom: isoDate(peer.validFrom),
      validTo: isoDate(peer.validTo),
      subjectAltNames: Object.freeze(altNames(peer.subjectAltName)),
      authorized: error === null,
      ...(error !== null ? { authorizationError: String(error.code ?? error.message) } : {}),
    });
  }
  const servername = (t as { servername?: unknown }).servername;
  return Object.freeze({ protocol: t.getProtocol() ?? undefined, cipher: t.getCipher()?.name, servername: typeof servername === 'string' ? servername : undefined, clientCertificate });
}

function isSecureContext(v: unknown): v is SecureContext {
  return typeof v === 'object' && v !== null && 'context' in v && !('cert' in v) && !('key' in v) && !('pfx' in v);
}

/** Host names whose SNI callback answer is kept, per TLS configuration. */
export const SNI_CACHE_SIZE = 1000;

/**
 * A map bounded to `capacity` entries: reading an entry makes it the most recently used, adding
 * one past the capacity drops the least recently used.
 */
export class LruCache<V> {
  private readonly map = new Map<string, V>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }

  delete(key: string): void {
    this.map.delete(key);
  }
}

/** One complete, validated TLS configuration (swapped as a whole on reload, with its SNI cache). */
interface Loaded {
  readonly context: SecureContext;
  readonly names: ReadonlyMap<string, SecureContext>;
  readonly wildcards: ReadonlyMap<string, SecureContext>;
  readonly callback: SniCallback | undefined;
  /** Node's form (`tls.SNICallback`): asked at every handshake, never cached. */
  readonly nodeCallback: NodeSniCallback | undefined;
  /** Mutual TLS: the trusted client CAs (`tls.ca`) when `requestCert`, else undefined. */
  readonly clientCa: SecureContextOptions['ca'];
  readonly rejectUnauthorized: boolean;
  /** The callback's answers per normalised host name (`Pending` while one is awaited). */
  readonly cache: LruCache<SecureContext | Pending>;
}

/** How Node's `SNICallback` is answered. */
type SniDone = (err: Error | null, ctx?: SecureContext) => void;

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** Errors of the `tls.sni` callback (a throw or a rejection) that failed a handshake: the server's own. */
const sniFailures = new WeakSet<object>();

/** `e` as an error, marked as a `tls.sni` callback's failure (see {@link isPeerHandshakeError}). */
function sniFailure(e: unknown): Error {
  const error = asError(e);
  sniFailures.add(error);
  return error;
}

/**
 * Whose fault an error a server-side TLS socket emits before its handshake is done is (internal
 * to the Node adapter). The rule: the server's own are its typed errors (`SmtpServerError`:
 * `ERR_SMTP_TLS_SNI_FAILED`, an SNI answer refused as `ERR_SMTP_INVALID_OPTION`) and the errors
 * the `tls.sni` callback threw or rejected with; every other error is the peer's: a reset or EOF
 * on the socket, OpenSSL's handshake, protocol and alert errors (`ERR_SSL_*`: no shared version or
 * cipher, plain text on a TLS port), a refused client certificate. Decided by the error's origin,
 * never by its text.
 */
export function isPeerHandshakeError(e: unknown): boolean {
  return !isSmtpServerError(e) && !(typeof e === 'object' && e !== null && sniFailures.has(e));
}

/**
 * Whether `e` is an error OpenSSL reported on a TLS connection (internal to the Node adapter): Node
 * gives those a `code` starting `ERR_SSL_` and OpenSSL's `library` name. After the handshake it is
 * the peer's doing (a record that does not decrypt, a fatal alert, bytes that are no TLS record).
 * Decided by the error's code and origin, never by its text; the server's typed errors are never
 * one.
 */
export function isOpenSslError(e: unknown): boolean {
  const x = e as { code?: unknown; library?: unknown } | null;
  return typeof x?.code === 'string' && x.code.startsWith('ERR_SSL_') && typeof x.library === 'string' && !isSmtpServerError(e);
}

/** An SNI callback answer being awaited, with the handshakes waiting for it. */
class Pending {
  readonly waiters = new Set<SniDone>();
}

/**
 * Caches the settled answer of `promise` for `name` (unless dropped or replaced meanwhile; never a
 * rejection) and tells every handshake still waiting.
 */
function waitFor(loaded: Loaded, name: string, promise: Promise<SecureContext>): Pending {
  const pending = new Pending();
  const settle = (e: Error | null, ctx?: SecureContext): void => {
    if (loaded.cache.get(name) === pending) {
      if (ctx !== undefined) loaded.cache.set(name, ctx);
      else loaded.cache.delete(name);
    }
    const waiters = [...pending.waiters];
    pending.waiters.clear();
    for (const w of waiters) w(e, ctx);
  };
  promise.then(
    (ctx) => settle(null, ctx),
    (e: unknown) => settle(sniFailure(e)),
  );
  return pending;
}

/**
 * Refuses a `ca` option (`tls.ca`, or an SNI entry's, named by `what`) that holds no certificate
 * (`''`, an empty Buffer or array, a PEM of keys only, an array of those) or a certificate block
 * that does not parse, whether or not client certificates are asked: Node takes the first as no
 * `ca` (with `requestCert` it would then trust its default CAs, NODE_EXTRA_CA_CERTS too) and
 * OpenSSL stops loading at the second, so a chain or a trust list would be silently cut short.
 * `mutual`: the CAs are the trusted client CAs (said in the message).
 */
function checkCa(ca: unknown, what: string, mutual: boolean): void {
  let count = 0;
  for (const entry of Array.isArray(ca) ? (ca as unknown[]) : [ca]) {
    // what Node takes: text, or bytes in any view (a Buffer, another typed array, a DataView)
    if (typeof entry !== 'string' && !ArrayBuffer.isView(entry)) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `tls${what}.ca: expected PEM text, a Buffer or an array of them`);
    const text = typeof entry === 'string' ? entry : Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength).toString('latin1');
    for (const { label, pem } of pemCertificateBlocks(text)) {
      try {
        new X509Certificate(pem);
      } catch (e) {
        throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `tls${what}.ca: a ${label} block does not parse (${(e as Error).message})`);
      }
      count++;
    }
  }
  if (count === 0) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `tls${what}.ca: holds no certificate (no PEM CERTIFICATE block)${mutual ? ': Node would trust its default CAs for client certificates' : ''}`);
}

function load(options: ServerTlsOptions): Loaded {
  if (!isOptionsObject(options)) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', 'tls: expected an object of secure-context options');
  const { sni, SNICallback: nodeCallback, requestCert, rejectUnauthorized, ...base } = options;
  if (nodeCallback !== undefined && typeof nodeCallback !== 'function') throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', 'tls.SNICallback: expected a function (servername, cb)');
  if (nodeCallback !== undefined && sni !== undefined) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', 'tls.sni and tls.SNICallback: give one of them (both choose the certificate of a server name)');
  for (const [name, value] of [['requestCert', requestCert], ['rejectUnauthorized', rejectUnauthorized]] as const) {
    if (value !== undefined && typeof value !== 'boolean') throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `tls.${name}: expected true or false`);
  }
  if (rejectUnauthorized === true && requestCert !== true) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', 'tls.rejectUnauthorized: needs tls.requestCert (the server asks no client certificate without it)');
  // without ca Node trusts every public CA for client certificates: authorized would say little
  if (requestCert === true && (base.ca === undefined || base.ca === null || (Array.isArray(base.ca) && base.ca.length === 0))) {
    throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', 'tls.requestCert: needs tls.ca, the CAs trusted for client certificates');
  }
  // a bad ca is refused whether or not it is the trusted client CAs (fail closed)
  if (base.ca !== undefined && base.ca !== null) checkCa(base.ca, '', requestCert === true);
  const clientCa = requestCert === true ? base.ca : undefined;
  const context = makeContext(clientCa !== undefined ? { sessionIdContext: SESSION_ID_CONTEXT, ...base } : base, '');
  const names = new Map<string, SecureContext>();
  const wildcards = new Map<string, SecureContext>();
  let callback: SniCallback | undefined;
  if (typeof sni === 'function') callback = sni;
  else if (sni !== undefined) {
    // a Map or Set has no own fields: read as a record it would name no host at all
    if (!isOptionsObject(sni) || sni instanceof Map || sni instanceof Set) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', 'tls.sni: expected an object of host names or a function');
    for (const [name, opts] of Object.entries(sni)) {
      const lower = name.toLowerCase();
      const ctx = makeContext(opts, `.sni[${JSON.stringify(name)}]`, clientCa);
      if (lower.startsWith('*.')) {
        if (lower.length < 3 || lower.indexOf('*', 1) >= 0) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `tls.sni: bad wildcard ${JSON.stringify(name)} (only a leading "*." label)`);
        wildcards.set(lower.slice(2), ctx);
      } else {
        if (lower.length === 0 || lower.includes('*')) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `tls.sni: bad host name ${JSON.stringify(name)}`);
        names.set(lower, ctx);
      }
    }
  }
  return { context, names, wildcards, callback, nodeCallback, clientCa, rejectUnauthorized: rejectUnauthorized === true, cache: new LruCache(SNI_CACHE_SIZE) };
}

/**
 * Asks Node's form of SNI chooser (`tls.SNICallback`) for the context of `servername` and answers
 * the handshake: its error or a throw fails the handshake with `ERR_SMTP_TLS_SNI_FAILED`, no
 * context is the default certificate; a second answer is ignored.
 */
function askNode(callback: NodeSniCallback, servername: string, cb: SniDone, toContext: (v: SecureContextOptions | SecureContext | undefined, what: string) => SecureContext): void {
  let answered = false;
  const failed = (why: string, cause?: unknown): void => cb(new SmtpServerError('ERR_SMTP_TLS_SNI_FAILED', `tls.SNICallback for ${JSON.stringify(servername)}: ${why}`, cause === undefined ? undefined : { cause }));
  const answer = (err: Error | null, ctx?: SecureContext | SecureContextOptions | null): void => {
    if (answered) return;
    answered = true;
    if (err) return failed(asError(err).message, err);
    let context: SecureContext;
    try {
      // no context: the default certificate, as Node's own SNICallback and tls.sni do
      context = toContext(ctx ?? undefined, '.SNICallback()');
    } catch (e) {
      return failed(asError(e).message, e);
    }
    cb(null, context);
  };
  try {
    callback(servername, answer);
  } catch (e) {
    answer(asError(e));
  }
}

/**
 * The TLS state of one server: makes the server-side `TLSSocket`s and swaps certificates.
 * Internal to the Node adapter; `createServer` exposes `setSecureContext`.
 */
export class ServerTls {
  private current: Loaded;

  constructor(options: ServerTlsOptions) {
    this.current = load(options);
  }

  /**
   * Replaces every certificate at once; sessions that already negotiated TLS keep theirs. The
   * new material is checked completely before anything changes: on error nothing is replaced.
   * The SNI callback's cached answers go with the old configuration.
   */
  reload(options: ServerTlsOptions): void {
    this.current = load(options);
  }

  /** The secure context for a normalised server name (exact, then wildcard), if the static map has one. */
  private staticContext(loaded: Loaded, name: string): SecureContext | undefined {
    const exact = loaded.names.get(name);
    if (exact) return exact;
    const dot = name.indexOf('.');
    return dot > 0 ? loaded.wildcards.get(name.slice(dot + 1)) : undefined;
  }

  /**
   * The SNI callback of one TLS socket `t`. A callback answer still pending is shared by the
   * handshakes that ask for that name meanwhile; it is dropped from the cache when every one of
   * them has ended (the client gone, its handshake timeout), so that an answer that never comes
   * does not hold the name for good, and it keeps no closed socket.
   */
  private sniCallback(loaded: Loaded, raw: Socket, t: () => TLSSocket): (servername: string, cb: SniDone) => void {
    // a callback's answer, made into a context
    const toContext = (v: SecureContextOptions | SecureContext | undefined, what: string): SecureContext => {
      if (v === undefined) return loaded.context;
      if (!isSecureContext(v)) return makeContext(v, what, loaded.clientCa);
      // its trusted CAs are unknown: with mutual TLS, it could trust other client CAs
      if (loaded.clientCa !== undefined) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `tls${what}: a SecureContext answer is not supported with tls.requestCert (answer secure-context options)`);
      return v;
    };
    return (servername, cb) => {
      if (loaded.nodeCallback) return askNode(loaded.nodeCallback, servername, cb, toContext);
      const name = servername.toLowerCase().replace(/\.$/, '');
      const found = this.staticContext(loaded, name);
      if (found || !loaded.callback) return cb(null, found ?? loaded.context);
      let cached = loaded.cache.get(name);
      if (cached === undefined) {
        const once = (v: SecureContextOptions | SecureContext | undefined): SecureContext => toContext(v, '.sni()');
        let r: ReturnType<SniCallback>;
        try {
          r = loaded.callback(servername);
          // a promise of another library or realm (any thenable) is waited for as a native one
          cached = isThenable(r) ? waitFor(loaded, name, Promise.resolve(r).then(once)) : once(r);
        } catch (e) {
          return cb(sniFailure(e));
        }
        loaded.cache.set(name, cached);
      }
      if (!(cached instanceof Pending)) return cb(null, cached);
      const pending = cached;
      // one waiter per handshake: its end (close of the TLS socket or of the one under it) removes it
      const waiter: SniDone = (e, ctx) => cb(e, ctx);
      pending.waiters.add(waiter);
      const gone = (): void => {
        if (pending.waiters.delete(waiter) && pending.waiters.size === 0 && loaded.cache.get(name) === pending) loaded.cache.delete(name);
      };
      t().once('close', gone);
      raw.once('close', gone);
    };
  }

  /**
   * Starts server-side TLS on an accepted (or STARTTLS-upgraded) socket with the certificates in
   * force now. Client-initiated renegotiation is refused: it is an error on the socket. With
   * `requestCert` the client is asked for a certificate; with `rejectUnauthorized` too, a client
   * that sends none fails the handshake (OpenSSL's `certificate_required` alert) and one whose
   * certificate is not trusted is destroyed with an `ERR_TLS_CLIENT_CERTIFICATE_REFUSED` error as
   * its `'secure'` event comes (a listener that comes after this one finds the socket destroyed).
   * An OpenSSL error after the handshake (see {@link isOpenSslError}) destroys the socket with it:
   * Node keeps those from `'error'` on a server socket made without a `tls.Server`, which would
   * otherwise hang until its idle timeout.
   */
  socket(raw: Socket): TLSSocket {
    const loaded = this.current;
    const hasSni = loaded.callback !== undefined || loaded.nodeCallback !== undefined || loaded.names.size > 0 || loaded.wildcards.size > 0;
    const mutual = loaded.clientCa !== undefined ? { requestCert: true, rejectUnauthorized: loaded.rejectUnauthorized } : {};
    const t: TLSSocket = new TLSSocket(raw, { isServer: true, secureContext: loaded.context, ...mutual, ...(hasSni ? { SNICallback: this.sniCallback(loaded, raw, () => t) } : {}) });
    t.disableRenegotiation();
    // Node's event for a TLS error it holds back for the tls.Server this socket has not got
    t.on('_tlsError', (e: unknown) => {
      if (isOpenSslError(e)) t.destroy(e as Error);
    });
    if (loaded.clientCa !== undefined && loaded.rejectUnauthorized) {
      t.once('secure', () => {
        const e = verifyError(t);
        // a peer's failure, as a TLS alert would be (logged as a failed handshake, not onError)
        if (e !== null) t.destroy(Object.assign(new Error(`client certificate refused: ${e.message} (${String(e.code)})`), { code: CLIENT_CERTIFICATE_REFUSED }));
      });
    }
    return t;
  }
}
