/**
 * The recipient addresses a scan around `@` cannot find: a quoted local part (`"john
 * smith"@example.com`, RFC 5321 §4.1.2 Quoted-string) and a pipe to a program (`"|/usr/bin/procmail"`,
 * `|/path/prog`), as sendmail, Postfix and qmail write the recipient a `.forward` or alias
 * expanded to. Hand-written scans, no regular expression: each reads a bounded run from where it
 * starts, and the passes over a text start each run where the previous one ended, so every unit is
 * read a bounded number of times.
 */

/**
 * @internal Counts the units the scans read, for the test that each is read a bounded number of
 * times.
 */
export interface AddressScanSteps {
  steps: number;
}

/** The most units of a quoted local part or a pipe command read (RFC 5321 §4.5.3.1.1 allows a local part of 64 octets; a command line is longer). */
const MAX_TOKEN = 256;
/** The most units of a domain read after a quoted local part (RFC 5321 §4.5.3.1.2). */
const MAX_DOMAIN = 255;

const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDomain = (c: number): boolean => isAlnum(c) || c === 45 || c === 46;
/** True for LF, CR, U+2028 and U+2029: a quoted string never runs over a line end. */
const isLineEnd = (c: number): boolean => c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;
/** True for a unit that ends an unquoted pipe command: white space and controls, `"`, `,`, `;`, `<`, `>`, `(`, `)`. */
const endsPipe = (c: number): boolean => c <= 0x20 || c === 0x22 || c === 0x2c || c === 0x3b || c === 0x3c || c === 0x3e || c === 0x28 || c === 0x29 || c === 0x7f || c === 0xa0;

/**
 * True for the unit after the `|` of a pipe to a program: a path (`/`, `~`, `.`) or a command name
 * (an ASCII letter: `|preline ...`, as qmail writes one). Not a dash, white space or another `|`: a
 * `|----- Message log follows -----|` banner is no recipient.
 */
const opensCommand = (c: number): boolean => opensPath(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** True for the unit after the `|` of an unquoted pipe: a path only (`/`, `~`, `.`), as `|user@x.test|` in a table is no command. */
const opensPath = (c: number): boolean => c === 0x2f || c === 0x7e || c === 0x2e;

/** One address found in a text: `text.slice(start, end)` is it as written. */
export interface FoundAddress {
  readonly start: number;
  readonly end: number;
}

/**
 * The quoted local part that opens at `at` (a `"`), with its `@domain` when one follows (`"john
 * smith"@example.com`), or a quoted pipe command with none (`"|/usr/bin/procmail -a x"`, a path or
 * command name after its `|`); undefined
 * when neither. Also `next`, where a pass that looks for the next opening quote goes on from: the
 * closing quote (it may open the next quoted string, as far as the scan knows) or where the read
 * stopped. A backslash quotes the unit after it (RFC 5321 quoted-pairSMTP); the string ends at
 * its closing quote, a line end or {@link MAX_TOKEN} units.
 */
export function quotedAt(text: string, at: number, count?: AddressScanSteps): { found: FoundAddress | undefined; next: number } {
  const read = (i: number): number => {
    if (count !== undefined) count.steps++;
    return text.charCodeAt(i);
  };
  let q = at + 1;
  let closed = false;
  while (q < text.length && q - at <= MAX_TOKEN) {
    const c = read(q);
    if (c === 0x22) {
      closed = true;
      break;
    }
    if (isLineEnd(c)) break;
    q += c === 0x5c ? 2 : 1;
  }
  if (!closed || q >= text.length || q === at + 1) return { found: undefined, next: Math.min(q, text.length) };
  // `"..."@domain`: the domain as the scan around `@` reads one (a dot in it, not at its ends)
  if (q + 1 < text.length && read(q + 1) === 0x40) {
    let end = q + 2;
    while (end < text.length && end - q - 2 < MAX_DOMAIN && isDomain(read(end))) end++;
    while (end > q + 2 && (text.charCodeAt(end - 1) === 0x2e || text.charCodeAt(end - 1) === 0x2d)) end--;
    const domain = text.slice(q + 2, end);
    if (domain.includes('.') && isAlnum(domain.charCodeAt(0)) && !domain.includes('..')) return { found: { start: at, end }, next: q };
    return { found: undefined, next: q };
  }
  // a quoted pipe command, without a domain
  return { found: read(at + 1) === 0x7c && q > at + 2 && opensCommand(read(at + 2)) ? { start: at, end: q + 1 } : undefined, next: q };
}

/**
 * The unquoted pipe command that opens at `at` (a `|` at the start of the text or after white
 * space, `<` or `(`, then a path: `/`, `~` or `.`): up to white space, a quote, `,`, `;`, `<`, `>`, `(` or `)`, at most
 * {@link MAX_TOKEN} units, a `:` or `.` that ends a sentence left out; undefined when it is only
 * the `|`. Also `next`, where a pass goes on from.
 */
export function pipeAt(text: string, at: number, count?: AddressScanSteps): { found: FoundAddress | undefined; next: number } {
  const read = (i: number): number => {
    if (count !== undefined) count.steps++;
    return text.charCodeAt(i);
  };
  if (at > 0) {
    const before = read(at - 1);
    if (!(before <= 0x20 || before === 0x3c || before === 0x28 || before === 0xa0)) return { found: undefined, next: at + 1 };
  }
  if (at + 1 >= text.length || !opensPath(read(at + 1))) return { found: undefined, next: at + 1 };
  let end = at + 1;
  while (end < text.length && end - at <= MAX_TOKEN && !endsPipe(read(end))) end++;
  const next = end;
  while (end > at + 1 && (text.charCodeAt(end - 1) === 0x3a || text.charCodeAt(end - 1) === 0x2e)) end--;
  return { found: end > at + 1 ? { start: at, end } : undefined, next };
}

/**
 * Every quoted local part and pipe command in `text` ({@link quotedAt}, {@link pipeAt}), in the
 * order they start. Two passes, each going on from where the last read stopped: linear in the
 * text.
 */
export function quotedAndPipeAddresses(text: string, count?: AddressScanSteps): FoundAddress[] {
  const out: FoundAddress[] = [];
  for (let at = text.indexOf('"'); at >= 0; ) {
    const r = quotedAt(text, at, count);
    if (r.found !== undefined) out.push(r.found);
    at = r.next >= text.length ? -1 : text.indexOf('"', Math.max(r.next, at + 1));
  }
  const quoted = out.length;
  for (let at = text.indexOf('|'); at >= 0; ) {
    const r = pipeAt(text, at, count);
    if (r.found !== undefined) out.push(r.found);
    at = r.next >= text.length ? -1 : text.indexOf('|', Math.max(r.next, at + 1));
  }
  // both passes are in order: merge them (a pipe never starts inside a quoted string found, as
  // it starts only after white space, `<` or `(`, and a quoted pipe starts at its quote)
  if (quoted === 0 || quoted === out.length) return out;
  return out.sort((a, b) => a.start - b.start);
}

/**
 * The key an address is compared by: ASCII letters lower-cased (the same length), and a quoted
 * pipe command without its quotes (`"|/usr/bin/procmail"` and `|/usr/bin/procmail` are one
 * recipient, as a report may write either).
 */
export function addressKey(address: string): string {
  const lower = address.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  return lower.length > 2 && lower.startsWith('"|') && lower.endsWith('"') ? lower.slice(1, -1) : lower;
}
