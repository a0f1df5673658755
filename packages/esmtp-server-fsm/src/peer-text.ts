/**
 * Checks and sanitising of peer text: the HELO/EHLO/LHLO argument and any peer text that goes
 * back into a reply. Linear scans, no regular expression with backtracking. Address literals are
 * checked by smtp-client-args; host names here, because HELO tolerates what a mailbox domain does
 * not (`_`, one trailing dot).
 */
import { isInvisibleCodePoint, punycodeLength } from '@smtpkit/foundation';
import { parsePath } from 'smtp-client-args';
import { BIDI_RUNS, MARKS_NOT_NSM } from './bidi-classes.js';

/**
 * What IDNA2008 derives PVALID from (RFC 5892 §2.1 LetterDigits: Ll, Lu, Lo, Nd, Lm, Mn, Mc); a
 * capital is then refused as unstable (§2.2). No space, control, format, symbol or other number.
 */
const U_LABEL_CHAR = /[\p{Ll}\p{Lu}\p{Lo}\p{Lm}\p{Mn}\p{Mc}\p{Nd}]/u;
/** RFC 5892 §2.6: PVALID though outside LetterDigits (the others of the list are letters). */
const PVALID_EXCEPTIONS: readonly number[] = [0x6fd, 0x6fe, 0xf0b, 0x3007];
/** RFC 5892 §2.6: DISALLOWED though letters or marks (tatweel, NKo lajanyalan, Hangul tone marks, kana repeat marks). */
const DISALLOWED_EXCEPTIONS: readonly number[] = [0x640, 0x7fa, 0x302e, 0x302f, 0x3031, 0x3032, 0x3033, 0x3034, 0x3035, 0x303b];

/** Cherokee small letters: case folding maps them to the capitals (Unicode 8), unlike lower-casing. */
const CHEROKEE_SMALL = /[\u13f8-\u13fd\uab70-\uabbf]/gu;

/**
 * `s` case-folded as RFC 5892 §2.2 reads it (NFKC_Casefold, after NFKC): lower-cased, but Cherokee
 * to its capitals and the Greek ypogegrammeni U+0345 to iota, which lower-casing leaves. (`ß` and
 * `ς`, which full folding changes, are PVALID by exception.)
 */
function caseFolded(s: string): string {
  return s.toLowerCase().replace(CHEROKEE_SMALL, (c) => c.toUpperCase()).replace(/\u0345/gu, '\u03b9');
}

/**
 * Whether the non-ASCII code point `c` (the string `ch`) may stand in a U-label by IDNA2008's
 * derivation (RFC 5892 §2): a letter, mark or digit of LetterDigits, or a PVALID exception; not
 * a DISALLOWED exception, an ignorable, old Hangul jamo (§2.9: U+1100-11FF, U+A960-A97F,
 * U+D7B0-D7FF), or a mark of the ignorable blocks (§2.4: combining marks for symbols, musical
 * symbols). CONTEXTO characters are {@link contextual}'s.
 */
function pvalid(c: number, ch: string): boolean {
  if (PVALID_EXCEPTIONS.includes(c)) return true;
  return (
    U_LABEL_CHAR.test(ch) &&
    // RFC 5892 §2.3: default-ignorable code points are DISALLOWED (noncharacters are no LetterDigits)
    !isInvisibleCodePoint(c) &&
    !DISALLOWED_EXCEPTIONS.includes(c) &&
    !(c >= 0x1100 && c <= 0x11ff) &&
    !(c >= 0xa960 && c <= 0xa97f) &&
    !(c >= 0xd7b0 && c <= 0xd7ff) &&
    !(c >= 0x20d0 && c <= 0x20ff) &&
    !(c >= 0x1d100 && c <= 0x1d24f)
  );
}

/** A combining mark: never the first code point of a U-label (RFC 5891 §5.4). */
const MARK = /\p{M}/u;
const GREEK = /\p{Script=Greek}/u;
const HEBREW = /\p{Script=Hebrew}/u;
const KANA_HAN = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u;

/**
 * Whether the U-label `s[from, to)` keeps IDNA2008's contextual rules (RFC 5892 Appendix A.3-A.9):
 * MIDDLE DOT only between two `l`; GREEK LOWER NUMERAL SIGN only before a Greek letter; HEBREW
 * GERESH and GERSHAYIM only after a Hebrew one; KATAKANA MIDDLE DOT only in a label with kana or
 * Han; Arabic-Indic digits and extended ones not both. One pass over the label.
 */
function contextHolds(s: string, from: number, to: number): boolean {
  let kanaDot = false;
  let kanaHan = false;
  let arabicIndic = false;
  let extended = false;
  let prev = -1;
  for (let i = from; i < to; i++) {
    const c = s.codePointAt(i)!;
    const wide = c > 0xffff;
    const next = i + (wide ? 2 : 1) < to ? s.codePointAt(i + (wide ? 2 : 1))! : -1;
    if (c === 0xb7) {
      if (prev !== 0x6c || next !== 0x6c) return false;
    } else if (c === 0x375) {
      if (next < 0 || !GREEK.test(String.fromCodePoint(next))) return false;
    } else if (c === 0x5f3 || c === 0x5f4) {
      if (prev < 0 || !HEBREW.test(String.fromCodePoint(prev))) return false;
    } else if (c === 0x30fb) kanaDot = true;
    else if (c >= 0x660 && c <= 0x669) arabicIndic = true;
    else if (c >= 0x6f0 && c <= 0x6f9) extended = true;
    else if (c > 0x2e7f && KANA_HAN.test(String.fromCodePoint(c))) kanaHan = true;
    if (wide) i++;
    prev = c;
  }
  return (!kanaDot || kanaHan) && !(arabicIndic && extended);
}

/** A non-spacing or enclosing mark: Bidi_Class NSM, but for {@link MARKS_NOT_NSM}. */
const NSM = /[\p{Mn}\p{Me}]/u;
/** Where each run of {@link BIDI_RUNS} starts, and its group: decoded on the first lookup. */
let runStarts: number[] | undefined;
let runGroups = '';

/**
 * The Bidi_Class of the code point `c` (UAX #9) as the Bidi rule tells them apart: `L`, `R`, `A`
 * (AL), `N` (AN), `E` (EN), `M` (NSM), `O` (ES, CS, ET, ON, BN), `X` (any other). Exact for every
 * code point {@link validDomain} lets into a label; any other reads as a neighbour's. @internal
 */
export function bidiClass(c: number): string {
  if (NSM.test(String.fromCodePoint(c)) && !MARKS_NOT_NSM.includes(c)) return 'M';
  if (runStarts === undefined) {
    runStarts = [];
    let at = 0;
    let n = 0;
    for (const ch of BIDI_RUNS) {
      if (ch >= 'A' && ch <= 'Z') {
        runStarts.push((at += n));
        runGroups += ch;
        n = 0;
      } else n = n * 36 + parseInt(ch, 36);
    }
  }
  // the last run that starts at or before c
  let lo = 0;
  let hi = runStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (runStarts[mid]! <= c) lo = mid;
    else hi = mid - 1;
  }
  return runGroups[lo]!;
}

/**
 * Whether the name `s[0, end)` keeps the Bidi rule (RFC 5893 §2): when any of its labels holds an
 * R, AL or AN character (a Bidi domain name), every label, ASCII ones too, starts with L, R or AL;
 * one that starts with R or AL (RTL) holds only R, AL, AN, EN, NSM and the neutral O classes, not
 * both EN and AN, and ends with R, AL, EN or AN before any NSM; one that starts with L (LTR) holds
 * only L, EN, NSM and O, and ends with L or EN before any NSM. One pass over the name.
 */
function bidiRuleHolds(s: string, end: number): boolean {
  let rtlName = false;
  let holds = true;
  // the label's first group ('' at its start) and last one that is not NSM; EN and AN seen in it
  let first = '';
  let last = '';
  let en = false;
  let an = false;
  for (let i = 0; i <= end; i++) {
    const c = i < end ? s.codePointAt(i)! : 46;
    if (c > 0xffff) i++;
    if (c === 46) {
      if (first === 'L' ? last !== 'L' && last !== 'E' : !'RANE'.includes(last) || (en && an)) holds = false;
      first = '';
      en = an = false;
      continue;
    }
    const k = bidiClass(c);
    if (k === 'R' || k === 'A' || k === 'N') rtlName = true;
    if (first === '') first = k;
    if (!(first === 'L' ? 'LEMO' : first === 'R' || first === 'A' ? 'RANEMO' : '').includes(k)) holds = false;
    if (k === 'E') en = true;
    if (k === 'N') an = true;
    if (k !== 'M') last = k;
  }
  return holds || !rtlName;
}

/** The code points IDNA2008 allows only in a context (CONTEXTO), checked by {@link contextHolds}. */
function contextual(c: number): boolean {
  return c === 0xb7 || c === 0x375 || c === 0x5f3 || c === 0x5f4 || c === 0x30fb;
}

function ldh(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45;
}

/**
 * Whether `s` is a domain of LDH labels (`_` tolerated; U-labels too when `utf8`; one trailing dot
 * allowed), each of 1 to 63 octets, a U-label measured as its A-label (`xn--` and its Punycode,
 * RFC 5890 §2.3.2.1), and at most 255 octets in all so written (RFC 5321 §4.5.3.1.2). A U-label
 * holds IDNA2008's letters, marks and digits ({@link pvalid}), no combining mark first, and the
 * five CONTEXTO characters only where IDNA2008 allows them ({@link contextHolds}); it is in NFC
 * (RFC 5891 §5.3) and holds no code point that NFKC or case folding changes (RFC 5892 §2.2: no
 * capital, ASCII ones included, no fullwidth letter or ligature; `ß` and `ς` are kept). A name
 * with a U-label keeps the Bidi rule ({@link bidiRuleHolds}). @internal
 */
export function validDomain(s: string, utf8: boolean): boolean {
  // characters of the label so far (none: at its start)
  let labelLen = 0;
  let prev = 0;
  let from = 0;
  let wide = false;
  // a label so far was a U-label: the whole name is then held to the Bidi rule
  let unicode = false;
  const end = s.length > 1 && s.charCodeAt(s.length - 1) === 46 ? s.length - 1 : s.length; // one trailing dot allowed
  // octets of the name in A-label form: each label and the dot after it, the trailing dot's place
  let total = s.length - end - 1;
  for (let i = 0; i <= end; i++) {
    const c = i < end ? s.codePointAt(i)! : 46;
    if (c > 0xffff) i++;
    if (c === 46) {
      if (labelLen === 0 || prev === 45) return false;
      if (wide) {
        const label = s.slice(from, i);
        // at most 63 characters were counted, so the encoding is short work; NFKC's output is in
        // NFC, so one comparison refuses a label not in NFC (RFC 5891 §5.3) and one with a code point
        // that NFKC or case folding changes (RFC 5892 §2.2, ASCII capitals included: `Bücher`)
        if ((labelLen = 4 + punycodeLength(label)) > 63 || caseFolded(label.normalize('NFKC')) !== label || !contextHolds(s, from, i)) return false;
      }
      total += labelLen + 1;
      labelLen = 0;
      wide = false;
      from = i + 1;
      prev = c;
      continue;
    }
    if (c < 128) {
      // LDH, plus '_' (a common, harmless host-name habit of real clients)
      if (!ldh(c) && c !== 95) return false;
      if (labelLen === 0 && c === 45) return false;
    } else {
      const ch = String.fromCodePoint(c);
      if (!utf8 || !(pvalid(c, ch) || contextual(c)) || (labelLen === 0 && MARK.test(ch))) return false;
      wide = unicode = true;
    }
    if (++labelLen > 63) return false;
    prev = c;
  }
  return total <= 255 && (!unicode || bidiRuleHolds(s, end));
}

/**
 * The kind (`ipv4`, `ipv6`, `general`) of an address literal (`[192.0.2.1]`, `[IPv6:...]`,
 * `[tag:content]`), or undefined when `s` is none, by smtp-client-args' path grammar (RFC 5321
 * §4.1.3), so the HELO, XCLIENT and MAIL/RCPT checks never disagree. @internal
 */
export function addressLiteralKind(s: string): string | undefined {
  try {
    const p = parsePath(`<x@${s}>`);
    return p.kind === 'mailbox' && p.domainKind !== 'name' ? p.domainKind : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when `arg` is a valid HELO/EHLO/LHLO argument: a domain of LDH labels (U-labels too when
 * `utf8`) or an IPv4 or IPv6 address literal (a general address literal's tag is not registered). Everything else (controls, spaces, quotes, bidi and format
 * characters, U+2028...) is refused.
 *
 * @see RFC 5321 §4.1.1.1, §4.1.3; RFC 6531 §3.3
 */
export function validHeloArgument(arg: string, utf8: boolean): boolean {
  if (arg.length === 0) return false;
  // an IPv4 or IPv6 literal: a general one's tag must be registered with IANA (RFC 5321 §4.1.3), and
  // none is but IPv6; its free text would go into the Received header
  if (arg.charCodeAt(0) === 91) {
    const kind = arg.charCodeAt(arg.length - 1) === 93 ? addressLiteralKind(arg) : undefined;
    return kind === 'ipv4' || kind === 'ipv6';
  }
  return validDomain(arg, utf8);
}

const enc = new TextEncoder();

/**
 * What is wrong with `name` as the name a client gives for itself (the HELO/EHLO/LHLO argument,
 * XCLIENT and XFORWARD `HELO` and `NAME`), or undefined when nothing is: `too-long` over 255
 * octets in UTF-8 (RFC 5321 §4.5.3.1.2), else `invalid` when it is not a domain (see
 * {@link validDomain}) nor, when `literal`, an IPv4 or IPv6 address literal (see
 * {@link validHeloArgument}). One check, so EHLO and the XCLIENT/XFORWARD attributes never
 * disagree. @internal
 */
export function hostNameFault(name: string, utf8: boolean, literal = true): 'too-long' | 'invalid' | undefined {
  // a UTF-8 sequence is at most 3 octets a UTF-16 unit: 85 units or fewer always fit
  if (name.length > 85 && enc.encode(name).length > 255) return 'too-long';
  return (literal ? validHeloArgument(name, utf8) : validDomain(name, utf8)) ? undefined : 'invalid';
}

/**
 * Peer text made safe for a reply line: C0/C1 controls, DEL, line and paragraph separators and
 * bidi/format characters become `?`, so a reply that echoes it can never be refused by
 * `formatReply` nor reorder or break the line it sits in.
 *
 * @see RFC 5321 §4.2
 */
export function sanitizeEcho(s: string): string {
  let out: string | undefined;
  for (let i = 0; i < s.length; i++) {
    if (unsafeTextAt(s, i)) {
      out ??= s.slice(0, i);
      out += '?';
    } else if (out !== undefined) out += s[i];
  }
  return out ?? s;
}

/**
 * Whether the UTF-16 unit at `i` of `s` must never reach a reply echo or a header: a C0/C1 control
 * or DEL, a line or paragraph separator, a format character (general category Cf: bidi controls,
 * zero-width characters, the byte order mark, tags) or another default-ignorable code point
 * (variation selectors, Hangul fillers...), or a lone surrogate (it has no UTF-8 form). Both units
 * of a surrogate pair answer for the pair's code point. @internal
 */
export function unsafeTextAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c < 0xa0) return c < 32 || c >= 0x7f;
  if (c === 0x2028 || c === 0x2029) return true;
  if (c >= 0xd800 && c <= 0xdfff) return !pairedSurrogate(s, i) || isInvisibleCodePoint(s.codePointAt(c <= 0xdbff ? i : i - 1)!);
  return isInvisibleCodePoint(c);
}

/**
 * Whether `s` cannot be an AUTH identity: an unsafe unit (see `hasUnsafeText`), or U+FFFD (bytes
 * that were not UTF-8, decoded lossily). The one check for what a client sends and what the
 * application names with `acceptAuth`. @internal
 */
export function isUnsafeIdentity(s: string): boolean {
  return hasUnsafeText(s) || s.includes('\uFFFD');
}

/** Whether any UTF-16 unit of `s` is unsafe (see `unsafeTextAt`). @internal */
export function hasUnsafeText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // printable ASCII (nearly every address) is never unsafe: one range test per unit
    if (c >= 0x20 && c < 0x7f) continue;
    if (unsafeTextAt(s, i)) return true;
  }
  return false;
}

function pairedSurrogate(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c <= 0xdbff) {
    const n = s.charCodeAt(i + 1);
    return n >= 0xdc00 && n <= 0xdfff;
  }
  const p = s.charCodeAt(i - 1);
  return p >= 0xd800 && p <= 0xdbff;
}

// ignoreBOM: a leading EF BB BF stays U+FEFF; dropped, `\uFEFFDATA` read as DATA (a verb no other peer sees)
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Peer `bytes` as UTF-8 text, a leading byte order mark kept; undefined when they are not UTF-8 (never a silent U+FFFD). */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The end of `text` with its trailing SP and HTAB left out, never before `from`: a backward scan
 * (linear; a `[ \t]+$` regex is quadratic on long blank runs). A command's argument and a SASL
 * answer line lose exactly these, never Unicode white space.
 */
export function endWithoutBlanks(text: string, from = 0): number {
  let end = text.length;
  while (end > from && (text.charCodeAt(end - 1) === 0x20 || text.charCodeAt(end - 1) === 0x09)) end--;
  return end;
}
