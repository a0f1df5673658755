/**
 * Turns the accepted reply shapes (string, bytes, structural reply) into text plus the first reply
 * code and enhanced status code, found by a hand-written scanner that also reads MTA prose
 * (`host mx.example.com said: 550 5.1.1 ...`, `#5.1.1 smtp;550 ...`). Linear, no regular expressions.
 */

/**
 * An enhanced status code as a string (`"5.1.1"`) or as the object smtp-reply-reader produces.
 *
 * @example
 * ```ts
 * const a: EnhancedCodeLike = '5.1.1';
 * const b: EnhancedCodeLike = { class: 5, subject: 1, detail: 1 };
 * ```
 * @see RFC 3463 §2
 */
export type EnhancedCodeLike =
  | string
  | { readonly class: number; readonly subject: number; readonly detail: number };

/**
 * A reply in structural form, e.g. a `Reply` from smtp-reply-reader (`{ code, enhanced, lines, text }`).
 *
 * @example
 * ```ts
 * classify({ code: 550, enhanced: '5.1.1', text: 'No such user' });
 * ```
 * @see RFC 5321 §4.2
 */
export interface StructuredReply {
  readonly code?: number | undefined;
  readonly enhanced?: EnhancedCodeLike | undefined;
  readonly text?: string | undefined;
  readonly lines?: readonly string[] | undefined;
}

/**
 * Anything `classify` accepts: reply text (possibly multi-line, possibly wrapped in MTA prose),
 * its UTF-8 bytes, or a structural reply.
 *
 * @example
 * ```ts
 * classify('550 5.1.1 user unknown');
 * classify(new TextEncoder().encode('452 4.2.2 mailbox full'));
 * classify({ code: 550, enhanced: { class: 5, subject: 1, detail: 1 }, text: 'unknown' });
 * ```
 * @see RFC 5321 §4.2
 */
export type ReplyInput = string | Uint8Array | StructuredReply;

/**
 * A parsed enhanced status code (`class.subject.detail`).
 *
 * @example
 * ```ts
 * const e: EnhancedCode | undefined = parseEnhanced('5.1.1'); // { class: 5, subject: 1, detail: 1 }
 * ```
 * @see RFC 3463 §2
 */
export interface EnhancedCode {
  readonly class: number;
  readonly subject: number;
  readonly detail: number;
}

/** @internal The normalised input. */
export interface NormalizedReply {
  readonly text: string;
  readonly code: number | undefined;
  readonly enhanced: EnhancedCode | undefined;
}

/** Truncates a string to at most `bytes` UTF-8 bytes (never splitting a character). */
export function truncateUtf8(text: string, bytes: number): string {
  if (text.length * 3 <= bytes) return text;
  let used = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let size: number;
    let units = 1;
    if (c < 0x80) size = 1;
    else if (c < 0x800) size = 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        size = 4;
        units = 2;
      } else size = 3;
    } else size = 3;
    if (used + size > bytes) return text.slice(0, i);
    used += size;
    i += units - 1;
  }
  return text;
}

/** Whether UTF-16 unit `c` is white space or another control character that reads as a space. */
/**
 * White space as JavaScript's `\s` has it (tabs, line breaks, no-break and the other Unicode
 * spaces, U+2028/9, U+FEFF) and the control characters: a unit of it other than the space, and a
 * run of it. Single character classes: nothing that can backtrack.
 */
// eslint-disable-next-line no-control-regex -- the control characters are what it looks for
const BLANK_UNIT = /[^\S ]|[\0-\x1f\x7f]/;
/**
 * @internal Every unit `BLANK_UNIT` finds, written out (the control characters, DEL, and what
 * JavaScript's `\s` holds besides the space): the rule matcher reads them as one class, so that its
 * pass over a reply tells whether the reply needs collapsing (a test checks it against the class).
 */
export const BLANK_UNITS = `${unitRange(0, 0x1f)}\x7f\u00a0\u1680${unitRange(0x2000, 0x200a)}\u2028\u2029\u202f\u205f\u3000\ufeff`;

/** The units from `from` to `to`, in order. */
function unitRange(from: number, to: number): string {
  let units = '';
  for (let c = from; c <= to; c++) units += String.fromCharCode(c);
  return units;
}
// eslint-disable-next-line no-control-regex -- as above
const BLANK_RUN = /[\s\0-\x1f\x7f]+/g;

/**
 * @internal `text` with every run of white space (line breaks, tabs, no-break and other Unicode
 * spaces) and control characters made one space, so that wording reads the same however a reply
 * was folded, wrapped or padded (`user  unknown`, a Diagnostic-Code unfolded with its indent, a
 * multi-line reply joined with its line breaks). The same string when nothing changes. Linear.
 */
export function collapseSpace(text: string): string {
  // most replies hold no such run: a substring search and one character class, and the same string back
  return text.includes('  ') || BLANK_UNIT.test(text) ? text.replace(BLANK_RUN, ' ') : text;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** @internal Whether UTF-16 unit (or byte) `c` is an ASCII letter or digit. */
export function isAlnum(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * Parses an enhanced status code string exactly (class 2, 4 or 5; 1 to 3 digits each for subject
 * and detail), or returns undefined (also for a value that is not a string: it never throws).
 *
 * @example
 * ```ts
 * parseEnhanced('4.7.650'); // { class: 4, subject: 7, detail: 650 }
 * ```
 * @see RFC 3463 §2
 */
export function parseEnhanced(value: string): EnhancedCode | undefined {
  if (typeof value !== 'string') return undefined;
  const found = scanEnhancedAt(value, 0);
  return found && found.end === value.length ? found.code : undefined;
}

function readNumber(text: string, i: number, max: number): [number, number] | undefined {
  let n = 0;
  let j = i;
  while (j < text.length && j - i < max && isDigit(text.charCodeAt(j))) {
    n = n * 10 + (text.charCodeAt(j) - 48);
    j++;
  }
  if (j === i || (j < text.length && isDigit(text.charCodeAt(j)))) return undefined;
  return [n, j];
}

function scanEnhancedAt(text: string, i: number): { code: EnhancedCode; end: number } | undefined {
  const c = text.charCodeAt(i);
  if (c !== 50 && c !== 52 && c !== 53) return undefined;
  if (text.charCodeAt(i + 1) !== 46) return undefined;
  const subject = readNumber(text, i + 2, 3);
  if (!subject || text.charCodeAt(subject[1]) !== 46) return undefined;
  const detail = readNumber(text, subject[1] + 1, 3);
  if (!detail) return undefined;
  return { code: { class: c - 48, subject: subject[0], detail: detail[0] }, end: detail[1] };
}

/**
 * Finds the first reply code (`[245][0-5][0-9]` or `571` standing alone, followed by a space, `-` or
 * the end) and the first enhanced status code (`[245].d{1,3}.d{1,3}` not part of a dotted number such
 * as an IP address) anywhere in `text`. One pass, no backtracking. Never throws: a value that is not
 * a string holds no code.
 *
 * @example
 * ```ts
 * scanCodes('host mx.example.com[192.0.2.1] said: 550 5.1.1 <a@example.com>: unknown');
 * // { code: 550, enhanced: { class: 5, subject: 1, detail: 1 } }
 * ```
 * @see RFC 5321 §4.2, RFC 3463 §2
 */
export function scanCodes(text: string): { code: number | undefined; enhanced: EnhancedCode | undefined } {
  const out = new Int32Array(2).fill(-1);
  let need = typeof text === 'string' ? NEED_CODE | NEED_ENHANCED : 0;
  for (let i = 0; need !== 0 && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 50 || c === 52 || c === 53) need = scanCodeAt(text, i, need, out);
  }
  return { code: out[0]! >= 0 ? out[0] : undefined, enhanced: unpackEnhanced(out[1]!) };
}

/** @internal `need` bit: a reply code is still wanted. */
export const NEED_CODE = 1;
/** @internal `need` bit: an enhanced status code is still wanted. */
export const NEED_ENHANCED = 2;

/** @internal Packs an enhanced code into one integer (`class * 1e6 + subject * 1e3 + detail`). */
export function packEnhanced(code: EnhancedCode): number {
  return code.class * 1_000_000 + code.subject * 1000 + code.detail;
}

/** @internal The inverse of `packEnhanced` (a negative value is no code). */
export function unpackEnhanced(packed: number): EnhancedCode | undefined {
  if (packed < 0) return undefined;
  return { class: Math.floor(packed / 1_000_000), subject: Math.floor(packed / 1000) % 1000, detail: packed % 1000 };
}

function digitsAt(text: string, i: number): number {
  let j = i;
  while (j < i + 3 && isDigit(text.charCodeAt(j))) j++;
  return j === i || isDigit(text.charCodeAt(j)) ? -1 : j;
}

/**
 * @internal The code scanner's step, called for each position `i` holding `2`, `4` or `5`, left to
 * right: records a reply code in `out[0]` and an enhanced code (packed) in `out[1]` when one starts
 * at `i` and is still wanted, and returns the bits of `need` still unmet. Allocates nothing, so the
 * rule matcher runs it inside its own pass (the text is scanned once).
 */
export function scanCodeAt(text: string, i: number, need: number, out: Int32Array): number {
  const prev = i > 0 ? text.charCodeAt(i - 1) : 32;
  if (isAlnum(prev) || prev === 46) return need;
  const c = text.charCodeAt(i);
  const c1 = text.charCodeAt(i + 1);
  if (c1 === 46) {
    if ((need & NEED_ENHANCED) === 0) return need;
    const s = i + 2;
    const se = digitsAt(text, s);
    if (se < 0 || text.charCodeAt(se) !== 46) return need;
    const de = digitsAt(text, se + 1);
    if (de < 0) return need;
    const n = text.length;
    const next = de < n ? text.charCodeAt(de) : 32;
    if (isAlnum(next) || (next === 46 && isDigit(text.charCodeAt(de + 1)))) return need;
    let subject = 0;
    for (let k = s; k < se; k++) subject = subject * 10 + text.charCodeAt(k) - 48;
    let detail = 0;
    for (let k = se + 1; k < de; k++) detail = detail * 10 + text.charCodeAt(k) - 48;
    out[1] = (c - 48) * 1_000_000 + subject * 1000 + detail;
    return need & ~NEED_ENHANCED;
  }
  // 571, outside RFC 5321's y digits, is a refusal some servers send ("571 Delivery not authorized")
  if ((need & NEED_CODE) !== 0 && ((c1 >= 48 && c1 <= 53) || (c === 53 && c1 === 55 && text.charCodeAt(i + 2) === 49))) {
    const c2 = text.charCodeAt(i + 2);
    if (!isDigit(c2)) return need;
    const next = i + 3 < text.length ? text.charCodeAt(i + 3) : 32;
    if (isSpace(next) || next === 45) {
      out[0] = (c - 48) * 100 + (c1 - 48) * 10 + (c2 - 48);
      return need & ~NEED_CODE;
    }
  }
  return need;
}

function byteAt(bytes: Uint8Array, k: number, end: number): number {
  return k < end ? bytes[k]! : -1;
}

function digitsAtBytes(bytes: Uint8Array, i: number, end: number): number {
  let j = i;
  while (j < i + 3 && isDigit(byteAt(bytes, j, end))) j++;
  return j === i || isDigit(byteAt(bytes, j, end)) ? -1 : j;
}

/**
 * @internal `scanCodeAt` over the first `end` bytes of ASCII input (bytes and UTF-16 units
 * coincide there); the property tests hold the two to the same answers.
 */
export function scanCodeAtBytes(bytes: Uint8Array, end: number, i: number, need: number, out: Int32Array): number {
  const prev = i > 0 ? bytes[i - 1]! : 32;
  if (isAlnum(prev) || prev === 46) return need;
  const c = bytes[i]!;
  const c1 = byteAt(bytes, i + 1, end);
  if (c1 === 46) {
    if ((need & NEED_ENHANCED) === 0) return need;
    const s = i + 2;
    const se = digitsAtBytes(bytes, s, end);
    if (se < 0 || byteAt(bytes, se, end) !== 46) return need;
    const de = digitsAtBytes(bytes, se + 1, end);
    if (de < 0) return need;
    const next = de < end ? bytes[de]! : 32;
    if (isAlnum(next) || (next === 46 && isDigit(byteAt(bytes, de + 1, end)))) return need;
    let subject = 0;
    for (let k = s; k < se; k++) subject = subject * 10 + bytes[k]! - 48;
    let detail = 0;
    for (let k = se + 1; k < de; k++) detail = detail * 10 + bytes[k]! - 48;
    out[1] = (c - 48) * 1_000_000 + subject * 1000 + detail;
    return need & ~NEED_ENHANCED;
  }
  if ((need & NEED_CODE) !== 0 && ((c1 >= 48 && c1 <= 53) || (c === 53 && c1 === 55 && byteAt(bytes, i + 2, end) === 49))) {
    const c2 = byteAt(bytes, i + 2, end);
    if (!isDigit(c2)) return need;
    const next = i + 3 < end ? bytes[i + 3]! : 32;
    if (isSpace(next) || next === 45) {
      out[0] = (c - 48) * 100 + (c1 - 48) * 10 + (c2 - 48);
      return need & ~NEED_CODE;
    }
  }
  return need;
}

function enhancedFrom(value: EnhancedCodeLike | undefined): EnhancedCode | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return parseEnhanced(value.trim());
  if (typeof value !== 'object' || value === null) return undefined;
  // each field read once (a getter may answer differently the next time)
  const { class: cls, subject, detail } = value;
  if ((cls === 2 || cls === 4 || cls === 5) && Number.isInteger(subject) && Number.isInteger(detail) && subject >= 0 && subject <= 999 && detail >= 0 && detail <= 999) {
    return { class: cls, subject, detail };
  }
  return undefined;
}

/**
 * The lines of a structural reply joined by LF, each entry that is not a string read as an empty
 * line (as a `text` that is not a string is no text: a Symbol made `join` throw), and no further
 * than `limit` units: past them the text is cut anyway (a unit is at least a byte), so a huge
 * sparse array costs no more than its first `limit` entries.
 */
function joinLines(lines: readonly unknown[], limit: number): string {
  let out = '';
  for (let i = 0; i < lines.length && out.length <= limit; i++) {
    const line = lines[i];
    if (i > 0) out += '\n';
    if (typeof line === 'string') out += line;
  }
  return out;
}

/** @internal Text and codes of a structural reply (codes undefined when the structure lacks them). */
export function normalizeStructured(input: StructuredReply, limit: number): NormalizedReply {
  if (typeof input !== 'object' || input === null) return NO_REPLY;
  // Each field is read once, and a structure that throws as it is read (a getter, a Proxy trap)
  // is no reply: classify never throws for what it is given to read.
  try {
    const text: unknown = input.text;
    const lines: unknown = typeof text === 'string' ? undefined : input.lines;
    const raw = typeof text === 'string' ? text : Array.isArray(lines) ? joinLines(lines, limit) : '';
    const code: unknown = input.code;
    return {
      text: truncateUtf8(raw, limit),
      code: typeof code === 'number' && Number.isInteger(code) && code >= 200 && code <= 599 ? code : undefined,
      enhanced: enhancedFrom(input.enhanced),
    };
  } catch {
    return NO_REPLY;
  }
}

const NO_REPLY: NormalizedReply = Object.freeze({ text: '', code: undefined, enhanced: undefined });
