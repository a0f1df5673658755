/**
 * Events of {@link ClientConnection}: plain readonly objects with a `type` literal (they survive
 * structured clone and two copies of the package).
 */
import type { Reply } from 'smtp-reply-reader';
import type { Capabilities } from 'smtp-capabilities';
import type { Classification } from './classify.js';
import type { ClientErrorCode } from './errors.js';

/**
 * The outcome for one recipient of a message.
 *
 * @example
 * if (r.status === 'rejected' && r.permanent) unsubscribe(r.address);
 * @see RFC 5321 §4.1.1.3, RFC 2033 §4.2 (LMTP)
 */
export interface RecipientResult {
  readonly address: string;
  /**
   * The one final status: `accepted` (queued; `reply` is the reply that queued it), `rejected`
   * (refused for good: 5xx or a permanent local error), `deferred` (may succeed later: 4xx, a
   * timeout or a lost connection before the final dot, not tried), `unknown` (no reply after the
   * final dot: maybe delivered, do not retry blindly).
   */
  readonly status: 'accepted' | 'rejected' | 'deferred' | 'unknown';
  readonly accepted: boolean;
  /** True when a later retry may succeed (4xx, timeouts, connection loss). */
  readonly transient: boolean;
  readonly permanent: boolean;
  /**
   * The reply that decided it (RCPT reply, or the final reply after the body), or the one a state
   * gave up on (a required XCLIENT refused: `deferred` even for a 5xx, then with no `classification`).
   */
  readonly reply?: Reply;
  readonly classification?: Classification;
  /** Set for local failures (no reply), e.g. `ERR_SMTP_CLIENT_SMTPUTF8_UNAVAILABLE`. */
  readonly errorCode?: ClientErrorCode;
  /** Legacy stage code where it was decided. */
  readonly stage: number;
  /** 0-based transaction number of the message that carried it. */
  readonly transaction: number;
}

/**
 * Message-level outcome, computed from the recipients' final statuses over every transaction the
 * message took: `delivered` (every recipient accepted), `partial` (some accepted), `unknown` (none
 * accepted and some maybe delivered: the connection was lost or timed out after the final dot,
 * TMO-2), `deferred` (none accepted, every one may succeed later), `failed` (none accepted, some
 * refused for good).
 *
 * @example
 * const o: MessageOutcome = 'partial';
 * @see RFC 5321 §4.5.3.2.6, §6.1
 */
export type MessageOutcome = 'delivered' | 'partial' | 'deferred' | 'failed' | 'unknown';

/**
 * Every event `nextEvent()` may return.
 *
 * @example
 * for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) handle(e);
 * @see RFC 5321 §3, RFC 2920, RFC 3207
 */
export type ClientEvent =
  | { readonly type: 'need-data' }
  | { readonly type: 'greeting'; readonly reply: Reply }
  | { readonly type: 'capabilities'; readonly capabilities: Capabilities; readonly reply: Reply; readonly tls: boolean }
  | { readonly type: 'tls-start' }
  | { readonly type: 'authenticated'; readonly mechanism: string; readonly reply: Reply }
  | { readonly type: 'auth-failed'; readonly mechanism: string; readonly reply: Reply }
  | { readonly type: 'recipient'; readonly messageId: number; readonly result: RecipientResult }
  /**
   * The client asks for more of a streamed body: answer with `writeBody(chunk)` or `endBody()`. The
   * first one opens the message's body phase, which `endBody()` closes; every chunk written in it
   * is part of the message, whether or not you wait for the next `need-body`. That one comes when
   * the client is ready for more: with BDAT, not while the chunks sent hold it back (without
   * PIPELINING until the last chunk's reply, RFC 3030 §4.2; with it while 3 await theirs).
   */
  | { readonly type: 'need-body'; readonly messageId: number; readonly transaction: number }
  | {
      readonly type: 'message-sent';
      readonly messageId: number;
      readonly outcome: MessageOutcome;
      /** True when some recipient is `deferred` (may succeed later); never for `unknown` ones. */
      readonly transient: boolean;
      /**
       * For `delivered`/`partial`: the final reply that queued recipients (the last one when the
       * message took several transactions). For `failed`/`deferred`: the reply that stopped it.
       * Absent for `unknown` and for local failures.
       */
      readonly reply?: Reply;
      readonly recipients: readonly RecipientResult[];
      readonly errorCode?: ClientErrorCode;
      readonly transactions: number;
    }
  | { readonly type: 'idle' }
  | { readonly type: 'state'; readonly from: string; readonly to: string; readonly stage: number }
  | {
      readonly type: 'error';
      readonly code: ClientErrorCode;
      readonly message: string;
      readonly reply?: Reply;
      /** What a registered state threw (`ERR_SMTP_CLIENT_HOOK_FAILED`), for its stack. */
      readonly cause?: unknown;
    }
  | { readonly type: 'closed'; readonly reason: 'quit' | 'error' | 'eof' | 'timeout' | 'rejected'; readonly reply?: Reply };
