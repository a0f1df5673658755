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
 * Each field (and each line of a list) is read once.
 *
 * @example
 * ```ts
 * checkReply({ code: 250, text: 'ok' });
 * ```
 * @see RFC 5321 §4.2
 */
export function checkReply(reply: ReplyInit): void {
  readReply(reply);
}

const invalid = (m: string): SmtpServerError => new SmtpServerError('ERR_SMTP_INVALID_REPLY', m);

function checkObject(reply: unknown): asserts reply is ReplyInit {
  if (typeof reply !== 'object' || reply === null) throw invalid('a reply must be an object { code, enhanced?, text? }');
}

/**
 * A checked copy of `reply`: each field (and each line of a list) read once, so a getter or a Proxy
 * cannot pass the check and then give other values to the code that writes the reply. Throws as
 * {@link checkReply}. @internal
 */
export function readReply(reply: ReplyInit): ReplyInit {
  checkObject(reply);
  return checkedCopy(reply.code, reply.enhanced, reply.text);
}

function checkedCopy(code: unknown, enhanced: unknown, text: unknown): ReplyInit {
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 200 || code > 559 || code % 100 > 59) throw invalid(`invalid reply code ${String(code)}`);
  if (enhanced !== undefined && (typeof enhanced !== 'string' || !validEnhanced(code, enhanced))) throw invalid(`invalid enhanced status code for ${String(code)}`);
  const notText = 'reply text must be a string or a list of strings';
  // a list is copied (its length and each line read once); a typed array is not a list
  const lines: unknown[] = [];
  if (Array.isArray(text)) for (let i = 0, n = (text as unknown[]).length; i < n; i++) lines.push((text as unknown[])[i]);
  else if (typeof text === 'string') lines.push(text);
  else if (text !== undefined) throw invalid(notText);
  for (const l of lines) {
    if (typeof l !== 'string') throw invalid(notText);
    const problem = lineProblem(l);
    if (problem !== undefined) throw invalid(`reply text contains ${problem}`);
  }
  return { code, enhanced, text: Array.isArray(text) ? lines : text } as ReplyInit;
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
  checkObject(reply);
  // each field read once: the cache key and the formatted line come from the same checked values
  const code: unknown = reply.code;
  const given: unknown = reply.enhanced;
  const text: unknown = reply.text;
  // (SASL challenges, 334, are one-off by design: never shared)
  if (typeof text !== 'string' || text.length > SHARED_TEXT_MAX || code === 334 || typeof code !== 'number') {
    return formatUncached(checkedCopy(code, given, text), enhanced);
  }
  // One-line replies repeat across sessions (`250 2.1.0 Sender OK`): formatted once and shared by every session of this module.
  // Keyed by the text, then the enhanced code (NO_ENHANCED when there is none), then the code and
  // the enhanced flag, so a lookup builds no key string; bounded (cleared when full). Only replies
  // that passed checkReply are stored, so a hit needs no check.
  // (a key that is not a string misses, and checkedCopy refuses it)
  const e = (given ?? NO_ENHANCED) as string;
  const k = code * 2 + (enhanced ? 1 : 0);
  let byEnhanced = shared.get(text);
  let byCode = byEnhanced?.get(e);
  let s = byCode?.get(k);
  if (s === undefined) {
    s = formatUncached(checkedCopy(code, given, text), enhanced);
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
  // a 334 (3xx: no enhanced code) goes to formatReply as it is: one line however long, `334 ` when empty
  if (enhanced && (reply.code < 300 || reply.code >= 400)) {
    return formatReply({ code: reply.code, enhanced: reply.enhanced ?? `${String(Math.floor(reply.code / 100))}.0.0`, lines });
  }
  return formatReply({ code: reply.code, lines });
}
