/**
 * Replies: formatting (each constant reply once per session), the output buffer, error counting
 * (tarpit and hard limit) and the output handed to the host.
 */
import type { ReplyInit } from './reply.js';
import { formatServerReply } from './reply.js';
import type { Session } from './session.js';

/** `500 5.5.2`: a verb the session does not know, or a custom verb not in force for this client. */
export const NOT_RECOGNIZED: ReplyInit = { code: 500, enhanced: '5.5.2', text: 'Error: command not recognized' };
/** `503 5.5.1`: any command but QUIT in a session the application refused at connect. */
export const SERVICE_REFUSED: ReplyInit = { code: 503, enhanced: '5.5.1', text: 'Error: service refused, please QUIT' };
/** `530 5.7.0`: a command that needs TLS (`requireTls`) before STARTTLS (RFC 3207 §4). */
export const TLS_REQUIRED: ReplyInit = { code: 530, enhanced: '5.7.0', text: 'Must issue a STARTTLS command first' };

/** Formatted replies (and their bytes) kept per session. */
const REPLY_CACHE_SIZE = 64;
const enc = new TextEncoder();

/**
 * Queues a reply. Greeting and HELO/EHLO replies (`plain`) carry no enhanced code (RFC 2034 §3)
 * unless the application gave one.
 */
export function send(s: Session, reply: ReplyInit, plain = false): void {
  // (an intermediate 3xx reply never carries one: formatServerReply leaves it out)
  const enhanced = s.ext.enhancedStatusCodes && (!plain || reply.enhanced !== undefined);
  let line: string | undefined;
  const text = reply.text ?? '';
  if (typeof text === 'string') {
    // Most replies are constants (`250 2.0.0 Ok`): format each once per session. The cache is
    // keyed by the text, then the enhanced code, then the code and whether the enhanced code
    // is shown, so a lookup builds no key string (constant texts keep their hash), and bounded.
    const e = reply.enhanced ?? '';
    let byEnhanced = s.replyCache.get(text);
    let byCode = byEnhanced?.get(e);
    const k = reply.code * 2 + (enhanced ? 1 : 0);
    line = byCode?.get(k);
    if (line === undefined) {
      line = formatServerReply(reply, enhanced);
      if (s.replyCacheEntries < REPLY_CACHE_SIZE) {
        s.replyCacheEntries++;
        if (byEnhanced === undefined) s.replyCache.set(text, (byEnhanced = new Map<string, Map<number, string>>()));
        if (byCode === undefined) byEnhanced.set(e, (byCode = new Map<number, string>()));
        byCode.set(k, line);
      }
    }
  } else line = formatServerReply(reply, enhanced);
  s.out.push(line);
  s.outBytes += line.length;
}

/** Sends a reply to a command and counts errors; closes past the hard error limit. */
export function reply(s: Session, r: ReplyInit, counts = r.code >= 400): void {
  send(s, r);
  if (counts) countError(s);
}

/** Counts a negative reply: the tarpit from `softErrorLimit`, `421 4.7.0` and close at `hardErrorLimit`. */
export function countError(s: Session): void {
  s.errors++;
  if (s.errors >= s.limits.hardErrorLimit && s.current !== 'closed') {
    s.abortTransactionIfData('closed');
    send(s, { code: 421, enhanced: '4.7.0', text: `${s.hostname} Error: too many errors` });
    s.close('too-many-errors');
  } else if (s.limits.softErrorLimit > 0 && s.errors >= s.limits.softErrorLimit && s.timeouts.errorDelay > 0 && s.current !== 'closed') {
    s.delaying = true; // DOS-5: hold this reply (and further input) for errorDelay
  }
}

/** `421 4.3.2` and close (graceful shutdown reached an idle point). */
export function shutdownNow(s: Session): void {
  send(s, { code: 421, enhanced: '4.3.2', text: `${s.hostname} Service shutting down, closing transmission channel` });
  s.close('shutdown');
}

/** The output as text (empties the buffer); nothing while an error reply is held (tarpit). */
export function takeText(s: Session): string {
  if (s.out.length === 0 || s.delaying) return '';
  const text = s.out.length === 1 ? s.out[0]! : s.out.join('');
  s.out = [];
  s.outBytes = 0;
  return text;
}

/** The output as bytes (empties the buffer); the encoding of frequent outputs is cached, the caller gets a copy. */
export function takeBytes(s: Session): Uint8Array {
  const text = takeText(s);
  if (text.length === 0) return new Uint8Array(0);
  let bytes = s.replyBytes.get(text);
  if (bytes === undefined) {
    bytes = enc.encode(text);
    if (s.replyBytes.size >= REPLY_CACHE_SIZE || text.length > 512) return bytes;
    s.replyBytes.set(text, bytes);
  }
  return bytes.slice();
}
