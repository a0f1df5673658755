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

const decoder = new TextDecoder('utf-8', { fatal: false });

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

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAlnum(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * Parses an enhanced status code string exactly (class 2, 4 or 5; 1 to 3 digits each for subject
 * and detail), or returns undefined.
 *
 * @example
 * ```ts
 * parseEnhanced('4.7.650'); // { class: 4, subject: 7, detail: 650 }
 * ```
 * @see RFC 3463 §2
 */
export function parseEnhanced(value: string): EnhancedCode | undefined {
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
 * Finds the first reply code (`[245][0-5][0-9]` standing alone, followed by a space, `-` or the
 * end) and the first enhanced status code (`[245].d{1,3}.d{1,3}` not part of a dotted number such
 * as an IP address) anywhere in `text`. One pass, no backtracking.
 *
 * @example
 * ```ts
 * scanCodes('host mx.example.com[192.0.2.1] said: 550 5.1.1 <a@example.com>: unknown');
 * // { code: 550, enhanced: { class: 5, subject: 1, detail: 1 } }
 * ```
 * @see RFC 5321 §4.2, RFC 3463 §2
 */
export function scanCodes(text: string): { code: number | undefined; enhanced: EnhancedCode | undefined } {
  let code: number | undefined;
  let enhanced: EnhancedCode | undefined;
  const n = text.length;
  for (let i = 0; i < n && (code === undefined || enhanced === undefined); i++) {
    const c = text.charCodeAt(i);
    if (c !== 50 && c !== 52 && c !== 53) continue;
    const prev = i > 0 ? text.charCodeAt(i - 1) : 32;
    if (isAlnum(prev) || prev === 46) continue;
    const c1 = text.charCodeAt(i + 1);
    if (enhanced === undefined && c1 === 46) {
      const found = scanEnhancedAt(text, i);
      if (found) {
        const next = found.end < n ? text.charCodeAt(found.end) : 32;
        const after = found.end + 1 < n ? text.charCodeAt(found.end + 1) : 32;
        if (!isAlnum(next) && !(next === 46 && isDigit(after))) enhanced = found.code;
        i = found.end - 1;
      }
      continue;
    }
    if (code === undefined && c1 >= 48 && c1 <= 53 && isDigit(text.charCodeAt(i + 2))) {
      const next = i + 3 < n ? text.charCodeAt(i + 3) : 32;
      if (isSpace(next) || next === 45) code = (c - 48) * 100 + (c1 - 48) * 10 + (text.charCodeAt(i + 2) - 48);
    }
  }
  return { code, enhanced };
}

function enhancedFrom(value: EnhancedCodeLike | undefined): EnhancedCode | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return parseEnhanced(value.trim());
  if (
    typeof value === 'object' &&
    Number.isInteger(value.class) &&
    Number.isInteger(value.subject) &&
    Number.isInteger(value.detail)
  ) {
    return { class: value.class, subject: value.subject, detail: value.detail };
  }
  return undefined;
}

/** @internal Normalises any accepted input, honouring a byte `length` and the size cap. */
export function normalizeReply(input: ReplyInput, length: number | undefined, maxBytes: number): NormalizedReply {
  const limit = length === undefined ? maxBytes : Math.min(length, maxBytes);
  if (typeof input === 'string') {
    const text = truncateUtf8(input, limit);
    const found = scanCodes(text);
    return { text, code: found.code, enhanced: found.enhanced };
  }
  if (input instanceof Uint8Array) {
    const text = decoder.decode(input.length > limit ? input.subarray(0, limit) : input);
    const found = scanCodes(text);
    return { text, code: found.code, enhanced: found.enhanced };
  }
  if (typeof input !== 'object' || input === null) return { text: '', code: undefined, enhanced: undefined };
  const raw = typeof input.text === 'string' ? input.text : Array.isArray(input.lines) ? input.lines.join('\n') : '';
  const text = truncateUtf8(raw, limit);
  const code =
    typeof input.code === 'number' && Number.isInteger(input.code) && input.code >= 200 && input.code <= 599
      ? input.code
      : undefined;
  let enhanced = enhancedFrom(input.enhanced);
  if (code === undefined || enhanced === undefined) {
    const found = scanCodes(text);
    enhanced ??= found.enhanced;
    return { text, code: code ?? found.code, enhanced };
  }
  return { text, code, enhanced };
}
