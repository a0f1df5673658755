/**
 * XCLIENT (Postfix) as a registered custom state: the example of the extension mechanism. A
 * proxy forwards the original client's attributes; the server answers 220 and the session
 * restarts, so the client says EHLO again.
 */
import type { ClientStateDefinition } from './state-registry.js';
import { STAGE } from './stages.js';
import { xtextEncode } from 'smtp-client-args';
import { assertNoControl, isEhloWord } from './checks.js';

/**
 * XCLIENT attributes (NAME, ADDR, PORT, PROTO, HELO, LOGIN, DESTADDR, DESTPORT); values are
 * xtext-encoded on the wire, `[UNAVAILABLE]` / `[TEMPUNAVAIL]` are sent as they are.
 *
 * @example
 * const attrs: XclientAttributes = { ADDR: '192.0.2.10', NAME: 'client.example', PROTO: 'ESMTP' };
 * @see https://www.postfix.org/XCLIENT_README.html
 */
export type XclientAttributes = Readonly<Partial<Record<'NAME' | 'ADDR' | 'PORT' | 'PROTO' | 'HELO' | 'LOGIN' | 'DESTADDR' | 'DESTPORT', string>>>;

/**
 * Options of {@link xclientState}.
 *
 * @example
 * xclientState({ ADDR: '192.0.2.1' }, { required: true });
 * @see https://www.postfix.org/XCLIENT_README.html
 */
export interface XclientOptions {
  /**
   * Abandon the connection when XCLIENT is not offered or refused (legacy `XCLIENT = "required"`:
   * mail is failed transiently). The queued messages are `deferred`, never rejected: another
   * exchanger, or the next attempt after a configuration change, may take them. Not offered:
   * `ERR_SMTP_CLIENT_XCLIENT_UNAVAILABLE`. Refused (a reply to XCLIENT other than 220):
   * `ERR_SMTP_CLIENT_PROTOCOL`, the reply (4xx or 5xx) kept in the results as the detail,
   * unclassified.
   */
  readonly required?: boolean;
}

/**
 * A state definition sending XCLIENT once per connection when the server offers it. Register it
 * after `starttls` so it runs on the encrypted session, before AUTH and MAIL. After the server's
 * 220 it says EHLO again, with the `HELO` attribute as its name when one is given (the server
 * takes the HELO name from that EHLO, as Postfix and Exim do), else with the `hostname` option.
 *
 * @example
 * conn.registerState(xclientState({ ADDR: '192.0.2.10', NAME: 'client.example' }), { after: 'starttls' });
 * @see https://www.postfix.org/XCLIENT_README.html, RFC 5321 §4.1.1.1
 */
export function xclientState(attributes: XclientAttributes, options: XclientOptions = {}): ClientStateDefinition {
  let args = '';
  const given = attributes.HELO;
  const helo = given !== '[UNAVAILABLE]' && given !== '[TEMPUNAVAIL]' && isEhloWord(given) ? given : undefined;
  for (const [k, v] of Object.entries(attributes)) {
    if (v === undefined) continue;
    assertNoControl(`XCLIENT ${k}`, v);
    args += ` ${k}=${v === '[UNAVAILABLE]' || v === '[TEMPUNAVAIL]' ? v : xtextEncode(v)}`;
  }
  return {
    name: 'xclient',
    stage: STAGE.DURING_XCLIENT,
    timeout: 'command',
    enter(ctx) {
      if (ctx.local['done'] === true) return ctx.next();
      if (!ctx.capabilities.has('XCLIENT')) {
        // for now (legacy "required"): another exchanger may offer it
        if (options.required) return ctx.abandon('ERR_SMTP_CLIENT_XCLIENT_UNAVAILABLE');
        return ctx.next();
      }
      ctx.local['done'] = true;
      ctx.send(`XCLIENT${args}`);
    },
    reply(ctx, reply) {
      // The server takes the HELO name from the EHLO that follows XCLIENT: it must be the
      // original client's, or the HELO attribute is lost.
      if (reply.code === 220) return ctx.rehello(helo);
      // for now even on a 5xx (legacy "required"), the reply kept as the detail
      if (options.required) return ctx.abandon('ERR_SMTP_CLIENT_PROTOCOL', reply);
      ctx.next();
    },
  };
}
