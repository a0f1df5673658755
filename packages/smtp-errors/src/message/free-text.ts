/**
 * Free-text bounces: the reports qmail, older Exim, Exchange, Lotus Domino and webmail providers
 * write for people rather than as RFC 3464 fields. Finds each failed recipient and the text that
 * explains it. Every scan is a single pass over a bounded prefix of the body.
 */

// The core by its package name (as in index.ts), so the build does not copy it into this entry.
import { scanCodes } from 'smtp-errors';
import { isSpace } from './text.js';
import { pipeAt, quotedAt } from './address-scan.js';

/** How much of a free-text body is read: the explanation comes before the returned message. */
/** How much of a free-text bounce's body is scanned for recipients. */
export const FREE_TEXT_SCAN_CHARS = 32768;

const BOUNCE_FROM = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon|mail\.daemon|noreply-dmarc|bounce|bounces|mdaemon|nobody)(@|$)/i;
const BOUNCE_SUBJECT =
  /(undeliver|undelivered|delivery (status notification|failure|failed|problem|has failed|notification)|failure notice|returned mail|mail delivery (failed|failure|system|subsystem)|could not (be )?deliver|non[- ]?delivery|nondeliverable|delivery report|message not delivered|returned to sender|mail system error|permanent error|warning: could not send|delayed mail|delivery delayed|rejected|bounce|mail failure|not delivered|error sending|zustellung|unzustellbar|non remis|no entregado|不达|退信|エラー)/i;

/**
 * True when the sender, subject or opening text looks like a delivery failure report.
 */
export function looksLikeBounce(from: string, subject: string, body: string): boolean {
  if (BOUNCE_FROM.test(from)) return true;
  if (BOUNCE_SUBJECT.test(subject)) return true;
  const head = body.slice(0, 2048);
  return /(could not be delivered|couldn't be delivered|delivery to the following recipients? (has )?failed|this is the qmail-send program|permanent (fatal )?error|was not delivered|undeliverable|delivery has failed|the following addresses? (had|failed)|unable to deliver|delivery failed)/i.test(head);
}

/** The words that, after a line of two or more dashes, say the copy of the returned message follows. */
const AFTER_DASHES = ['below this line', 'copy of the message', 'copy of your message', 'original message', 'returned message', 'message headers', 'headers of'];
/** Lines that start the copy of the returned message as they are (after white space). */
const MARKER_STARTS = ['original message follows', 'the original message was', 'the original message is', 'received: from ', 'return-path: '];

/**
 * @internal Counts the units {@link isOriginalMarker} reads, for the test that it reads each a
 * bounded number of times.
 */
export interface ScanSteps {
  steps: number;
}

/**
 * @internal True when `line` starts the copy of the returned message in a free-text bounce: after
 * white space (as `\s` reads it), a run of dashes then, on the same line, words such as `original
 * message` or `below this line`; `- Original message -`; `*** original`; `--- the header of the
 * original`; `Received: from `, `Return-Path: ` and a few sentences (ASCII letters in any case).
 * A scan, not a pattern: `/^\s*-{2,}.*(below this line|...)/` tried each split of a line of dashes
 * between `-{2,}` and `.*` and read the rest again for each, quadratic in the line. Here each
 * position past the dashes is compared with the few words once, each comparison at most as long
 * as the longest of them: linear. `count`, when given, is told each unit read.
 */
export function isOriginalMarker(line: string, count?: ScanSteps): boolean {
  const at = (i: number): number => {
    if (count !== undefined) count.steps++;
    return line.charCodeAt(i);
  };
  // `words` at `i`, ASCII letters in either case (as a pattern with the `i` flag compares them)
  const wordsAt = (i: number, words: string): boolean => {
    if (i + words.length > line.length) return false;
    for (let k = 0; k < words.length; k++) {
      const c = at(i + k);
      if (c !== words.charCodeAt(k) && !(c >= 65 && c <= 90 && c + 32 === words.charCodeAt(k))) return false;
    }
    return true;
  };
  let i = 0;
  while (i < line.length && isSpace(at(i))) i++;
  let dashes = i;
  while (dashes < line.length && at(dashes) === 0x2d) dashes++;
  const run = dashes - i;
  if (run >= 2) {
    // the words anywhere after the first two dashes, before a line terminator (`.` reads none)
    for (let k = i + 2; k < line.length && !isLineTerminator(at(k)); k++) if (AFTER_DASHES.some((w) => wordsAt(k, w))) return true;
  }
  if (run >= 1) {
    // `-+\s*original message\s*-+`
    let k = dashes;
    while (k < line.length && isSpace(at(k))) k++;
    if (wordsAt(k, 'original message')) {
      k += 16;
      while (k < line.length && isSpace(at(k))) k++;
      if (k < line.length && at(k) === 0x2d) return true;
    }
  }
  // `-{3,} ?the header of the original`
  if (run >= 3) return wordsAt(dashes, 'the header of the original') || (dashes < line.length && at(dashes) === 0x20 && wordsAt(dashes + 1, 'the header of the original'));
  if (run > 0) return false;
  if (wordsAt(i, '***')) return wordsAt(i + 3, 'original') || (i + 3 < line.length && at(i + 3) === 0x20 && wordsAt(i + 4, 'original'));
  return MARKER_STARTS.some((w) => wordsAt(i, w));
}

/** Whether UTF-16 unit `c` ends a line as `.` in a regular expression reads it (LF, CR, U+2028, U+2029). */
function isLineTerminator(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;
}

const LOCAL_CHARS = "!#$%&'*+/=?^_`{|}~.-";
const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isLocal = (c: number): boolean => isAlnum(c) || LOCAL_CHARS.includes(String.fromCharCode(c));
const isDomain = (c: number): boolean => isAlnum(c) || c === 45 || c === 46;

/**
 * The mailbox address (`local@domain.tld`) around the `@` at `at`, or undefined. A hand-written
 * scan (no regular expression): at most 64 characters left of the `@` and 255 right of it.
 */
function addressAt(text: string, at: number): { start: number; end: number } | undefined {
  let start = at;
  while (start > 0 && at - start < 64 && isLocal(text.charCodeAt(start - 1))) start--;
  if (start === at) return undefined;
  let end = at + 1;
  while (end < text.length && end - at <= 255 && isDomain(text.charCodeAt(end))) end++;
  while (end > at + 1 && (text[end - 1] === '.' || text[end - 1] === '-')) end--;
  const domain = text.slice(at + 1, end);
  if (domain === '' || !domain.includes('.') || !isAlnum(domain.charCodeAt(0)) || domain.includes('..')) return undefined;
  return { start, end };
}

/** The first address in `text` at or after `from`, or undefined. Linear in the text. */
function findAddress(text: string, from = 0): { start: number; end: number; address: string } | undefined {
  for (let at = text.indexOf('@', from); at >= 0; at = text.indexOf('@', at + 1)) {
    const found = addressAt(text, at);
    if (found) return { ...found, address: text.slice(found.start, found.end) };
  }
  return undefined;
}

/**
 * The quoted local part (`"john smith"@example.com`) or pipe command (`"|/usr/bin/procmail"`,
 * `|/path/prog`) that starts at `at`, or undefined: the recipients a `.forward` or an alias expands
 * to, which the scan around `@` does not find. A quoted pipe is given without its quotes.
 */
function quotedOrPipe(line: string, at: number): { start: number; end: number; address: string } | undefined {
  const f = (line[at] === '"' ? quotedAt(line, at) : pipeAt(line, at)).found;
  if (f === undefined) return undefined;
  const written = line.slice(f.start, f.end);
  return { ...f, address: written.startsWith('"|') && written.endsWith('"') ? written.slice(1, -1) : written };
}

const LINE_PREFIXES = ['rcpt', 'to', 'recipient', 'failed', 'address'];

/**
 * A line that names a recipient: optional `To:`-like label, the address (bare, in `<>` or in quotes;
 * or a quoted local part or a pipe command, {@link quotedOrPipe}), then nothing, a parenthesised
 * note, or the explanation after `:`, `,` or a space.
 */
function addressLine(line: string): { address: string; inline: string | undefined } | undefined {
  let i = 0;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  const lower = line.slice(i, i + 32).toLowerCase();
  for (const p of LINE_PREFIXES) {
    if (!lower.startsWith(p)) continue;
    const colon = line.indexOf(':', i + p.length);
    const lt = line.indexOf('<', i + p.length);
    if (colon >= 0 && colon - i - p.length <= 20 && (lt < 0 || lt > colon)) {
      i = colon + 1;
      while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
    }
    break;
  }
  if (line[i] === '<') i++;
  let found = line[i] === '"' || line[i] === '|' ? quotedOrPipe(line, i) : undefined;
  if (found === undefined) {
    if (line[i] === '"') i++;
    found = findAddress(line, i);
    if (!found || found.start !== i) return undefined;
  }
  let j = found.end;
  if (line[j] === '"' || line[j] === '>') j++;
  if (line[j] === ':') j++;
  const rest = line.slice(j);
  const trimmed = rest.trim();
  if (trimmed === '') return { address: found.address, inline: undefined };
  if (trimmed.startsWith('(') && trimmed.endsWith(')') && trimmed.length <= 82) return { address: found.address, inline: undefined };
  const c = rest[0];
  if (c === ' ' || c === '\t' || c === ':' || c === ',' || j > found.end) return { address: found.address, inline: trimmed.replace(/^[:,]\s*/, '') };
  return undefined;
}

/** The first enhanced status code in `s` (`5.1.1`), skipping dotted numbers such as IP addresses. */
function enhancedIn(s: string): string | undefined {
  const e = scanCodes(s).enhanced;
  return e && `${e.class}.${e.subject}.${e.detail}`;
}

/** One recipient found in a free-text bounce. */
export interface FreeTextRecipient {
  readonly address: string | undefined;
  readonly status: string | undefined;
  readonly diagnostic: string;
}

function isSystemAddress(a: string): boolean {
  return /^(mailer-daemon|postmaster|mail-daemon|root|noreply|no-reply|abuse)@/i.test(a);
}

function collapse(s: string): string {
  // qmail ends every recipient with "Giving up on <host>.", which says nothing about the reason.
  return s.replace(/\s+/g, ' ').replace(/ ?Giving up on [\w.:-]{1,255}\.?/g, '').trim();
}

/**
 * The recipients and explanations of a free-text bounce body. Empty when nothing in the body
 * reads like a failure.
 */
export function extractFreeText(body: string): FreeTextRecipient[] {
  const all = body.slice(0, FREE_TEXT_SCAN_CHARS).split(/\r?\n/);
  // Cut at the copy of the returned message: a line of at most 200 characters that starts it.
  let cut = all.length;
  for (let i = 1; i < all.length; i++) {
    const l = all[i]!;
    if (l.length <= 200 && isOriginalMarker(l)) {
      cut = i;
      break;
    }
  }
  const lines = all.slice(0, cut);
  const text = lines.join('\n');
  const found: { address: string; start: number; inline: string | undefined }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length > 400) continue;
    const m = addressLine(line);
    if (m === undefined) continue;
    if (isSystemAddress(m.address)) continue;
    found.push({ address: m.address, start: i, inline: m.inline });
  }
  const out: FreeTextRecipient[] = [];
  const seen = new Set<string>();
  for (let k = 0; k < found.length; k++) {
    const f = found[k]!;
    const key = f.address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const end = k + 1 < found.length ? found[k + 1]!.start : Math.min(lines.length, f.start + 30);
    let chunk = [f.inline ?? '', ...lines.slice(f.start + 1, end)].join('\n');
    chunk = collapse(chunk);
    out.push({ address: f.address, status: enhancedIn(chunk), diagnostic: chunk });
  }
  // Recipients that share one explanation (a list of addresses, then the reason): give those without
  // their own the text after the list (or before it, or the start of the body).
  if (out.some((r) => r.diagnostic.length < 4)) {
    const tail = collapse(lines.slice(found[found.length - 1]!.start + 1).join('\n'));
    const before = collapse(lines.slice(0, found[0]!.start).join('\n'));
    const shared = tail.length >= 4 ? tail : before.length >= 4 ? before : collapse(text).slice(0, 4000);
    return out.map((r) => (r.diagnostic.length >= 4 ? r : { address: r.address, status: r.status ?? enhancedIn(shared), diagnostic: shared }));
  }
  if (out.length === 0) {
    const all = collapse(text);
    if (all === '') return [];
    const any = findAddress(all);
    const address = any !== undefined && !isSystemAddress(any.address) ? any.address : undefined;
    return [{ address, status: enhancedIn(all), diagnostic: all.slice(0, 4000) }];
  }
  return out;
}
