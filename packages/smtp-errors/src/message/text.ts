/**
 * Bytes of a report part as text, for parts whose charset is not (or not reliably) declared: the
 * fields of a `message/delivery-status` part (RFC 3464 §2.1 says US-ASCII, yet MTAs copy the remote
 * reply's raw 8-bit bytes into `Diagnostic-Code`), of a `message/global-delivery-status` part
 * (UTF-8, RFC 6533 §3), and a body the MIME parser could not split. No exceptions, no U+FFFD for
 * bytes that are text in another charset: each line is UTF-8 when it is well-formed UTF-8, else the
 * part's declared charset, else windows-1252 (the WHATWG reading of `latin1` / `iso-8859-1`).
 * Also the raw input read byte for byte, and the `Content-Type` fields in it.
 */

const UTF8 = new TextDecoder('utf-8', { fatal: false });

/** The decoders made so far, by label; null for a label the runtime does not know. */
const decoders = new Map<string, TextDecoder | null>();

function decoderFor(label: string): TextDecoder | null {
  const key = label.trim().toLowerCase();
  let d = decoders.get(key);
  if (d === undefined) {
    try {
      d = new TextDecoder(key);
      // a label naming UTF-8 (or UTF-16, or the replacement encoding) is no legacy charset, and
      // windows-1252 (latin1, iso-8859-1, ascii...) is decoded by windows1252()
      if (d.encoding === 'utf-8' || d.encoding.startsWith('utf-16') || d.encoding === 'replacement' || d.encoding === 'windows-1252') d = null;
    } catch {
      d = null;
    }
    // bounded: a message names a charset per part, and the labels a runtime knows are few
    if (decoders.size < 64) decoders.set(key, d);
  }
  return d;
}

/**
 * What windows-1252 has at 0x80 to 0x9F (`€`, `‚`, `ƒ`... `Ÿ`), where Latin-1 has C1 controls; the
 * five bytes it leaves undefined stay the control characters, as in the WHATWG Encoding Standard.
 * Written out because the `TextDecoder('windows-1252')` of Node.js 20 decodes as Latin-1 (`’`, 0x92,
 * came out as U+0092), and so does the MIME parser's, which uses it.
 */
const CP1252_HIGH = '\u20ac\x81\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\x8d\u017d\x8f\x90\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\x9d\u017e\u0178';

/** windows-1252 (what `latin1` and `iso-8859-1` name in the WHATWG Encoding Standard), byte for byte. */
function windows1252(bytes: Uint8Array): string {
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 8192) {
    const chunk = bytes.subarray(i, i + 8192);
    const units = new Array<string>(chunk.length);
    for (let k = 0; k < chunk.length; k++) {
      const b = chunk[k]!;
      units[k] = b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80]! : String.fromCharCode(b);
    }
    out.push(units.join(''));
  }
  return out.join('');
}

/**
 * `text` with its C1 control characters (U+0080 to U+009F) read as the windows-1252 bytes they were
 * (`\u0092` becomes `’`): mail text holds none of its own, and a decoder that took windows-1252 for
 * Latin-1 left them where the punctuation was. One pass, a copy only when there is one.
 */
export function c1AsWindows1252(text: string): string {
  return /[\x80-\x9f]/.test(text) ? text.replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!) : text;
}

/**
 * The end of the well-formed UTF-8 that starts at `from` and ends at or before `to`: `to` when
 * `bytes[from..to)` is all well-formed (no overlong forms, surrogates or code points past U+10FFFF).
 */
function utf8End(bytes: Uint8Array, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const count = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : -1;
    // a sequence cut by the end of the range is not well-formed
    if (count < 0 || i + count >= to) return i;
    const second = bytes[i + 1]!;
    if (second < (lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80) || second > (lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf)) return i;
    for (let k = 2; k <= count; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += count + 1;
  }
  return i;
}

/**
 * True when `bytes[from..to)` is well-formed UTF-8, or would be but for a sequence cut by the end of
 * `bytes` (an input cut at `maxBytes` may end inside a character: that line is still UTF-8).
 */
function isUtf8(bytes: Uint8Array, from: number, to: number): boolean {
  const end = utf8End(bytes, from, to);
  if (end === to) return true;
  if (to !== bytes.length || to - end > 3) return false;
  const lead = bytes[end]!;
  const count = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : -1;
  if (to - end - 1 >= count) return false;
  for (let k = end + 1; k < to; k++) if ((bytes[k]! & 0xc0) !== 0x80) return false;
  return true;
}

/**
 * `bytes` as text: well-formed UTF-8 as UTF-8 (whole, in one decode); otherwise line by line, each
 * line that is well-formed UTF-8 as UTF-8 and each other line in the charset `charset()` names (read
 * only then) when it is a legacy charset the runtime knows, else windows-1252. A report may mix them: the MTA's own fields in
 * UTF-8, one remote reply in Latin-1.
 */
export function decodeLegacyText(bytes: Uint8Array, charset?: () => string | undefined): string {
  if (isUtf8(bytes, 0, bytes.length)) return UTF8.decode(bytes);
  const label = charset?.();
  const declared = label === undefined ? null : decoderFor(label);
  const decodeLegacy = (b: Uint8Array): string => (declared === null ? windows1252(b) : declared.decode(b));
  const out: string[] = [];
  // runs of lines of one reading, decoded together
  let run = 0;
  let runUtf8 = true;
  let start = 0;
  while (start < bytes.length) {
    const lf = bytes.indexOf(10, start);
    const end = lf < 0 ? bytes.length : lf + 1;
    const utf8 = isUtf8(bytes, start, end);
    if (utf8 !== runUtf8 && start > run) {
      const chunk = bytes.subarray(run, start);
      out.push(runUtf8 ? UTF8.decode(chunk) : decodeLegacy(chunk));
      run = start;
    }
    runUtf8 = utf8;
    start = end;
  }
  const chunk = bytes.subarray(run);
  out.push(runUtf8 ? UTF8.decode(chunk) : decodeLegacy(chunk));
  return out.join('');
}

/**
 * Every `Content-Type` field of `text` (a header line starting with it, and the folded lines that
 * continue it, RFC 5322 §2.2.3), with where it starts. One pass: a field ends at the first line end
 * not followed by a space or a tab, and no field can start inside another.
 */
export function contentTypeFields(text: string): { index: number; field: string }[] {
  const out: { index: number; field: string }[] = [];
  for (const m of text.matchAll(/^content-type:/gim)) {
    let end = text.indexOf('\n', m.index);
    while (end >= 0 && (text[end + 1] === ' ' || text[end + 1] === '\t')) end = text.indexOf('\n', end + 1);
    out.push({ index: m.index, field: text.slice(m.index, end < 0 ? text.length : end) });
  }
  return out;
}

/** The input as text, one character per byte (so that an index in it is an index in the input). */
export function latin1Text(input: Uint8Array): string {
  const out: string[] = [];
  for (let i = 0; i < input.length; i += 8192) out.push(String.fromCharCode(...input.subarray(i, i + 8192)));
  return out.join('');
}

/** Whether UTF-16 unit `c` is white space as `\s` and `String.prototype.trim` read it. */
export function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}
