/**
 * Checks and sanitising of peer text: the HELO/EHLO/LHLO argument and any peer text that goes
 * back into a reply. Linear scans, no regular expression with backtracking.
 */

/** Letters, marks and digits outside ASCII: what a U-label may hold (no space, control or format character). */
const U_LABEL_CHAR = /[\p{L}\p{M}\p{N}]/u;

function ldh(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45;
}

function validDomain(s: string, utf8: boolean): boolean {
  let labelLen = 0;
  let labelStart = true;
  let prev = 0;
  const end = s.length > 1 && s.charCodeAt(s.length - 1) === 46 ? s.length - 1 : s.length; // one trailing dot allowed
  for (let i = 0; i < end; i++) {
    const c = s.codePointAt(i)!;
    if (c > 0xffff) i++;
    if (c === 46) {
      if (labelLen === 0 || prev === 45) return false;
      labelLen = 0;
      labelStart = true;
      prev = c;
      continue;
    }
    if (c < 128) {
      // LDH, plus '_' (a common, harmless host-name habit of real clients)
      if (!ldh(c) && c !== 95) return false;
      if (labelStart && c === 45) return false;
    } else if (!utf8 || !U_LABEL_CHAR.test(String.fromCodePoint(c))) return false;
    labelStart = false;
    if (++labelLen > 63) return false;
    prev = c;
  }
  return labelLen > 0 && prev !== 45;
}

function validIpv4(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  for (const p of parts) {
    if (p.length < 1 || p.length > 3) return false;
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      if (c < 48 || c > 57) return false;
    }
    if (Number(p) > 255) return false;
  }
  return true;
}

function validIpv6(s: string): boolean {
  if (s.length < 2 || s.length > 45) return false;
  let groups = 0;
  let doubleColon = false;
  const parts = s.split(':');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p === '') {
      // '::' at the start, the end or the middle (once)
      if (i > 0 && i < parts.length - 1) {
        if (doubleColon) return false;
        doubleColon = true;
      }
      continue;
    }
    if (i === parts.length - 1 && p.includes('.')) {
      if (!validIpv4(p)) return false;
      groups += 2;
      continue;
    }
    if (p.length > 4) return false;
    for (let j = 0; j < p.length; j++) {
      const c = p.charCodeAt(j);
      if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) return false;
    }
    groups++;
  }
  if (s.startsWith(':') && !s.startsWith('::')) return false;
  if (s.endsWith(':') && !s.endsWith('::')) return false;
  return doubleColon || s.startsWith('::') || s.endsWith('::') ? groups < 8 : groups === 8;
}

function validAddressLiteral(s: string): boolean {
  const inner = s.slice(1, -1);
  if (validIpv4(inner)) return true;
  const colon = inner.indexOf(':');
  if (colon <= 0) return false;
  const tag = inner.slice(0, colon);
  const content = inner.slice(colon + 1);
  if (tag.toUpperCase() === 'IPV6') return validIpv6(content);
  // General-address-literal (RFC 5321 §4.1.3): Standardized-tag ":" 1*dcontent
  if (!validDomain(tag, false) || tag.includes('.') || content.length === 0) return false;
  for (let i = 0; i < content.length; i++) {
    const c = content.charCodeAt(i);
    if (c < 33 || c > 126 || c === 91 || c === 92 || c === 93) return false;
  }
  return true;
}

/**
 * True when `arg` is a valid HELO/EHLO/LHLO argument: a domain of LDH labels (U-labels too when
 * `utf8`) or an address literal. Everything else (controls, spaces, quotes, bidi and format
 * characters, U+2028...) is refused.
 *
 * @see RFC 5321 §4.1.1.1, §4.1.3; RFC 6531 §3.3
 */
export function validHeloArgument(arg: string, utf8: boolean): boolean {
  if (arg.length === 0) return false;
  if (arg.charCodeAt(0) === 91) return arg.charCodeAt(arg.length - 1) === 93 && validAddressLiteral(arg);
  return validDomain(arg, utf8);
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
    const c = s.charCodeAt(i);
    const bad = c < 32 || (c >= 0x7f && c <= 0x9f) || (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2060 && c <= 0x206f) || c === 0xfeff || (c >= 0xd800 && c <= 0xdfff && !pairedSurrogate(s, i));
    if (bad) {
      out ??= s.slice(0, i);
      out += '?';
    } else if (out !== undefined) out += s[i];
  }
  return out ?? s;
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
