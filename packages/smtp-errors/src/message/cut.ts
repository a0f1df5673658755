/**
 * What is left of a message cut short (at `maxBytes`, at the line budget, or where the MIME parser
 * gave up): whether a part runs on to the cut, and the report or text without the field or line
 * the cut may fall in. Every function is one pass over its input, without regular expressions
 * that could read it again from each position.
 */
import PostalMime from 'postal-mime';
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
/**
 * The mechanism a `Content-Transfer-Encoding` value names, as the MIME parser reads it: comments
 * (parenthesised, nested) dropped, then the first run of letters, digits, `_` and `-`, lower-cased
 * (`Base64 (sent as is)` is `base64`). One pass.
 */
export function mechanism(value: string): string {
  let depth = 0;
  let out = '';
  let started = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x5c && depth > 0) i++; // a quoted pair inside a comment
    else if (c === 0x28) depth++;
    else if (c === 0x29 && depth > 0) depth--;
    else if (depth === 0) {
      const word = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2d;
      if (word) {
        out += value[i];
        started = true;
      } else if (started || (c !== 0x20 && c !== 0x09)) break;
    }
  }
  return out.toLowerCase();
}

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
  // the part's header block: up to the first empty line; a field's value runs on over its folded
  // lines (those that start with a space or a tab), as the parser unfolds it
  let encoding = '';
  let value: string | undefined;
  for (let at = header; at < text.length; ) {
    const lf = text.indexOf('\n', at);
    if (lf < 0) return undefined;
    const line = text.slice(at, text.charCodeAt(lf - 1) === 0x0d ? lf - 1 : lf);
    const folded = line.charCodeAt(0) === 0x20 || line.charCodeAt(0) === 0x09;
    if (!folded && value !== undefined) {
      encoding = mechanism(value);
      value = undefined;
    }
    if (line === '') return { body: lf + 1, encoding };
    if (folded) {
      if (value !== undefined) value += ` ${line}`;
    } else if (line.length >= 26 && line.slice(0, 26).toLowerCase() === 'content-transfer-encoding:') value = line.slice(26);
    at = lf + 1;
  }
  return undefined;
}

/**
 * `body` (a part's content in `encoding`, as far as the input goes) decoded by the MIME parser
 * itself: it reads a one-part message of that body behind a header block that names the encoding
 * and no charset (`application/octet-stream`), and gives the decoded bytes as they are. The same
 * parser, the same reading as the part's content got: bytes outside the base64 alphabet skipped,
 * each `=` ending a unit, a unit cut short giving the bytes it holds; quoted-printable white space
 * at a line's end deleted, soft line breaks joined, each hard line break as written. One pass.
 */
async function decodedBody(encoding: 'base64' | 'quoted-printable', body: Uint8Array): Promise<Uint8Array> {
  const header = new TextEncoder().encode(`Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n`);
  const message = new Uint8Array(header.length + body.length);
  message.set(header);
  message.set(body, header.length);
  const content = (await PostalMime.parse(message, { attachmentEncoding: 'arraybuffer' })).attachments[0]?.content ?? '';
  return typeof content === 'string' ? new TextEncoder().encode(content) : new Uint8Array(content);
}

/**
 * How the last line of a part's encoded body ends (MIME framing, not decoding): `ended` when a
 * line feed ends it (a body of no line at all has nothing cut), `soft` when it is a
 * quoted-printable soft line break: `=` last once the line's CRs and then its white space are taken
 * off its end (RFC 2045 §6.7 rules 3 and 5). Reads back over the end of the last line only.
 */
function lastLineEnd(body: Uint8Array): { readonly ended: boolean; readonly soft: boolean } {
  const ended = body.length === 0 || body[body.length - 1] === 10;
  let end = ended && body.length > 0 ? body.length - 1 : body.length;
  while (end > 0 && body[end - 1] === 13) end--;
  while (end > 0 && (body[end - 1] === 0x20 || body[end - 1] === 0x09)) end--;
  return { ended, soft: end > 0 && body[end - 1] === 0x3d };
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

/**
 * How `input`, cut, ends (see {@link InputEnd}). A part in base64 or quoted-printable is decoded by
 * the MIME parser ({@link decodedBody}); whether its last line ended is read from the encoded bytes
 * in quoted-printable, where white space deleted at a line's end and a cut line of spaces leave
 * nothing in the decoded bytes to tell it by.
 */
export async function inputEnding(input: Uint8Array): Promise<InputEnd> {
  const part = lastPart(latin1Text(input));
  if (part !== undefined && part.encoding === 'base64') {
    const bytes = await decodedBody('base64', input.subarray(part.body));
    return { bytes, lineEnded: bytes.length === 0 || bytes[bytes.length - 1] === 10 };
  }
  if (part !== undefined && part.encoding === 'quoted-printable') {
    const body = input.subarray(part.body);
    const { ended, soft } = lastLineEnd(body);
    const decoded = await decodedBody('quoted-printable', body);
    // the parser gives the last line of a message that ends without a line end a line feed of its
    // own (a part's content keeps the line ends it was sent with): that one is not the input's
    const own = !ended && !soft && decoded[decoded.length - 1] === 10;
    return { bytes: own ? decoded.subarray(0, decoded.length - 1) : decoded, lineEnded: ended && !soft };
  }
  return { bytes: input, lineEnded: input.length === 0 || input[input.length - 1] === 10 };
}
