/**
 * DATA and BDAT: the start decision, the body (dot-unstuffed by the DATA decoder, or counted BDAT
 * chunks), size and bare line-ending checks while streaming, and the end-of-message decision.
 */
import { asciiUpper } from '@smtpkit/foundation';
import { DataDecoder } from './data-decoder.js';
import { consume } from './line-reader.js';
import type { MessageAbortReason } from './events.js';
import { sanitizeEcho } from './peer-text.js';
import type { ReplyInit } from './reply.js';
import { reply, send, shutdownNow, TLS_REQUIRED } from './replies.js';
import type { Session } from './session.js';

const CR = 13;
const LF = 10;

/** DATA (RFC 5321 §4.1.1.4): checks, then the `data-start` decision. */
export function data(s: Session, hasArg: boolean): void {
  if (hasArg) return reply(s, { code: 501, enhanced: '5.5.4', text: 'Syntax: DATA' });
  if (s.current !== 'awaiting-rcpt') return reply(s, { code: 503, enhanced: '5.5.1', text: 'Error: need MAIL command' });
  if (s.bdatActive) return reply(s, { code: 503, enhanced: '5.5.1', text: 'Error: BDAT in progress' });
  // RFC 5321 §3.3 allows 503 or 554; LMTP's DATA MUST fail with 503 (RFC 2033 §4.2)
  if (s.recipients.length === 0) return reply(s, { code: s.lmtp ? 503 : 554, enhanced: '5.5.1', text: 'Error: no valid recipients' });
  if (typeof s.mailParams.BODY === 'string' && asciiUpper(s.mailParams.BODY) === 'BINARYMIME') {
    return reply(s, { code: 503, enhanced: '5.5.1', text: 'Error: BODY=BINARYMIME requires BDAT' });
  }
  s.go('DATA');
  s.decide({ point: 'data-start', mode: 'data' }, { type: 'data-start', mode: 'data', needsAnswer: !s.auto.has('data-start') });
}

/** BDAT <size> [LAST] (RFC 3030 §2): the chunk is read whatever the verdict; the first one of a message asks for `data-start`. */
export function bdat(s: Session, arg: string, allowed: boolean): void {
  // The line must be parsed first: the chunk is consumed whatever the verdict (RFC 3030 §2). `arg` is
  // all of the line after the verb; RFC 3030 §4: SP chunk-size [SP end-marker], nothing else.
  const m = /^ ([0-9]{1,15})( last)?$/i.exec(arg);
  if (!m) {
    // SRV-3: the end of the chunk cannot be known: the bytes that follow must never run as commands.
    s.abortTransactionIfData('closed');
    send(s, { code: 501, enhanced: '5.5.4', text: 'Syntax: BDAT size [LAST]; closing connection' });
    s.close('synchronization');
    return;
  }
  // a BDAT line after the first one of the message is a byte of its data phase (see Session.dataStarted)
  s.dataStarted = s.bdatActive;
  s.bdatRemaining = +m[1]!;
  s.bdatLast = !!m[2];
  s.resume = s.current;
  let error: ReplyInit | undefined;
  if (!allowed) error = TLS_REQUIRED;
  else if (!s.ext.chunking) error = { code: 502, enhanced: '5.5.1', text: 'Error: BDAT not implemented' };
  else if (s.current !== 'awaiting-rcpt') error = { code: 503, enhanced: '5.5.1', text: 'Error: need MAIL command' };
  else if (s.recipients.length === 0) {
    error = { code: 554, enhanced: '5.5.1', text: 'Error: no valid recipients' };
    // LMTP: a BDAT LAST with no successful RCPT in the transaction returns zero replies (RFC 2033 §4.3)
    if (s.lmtp) s.owed = [];
  }
  if (error) {
    s.bdatOk = false;
    s.bdatError = error;
    s.go('read-chunk');
    return;
  }
  if (!s.bdatActive) {
    s.bdatActive = true;
    s.bdatPrevCr = false;
    s.go('BDAT');
    s.decide({ point: 'data-start', mode: 'bdat' }, { type: 'data-start', mode: 'bdat', needsAnswer: !s.auto.has('data-start') });
    return;
  }
  s.bdatOk = true;
  s.bdatError = undefined;
  s.go('read-chunk');
}

/** Reads the current BDAT chunk; at its end, the chunk reply, an abort or the end of the message. */
export function stepBdat(s: Session): boolean {
  if (s.bdatRemaining > 0) {
    if (s.inputLength === 0) return false;
    s.dataStarted = true;
    const chunk = s.chunks[0]!;
    const take = Math.min(s.bdatRemaining, chunk.length - s.headOff);
    const piece = chunk.subarray(s.headOff, s.headOff + take);
    consume(s, take);
    s.bdatRemaining -= take;
    if (s.bdatOk) bodyPiece(s, piece, true);
    if (s.bdatRemaining > 0) return true;
  }
  // chunk complete: refused (its BDAT line, or `data-start`), or the message too large
  const err = !s.bdatOk ? (s.bdatError ?? { code: 503, enhanced: '5.5.1', text: 'Error: bad sequence' }) : s.tooLarge ? TOO_LARGE : undefined;
  if (err) {
    const inTx = s.bdatActive;
    // LMTP (RFC 2033 §4.3): a BDAT LAST returns one reply per successful RCPT of the transaction,
    // whatever ends it (too large, `data-start` refused); a chunk without LAST still gets one. A
    // failed chunk without LAST ends the transaction (RFC 3030 §2: the client sends no more
    // chunks, but chunks already pipelined are read and refused): the BDAT LAST that closes the
    // failed message still gets one reply per recipient of it, the failure repeated (`owed`, kept
    // until a command other than BDAT), so a client counting per RFC 2033 never waits or
    // desynchronizes. No successful RCPT: zero replies (see `bdat`); no transaction: one.
    // (the error counted once: per recipient, 25 of them would pass hardErrorLimit)
    let replies = [err];
    if (s.lmtp) {
      const each = inTx ? s.recipients.map(() => err) : (s.owed ?? replies);
      if (s.bdatLast) {
        replies = each;
        s.owed = undefined;
      } else if (inTx) s.owed = each;
    }
    if (inTx) {
      s.emit({ type: 'message-abort', reason: s.bdatOk ? 'too-large' : 'rejected', reply: err });
      s.resetTransaction();
    }
    s.go(inTx ? 'abort' : 'chunk-refused');
    replies.forEach((r, i) => reply(s, r, !i && r.code >= 400));
    return true;
  }
  if (!s.bdatLast) {
    s.go('chunk-end');
    send(s, { code: 250, enhanced: '2.0.0', text: `${String(s.messageSize)} octets received` });
    return true;
  }
  const binary = typeof s.mailParams.BODY === 'string' && asciiUpper(s.mailParams.BODY) === 'BINARYMIME';
  if (s.bdatPrevCr && !binary) s.bareSeen = true;
  s.go('last');
  endOfMessage(s, !binary);
  return true;
}

const TOO_LARGE: ReplyInit = { code: 552, enhanced: '5.3.4', text: 'Error: message size exceeds fixed maximum message size' };

/** Streams one piece of content; counts the size and stops streaming past the limit. */
export function bodyPiece(s: Session, piece: Uint8Array, bdat: boolean): void {
  if (bdat && s.options.bareLineEndings !== 'normalize' && !(typeof s.mailParams.BODY === 'string' && asciiUpper(s.mailParams.BODY) === 'BINARYMIME')) {
    for (let i = 0; i < piece.length; i++) {
      const b = piece[i]!;
      if (b === LF) {
        if (!s.bdatPrevCr) s.bareSeen = true;
      } else if (s.bdatPrevCr) s.bareSeen = true;
      s.bdatPrevCr = b === CR;
    }
  }
  s.messageSize += piece.length;
  if (s.limits.maxMessageSize > 0 && s.messageSize > s.limits.maxMessageSize) s.tooLarge = true;
  if (!s.tooLarge && !(s.bareSeen && s.options.bareLineEndings !== 'normalize') && piece.length > 0) {
    s.emit({ type: 'data-chunk', bytes: piece });
  }
}

/** Feeds the DATA decoder (dot-unstuffing, end-of-data detection) from the input. */
export function stepBody(s: Session): boolean {
  if (s.inputLength === 0) return false;
  s.dataStarted = true;
  const decoder = s.decoder!;
  const chunk = s.chunks[0]!;
  const start = s.headOff;
  const r = decoder.push(chunk, start, chunk.length, s.onBodyPiece);
  if (decoder.bareCr + decoder.bareLf > 0 && s.options.bareLineEndings !== 'normalize') s.bareSeen = true;
  consume(s, r.consumed);
  if (r.done) {
    s.go('end-of-data');
    endOfMessage(s, true);
  }
  return true;
}

/** The end of the content: an abort (too large, bare line endings) or the `message-end` decision. */
export function endOfMessage(s: Session, checkBare: boolean): void {
  let abort: { reason: MessageAbortReason; reply: ReplyInit } | undefined;
  if (s.tooLarge) abort = { reason: 'too-large', reply: TOO_LARGE };
  else if (checkBare && s.bareSeen && s.options.bareLineEndings !== 'normalize') {
    abort = { reason: 'bare-line-ending', reply: { code: 550, enhanced: '5.5.2', text: 'Error: bare <CR> or <LF> received' } };
  }
  if (abort) {
    s.emit({ type: 'message-abort', reason: abort.reason, reply: abort.reply });
    const count = s.lmtp ? Math.max(1, s.recipients.length) : 1;
    s.resetTransaction();
    s.go('abort');
    // one failed message is one error, not one per recipient (25 recipients would pass hardErrorLimit)
    for (let i = 0; i < count; i++) reply(s, abort.reply, !i);
    return;
  }
  const size = s.messageSize;
  s.decide({ point: 'message-end' }, { type: 'message-end', size, recipients: s.recipients.map((r) => r.address), needsAnswer: !s.auto.has('message-end') });
}

/** The DATA decoder's sink (the session makes one closure of it, not one per chunk). */
export function decodedPiece(s: Session, p: Uint8Array): void {
  const decoder = s.decoder!;
  if (decoder.bareCr + decoder.bareLf > 0 && s.options.bareLineEndings !== 'normalize') s.bareSeen = true;
  bodyPiece(s, p, false);
}

/** The application's answer to DATA or to the first BDAT. */
export function answerDataStart(s: Session, mode: 'data' | 'bdat', positive: boolean, r: ReplyInit | undefined): void {
  if (mode === 'data') {
    if (positive) {
      s.go('accept');
      s.decoder = new DataDecoder(s.options.bareLineEndings === 'normalize' ? 'normalize' : 'reject');
      s.messageSize = 0;
      s.dataStarted = false;
      send(s, r ?? { code: 354, text: 'End data with <CR><LF>.<CR><LF>' });
    } else {
      s.go('reject');
      reply(s, r ?? { code: 554, enhanced: '5.7.1', text: 'Error: message refused' });
    }
    return;
  }
  s.go('read-chunk');
  s.bdatOk = positive;
  s.bdatError = positive ? undefined : (r ?? { code: 554, enhanced: '5.7.1', text: 'Error: message refused' });
}

/** The application's answer to the end of a message (LMTP: one reply per recipient). */
export function answerMessageEnd(s: Session, positive: boolean, r: ReplyInit | undefined, lmtpReplies: readonly ReplyInit[] | undefined): void {
  if (s.lmtp) {
    const list = lmtpReplies ?? s.recipients.map((rc) => r ?? (positive ? { code: 250, enhanced: '2.1.5', text: `<${sanitizeEcho(rc.address)}> delivered` } : { code: 550, enhanced: '5.0.0', text: 'Error: message rejected' }));
    for (const one of list) reply(s, one, false);
  } else {
    send(s, r ?? (positive ? { code: 250, enhanced: '2.0.0', text: 'Message accepted' } : { code: 550, enhanced: '5.0.0', text: 'Error: message rejected' }));
  }
  s.resetTransaction();
  s.go('answer');
  if (positive) {
    s.errors = 0;
    s.junk = 0;
  }
  if (s.shutdownRequested) shutdownNow(s);
}
