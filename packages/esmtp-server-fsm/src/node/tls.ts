/**
 * TLS material of `createServer`: the default certificate, per-hostname certificates chosen by
 * SNI, replacement without a restart, client-initiated renegotiation refused and the server's
 * cipher order honoured.
 */
import { TLSSocket, createSecureContext } from 'node:tls';
import type { SecureContext, SecureContextOptions } from 'node:tls';
import type { Socket } from 'node:net';
import { constants } from 'node:crypto';
import { SmtpServerError } from '../errors.js';

/**
 * Chooses the certificate for a TLS client that sent a server name (SNI). Returning `undefined`
 * keeps the default certificate. May be async (a certificate store lookup). It runs on every
 * handshake that sends a name the static map does not know: return a `SecureContext` made once
 * with `tls.createSecureContext` rather than raw options, which are parsed again each time.
 *
 * @example
 * ```ts
 * sni: (name) => (name.endsWith('.example.org') ? { key: orgKey, cert: orgCert } : undefined)
 * ```
 * @see RFC 6066 §3
 */
export type SniCallback = (servername: string) => SecureContextOptions | SecureContext | undefined | Promise<SecureContextOptions | SecureContext | undefined>;

/**
 * The `tls` option of `createServer`: Node's secure-context options (`key`, `cert`, `ca`,
 * `ciphers`, `minVersion`...) for the default certificate, plus per-hostname certificates.
 * `honorCipherOrder` defaults to true (the server's cipher order wins).
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

function makeContext(options: SecureContextOptions, what: string): SecureContext {
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

/** One complete, validated TLS configuration (swapped as a whole on reload). */
interface Loaded {
  readonly context: SecureContext;
  readonly names: ReadonlyMap<string, SecureContext>;
  readonly wildcards: ReadonlyMap<string, SecureContext>;
  readonly callback: SniCallback | undefined;
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
  return { context, names, wildcards, callback };
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
   */
  reload(options: ServerTlsOptions): void {
    this.current = load(options);
  }

  /** The secure context for a server name (exact, then wildcard, then the default). */
  private staticContext(loaded: Loaded, servername: string): SecureContext | undefined {
    const name = servername.toLowerCase().replace(/\.$/, '');
    const exact = loaded.names.get(name);
    if (exact) return exact;
    const dot = name.indexOf('.');
    return dot > 0 ? loaded.wildcards.get(name.slice(dot + 1)) : undefined;
  }

  private sniCallback(loaded: Loaded): (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void {
    return (servername, cb) => {
      const found = this.staticContext(loaded, servername);
      if (found || !loaded.callback) return cb(null, found ?? loaded.context);
      const use = (v: SecureContextOptions | SecureContext | undefined): void => {
        try {
          cb(null, v === undefined ? loaded.context : isSecureContext(v) ? v : makeContext(v, '.sni()'));
        } catch (e) {
          cb(e as Error);
        }
      };
      let r: ReturnType<SniCallback>;
      try {
        r = loaded.callback(servername);
      } catch (e) {
        return cb(e as Error);
      }
      if (r instanceof Promise) r.then(use, (e: unknown) => cb(e instanceof Error ? e : new Error(String(e))));
      else use(r);
    };
  }

  /**
   * Starts server-side TLS on an accepted (or STARTTLS-upgraded) socket with the certificates in
   * force now. Client-initiated renegotiation is refused: it is an error on the socket.
   */
  socket(raw: Socket): TLSSocket {
    const loaded = this.current;
    const hasSni = loaded.callback !== undefined || loaded.names.size > 0 || loaded.wildcards.size > 0;
    const t = new TLSSocket(raw, { isServer: true, secureContext: loaded.context, ...(hasSni ? { SNICallback: this.sniCallback(loaded) } : {}) });
    t.disableRenegotiation();
    return t;
  }
}
