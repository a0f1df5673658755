/**
 * xtext (RFC 3461 §4): the encoding of free text inside ESMTP parameter values (ENVID, ORCPT, AUTH).
 * xchar is any printable ASCII except "+" and "="; everything else is "+" followed by two upper-case
 * hex digits of each UTF-8 byte.
 */

import { ClientArgsError, booleanOption, optionsObject, stringArgument } from './errors.js';
import { encoder, hexValue, isControl, strictDecoder as decoder } from './text.js';

const HEX = '0123456789ABCDEF';

/**
 * Encodes text as xtext: printable ASCII except `+` and `=` stays, every other byte of its UTF-8
 * form becomes `+HH`. The result never contains SP, `=`, or a control byte. Text with a lone
 * surrogate (no UTF-8 form) is `ERR_SMTP_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * xtextEncode('a b=c+d'); // 'a+20b+3Dc+2Bd'
 * ```
 * @see RFC 3461 §4
 */
export function xtextEncode(text: string): string {
  stringArgument(text);
  let out = '';
  let plainFrom = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 33 && c <= 126 && c !== 0x2b && c !== 0x3d) continue;
    out += text.slice(plainFrom, i);
    if (c < 0x80) {
      out += '+' + HEX[c >> 4]! + HEX[c & 15]!;
      plainFrom = i + 1;
      continue;
    }
    // Non-ASCII: encode the UTF-8 bytes of this code point (surrogate pair included).
    let end = i + 1;
    if (c >= 0xd800 && c <= 0xdbff && end < text.length) {
      const d = text.charCodeAt(end);
      if (d >= 0xdc00 && d <= 0xdfff) end++;
    }
    // a lone surrogate has no UTF-8 form (an encoder would give U+FFFD): the text is refused
    if (c >= 0xd800 && c <= 0xdfff && end === i + 1) throw ClientArgsError.local('ERR_SMTP_INVALID_ARGUMENT', 'text', `text holds a lone surrogate at index ${i}`);
    for (const b of encoder.encode(text.slice(i, end))) out += '+' + HEX[b >> 4]! + HEX[b & 15]!;
    i = end - 1;
    plainFrom = end;
  }
  return out + text.slice(plainFrom);
}

/**
 * Options of {@link xtextDecode}.
 *
 * @example
 * ```ts
 * const o: XtextDecodeOptions = { lowercaseHex: false, allowControls: false };
 * ```
 * @see RFC 3461 §4
 */
export interface XtextDecodeOptions {
  /** Accept `+0d` as well as `+0D` (default true; the result is still control-checked). */
  readonly lowercaseHex?: boolean;
  /** Allow control characters (C0, DEL, C1) in the decoded text (default false). */
  readonly allowControls?: boolean;
}

/** Internal result of the non-throwing decoder. */
export type XtextResult = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly reason: string };

/** Non-throwing xtext decoder used by the server-side parser. */
export function tryXtextDecode(text: string, options: XtextDecodeOptions = {}): XtextResult {
  const lowercase = options.lowercaseHex ?? true;
  let n = 0;
  // Fast path: no escapes.
  let hasPlus = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2b) {
      hasPlus = true;
      continue;
    }
    if (c < 33 || c > 126 || c === 0x3d) return { ok: false, reason: 'character not allowed in xtext' };
  }
  if (!hasPlus) return { ok: true, value: text };
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x2b) {
      bytes[n++] = c;
      continue;
    }
    if (i + 2 >= text.length) return { ok: false, reason: 'truncated xtext escape' };
    const h = hexValue(text.charCodeAt(i + 1), lowercase);
    const l = hexValue(text.charCodeAt(i + 2), lowercase);
    if (h < 0 || l < 0) return { ok: false, reason: 'invalid xtext escape' };
    bytes[n++] = (h << 4) | l;
    i += 2;
  }
  let value: string;
  try {
    value = decoder.decode(bytes.subarray(0, n));
  } catch {
    return { ok: false, reason: 'xtext does not decode to UTF-8' };
  }
  if (!(options.allowControls ?? false)) {
    for (let i = 0; i < value.length; i++) {
      if (isControl(value.charCodeAt(i))) return { ok: false, reason: 'control character after xtext decoding' };
    }
  }
  return { ok: true, value };
}

/**
 * Decodes xtext strictly: truncated or non-hex escapes, raw `=`, SP, controls, invalid UTF-8, and
 * (unless allowed) control characters in the decoded text throw `ERR_SMTP_XTEXT_SYNTAX`.
 *
 * @example
 * ```ts
 * xtextDecode('a+2Bb@c'); // 'a+b@c'
 * xtextDecode('a+0D+0Ab'); // throws: control character after decoding
 * ```
 * @see RFC 3461 §4
 */
export function xtextDecode(text: string, options?: XtextDecodeOptions): string {
  stringArgument(text);
  options = optionsObject(options, {});
  booleanOption(options.lowercaseHex, 'options.lowercaseHex');
  booleanOption(options.allowControls, 'options.allowControls');
  const r = tryXtextDecode(text, options);
  if (!r.ok) throw ClientArgsError.local('ERR_SMTP_XTEXT_SYNTAX', 'text', `xtext: ${r.reason}`);
  return r.value;
}
