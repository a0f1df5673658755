/**
 * Events returned by `ServerConnection.nextEvent()`: plain readonly objects with a `type` literal
 * (they survive structured clone). Events with `needsAnswer: true` pause the session until the
 * application calls `accept`, `reject` or `respond`.
 */
import type { EsmtpParameters } from './envelope-args.js';
import type { AuthCredentials } from '@smtpkit/foundation';
import type { ReplyInit } from './reply.js';

/**
 * Policy points: where the session can wait for the application's decision.
 *
 * @example
 * ```ts
 * const auto: PolicyPoint[] = ['connect', 'helo'];
 * ```
 * @see RFC 5321 §4.1.4
 */
export type PolicyPoint = 'connect' | 'helo' | 'auth' | 'mail' | 'rcpt' | 'data-start' | 'message-end' | 'vrfy' | 'expn' | 'command' | 'xclient';

/**
 * Why a message transaction ended without a `message-end` decision. `reset`: the client reset the
 * transaction (RSET, HELO/EHLO/LHLO) between BDAT chunks, before its LAST one. `closed`: the
 * session ended by a command inside the message: the server's `421` (a hook's, for one), or its
 * close after a line whose data it cannot frame (an unparsable BDAT line, SRV-3; a line a lenient
 * peer reads as BDAT or DATA, SMUG-5), or the client's QUIT between BDAT chunks, the one place a
 * QUIT can fall inside a message (during DATA it is body text). `eof`: the connection ended before
 * the end of the message.
 *
 * @example
 * ```ts
 * if (e.type === 'message-abort' && e.reason === 'too-large') discard();
 * ```
 * @see RFC 5321 §4.5.3.1.10
 */
export type MessageAbortReason = 'too-large' | 'bare-line-ending' | 'rejected' | 'eof' | 'timeout' | 'closed' | 'reset';

/**
 * Why the session closed.
 *
 * @example
 * ```ts
 * if (e.type === 'closed' && e.reason === 'timeout') log('idle client');
 * ```
 * @see RFC 5321 §3.8
 */
export type CloseReason = 'quit' | 'eof' | 'timeout' | 'too-many-errors' | 'synchronization' | 'rejected' | 'line-too-long' | 'shutdown' | 'disposed' | 'internal-error';

/**
 * XCLIENT / XFORWARD attributes (upper-case names, xtext-decoded values).
 *
 * @example
 * ```ts
 * const addr = conn.session.xclient?.ADDR;
 * ```
 * @see RFC 3461 §4 (xtext)
 */
export type ClientAttributes = Readonly<Record<string, string>>;

/**
 * Every event of the session.
 *
 * @example
 * ```ts
 * for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) {
 *   if (e.type === 'rcpt') conn.accept();
 * }
 * ```
 * @see RFC 5321 §4.1.4, RFC 2920 §3.1
 */
export type ServerEvent =
  | { readonly type: 'connect'; readonly needsAnswer: boolean }
  | { readonly type: 'helo'; readonly verb: 'HELO' | 'EHLO' | 'LHLO'; readonly domain: string; readonly needsAnswer: boolean }
  | { readonly type: 'tls-start' }
  | { readonly type: 'auth'; readonly credentials: AuthCredentials; readonly needsAnswer: boolean }
  | { readonly type: 'mail'; readonly from: string; readonly parameters: EsmtpParameters; readonly needsAnswer: boolean }
  | { readonly type: 'rcpt'; readonly to: string; readonly parameters: EsmtpParameters; readonly needsAnswer: boolean }
  | { readonly type: 'data-start'; readonly mode: 'data' | 'bdat'; readonly needsAnswer: boolean }
  | { readonly type: 'data-chunk'; readonly bytes: Uint8Array }
  | { readonly type: 'message-end'; readonly size: number; readonly recipients: readonly string[]; readonly needsAnswer: boolean }
  | { readonly type: 'message-abort'; readonly reason: MessageAbortReason; readonly reply?: ReplyInit }
  | { readonly type: 'vrfy'; readonly argument: string; readonly needsAnswer: boolean }
  | { readonly type: 'expn'; readonly argument: string; readonly needsAnswer: boolean }
  | { readonly type: 'command'; readonly verb: string; readonly argument: string; readonly needsAnswer: boolean }
  /** A custom verb's exchange (`continueCommand`): the client's next line, as UTF-8 text without CRLF. */
  | { readonly type: 'command-line'; readonly verb: string; readonly line: string; readonly needsAnswer: boolean }
  /** A custom verb's exchange: a piece of its block (dot-unstuffed for a dot block). */
  | { readonly type: 'command-data'; readonly verb: string; readonly bytes: Uint8Array }
  /** A custom verb's exchange: the end of its block (`size` bytes). */
  | { readonly type: 'command-end'; readonly verb: string; readonly size: number; readonly needsAnswer: boolean }
  | { readonly type: 'xclient'; readonly attributes: ClientAttributes; readonly needsAnswer: boolean }
  | { readonly type: 'xforward'; readonly attributes: ClientAttributes }
  | { readonly type: 'rset' }
  | { readonly type: 'quit' }
  /** `error`: what was thrown, when `reason` is `internal-error` (a bug; the session sent `421 4.3.0`). */
  | { readonly type: 'closed'; readonly reason: CloseReason; readonly error?: unknown }
  | { readonly type: 'need-data' }
  | { readonly type: 'paused' };
