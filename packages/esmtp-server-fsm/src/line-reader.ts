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
 * 'overflow' when the line exceeded its limit (the rest up to CRLF was discarded).
 */
export function readLine(s: Session, limit: number, authAware: boolean): Uint8Array | 'overflow' | undefined {
  if (s.lineLen === 0 && s.inputLength > 0) {
    const chunk = s.chunks[0]!;
    const start = s.headOff;
    const end = lineInHead(s, limit);
    if (end >= 0) return chunk.subarray(start, end);
  }
  return readLineParts(s, limit, authAware);
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

/** {@link readLine} past its common case: the line assembled from its parts, the limit enforced. */
export function readLineParts(s: Session, limit: number, authAware: boolean): Uint8Array | 'overflow' | undefined {
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
        s.lineParts = [];
      }
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

/** The first nine bytes of the line being read, as Latin-1 text. */
/** How many bytes of a refused line are read for its verb (a custom verb may be long). */
export const VERB_HEAD = 80;

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
