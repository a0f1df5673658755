/**
 * XCLIENT and XFORWARD (Postfix, trusted peers only): attributes as xtext (decoded by
 * smtp-client-args), the XCLIENT decision and its session reset.
 */
import { asciiUpper } from '@smtpkit/foundation';
import { xtextDecode } from 'smtp-client-args';
import type { ClientAttributes } from './events.js';
import { XCLIENT_ATTRS, XFORWARD_ATTRS } from './extensions.js';
import { addressLiteralKind, hostNameFault } from './peer-text.js';
import type { ReplyInit } from './reply.js';
import { reply, send } from './replies.js';
import { NO_KEYWORDS } from './session.js';
import type { Session } from './session.js';

/** An xtext attribute value, or undefined when it is malformed (RFC 3461 §4; controls refused). */
function xtext(raw: string): string | undefined {
  try {
    return xtextDecode(raw);
  } catch {
    return undefined;
  }
}

function parseAttributes(arg: string, allowed: readonly string[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  if (!arg) return undefined;
  for (const item of arg.split(' ')) {
    const eq = item.indexOf('=');
    if (eq <= 0) return undefined;
    // ASCII only: Unicode upper-casing reads `LOGıN` (dotless i) as LOGIN and `ſOURCE` as SOURCE,
    // names Postfix (and any proxy between) takes for unknown attributes
    const key = asciiUpper(item.slice(0, eq));
    if (!allowed.includes(key)) return undefined;
    const raw = item.slice(eq + 1);
    const special = raw === '[UNAVAILABLE]' || raw === '[TEMPUNAVAIL]';
    const value = special ? raw : xtext(raw);
    // ADDR (Postfix XCLIENT_README): an IPv4 address, or an IPv6 one after `IPV6:`
    if (value === undefined || (key === 'ADDR' && !special && addressLiteralKind(`[${value}]`)?.[0] !== 'i')) return undefined;
    out[key] = value;
  }
  // frozen: the event carries it and the session keeps it (a later `accept` applies what was received)
  return Object.freeze(out);
}

/**
 * The attribute (`HELO` or `NAME`) whose value is no host name, or undefined. They stand for the
 * client's HELO argument and host name (the `from` part of a Received header, events, logs), so
 * they are checked as the EHLO argument is: at most 255 octets, LDH labels (U-labels when
 * SMTPUTF8 is offered); HELO may also be an address literal, NAME may not (Postfix: a host name,
 * not an address). The special values pass as they are.
 */
function badHostAttribute(attrs: Record<string, string>, utf8: boolean): 'HELO' | 'NAME' | undefined {
  for (const key of ['HELO', 'NAME'] as const) {
    const v = attrs[key];
    if (v === undefined || v === '[UNAVAILABLE]' || v === '[TEMPUNAVAIL]') continue;
    if (hostNameFault(v, utf8, key === 'HELO')) return key;
  }
  return undefined;
}

/** XCLIENT attribute=value... (trusted peers only): the `xclient` decision. */
export function xclient(s: Session, arg: string): void {
  if (!s.options.trusted) return reply(s, { code: 550, enhanced: '5.7.0', text: 'Error: insufficient authorization' });
  if (s.current === 'awaiting-rcpt') return reply(s, { code: 503, enhanced: '5.5.1', text: 'Error: MAIL transaction in progress' });
  const attrs = parseAttributes(arg, XCLIENT_ATTRS);
  if (!attrs) return reply(s, { code: 501, enhanced: '5.5.4', text: 'Syntax: XCLIENT attribute=value...' });
  const bad = badHostAttribute(attrs, s.ext.smtpUtf8);
  // nothing of the value is echoed (the attribute's name is one of ours)
  if (bad) return reply(s, { code: 501, enhanced: '5.5.4', text: `Error: invalid host name in ${bad}` });
  s.enter('XCLIENT');
  s.decide({ point: 'xclient', attributes: attrs }, { type: 'xclient', attributes: attrs, needsAnswer: !s.auto.has('xclient') });
}

/** XFORWARD attribute=value... (trusted peers only): recorded at once, `250`. */
export function xforward(s: Session, arg: string): void {
  if (!s.options.trusted) return reply(s, { code: 550, enhanced: '5.7.0', text: 'Error: insufficient authorization' });
  if (s.current === 'awaiting-helo') return reply(s, { code: 503, enhanced: '5.5.1', text: 'Error: send HELO/EHLO first' });
  const attrs = parseAttributes(arg, XFORWARD_ATTRS);
  if (!attrs) return reply(s, { code: 501, enhanced: '5.5.4', text: 'Syntax: XFORWARD attribute=value...' });
  const bad = badHostAttribute(attrs, s.ext.smtpUtf8);
  if (bad) return reply(s, { code: 501, enhanced: '5.5.4', text: `Error: invalid host name in ${bad}` });
  s.xforwardAttrs = Object.freeze({ ...s.xforwardAttrs, ...attrs });
  s.emit({ type: 'xforward', attributes: attrs });
  reply(s, { code: 250, enhanced: '2.0.0', text: 'Ok' });
}

/** The application's answer to XCLIENT: accepted, the session starts over with the new attributes and a new greeting. */
export function answerXclient(s: Session, attributes: ClientAttributes, positive: boolean, r: ReplyInit | undefined): void {
  if (positive) {
    s.xclientAttrs = Object.freeze({ ...s.xclientAttrs, ...attributes });
    const addr = attributes.ADDR;
    if (addr !== undefined && !addr.startsWith('[')) s.clientAddress = addr;
    s.helo = undefined;
    s.heloVerb = undefined;
    s.authUser = undefined;
    s.advertisedKeywords = NO_KEYWORDS;
    s.resetTransaction();
    s.go('xclient-reset');
    send(s, r ?? s.greeting(), true);
  } else {
    s.go('reject');
    reply(s, r ?? { code: 550, enhanced: '5.7.0', text: 'Error: XCLIENT refused' });
  }
}
