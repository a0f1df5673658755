/**
 * The input side of the session: the step function (what reads next in each state), the command
 * line checks (length, bare CR/LF, NUL, UTF-8, pipelining synchronization) and the dispatch of
 * each verb to its room.
 */
import { asciiUpper } from '@smtpkit/foundation';
import { authCommand, stepAuth } from './auth-commands.js';
import { bdat, data, stepBdat, stepBody } from './data-commands.js';
import { mail, rcpt } from './envelope-commands.js';
import { blockCommand, customCommand, stepExtension, unframed } from './extension-exchange.js';
import { VERB_HEAD, lineInHead, overflowSegments, readLineParts, segmentsKind } from './line-reader.js';
import type { ExchangeLineCheck } from './line-reader.js';
import { countError, NOT_RECOGNIZED, reply, send, SERVICE_REFUSED, shutdownNow, TLS_REQUIRED } from './replies.js';
import type { ReplyInit } from './reply.js';
import { endWithoutBlanks, utf8Text } from './peer-text.js';
import type { Session } from './session.js';
import { heloCommand, quit, starttls, vrfyExpn } from './session-commands.js';
import { xclient, xforward } from './xclient-commands.js';

const CR = 13;
const LF = 10;
const dec = new TextDecoder('utf-8', { fatal: false });

/**
 * RFC 2920 §3.1: commands that must end a pipelined group (its list, with LHLO, STARTTLS, AUTH and
 * XCLIENT, which change the session too). Not HELP: RFC 2920 does not list it, and it changes no
 * state. AUTH with an initial response of a one-round mechanism is the exception RFC 4954 §4
 * makes (see {@link oneRoundAuth}).
 */
const MUST_BE_LAST = new Set(['EHLO', 'HELO', 'LHLO', 'DATA', 'VRFY', 'EXPN', 'TURN', 'QUIT', 'NOOP', 'STARTTLS', 'AUTH', 'XCLIENT']);
/** RFC 4954 §4: SASL mechanisms that let the client send first and complete in one round trip, with no security layer. */
const ONE_ROUND_MECHANISMS = new Set(['PLAIN', 'EXTERNAL']);
/** Verbs the session implements itself (a registry cannot take them over). */
const NATIVE_VERBS = new Set(['EHLO', 'HELO', 'LHLO', 'MAIL', 'RCPT', 'DATA', 'BDAT', 'RSET', 'NOOP', 'QUIT', 'HELP', 'VRFY', 'EXPN', 'STARTTLS', 'AUTH', 'XCLIENT', 'XFORWARD']);
const JUNK = new Set(['NOOP', 'RSET', 'VRFY', 'EXPN', 'HELP']);
const ALLOWED_BEFORE_TLS = new Set(['EHLO', 'HELO', 'LHLO', 'NOOP', 'RSET', 'QUIT', 'STARTTLS']);

/** {@link VERB_FLAGS} bits: a native verb, must end a pipelined group, counts as junk, allowed before TLS. */
const NATIVE_VERB = 1;
const LAST_IN_GROUP = 2;
const JUNK_VERB = 4;
const BEFORE_TLS = 8;
/**
 * The four sets above as one table of bits per native verb (0 for any other verb): the dispatch of a
 * command looks its verb up once or twice, not once per set.
 */
const VERB_FLAGS = new Map<string, number>(
  [...NATIVE_VERBS, ...MUST_BE_LAST].map((v) => [v, (NATIVE_VERBS.has(v) ? NATIVE_VERB : 0) | (MUST_BE_LAST.has(v) ? LAST_IN_GROUP : 0) | (JUNK.has(v) ? JUNK_VERB : 0) | (ALLOWED_BEFORE_TLS.has(v) ? BEFORE_TLS : 0)]),
);

/** The native four-letter verbs, keyed by {@link verbKey} of their letters. */
const FOUR_LETTER_VERBS = new Map<number, string>(
  ['HELO', 'EHLO', 'LHLO', 'MAIL', 'RCPT', 'DATA', 'BDAT', 'RSET', 'NOOP', 'QUIT', 'HELP', 'VRFY', 'EXPN', 'AUTH'].map((v) => [verbKey(v.charCodeAt(0), v.charCodeAt(1), v.charCodeAt(2), v.charCodeAt(3)), v]),
);

/** Whether `b` is an ASCII letter. */
function isLetter(b: number): boolean {
  const l = b | 0x20;
  return l >= 0x61 && l <= 0x7a;
}

/** Four ASCII letters, case folded, as one small integer (5 bits each). */
function verbKey(b0: number, b1: number, b2: number, b3: number): number {
  return ((b0 & 0x1f) << 15) | ((b1 & 0x1f) << 10) | ((b2 & 0x1f) << 5) | (b3 & 0x1f);
}

/**
 * The native four-letter verb the line `bytes[from, to)` starts with (any case, then the end of the
 * line or a byte that cannot continue a verb: not a letter, digit, `-` or `_`), as the one
 * constant string the dispatch compares against; undefined for anything else.
 */
function fourLetterVerb(bytes: Uint8Array, from: number, to: number): string | undefined {
  if (to - from < 4) return undefined;
  // a byte per line on the hot path: no string, no regex (`[-\w]` as `wordOf` reads it)
  if (to - from > 4) {
    const b4 = bytes[from + 4]!;
    if (isLetter(b4) || (b4 >= 0x30 && b4 <= 0x39) || b4 === 0x2d || b4 === 0x5f) return undefined;
  }
  const b0 = bytes[from]!;
  const b1 = bytes[from + 1]!;
  const b2 = bytes[from + 2]!;
  const b3 = bytes[from + 3]!;
  if (!isLetter(b0) || !isLetter(b1) || !isLetter(b2) || !isLetter(b3)) return undefined;
  return FOUR_LETTER_VERBS.get(verbKey(b0, b1, b2, b3));
}

/**
 * `bytes[from, to)`, known to be 7-bit, as text. Short ranges (nearly all commands) are built from
 * char codes copied to a plain array, which costs less than a view and a call into the decoder
 * (or `apply` over the typed array); long ones go to the decoder.
 */
function asciiText(bytes: Uint8Array, from = 0, to = bytes.length): string {
  if (to > bytes.length) to = bytes.length;
  const n = to - from;
  if (n > 256) return dec.decode(bytes.subarray(from, to));
  if (n <= 0) return '';
  const codes = new Array<number>(n);
  for (let i = 0; i < n; i++) codes[i] = bytes[from + i]!;
  return String.fromCharCode.apply(null, codes);
}

/** Processes input; returns false when nothing more can be done without input. */
export function step(s: Session): boolean {
  // a graceful shutdown takes effect at the next idle point: between commands, or inside an AUTH
  // exchange or a custom verb's line step waiting for its next line (see Session.isIdle)
  if (s.shutdownRequested && s.isIdle() && !s.bdatActive) {
    shutdownNow(s);
    return true;
  }
  switch (s.current) {
    case 'reading-body':
      return stepBody(s);
    case 'reading-bdat':
      return stepBdat(s);
    case 'auth':
      return stepAuth(s, EXCHANGE_LINES);
    case 'extension':
      return stepExtension(s, EXCHANGE_LINES);
    case 'awaiting-helo':
    case 'awaiting-mail':
    case 'awaiting-rcpt':
    case 'rejected':
      return stepCommand(s);
    default:
      return false;
  }
}

/** Reads one command line and dispatches it, after the line checks and the pipelining synchronization check (RFC 2920 §3.1). */
export function stepCommand(s: Session): boolean {
  const limit = s.limits.maxCommandLine;
  // the common case: the whole line in the head chunk, read in place (no view of it is made)
  if (s.lineLen === 0 && s.inputLength > 0) {
    const chunk = s.chunks[0]!;
    const start = s.headOff;
    const end = lineInHead(s, limit);
    if (end >= 0) return commandLine(s, chunk, start, end);
  }
  const line = readLineParts(s, limit, true, wordKind);
  if (line === undefined) return false;
  if (line === 'overflow') {
    // an AUTH line past maxAuthLine is an authentication exchange line: 5.5.6 (RFC 4954 §4)
    const head = s.overflowHead;
    const r = wordOf(head) === 'AUTH' ? { code: 500, enhanced: '5.5.6', text: 'Error: authentication line too long' } : { code: 500, enhanced: '5.5.2', text: 'Error: command line too long' };
    // all of it was read for the verbs after its bare CRs and LFs, or after its leading blanks (SMUG-5)
    const segments = overflowSegments(s);
    if ((segments.bare || isBlank(head.charCodeAt(0))) && closesForSegments(s, segments.kind)) return true;
    return refuse(s, head, r);
  }
  return commandLine(s, line, 0, line.length);
}

/** The command line `bytes[from, to)` (its CRLF left out): the line checks, then the dispatch. */
function commandLine(s: Session, bytes: Uint8Array, from: number, to: number): boolean {
  const four = fourLetterVerb(bytes, from, to);
  // SRV-3: BDAT's chunk follows its line: whatever that line holds after the verb, bdat() parses it
  // (exactly SP size [SP LAST]) or closes the connection, so the chunk can never run as commands.
  if (four === 'BDAT') return dispatch(s, four, asciiText(bytes, from + 4, to));
  // SMUG-3: a command line holding a bare CR, bare LF or NUL is rejected, never split.
  let high = false;
  for (let i = from; i < to; i++) {
    const b = bytes[i]!;
    if (b >= 0x80) high = true;
    if (b === CR || b === LF) return closesForSegments(s, segmentsKind(s, bytes.subarray(from, to), wordKind)) || refuse(s, bytes.subarray(from, to), BARE_LINE_END);
    if (b === 0) {
      // a bare CR or LF further on still splits the line for a lenient peer (SMUG-5)
      for (let j = i + 1; j < to; j++) if (bytes[j] === CR || bytes[j] === LF) return closesForSegments(s, segmentsKind(s, bytes.subarray(from, to), wordKind)) || refuse(s, bytes.subarray(from, to), NUL_IN_LINE);
      return refuse(s, bytes.subarray(from, to), NUL_IN_LINE);
    }
  }
  // the common case: a native four-letter verb in a 7-bit line; only its argument becomes text
  if (four !== undefined && !high && (to - from === 4 || bytes[from + 4] === 0x20)) {
    let end = to;
    while (end > from + 5 && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x09)) end--;
    return dispatch(s, four, asciiText(bytes, from + 5, end));
  }
  // SMUG-5: leading blanks (never on the path above, which starts with a letter). Postfix splits a
  // command into words at blanks and skips the leading ones: it reads ` DATA` as DATA and the bytes
  // behind it as a body. Such a line is an unknown command here, unless its word is one of those.
  if (isBlank(bytes[from]!) && closesForSegments(s, segmentsKind(s, bytes.subarray(from, to), wordKind))) return true;
  const line = bytes.subarray(from, to);
  const text = high ? utf8Text(line) : asciiText(line);
  if (text === undefined) {
    // never a silent U+FFFD: an address is refused as RFC 6531 says, anything else as a syntax error
    const verb = wordOf(asciiText(line, 0, VERB_HEAD));
    return refuse(s, verb, verb === 'MAIL' || verb === 'RCPT' ? { code: 553, enhanced: '5.6.7', text: 'Error: invalid UTF-8 in address' } : { code: 501, enhanced: '5.5.2', text: 'Error: invalid UTF-8 in command' });
  }
  const sp = text.indexOf(' ');
  const raw = sp < 0 ? text : text.slice(0, sp);
  const verb = wordOf(raw);
  // a verb glued to a byte other than SP (`MAIL\tFROM:`, `DATA\v`: RFC 5321 separates with SP
  // only), or with a non-ASCII letter that a Unicode upper-casing would fold (`ſTARTTLS`, `MAıL`)
  if (verb.length !== raw.length) return refuse(s, verb, NOT_RECOGNIZED);
  const arg = sp < 0 ? '' : text.slice(sp + 1, endWithoutBlanks(text, sp + 1));
  return dispatch(s, verb, arg);
}

/** The verb a peer that ends it at any byte but an ASCII letter, digit, `-` or `_` reads at the start of `head`, upper case. */
function wordOf(head: string): string {
  return /^[-\w]*/.exec(head)![0].toUpperCase();
}

/** The refusal of a command line holding a bare CR or LF (SMUG-3). */
const BARE_LINE_END: ReplyInit = { code: 500, enhanced: '5.5.2', text: 'Error: bare <CR> or <LF> received' };
/** The refusal of a command line holding NUL (SMUG-3). */
const NUL_IN_LINE: ReplyInit = { code: 501, enhanced: '5.5.2', text: 'Error: NUL characters are not allowed in commands' };

/** Whether `b` is a blank that a lenient peer skips before a verb: SP, HT, VT or FF. */
function isBlank(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0b || b === 0x0c;
}

/** {@link segmentsKind} results, the weakest first: no verb that matters, a must-be-last verb, a verb whose data follows its line (BDAT, DATA), a custom verb with a block. */
const SEGMENT_PLAIN = 0;
const SEGMENT_LAST = 1;
const SEGMENT_DATA = 2;
const SEGMENT_BLOCK = 3;

/**
 * SMUG-5: the kind of the verb `bytes[from, to)` (word bytes, any case) of one segment of a refused
 * line, as a peer that ends command lines at a bare CR or LF (Postfix and Exim take LF as a line end)
 * reads it ({@link segmentsKind}); a verb longer than the head read of any refused line is no verb
 * this session knows.
 */
function wordKind(s: Session, bytes: Uint8Array, from: number, to: number): number {
  return to - from <= VERB_HEAD ? verbKind(s, asciiText(bytes, from, to).toUpperCase()) : SEGMENT_PLAIN;
}

/** The {@link segmentsKind} kind of one verb (upper case); AUTH counts as must-be-last whatever follows it. */
function verbKind(s: Session, verb: string): number {
  if (verb === 'BDAT' || verb === 'DATA') return SEGMENT_DATA;
  const flags = VERB_FLAGS.get(verb) ?? 0;
  if (blockOf(s, verb, flags)) return SEGMENT_BLOCK;
  if ((flags & LAST_IN_GROUP) !== 0 || ((flags & NATIVE_VERB) === 0 && s.registry.mustBeLastInGroup(verb))) return SEGMENT_LAST;
  return SEGMENT_PLAIN;
}

/**
 * A refused line that a lenient peer reads as other commands than this session does (a bare CR or
 * LF in it, blanks before its verb), by the strongest `kind` of those commands ({@link
 * segmentsKind}). A verb whose data follows its line (BDAT, DATA, a custom verb with a block):
 * such a peer takes the bytes after the line as that data, whose end this session cannot know, so
 * it answers and closes whether or not input is already buffered and whatever `pipeliningSync`
 * says (`554 5.5.0`, a message in progress aborted with `closed`; `501 5.5.4` for a custom block,
 * as for an unreadable block line). A must-be-last verb makes the line must-be-last (`554` and
 * close with input behind it). Returns whether it answered; if not, the line gets its own refusal.
 */
function closesForSegments(s: Session, kind: number): boolean {
  if (kind === SEGMENT_BLOCK) {
    unframed(s);
    return true;
  }
  if (kind === SEGMENT_DATA) {
    s.abortTransactionIfData('closed');
    return desync(s);
  }
  if (kind === SEGMENT_LAST && s.options.pipeliningSync !== 'off' && s.inputLength > 0) return desync(s);
  return false;
}

/**
 * SMUG-5 for the lines of an exchange (an AUTH continuation after a `334`, a custom verb's line
 * step after its `3xx`): they are not commands here, but a peer that ends lines at a bare CR or LF
 * takes what follows one as commands, as in a command line. The same rule as for a refused command
 * line applies to their segments ({@link closesForSegments}): a data verb closes at once, a
 * must-be-last one with input behind it. The segments of an over-long line are read as it is
 * discarded; one within its limit is read only when it holds a CR or LF. Leading blanks do not
 * count here: such a peer reads the line as the exchange's answer.
 */
const EXCHANGE_LINES: ExchangeLineCheck = {
  verbKind: wordKind,
  closes(s, line) {
    if (line === 'overflow') {
      const segments = overflowSegments(s);
      return segments.bare && closesForSegments(s, segments.kind);
    }
    return (line.indexOf(CR) >= 0 || line.indexOf(LF) >= 0) && closesForSegments(s, segmentsKind(s, line, wordKind));
  },
};

/**
 * A line refused before any verb ran: too long, a bare CR or LF, NUL, invalid UTF-8, a verb glued
 * to a byte other than SP. A peer that ends a verb at any other byte (Exim at `isspace`, Postfix at
 * blanks, C strings at NUL) reads it as the verb it starts with: a BDAT one closes (SRV-3), and the
 * pipelining check takes the line for that verb, so what is pipelined behind `DATA\t` never runs.
 */
function refuse(s: Session, head: Uint8Array | string, r: ReplyInit): boolean {
  const verb = wordOf(typeof head === 'string' ? head : asciiText(head, 0, VERB_HEAD));
  if (verb === 'BDAT') return dispatch(s, verb, '');
  // a custom verb whose block follows its line: the block's end is unknown, as for BDAT
  if (blockOf(s, verb)) {
    unframed(s);
    return true;
  }
  return dispatch(s, verb, '', r);
}

/** The `blockLength` of a registered custom verb whose line is followed by a block of bytes. */
function blockOf(s: Session, verb: string, flags = VERB_FLAGS.get(verb) ?? 0): ((argument: string) => number | undefined) | undefined {
  return (flags & NATIVE_VERB) !== 0 ? undefined : s.registry.verb(verb)?.blockLength;
}

/**
 * The pipelining synchronization check (RFC 2920 §3.1), then the command (or the refusal of its
 * line). `arg`: the argument, trailing blanks trimmed (BDAT: all of the line after the verb); a
 * verb that takes none (DATA, RSET, STARTTLS) is refused only for a non-empty one, so `DATA ` is
 * DATA as `QUIT ` is QUIT.
 */
function dispatch(s: Session, verb: string, arg: string, refusal?: ReplyInit): boolean {
  const sync = s.options.pipeliningSync !== 'off';
  const flags = VERB_FLAGS.get(verb) ?? 0;
  if (verb !== 'BDAT') s.owed = undefined;
  // BDAT (and a custom verb with a block) is followed by its chunk; STARTTLS discards what follows
  // it (TLS-1), unless refused.
  if (sync && s.inputLength > 0 && verb !== 'BDAT' && (refusal || verb !== 'STARTTLS') && !blockOf(s, verb, flags)) {
    const pipelining = s.ext.pipelining && s.heloVerb !== undefined && s.heloVerb !== 'HELO';
    const last = ((flags & LAST_IN_GROUP) !== 0 && !(verb === 'AUTH' && refusal === undefined && oneRoundAuth(s, arg))) || ((flags & NATIVE_VERB) === 0 && s.registry.mustBeLastInGroup(verb));
    if (last || !pipelining) return desync(s);
  }
  if (refusal) reply(s, refusal);
  else command(s, verb, arg, flags);
  // a refused STARTTLS (still plaintext, input left) is must-be-last too: what was sent behind it
  // was meant for the TLS session (RFC 3207 §4) and never runs as plaintext commands
  return sync && verb === 'STARTTLS' && s.inputLength > 0 ? desync(s) : true;
}

/**
 * Whether `AUTH <arg>` may be followed by more commands in its pipelined group (RFC 4954 §4): it
 * carries an initial response for PLAIN or EXTERNAL, which complete in one round trip, and the
 * session's mechanism of that name has no error step (XOAUTH2's `334` would take the next line as
 * the client's answer). Any refusal of such an AUTH is one reply too, so the lines behind it keep
 * their framing; they run once the application has answered the credentials.
 */
function oneRoundAuth(s: Session, arg: string): boolean {
  const sp = arg.indexOf(' ');
  if (sp < 0) return false;
  const name = asciiUpper(arg.slice(0, sp));
  return ONE_ROUND_MECHANISMS.has(name) && s.mechanisms.find((m) => m.name === name)?.failureChallenge === undefined;
}

/** `554 5.5.0` and close: input behind a command that must end a pipelined group (RFC 2920 §3.1). */
function desync(s: Session): boolean {
  send(s, { code: 554, enhanced: '5.5.0', text: 'Error: SMTP protocol synchronization' });
  s.close('synchronization');
  return true;
}

/** Dispatches one verb to its room, after the junk, unauthenticated-command and STARTTLS-first checks. */
export function command(s: Session, verb: string, arg: string, flags = VERB_FLAGS.get(verb) ?? 0): void {
  if ((flags & JUNK_VERB) !== 0) {
    s.junk++;
    if (s.junk > s.limits.junkCommandLimit) countError(s);
    if (s.current === 'closed') return;
  }
  if (s.options.auth?.required && s.authUser === undefined && verb !== 'QUIT' && ++s.unauthenticated > s.limits.maxUnauthenticatedCommands) {
    send(s, { code: 421, enhanced: '4.7.0', text: `${s.hostname} Error: too many commands without authentication` });
    s.close('too-many-errors');
    return;
  }
  // a custom verb whose block follows its line: the block is read whatever the answer
  const block = blockOf(s, verb, flags);
  if (block) return blockCommand(s, verb, arg, block);
  if (s.current === 'rejected' && verb !== 'BDAT') {
    if (verb === 'QUIT') return quit(s);
    return reply(s, SERVICE_REFUSED);
  }
  if (s.options.requireTls && !s.secure && (flags & BEFORE_TLS) === 0) {
    if (verb === 'BDAT') return bdat(s, arg, false);
    return reply(s, TLS_REQUIRED);
  }
  switch (verb) {
    case 'HELO':
    case 'EHLO':
      if (s.lmtp) return reply(s, { code: 500, enhanced: '5.5.1', text: `Error: ${verb} is not used in LMTP; use LHLO` });
      return heloCommand(s, verb, arg);
    case 'LHLO':
      if (!s.lmtp) return unknown(s);
      return heloCommand(s, verb, arg);
    case 'MAIL':
      return mail(s, arg);
    case 'RCPT':
      return rcpt(s, arg);
    case 'DATA':
      return data(s, arg !== '');
    case 'BDAT':
      return bdat(s, arg, true);
    case 'RSET':
      if (arg) return reply(s, { code: 501, enhanced: '5.5.4', text: 'Syntax: RSET' });
      s.abortTransactionIfData('reset');
      s.resetTransaction();
      if (s.current === 'awaiting-rcpt') s.go('RSET');
      s.emit({ type: 'rset' });
      return reply(s, { code: 250, enhanced: '2.0.0', text: 'Ok' });
    case 'NOOP':
      return reply(s, { code: 250, enhanced: '2.0.0', text: 'Ok' });
    case 'QUIT':
      return quit(s);
    case 'HELP':
      return reply(s, { code: 214, enhanced: '2.0.0', text: s.options.help ?? helpText(s) });
    case 'VRFY':
    case 'EXPN':
      return vrfyExpn(s, verb, arg);
    case 'STARTTLS':
      return starttls(s, arg !== '');
    case 'AUTH':
      return authCommand(s, arg);
    case 'XCLIENT':
      if (!s.options.xclient) return unknown(s);
      return xclient(s, arg);
    case 'XFORWARD':
      if (!s.options.xforward) return unknown(s);
      return xforward(s, arg);
    default:
      return customCommand(s, verb, arg);
  }
}

/**
 * The default HELP text (RFC 5321 §4.1.1.8): the commands this session accepts, no more: LHLO
 * instead of HELO and EHLO in LMTP, BDAT only with CHUNKING, VRFY and EXPN unless disabled.
 */
function helpText(s: Session): string[] {
  const verbs = s.lmtp ? ['LHLO'] : ['HELO', 'EHLO'];
  verbs.push('MAIL', 'RCPT', 'DATA');
  if (s.ext.chunking) verbs.push('BDAT');
  verbs.push('RSET', 'NOOP', 'QUIT');
  if ((s.options.vrfy ?? 'static') !== 'disabled') verbs.push('VRFY');
  if ((s.options.expn ?? 'disabled') !== 'disabled') verbs.push('EXPN');
  verbs.push('HELP');
  return [`Commands: ${verbs.join(' ')}`, s.lmtp ? 'See RFC 2033' : 'See RFC 5321'];
}

/** `500 5.5.2` for a verb the session does not know. */
export function unknown(s: Session): void {
  reply(s, NOT_RECOGNIZED);
}
