/**
 * The per-session settings a server hands to ExtensionRegistry.advertise(): what the session can
 * offer right now (TLS state, authentication, configured limits).
 */

import type { FutureRelease, ServerLimits } from './capabilities.js';

/**
 * What a server session can offer when it answers EHLO. Built-in extensions read these fields;
 * custom extensions may read any extra field of a subtype (`ExtensionRegistry<MySession>`).
 *
 * | field | advertises |
 * |---|---|
 * | `maxSize` | `SIZE n` (`SIZE` alone for 0 = no fixed limit); not advertised when undefined |
 * | `startTls` + `tls` | `STARTTLS` only when `startTls` and not yet `tls` |
 * | `authMechanisms`, `authenticated`, `tls`, `authBeforeTls` | `AUTH mechs` when not yet authenticated and (`tls` or `authBeforeTls`) |
 * | `requireTls` + `tls` | `REQUIRETLS` only after TLS |
 * | `limits` | `LIMITS RCPTMAX=.. MAILMAX=.. RCPTDOMAINMAX=..` |
 * | `xclient`, `xforward` | `XCLIENT attrs`, `XFORWARD attrs` (give them only to authorised clients) |
 * | `deliverBy`, `mtPriority`, `futureRelease`, `burl`, `noSoliciting` | the matching keyword with its values |
 * | `enable` | opt-in keywords without settings: `VRFY`, `EXPN`, `ETRN`, `ATRN`, `HELP`, `BINARYMIME`, `MTRK`, `CONPERM`, `CONNEG`, `RRVS`, custom ones |
 * | `hide` | keywords discarded for this session (Postfix `smtpd_discard_ehlo_keywords`) |
 *
 * PIPELINING, 8BITMIME, ENHANCEDSTATUSCODES, SMTPUTF8, CHUNKING and DSN are on unless hidden.
 * The flags `tls`, `startTls`, `authenticated`, `authBeforeTls` and `requireTls` take `true`,
 * `false` or `undefined`; anything else (`'no'`, `1`) is `ERR_SMTP_INVALID_OPTION` from `advertise()`.
 *
 * @example
 * ```ts
 * const session: SessionSettings = { tls: false, startTls: true, maxSize: 10_240_000, authMechanisms: ['PLAIN'] };
 * registry.advertise(session); // ['PIPELINING', 'SIZE 10240000', 'STARTTLS', ...] (no AUTH before TLS)
 * ```
 * @see RFC 5321 §4.1.1.1
 */
export interface SessionSettings {
  /** The connection is protected by TLS now (implicit TLS or after STARTTLS). */
  readonly tls?: boolean;
  /** The server can offer STARTTLS (has a certificate); advertised only while `tls` is false. */
  readonly startTls?: boolean;
  /** The client has authenticated (AUTH is then no longer advertised). */
  readonly authenticated?: boolean;
  /** SASL mechanisms to offer, e.g. `['PLAIN', 'LOGIN']`. */
  readonly authMechanisms?: readonly string[];
  /** Offer AUTH on a connection without TLS (default false: RFC 4954 §4 plaintext-password advice). */
  readonly authBeforeTls?: boolean;
  /** Maximum message size in bytes for SIZE (0 = no fixed limit). */
  readonly maxSize?: number;
  /** Offer REQUIRETLS (only on a TLS connection, RFC 8689 §4.1). */
  readonly requireTls?: boolean;
  /** Values for LIMITS (RFC 9422). */
  readonly limits?: ServerLimits;
  /** XCLIENT attribute names to offer (Postfix XCLIENT_README). */
  readonly xclient?: readonly string[];
  /** XFORWARD attribute names to offer (Postfix XFORWARD_README). */
  readonly xforward?: readonly string[];
  /** DELIVERBY minimum by-time in seconds (0 = none given; at most 999999999, RFC 2852's `1*9DIGIT`). */
  readonly deliverBy?: number;
  /** MT-PRIORITY profile name (`''` = none given), printable ASCII without spaces. */
  readonly mtPriority?: string;
  /** FUTURERELEASE values: `maxInterval` seconds of at most 9 digits (RFC 4865's `1*9DIGIT`), `maxDateTime` an RFC 3339 date-time that exists (not 31 February, not 24:00), else `ERR_SMTP_INVALID_OPTION`. */
  readonly futureRelease?: { readonly maxInterval: number; readonly maxDateTime: string } | FutureRelease;
  /** BURL URL types (e.g. `['imap']`; `[]` advertises BURL alone). */
  readonly burl?: readonly string[];
  /** NO-SOLICITING solicitation keywords (`[]` advertises the keyword alone). */
  readonly noSoliciting?: readonly string[];
  /** Opt-in keywords to advertise (case-insensitive). */
  readonly enable?: Iterable<string>;
  /** Keywords to discard for this session (case-insensitive). */
  readonly hide?: Iterable<string>;
}
