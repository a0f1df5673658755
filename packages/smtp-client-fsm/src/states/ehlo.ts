/** The `ehlo` state: EHLO (LHLO for LMTP), with the HELO fallback (RFC 5321 §4.1.1.1, RFC 2033 §4.1). */
import { Capabilities, parseEhloReply } from 'smtp-capabilities';
import type { ClientStateDefinition } from '../state-registry.js';
import { sessionOf } from '../session.js';
import { STAGE } from '../stages.js';
import { describeReply } from '../reply-text.js';

/**
 * Says EHLO (LHLO for LMTP) and parses the reply with smtp-capabilities into `ctx.capabilities`;
 * a 5xx to EHLO falls back to HELO (no extensions) except for LMTP.
 *
 * @example
 * conn.getState('ehlo')?.stage; // 10
 * @see RFC 5321 §4.1.1.1, §3.2
 */
export const ehloState: ClientStateDefinition = Object.freeze({
  name: 'ehlo',
  stage: STAGE.DURING_EHLO,
  timeout: 'ehlo',
  pipelining: 'barrier',
  description: 'EHLO (LHLO for LMTP), HELO fallback',
  enter(ctx) {
    const s = sessionOf(ctx);
    s.helo = false;
    s.command(`${s.opts.lmtp ? 'LHLO' : 'EHLO'} ${s.hostname}`);
  },
  reply(ctx, reply) {
    const s = sessionOf(ctx);
    if (reply.code >= 200 && reply.code < 300) {
      const first = reply.lines[0] ?? '';
      const sp = first.indexOf(' ');
      s.caps = s.helo ? Capabilities.none(sp < 0 ? first : first.slice(0, sp), sp < 0 ? '' : first.slice(sp + 1)) : parseEhloReply(reply);
      s.emit({ type: 'capabilities', capabilities: s.caps, reply, tls: s.tls });
      return ctx.next();
    }
    if (!s.opts.lmtp && !s.helo && reply.code >= 500) {
      s.helo = true;
      s.command(`HELO ${s.hostname}`);
      return;
    }
    // the reply reaches the caller (connect() rejects with it), not only the queued messages
    s.emit({ type: 'error', code: 'ERR_SMTP_CLIENT_HELLO_REJECTED', message: `${s.opts.lmtp ? 'LHLO' : s.helo ? 'EHLO and HELO' : 'EHLO'} refused: ${describeReply(reply)}`, reply });
    s.abandon('ERR_SMTP_CLIENT_HELLO_REJECTED', reply, reply.code >= 500);
  },
} satisfies ClientStateDefinition);
