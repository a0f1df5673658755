/**
 * Limits, timeouts and policies of a server session, with their exported defaults.
 */

/**
 * Size and count limits. Every limit counts bytes (UTF-8), never string length.
 *
 * | limit | default | RFC minimum | Postfix | Exim |
 * |---|---|---|---|---|
 * | maxCommandLine | 512 | 512 (RFC 5321 §4.5.3.1.4) | 2048 | 16384 |
 * | maxAuthLine | 12288 | 12288 (RFC 4954 §4) | 12288 | 16384 |
 * | maxRecipients | 1000 | 100 (RFC 5321 §4.5.3.1.8) | 1000 | 50000 |
 * | maxMessageSize | 10240000 | 65536 (RFC 5321 §4.5.3.1.7) | 10240000 | 50M |
 * | softErrorLimit | 10 (then each reply waits `timeouts.errorDelay`) | - | 10 | - |
 * | hardErrorLimit | 20 | - | 20 | 3 |
 * | junkCommandLimit | 100 | - | 100 | 10 |
 * | maxLocalPart / maxDomain / maxPath | 64 / 255 / 256 | same (§4.5.3.1.1-3) | - | - |
 * | maxPendingOutput | 65536 | - | - | - |
 * | maxUnauthenticatedCommands | 10 (only with `auth.required`) | - | - | - |
 *
 * @example
 * ```ts
 * const limits: Partial<ServerLimits> = { maxRecipients: 500 };
 * ```
 * @see RFC 5321 §4.5.3.1
 */
export interface ServerLimits {
  /**
   * Longest command line, CRLF included. Never below 512. MAIL and RCPT lines may be longer by
   * what the advertised extensions add to them (SIZE, DSN, AUTH, SMTPUTF8: RFC 5321 §4.5.3.1.4).
   */
  readonly maxCommandLine: number;
  /** Longest AUTH command or SASL response line, CRLF included. */
  readonly maxAuthLine: number;
  /**
   * Recipients per transaction; more get `452 4.5.3` (the client sends them in another
   * transaction). Never below 100. As Postfix's `smtpd_recipient_overshoot_limit`, only RCPTs past
   * twice this many in one transaction count as errors (`hardErrorLimit`).
   */
  readonly maxRecipients: number;
  /** Largest message content in bytes, counted while streaming (0 = no limit). */
  readonly maxMessageSize: number;
  /**
   * Errors after which every further error reply is held for `timeouts.errorDelay` (a tarpit,
   * Postfix `smtpd_soft_error_limit`); input waits meanwhile. 0 turns the delay off.
   */
  readonly softErrorLimit: number;
  /** Errors (negative replies to commands) before `421 4.7.0` and close. */
  readonly hardErrorLimit: number;
  /** NOOP/RSET/VRFY/EXPN/HELP commands per message before they count as errors. */
  readonly junkCommandLimit: number;
  readonly maxLocalPart: number;
  readonly maxDomain: number;
  readonly maxPath: number;
  /** Unsent reply bytes above which input processing pauses (pipelining flood, DOS-6). */
  readonly maxPendingOutput: number;
  /** Commands allowed before a successful AUTH when `auth.required` is on, then `421 4.7.0` (smtp-server: 10). */
  readonly maxUnauthenticatedCommands: number;
}

/**
 * Default limits.
 *
 * @example
 * ```ts
 * new ServerConnection({ limits: { ...DEFAULT_LIMITS, maxMessageSize: 50_000_000 } });
 * ```
 * @see RFC 5321 §4.5.3.1
 */
export const DEFAULT_LIMITS: ServerLimits = Object.freeze({
  maxCommandLine: 512,
  maxAuthLine: 12288,
  maxRecipients: 1000,
  maxMessageSize: 10_240_000,
  softErrorLimit: 10,
  hardErrorLimit: 20,
  junkCommandLimit: 100,
  maxLocalPart: 64,
  maxDomain: 255,
  maxPath: 256,
  maxPendingOutput: 65536,
  maxUnauthenticatedCommands: 10,
});

/**
 * Timer names reported by `pendingTimeout()`: the keys of `ServerTimeouts` they take their value from.
 *
 * @example
 * ```ts
 * const t = conn.pendingTimeout(); if (t?.name === 'dataBlock') ...
 * ```
 * @see RFC 5321 §4.5.3.2
 */
export type ServerTimer = 'command' | 'dataBlock' | 'tlsHandshake' | 'errorDelay';

/**
 * Timeouts in milliseconds (RFC 5321 §4.5.3.2): `command` is §4.5.3.2.7 (server waiting for the
 * next command, at least 5 minutes), `dataBlock` §4.5.3.2.5 (each block of data, 3 minutes),
 * `tlsHandshake` Postfix `smtpd_starttls_timeout` (300 s). `errorDelay` is not a timeout but the
 * tarpit pause before an error reply once `limits.softErrorLimit` is reached (Postfix
 * `smtpd_error_sleep_time`, 1 s; 0 turns it off): `pendingTimeout()` reports it as `errorDelay`.
 * `commandLine` and `dataPhase` are deadlines that do not restart on input
 * (`pendingDeadline()`). Every value is a number of ms; 0 or `Infinity` means no timer (except
 * `errorDelay`, where 0 turns the tarpit off and `Infinity` is refused).
 *
 * @example
 * ```ts
 * const timeouts: Partial<ServerTimeouts> = { command: 60_000 };
 * ```
 * @see RFC 5321 §4.5.3.2
 */
export interface ServerTimeouts {
  readonly command: number;
  readonly dataBlock: number;
  readonly tlsHandshake: number;
  readonly errorDelay: number;
  /**
   * Deadline for one command line (or SASL response line), measured from its first byte to its
   * CRLF, whatever the client sends meanwhile: a trickle cannot keep a session (reported by
   * `pendingDeadline()` as `commandLine`). Default 60 s.
   */
  readonly commandLine: number;
  /**
   * Deadline for the whole DATA or BDAT phase of one message, from its first byte (the first after
   * the 354, or after the line of the first BDAT: read, or already waiting in the input) to its end
   * of data, whatever the client sends meanwhile (`dataPhase`); and for a custom verb's block, from
   * its first byte to its end. The wait before that byte is not charged here: the idle `dataBlock`
   * timeout bounds it. Default 30 minutes.
   */
  readonly dataPhase: number;
}

/**
 * Deadline names reported by `pendingDeadline()`: the keys of `ServerTimeouts` they take their value from.
 *
 * @example
 * ```ts
 * const d = conn.pendingDeadline(); if (d?.name === 'dataPhase') ...
 * ```
 * @see RFC 5321 §4.5.3.2
 */
export type ServerDeadline = 'commandLine' | 'dataPhase';

/**
 * Default timeouts (RFC 5321 §4.5.3.2 values).
 *
 * @example
 * ```ts
 * new ServerConnection({ timeouts: { command: 10_000 } }); // an overload profile
 * ```
 * @see RFC 5321 §4.5.3.2
 */
export const DEFAULT_TIMEOUTS: ServerTimeouts = Object.freeze({
  command: 300_000,
  dataBlock: 180_000,
  tlsHandshake: 300_000,
  errorDelay: 1000,
  commandLine: 60_000,
  dataPhase: 1_800_000,
});
