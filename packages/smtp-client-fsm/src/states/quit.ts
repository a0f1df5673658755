/** The `quit` state: QUIT and close (RFC 5321 §4.1.1.10). */
import type { ClientStateDefinition } from '../state-registry.js';
import { sessionOf } from '../session.js';
import { STAGE } from '../stages.js';

/**
 * Sends QUIT once; its reply (or the server closing) ends the session.
 *
 * @example
 * conn.getState('quit')?.definition.timeout; // 'quit'
 * @see RFC 5321 §4.1.1.10
 */
export const quitState: ClientStateDefinition = Object.freeze({
  name: 'quit',
  stage: STAGE.IDLE,
  timeout: 'quit',
  pipelining: 'barrier',
  description: 'QUIT and close',
  enter(ctx) {
    const s = sessionOf(ctx);
    s.quitRequested = true;
    if (s.quitSent) return;
    s.quitSent = true;
    s.command('QUIT');
  },
  reply(ctx, reply) {
    sessionOf(ctx).close('quit', reply);
  },
} satisfies ClientStateDefinition);
