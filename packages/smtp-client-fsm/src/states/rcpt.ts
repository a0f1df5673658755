/** The `rcpt` state: RCPT TO for each recipient of the transaction (RFC 5321 §4.1.1.3). */
import type { ClientStateDefinition } from '../state-registry.js';
import { sessionOf } from '../session.js';
import { STAGE } from '../stages.js';
import { isRecipientLimit, outOfStep, sendRcpt } from '../transaction.js';

/**
 * One RCPT per recipient (all already written when the transaction is pipelined), one result per
 * reply. A "too many recipients" refusal (452/552 with x.5.3) moves the recipient to a following
 * transaction when another was accepted in this one and the body can be sent again, else defers it
 * (a 552 there counts as a 452: never a refusal for good). A 3xx ends the session with
 * `ERR_SMTP_CLIENT_UNEXPECTED_REPLY` before any body goes, the recipients `deferred`.
 *
 * @example
 * conn.getState('rcpt')?.stageName; // 'during RCPT TO'
 * @see RFC 5321 §4.1.1.3, §4.5.3.1.10
 */
export const rcptState: ClientStateDefinition = Object.freeze({
  name: 'rcpt',
  stage: STAGE.DURING_RCPT,
  timeout: 'rcpt',
  pipelining: 'group',
  description: 'RCPT TO for each recipient',
  enter(ctx) {
    const s = sessionOf(ctx);
    const t = s.txn!;
    if (!t.pipelined) sendRcpt(s, t);
  },
  reply(ctx, reply) {
    const s = sessionOf(ctx);
    const t = s.txn!;
    const m = s.queue[0]!;
    // RCPT has no intermediate reply (RFC 5321 §4.3.2): after a 3xx the server is out of step, so
    // no body may follow. The session ends, the recipients deferred (never refused by it).
    if (outOfStep(s, reply, 'RCPT')) return;
    const r = t.rcpts[t.rcptReplies++]!;
    if (t.mailOk) {
      if (reply.code >= 200 && reply.code < 300) t.accepted.push(r);
      else if (isRecipientLimit(s, reply, t.rcptReplies - 1)) {
        // Too many recipients (RFC 5321 §4.5.3.1.10): retry in a following transaction (INJ-9)
        // when one was accepted in this one and the body can be sent again, else the recipient is
        // deferred (a 552 here is a 452, never a refusal for good).
        if (t.accepted.length > 0 && m.body !== undefined) m.remaining.push(r);
        else s.setResult(m, r, 'deferred', reply, 'ERR_SMTP_CLIENT_RECIPIENT_DEFERRED', STAGE.DURING_RCPT, true);
      } else s.setResult(m, r, 'rejected', reply, undefined, STAGE.DURING_RCPT, true);
    }
    if (t.rcptReplies < t.rcpts.length) {
      if (!t.pipelined) sendRcpt(s, t);
      return;
    }
    ctx.next();
  },
} satisfies ClientStateDefinition);
