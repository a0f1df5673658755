/** The `mail` state: MAIL FROM, and with pipelining the whole group MAIL, RCPT..., DATA (RFC 5321 §4.1.1.2, RFC 2920). */
import type { ClientStateDefinition } from '../state-registry.js';
import { sessionOf } from '../session.js';
import { STAGE } from '../stages.js';
import { buildTxn, endTransaction, outOfStep, sendTxn } from '../transaction.js';

/**
 * Starts the next transaction of the message at the head of the queue (its MAIL and RCPT lines
 * rendered by smtp-client-args, hooks included), or goes `idle` when the queue is empty. Local
 * checks (SMTPUTF8, 8BITMIME, SIZE, REQUIRETLS, MAILMAX) fail a message without a command. With
 * PIPELINING, and when every state from `mail` to `data` declares `pipelining: 'group'`, the RCPTs
 * and DATA go out in the same write. A 3xx to MAIL ends the session with
 * `ERR_SMTP_CLIENT_UNEXPECTED_REPLY`, nothing more written, the recipients `deferred`.
 *
 * @example
 * const mail = conn.getState('mail')!.definition;
 * conn.replaceState('mail', { ...mail, enter(ctx) { console.log('message', ctx.message?.id); mail.enter(ctx); } });
 * @see RFC 5321 §4.1.1.2, RFC 2920 §3.1, RFC 9422
 */
export const mailState: ClientStateDefinition = Object.freeze({
  name: 'mail',
  stage: STAGE.DURING_MAIL,
  timeout: 'mail',
  pipelining: 'group',
  description: 'MAIL FROM (with RCPT and DATA when pipelining)',
  enter(ctx) {
    const s = sessionOf(ctx);
    const m = s.queue[0];
    if (!m) return ctx.next('idle');
    const ahead = s.nextTxn;
    s.nextTxn = undefined;
    if (ahead) {
      // Its commands went out after the previous dot, behind an RSET unless `rsetWrittenAhead` is
      // false: only the replies remain to be read, the RSET's first (refused: the session ends,
      // see `Session.dispatch`).
      if (ahead.msg !== m) return s.fatal('ERR_SMTP_CLIENT_STATE_LOOP', 'a transaction written ahead does not match the queue', 'error');
      m.remaining = m.remaining.slice(ahead.txn.rcpts.length);
      s.txn = ahead.txn;
      s.mailCount++;
      s.rsetAhead = ahead.rset;
      return;
    }
    const mailmax = s.caps.limits?.mailMax;
    if (mailmax && s.mailCount >= mailmax) {
      while (s.queue.length) s.failMessageLocally('ERR_SMTP_CLIENT_MAILMAX_REACHED', true);
      s.quitRequested = true;
      return ctx.next('quit');
    }
    const t = buildTxn(s, m);
    if (!('mailLine' in t)) {
      s.failMessageLocally(t.code, t.transient);
      return ctx.next('mail');
    }
    m.remaining = m.remaining.slice(t.rcpts.length);
    s.txn = t;
    s.mailCount++;
    if (s.needRset) {
      s.needRset = false;
      s.rsetAhead = true;
      s.command('RSET');
    }
    sendTxn(s, t);
  },
  reply(ctx, reply) {
    const s = sessionOf(ctx);
    const t = s.txn!;
    const m = s.queue[0]!;
    // MAIL has no intermediate reply (RFC 5321 §4.3.2): a 3xx leaves the server out of step, before
    // any data. The session ends, the recipients deferred (never refused by it).
    if (outOfStep(s, reply, 'MAIL')) return;
    t.mailReply = reply;
    if (reply.code >= 200 && reply.code < 300) {
      t.mailOk = true;
      return ctx.next();
    }
    s.needRset = true;
    if (reply.code === 503 && !m.retried) {
      // The server still holds a transaction (Postfix after an end-of-data refusal: `503 5.5.1
      // Error: nested MAIL command`): nothing of this one is the message's. After RSET it goes
      // again, once; a 503 then is a deferral (`setResult`).
      m.retried = true;
      m.remaining.unshift(...t.rcpts);
    } else {
      // MAIL refused: every recipient of the message fails with this reply.
      for (const r of [...t.rcpts, ...m.remaining]) s.setResult(m, r, 'rejected', reply, undefined, STAGE.DURING_MAIL, true);
      m.remaining = [];
      m.lastReply = reply;
    }
    if (t.pipelined) return ctx.next(); // the RCPT and DATA replies still come
    endTransaction(s);
  },
} satisfies ClientStateDefinition);
