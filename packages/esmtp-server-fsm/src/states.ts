/**
 * Session states, their legacy numbers and the transition table. The table is the single source of
 * truth: the session asks it for the target of every move (`nextState`) and refuses, with a typed
 * `ERR_SMTP_INVALID_TRANSITION`, any move that is not in it.
 */
import { SmtpServerError } from './errors.js';

/**
 * Readable session states.
 *
 * @example
 * ```ts
 * if (conn.state === 'reading-body') { ... }
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
  | 'extension'
  | 'closed';

/**
 * The legacy server state numbers (`MC_STATE_*` of the C API), by name. `stage` on a session and
 * {@link LEGACY_STATE_NUMBERS} give these numbers; {@link stateName} turns one back into the C
 * API's text.
 *
 * @example
 * ```ts
 * if (conn.stage === MC_STATE_BODY) console.log('receiving a message');
 * ```
 */
export const MC_STATE_START = 0;
/** @see {@link MC_STATE_START} */
export const MC_STATE_START_RESPONSE = 1;
/** @see {@link MC_STATE_START} */
export const MC_STATE_EHLO = 2;
/** @see {@link MC_STATE_START} */
export const MC_STATE_EHLO_RESPONSE = 3;
/** @see {@link MC_STATE_START} */
export const MC_STATE_MAILFROM = 4;
/** @see {@link MC_STATE_START} */
export const MC_STATE_MAILFROM_RESPONSE = 5;
/** @see {@link MC_STATE_START} */
export const MC_STATE_RCPTTO = 6;
/** @see {@link MC_STATE_START} */
export const MC_STATE_RCPTTO_RESPONSE = 7;
/** @see {@link MC_STATE_START} */
export const MC_STATE_DATA = 8;
/** @see {@link MC_STATE_START} */
export const MC_STATE_BODY = 9;
/** @see {@link MC_STATE_START} */
export const MC_STATE_BODY_RESPONSE = 10;
/** @see {@link MC_STATE_START} */
export const MC_STATE_ASYNC_BODY_RESPONSE = 11;
/** @see {@link MC_STATE_START} */
export const MC_STATE_OK = 12;
/** @see {@link MC_STATE_START} */
export const MC_STATE_RELAYING_DENIED = 13;
/** @see {@link MC_STATE_START} */
export const MC_STATE_EXTENSION_1 = 14;
/** @see {@link MC_STATE_START} */
export const MC_STATE_EXTENSION_2 = 15;
/** @see {@link MC_STATE_START} */
export const MC_STATE_EXTENSION_3 = 16;
/** @see {@link MC_STATE_START} */
export const MC_STATE_EXTENSION_4 = 17;
/** @see {@link MC_STATE_START} */
export const MC_STATE_CONCURRENCY_LIMIT = 18;
/** @see {@link MC_STATE_START} */
export const MC_STATE_RCPTTO_LIST_RESPONSE = 19;
/** @see {@link MC_STATE_START} */
export const MC_STATE_RCPTTO_LIST_FINAL_RESPONSE = 20;
/** @see {@link MC_STATE_START} */
export const MC_STATE_SETUP = 21;
/** @see {@link MC_STATE_START} */
export const MC_STATE_MCMT_FIXUP = 22;
/** How many legacy state numbers there are. */
export const MC_STATE_COUNT = 23;

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
  connect: MC_STATE_START,
  rejected: MC_STATE_RELAYING_DENIED,
  'awaiting-helo': MC_STATE_EHLO,
  'helo-decision': MC_STATE_EHLO_RESPONSE,
  'awaiting-mail': MC_STATE_MAILFROM,
  'mail-decision': MC_STATE_MAILFROM_RESPONSE,
  'awaiting-rcpt': MC_STATE_RCPTTO,
  'rcpt-decision': MC_STATE_RCPTTO_RESPONSE,
  'data-decision': MC_STATE_DATA,
  'reading-body': MC_STATE_BODY,
  'reading-bdat': MC_STATE_BODY,
  'message-decision': MC_STATE_BODY_RESPONSE,
  auth: MC_STATE_EXTENSION_1,
  'auth-decision': MC_STATE_EXTENSION_1,
  'awaiting-tls': MC_STATE_EXTENSION_2,
  'command-decision': MC_STATE_EXTENSION_3,
  extension: MC_STATE_EXTENSION_4,
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
 * stateName(conn.stage); // "awaiting mailfrom"
 * ```
 * @see RFC 5321 §4.1.4
 */
export function stateName(state: number): string {
  return Number.isInteger(state) && state >= 0 && state < LEGACY_NAMES.length ? LEGACY_NAMES[state]! : 'unknown';
}

/**
 * What moves the session from one state to another: a command verb (upper case) or an event
 * (lower case).
 *
 * | label | meaning |
 * |---|---|
 * | `accept` / `reject` | the application answered the pending decision |
 * | `answer` | the application answered a decision whose reply does not change the course (message end, VRFY/EXPN, a custom verb) |
 * | `HELO` | HELO, EHLO or LHLO |
 * | `sasl-challenge` / `sasl-done` | a SASL step sent a 334 challenge / produced credentials |
 * | `cancel` | the SASL exchange ended without credentials (cancel, bad base64, mechanism failure, overflow), or a custom verb's exchange failed (line too long, block too large) |
 * | `read-chunk` | a BDAT chunk is read (a later chunk of the message, or a refused one whose bytes are skipped) |
 * | `chunk-end` | a BDAT chunk was read and the transaction goes on |
 * | `chunk-refused` | a refused BDAT chunk was skipped outside a transaction |
 * | `abort` | the message ended without a decision (too large, bare line endings, refused chunk) |
 * | `end-of-data` / `last` | the DATA terminator / the end of the BDAT LAST chunk |
 * | `command` | VRFY, EXPN or a custom verb waits for its decision |
 * | `continue` | a custom verb's exchange goes on (a continuation line or a data block is read) |
 * | `read-block` | the block that follows a custom verb's line (its `blockLength`) is read and skipped: the verb was refused, or answered with a final reply |
 * | `xclient-reset` | an accepted XCLIENT restarts the session |
 * | `close` | the session ends (QUIT, timeout, end of input, too many errors, a 421...) |
 *
 * @example
 * ```ts
 * const on: ServerTransitionLabel = 'MAIL';
 * ```
 * @see RFC 5321 §4.1.4
 */
export type ServerTransitionLabel =
  | 'accept'
  | 'reject'
  | 'answer'
  | 'HELO'
  | 'MAIL'
  | 'RCPT'
  | 'DATA'
  | 'BDAT'
  | 'RSET'
  | 'QUIT'
  | 'STARTTLS'
  | 'XCLIENT'
  | 'tls-established'
  | 'sasl-challenge'
  | 'sasl-done'
  | 'cancel'
  | 'read-chunk'
  | 'chunk-end'
  | 'chunk-refused'
  | 'abort'
  | 'end-of-data'
  | 'last'
  | 'command'
  | 'continue'
  | 'read-block'
  | 'xclient-reset'
  | 'close';

/**
 * Where a move leads: a state, or `resume`, the command state (`awaiting-helo`, `awaiting-mail` or
 * `awaiting-rcpt`) the session was in when the command that led to the current state arrived.
 * `resume` is the one target the table cannot fix, because HELO, VRFY, EXPN, custom verbs and a
 * refused BDAT chunk are valid in all three command states and return to the one they came from.
 *
 * @example
 * ```ts
 * const t: ServerTransitionTarget = 'resume';
 * ```
 * @see RFC 5321 §4.1.4
 */
export type ServerTransitionTarget = ServerState | 'resume';

/**
 * One row of the transition table: in state `from`, `on` leads to `to`. Each (`from`, `on`) pair
 * appears at most once.
 *
 * @example
 * ```ts
 * const row: ServerTransition = { from: 'awaiting-mail', on: 'MAIL', to: 'mail-decision' };
 * ```
 * @see RFC 5321 §4.1.4
 */
export interface ServerTransition {
  readonly from: ServerState;
  readonly on: ServerTransitionLabel;
  readonly to: ServerTransitionTarget;
}

const CMD = ['awaiting-helo', 'awaiting-mail', 'awaiting-rcpt'] as const;
const each = (from: readonly ServerState[], on: ServerTransitionLabel, to: ServerTransitionTarget): ServerTransition[] => from.map((f) => ({ from: f, on, to }));
const rows: ServerTransition[] = [
  { from: 'connect', on: 'accept', to: 'awaiting-helo' },
  { from: 'connect', on: 'reject', to: 'rejected' },
  { from: 'rejected', on: 'QUIT', to: 'closed' },
  ...each(CMD, 'HELO', 'helo-decision'),
  { from: 'helo-decision', on: 'accept', to: 'awaiting-mail' },
  { from: 'helo-decision', on: 'reject', to: 'resume' },
  { from: 'awaiting-mail', on: 'sasl-challenge', to: 'auth' },
  { from: 'awaiting-mail', on: 'sasl-done', to: 'auth-decision' },
  { from: 'auth', on: 'sasl-challenge', to: 'auth' },
  { from: 'auth', on: 'sasl-done', to: 'auth-decision' },
  { from: 'auth', on: 'cancel', to: 'awaiting-mail' },
  // the client answered the mechanism's error challenge (XOAUTH2): the rejection follows
  { from: 'auth', on: 'reject', to: 'awaiting-mail' },
  { from: 'auth-decision', on: 'accept', to: 'awaiting-mail' },
  { from: 'auth-decision', on: 'reject', to: 'awaiting-mail' },
  { from: 'auth-decision', on: 'sasl-challenge', to: 'auth' },
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
  { from: 'data-decision', on: 'reject', to: 'awaiting-rcpt' },
  // a BDAT chunk is read whatever the verdict on it (RFC 3030 §2)
  { from: 'data-decision', on: 'read-chunk', to: 'reading-bdat' },
  { from: 'reading-body', on: 'end-of-data', to: 'message-decision' },
  { from: 'message-decision', on: 'abort', to: 'awaiting-mail' },
  { from: 'message-decision', on: 'answer', to: 'awaiting-mail' },
  // a refused session (only QUIT served) still reads a BDAT chunk as a chunk (SRV-3)
  ...each([...CMD, 'rejected'], 'read-chunk', 'reading-bdat'),
  { from: 'reading-bdat', on: 'chunk-end', to: 'awaiting-rcpt' },
  { from: 'reading-bdat', on: 'chunk-refused', to: 'resume' },
  { from: 'reading-bdat', on: 'abort', to: 'awaiting-mail' },
  { from: 'reading-bdat', on: 'last', to: 'message-decision' },
  { from: 'awaiting-rcpt', on: 'RSET', to: 'awaiting-mail' },
  ...each(CMD, 'command', 'command-decision'),
  { from: 'command-decision', on: 'answer', to: 'resume' },
  { from: 'command-decision', on: 'continue', to: 'extension' },
  // a custom verb's block is read whatever the verdict on the verb (as BDAT's chunk, SRV-3)
  ...each([...CMD, 'rejected', 'command-decision'], 'read-block', 'extension'),
  { from: 'extension', on: 'command', to: 'command-decision' },
  { from: 'extension', on: 'cancel', to: 'resume' },
  { from: 'awaiting-helo', on: 'XCLIENT', to: 'command-decision' },
  { from: 'awaiting-mail', on: 'XCLIENT', to: 'command-decision' },
  { from: 'command-decision', on: 'xclient-reset', to: 'awaiting-helo' },
  { from: 'command-decision', on: 'reject', to: 'resume' },
  ...each(CMD, 'QUIT', 'closed'),
  ...each(
    ['connect', 'rejected', ...CMD, 'helo-decision', 'mail-decision', 'rcpt-decision', 'data-decision', 'reading-body', 'reading-bdat', 'message-decision', 'auth', 'auth-decision', 'awaiting-tls', 'command-decision', 'extension'],
    'close',
    'closed',
  ),
];

/**
 * The transition table. Rendered as the state diagram of the README.
 *
 * @example
 * ```ts
 * SERVER_TRANSITIONS.filter((t) => t.from === 'awaiting-mail');
 * ```
 * @see RFC 5321 §4.1.4, RFC 3030 §2, RFC 3207 §4.2, RFC 4954 §4
 */
export const SERVER_TRANSITIONS: readonly ServerTransition[] = Object.freeze(rows.map((r) => Object.freeze(r)));

const TABLE = new Map<ServerState, Map<ServerTransitionLabel, ServerTransitionTarget>>();
for (const t of SERVER_TRANSITIONS) {
  let byOn = TABLE.get(t.from);
  if (!byOn) TABLE.set(t.from, (byOn = new Map<ServerTransitionLabel, ServerTransitionTarget>()));
  if (byOn.has(t.on)) throw new SmtpServerError('ERR_SMTP_INVALID_TRANSITION', `two targets for ${t.from} --${t.on}-->`);
  byOn.set(t.on, t.to);
}

/**
 * The target of `on` in state `from` (`resume` left to the caller), or undefined when the table
 * has no such move.
 *
 * @example
 * ```ts
 * nextState('awaiting-mail', 'MAIL'); // 'mail-decision'
 * nextState('awaiting-helo', 'MAIL'); // undefined
 * ```
 * @see RFC 5321 §4.1.4
 */
export function nextState(from: ServerState, on: ServerTransitionLabel): ServerTransitionTarget | undefined {
  return TABLE.get(from)?.get(on);
}
