/** The `body` state: the message body, dot-stuffed after DATA or in BDAT chunks (RFC 5321 §4.5.2, RFC 3030). */
import type { ClientStateDefinition } from '../state-registry.js';
import { sessionOf } from '../session.js';
import { STAGE } from '../stages.js';
import { endTransaction, replyBdat, startBody } from '../transaction.js';

/**
 * Sends a whole body at once, or asks for a streamed one with `need-body` events (the caller
 * answers with `writeBody()` / `endBody()`). Bare CR/LF follow the `bareLineEndings` policy.
 * With BDAT, chunk replies arrive here; the first refusal ends the body. A 3xx to a chunk ends the
 * session with `ERR_SMTP_CLIENT_UNEXPECTED_REPLY`, the recipients `deferred` (`unknown` when BDAT
 * LAST was already written: it may yet be accepted).
 *
 * @example
 * conn.getState('body')?.definition.timeout; // 'dataBlock'
 * @see RFC 5321 §4.5.2, §2.3.8, RFC 3030 §2, §4.1
 */
export const bodyState: ClientStateDefinition = Object.freeze({
  name: 'body',
  stage: STAGE.SENDING_BODY,
  timeout: 'dataBlock',
  pipelining: 'group',
  description: 'body bytes (dot-stuffed) or BDAT chunks',
  enter(ctx) {
    const s = sessionOf(ctx);
    const t = s.txn!;
    if (t.accepted.length === 0) return endTransaction(s);
    startBody(s, t);
  },
  reply(ctx, reply) {
    const s = sessionOf(ctx);
    replyBdat(s, s.txn!, reply);
  },
} satisfies ClientStateDefinition);
