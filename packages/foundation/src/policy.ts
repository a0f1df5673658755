/**
 * Vocabulary shared by both state machines and the CLI, so the same idea has the same name on
 * both sides.
 */

/**
 * What to do with a bare CR or bare LF in message data (RFC 5321 §2.3.8 forbids them on the wire):
 * `'reject'` refuses the message, `'normalize'` turns each into CRLF. A client may also
 * `'replace'` them with a space (a server cannot: it must not alter the content it accepts).
 *
 * @example
 * ```ts
 * const policy: BareLineEndingPolicy = 'normalize';
 * ```
 * @see RFC 5321 §2.3.8, §4.1.1.4
 */
export type BareLineEndingPolicy = 'reject' | 'normalize' | 'replace';

/** Every {@link BareLineEndingPolicy}, for checking an option at run time. */
export const BARE_LINE_ENDING_POLICIES: readonly BareLineEndingPolicy[] = Object.freeze(['normalize', 'replace', 'reject']);

/**
 * TLS for a connection, one vocabulary for the client, the server and the CLI:
 * `'off'` never, `'opportunistic'` STARTTLS when offered, `'required'` STARTTLS or fail,
 * `'implicit'` TLS from the first byte (port 465, RFC 8314).
 *
 * @example
 * ```ts
 * const security: TlsSecurity = 'required';
 * ```
 * @see RFC 3207, RFC 8314 §3
 */
export type TlsSecurity = 'off' | 'opportunistic' | 'required' | 'implicit';

/** Every {@link TlsSecurity}, for checking an option at run time. */
export const TLS_SECURITY_LEVELS: readonly TlsSecurity[] = Object.freeze(['off', 'opportunistic', 'required', 'implicit']);

/**
 * The timer contract of both sans-IO cores: after each input, ask `pendingTimeout()`; arm a timer
 * for `ms` when its `id` changed (replacing the previous one); when it fires, call
 * `handleTimeout(id)`. A stale id (a timer that should have been replaced) is ignored, so a host
 * that cannot cancel timers cannot hurt the session.
 *
 * @example
 * ```ts
 * const t = conn.pendingTimeout();
 * if (t && t.id !== armed) { armed = t.id; schedule(() => conn.handleTimeout(t.id), t.ms); }
 * ```
 * @see RFC 5321 §4.5.3.2
 */
export interface PendingTimeout<Name extends string = string> {
  /** Which timer (the same name as its key in the `timeouts` option). */
  readonly name: Name;
  readonly ms: number;
  /** Changes whenever the timer is re-armed. */
  readonly id: number;
}
