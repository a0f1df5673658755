/** The `final` state: the reply after the body (one per accepted recipient for LMTP, RFC 2033 §4.2). */
import type { Reply } from 'smtp-reply-reader';
import type { ClientStateDefinition } from '../state-registry.js';
import { sessionOf } from '../session.js';
import { STAGE } from '../stages.js';
import { endTransaction, replyBdat } from '../transaction.js';

/**
 * Reads the final reply and settles the accepted recipients; for LMTP one reply per accepted
 * recipient, in order. Replies to BDAT chunks still outstanding come first. A 3xx there ends the
 * session with `ERR_SMTP_CLIENT_UNEXPECTED_REPLY`, the message `unknown` (maybe delivered).
 *
 * @example
 * conn.getState('final')?.stage; // 9, reading confirmation
 * @see RFC 5321 §4.1.1.4, §4.5.3.2.6, RFC 2033 §4.2, RFC 3030 §4.1
 */
export const finalState: ClientStateDefinition = Object.freeze({
  name: 'final',
  stage: STAGE.READING_CONFIRMATION,
  timeout: 'dataDone',
  pipelining: 'group',
  description: 'final reply (one per recipient for LMTP)',
  enter: () => undefined,
  reply(ctx, reply) {
    const s = sessionOf(ctx);
    const t = s.txn!;
    const m = s.queue[0]!;
    if (t.bdatOutstanding > 0) return replyBdat(s, t, reply);
    if (t.emptyDot) {
      s.needRset = true;
      return endTransaction(s);
    }
    if (t.finalReplies === 0 && !s.bodyWritten()) {
      // A refusal before the transport has written the final dot came mid-body: the server cannot
      // have read the dot yet, so it may still answer it; the session cannot go on after it.
      if (reply.code >= 400) {
        if (!t.bdat && s.bodyRefused(reply)) return;
      } else if (!t.bdatFailed) {
        // Anything else is no acceptance: only the reply to the end of data accepts the message
        // (RFC 5321 §4.1.1.4, RFC 3030 §2), and the server has not read it yet. As for a streamed
        // body's unsolicited reply, the session ends and the message is deferred, not delivered.
        return s.fatal('ERR_SMTP_CLIENT_UNEXPECTED_REPLY', `reply ${reply.code} before the end of the body was written: the server cannot have accepted the message yet`, 'error', reply);
      }
    }
    // A 3xx to the end of data neither accepts nor refuses the message the server has read whole
    // (RFC 5321 §4.2.1): it may be queued, so its recipients still unanswered are unknown, never
    // deferred (a retry could duplicate it), and the session, out of step, ends.
    if (!t.bdatFailed && reply.code >= 300 && reply.code < 400) return s.fatal('ERR_SMTP_CLIENT_UNEXPECTED_REPLY', `${reply.code} to the end of data`, 'error', reply);
    const decide = (addr: string, r: Reply): void => {
      const bad = t.bdatFailed ?? (r.code >= 200 && r.code < 300 ? undefined : r);
      if (bad) s.setResult(m, addr, 'rejected', bad, undefined, STAGE.READING_CONFIRMATION, true);
      else {
        s.setResult(m, addr, 'accepted', r, undefined, STAGE.READING_CONFIRMATION, false);
        m.queuedReply = r;
      }
    };
    m.lastReply = reply;
    if (s.opts.lmtp) {
      const addr = t.accepted[t.finalReplies++]!;
      decide(addr, reply);
      if (t.finalReplies < t.accepted.length) return;
    } else {
      for (const addr of t.accepted) decide(addr, reply);
      // RFC 5321 §3.3: only an accepted end of data closes the transaction; Postfix keeps it open
      // after an end-of-data restriction refused the message. RSET before the next MAIL, unless
      // that MAIL already went out behind the dot: an RSET went before it (`writeNextAhead`), or
      // with `rsetWrittenAhead: false` the relay is trusted to have ended the transaction (a 503
      // to that MAIL still gets an RSET and one more try, the `mail` state).
      if (!s.nextTxn && (t.bdatFailed || (reply.code / 100) >> 0 !== 2)) s.needRset = true;
    }
    endTransaction(s);
  },
} satisfies ClientStateDefinition);
