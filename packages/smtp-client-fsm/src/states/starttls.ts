/** The `starttls` state: STARTTLS, the TLS handshake, then EHLO again (RFC 3207). */
import type { ClientStateDefinition } from '../state-registry.js';
import { sessionOf } from '../session.js';
import { STAGE } from '../stages.js';
import { describeReply } from '../reply-text.js';

/**
 * Upgrades to TLS per the `security` option: `off` and `implicit` skip it, `opportunistic`
 * upgrades when offered, `required` gives up (transient failures) when not offered or refused.
 * Its stage is 15 (during STARTTLS) until the 220, then 17 (handshaking TLS) until the adapter
 * calls `tlsEstablished()`. Bytes following the 220 in the same flight end the session (TLS-5).
 *
 * @example
 * conn.getState('starttls')?.definition.stage; // a function of the state's local data
 * @see RFC 3207 §4, §4.2, §5
 */
export const starttlsState: ClientStateDefinition = Object.freeze({
  name: 'starttls',
  stage: (local: Readonly<Record<string, unknown>>) => (local['handshaking'] === true ? STAGE.HANDSHAKING_TLS : STAGE.DURING_STARTTLS),
  timeout: 'starttls',
  pipelining: 'barrier',
  description: 'STARTTLS, TLS handshake, then EHLO again',
  enter(ctx) {
    const s = sessionOf(ctx);
    ctx.local['handshaking'] = false;
    if (s.security === 'off' || s.tls) return ctx.next();
    if (!s.caps.startTls) {
      if (s.security === 'required') {
        s.emit({ type: 'error', code: 'ERR_SMTP_CLIENT_TLS_REQUIRED', message: 'STARTTLS is required but the server does not offer it' });
        return s.abandon('ERR_SMTP_CLIENT_TLS_REQUIRED', undefined, false);
      }
      return ctx.next();
    }
    s.command('STARTTLS');
  },
  reply(ctx, reply) {
    const s = sessionOf(ctx);
    if (reply.code === 220) {
      if (s.moreInFlight) {
        // TLS-5: bytes after the 220 were sent in the clear before the handshake; no TLS is started.
        s.fatal('ERR_SMTP_CLIENT_STARTTLS_INJECTION', 'bytes followed the 220 reply to STARTTLS', 'error', reply);
        return;
      }
      s.awaitingTls = true;
      ctx.local['handshaking'] = true;
      s.arm('tlsHandshake'); // 0 disables it, like every timer
      s.emit({ type: 'tls-start' });
      return;
    }
    if (s.security === 'required') {
      s.emit({ type: 'error', code: 'ERR_SMTP_CLIENT_TLS_REQUIRED', message: `STARTTLS refused: ${describeReply(reply)}`, reply });
      return s.abandon('ERR_SMTP_CLIENT_TLS_REQUIRED', undefined, false);
    }
    ctx.next();
  },
} satisfies ClientStateDefinition);
