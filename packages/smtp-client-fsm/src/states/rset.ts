/** The `rset` state: RSET after a failed transaction (RFC 5321 §4.1.1.5). */
import type { ClientStateDefinition } from '../state-registry.js';
import { sessionOf } from '../session.js';
import { STAGE } from '../stages.js';

/**
 * Sends RSET only when the last transaction left server state behind; a refused RSET fails what
 * is still queued (transient) and quits.
 *
 * @example
 * conn.getState('rset')?.definition.timeout; // 'rset'
 * @see RFC 5321 §4.1.1.5
 */
export const rsetState: ClientStateDefinition = Object.freeze({
  name: 'rset',
  stage: STAGE.DURING_RSET,
  timeout: 'rset',
  pipelining: 'group',
  description: 'RSET after a failed transaction',
  enter(ctx) {
    const s = sessionOf(ctx);
    // With PIPELINING, RSET waits for the next MAIL group and goes in the same write (RFC 2920
    // §3.1): the `mail` state writes it, the session reads its reply.
    if (!s.needRset || (s.pipelining() && s.states.groupBetween('rset', 'idle'))) return ctx.next();
    s.command('RSET');
  },
  reply(ctx, reply) {
    const s = sessionOf(ctx);
    s.needRset = false;
    if (reply.code >= 200 && reply.code < 300) return ctx.next();
    // No clean transaction can start: what is still queued was not tried here (transient).
    s.failAll(undefined, 'ERR_SMTP_CLIENT_RSET_REFUSED', true);
    s.quitRequested = true;
    ctx.next('quit');
  },
} satisfies ClientStateDefinition);
