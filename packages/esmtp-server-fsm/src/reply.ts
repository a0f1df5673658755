/**
 * Replies the server sends: the application's input shape, validation and wire formatting.
 */
import { formatReply } from 'smtp-reply-reader';
import { replyTextFault } from '@smtpkit/foundation';
import { SmtpServerError } from './errors.js';

/**
 * A reply the application (or the session) sends. `text` may hold several lines (a multi-line
 * reply). `enhanced` is the RFC 3463 status code as text (`'5.1.1'`: its class the reply code's,
 * subject and detail one to three digits with no leading zero), added when ENHANCEDSTATUSCODES is
 * on; when it is missing a generic `X.0.0` is used.
 *
 * @example
 * ```ts
 * conn.reject({ code: 550, enhanced: '5.1.1', text: 'No such user here' });
 * ```
 * @see RFC 5321 §4.2, RFC 2034 §4
 */
export interface ReplyInit {
  readonly code: number;
  readonly enhanced?: string;
  readonly text?: string | readonly string[];
}

/**
 * What makes `line` unfit for one reply line, or undefined when it is fit: a CR, LF or other
 * control character (TAB excepted), or a lone surrogate (it has no UTF-8 form). The same text
 * `formatReply` refuses. @internal
 */
export function lineProblem(line: string): 'a control character' | 'a lone surrogate' | undefined {
  const fault = replyTextFault(line);
  return fault === undefined ? undefined : fault.kind === 'control' ? 'a control character' : 'a lone surrogate';
}

/** Whether `line` is fit for one reply line ({@link lineProblem} finds nothing). @internal */
export function safeLine(line: string): boolean {
  return lineProblem(line) === undefined;
}

function validEnhanced(code: number, e: string): boolean {
  const parts = e.split('.');
  if (parts.length !== 3) return false;
  // the reply code's class, and one RFC 3463 has (2, 4, 5): a 3xx reply takes no enhanced code
  if (parts[0] !== String(Math.floor(code / 100)) || parts[0] === '3') return false;
  // RFC 3463: one to three digits, no leading zero (written as given, never renumbered)
  return parts.every((p, i) => p.length >= 1 && p.length <= (i === 0 ? 1 : 3) && /^[0-9]+$/.test(p) && (p.length === 1 || p[0] !== '0'));
}

/**
 * Validates a reply from the application; throws `ERR_SMTP_INVALID_REPLY` on a bad code, a bad
 * enhanced code or a control character in the text (reply injection), and on a reply that is not
 * an object, text that is not a string or a list of strings, or an enhanced code that is not a string.
 *
 * @example
 * ```ts
 * checkReply({ code: 250, text: 'ok' });
 * ```
 * @see RFC 5321 §4.2
 */
export function checkReply(reply: ReplyInit): void {
  if (typeof reply !== 'object' || reply === null) throw new SmtpServerError('ERR_SMTP_INVALID_REPLY', 'a reply must be an object { code, enhanced?, text? }');
  if (!Number.isInteger(reply.code) || reply.code < 200 || reply.code > 559 || reply.code % 100 > 59) {
    throw new SmtpServerError('ERR_SMTP_INVALID_REPLY', `invalid reply code ${String(reply.code)}`);
  }
  if (reply.enhanced !== undefined && (typeof reply.enhanced !== 'string' || !validEnhanced(reply.code, reply.enhanced))) {
    throw new SmtpServerError('ERR_SMTP_INVALID_REPLY', `invalid enhanced status code for ${String(reply.code)}`);
  }
  const text: unknown = reply.text;
  const lines = typeof text === 'string' ? [text] : text === undefined ? [] : Array.isArray(text) ? (text as unknown[]) : undefined;
  if (lines === undefined) throw new SmtpServerError('ERR_SMTP_INVALID_REPLY', 'reply text must be a string or a list of strings');
  for (const l of lines) {
    if (typeof l !== 'string') throw new SmtpServerError('ERR_SMTP_INVALID_REPLY', 'reply text must be a string or a list of strings');
    const problem = lineProblem(l);
    if (problem !== undefined) throw new SmtpServerError('ERR_SMTP_INVALID_REPLY', `reply text contains ${problem}`);
  }
}

/**
 * Formats a reply for the wire with `formatReply` of smtp-reply-reader: `NNN-` continuation
 * lines, `NNN ` on the last, the enhanced code on every line when `enhanced` is true (a generic
 * `X.0.0` when the reply has none; never on an intermediate 3xx reply, RFC 3463 has no class 3),
 * long lines wrapped at 512 bytes. A `334` SASL challenge is
 * one line `334 <base64>`, never wrapped, with the space kept when the challenge is empty
 * (RFC 4954 §4, done by `formatReply`). A reply that `checkReply` refuses (an enhanced code of
 * another class than the reply code, a control character...) throws `ERR_SMTP_INVALID_REPLY`,
 * whatever was formatted before.
 *
 * @example
 * ```ts
 * formatServerReply({ code: 250, text: ['a', 'b'] }, true); // "250-2.0.0 a\r\n250 2.0.0 b\r\n"
 * ```
 * @see RFC 5321 §4.2.1, RFC 2034 §4, RFC 4954 §4
 */
export function formatServerReply(reply: ReplyInit, enhanced: boolean): string {
  const text = reply.text;
  // (SASL challenges, 334, are one-off by design: never shared)
  if (typeof text !== 'string' || text.length > SHARED_TEXT_MAX || reply.code === 334) {
    checkReply(reply);
    return formatUncached(reply, enhanced);
  }
  // One-line replies repeat across sessions (`250 2.1.0 Sender OK`): formatted once and shared by every session of this module.
  // Keyed by the text, then the enhanced code (NO_ENHANCED when there is none), then the code and
  // the enhanced flag, so a lookup builds no key string; bounded (cleared when full). Only replies
  // that passed checkReply are stored, so a hit needs no check.
  const e = reply.enhanced ?? NO_ENHANCED;
  const k = reply.code * 2 + (enhanced ? 1 : 0);
  let byEnhanced = shared.get(text);
  let byCode = byEnhanced?.get(e);
  let s = byCode?.get(k);
  if (s === undefined) {
    checkReply(reply);
    s = formatUncached(reply, enhanced);
    if (sharedEntries >= SHARED_SIZE) {
      shared.clear();
      sharedEntries = 0;
      byEnhanced = undefined;
      byCode = undefined;
    }
    sharedEntries++;
    if (byEnhanced === undefined) shared.set(text, (byEnhanced = new Map<string, Map<number, string>>()));
    if (byCode === undefined) byEnhanced.set(e, (byCode = new Map<number, string>()));
    byCode.set(k, s);
  }
  return s;
}

/** Formatted one-line replies shared by every session of this module (see formatServerReply). */
const shared = new Map<string, Map<string, Map<number, string>>>();
let sharedEntries = 0;
const SHARED_SIZE = 256;
/** The key of a reply without an enhanced code (never a valid one: `''` is refused, not this). */
const NO_ENHANCED = '-';
/** Longer texts (rare, and often unique) are formatted each time. */
const SHARED_TEXT_MAX = 200;

function formatUncached(reply: ReplyInit, enhanced: boolean): string {
  const lines = typeof reply.text === 'string' ? [reply.text] : reply.text && reply.text.length > 0 ? reply.text : [''];
  if (reply.code === 334 && lines.length === 1) {
    // One line however long (a SASL challenge is never wrapped: the bound counts every UTF-16 unit
    // as 3 octets, the most UTF-8 needs for one); smtp-reply-reader keeps the space of an empty
    // challenge (`334 `, RFC 4954 §4). A 334 of several lines (a custom verb's) is written whole.
    const challenge = lines[0]!;
    return formatReply({ code: 334, text: challenge }, { maxLineLength: Math.max(512, challenge.length * 3 + 6) });
  }
  if (enhanced && (reply.code < 300 || reply.code >= 400)) {
    return formatReply({ code: reply.code, enhanced: reply.enhanced ?? `${String(Math.floor(reply.code / 100))}.0.0`, lines });
  }
  return formatReply({ code: reply.code, lines });
}
