/**
 * What is left of a message cut short (at `maxBytes`, at the line budget, or where the MIME parser
 * gave up): whether a part runs on to the cut, and the report or text without the field or line
 * the cut may fall in. Every function is one pass over its input, without regular expressions
 * that could read it again from each position.
 */
import { contentTypeFields, decodeLegacyText, isSpace, latin1Text } from './text.js';

/** The number of bytes at the end of `bytes` before its trailing CR and LF. */
function endBeforeLineEnds(bytes: Uint8Array): number {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 10 || bytes[end - 1] === 13)) end--;
  return end;
}

/** How much of the end of a part is compared with the end of the input. */
const TAIL_BYTES = 64;

/**
 * True when the bytes of a part (as the parser decoded them) are the last bytes of `end`, line ends
 * aside: the part was cut with the input, not closed by its boundary. `end` is the input, or, when
 * the input ends inside a part in base64 or quoted-printable, that part's content decoded
 * ({@link inputEnding}): its encoded bytes never compare equal to the decoded ones.
 */
export function bytesEndInput(part: Uint8Array, end: Uint8Array): boolean {
  const a = endBeforeLineEnds(part);
  const b = endBeforeLineEnds(end);
  if (a === 0 || b < Math.min(a, TAIL_BYTES)) return false;
  for (let i = 1; i <= Math.min(a, TAIL_BYTES); i++) if (part[a - i] !== end[b - i]) return false;
  return true;
}

/**
 * True when `text` (a body as the parser decoded it) ends as `end` does (the input, or the decoded
 * content of the encoded part it ends in, as for {@link bytesEndInput}): it was cut with it. A body
 * shorter than the compared tail is cut when the whole of it is how the input ends.
 */
export function textEndsInput(text: string, end: Uint8Array): boolean {
  const tail = decodeLegacyText(end.subarray(Math.max(0, end.length - 4 * TAIL_BYTES))).replace(/\r/g, '').trimEnd();
  const last = text.slice(-4 * TAIL_BYTES).replace(/\r/g, '').trimEnd();
  const n = Math.min(TAIL_BYTES, tail.length - 1, last.length);
  return n > 0 && (n === last.length ? tail.endsWith(last) : last.endsWith(tail.slice(-n)));
}

/** `text` without its last line (line ends after it aside). */
export function withoutLastLine(text: string): string {
  const t = text.trimEnd();
  return t.slice(0, Math.max(0, t.lastIndexOf('\n') + 1));
}

/**
 * A report cut short without its last field (with its folded lines), which may be cut too;
 * unchanged when it ends with a blank line, after which no field of a block can follow. With
 * `lineEnded` false, the cut fell inside the report's last line: the line end the parser gives a
 * part's last line is not one, and a line of spaces the cut fell in (the start of a folded line)
 * does not make a blank line. One pass back over the white space it ends with, then back over the
 * lines of its last field.
 */
export function withoutCutField(report: string, lineEnded = true): string {
  // the end of the report's last text: white space (line ends included) after it
  let end = !lineEnded && report.endsWith('\n') ? report.length - 1 : report.length;
  const stop = end;
  while (end > 0 && isSpace(report.charCodeAt(end - 1))) end--;
  // a blank line (LF, spaces or tabs, an optional CR, LF) in that white space ends the last block
  for (let lf = report.indexOf('\n', end); lf >= 0 && lf < stop; lf = report.indexOf('\n', lf + 1)) {
    let k = lf + 1;
    while (k < stop && (report.charCodeAt(k) === 0x20 || report.charCodeAt(k) === 0x09)) k++;
    if (k < stop && report.charCodeAt(k) === 0x0d) k++;
    if (k < stop && report.charCodeAt(k) === 0x0a) return report;
  }
  if (end === 0) return '';
  // the line of the last text, then back over the folded lines (starting with a space or a tab)
  // to the line the field starts on: the report ends before it
  let start = report.lastIndexOf('\n', end - 1) + 1;
  while (start > 0 && (report.charCodeAt(start) === 0x20 || report.charCodeAt(start) === 0x09)) start = start >= 2 ? report.lastIndexOf('\n', start - 2) + 1 : 0;
  return start === 0 ? '' : report.slice(0, start - 1);
}

/**
 * The `boundary` parameter of a `Content-Type` field (quoted or a token), or undefined. Linear:
 * each start is a `;`, and each quantifier reads a run the token after it cannot start (white space
 * before `boundary` or `=`, a quoted value up to its quote or line end); the runs after two `;` do
 * not overlap, and a quoted value that fails holds no quote, so no later start reads it as one.
 */
function boundaryOf(field: string): string | undefined {
  const m = /;[ \t\r\n]*boundary[ \t]*=[ \t]*(?:"([^"\r\n]*)"|([^ \t\r\n;"]+))/i.exec(field);
  return m === null ? undefined : (m[1] ?? m[2]);
}

/**
 * Where the body of the part the input ends in starts, and its `Content-Transfer-Encoding`
 * (lower case, `''` when it names none); undefined when the input ends outside a part's body (in a
 * header block, or after a closing delimiter). The part is the one after the last delimiter line
 * (`--` and a boundary that a `Content-Type` field of the input names, RFC 2046 §5.1.1), else the
 * message itself. One pass over the lines.
 */
function lastPart(text: string): { readonly body: number; readonly encoding: string } | undefined {
  const boundaries = new Set<string>();
  for (const f of contentTypeFields(text)) {
    const b = boundaryOf(f.field);
    if (b !== undefined && b !== '') boundaries.add(b);
  }
  let header = 0;
  if (boundaries.size > 0) {
    for (let at = 0; at < text.length; ) {
      const lf = text.indexOf('\n', at);
      const next = lf < 0 ? text.length : lf + 1;
      if (text.charCodeAt(at) === 0x2d && text.charCodeAt(at + 1) === 0x2d) {
        let e = lf < 0 ? text.length : lf;
        while (e > at + 2 && (text.charCodeAt(e - 1) === 0x0d || text.charCodeAt(e - 1) === 0x20 || text.charCodeAt(e - 1) === 0x09)) e--;
        const name = text.slice(at + 2, e);
        if (boundaries.has(name)) header = next;
        else if (name.endsWith('--') && boundaries.has(name.slice(0, -2))) header = -1;
      }
      at = next;
    }
  }
  if (header < 0 || header >= text.length) return undefined;
  // the part's header block: up to the first empty line
  let encoding = '';
  for (let at = header; at < text.length; ) {
    const lf = text.indexOf('\n', at);
    if (lf < 0) return undefined;
    const line = text.slice(at, text.charCodeAt(lf - 1) === 0x0d ? lf - 1 : lf);
    if (line === '') return { body: lf + 1, encoding };
    if (line.length > 26 && line.slice(0, 26).toLowerCase() === 'content-transfer-encoding:') encoding = line.slice(26).trim().toLowerCase();
    at = lf + 1;
  }
  return undefined;
}

/** Base64 digit values by byte, -1 for a byte outside the alphabet. */
const BASE64 = new Int8Array(256).fill(-1);
for (let i = 0; i < 64; i++) BASE64['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;

/**
 * Base64 (RFC 2045 §6.8) read as the MIME parser reads it: bytes outside the alphabet skipped, each
 * `=` ending a unit, and a unit cut short giving the whole bytes it holds.
 */
function decodeBase64Body(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil((body.length * 3) / 4));
  let o = 0;
  let acc = 0;
  let n = 0;
  // the bytes of a unit left open: two digits hold one, three hold two, one none
  const flush = (): void => {
    if (n >= 2) out[o++] = (acc >> (6 * n - 8)) & 0xff;
    if (n === 3) out[o++] = (acc >> 2) & 0xff;
    acc = 0;
    n = 0;
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    const v = BASE64[c]!;
    if (v < 0) {
      if (c === 0x3d) flush();
      continue;
    }
    acc = (acc << 6) | v;
    if (++n === 4) {
      out[o++] = acc >> 16;
      out[o++] = (acc >> 8) & 0xff;
      out[o++] = acc & 0xff;
      acc = 0;
      n = 0;
    }
  }
  flush();
  return out.subarray(0, o);
}

const hex = (c: number): number => (c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1);

/**
 * Quoted-printable (RFC 2045 §6.7) read as the MIME parser reads it: white space at a line's end
 * deleted, `=` at a line's end a soft line break, `=XX` a byte, any other `=` kept, each hard line
 * break as written. A last line the input cut before its line end gets none; `lineEnded` says
 * whether the last line ended (white space deleted at its end, a line of spaces the cut fell in
 * decodes to nothing, so the bytes alone cannot say).
 */
function decodeQuotedPrintableBody(body: Uint8Array): InputEnd {
  const out = new Uint8Array(body.length);
  let o = 0;
  let lineEnded = true;
  for (let at = 0; at < body.length; ) {
    const lf = body.indexOf(10, at);
    const next = lf < 0 ? body.length : lf + 1;
    let end = next;
    while (end > at && (body[end - 1] === 10 || body[end - 1] === 13)) end--;
    const lineBreak = end;
    while (end > at && (body[end - 1] === 0x20 || body[end - 1] === 0x09)) end--;
    const soft = end > at && body[end - 1] === 0x3d;
    if (soft) end--;
    for (let i = at; i < end; i++) {
      const c = body[i]!;
      const h = c === 0x3d && i + 2 < end ? hex(body[i + 1]!) : -1;
      const l = h >= 0 ? hex(body[i + 2]!) : -1;
      if (l >= 0) {
        out[o++] = (h << 4) | l;
        i += 2;
      } else out[o++] = c;
    }
    lineEnded = lf >= 0 && !soft;
    if (lineEnded) for (let i = lineBreak; i < next; i++) out[o++] = body[i]!;
    at = next;
  }
  return { bytes: out.subarray(0, o), lineEnded };
}

/**
 * How a cut input ends, as the content of the part it ends in reads: `bytes` are the input, or,
 * when it ends inside the body of a part in base64 or quoted-printable, that body decoded as the
 * parser decodes it, as far as the input goes (the content the parser gave for the part then ends
 * as this does: {@link bytesEndInput} and {@link textEndsInput} tell the part ran on to the cut).
 * `lineEnded` is false when the cut fell inside a line of that content: its last line is cut.
 */
export interface InputEnd {
  readonly bytes: Uint8Array;
  readonly lineEnded: boolean;
}

/** How `input`, cut, ends (see {@link InputEnd}). */
export function inputEnding(input: Uint8Array): InputEnd {
  const part = lastPart(latin1Text(input));
  if (part !== undefined && part.encoding === 'base64') {
    const bytes = decodeBase64Body(input.subarray(part.body));
    return { bytes, lineEnded: bytes.length === 0 || bytes[bytes.length - 1] === 10 };
  }
  if (part !== undefined && part.encoding === 'quoted-printable') return decodeQuotedPrintableBody(input.subarray(part.body));
  return { bytes: input, lineEnded: input.length === 0 || input[input.length - 1] === 10 };
}
