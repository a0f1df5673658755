/** The `idle` state: between messages on a reused connection. */
import type { ClientStateDefinition } from '../state-registry.js';
import { sessionOf } from '../session.js';
import { STAGE } from '../stages.js';

/**
 * Starts the next queued message, or quits when `quit()` was called, or emits `idle` and waits
 * (`sendMessage()` wakes it; the `idle` timer then quits).
 *
 * @example
 * conn.getState('idle')?.definition.timeout; // 'idle'
 * @see RFC 5321 §4.5.3.2.7
 */
export const idleState: ClientStateDefinition = Object.freeze({
  name: 'idle',
  stage: STAGE.IDLE,
  timeout: 'idle',
  pipelining: 'group',
  description: 'wait for the next message (connection reuse)',
  enter(ctx) {
    const s = sessionOf(ctx);
    // quit() waits for the queued messages (one may already be on the wire, written ahead);
    // every other path to QUIT settles the queue first.
    if (s.queue.length > 0) return ctx.next('mail');
    // the next state: `quit`, or a state registered after `idle` on the way to it
    if (s.quitRequested) return ctx.next();
    s.emit({ type: 'idle' });
  },
  reply: () => undefined,
} satisfies ClientStateDefinition);
