/**
 * TLS material of `createServer`: the default certificate, per-hostname certificates chosen by
 * SNI, replacement without a restart, client-initiated renegotiation refused and the server's
 * cipher order honoured.
 */
import { TLSSocket, createSecureContext } from 'node:tls';
import type { SecureContext, SecureContextOptions } from 'node:tls';
import type { Socket } from 'node:net';
import { constants } from 'node:crypto';
import { SmtpServerError } from 'esmtp-server-fsm';

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
 * The `tls` option of `createServer`: Node's secure-context options (`key`, `cert`, `ca`,
 * `ciphers`, `minVersion`...) for the default certificate, plus per-hostname certificates.
 * `honorCipherOrder` defaults to true (the server's cipher order wins). The server asks no client
 * certificate: `requestCert` (as in an HTTPS server's mutual-TLS options) is refused with
 * `ERR_SMTP_INVALID_OPTION`, and so is `SNICallback` (use `sni`), rather than ignored.
 *
 * @example
 * ```ts
 * tls: {
 *   key: defaultKey, cert: defaultCert,
 *   sni: { 'mx.example.org': { key: orgKey, cert: orgCert }, '*.example.net': { key: netKey, cert: netCert } },
 * }
 * ```
 * @see RFC 3207, RFC 8314 §3.3, RFC 6066 §3 (SNI)
 */
export interface ServerTlsOptions extends SecureContextOptions {
  /**
   * Per-hostname certificates: a map from an exact host name or a `*.domain` wildcard (one label)
   * to its secure-context options (case-insensitive; an exact name wins over a wildcard), or a
   * callback. A client with no or an unknown server name gets the default certificate.
   */
  readonly sni?: Readonly<Record<string, SecureContextOptions>> | SniCallback;
}

/**
 * TLS server options that a secure context does not hold and the server does not apply: refused
 * rather than ignored. `requestCert` (an HTTPS server's mutual-TLS options reused) would otherwise
 * serve clients without a certificate; `sni` replaces `SNICallback`.
 */
const NOT_APPLIED = ['requestCert', 'SNICallback'] as const;

function makeContext(options: SecureContextOptions, what: string): SecureContext {
  for (const name of NOT_APPLIED) {
    const value = (options as Record<string, unknown> | null | undefined)?.[name];
    // a falsy value (false, as Node's default) asks for nothing
    if (value) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `tls${what}.${name}: not supported (${name === 'requestCert' ? 'the server asks no client certificate' : 'use tls.sni'})`);
  }
  try {
    // OpenSSL refuses renegotiation (a no_renegotiation alert): Node's own check does not fire
    // for client-initiated renegotiation with the OpenSSL 3 it ships.
    return createSecureContext({ honorCipherOrder: true, ...options, secureOptions: (options.secureOptions ?? 0) | constants.SSL_OP_NO_RENEGOTIATION });
  } catch (e) {
    throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `tls${what}: unusable TLS material: ${(e as Error).message}`);
  }
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
  /** The callback's answers per normalised host name (`Pending` while one is awaited). */
  readonly cache: LruCache<SecureContext | Pending>;
}

/** How Node's `SNICallback` is answered. */
type SniDone = (err: Error | null, ctx?: SecureContext) => void;

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
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
    (e: unknown) => settle(asError(e)),
  );
  return pending;
}

function load(options: ServerTlsOptions): Loaded {
  if (typeof options !== 'object' || options === null) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', 'tls: expected an object of secure-context options');
  const { sni, ...base } = options;
  const context = makeContext(base, '');
  const names = new Map<string, SecureContext>();
  const wildcards = new Map<string, SecureContext>();
  let callback: SniCallback | undefined;
  if (typeof sni === 'function') callback = sni;
  else if (sni !== undefined) {
    if (typeof sni !== 'object' || sni === null) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', 'tls.sni: expected a map of host names or a function');
    for (const [name, opts] of Object.entries(sni)) {
      const lower = name.toLowerCase();
      const ctx = makeContext(opts, `.sni[${JSON.stringify(name)}]`);
      if (lower.startsWith('*.')) {
        if (lower.length < 3 || lower.indexOf('*', 1) >= 0) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `tls.sni: bad wildcard ${JSON.stringify(name)} (only a leading "*." label)`);
        wildcards.set(lower.slice(2), ctx);
      } else {
        if (lower.length === 0 || lower.includes('*')) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `tls.sni: bad host name ${JSON.stringify(name)}`);
        names.set(lower, ctx);
      }
    }
  }
  return { context, names, wildcards, callback, cache: new LruCache(SNI_CACHE_SIZE) };
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
    return (servername, cb) => {
      const name = servername.toLowerCase().replace(/\.$/, '');
      const found = this.staticContext(loaded, name);
      if (found || !loaded.callback) return cb(null, found ?? loaded.context);
      let cached = loaded.cache.get(name);
      if (cached === undefined) {
        // the callback's answer, made into a context once
        const toContext = (v: SecureContextOptions | SecureContext | undefined): SecureContext => (v === undefined ? loaded.context : isSecureContext(v) ? v : makeContext(v, '.sni()'));
        let r: ReturnType<SniCallback>;
        try {
          r = loaded.callback(servername);
          // a promise of another library or realm (any thenable) is waited for as a native one
          cached = isThenable(r) ? waitFor(loaded, name, Promise.resolve(r).then(toContext)) : toContext(r);
        } catch (e) {
          return cb(asError(e));
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
   * force now. Client-initiated renegotiation is refused: it is an error on the socket.
   */
  socket(raw: Socket): TLSSocket {
    const loaded = this.current;
    const hasSni = loaded.callback !== undefined || loaded.names.size > 0 || loaded.wildcards.size > 0;
    const t: TLSSocket = new TLSSocket(raw, { isServer: true, secureContext: loaded.context, ...(hasSni ? { SNICallback: this.sniCallback(loaded, raw, () => t) } : {}) });
    t.disableRenegotiation();
    return t;
  }
}
