/** Per-phase timeouts as data (RFC 5321 §4.5.3.2): the adapter arms them, the machine reacts. */

/**
 * The timer phases of the client. `data-block` is re-armed for every body chunk written.
 *
 * @example
 * const phase: TimeoutPhase = 'data-done';
 * @see RFC 5321 §4.5.3.2
 */
export type TimeoutPhase =
  | 'greeting'
  | 'ehlo'
  | 'starttls'
  | 'tls-handshake'
  | 'auth'
  | 'command'
  | 'mail'
  | 'rcpt'
  | 'data-init'
  | 'data-block'
  | 'data-done'
  | 'rset'
  | 'quit'
  | 'idle';

/**
 * Timeouts in milliseconds per phase.
 *
 * @example
 * new ClientConnection({ timeouts: { greeting: 30_000 } });
 * @see RFC 5321 §4.5.3.2
 */
export type ClientTimeouts = Readonly<Record<TimeoutPhase, number>>;

/**
 * RFC 5321 §4.5.3.2 minimums (Postfix uses the same values): 5 min for the greeting and every
 * command, 2 min for DATA initiation, 3 min per data block, 10 min after the final dot. `idle`
 * (waiting for the next message on a reused connection, then QUIT) is 60 s; set 0 to disable.
 *
 * @example
 * DEFAULT_TIMEOUTS['data-done']; // 600000
 * @see RFC 5321 §4.5.3.2.1-§4.5.3.2.6
 */
export const DEFAULT_TIMEOUTS: ClientTimeouts = Object.freeze({
  greeting: 300_000,
  ehlo: 300_000,
  starttls: 300_000,
  'tls-handshake': 300_000,
  auth: 300_000,
  command: 300_000,
  mail: 300_000,
  rcpt: 300_000,
  'data-init': 120_000,
  'data-block': 180_000,
  'data-done': 600_000,
  rset: 300_000,
  quit: 300_000,
  idle: 60_000,
});

/**
 * What the adapter must arm: fire `handleTimeout(id)` after `ms` unless `pendingTimeout()` has
 * changed its `id` by then.
 *
 * @example
 * // In the adapter (src/node/ or your own host code), with the host's timer function `schedule`:
 * const t = conn.pendingTimeout(); if (t) schedule(() => conn.handleTimeout(t.id), t.ms);
 * @see RFC 5321 §4.5.3.2
 */
export interface PendingTimeout {
  readonly phase: TimeoutPhase;
  readonly ms: number;
  /** Changes whenever the timer is re-armed (a new command, a reply, a body chunk). */
  readonly id: number;
}
