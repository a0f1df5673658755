/**
 * The input: buffered chunks (never concatenated) and the CRLF line reader with its length limit.
 * Linear: each byte is looked at once by `indexOf`.
 */
import type { Session } from './session.js';

const CR = 13;
const LF = 10;

/** Drops `n` bytes from the front of the input. */
export function consume(s: Session, n: number): void {
  s.inputLength -= n;
  while (n > 0) {
    const head = s.chunks[0]!;
    const left = head.length - s.headOff;
    if (n >= left) {
      n -= left;
      s.chunks.shift();
      s.headOff = 0;
    } else {
      s.headOff += n;
      n = 0;
    }
  }
}

/**
 * Reads one CRLF-terminated line (without the CRLF). Returns undefined when incomplete,
 * 'overflow' when the line exceeded its limit (the rest up to CRLF was discarded; with `verbKind`,
 * read for the verbs of its segments as it went, see {@link overflowSegments}).
 */
export function readLine(s: Session, limit: number, authAware: boolean, verbKind?: VerbKind): Uint8Array | 'overflow' | undefined {
  if (s.lineLen === 0 && s.inputLength > 0) {
    const chunk = s.chunks[0]!;
    const start = s.headOff;
    const end = lineInHead(s, limit);
    if (end >= 0) return chunk.subarray(start, end);
  }
  return readLineParts(s, limit, authAware, verbKind);
}

/**
 * The SMUG-5 check of a line read inside an exchange (an AUTH continuation after a `334`, a custom
 * verb's line step after its `3xx`), given by the command layer to the rooms that read such lines:
 * a peer that ends lines at a bare CR or LF reads the segments of such a line as commands, as it
 * does those of a command line.
 */
export interface ExchangeLineCheck {
  /** The kind of a segment's verb, for the scan of an over-long line as it is discarded ({@link readLine}). */
  readonly verbKind: VerbKind;
  /**
   * Answers and closes the session when the segments of `line` (or of the over-long line just
   * discarded, `'overflow'`) hold a verb that a lenient peer would run to the session's loss of
   * step; returns whether it did (the caller then reads nothing more).
   */
  closes(s: Session, line: Uint8Array | 'overflow'): boolean;
}

/**
 * The common case of {@link readLine}: no part of a line pending (`lineLen` 0, input buffered),
 * and the whole line (CRLF included, within the limit) in the head chunk. Then the line is
 * consumed and the index of its CR in that chunk returned (the line is `chunks[0]` from `headOff`,
 * both as they were before the call, to that index); otherwise -1 and nothing is consumed. For a
 * caller that reads the bytes in place, with no view made.
 */
export function lineInHead(s: Session, limit: number): number {
  const chunk = s.chunks[0]!;
  const start = s.headOff;
  const idx = chunk.indexOf(LF, start);
  if (idx > start && chunk[idx - 1] === CR && idx + 1 - start <= limit) {
    consume(s, idx + 1 - start);
    s.lastLineByte = -1;
    s.linesDone++;
    return idx - 1;
  }
  return -1;
}

/**
 * {@link readLine} past its common case: the line assembled from its parts, the limit enforced.
 * With `verbKind` (command lines), the bytes of a line past its limit are read for the verbs a
 * peer that ends lines at a bare CR or LF sees in it as they are discarded ({@link overflowSegments}).
 */
export function readLineParts(s: Session, limit: number, authAware: boolean, verbKind?: VerbKind): Uint8Array | 'overflow' | undefined {
  while (s.inputLength > 0) {
    const chunk = s.chunks[0]!;
    const start = s.headOff;
    const idx = chunk.indexOf(LF, start);
    const end = idx < 0 ? chunk.length : idx + 1;
    const piece = chunk.subarray(start, end);
    const prev = idx > start ? chunk[idx - 1]! : s.lastLineByte;
    consume(s, end - start);
    s.lastLineByte = piece.length > 0 ? piece[piece.length - 1]! : s.lastLineByte;
    s.lineLen += piece.length;
    if (!s.lineOverflow) {
      s.lineParts.push(piece);
      const max = authAware && s.lineLen > limit ? longLineLimit(s, limit) : limit;
      if (s.lineLen > max) {
        s.lineOverflow = true;
        // its verb still counts: a BDAT line has a chunk behind it (SRV-3), a DATA one may have a body
        if (authAware) s.overflowHead = lineHead(s);
        // and so do the verbs after each bare CR or LF in it (SMUG-5): the bytes kept so far first
        if (verbKind) {
          const scan = startScan(s);
          for (const p of s.lineParts) scanSegments(s, scan, p, verbKind);
        } else s.overflowScan = undefined; // not a command line: no earlier line's segments may count for it
        s.lineParts = [];
      }
    } else if (verbKind) {
      const scan = s.overflowScan;
      if (scan !== undefined) scanSegments(s, scan, piece, verbKind);
    }
    if (idx >= 0 && prev === CR) {
      const overflow = s.lineOverflow;
      const parts = s.lineParts;
      const len = s.lineLen;
      s.lineParts = [];
      s.lineLen = 0;
      s.lineOverflow = false;
      s.lastLineByte = -1;
      s.linesDone++;
      if (overflow) return 'overflow';
      if (parts.length === 1) return parts[0]!.subarray(0, len - 2); // the common case: no copy
      const line = new Uint8Array(len - 2);
      let o = 0;
      for (const p of parts) {
        const take = Math.min(p.length, line.length - o);
        line.set(p.subarray(0, take), o);
        o += take;
      }
      return line;
    }
  }
  return undefined;
}

/** How many bytes of a refused line are read for its verb (a custom verb may be long). */
export const VERB_HEAD = 80;

/**
 * The kind of the verb `bytes[from, to)` (ASCII letters, digits, `-`, `_`; at most
 * {@link VERB_HEAD} bytes) for the segments of an over-long command line: a number, the stronger
 * the higher (0: a verb that changes nothing). The command layer gives it.
 */
export type VerbKind = (s: Session, bytes: Uint8Array, from: number, to: number) => number;

/**
 * What the segments of the last over-long command line held (SMUG-5): `kind`, the strongest
 * {@link VerbKind} among the verbs at the start of its CR/LF-separated segments (after blanks: SP,
 * HT, VT, FF); `bare`, whether it held a bare CR or LF (without one its only segment is the line).
 */
export interface OverflowSegments {
  readonly kind: number;
  readonly bare: boolean;
}

/** {@link scanSegments} phases: at the start of a segment (blanks skipped), in its verb, in the rest of it. */
const SEGMENT_START = 0;
const SEGMENT_VERB = 1;
const SEGMENT_REST = 2;

/** The state of {@link scanSegments} over one over-long line: fixed size, reused for every such line of a session. */
export interface SegmentScan {
  phase: number;
  /** The verb of the current segment so far (its first {@link VERB_HEAD} bytes). */
  readonly verb: Uint8Array;
  verbLen: number;
  /** The CR and LF bytes seen; the line's own CRLF makes two. */
  lineEnds: number;
  kind: number;
}

/** A new scan, at the start of a line. */
function newScan(): SegmentScan {
  return { phase: SEGMENT_START, verb: new Uint8Array(VERB_HEAD), verbLen: 0, lineEnds: 0, kind: 0 };
}

/** The scan of `s`, reset for a new over-long line. */
function startScan(s: Session): SegmentScan {
  const scan = (s.overflowScan ??= newScan());
  scan.phase = SEGMENT_START;
  scan.verbLen = 0;
  scan.lineEnds = 0;
  scan.kind = 0;
  return scan;
}

/**
 * The strongest {@link VerbKind} among the verbs of the CR/LF-separated segments of a whole refused
 * line `bytes` (without its final CRLF), read as {@link scanSegments} reads an over-long one.
 */
export function segmentsKind(s: Session, bytes: Uint8Array, verbKind: VerbKind): number {
  const scan = newScan();
  scanSegments(s, scan, bytes, verbKind);
  // the line's last verb runs to its end: no byte after it ended it
  return scan.phase === SEGMENT_VERB ? Math.max(scan.kind, verbKind(s, scan.verb, 0, scan.verbLen)) : scan.kind;
}

/**
 * The segments of the over-long command line {@link readLineParts} last returned `'overflow'` for
 * (read while its bytes were discarded); nothing counts when no such line was read.
 */
export function overflowSegments(s: Session): OverflowSegments {
  const scan = s.overflowScan;
  return scan === undefined ? { kind: 0, bare: false } : { kind: scan.kind, bare: scan.lineEnds > 2 };
}

/** Whether `b` can continue a verb (as a peer that ends a verb at any other byte reads one): an ASCII letter, digit, `-` or `_`. */
function isWordByte(b: number): boolean {
  const l = b | 0x20;
  return (l >= 0x61 && l <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x5f;
}

/**
 * One piece of an over-long command line, in order, for the verbs a peer that ends lines at a bare
 * CR or LF reads in it: one per CR/LF-separated segment, after any blanks (SP, HT, VT, FF), up to
 * the first byte that cannot continue a verb; a verb longer than {@link VERB_HEAD} counts for
 * nothing. Linear, each byte once: the rest of a segment is skipped with `indexOf`, each search
 * starting past the last one. Allocates nothing but what `verbKind` does.
 */
function scanSegments(s: Session, scan: SegmentScan, p: Uint8Array, verbKind: VerbKind): void {
  const n = p.length;
  let cr = -2; // the next CR at or after i (-1: none left; -2: not searched yet); LF likewise
  let lf = -2;
  let i = 0;
  while (i < n) {
    if (scan.phase === SEGMENT_REST) {
      if (cr !== -1 && cr < i) cr = p.indexOf(CR, i);
      if (lf !== -1 && lf < i) lf = p.indexOf(LF, i);
      if (cr < 0 && lf < 0) return;
      i = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
    }
    const b = p[i]!;
    if (b === CR || b === LF) {
      if (scan.phase === SEGMENT_VERB) scan.kind = Math.max(scan.kind, verbKind(s, scan.verb, 0, scan.verbLen));
      scan.lineEnds++;
      scan.phase = SEGMENT_START;
    } else if (isWordByte(b)) {
      if (scan.phase === SEGMENT_START) {
        scan.phase = SEGMENT_VERB;
        scan.verbLen = 0;
      }
      if (scan.verbLen < VERB_HEAD) scan.verb[scan.verbLen++] = b;
      else scan.phase = SEGMENT_REST; // longer than any verb that counts
    } else if (scan.phase === SEGMENT_VERB) {
      scan.kind = Math.max(scan.kind, verbKind(s, scan.verb, 0, scan.verbLen));
      scan.phase = SEGMENT_REST;
    } else if (b !== 0x20 && b !== 0x09 && b !== 0x0b && b !== 0x0c) scan.phase = SEGMENT_REST;
    i++;
  }
}

/** The first {@link VERB_HEAD} bytes of the line being read, as Latin-1 text. */
function lineHead(s: Session): string {
  let head = '';
  for (const p of s.lineParts) {
    for (let i = 0; i < p.length && head.length < VERB_HEAD; i++) head += String.fromCharCode(p[i]!);
  }
  return head;
}

/**
 * What each extension adds to the longest MAIL and RCPT line when the last EHLO/LHLO reply
 * advertised it (RFC 5321 §4.5.3.1.4: extensions may raise the 512-octet limit), by verb and
 * keyword: SIZE 26 to MAIL (RFC 1870 §3), DSN 100 to MAIL for ENVID and 500 to RCPT for ORCPT
 * (RFC 3461), AUTH 500 to MAIL for AUTH= (RFC 4954 §3), SMTPUTF8 10 to MAIL (RFC 6531 §3.1).
 */
const LONGER: Readonly<Record<string, number>> = { 'MAIL SIZE': 26, 'MAIL DSN': 100, 'MAIL AUTH': 500, 'MAIL SMTPUTF8': 10, 'RCPT DSN': 500 };

/**
 * The limit of a command line already longer than `limit` (only such a line pays for this): an
 * AUTH line runs to `maxAuthLine` (its initial response); a MAIL or RCPT line to `limit` plus what
 * the extensions advertised by EHLO/LHLO add (none after HELO, where MAIL and RCPT take no
 * parameters; a configured `maxCommandLine` is raised by the same amount); any other to `limit`.
 * Still a fixed bound: an over-long line is refused, never buffered whole.
 */
function longLineLimit(s: Session, limit: number): number {
  // Latin-1 text: no byte but their letters (any case) upper-cases into `AUTH `, `MAIL ` or `RCPT `
  const verb = lineHead(s).slice(0, 5).toUpperCase();
  if (verb === 'AUTH ') return s.limits.maxAuthLine;
  if (s.heloVerb !== 'HELO') for (const k of s.advertisedKeywords) limit += LONGER[verb + k] ?? 0;
  return limit;
}
