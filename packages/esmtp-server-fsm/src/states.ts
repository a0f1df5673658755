/**
 * Session states, their legacy numbers and the transition table (the single source of truth: the
 * session refuses any move that is not in `SERVER_TRANSITIONS`).
 */

/**
 * Readable session states.
 *
 * @example
 * ```ts
 * if (conn.phase === 'reading-body') { ... }
 * ```
 * @see RFC 5321 §4.1.4 (command order)
 */
export type ServerState =
  | 'connect'
  | 'rejected'
  | 'awaiting-helo'
  | 'helo-decision'
  | 'awaiting-mail'
  | 'mail-decision'
  | 'awaiting-rcpt'
  | 'rcpt-decision'
  | 'data-decision'
  | 'reading-body'
  | 'reading-bdat'
  | 'message-decision'
  | 'auth'
  | 'auth-decision'
  | 'awaiting-tls'
  | 'command-decision'
  | 'closed';

/**
 * Legacy numeric state of each readable state (the `MC_STATE_*` numbers, momentum-api §2.4/§5.1);
 * -1 for states the legacy machine had no number for (`stateName(-1)` is "unknown").
 *
 * @example
 * ```ts
 * LEGACY_STATE_NUMBERS['reading-body']; // 9
 * ```
 * @see RFC 5321 §4.1.4
 */
export const LEGACY_STATE_NUMBERS: Readonly<Record<ServerState, number>> = Object.freeze({
  connect: 0,
  rejected: 13,
  'awaiting-helo': 2,
  'helo-decision': 3,
  'awaiting-mail': 4,
  'mail-decision': 5,
  'awaiting-rcpt': 6,
  'rcpt-decision': 7,
  'data-decision': 8,
  'reading-body': 9,
  'reading-bdat': 9,
  'message-decision': 10,
  auth: 14,
  'auth-decision': 14,
  'awaiting-tls': 15,
  'command-decision': 16,
  closed: -1,
});

const LEGACY_NAMES: readonly string[] = [
  'just connected',
  'sending banner',
  'awaiting ehlo/helo',
  'sending ehlo/helo response',
  'awaiting mailfrom',
  'sending mailfrom response',
  'awaiting rcptto',
  'sending rcptto response',
  'data phase',
  'reading body',
  'sending body response',
  'async body handler',
  'async body response',
  'relaying denied',
  'extension 1',
  'extension 2',
  'extension 3',
  'extension 4',
  'concurrency limit',
  'rcptto list response',
  'rcptto list final response',
  'esmtp setup phase',
];

/**
 * The legacy name of a numeric state (`esmtp_message_factory_state`): "just connected" for 0 ...
 * "esmtp setup phase" for 21, "unknown" for anything else.
 *
 * @example
 * ```ts
 * stateName(conn.state); // "awaiting mailfrom"
 * ```
 * @see RFC 5321 §4.1.4
 */
export function stateName(state: number): string {
  return Number.isInteger(state) && state >= 0 && state < LEGACY_NAMES.length ? LEGACY_NAMES[state]! : 'unknown';
}

/**
 * One row of the transition table.
 *
 * @example
 * ```ts
 * const row: ServerTransition = { from: 'awaiting-mail', on: 'MAIL', to: 'mail-decision' };
 * ```
 * @see RFC 5321 §4.1.4
 */
export interface ServerTransition {
  readonly from: ServerState;
  /** A command verb (upper case) or an event (lower case: `accept`, `reject`, `eof`, ...). */
  readonly on: string;
  readonly to: ServerState;
}

const CMD: readonly ServerState[] = ['awaiting-helo', 'awaiting-mail', 'awaiting-rcpt'];
const rows: ServerTransition[] = [
  { from: 'connect', on: 'accept', to: 'awaiting-helo' },
  { from: 'connect', on: 'reject', to: 'rejected' },
  { from: 'connect', on: 'reject-421', to: 'closed' },
  { from: 'rejected', on: 'QUIT', to: 'closed' },
  ...CMD.map((from): ServerTransition => ({ from, on: 'HELO/EHLO/LHLO', to: 'helo-decision' })),
  { from: 'helo-decision', on: 'accept', to: 'awaiting-mail' },
  ...CMD.map((to): ServerTransition => ({ from: 'helo-decision', on: 'reject', to })),
  { from: 'awaiting-mail', on: 'AUTH', to: 'auth' },
  { from: 'awaiting-mail', on: 'AUTH', to: 'auth-decision' },
  { from: 'auth', on: 'response', to: 'auth' },
  { from: 'auth', on: 'response', to: 'auth-decision' },
  { from: 'auth', on: 'cancel', to: 'awaiting-mail' },
  { from: 'auth-decision', on: 'accept', to: 'awaiting-mail' },
  { from: 'auth-decision', on: 'reject', to: 'awaiting-mail' },
  { from: 'auth-decision', on: 'reject', to: 'auth' },
  { from: 'auth', on: 'response', to: 'awaiting-mail' },
  { from: 'awaiting-helo', on: 'STARTTLS', to: 'awaiting-tls' },
  { from: 'awaiting-mail', on: 'STARTTLS', to: 'awaiting-tls' },
  { from: 'awaiting-tls', on: 'tls-established', to: 'awaiting-helo' },
  { from: 'awaiting-mail', on: 'MAIL', to: 'mail-decision' },
  { from: 'mail-decision', on: 'accept', to: 'awaiting-rcpt' },
  { from: 'mail-decision', on: 'reject', to: 'awaiting-mail' },
  { from: 'awaiting-rcpt', on: 'RCPT', to: 'rcpt-decision' },
  { from: 'rcpt-decision', on: 'accept', to: 'awaiting-rcpt' },
  { from: 'rcpt-decision', on: 'reject', to: 'awaiting-rcpt' },
  { from: 'awaiting-rcpt', on: 'DATA', to: 'data-decision' },
  { from: 'awaiting-rcpt', on: 'BDAT', to: 'data-decision' },
  { from: 'data-decision', on: 'accept', to: 'reading-body' },
  { from: 'data-decision', on: 'accept', to: 'reading-bdat' },
  { from: 'data-decision', on: 'reject', to: 'awaiting-rcpt' },
  { from: 'data-decision', on: 'reject', to: 'reading-bdat' },
  { from: 'reading-body', on: 'end-of-data', to: 'message-decision' },
  { from: 'message-decision', on: 'abort', to: 'awaiting-mail' },
  ...CMD.map((from): ServerTransition => ({ from, on: 'BDAT', to: 'reading-bdat' })),
  ...CMD.map((to): ServerTransition => ({ from: 'reading-bdat', on: 'chunk-end', to })),
  { from: 'reading-bdat', on: 'last', to: 'message-decision' },
  { from: 'message-decision', on: 'answer', to: 'awaiting-mail' },
  { from: 'awaiting-rcpt', on: 'RSET', to: 'awaiting-mail' },
  ...CMD.map((from): ServerTransition => ({ from, on: 'VRFY/EXPN/custom', to: 'command-decision' })),
  ...CMD.map((to): ServerTransition => ({ from: 'command-decision', on: 'answer', to })),
  { from: 'awaiting-helo', on: 'XCLIENT', to: 'command-decision' },
  { from: 'awaiting-mail', on: 'XCLIENT', to: 'command-decision' },
  ...(['connect', 'rejected', ...CMD, 'helo-decision', 'mail-decision', 'rcpt-decision', 'data-decision', 'reading-body', 'reading-bdat', 'message-decision', 'auth', 'auth-decision', 'awaiting-tls', 'command-decision'] as const).flatMap(
    (from): ServerTransition[] => [
      { from, on: 'close', to: 'closed' },
    ],
  ),
  ...CMD.map((from): ServerTransition => ({ from, on: 'QUIT', to: 'closed' })),
];

/**
 * The transition table. `on` is a command verb (upper case) or an event; `close` covers QUIT,
 * timeouts, end of input, too many errors and synchronization violations. Rendered as the state
 * diagram of the README.
 *
 * @example
 * ```ts
 * SERVER_TRANSITIONS.filter((t) => t.from === 'awaiting-mail');
 * ```
 * @see RFC 5321 §4.1.4, RFC 3030 §2, RFC 3207 §4.2, RFC 4954 §4
 */
export const SERVER_TRANSITIONS: readonly ServerTransition[] = Object.freeze(rows.map((r) => Object.freeze(r)));
