/**
 * Hooks: how the application's answers (a value, a promise, a thrown reply) become the core's
 * decisions, and the helpers hooks use (`SmtpReplyError`, `verifyCramMd5`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuthCredentials } from '@smtpkit/foundation';
import { SmtpServerError } from 'esmtp-server-fsm';
import type { ReplyInit, CommandContinuation } from 'esmtp-server-fsm';

/**
 * A reply thrown by a hook to reject (or answer) a command.
 *
 * @example
 * ```ts
 * onRcptTo: (to) => { if (!known(to)) throw new SmtpReplyError({ code: 550, enhanced: '5.1.1', text: 'No such user' }); }
 * ```
 * @see RFC 5321 §4.2
 */
export class SmtpReplyError extends Error {
  readonly reply: ReplyInit;
  constructor(reply: ReplyInit) {
    super(`${String(reply.code)} ${typeof reply.text === 'string' ? reply.text : (reply.text ?? []).join(' ')}`);
    this.name = 'SmtpReplyError';
    this.reply = reply;
  }
}

/**
 * Verifies CRAM-MD5 credentials against a known password.
 *
 * @example
 * ```ts
 * onAuth: (c) => c.mechanism === 'CRAM-MD5' ? verifyCramMd5(c, passwords[c.username]) : c.password === passwords[c.username]
 * ```
 * @see RFC 2195 §2
 */
export function verifyCramMd5(credentials: AuthCredentials, password: string | undefined): boolean {
  if (password === undefined || credentials.challenge === undefined || credentials.response === undefined) return false;
  const expected = createHmac('md5', password).update(credentials.challenge).digest();
  const got = Buffer.from(credentials.response, 'hex');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** True when a hook answered a custom verb with a further step of its exchange (it has `read`). */
export function isContinuation(result: unknown): result is CommandContinuation {
  return typeof result === 'object' && result !== null && 'read' in result;
}

/** A hook's result as the core's answer: accept, reject (default reply) or a given reply. */
export function interpret(result: unknown): { positive: boolean; reply: ReplyInit | undefined } {
  if (result === undefined || result === true) return { positive: true, reply: undefined };
  if (result === false) return { positive: false, reply: undefined };
  if (result === null) throw new SmtpServerError('ERR_SMTP_INVALID_REPLY', 'a hook answered null: answer nothing, true, false or a reply object');
  const r = result as ReplyInit;
  return { positive: r.code < 400, reply: r };
}

/** A refusal's code: what a thrown reply must carry (a throw never accepts). */
const isRefusalCode = (code: unknown): code is number => typeof code === 'number' && code >= 400 && code <= 599;

/**
 * The longest `message` of a thrown error that stands in for a missing `text`: one short reply
 * line. An error's message is written for logs, not for the peer; a longer one is not sent.
 */
export const MESSAGE_TEXT_MAX = 200;

/**
 * Whether a thrown error's string `message` may be the text of its reply: at most
 * {@link MESSAGE_TEXT_MAX} characters, no control character (a stack, a dump, a multi-line
 * driver message stays out of the reply).
 */
function isReplyMessage(message: string): boolean {
  if (message.length > MESSAGE_TEXT_MAX) return false;
  for (let i = 0; i < message.length; i++) {
    const c = message.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return false;
  }
  return true;
}

/**
 * The reply carried by what a hook threw (`SmtpReplyError`, or any object with a numeric `code`),
 * when that code is a refusal (4xx/5xx). Anything else, a positive code included, is an unexpected
 * exception: a third-party error whose numeric `code` happens to lie in 200-399 (a database
 * driver's) must not accept a command. `enhanced` and `text` are carried as given, so one of the
 * wrong type is refused (`ERR_SMTP_INVALID_REPLY` to `onError`, the local-error reply to the
 * client) as in a returned reply, never dropped. An error's `message` stands in for a missing
 * `text` only when it is one short line (see {@link MESSAGE_TEXT_MAX}); a longer one, or one with
 * a control character, makes the throw an unexpected exception (`onError` gets the error itself,
 * the client the local-error reply), so no internal detail or 100 KB dump reaches the peer.
 */
export function replyOfError(e: unknown): ReplyInit | undefined {
  // each field read once: the code checked as a refusal is the code the reply carries
  const given: unknown = e instanceof SmtpReplyError ? e.reply : e;
  if (typeof given !== 'object' || given === null) return undefined;
  const r = given as { code?: unknown; enhanced?: unknown; text?: unknown; message?: unknown };
  const code = r.code;
  if (!isRefusalCode(code)) return undefined;
  const enhanced = r.enhanced;
  const text = r.text;
  if (text !== undefined || e instanceof SmtpReplyError) return { code, enhanced, text } as ReplyInit;
  const message = r.message;
  if (typeof message === 'string' && !isReplyMessage(message)) return undefined;
  return { code, enhanced, text: message } as ReplyInit;
}

/**
 * Calls a hook. A plain result or a throw comes back at once as `[fulfilled, value]`; for a
 * promise (or any thenable) it returns undefined and `later(fulfilled, value)` runs once it settles.
 */
export function callHook(run: () => unknown, later: (fulfilled: boolean, value: unknown) => void): readonly [boolean, unknown] | undefined {
  let r: unknown;
  try {
    r = run();
    // reading `then` runs the result's code too (a getter): a throw there is the hook's failure
    if (typeof r !== 'object' || r === null || typeof (r as { then?: unknown }).then !== 'function') return [true, r];
  } catch (e) {
    return [false, e];
  }
  (r instanceof Promise ? r : Promise.resolve(r)).then(
    (v: unknown) => later(true, v),
    (e: unknown) => later(false, e),
  );
  return undefined;
}
