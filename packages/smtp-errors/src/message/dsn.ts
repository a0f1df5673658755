/**
 * RFC 3464 delivery-status fields and the header-only parsing smtp-errors/message needs beyond
 * postal-mime: unfolded `Name: value` blocks separated by blank lines. Linear, no regexes on the
 * field bodies beyond anchored single-pass ones.
 */

// The core by its package name (as in index.ts), so the build does not copy it into this entry.
import { parseEnhanced } from 'smtp-errors';

/** One block of `Name: value` fields, names lower-cased, first occurrence kept. */
export type FieldBlock = ReadonlyMap<string, string>;

/** One `Name: value` field, its name lower-cased, its folded lines joined, in block `block`. */
interface Field {
  readonly name: string;
  value: string;
  readonly block: number;
}

/**
 * Every `Name: value` field of `text` in order, folded lines (starting with a space or a tab)
 * joined with one space, numbered by the blank-line-separated block they stand in; with
 * `firstBlockOnly`, it stops at the blank line that ends the first block. Lines that are neither
 * fields nor continuations are skipped. One pass, the one unfolding every reader here shares.
 */
function fields(text: string, firstBlockOnly: boolean): Field[] {
  const out: Field[] = [];
  let block = -1;
  let open = false;
  let last: Field | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') {
      if (open && firstBlockOnly) break;
      open = false;
      last = undefined;
      continue;
    }
    if ((line[0] === ' ' || line[0] === '\t') && last !== undefined) {
      last.value = `${last.value} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    if (!open) {
      open = true;
      block++;
    }
    last = { name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim(), block };
    out.push(last);
  }
  return out;
}

/**
 * Splits a `message/delivery-status` (or `message/feedback-report`) body into its field blocks:
 * the per-message block first, then one block per recipient (RFC 3464 §2.1). First occurrence of a
 * name kept. With `firstBlockOnly`, only the first block is read (a quoted header section).
 */
export function parseFieldBlocks(text: string, firstBlockOnly = false): FieldBlock[] {
  const blocks: Map<string, string>[] = [];
  for (const f of fields(text, firstBlockOnly)) {
    const b = (blocks[f.block] ??= new Map());
    if (!b.has(f.name)) b.set(f.name, f.value);
  }
  return blocks;
}

/** The fields that name a recipient: a DSN has one of each per recipient (RFC 3464 §2.3). */
const RECIPIENT_FIELDS = new Set(['final-recipient', 'original-recipient']);

/** The per-recipient fields of RFC 3464 §2.3 that are not addresses. */
const PER_RECIPIENT_FIELDS = new Set(['action', 'status', 'remote-mta', 'diagnostic-code', 'last-attempt-date', 'final-log-id', 'will-retry-until']);

/**
 * Splits a `message/delivery-status` body into its field blocks as {@link parseFieldBlocks} does,
 * and also starts a new block at a `Final-Recipient` or `Original-Recipient` field that the block
 * already has, or that follows the block's `Final-Recipient` and a per-recipient field after it
 * (`Action`, `Status`...): some reporters leave out the blank line between recipients (RFC 3464
 * §2.1), and with the first occurrence kept every recipient after the first was lost, or the next
 * one's leading `Original-Recipient` was read as this one's.
 */
export function parseDsnBlocks(text: string): FieldBlock[] {
  const blocks: Map<string, string>[] = [];
  let block = -1;
  let current: Map<string, string> | undefined;
  // the current block has a Final-Recipient and a per-recipient field after it
  let complete = false;
  for (const f of fields(text, false)) {
    const recipient = RECIPIENT_FIELDS.has(f.name);
    if (current === undefined || f.block !== block || (recipient && (complete || current.has(f.name)))) {
      current = new Map();
      blocks.push(current);
      block = f.block;
      complete = false;
    }
    if (!current.has(f.name)) current.set(f.name, f.value);
    if (!complete && PER_RECIPIENT_FIELDS.has(f.name) && current.has('final-recipient')) complete = true;
  }
  return blocks;
}

/**
 * Every value of the field `name` (lower-case) in `text`, in order, folded lines joined: for the
 * fields that may repeat, such as a feedback report's `Original-Rcpt-To` (RFC 5965 §3.2).
 */
export function fieldValues(text: string, name: string): string[] {
  return fields(text, false)
    .filter((f) => f.name === name)
    .map((f) => f.value);
}

/**
 * The value of a typed DSN field (`rfc822; user@example.com`, `smtp; 550 5.1.1 ...`) without its
 * type, or `undefined` when empty.
 */
export function typedValue(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const semi = value.indexOf(';');
  // a type is one atom (`smtp`, `X-Postfix`, `utf-8`), or left out: `552 Quota full; try later`
  // has no type, and its text before the `;` is kept
  const typed = semi >= 0 && semi < 20 && TYPE.test(value.slice(0, semi).trim());
  const v = (typed ? value.slice(semi + 1) : value).trim();
  return v === '' ? undefined : v;
}

const TYPE = /^([A-Za-z0-9][A-Za-z0-9.+_-]*)?$/;

/** Strips `<...>` around an address and surrounding spaces. */
export function bareAddress(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let v = value.trim();
  const lt = v.indexOf('<');
  const gt = v.lastIndexOf('>');
  if (lt >= 0 && gt > lt) v = v.slice(lt + 1, gt).trim();
  return v === '' ? undefined : v;
}

/**
 * The address of a `Final-Recipient` or `Original-Recipient` value (`rfc822; <a@b.test>`): its
 * `<...>` or a trailing comment removed and, for the `utf-8` address type, each `\x{HEX}` (RFC 6533 §3
 * EmbeddedUnicodeChar) turned into its character.
 */
export function recipientAddress(value: string | undefined): string | undefined {
  let address = bareAddress(typedValue(value));
  // a comment beside the address (`a@b.test (Alice)`, RFC 5322 CFWS) is not part of it
  if (address !== undefined && address.endsWith(')')) {
    const open = address.lastIndexOf('(');
    const bare = open > 0 ? address.slice(0, open).trim() : '';
    if (bare !== '' && !bare.includes(' ')) address = bare;
  }
  if (address === undefined || !address.includes('\\x{')) return address;
  const semi = value!.indexOf(';');
  if (semi < 0 || value!.slice(0, semi).trim().toLowerCase() !== 'utf-8') return address;
  return address.replace(/\\x\{([0-9A-Fa-f]{2,6})\}/g, (whole, hex: string) => {
    const cp = Number.parseInt(hex, 16);
    return cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? whole : String.fromCodePoint(cp);
  });
}

/** The enhanced status code (`5.1.1`) that is the first token of a DSN `Status:` value. */
export function statusCode(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  let end = 0;
  while (end < v.length && ((v.charCodeAt(end) >= 48 && v.charCodeAt(end) <= 57) || v[end] === '.')) end++;
  const e = parseEnhanced(v.slice(0, end));
  return e && `${e.class}.${e.subject}.${e.detail}`;
}

/** Parses the header section at the start of `text` (up to the first blank line) into a map. */
export function parseHeaderBlock(text: string): FieldBlock {
  const end = text.search(/\r?\n\r?\n/);
  return parseFieldBlocks(end >= 0 ? text.slice(0, end) : text)[0] ?? new Map();
}
