/**
 * Custom verbs (the `registry` option) and their multi-step exchanges, the C API's extension
 * states: after the `command` event the application may answer with `continueCommand` instead of
 * a final reply, and the session then reads the client's next line (`command-line` event), a
 * dot-terminated block or a block of a given length (`command-data` events then `command-end`),
 * each followed by a new decision, until a final `accept` / `reject` / `respond`.
 */
import { DataDecoder } from './data-decoder.js';
import { SmtpServerError } from './errors.js';
import { consume, readLine } from './line-reader.js';
import type { ExchangeLineCheck } from './line-reader.js';
import type { ReplyInit } from './reply.js';
import { readReply } from './reply.js';
import { NOT_RECOGNIZED, reply, send, SERVICE_REFUSED, TLS_REQUIRED } from './replies.js';
import type { Session } from './session.js';
import { utf8Text } from './peer-text.js';

/**
 * What the session reads next in a custom verb's exchange, and the intermediate reply sent first.
 *
 * - `read: 'line'`: a `3xx` reply (for example `334 <challenge>`), then the client's next line,
 *   handed over as a `command-line` event (at most `limits.maxCommandLine` bytes, UTF-8).
 * - `read: 'dot'`: a `3xx` reply (for example `354`), then a block ended by `<CRLF>.<CRLF>`,
 *   dot-unstuffed, streamed as `command-data` events, then `command-end`.
 * - `read: { bytes: n }`: exactly `n` bytes, streamed as `command-data` events, then `command-end`.
 *   Without a reply only as the answer to the `command` event of a verb registered with a
 *   `blockLength` (its block follows the command line at once, as BDAT's chunk does, RFC 3030), and
 *   `n` must be that length: the session then knows where the block ends whatever the answer (a
 *   final reply skips it; a refused verb, before the application sees it, too). With a `3xx` reply
 *   the client sends the block once it has that reply.
 *
 * Blocks count against `limits.maxMessageSize`: a longer one is read to its end, not handed over,
 * and answered `552 5.3.4`; a dot block with a bare CR or LF is answered `550 5.5.2` unless
 * `bareLineEndings` is `normalize`.
 *
 * @example
 * ```ts
 * if (e.type === 'command' && e.verb === 'XCHAL') conn.continueCommand({ reply: { code: 334, text: 'bm9uY2U=' }, read: 'line' });
 * if (e.type === 'command-line') conn.accept({ code: 250, text: 'proved' });
 * ```
 * @see RFC 5321 §4.2.1 (3yz replies), §4.1.5; RFC 4954 §4 (a challenge-response exchange)
 */
export type CommandContinuation =
  | { readonly reply: ReplyInit; readonly read: 'line' | 'dot' }
  | { readonly reply?: ReplyInit; readonly read: { readonly bytes: number } };

/** The exchange in progress (internal). */
export interface ExtensionStep {
  readonly verb: string;
  readonly mode: 'line' | 'dot' | 'bytes';
  remaining: number;
  size: number;
  tooLarge: boolean;
  readonly decoder: DataDecoder | undefined;
  /** A block read to be skipped, then this reply, counted as an error or not (the verb refused or answered before its block). */
  readonly skip?: { readonly reply: ReplyInit; readonly counts: boolean };
}

/** Why a registered custom verb is refused in this state (before EHLO, not advertised), or undefined. */
function refusal(s: Session, keyword: string, advertised: boolean): ReplyInit | undefined {
  if (!advertised) return undefined;
  if (s.current === 'awaiting-helo') return { code: 503, enhanced: '5.5.1', text: 'Error: send EHLO first' };
  // an extension that was not in the last EHLO reply is not in force for this client
  return s.advertisedKeywords.includes(keyword) ? undefined : NOT_RECOGNIZED;
}

/** A custom verb from the session's extension table, or 500 for an unknown one. */
export function customCommand(s: Session, verb: string, arg: string): void {
  const v = s.registry.verb(verb);
  if (v === undefined) return reply(s, NOT_RECOGNIZED);
  const r = refusal(s, v.keyword, v.extension.advertise !== false);
  if (r) return reply(s, r);
  s.enter('command');
  s.decide({ point: 'command', verb }, { type: 'command', verb, argument: arg, needsAnswer: !s.auto.has('command') });
}

/**
 * A custom verb registered with a `blockLength`: its block follows the line at once (as BDAT's
 * chunk does), so its end must be known whatever the verdict. An argument without a length closes
 * the connection (`501`, as an unparsable BDAT line, SRV-3); a refusal (a refused session, TLS
 * required, before EHLO, not advertised) is sent after the block, skipped; else the `command`
 * decision, whose final answer skips the block too.
 */
export function blockCommand(s: Session, verb: string, arg: string, length: (argument: string) => number | undefined): void {
  const n = length(arg);
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) return unframed(s);
  const v = s.registry.verb(verb)!;
  // the refusals `command` gives any other verb in this state, then the extension's own
  const r = s.current === 'rejected' ? SERVICE_REFUSED : s.options.requireTls && !s.secure ? TLS_REQUIRED : refusal(s, v.keyword, v.extension.advertise !== false);
  if (r) {
    s.enter('read-block');
    return skipBlock(s, verb, n, r, true);
  }
  s.enter('command');
  s.decide({ point: 'command', verb, block: n }, { type: 'command', verb, argument: arg, needsAnswer: !s.auto.has('command') });
}

/** `501` and close: a line whose block length cannot be known (the bytes after it must never run as commands). */
export function unframed(s: Session): void {
  s.abortTransactionIfData('closed');
  send(s, { code: 501, enhanced: '5.5.4', text: 'Syntax error, block length unknown; closing connection' });
  s.close('synchronization');
}

/** Reads the `n` bytes of a block and drops them, then sends `r` (state `extension`, back to `resume` after). */
export function skipBlock(s: Session, verb: string, n: number, r: ReplyInit, counts: boolean): void {
  s.exchange = { verb, mode: 'bytes', remaining: n, size: 0, tooLarge: false, decoder: undefined, skip: { reply: r, counts } };
  s.dataStarted = false;
  if (n === 0) blockEnd(s);
}

/** Checks a continuation given by the application and starts it (`block`: the declared length of the verb's block, at its `command` decision). */
export function startContinuation(s: Session, verb: string, step: CommandContinuation, block?: number): void {
  // each field read once (a getter or a Proxy cannot pass the checks with one value and run with another)
  const read: unknown = step.read;
  const given = step.reply;
  const bytes: unknown = typeof read === 'object' && read !== null ? (read as { bytes?: unknown }).bytes : undefined;
  if (read !== 'line' && read !== 'dot' && bytes === undefined) throw new SmtpServerError('ERR_SMTP_INVALID_CONTINUATION', "continueCommand: read must be 'line', 'dot' or { bytes }");
  if (block !== undefined && bytes !== block) throw new SmtpServerError('ERR_SMTP_INVALID_CONTINUATION', `continueCommand: ${verb} has a block of ${String(block)} bytes: read it or answer`);
  if (bytes !== undefined) {
    if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) throw new SmtpServerError('ERR_SMTP_INVALID_CONTINUATION', `continueCommand: bytes must be a non-negative integer, got ${typeof bytes === 'number' ? String(bytes) : typeof bytes}`);
    // a block sent without waiting for a reply must have a length the session knew from the line
    if (block === undefined && given === undefined) throw new SmtpServerError('ERR_SMTP_INVALID_CONTINUATION', 'continueCommand: a block without a 3xx reply needs a verb with a blockLength');
  } else if (given === undefined) throw new SmtpServerError('ERR_SMTP_INVALID_CONTINUATION', 'continueCommand: a line or dot block needs an intermediate reply');
  const reply = given === undefined ? undefined : readReply(given);
  if (reply !== undefined && (reply.code < 300 || reply.code > 399)) throw new SmtpServerError('ERR_SMTP_INVALID_REPLY', 'continueCommand() needs a 3xx (intermediate) reply');
  s.go('continue');
  if (reply !== undefined) send(s, reply);
  const mode = bytes !== undefined ? 'bytes' : read === 'line' ? 'line' : 'dot';
  s.exchange = { verb, mode, remaining: bytes ?? 0, size: 0, tooLarge: false, decoder: mode === 'dot' ? new DataDecoder(s.options.bareLineEndings === 'normalize' ? 'normalize' : 'reject') : undefined };
  s.dataStarted = false;
  if (mode === 'bytes' && bytes === 0) blockEnd(s);
}

/**
 * Reads what the exchange waits for; false when more input is needed. A line whose segments a
 * lenient peer would run as a data verb (or a must-be-last one with input behind) closes the
 * session first (`check`, SMUG-5).
 */
export function stepExtension(s: Session, check: ExchangeLineCheck): boolean {
  const x = s.exchange!;
  if (x.mode === 'line') {
    const line = readLine(s, s.limits.maxCommandLine, false, check.verbKind);
    if (line === undefined) return false;
    if (check.closes(s, line)) {
      s.exchange = undefined;
      return true;
    }
    if (line === 'overflow') return cancel(s, { code: 500, enhanced: '5.5.6', text: 'Error: line too long' });
    const text = utf8Text(line);
    if (text === undefined) return cancel(s, { code: 501, enhanced: '5.5.2', text: 'Error: invalid UTF-8' });
    if (text.includes('\0') || text.includes('\r') || text.includes('\n')) return cancel(s, { code: 501, enhanced: '5.5.2', text: 'Error: bare <CR>, <LF> or NUL received' });
    s.exchange = undefined;
    s.go('command');
    s.decide({ point: 'command', verb: x.verb }, { type: 'command-line', verb: x.verb, line: text, needsAnswer: !s.auto.has('command') });
    return true;
  }
  if (s.inputLength === 0) return false;
  s.dataStarted = true;
  const chunk = s.chunks[0]!;
  const start = s.headOff;
  if (x.mode === 'bytes') {
    const take = Math.min(x.remaining, chunk.length - start);
    const piece = chunk.subarray(start, start + take);
    consume(s, take);
    x.remaining -= take;
    blockPiece(s, x, piece);
    if (x.remaining === 0) blockEnd(s);
    return true;
  }
  const decoder = x.decoder!;
  const r = decoder.push(chunk, start, chunk.length, (p) => blockPiece(s, x, p));
  consume(s, r.consumed);
  if (r.done) blockEnd(s);
  return true;
}


function blockPiece(s: Session, x: ExtensionStep, piece: Uint8Array): void {
  if (piece.length === 0 || x.skip) return;
  x.size += piece.length;
  if (s.limits.maxMessageSize > 0 && x.size > s.limits.maxMessageSize) x.tooLarge = true;
  if (!x.tooLarge) s.emit({ type: 'command-data', verb: x.verb, bytes: piece });
}

function blockEnd(s: Session): void {
  const x = s.exchange!;
  if (x.skip) {
    s.exchange = undefined;
    s.go('cancel');
    reply(s, x.skip.reply, x.skip.counts);
    return;
  }
  if (x.tooLarge) {
    cancel(s, { code: 552, enhanced: '5.3.4', text: 'Error: block size exceeds fixed maximum size' });
    return;
  }
  if (x.decoder !== undefined && x.decoder.bareCr + x.decoder.bareLf > 0 && s.options.bareLineEndings !== 'normalize') {
    cancel(s, { code: 550, enhanced: '5.5.2', text: 'Error: bare <CR> or <LF> received' });
    return;
  }
  s.exchange = undefined;
  s.go('command');
  s.decide({ point: 'command', verb: x.verb }, { type: 'command-end', verb: x.verb, size: x.size, needsAnswer: !s.auto.has('command') });
}

/** Ends the exchange with an error reply, back to the command state it started from. */
function cancel(s: Session, r: ReplyInit): true {
  s.exchange = undefined;
  s.go('cancel');
  reply(s, r);
  return true;
}
