/** Timers as data (RFC 5321 §4.5.3.2): the adapter arms them, the machine reacts. */
import type { PendingTimeout } from '@smtpkit/foundation';

/**
 * The client's timers; each name is also its key in the `timeouts` option and the `name` of
 * `pendingTimeout()`. `dataBlock` is re-armed for every body chunk written.
 *
 * @example
 * const name: ClientTimerName = 'dataDone';
 * @see RFC 5321 §4.5.3.2
 */
export type ClientTimerName =
  | 'greeting'
  | 'ehlo'
  | 'starttls'
  | 'tlsHandshake'
  | 'auth'
  | 'command'
  | 'mail'
  | 'rcpt'
  | 'dataInit'
  | 'dataBlock'
  | 'dataDone'
  | 'rset'
  | 'quit'
  | 'idle';

/**
 * Timeouts in milliseconds per timer (0 disables one).
 *
 * @example
 * new ClientConnection({ timeouts: { greeting: 30_000, dataDone: 300_000 } });
 * @see RFC 5321 §4.5.3.2
 */
export type ClientTimeouts = Readonly<Record<ClientTimerName, number>>;

/**
 * RFC 5321 §4.5.3.2 minimums (Postfix uses the same values): 5 min for the greeting and every
 * command, 2 min for DATA initiation, 3 min per data block, 10 min after the final dot. `idle`
 * (waiting for the next message on a reused connection, then QUIT) is 60 s.
 *
 * @example
 * DEFAULT_TIMEOUTS.dataDone; // 600000
 * @see RFC 5321 §4.5.3.2.1-§4.5.3.2.6
 */
export const DEFAULT_TIMEOUTS: ClientTimeouts = Object.freeze({
  greeting: 300_000,
  ehlo: 300_000,
  starttls: 300_000,
  tlsHandshake: 300_000,
  auth: 300_000,
  command: 300_000,
  mail: 300_000,
  rcpt: 300_000,
  dataInit: 120_000,
  dataBlock: 180_000,
  dataDone: 600_000,
  rset: 300_000,
  quit: 300_000,
  idle: 60_000,
});

/**
 * What the adapter arms: fire `handleTimeout(id)` after `ms` unless `pendingTimeout()` has changed
 * its `id` by then (the shared smtpkit timer contract).
 *
 * @example
 * const t = conn.pendingTimeout(); if (t) schedule(() => conn.handleTimeout(t.id), t.ms);
 * @see RFC 5321 §4.5.3.2
 */
export type ClientPendingTimeout = PendingTimeout<ClientTimerName>;
