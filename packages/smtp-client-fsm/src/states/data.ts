/** The `data` state: DATA and its 354 (RFC 5321 §4.1.1.4); passed through for BDAT (RFC 3030). */
import type { ClientStateDefinition } from '../state-registry.js';
import { sessionOf } from '../session.js';
import { STAGE } from '../stages.js';
import { emptyDot, endTransaction, outOfStep } from '../transaction.js';

/**
 * Sends DATA when at least one recipient was accepted (already written when pipelined) and waits
 * for 354. A 354 although no recipient was accepted gets only the terminating dot (RFC 2920 §3.1).
 * Any other 3xx ends the session (`ERR_SMTP_CLIENT_UNEXPECTED_REPLY`), the recipients deferred.
 * Skipped for BDAT.
 *
 * @example
 * conn.getState('data')?.definition.timeout; // 'dataInit'
 * @see RFC 5321 §4.1.1.4, §4.5.3.2.2, RFC 2920 §3.1
 */
export const dataState: ClientStateDefinition = Object.freeze({
  name: 'data',
  stage: STAGE.DURING_DATA,
  timeout: 'dataInit',
  pipelining: 'group',
  description: 'DATA, wait for 354 (skipped for BDAT)',
  enter(ctx) {
    const s = sessionOf(ctx);
    const t = s.txn!;
    if (t.bdat) return ctx.next();
    if (t.pipelined) return; // DATA already sent
    if (t.accepted.length === 0) return endTransaction(s);
    s.command('DATA');
  },
  reply(ctx, reply) {
    const s = sessionOf(ctx);
    const t = s.txn!;
    const m = s.queue[0]!;
    if (reply.code === 354) {
      // MAIL refused, yet 354: the server holds a transaction the client does not know (another
      // sender, other recipients); any dot would deliver it, so nothing more is written.
      if (!t.mailOk) return s.fatal('ERR_SMTP_CLIENT_UNEXPECTED_REPLY', '354 to DATA after MAIL was refused: the server holds another transaction', 'error', reply);
      if (t.accepted.length === 0) return emptyDot(s, t);
      return ctx.next();
    }
    // any other 3xx: the server waits for something that is not a body; out of step, so the
    // session ends with the recipients deferred (no body went out)
    if (outOfStep(s, reply, 'DATA')) return;
    // After a refused MAIL, the pipelined DATA's refusal (503 or 554) is a consequence: the
    // message's reply stays the MAIL reply.
    if (t.mailOk) {
      for (const r of t.accepted) s.setResult(m, r, 'rejected', reply, undefined, STAGE.DURING_DATA, true);
      m.lastReply = reply;
    }
    endTransaction(s);
  },
} satisfies ClientStateDefinition);
