/**
 * Session commands: HELO/EHLO/LHLO, QUIT, VRFY/EXPN, STARTTLS (RSET, NOOP and HELP are one line
 * each in the dispatcher), and the answers to the HELO and VRFY/EXPN decisions.
 */
import { advertisement } from './extensions.js';
import { hasUnsafeText, hostNameFault, sanitizeEcho } from './peer-text.js';
import type { ReplyInit } from './reply.js';
import { reply, send } from './replies.js';
import type { Session } from './session.js';

/** QUIT: `221` and close; a transaction in progress is aborted. */
export function quit(s: Session): void {
  s.emit({ type: 'quit' });
  s.abortTransactionIfData('closed');
  send(s, { code: 221, enhanced: '2.0.0', text: `${s.hostname} Bye` });
  s.close('quit', 'QUIT');
}

/** HELO/EHLO/LHLO <domain> (RFC 5321 §4.1.1.1): the argument is checked, nothing of a bad one is echoed; then the `helo` decision. */
export function heloCommand(s: Session, verb: 'HELO' | 'EHLO' | 'LHLO', arg: string): void {
  if (!arg) return reply(s, { code: 501, enhanced: '5.5.4', text: `Syntax: ${verb} hostname` });
  if (arg.includes(' ') || arg.includes('\t')) return reply(s, { code: 501, enhanced: '5.5.4', text: `Syntax: ${verb} hostname` });
  // at most 255 octets, a domain (LDH labels; U-labels when SMTPUTF8 is offered) or an address
  // literal; nothing of a bad one is echoed
  const fault = hostNameFault(arg, s.ext.smtpUtf8);
  if (fault) return reply(s, { code: 501, enhanced: '5.5.4', text: fault === 'too-long' ? 'Error: host name too long' : 'Error: invalid host name' });
  s.enter('HELO');
  s.decide({ point: 'helo', verb, domain: arg }, { type: 'helo', verb, domain: arg, needsAnswer: !s.auto.has('helo') });
}

/** VRFY / EXPN: static `252`, disabled `502`, or the `vrfy` / `expn` decision. */
export function vrfyExpn(s: Session, verb: 'VRFY' | 'EXPN', arg: string): void {
  // RFC 5321 §4.1.2: no control characters where a mailbox name is expected; nor invisible ones
  if (!arg || hasUnsafeText(arg)) return reply(s, { code: 501, enhanced: '5.5.4', text: `Syntax: ${verb} address` });
  const mode = verb === 'VRFY' ? (s.options.vrfy ?? 'static') : (s.options.expn ?? 'disabled');
  if (mode === 'disabled') return reply(s, { code: 502, enhanced: '5.5.1', text: `Error: ${verb} disabled` });
  if (mode === 'static') return reply(s, { code: 252, enhanced: '2.5.0', text: 'Cannot VRFY user, but will accept message and attempt delivery' }, false);
  s.enter('command');
  const point = verb === 'VRFY' ? 'vrfy' : 'expn';
  s.decide({ point }, { type: point, argument: arg, needsAnswer: !s.auto.has(point) });
}

/** STARTTLS (RFC 3207 §4): `220`, everything buffered after the line is discarded, `tls-start`. */
export function starttls(s: Session, hasArg: boolean): void {
  if (hasArg) return reply(s, { code: 501, enhanced: '5.5.4', text: 'Syntax: STARTTLS' });
  if (s.secure) return reply(s, { code: 503, enhanced: '5.5.1', text: 'Error: TLS already active' });
  if (!s.options.starttls) return reply(s, { code: 502, enhanced: '5.5.1', text: 'Error: STARTTLS not available' });
  if (s.current === 'awaiting-rcpt') return reply(s, { code: 503, enhanced: '5.5.1', text: 'Error: STARTTLS inside a transaction' });
  send(s, { code: 220, enhanced: '2.0.0', text: 'Ready to start TLS' });
  // TLS-1: everything buffered after the STARTTLS line is discarded, never parsed.
  s.chunks = [];
  s.headOff = 0;
  s.inputLength = 0;
  s.go('STARTTLS');
  s.emit({ type: 'tls-start' });
}

/** The application's answer to HELO/EHLO/LHLO: the greeting line and, for EHLO/LHLO, the extension table's keywords. */
export function answerHelo(s: Session, verb: 'HELO' | 'EHLO' | 'LHLO', domain: string, positive: boolean, r: ReplyInit | undefined): void {
  if (!positive) {
    s.go('reject');
    reply(s, r ?? { code: 550, enhanced: '5.7.1', text: 'Error: HELO/EHLO rejected' });
    return;
  }
  s.abortTransactionIfData('reset');
  s.resetTransaction();
  s.helo = domain;
  s.heloVerb = verb;
  const first = r && r.text !== undefined ? (typeof r.text === 'string' ? r.text : (r.text[0] ?? '')) : `${s.hostname} Hello ${sanitizeEcho(domain)}`;
  const advertised = (authenticated: boolean): ReturnType<typeof advertisement> =>
    advertisement(s.registry, {
      secure: s.secure,
      authenticated,
      trusted: s.options.trusted ?? false,
      mechanisms: s.mechanismNames,
      allowInsecureAuth: s.options.auth?.allowInsecure ?? false,
      maxMessageSize: s.limits.maxMessageSize,
      maxRecipients: s.limits.maxRecipients,
      enable: s.options.enable,
    });
  const adv = advertised(s.authUser !== undefined);
  // After HELO, MAIL parameters are parsed against what an EHLO would have offered, then refused as a whole ("Parameters need EHLO").
  // Once authenticated the reply no longer lists AUTH, but the extension stays in force: MAIL keeps
  // its AUTH= parameter and longer line (RFC 4954 §5; Postfix takes AUTH= whenever AUTH is on).
  s.advertisedKeywords = (s.authUser === undefined ? adv : advertised(false)).keywords;
  send(s, { code: 250, text: verb === 'HELO' ? [first] : [first, ...adv.lines] }, true);
  s.go('accept');
}
