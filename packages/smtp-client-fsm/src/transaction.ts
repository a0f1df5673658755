/**
 * @internal One mail transaction (MAIL, RCPT..., DATA or BDAT, body, final reply): what the
 * `mail`, `rcpt`, `data`, `body` and `final` states share. MAIL and RCPT lines are built and
 * validated by smtp-client-args.
 */
import type { Reply } from 'smtp-reply-reader';
import { SmtpClientArgs, formatMailFrom, formatRcptTo } from 'smtp-client-args';
import { copyBytes } from '@smtpkit/foundation';
import type { ArgsHookContext, MessageInput } from './client-connection.js';
import { BodyEncoder, textBytes } from './body-encoder.js';
import type { ClientErrorCode } from './errors.js';
import type { RecipientResult } from './events.js';
import type { Session } from './session.js';
import { STAGE } from './stages.js';

/**
 * Smallest BDAT chunk sent for a streamed body (except the LAST one): small pieces from the body
 * source are coalesced up to this size, so the command count does not follow the source's chunking.
 *
 * @example
 * BDAT_MIN_CHUNK; // 65536
 * @see RFC 3030 §2
 */
export const BDAT_MIN_CHUNK = 64 * 1024;

/**
 * Largest BDAT chunk the client sends when it may pipeline chunks (a body is split above it).
 *
 * @example
 * BDAT_MAX_CHUNK; // 1048576
 * @see RFC 3030 §2
 */
export const BDAT_MAX_CHUNK = 1024 * 1024;

/**
 * Most BDAT chunks of a streamed body awaiting their replies while pipelining: the body source is
 * asked for more only below it. Unbounded, a refused chunk leaves every chunk already sent to be
 * refused one by one, and Postfix counts each as an error and sleeps a second per error beyond
 * `smtpd_soft_error_limit` (10): 3.2 MB of 64 KiB chunks took 11 s to end after a 552.
 */
export const BDAT_MAX_IN_FLIGHT = 3;

const encoder = new TextEncoder();

/** A queued message. */
export interface Message {
  readonly id: number;
  readonly from: string;
  readonly to: readonly string[];
  readonly body: Uint8Array | undefined;
  readonly bodyType: '7bit' | '8bitmime' | 'binarymime';
  readonly size: number | undefined;
  /** A local part needs SMTPUTF8 (then every address goes as given). */
  readonly smtputf8: boolean;
  /** Otherwise, the addresses whose domain goes in A-labels, and that form. */
  readonly wire: ReadonlyMap<string, string> | undefined;
  readonly input: MessageInput;
  remaining: string[];
  readonly results: Map<string, RecipientResult>;
  transaction: number;
  lastReply: Reply | undefined;
  /** The last final reply that queued at least one recipient (the truthful reply of a partly or fully delivered message). */
  queuedReply: Reply | undefined;
  /** A transaction of it was voided by a MAIL refusal that said the server held another one (tried again once). */
  retried?: boolean;
}

/** The transaction in progress. */
export interface Txn {
  readonly rcpts: string[];
  readonly rcptParams: string[];
  readonly mailLine: string;
  readonly pipelined: boolean;
  readonly bdat: boolean;
  mailOk: boolean;
  mailReply: Reply | undefined;
  rcptSent: number;
  rcptReplies: number;
  readonly accepted: string[];
  encoder: BodyEncoder | undefined;
  bdatOutstanding: number;
  bdatFailed: Reply | undefined;
  /** Streamed body bytes not yet sent, coalesced into BDAT chunks of at least {@link BDAT_MIN_CHUNK}. */
  bdatBuf: Uint8Array[];
  bdatBufLen: number;
  /** BDAT ... LAST was written. */
  lastSent: boolean;
  bodyStarted: boolean;
  bodyEnded: boolean;
  waitingBody: boolean;
  endPending: boolean;
  emptyDot: boolean;
  /**
   * `writeBody()` refused a chunk (not text or bytes): the body lacks it, so the message may not
   * complete. Later writes are dropped; `endBody()` fails the message (`abandonBody`).
   */
  broken: boolean;
  finalReplies: number;
  /** A streamed body that went without a BODY parameter: a byte over 127 in it may not go out (RFC 6152 §3). */
  readonly sevenBit: boolean;
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const all = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return all;
}

/** The next transaction of a message (hooks run here), or the local failure that stops it. */
export function buildTxn(s: Session, m: Message): Txn | { readonly code: ClientErrorCode; readonly transient: boolean } {
  const caps = s.caps;
  const failLocal = (code: ClientErrorCode, transient: boolean) => ({ code, transient });
  if (m.smtputf8 && !caps.smtpUtf8) return failLocal('ERR_SMTP_CLIENT_SMTPUTF8_UNAVAILABLE', false);
  if (m.bodyType === '8bitmime' && !caps.eightBitMime) return failLocal('ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE', false);
  if (m.bodyType === 'binarymime' && !(caps.binaryMime && caps.chunking)) return failLocal('ERR_SMTP_CLIENT_BINARYMIME_UNAVAILABLE', false);
  // RFC 8689 §4.2.1: only over TLS whose certificate verified
  if (m.input.requireTls && !(s.tls && s.tlsVerified && caps.requireTls)) return failLocal('ERR_SMTP_CLIENT_REQUIRETLS_UNAVAILABLE', false);
  const maxSize = caps.size ?? 0;
  if (maxSize > 0 && m.size !== undefined && m.size > maxSize) return failLocal('ERR_SMTP_CLIENT_MESSAGE_TOO_LARGE', false);
  const bdat = s.useBdat(m);
  let mailLine: string;
  let sevenBit = false;
  const rcptParams: string[] = [];
  const batchMax = Math.min(s.opts.maxRecipientsPerTransaction ?? 100, caps.limits?.rcptMax || Infinity);
  const rcpts = m.remaining.slice(0, batchMax);
  const wire = (address: string): string => m.wire?.get(address) ?? address;
  try {
    const p = new SmtpClientArgs({ command: 'mail', lowercaseXtextHex: false, smtpUtf8: m.smtputf8 });
    if (caps.has('SIZE') && m.size !== undefined) p.setSize(m.size);
    // A streamed body cannot be scanned before MAIL: unless the caller says it is 7bit, it is
    // declared 8BITMIME whenever the server offers it (7-bit content may go as 8BITMIME; 8-bit
    // content may not go undeclared, RFC 6152 §3).
    if (m.bodyType === '8bitmime' || (m.body === undefined && m.input.bodyType === undefined && caps.eightBitMime)) p.setBody('8BITMIME');
    if (m.bodyType === 'binarymime') p.setBody('BINARYMIME');
    if (m.smtputf8) p.set('SMTPUTF8');
    const dsn = m.input.dsn;
    const hasDsn = caps.dsn;
    if (dsn && hasDsn) {
      if (dsn.ret) p.setRet(dsn.ret);
      if (dsn.envid !== undefined) p.setEnvid(dsn.envid);
    }
    if (m.input.requireTls) p.setRequireTls();
    const hctx: ArgsHookContext = { messageId: m.id, from: m.from, capabilities: caps };
    s.opts.mailArgs?.(p, hctx);
    m.input.mailArgs?.(p, hctx);
    sevenBit = m.body === undefined && !p.has('BODY');
    mailLine = formatMailFrom(wire(m.from), p, { smtpUtf8: m.smtputf8 });
    for (const r of rcpts) {
      const rp = new SmtpClientArgs({ command: 'rcpt', lowercaseXtextHex: false, smtpUtf8: m.smtputf8 });
      if (dsn && hasDsn) {
        if (dsn.notify) rp.setNotify(dsn.notify.includes('NEVER') ? 'NEVER' : (dsn.notify as readonly ('SUCCESS' | 'FAILURE' | 'DELAY')[]));
        // own properties only: the map is the caller's object, its prototype is not a recipient's ORCPT
        const o = dsn.orcpt !== undefined && Object.hasOwn(dsn.orcpt, r) ? dsn.orcpt[r] : undefined;
        if (o !== undefined) rp.setOrcpt('rfc822', o);
      }
      const rctx: ArgsHookContext = { ...hctx, recipient: r };
      s.opts.rcptArgs?.(rp, rctx);
      m.input.rcptArgs?.(rp, rctx);
      rcptParams.push(formatRcptTo(wire(r), rp, { smtpUtf8: m.smtputf8 }));
    }
  } catch (e) {
    // a line past its bound (RFC 5321 §4.5.3.1.4 and the extensions' allowances) is as long on every
    // try: the message fails for good; anything else a hook or builder threw may pass (transient)
    return (e as { code?: unknown } | null)?.code === 'ERR_SMTP_COMMAND_TOO_LONG' ? failLocal('ERR_SMTP_CLIENT_COMMAND_TOO_LONG', false) : failLocal('ERR_SMTP_CLIENT_HOOK_FAILED', true);
  }
  // RFC 2920: the group MAIL..DATA is written at once only when every state it passes declares so.
  const pipelined = s.pipelining() && s.states.groupBetween('mail', 'data');
  return {
    rcpts,
    rcptParams,
    mailLine,
    pipelined,
    bdat,
    mailOk: false,
    mailReply: undefined,
    rcptSent: 0,
    rcptReplies: 0,
    accepted: [],
    encoder: undefined,
    bdatOutstanding: 0,
    bdatFailed: undefined,
    bdatBuf: [],
    bdatBufLen: 0,
    lastSent: false,
    bodyStarted: false,
    bodyEnded: false,
    waitingBody: false,
    endPending: false,
    emptyDot: false,
    broken: false,
    finalReplies: 0,
    sevenBit,
  };
}

/** Writes a transaction's MAIL, and with pipelining its RCPTs and DATA (the last command of the group). */
export function sendTxn(s: Session, t: Txn): void {
  s.command(t.mailLine);
  if (t.pipelined) {
    while (t.rcptSent < t.rcpts.length) sendRcpt(s, t);
    if (!t.bdat) s.command('DATA');
  }
}

export function sendRcpt(s: Session, t: Txn): void {
  const line = t.rcptParams[t.rcptSent++];
  if (line !== undefined) s.command(line);
}

/**
 * RFC 2920 §3.1 across messages: right after the final dot of a DATA transaction, the next queued
 * message's MAIL/RCPT/DATA go out in the same write, without waiting for the dot's reply (the
 * server answers in order, so that reply still settles the current message first), behind an RSET:
 * a server may keep the transaction open after refusing the dot (Postfix after an end-of-data
 * restriction answers the next MAIL `503 nested MAIL command`, joins its RCPT to the refused
 * transaction and answers its DATA 354), and only an RSET written before the MAIL makes the group
 * the next message's whatever the dot's reply says (left out with `rsetWrittenAhead: false`, for a
 * relay known to end a transaction whenever it refuses the dot). Only when
 * nothing the dot's reply says can change what is sent next: PIPELINING in use, every state from
 * `mail` to `idle` declaring `pipelining: 'group'`, no follow-up transaction or RSET due for the
 * current message, not LMTP, a whole body for the next one sent with DATA (never BDAT), within
 * MAILMAX, and the next message passing its local checks (else it takes the ordinary path).
 */
export function writeNextAhead(s: Session, t: Txn): void {
  const m = s.queue[0];
  const next = s.queue[1];
  if (!m || !next || s.nextTxn || !t.pipelined || t.bdat || s.opts.lmtp || m.remaining.length > 0 || s.needRset) return;
  if (next.body === undefined || s.useBdat(next)) return;
  const mailmax = s.caps.limits?.mailMax;
  if (mailmax && s.mailCount >= mailmax) return;
  if (!s.states.groupBetween('mail', 'idle')) return;
  const nt = buildTxn(s, next);
  if (!('mailLine' in nt) || !nt.pipelined) return;
  // left out with `rsetWrittenAhead: false`, for a relay that never keeps a refused transaction
  const rset = s.opts.rsetWrittenAhead ?? true;
  s.nextTxn = { msg: next, txn: nt, rset };
  if (rset) s.command('RSET');
  sendTxn(s, nt);
}

/**
 * True when a RCPT reply says "too many recipients in this transaction" rather than something
 * about this recipient: 452/552 with 4.5.3 or 5.5.3, or with no enhanced code once the client has
 * sent more RCPTs than the server must accept: its LIMITS RCPTMAX, else the 100 recipients every
 * server must buffer (RFC 5321 §4.5.3.1.8, §4.5.3.1.10, RFC 9422). `452 4.2.2 mailbox full` or
 * `452 4.7.1 greylisted` are that recipient's own result.
 */
export function isRecipientLimit(s: Session, reply: Reply, index: number): boolean {
  if (reply.code !== 452 && reply.code !== 552) return false;
  const e = reply.enhanced;
  if (e) return e.subject === 5 && e.detail === 3;
  return index >= (s.caps.limits?.rcptMax || 100);
}

export function needBody(s: Session, t: Txn): void {
  const m = s.queue[0]!;
  t.waitingBody = true;
  s.refusedBody = false;
  s.emit({ type: 'need-body', messageId: m.id, transaction: m.transaction });
}

/**
 * Queues encoded body bytes. With BDAT they are held until they make a chunk of BDAT_MIN_CHUNK, and
 * while the chunks in flight hold the source back (no `need-body` pending) until a chunk may go
 * (`replyBdat`, `finishBody`).
 */
export function bodyBytes(s: Session, t: Txn, bytes: Uint8Array): void {
  if (bytes.length === 0) return;
  if (!t.bdat) return s.write(bytes);
  const goes = t.waitingBody && t.bdatBufLen + bytes.length >= BDAT_MIN_CHUNK;
  // held across writeBody calls: a copy, since the caller may reuse its buffer
  t.bdatBuf.push(goes ? bytes : copyBytes(bytes));
  t.bdatBufLen += bytes.length;
  if (!goes) return;
  sendChunks(s, t);
  // what the chunks in flight keep back outlives this call: copied too
  t.bdatBuf = t.bdatBuf.map((p) => (p.buffer === bytes.buffer ? copyBytes(p) : p));
}

/**
 * Sends the body bytes held as BDAT chunks while the chunks in flight allow it (`chunkMayGo`):
 * pipelined ones cut at BDAT_MAX_CHUNK, else one chunk of all that is held. Before endBody() only
 * chunks of at least BDAT_MIN_CHUNK go; once the body is ended (`endPending`), BDAT LAST goes with
 * the rest when it fits in one chunk. What may not go yet stays held for the next chunk's reply.
 */
function sendChunks(s: Session, t: Txn): void {
  const pipelined = s.pipelining();
  while (chunkMayGo(s, t)) {
    const held = t.bdatBufLen;
    if (t.endPending && (!pipelined || held <= BDAT_MAX_CHUNK)) return endOfData(s, t);
    if (!t.endPending && held < BDAT_MIN_CHUNK) return;
    const all = concat(t.bdatBuf, held);
    const n = pipelined ? Math.min(held, BDAT_MAX_CHUNK) : held;
    bdatChunk(s, t, all.subarray(0, n));
    t.bdatBuf = n < held ? [all.subarray(n)] : [];
    t.bdatBufLen = held - n;
  }
}

/** Writes one BDAT chunk (not LAST): its reply is owed. */
function bdatChunk(s: Session, t: Txn, piece: Uint8Array): void {
  s.command(`BDAT ${piece.length}`);
  t.bdatOutstanding++;
  s.write(piece);
}

/**
 * The body is complete (endBody(), or a whole body as `head`): the encoder's end joins what is
 * held. DATA writes it and the final dot; BDAT sends it as the chunks in flight allow, the last
 * piece with LAST (now, or from `replyBdat` as replies come).
 */
export function finishBody(s: Session, t: Txn, head?: Uint8Array): void {
  const tail = t.encoder!.end();
  // empty ones left out: no copy of a lone part
  for (const p of [head, tail]) {
    if (p?.length) {
      t.bdatBuf.push(p);
      t.bdatBufLen += p.length;
    }
  }
  t.waitingBody = false;
  t.endPending = true;
  if (t.bdat) sendChunks(s, t);
  else endOfData(s, t);
}

/** The end of the data with what is held: DATA's last bytes and final dot, or BDAT ... LAST. */
function endOfData(s: Session, t: Txn): void {
  const last = concat(t.bdatBuf, t.bdatBufLen);
  t.bdatBuf = [];
  t.bdatBufLen = 0;
  t.endPending = false;
  t.bodyEnded = true;
  t.lastSent = t.bdat;
  s.opts.transcript?.({ direction: 'client', line: `[message body: ${t.encoder!.bytesWritten} bytes]` });
  if (t.bdat) s.command(`BDAT ${last.length} LAST`);
  s.write(last);
  // with BDAT the first final reply is LAST's, counted by command()
  s.expect((s.opts.lmtp ? t.accepted.length : 1) - (t.bdat ? 1 : 0));
  s.bodyEnd = s.queued;
  if (!t.bdat) writeNextAhead(s, t);
  s.goto('final');
}

/**
 * `endBody()` of a body that lacks a chunk `writeBody()` refused (`broken`): the message may not
 * complete, since the server would take the rest as the whole. With BDAT no LAST goes: once the
 * chunks sent are answered, the message fails and RSET ends the transaction. With DATA, past the
 * 354 there is no way to abandon the body in-band, so the session ends without the final dot.
 * Either way the message fails for good with `ERR_SMTP_CLIENT_INVALID_PARAMETER`.
 */
export function abandonBody(s: Session, t: Txn): void {
  if (!t.bdat) {
    return s.fatal('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'body lacks a chunk writeBody() refused: ended before the final dot', 'error', undefined, true);
  }
  t.bodyEnded = true;
  t.waitingBody = false;
  if (t.bdatOutstanding === 0) failBody(s, t, undefined, 'ERR_SMTP_CLIENT_INVALID_PARAMETER');
}

/**
 * A BDAT body that will not complete (a refused chunk's `reply`, or the local `code`) fails its
 * accepted recipients (for good, unless the reply says otherwise) and ends the transaction; RSET
 * follows, since no LAST closed it.
 */
function failBody(s: Session, t: Txn, reply: Reply | undefined, code?: ClientErrorCode): void {
  const m = s.queue[0]!;
  for (const addr of t.accepted) s.setResult(m, addr, 'rejected', reply, code, STAGE.SENDING_BODY, false);
  s.needRset = true;
  endTransaction(s, code);
}

/** Starts the body: a whole one goes out at once, a streamed one asks for chunks (`need-body`). */
export function startBody(s: Session, t: Txn): void {
  const m = s.queue[0]!;
  t.bodyStarted = true;
  t.encoder = new BodyEncoder({
    dotStuff: !t.bdat,
    bareLineEndings: s.opts.bareLineEndings ?? 'normalize',
    binary: m.bodyType === 'binarymime',
    allowLongLines: s.opts.allowLongLines === true,
  });
  if (m.body !== undefined) {
    const bytes = t.encoder.push(m.body);
    if (t.bdat) return finishBody(s, t, bytes); // one BDAT ... LAST
    bodyBytes(s, t, bytes);
    finishBody(s, t);
    return;
  }
  needBody(s, t);
}

/**
 * The empty body after a 354 although no recipient was accepted (RFC 2920 §3.1, SM-3). LMTP owes
 * it no reply (one per accepted recipient, RFC 2033 §4.2), yet a server that took DATA so may send
 * one: the session cannot stay in step, so it ends with QUIT, the other messages deferred.
 */
export function emptyDot(s: Session, t: Txn): void {
  t.emptyDot = true;
  t.bodyEnded = true;
  s.write(encoder.encode('.\r\n'));
  s.bodyEnd = s.queued;
  if (s.opts.lmtp) return s.abandon('ERR_SMTP_CLIENT_UNEXPECTED_REPLY', undefined, false);
  s.expect(1);
  s.goto('final');
}

/**
 * True, with the session ended (`ERR_SMTP_CLIENT_UNEXPECTED_REPLY`, nothing more written), when
 * `reply` is a 3xx to `verb`, a command without intermediate replies (MAIL, RCPT, a BDAT chunk);
 * DATA calls it for a 3xx other than its 354.
 */
export function outOfStep(s: Session, reply: Reply, verb: string): boolean {
  if ((reply.code / 100) >> 0 !== 3) return false;
  s.fatal('ERR_SMTP_CLIENT_UNEXPECTED_REPLY', `${reply.code} to ${verb}`, 'error', reply);
  return true;
}

/**
 * The reply to a BDAT chunk that is not the LAST one. A 3xx is no BDAT reply (RFC 3030 §2): the
 * server is out of step, so the session ends. No end of data was sent, so the recipients are
 * deferred; with PIPELINING a LAST already written may yet be accepted, so they are unknown then.
 */
export function replyBdat(s: Session, t: Txn, reply: Reply): void {
  if (outOfStep(s, reply, 'BDAT')) return;
  t.bdatOutstanding--;
  if ((reply.code < 200 || reply.code >= 300) && !t.bdatFailed) {
    // The first refusal decides the message (RFC 3030 §4.1): nothing more of the body is sent.
    t.bdatFailed = reply;
    if (!t.lastSent) {
      t.bodyEnded = true;
      t.waitingBody = false;
      t.endPending = false;
      t.bdatBuf = [];
      t.bdatBufLen = 0;
    }
  }
  if (t.bdatFailed && !t.lastSent) {
    if (t.bdatOutstanding > 0) return; // replies to chunks already sent still come
    s.refusedBody = true;
    s.refusedId = s.queue[0]!.id;
    return failBody(s, t, t.bdatFailed);
  }
  if (t.bodyEnded && !t.lastSent && !t.bdatFailed && t.broken) {
    // endBody() of a body that lacks a refused chunk: once the chunks sent are answered
    if (t.bdatOutstanding === 0) failBody(s, t, undefined, 'ERR_SMTP_CLIENT_INVALID_PARAMETER');
    return;
  }
  if (t.bodyEnded || t.waitingBody) return;
  // What was written while the source was held back goes first (after endBody(), up to BDAT
  // LAST); the source is asked for more only while the chunks in flight allow it.
  sendChunks(s, t);
  if (!t.endPending && !t.bodyEnded && chunkMayGo(s, t)) needBody(s, t);
}

/**
 * Another BDAT chunk may go (and the body source be asked for it): without PIPELINING once the last
 * chunk's reply is in (RFC 3030 §4.2), with it while fewer than BDAT_MAX_IN_FLIGHT await theirs.
 */
export function chunkMayGo(s: Session, t: Txn): boolean {
  return t.bdatOutstanding < (s.pipelining() ? BDAT_MAX_IN_FLIGHT : 1);
}

/**
 * The transaction is over: continue the message in another one, or report it. Either way the
 * session goes on with the state after `final` in the list (`rset`, which passes when no RSET is
 * due, then `idle`, which starts the next transaction of whatever is queued), so that states
 * registered after `final`, `rset` or before `idle` run after every transaction.
 */
export function endTransaction(s: Session, code?: ClientErrorCode): void {
  const t = s.txn!;
  const m = s.queue[0]!;
  s.txn = undefined;
  if (!t.bodyEnded && t.mailOk) s.needRset = true;
  // A refused chunk decides the message (RFC 3030 §4.1), whatever BDAT LAST, sent before it came, got.
  if (t.bdatFailed) m.lastReply = t.bdatFailed;
  if (m.remaining.length > 0 && (m.body !== undefined || !t.bodyStarted)) {
    m.transaction++;
    return s.gotoAfter('final');
  }
  for (const r of m.remaining) s.setResult(m, r, 'deferred', undefined, 'ERR_SMTP_CLIENT_RECIPIENT_DEFERRED', STAGE.AFTER_RCPT, true);
  m.remaining = [];
  s.queue.shift();
  s.finishMessage(m, undefined, code);
  s.gotoAfter('final');
}

/** Bytes of a body given as a string (`ERR_SMTP_CLIENT_INVALID_PARAMETER` for a lone surrogate). */
export function bodyBytesOf(body: Uint8Array | string): Uint8Array {
  return typeof body === 'string' ? textBytes(body, 'body') : body;
}
