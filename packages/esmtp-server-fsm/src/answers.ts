/**
 * The application's answers to the pending decision: checked, then handed to the room that owns
 * the decision. An exception in a room ends the session through the safety net (`internalError`).
 */
import { answerAuth } from './auth-commands.js';
import { answerDataStart, answerMessageEnd } from './data-commands.js';
import { answerMail, answerRcpt } from './envelope-commands.js';
import { SmtpServerError } from './errors.js';
import type { ReplyInit } from './reply.js';
import { reply, send } from './replies.js';
import type { Pending, Session } from './session.js';
import { answerHelo } from './session-commands.js';
import { answerXclient } from './xclient-commands.js';
import { skipBlock } from './extension-exchange.js';

/** Answers the pending decision (`accept`, `reject`, `respond`, or automatically). */
export function answer(s: Session, positive: boolean, r: ReplyInit | undefined, lmtpReplies: readonly ReplyInit[] | undefined): void {
  s.assertUsable();
  const p = takePending(s);
  if (p === undefined) return;
  try {
    applyAnswer(s, p, positive, r, lmtpReplies);
    // RFC 5321 §3.8: a 421 means the service is closing the channel (one in an LMTP list too)
    if ((r?.code === 421 || lmtpReplies?.some((x) => x.code === 421)) && s.current !== 'closed') {
      s.abortTransactionIfData('closed');
      s.close('rejected');
    }
  } catch (e) {
    s.internalError(e);
  }
}

/**
 * The pending decision, now taken; undefined when the client left while the application was
 * deciding. Throws `ERR_SMTP_NO_PENDING_DECISION` when nothing is pending.
 */
export function takePending(s: Session): Pending | undefined {
  const p = s.pending;
  if (!p) {
    if (s.current === 'closed') return undefined;
    throw new SmtpServerError('ERR_SMTP_NO_PENDING_DECISION', 'no decision is pending');
  }
  s.pending = undefined;
  return p;
}

function applyAnswer(s: Session, p: Pending, positive: boolean, r: ReplyInit | undefined, lmtpReplies: readonly ReplyInit[] | undefined): void {
  switch (p.point) {
    case 'connect':
      return answerConnect(s, positive, r);
    case 'helo':
      return answerHelo(s, p.verb, p.domain, positive, r);
    case 'auth':
      return answerAuth(s, p.user, positive, r);
    case 'mail':
      return answerMail(s, p.from, p.parameters, positive, r);
    case 'rcpt':
      return answerRcpt(s, p.to, p.key, p.parameters, positive, r);
    case 'data-start':
      return answerDataStart(s, p.mode, positive, r);
    case 'message-end':
      return answerMessageEnd(s, positive, r, lmtpReplies);
    case 'vrfy':
    case 'expn':
    case 'command': {
      // the default reply: a refusal is never a success code
      const command = p.point === 'command';
      const given =
        r ??
        (!positive
          ? { code: 550, enhanced: '5.7.1', text: 'Refused' }
          : command
            ? { code: 250, enhanced: '2.0.0', text: 'Ok' }
            : { code: 252, enhanced: '2.5.0', text: 'Cannot VRFY user, but will accept message and attempt delivery' });
      // a verb whose block follows its line: the block is skipped, then the reply (a 421 closes at once)
      if (command && p.block && given.code !== 421) {
        s.go('read-block');
        return skipBlock(s, p.verb, p.block, given, !positive);
      }
      s.go('answer');
      reply(s, given, !positive);
      return;
    }
    case 'xclient':
      return answerXclient(s, p.attributes, positive, r);
  }
}

function answerConnect(s: Session, positive: boolean, r: ReplyInit | undefined): void {
  if (positive) {
    if (s.inputLength > 0 && s.options.pipeliningSync !== 'off') {
      // DOS-7: the client talked before the greeting.
      s.go('accept');
      send(s, { code: 554, enhanced: '5.5.0', text: 'Error: SMTP protocol synchronization (input before greeting)' });
      s.close('synchronization');
      return;
    }
    send(s, r ?? s.greeting(), true);
    s.go('accept');
    return;
  }
  const refusal = r ?? { code: 554, enhanced: '5.7.1', text: `${s.hostname} Service refused` };
  send(s, refusal, true);
  if (refusal.code === 421) s.close('rejected');
  else s.go('reject');
}
