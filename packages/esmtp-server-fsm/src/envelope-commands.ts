/**
 * Envelope commands: MAIL and RCPT (paths and parameters parsed by smtp-client-args against the
 * keywords of the last EHLO reply) and the answers to their decisions.
 */
import { asciiUpper, mailboxKey } from '@smtpkit/foundation';
import type { ParseOptions } from 'smtp-client-args';
import type { EsmtpParameters } from './envelope-args.js';
import { parseEnvelopeArgument } from './envelope-args.js';
import { NATIVE } from './extensions.js';
import type { ReplyInit } from './reply.js';
import { reply, send } from './replies.js';
import type { Session } from './session.js';
import { NO_PARAMETERS } from './session.js';

function sameParameters(a: EsmtpParameters, b: EsmtpParameters): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
}

/** Parse options per EHLO advertisement (shared by sessions with the same options) and kind. */
const parseOptionsCache = new WeakMap<readonly string[], Map<string, ParseOptions>>();

/**
 * smtp-client-args parse options for MAIL or RCPT in this session: the keywords of the last EHLO
 * reply (`advertised`), the custom extensions' parameters, the path and size limits. Cached per
 * advertisement, so a transaction builds none and smtp-client-args reuses what it derives.
 */
function parseOptions(s: Session, kind: 'mail' | 'rcpt' | 'rcpt+utf8'): ParseOptions {
  const adv = s.advertisedKeywords;
  const k = kind === 'mail' ? 0 : kind === 'rcpt' ? 1 : 2;
  // the session's own copy first: no key to build for each command
  if (s.parseOptionsFor !== adv) {
    s.parseOptionsFor = adv;
    s.parseOptions = [undefined, undefined, undefined];
  }
  return (s.parseOptions[k] ??= sharedParseOptions(s, adv, kind));
}

function sharedParseOptions(s: Session, adv: readonly string[], kind: 'mail' | 'rcpt' | 'rcpt+utf8'): ParseOptions {
  let byKind = parseOptionsCache.get(adv);
  if (byKind === undefined) parseOptionsCache.set(adv, (byKind = new Map<string, ParseOptions>()));
  const l = s.limits;
  const key = `${kind} ${String(l.maxLocalPart)} ${String(l.maxDomain)} ${String(l.maxPath)} ${String(l.maxMessageSize)}`;
  let o = byKind.get(key);
  if (o === undefined) {
    const custom = adv.filter((k) => !NATIVE.has(k));
    const size = adv.includes('SIZE') && l.maxMessageSize > 0 && l.maxMessageSize !== Infinity;
    // no `lenient: { spaceAfterColon }`: `prefix` has already skipped the spaces after the colon,
    // so the text handed over never starts with one (and no leniency object is checked per command)
    // frozen lists and limits (`adv` is frozen already): smtp-client-args follows options changed in
    // place by comparing them before each reuse, which frozen ones need not
    o = {
      advertised: adv,
      allowedParameters: Object.freeze([...(kind === 'mail' ? s.registry.mailParameters(custom) : s.registry.rcptParameters(custom))]),
      limits: Object.freeze({ localPart: l.maxLocalPart, domain: l.maxDomain, path: l.maxPath, ...(size ? { messageSize: l.maxMessageSize } : {}) }),
      smtpUtf8: kind === 'rcpt+utf8' || (kind === 'mail' && adv.includes('SMTPUTF8')),
    };
    if (byKind.size < 64) byKind.set(key, o);
  }
  return o;
}

/** After HELO (not EHLO/LHLO) no service extension is in force: MAIL and RCPT take no parameters (RFC 5321 §4.1.1.1, §4.1.2). */
const NEED_EHLO: ReplyInit = { code: 555, enhanced: '5.5.4', text: 'Parameters need EHLO' };
const heloParameters = (s: Session, p: EsmtpParameters): boolean => s.heloVerb === 'HELO' && Object.keys(p).length > 0;

/** MAIL FROM:<path> [parameters] (RFC 5321 §4.1.1.2): checks, parsing, then the `mail` decision. */
export function mail(s: Session, arg: string): void {
  if (s.current === 'awaiting-helo') return reply(s, { code: 503, enhanced: '5.5.1', text: 'Error: send HELO/EHLO first' });
  if (s.current === 'awaiting-rcpt') return reply(s, { code: 503, enhanced: '5.5.1', text: 'Error: nested MAIL command' });
  if (s.options.auth?.required && s.authUser === undefined) return reply(s, { code: 530, enhanced: '5.7.0', text: 'Authentication required' });
  const rest = prefix(arg, 'FROM:');
  if (rest === undefined) return reply(s, { code: 501, enhanced: '5.5.4', text: 'Syntax: MAIL FROM:<address>' });
  const r = parseEnvelopeArgument('mail', rest, parseOptions(s, 'mail'));
  if (!r.ok) return reply(s, r.reply);
  if (heloParameters(s, r.parameters)) return reply(s, NEED_EHLO);
  s.go('MAIL');
  // RFC 4954 §5: an identity claimed by a client that has not authenticated is not trusted: AUTH=<>
  const p = r.parameters;
  const parameters = sealed(s.authUser === undefined && 'AUTH' in p ? { ...p, AUTH: '<>' } : p);
  s.decide({ point: 'mail', from: r.path.address, parameters }, { type: 'mail', from: r.path.address, parameters, needsAnswer: !s.auto.has('mail') });
}

/**
 * The parameters of a MAIL or RCPT as events and the transaction hold them: frozen, not copied (the
 * event's object becomes the transaction's, and the application cannot change it); none at all is
 * the one shared frozen empty object, which costs no freeze (most commands carry no parameters).
 */
function sealed(p: EsmtpParameters): EsmtpParameters {
  for (const _ in p) return Object.freeze(p);
  return NO_PARAMETERS;
}

/** Strips `FROM:` / `TO:` (case-insensitive) and tolerates spaces after the colon. */
function prefix(arg: string, p: string): string | undefined {
  if (asciiUpper(arg.slice(0, p.length)) !== p) return undefined;
  let i = p.length;
  while (arg.charCodeAt(i) === 32) i++;
  return arg.slice(i);
}

/** RCPT TO:<path> [parameters] (RFC 5321 §4.1.1.3): checks, parsing, then the `rcpt` decision. */
export function rcpt(s: Session, arg: string): void {
  if (s.current !== 'awaiting-rcpt') return reply(s, { code: 503, enhanced: '5.5.1', text: 'Error: need MAIL command' });
  if (s.bdatActive) return reply(s, { code: 503, enhanced: '5.5.1', text: 'Error: BDAT in progress' });
  const rest = prefix(arg, 'TO:');
  if (rest === undefined) return reply(s, { code: 501, enhanced: '5.5.4', text: 'Syntax: RCPT TO:<address>' });
  const r = parseEnvelopeArgument('rcpt', rest, parseOptions(s, s.mailParams.SMTPUTF8 === true && s.advertisedKeywords.includes('SMTPUTF8') ? 'rcpt+utf8' : 'rcpt'));
  if (!r.ok) return reply(s, r.reply);
  if (heloParameters(s, r.parameters)) return reply(s, NEED_EHLO);
  // The same recipient again (its domain in any case) with other parameters (NOTIFY, ORCPT...):
  // refused rather than one set of parameters silently replacing the other; an identical repeat
  // is accepted as before.
  const key = mailboxKey(r.path.address);
  const same = s.recipientParameters.size > 0 ? s.recipientParameters.get(key) : undefined;
  if (same !== undefined && !sameParameters(same, r.parameters)) {
    return reply(s, { code: 503, enhanced: '5.5.1', text: 'Error: recipient already given with different parameters' });
  }
  // Past the cap: 452, which a client takes as "send the rest in another transaction" (RFC 5321
  // §4.5.3.1.10). As Postfix (smtpd_recipient_overshoot_limit), only an overshoot beyond another
  // maxRecipients counts as errors: a client pipelining 1100 recipients is not cut off with 421.
  if (s.recipients.length >= s.limits.maxRecipients) return reply(s, { code: 452, enhanced: '4.5.3', text: 'Error: too many recipients' }, ++s.overshoot > s.limits.maxRecipients);
  s.go('RCPT');
  const parameters = sealed(r.parameters);
  s.decide({ point: 'rcpt', to: r.path.address, key, parameters }, { type: 'rcpt', to: r.path.address, parameters, needsAnswer: !s.auto.has('rcpt') });
}

/** The application's answer to MAIL. */
export function answerMail(s: Session, from: string, parameters: EsmtpParameters, positive: boolean, r: ReplyInit | undefined): void {
  if (positive) {
    s.resetTransaction();
    s.mailFrom = from;
    s.mailParams = parameters;
    s.go('accept');
    send(s, r ?? { code: 250, enhanced: '2.1.0', text: 'Sender OK' });
  } else {
    s.go('reject');
    reply(s, r ?? { code: 550, enhanced: '5.7.1', text: 'Sender rejected' });
  }
}

/** The application's answer to RCPT. */
export function answerRcpt(s: Session, to: string, key: string, parameters: EsmtpParameters, positive: boolean, r: ReplyInit | undefined): void {
  s.go(positive ? 'accept' : 'reject');
  if (positive) {
    s.recipients.push(Object.freeze({ address: to, parameters })); // `transaction.recipients` hands these out
    s.recipientParameters.set(key, parameters);
    send(s, r ?? { code: 250, enhanced: '2.1.5', text: 'Recipient OK' });
  } else reply(s, r ?? { code: 550, enhanced: '5.1.1', text: 'Recipient rejected' });
}
