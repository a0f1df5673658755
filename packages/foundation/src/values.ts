/**
 * Checks on values given by callers, shared by every package's argument and option checks: what
 * a wrong value is called in an error message, what counts as a list, and whether text can be
 * written as UTF-8 without change.
 */

/**
 * The name of `value`'s type for an error message: `null`, `number`, `string`, `Array`, `Map`,
 * `ArrayBuffer`... (the class of an object, not only `object`).
 *
 * @example
 * ```ts
 * `options must be an object, got ${typeName(options)}`; // "... got Array"
 * ```
 */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'object' ? Object.prototype.toString.call(value).slice(8, -1) : typeof value;
}

/**
 * True for an iterable object (an array, a set, a generator) and false for everything else,
 * a lone string included: a list option given `'SIZE'` must not be read as `S`, `I`, `Z`, `E`.
 * A typed array or `DataView` is bytes, not a list: false (an empty `Uint8Array` must not pass
 * for an empty list, nor a detached one throw a plain `TypeError` when iterated).
 */
export function isIterableObject(value: unknown): value is Iterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function' && !ArrayBuffer.isView(value);
}

/**
 * True for a value that can be an object of named options: a non-null object that is not a list.
 * An array given where options are expected would otherwise read as no options at all (every
 * default, silently).
 *
 * @example
 * ```ts
 * if (!isOptionsObject(options)) throw new Error(`options must be an object, got ${typeName(options)}`);
 * ```
 */
export function isOptionsObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A plain copy of an options object's fields, each read once: its own enumerable ones (as a spread
 * copies them) and those it inherits from a prototype of its own (`Object.create(base)`, a class):
 * a prototype's enumerable field or getter, never a method nor a setter alone, the nearest
 * prototype's first (a name met nearer, a method or an own hidden field included, hides it further
 * up). The walk stops at `Object.prototype`, whose members (`constructor`, `toString`) are never
 * copied; an object straight on `Object.prototype` (or on none) is only spread, so the common case
 * costs no more than a spread. With `copy`, the inherited fields are added to it instead (a rest
 * destructuring of `value`, say), and with `names` only those names are taken from the prototypes.
 *
 * @example
 * ```ts
 * inheritedFields(Object.create({ host: 'mx.example' })); // { host: 'mx.example' }
 * inheritedFields(new (class { get port() { return 25; } run() {} })()); // { port: 25 }
 * ```
 */
export function inheritedFields(value: object, copy: Record<string, unknown> = { ...value }, names?: readonly string[]): Record<string, unknown> {
  let p = Object.getPrototypeOf(value) as object | null;
  if (!p || p === Object.prototype) return copy;
  const seen = new Set(Object.getOwnPropertyNames(value));
  for (; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(p))) {
      // `name in copy` also holds for what Object.prototype has (`constructor`)
      if (name in copy || seen.has(name)) continue;
      seen.add(name);
      if ((d.enumerable || d.get) && (!names || names.includes(name))) copy[name] = (value as Record<string, unknown>)[name];
    }
  }
  return copy;
}

const nativeIsWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;

/**
 * True when `s` has no unpaired surrogate, so it encodes to UTF-8 without change (the runtime's own
 * `String.prototype.isWellFormed` where there is one: it is much quicker on a large text).
 */
export function isWellFormedText(s: string): boolean {
  return nativeIsWellFormed !== undefined ? nativeIsWellFormed.call(s) : loneSurrogateIndex(s) < 0;
}

/**
 * The index of the first unpaired surrogate in `s`, or -1 when there is none. Text with one has
 * no UTF-8 form: an encoder writes U+FFFD in its place, so it would reach the wire altered.
 */
export function loneSurrogateIndex(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}

/** Where {@link replyTextFault} found text that cannot go on an SMTP reply line, and what. */
export interface ReplyTextFault {
  /** The index of the offending UTF-16 unit. */
  readonly index: number;
  /** `control`: C0 but HT, DEL or C1 (CR and LF among them); `lone-surrogate`: no UTF-8 form. */
  readonly kind: 'control' | 'lone-surrogate';
  /** The offending UTF-16 unit. */
  readonly char: number;
}

/**
 * The first character of `text` that cannot go on one SMTP reply line, or undefined when there is
 * none: a control character (C0 but HT, DEL, C1; a CR or LF would start a second reply) or a lone
 * surrogate (no UTF-8 form). The one rule of every smtpkit package that writes reply text.
 *
 * @example
 * ```ts
 * replyTextFault('ok\r\n250 injected'); // { index: 2, kind: 'control', char: 13 }
 * ```
 * @see RFC 5321 §4.2 (textstring), §4.5.3.1.5
 */
export function replyTextFault(text: string): ReplyTextFault | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 9) || (c >= 0x7f && c <= 0x9f)) return { index: i, kind: 'control', char: c };
    if (c >= 0xd800 && c <= 0xdfff) {
      // a high surrogate followed by a low one is one character; anything else is lone
      const d = text.charCodeAt(i + 1);
      if (c > 0xdbff || !(d >= 0xdc00 && d <= 0xdfff)) return { index: i, kind: 'lone-surrogate', char: c };
      i++;
    }
  }
  return undefined;
}

/**
 * The key by which two envelope addresses name the same mailbox: the domain without case (RFC
 * 5321 §2.4: domain names are case-insensitive; the local part is the receiving host's to
 * interpret, so it is kept as written). An address without `@` (`<>`, `postmaster`) is its own key.
 *
 * @example
 * mailboxKey('Joe@Example.ORG') === mailboxKey('Joe@example.org'); // true
 * mailboxKey('joe@example.org') === mailboxKey('Joe@example.org'); // false
 */
export function mailboxKey(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address;
  // the usual lower-case domain is its own key, without a copy (this runs for every RCPT)
  for (let i = at + 1, n = address.length; i < n; i++) {
    const c = address.charCodeAt(i);
    if (c >= 65 && (c <= 90 || c >= 128)) return address.slice(0, at + 1) + address.slice(at + 1).toLowerCase();
  }
  return address;
}

/**
 * Upper-cases ASCII letters only. `String.prototype.toUpperCase` also maps non-ASCII letters onto
 * ASCII ones (`ı` U+0131 to `I`, `ſ` U+017F to `S`, `ß` to `SS`, `ﬅ` to `ST`), so a name compared
 * after it would match a keyword no other SMTP implementation (nor a filtering middlebox) reads it as.
 *
 * @example
 * asciiUpper('login'); // 'LOGIN'
 * asciiUpper('LOG\u0131N'); // 'LOG\u0131N', not 'LOGIN'
 */
export function asciiUpper(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // only ASCII letters change (toUpperCase of [a-z] is ASCII); most names arrive upper case
    if (c >= 97 && c <= 122) return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
  }
  return s;
}

/** Format characters (Cf: bidi controls, zero-width, the BOM, tags...) and other default-ignorable code points. */
const INVISIBLE = /[\p{Cf}\p{DI}]/u;

/**
 * Whether the code point `c` hides or reorders text: general category Cf (bidi controls, zero-width
 * characters, the byte order mark, tags) or another Default_Ignorable_Code_Point (variation
 * selectors, Hangul fillers, U+034F). Refused in addresses and escaped in logs (INJ-3, SRV-13).
 *
 * @example
 * isInvisibleCodePoint(0x202e); // true (RIGHT-TO-LEFT OVERRIDE)
 * isInvisibleCodePoint(0xe0041); // true (TAG LATIN CAPITAL LETTER A)
 * isInvisibleCodePoint(0x41); // false
 */
export function isInvisibleCodePoint(c: number): boolean {
  return INVISIBLE.test(String.fromCodePoint(c));
}
