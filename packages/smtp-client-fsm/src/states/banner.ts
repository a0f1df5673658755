/** The `banner` state: wait for the 220 greeting (RFC 5321 §3.1, §4.3.2). */
import type { ClientStateDefinition } from '../state-registry.js';
import { sessionOf } from '../session.js';
import { STAGE } from '../stages.js';
import { describeReply } from '../reply-text.js';

/**
 * Reads the greeting. It is always the first reply of the connection: when a state placed before
 * the banner sent a command, the greeting is held and handed here, and that state reads its own
 * reply.
 *
 * @example
 * conn.getState('banner')?.definition.timeout; // 'greeting'
 * @see RFC 5321 §4.3.2
 */
export const bannerState: ClientStateDefinition = Object.freeze({
  name: 'banner',
  stage: STAGE.READING_BANNER,
  timeout: 'greeting',
  pipelining: 'barrier',
  description: 'wait for the 220 greeting',
  enter: () => undefined,
  reply(ctx, reply) {
    const s = sessionOf(ctx);
    if (reply.code === 220) {
      s.emit({ type: 'greeting', reply });
      return ctx.next();
    }
    s.emit({ type: 'error', code: 'ERR_SMTP_CLIENT_GREETING_REJECTED', message: `greeting refused: ${describeReply(reply)}`, reply });
    s.failAll(reply, 'ERR_SMTP_CLIENT_GREETING_REJECTED', reply.code < 500);
    s.quitRequested = true;
    ctx.next('quit');
  },
} satisfies ClientStateDefinition);
