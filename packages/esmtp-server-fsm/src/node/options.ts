/**
 * The options of `createServer`, what its hooks see, their defaults and their validation: every
 * adapter option is checked (and the core's, through a throwaway session) before anything
 * listens.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { SmtpServerError, ServerConnection, withTlsSecurity } from 'esmtp-server-fsm';
import type { ServerOptions, ServerTimeouts, SessionInfo, TransactionInfo, EsmtpParameters, ReplyInit, CommandContinuation, PolicyPoint } from 'esmtp-server-fsm';
import { inheritedFields } from '@smtpkit/foundation';
import type { AuthCredentials } from '@smtpkit/foundation';
import { DEFAULT_PROXY_HEADER_TIMEOUT_MS } from './proxy-protocol.js';
import type { ProxyInfo } from './proxy-protocol.js';
import type { ServerTlsOptions, SessionTls } from './tls.js';
import type { ServerLogger, TranscriptLine } from './logger.js';
import type { TlsSecurity } from '@smtpkit/foundation';

/**
 * What a hook returns: nothing/true (accept), false (default rejection) or an explicit reply.
 *
 * @example
 * ```ts
 * onMailFrom: (from): HookResult => (blocked(from) ? { code: 550, enhanced: '5.7.1', text: 'Blocked' } : undefined)
 * ```
 * @see RFC 5321 §4.2
 */
export type HookResult = void | undefined | boolean | ReplyInit;

/**
 * What `onAuth` returns: a {@link HookResult}, or `{ user }` to log the client in as `user`
 * rather than as the identity its credentials name (with `code: 235`, `enhanced` and `text`
 * for the reply, when not the default). For a token whose subject is the account: OAUTHBEARER
 * may leave out `a=` (RFC 7628 §3.1), so `credentials.username` is `''` until `onAuth` names it.
 * `user` must be a non-empty identity with no control, separator or format character
 * (`ERR_SMTP_INVALID_ARGUMENT` to `onError`, `454 4.7.0` to the client otherwise).
 *
 * @example
 * ```ts
 * onAuth: async (c): Promise<AuthResult> => {
 *   const sub = c.mechanism === 'OAUTHBEARER' ? await subjectOf(c.token) : undefined;
 *   return sub !== undefined && { user: sub };
 * }
 * ```
 * @see RFC 4954 §6, RFC 7628 §3.1
 */
export type AuthResult = HookResult | { readonly user: string; readonly code?: 235; readonly enhanced?: string; readonly text?: string | readonly string[] };

/**
 * One step of a custom verb's exchange, as `onCommandStep` gets it.
 *
 * @example
 * ```ts
 * onCommandStep: (step) => (step.kind === 'line' && step.line === proof ? { code: 250, text: 'proved' } : false)
 * ```
 */
export type CommandStep =
  | { readonly kind: 'line'; readonly verb: string; readonly line: string }
  | { readonly kind: 'block'; readonly verb: string; readonly data: Uint8Array };

/**
 * A connected client, as seen by the hooks.
 *
 * @example
 * ```ts
 * onConnect: (s) => log(s.id, s.remoteAddress, s.proxy?.version)
 * onRcptTo: (to, _params, s) => (s.transaction.from === '' && s.transaction.recipients.length > 0 ? false : undefined)
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export interface SessionContext {
  /** Unique id of the session (hex). */
  readonly id: string;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  /** The PROXY header, when the proxy protocol is on. */
  readonly proxy: ProxyInfo | undefined;
  /** Live session facts (HELO name, TLS, authenticated user...). */
  readonly info: SessionInfo;
  /**
   * The session's TLS once its handshake is done (after STARTTLS, or from the start with implicit
   * TLS: `onConnect` sees it): protocol, cipher, SNI name and, with `tls.requestCert`, the client
   * certificate (`clientCertificate`, checked against `tls.ca`). `undefined` before TLS.
   */
  readonly tls: SessionTls | undefined;
  /**
   * The transaction in progress, live: the sender accepted by MAIL and the recipients accepted so
   * far (smtp-server's `session.envelope`), e.g. for a policy in `onRcptTo` that depends on the
   * sender or on the recipients before it. Empty between transactions.
   */
  readonly transaction: TransactionInfo;
}

/**
 * The envelope of one message, handed to `onData`. `size` is final once the body stream ends.
 *
 * @example
 * ```ts
 * onData: async (env, stream) => { await pipeline(stream, createWriteStream(`${env.id}.eml`)); }
 * ```
 * @see RFC 5321 §2.3.1
 */
export interface Envelope {
  readonly id: string;
  readonly from: string;
  /** The accepted recipients; one given twice appears once (in LMTP every accepted RCPT: each gets a reply). */
  readonly to: readonly string[];
  readonly helo: string | undefined;
  readonly clientAddress: string | undefined;
  size: number;
  readonly mailParameters: EsmtpParameters;
  readonly rcptParameters: readonly EsmtpParameters[];
  readonly user: string | undefined;
  readonly secure: boolean;
  readonly protocol: string;
}

/**
 * The `timeouts` of `createServer`: every core timeout (`ServerTimeouts`, the same defaults),
 * plus the adapter's own wait for the PROXY header. Each is a number of ms, checked at
 * `createServer` (`ERR_SMTP_INVALID_OPTION` naming it for NaN, a negative number, a non-number, or
 * more than 2^31 - 1 ms); `0` or `Infinity` means no timer (except `errorDelay`, see
 * `ServerTimeouts`).
 *
 * @example
 * ```ts
 * createServer({ proxyProtocol: true, timeouts: { proxyHeader: 5000, command: 60_000 } });
 * ```
 * @see RFC 5321 §4.5.3.2, HAProxy PROXY protocol §2
 */
export interface CreateServerTimeouts extends Partial<ServerTimeouts> {
  /**
   * With `proxyProtocol`: the deadline for the whole PROXY header, from the connection's accept to
   * the header's end, whatever trickles in meanwhile (a header sent a byte at a time is cut at the
   * same moment as a silent peer). When it runs out the connection is closed with no reply (the
   * peer is a proxy, or a client that bypassed it) and frees its place, logged at `warn`
   * (`PROXY header timeout`, with the socket's `remoteAddress` and `timeoutMs`). Default
   * `DEFAULT_PROXY_HEADER_TIMEOUT_MS` (10 s; Postfix's `smtpd_upstream_proxy_timeout` is 5 s).
   * `0` or `Infinity`: no timer, so a peer that never sends its header holds its connection place
   * until it leaves: only for a port the proxy alone can reach. Ignored without `proxyProtocol`.
   */
  readonly proxyHeader?: number;
}

/**
 * Options of `createServer`.
 *
 * @example
 * ```ts
 * createServer({ hostname: 'mx.example', tls: { key, cert }, onData: async (env, body) => store(env, body) });
 * ```
 * @see RFC 5321 §4, RFC 3207, RFC 8314 §3.3
 */
export interface CreateServerOptions extends Omit<ServerOptions, 'secure' | 'starttls' | 'security' | 'clientAddress' | 'trusted' | 'challenge' | 'autoAccept' | 'timeouts'> {
  /**
   * Timeouts in ms: the core's (`ServerTimeouts`: `command`, `dataBlock`, `tlsHandshake`,
   * `errorDelay`, `commandLine`, `dataPhase`) and `proxyHeader`, the wait for the PROXY header;
   * see `CreateServerTimeouts`.
   */
  readonly timeouts?: CreateServerTimeouts;
  /**
   * TLS material; enables STARTTLS (and implicit TLS with `secure`). `sni` adds per-hostname
   * certificates; `setSecureContext` replaces them all without a restart.
   */
  readonly tls?: ServerTlsOptions;
  /** Operational log (pino / console shape, object then message); see `ServerLogger`. */
  readonly logger?: ServerLogger;
  /** Receives the dialogue as C:/S: lines, credentials and bodies left out; see `TranscriptLine`. */
  readonly transcript?: (line: TranscriptLine) => void;
  /**
   * Where TLS comes in, as one choice, in the words of the client's `security` option and of
   * `smtp serve --security`: `off` (no TLS, STARTTLS not offered), `opportunistic` (STARTTLS
   * offered; the default with `tls`), `required` (STARTTLS offered and needed before anything but
   * EHLO/HELO/NOOP/RSET/QUIT: the core's `requireTls`), `implicit` (TLS from the first byte, port
   * 465). All but `off` need `tls`. Replaces `secure` / `starttls` (give one or the other).
   * A configuration no client could send mail through is `ERR_SMTP_INVALID_OPTION`: `requireTls`
   * with neither STARTTLS offered nor implicit TLS, or `auth.required` with no TLS and no
   * `auth.allowInsecure` (AUTH is offered over TLS only), with no `onAuth` or with an empty
   * `auth.mechanisms`.
   *
   * @see RFC 3207, RFC 8314 §3
   */
  readonly security?: TlsSecurity;
  /** Implicit TLS (port 465 style); `security: 'implicit'` says the same. `true` without `tls` is refused. */
  readonly secure?: boolean;
  /** Offer STARTTLS when `tls` is set (default true); `security: 'off'` turns it off. `true` without `tls` is refused. */
  readonly starttls?: boolean;
  /**
   * Maximum concurrent sessions, counting connections still sending their PROXY header or in their
   * implicit TLS handshake; more get `421 4.7.0` (closed at once before a TLS handshake) (default
   * `DEFAULT_MAX_CONNECTIONS`, 100; `0` or `Infinity`: no limit).
   */
  readonly maxConnections?: number;
  /**
   * Maximum concurrent sessions from one client address, counted after PROXY resolution; more get
   * `421 4.7.0` (default `DEFAULT_MAX_CONNECTIONS_PER_CLIENT`, 20; `0` or `Infinity`: no limit).
   * One host cannot take every slot.
   */
  readonly maxConnectionsPerClient?: number;
  /**
   * `maxConnectionsPerClient` counts client addresses by network: IPv4 addresses in one network
   * of this many bits share their slots (default 32: each address alone; 0 to 32).
   */
  readonly clientIpv4PrefixLength?: number;
  /**
   * IPv6 client addresses in one network of this many bits share their `maxConnectionsPerClient`
   * slots (default `DEFAULT_CLIENT_IPV6_PREFIX_LENGTH`, 64: a host is given a whole /64 and can
   * pick any address in it; 128 counts each address alone; 0 to 128).
   */
  readonly clientIpv6PrefixLength?: number;
  /**
   * Expect a PROXY protocol v1/v2 header before the greeting (default false). The header sets the
   * client address the per-client limit, `isTrusted`, the hooks and `Received:` see: without
   * `isTrustedProxy` it is taken from any peer, so the port must then be reachable by the proxy only.
   */
  readonly proxyProtocol?: boolean;
  /**
   * Which peers may send the PROXY header (needs `proxyProtocol`), asked with the socket's own
   * remote address before any byte is read: a peer it refuses gets `421 4.7.0` and is closed
   * (before an implicit TLS handshake just closed), logged as a refused connection, with no hook,
   * no `onError` and no place taken; one that throws refuses the peer as well, its error given to
   * `onError` (with no session). Default: any peer.
   *
   * @example
   * ```ts
   * createServer({ proxyProtocol: true, isTrustedProxy: (a) => a === '10.0.0.5' || a === '::ffff:10.0.0.5' });
   * ```
   */
  readonly isTrustedProxy?: (remoteAddress: string | undefined) => boolean;
  /** Which clients may use XCLIENT/XFORWARD (default: none). */
  readonly isTrusted?: (remoteAddress: string | undefined) => boolean;
  /**
   * Slowloris defence (DOS-8), for message bodies: from the first body byte (after the 354, or
   * the first byte of the first BDAT chunk) to the end of data, the client's average rate must
   * stay at or above this many bytes/s once `minDataRateGraceMs` of it has passed, else
   * `421 4.4.2` and the message is aborted. Time during which the server itself is not reading
   * (backpressure, a hook) is not counted. Command lines are not rated: each is bounded by
   * `timeouts.commandLine` (60 s) from its first byte. Default `DEFAULT_MIN_DATA_RATE` (500,
   * Postfix `smtpd_min_data_rate`, which also applies to the data phase only); `0` turns it off.
   */
  readonly minDataRate?: number;
  /** How long a message body may run before `minDataRate` is enforced, in ms (default `DEFAULT_MIN_DATA_RATE_GRACE_MS`, 10000). */
  readonly minDataRateGraceMs?: number;
  /** Unprocessed input bytes above which the socket stops reading (default 262144). */
  readonly maxBufferedInput?: number;
  readonly onConnect?: (session: SessionContext) => HookResult | Promise<HookResult>;
  readonly onHelo?: (domain: string, session: SessionContext) => HookResult | Promise<HookResult>;
  /**
   * Checks credentials; without it every AUTH fails. Unlike the other hooks, only an explicit
   * accept logs the client in: `true` (or a `235` reply), or `{ user }` to name the account
   * (see {@link AuthResult}: a token's subject). Returning nothing, `false` or anything
   * else is `535 5.7.8`, so `if (ok) return true;` fails closed. With
   * `auth.allowAuthorizationIdentity`, `credentials.authorizationId` (when set and not the user)
   * is the identity asked for: accept only when `username` may act as it.
   */
  readonly onAuth?: (credentials: AuthCredentials, session: SessionContext) => AuthResult | Promise<AuthResult>;
  readonly onMailFrom?: (from: string, parameters: EsmtpParameters, session: SessionContext) => HookResult | Promise<HookResult>;
  readonly onRcptTo?: (to: string, parameters: EsmtpParameters, session: SessionContext) => HookResult | Promise<HookResult>;
  /**
   * Receives the body as a stream (exact bytes, dot-unstuffed); the final reply waits for the
   * returned promise. In LMTP mode it may return one reply per recipient.
   */
  readonly onData?: (envelope: Envelope, body: Readable, session: SessionContext) => HookResult | readonly ReplyInit[] | Promise<HookResult | readonly ReplyInit[]>;
  readonly onVrfy?: (argument: string, session: SessionContext) => HookResult | Promise<HookResult>;
  /**
   * A custom verb from `registry`. Answer with a reply (or true/false), or with a
   * {@link CommandContinuation} (`{ reply: { code: 334, text }, read: 'line' }`, `read: 'dot'`,
   * `read: { bytes: n }`) to hold a multi-step exchange; each later step goes to `onCommandStep`.
   */
  readonly onCommand?: (verb: string, argument: string, session: SessionContext) => HookResult | CommandContinuation | Promise<HookResult | CommandContinuation>;
  /**
   * The next step of a custom verb's exchange: the client's line (`read: 'line'`) or the whole
   * block (`read: 'dot'` dot-unstuffed, or `{ bytes }`; at most `limits.maxMessageSize`, a longer
   * block is answered 552 by the session and never reaches this hook). Answer with the final reply
   * or another continuation. Without this hook a step gets the default reply.
   */
  readonly onCommandStep?: (step: CommandStep, session: SessionContext) => HookResult | CommandContinuation | Promise<HookResult | CommandContinuation>;
  /**
   * The session is over, called exactly once for every session: every one whose context was handed
   * to `onConnect`, another hook, `onError` or the logger, however it ended (QUIT, the client
   * gone, a timeout, a throwing hook, a failed STARTTLS handshake, shutdown, an internal error).
   * A connection refused before it became a session gets none and was never announced: a PROXY
   * header refused, a connection limit's 421, shutdown, an implicit TLS handshake that failed,
   * `isTrusted` throwing (`onError` gets `undefined` for its session), a socket handed to
   * `handleConnection` after it closed. So `onConnect`/`onClose` counts balance, and per-session
   * state kept from `onConnect` can be freed here.
   */
  readonly onClose?: (session: SessionContext) => void;
  /**
   * Called with unexpected errors (hook exceptions that are not replies, socket errors that are
   * not a lost connection, errors before a session exists). A TLS handshake the client fails
   * (implicit TLS or after STARTTLS: a reset or EOF during it, OpenSSL's handshake, protocol and
   * alert errors, a client certificate `tls.rejectUnauthorized` refused) is not one: it is logged
   * at `info` as `TLS handshake failed` and never comes here. The server's own handshake failures
   * still do: its typed errors (`ERR_SMTP_TLS_SNI_FAILED`...) and what a `tls.sni` callback threw
   * or rejected with. Nor is a connection the peer or the network lost: a socket error (of the
   * socket, or of the TLS socket or the TCP socket under it) whose `code` is `ECONNRESET`,
   * `ECONNABORTED`, `EPIPE`, `ETIMEDOUT`, `EHOSTUNREACH`, `EHOSTDOWN`, `ENETUNREACH`, `ENETDOWN`,
   * `ENETRESET`, `ENOTCONN`, `ECONNREFUSED` or `EPROTO` (by code, never by message), nor, on an
   * established TLS connection, an OpenSSL error (`code` starting `ERR_SSL_`, with OpenSSL's
   * `library`: a bad record, a fatal alert; never one of the server's typed errors). Inside a
   * session it ends the session as a client that closes does: the `close` log line (info) gives
   * `reason` `connection lost (<code>) after <VERB>` or `connection lost (<code>) during a message`
   * (`TLS error (<code>) ...` for an OpenSSL error), a message in progress is aborted
   * (`ERR_SMTP_MESSAGE_ABORTED`, reason `eof`), `onClose` is called once. Before a session (its
   * PROXY header awaited, after its implicit TLS handshake) it is one `info` line `connection
   * lost` (`remoteAddress`, `err`), and nothing when the server was refusing the connection already
   * (after its `421`). A hook
   * whose promise settles after its session ended (the client gone, `close()` cut it) is not heard
   * any more: its failure is dropped, as its answer is, so nothing comes for a session after its
   * `onClose`, nor after `close()` has settled.
   */
  readonly onError?: (error: unknown, session: SessionContext | undefined) => void;
}

/**
 * A running server.
 *
 * @example
 * ```ts
 * const server = createServer({ onData: async (e, body) => { for await (const _ of body); } });
 * await server.listen(2525, '127.0.0.1');
 * await server.close({ timeout: 10_000 });
 * ```
 * @see RFC 5321 §4.3.2
 */
export interface SmtpServer {
  listen(port: number, host?: string): Promise<AddressInfo>;
  /**
   * Graceful shutdown: 421 to idle and new sessions, in-flight transactions get `timeout` ms
   * (default 30 s), then every connection is cut. A connection still in its TLS handshake (implicit
   * TLS, or after STARTTLS's 220) or waiting for its PROXY header is dropped at once: it has no
   * transaction, and no 421 could be read on it; one that comes during the grace is refused before
   * its handshake (closed) or its PROXY header (`421 4.3.2`). A session that is over (an idle one at once, one in
   * a transaction once it is done; a command line half received is answered first) has its socket
   * closed as soon as its 421 is written, without waiting for the client to close its side. The promise settles once every session has
   * been released (its `onClose` has run, an unfinished message's body stream has its
   * `ERR_SMTP_MESSAGE_ABORTED`), so that an application can close its own resources after it.
   * Calling it again returns the same promise (a shorter `timeout` given later still applies).
   * `timeout: 0` cuts at once; `Infinity` never cuts (in-flight transactions take as long as they
   * take). A timeout that is not a number of ms from 0 to 2^31 - 1 (NaN, negative, larger) rejects
   * with `ERR_SMTP_INVALID_OPTION` and closes nothing.
   */
  close(options?: { readonly timeout?: number }): Promise<void>;
  address(): AddressInfo | undefined;
  /** Number of open sessions. */
  readonly connections: number;
  /**
   * Runs a session on a connection accepted elsewhere: a socket inherited from a supervisor
   * (systemd socket activation), one from another listener, or an in-memory duplex stream with
   * the shape of a socket. Connection limit, PROXY header and implicit TLS apply as to a
   * connection accepted by `listen`.
   */
  handleConnection(socket: Socket): void;
  /**
   * Replaces the TLS certificates (default and SNI) without a restart: new handshakes use them,
   * established sessions keep theirs; the SNI callback's cached answers are dropped. Throws `ERR_SMTP_INVALID_OPTION` (and changes nothing) for
   * unusable material or a server created without `tls`.
   */
  setSecureContext(tls: ServerTlsOptions): void;
}

/**
 * Default of `maxConnections`.
 *
 * @example
 * ```ts
 * createServer({ maxConnections: DEFAULT_MAX_CONNECTIONS * 4 });
 * ```
 * @see RFC 5321 §4.5.3.2
 */
export const DEFAULT_MAX_CONNECTIONS = 100;

/**
 * Default of `maxConnectionsPerClient`: a fifth of the slots per client address (Postfix's anvil
 * uses half of its process limit; a fifth leaves room for several abusive hosts at once).
 *
 * @example
 * ```ts
 * createServer({ maxConnectionsPerClient: DEFAULT_MAX_CONNECTIONS_PER_CLIENT * 2 });
 * ```
 * @see RFC 5321 §4.5.3.2
 */
export const DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 20;

/**
 * Default of `clientIpv6PrefixLength`: IPv6 clients are counted by /64, the network a single
 * host (a VPS, a home router's LAN) is given and can use any address of (RFC 6177, RFC 4291 §2.5.1).
 *
 * @example
 * ```ts
 * // a provider whose outbound relays share one /64 and need more than 20 sessions
 * createServer({ clientIpv6PrefixLength: DEFAULT_CLIENT_IPV6_PREFIX_LENGTH + 32 });
 * ```
 */
export const DEFAULT_CLIENT_IPV6_PREFIX_LENGTH = 64;

/**
 * Default of `minDataRate`, in bytes/s over a message body (Postfix `smtpd_min_data_rate`).
 *
 * @example
 * ```ts
 * createServer({ minDataRate: DEFAULT_MIN_DATA_RATE * 2 });
 * ```
 * @see RFC 5321 §4.5.3.2
 */
export const DEFAULT_MIN_DATA_RATE = 500;

/**
 * Default of `minDataRateGraceMs`.
 *
 * @example
 * ```ts
 * createServer({ minDataRateGraceMs: DEFAULT_MIN_DATA_RATE_GRACE_MS / 2 });
 * ```
 * @see RFC 5321 §4.5.3.2
 */
export const DEFAULT_MIN_DATA_RATE_GRACE_MS = 10_000;

/**
 * The core's options that the adapter hands on as the caller gives them (the compiler checks the
 * record against both types); `hostname`, the TLS choice, `copyInput` and `timeouts` are worked out here.
 */
const PASSED_ON: readonly string[] = Object.keys({
  banner: 1, lmtp: 1, extensions: 1, auth: 1, xclient: 1, xforward: 1, limits: 1, bareLineEndings: 1, pipeliningSync: 1, vrfy: 1, expn: 1, registry: 1, enable: 1, help: 1,
} satisfies Record<Exclude<keyof CreateServerOptions & keyof ServerOptions, 'hostname' | 'security' | 'secure' | 'starttls' | 'requireTls' | 'copyInput' | 'timeouts'>, 1>);

/** Default of `maxBufferedInput`, in bytes. */
const DEFAULT_MAX_BUFFERED_INPUT = 262_144;

/** The longest timeout a Node timer holds (2^31 - 1 ms); `Infinity` is no timer. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Checks the adapter's own options: numbers non-negative (NaN, negative, strings such as "1MB"
 * throw `ERR_SMTP_INVALID_OPTION` naming the option), flags boolean.
 */
function checkServerOptions(options: CreateServerOptions): void {
  const numeric: [string, unknown, boolean][] = [
    ['maxConnections', options.maxConnections, true],
    ['maxConnectionsPerClient', options.maxConnectionsPerClient, true],
    ['maxBufferedInput', options.maxBufferedInput, false],
    ['minDataRate', options.minDataRate, true],
    ['minDataRateGraceMs', options.minDataRateGraceMs, false],
  ];
  for (const [name, value, infinityOk] of numeric) {
    if (value === undefined) continue;
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `${name} must be a non-negative number, got ${typeof value === 'number' || typeof value === 'string' ? String(value) : typeof value}`);
    if (value === Infinity && !infinityOk) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `${name} must be finite`);
  }
  for (const [name, value, max] of [
    ['clientIpv4PrefixLength', options.clientIpv4PrefixLength, 32],
    ['clientIpv6PrefixLength', options.clientIpv6PrefixLength, 128],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= max)) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `${name} must be an integer from 0 to ${String(max)}, got ${String(value)}`);
  }
  // the adapter's own timeout; the core's are checked by the core (the same rules and messages)
  const timeouts: unknown = options.timeouts;
  if (typeof timeouts === 'object' && timeouts !== null && 'proxyHeader' in timeouts) {
    const value: unknown = (timeouts as { proxyHeader?: unknown }).proxyHeader;
    if (value !== undefined) {
      if (typeof value !== 'number' || Number.isNaN(value) || value < 0) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `timeouts.proxyHeader must be a non-negative number of ms, got ${typeof value === 'number' || typeof value === 'string' ? String(value) : typeof value}`);
      if (value !== Infinity && value > MAX_TIMER_MS) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `timeouts.proxyHeader must be at most ${String(MAX_TIMER_MS)} ms (or Infinity for no timer)`);
    }
  }
  for (const name of ['secure', 'starttls', 'proxyProtocol'] as const) {
    const value = options[name];
    if (value !== undefined && typeof value !== 'boolean') throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `${name} must be a boolean`);
  }
  if (options.isTrustedProxy !== undefined) {
    if (typeof options.isTrustedProxy !== 'function') throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', 'isTrustedProxy must be a function');
    // without the header it would guard nothing: a configuration that only looks safe
    if (options.proxyProtocol !== true) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', 'isTrustedProxy needs proxyProtocol: true');
  }
}

function tlsChoice(options: CreateServerOptions, tlsAvailable: boolean): { implicit: boolean; starttls: boolean; requireTls: boolean | undefined } {
  if (options.security === undefined) {
    // asked for TLS without the material for it: refused rather than served in plaintext
    for (const name of ['secure', 'starttls'] as const) {
      if (options[name] === true && !tlsAvailable) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `${name}: true needs tls (a certificate and key)`);
    }
    return { implicit: options.secure === true && tlsAvailable, starttls: tlsAvailable && (options.starttls ?? true), requireTls: options.requireTls };
  }
  const resolved = withTlsSecurity(options);
  if (options.security !== 'off' && !tlsAvailable) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `security '${options.security}' needs tls (a certificate and key)`);
  return { implicit: resolved.secure === true, starttls: resolved.starttls === true, requireTls: resolved.requireTls };
}

/**
 * Refuses a configuration under which no client could ever send mail, rather than answering every
 * MAIL with `530` for the life of the server: `requireTls` when no session can get TLS (no
 * STARTTLS offered, no implicit TLS), or `auth.required` when AUTH is never offered (it is offered
 * over TLS only, unless `auth.allowInsecure`) or can never succeed (no `onAuth`, or an empty
 * `auth.mechanisms`). `security: 'off'` with `requireTls` is refused as a
 * contradiction already (`withTlsSecurity`).
 */
function checkReachable(options: CreateServerOptions, tls: { implicit: boolean; starttls: boolean; requireTls: boolean | undefined }): void {
  // with no onAuth every AUTH is refused, with no mechanism every AUTH is 502: MAIL would get 530 for ever
  const required = (options.auth as { required?: unknown } | undefined)?.required === true;
  if (required && (typeof options.onAuth !== 'function' || options.auth?.mechanisms?.length === 0)) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', 'auth.required: true needs onAuth and at least one mechanism: no client could authenticate');
  if (tls.implicit || tls.starttls) return;
  if (tls.requireTls === true) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', 'requireTls: true needs STARTTLS offered (tls, starttls not false) or implicit TLS: no client could get past 530 5.7.0');
  const auth = options.auth as { required?: unknown; allowInsecure?: unknown } | undefined;
  if (auth?.required === true && auth.allowInsecure !== true) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', 'auth.required: true needs TLS (tls, STARTTLS offered or implicit) or auth.allowInsecure: AUTH is offered over TLS only, so no client could authenticate');
}

/** The options of one server, checked and resolved once (every session reads them). */
export interface ServerSettings {
  readonly hostname: string;
  /** `Infinity` for no limit. */
  readonly maxConnections: number;
  /** `Infinity` for no limit. */
  readonly maxConnectionsPerClient: number;
  /** Client addresses are counted by these networks (bits). */
  readonly clientIpv4PrefixLength: number;
  readonly clientIpv6PrefixLength: number;
  /** Bytes/s over a message body; `0` or `Infinity`: off. */
  readonly minDataRate: number;
  readonly minDataRateGraceMs: number;
  readonly maxBufferedInput: number;
  /** Sessions start in TLS (implicit TLS, port 465). */
  readonly implicitTls: boolean;
  /**
   * Bound on an implicit TLS handshake, before the session exists: `timeouts.tlsHandshake` when
   * given (0 or `Infinity`: none), else 60 s.
   */
  readonly implicitTlsHandshakeMs: number;
  /** Deadline for the PROXY header from the accept (`timeouts.proxyHeader`): 0 or `Infinity`: none. */
  readonly proxyHeaderTimeoutMs: number;
  /** The core options common to every session. */
  readonly core: ServerOptions;
}

/**
 * Checks `options` and works out the settings every session shares. Throws
 * `ERR_SMTP_INVALID_OPTION` (naming the option) for anything unusable, the core's options
 * included: at `createServer`, not at the first connection. The core options `options` inherits
 * (an `Object.create` base, a class's getters, in `timeouts` too) reach the core as its own ones do.
 */
export function resolveSettings(options: CreateServerOptions, tlsAvailable: boolean): ServerSettings {
  checkServerOptions(options);
  const tls = tlsChoice(options, tlsAvailable);
  checkReachable(options, tls);
  // the name as sessions write it (a bare IP address as its address literal), once the core has checked it
  let hostname = options.hostname ?? 'localhost';
  const autoAccept: PolicyPoint[] = ['data-start', 'xclient'];
  if (!options.onConnect) autoAccept.push('connect');
  if (!options.onHelo) autoAccept.push('helo');
  if (!options.onMailFrom) autoAccept.push('mail');
  if (!options.onRcptTo) autoAccept.push('rcpt');
  if (!options.onCommand) autoAccept.push('command');
  const {
    tls: _tls,
    security: _security,
    secure: _secure,
    starttls: _starttls,
    requireTls: _requireTls,
    maxConnections,
    maxConnectionsPerClient,
    clientIpv4PrefixLength,
    clientIpv6PrefixLength,
    proxyProtocol: _proxyProtocol,
    isTrusted: _isTrusted,
    isTrustedProxy: _isTrustedProxy,
    onConnect: _onConnect,
    onHelo: _onHelo,
    onAuth: _onAuth,
    onMailFrom: _onMailFrom,
    onRcptTo: _onRcptTo,
    onData: _onData,
    onVrfy,
    onCommand: _onCommand,
    onCommandStep: _onCommandStep,
    onClose: _onClose,
    onError: _onError,
    maxBufferedInput,
    minDataRate,
    minDataRateGraceMs,
    logger: _logger,
    transcript: _transcript,
    timeouts,
    ...own
  } = options;
  // a core option the caller's object inherits (a prototype's field, a class's getter) goes on as
  // an own one does (the adapter's own options above are read through the prototype already)
  const rest = inheritedFields(options, own, PASSED_ON) as typeof own;
  // the core knows its own timeouts only (it refuses another name): proxyHeader stays here
  let coreTimeouts: unknown = timeouts;
  let proxyHeaderTimeoutMs = DEFAULT_PROXY_HEADER_TIMEOUT_MS;
  if (typeof timeouts === 'object' && timeouts !== null && 'proxyHeader' in timeouts) {
    // every field, own or inherited, read once: proxyHeader taken out
    const others = inheritedFields(timeouts);
    const proxyHeader = others.proxyHeader as number | undefined;
    delete others.proxyHeader;
    if (proxyHeader !== undefined) proxyHeaderTimeoutMs = proxyHeader;
    coreTimeouts = others;
  }
  const core: ServerOptions = {
    ...rest,
    ...(coreTimeouts !== undefined ? { timeouts: coreTimeouts as Partial<ServerTimeouts> } : {}),
    hostname,
    copyInput: false,
    starttls: tls.starttls,
    ...(tls.requireTls !== undefined ? { requireTls: tls.requireTls } : {}),
    challenge: () => `<${randomBytes(8).toString('hex')}.${String(Date.now())}@${hostname}>`,
    autoAccept,
    ...(onVrfy ? { vrfy: 'policy' as const } : {}),
  };
  // the core options are checked now, not at the first connection, as a session of this server
  // has them (with implicit TLS each session starts secure, which requireTls alone needs)
  const checked = new ServerConnection({ ...core, secure: tls.implicit });
  hostname = checked.session.hostname;
  checked.dispose();
  return {
    hostname,
    maxConnections: maxConnections === 0 ? Infinity : (maxConnections ?? DEFAULT_MAX_CONNECTIONS),
    maxConnectionsPerClient: maxConnectionsPerClient === 0 ? Infinity : (maxConnectionsPerClient ?? DEFAULT_MAX_CONNECTIONS_PER_CLIENT),
    clientIpv4PrefixLength: clientIpv4PrefixLength ?? 32,
    clientIpv6PrefixLength: clientIpv6PrefixLength ?? DEFAULT_CLIENT_IPV6_PREFIX_LENGTH,
    minDataRate: minDataRate ?? DEFAULT_MIN_DATA_RATE,
    minDataRateGraceMs: minDataRateGraceMs ?? DEFAULT_MIN_DATA_RATE_GRACE_MS,
    maxBufferedInput: maxBufferedInput ?? DEFAULT_MAX_BUFFERED_INPUT,
    implicitTls: tls.implicit,
    implicitTlsHandshakeMs: options.timeouts?.tlsHandshake ?? 60_000,
    proxyHeaderTimeoutMs,
    core: { ...core, hostname },
  };
}
