// Message bodies for `smtp send`: a file's bytes (line ends normalised to CRLF), or a generated test
// message of about the requested size.
import { randomBytes } from 'node:crypto';
import { MESSAGE_FILE_MAX_BYTES, readCapped } from './input.js';

/** Converts bare LF and bare CR to CRLF (SMTP requires CRLF line ends, RFC 5321 §2.3.8). */
export function toCrlf(bytes: Uint8Array): Uint8Array {
  let extra = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x0a && (i === 0 || bytes[i - 1] !== 0x0d)) extra++;
    else if (b === 0x0d && bytes[i + 1] !== 0x0a) extra++;
  }
  if (extra === 0) return bytes;
  const out = new Uint8Array(bytes.length + extra);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x0a && (i === 0 || bytes[i - 1] !== 0x0d)) {
      out[o++] = 0x0d;
      out[o++] = 0x0a;
    } else if (b === 0x0d && bytes[i + 1] !== 0x0a) {
      out[o++] = 0x0d;
      out[o++] = 0x0a;
    } else out[o++] = b;
  }
  return out;
}

/**
 * The first line of `bytes` (CRLF line ends, as `readMessageFile` returns them) longer than `max`
 * octets without its CRLF: its 1-based number and length, or undefined when every line fits. The
 * client refuses such a body (`ERR_SMTP_CLIENT_LINE_TOO_LONG`) unless told `allowLongLines`.
 */
export function firstLongLine(bytes: Uint8Array, max = 998): { readonly line: number; readonly length: number } | undefined {
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0x0a) continue;
    const end = i > start && bytes[i - 1] === 0x0d ? i - 1 : i;
    if (end - start > max) return { line, length: end - start };
    line++;
    start = i + 1;
  }
  return undefined;
}

/**
 * Reads a message file (`-`: standard input) as a stream of at most `MESSAGE_FILE_MAX_BYTES`
 * (InputTooLargeError past it), normalising its line ends and making sure it ends with CRLF.
 */
export async function readMessageFile(path: string): Promise<Uint8Array> {
  const read = await readCapped(path, MESSAGE_FILE_MAX_BYTES, '--file', process.stdin);
  const bytes = toCrlf(new Uint8Array(read.buffer, read.byteOffset, read.byteLength));
  const n = bytes.length;
  if (n >= 2 && bytes[n - 2] === 0x0d && bytes[n - 1] === 0x0a) return bytes;
  const out = new Uint8Array(n + 2);
  out.set(bytes);
  out[n] = 0x0d;
  out[n + 1] = 0x0a;
  return out;
}

/** Octets of `text` in UTF-8. */
function octets(text: string): number {
  return new TextEncoder().encode(text).length;
}

/**
 * A header field holding a list, `Name: a, b, c`, folded at the comma-space between items (RFC 5322
 * §2.2.3: CRLF goes before the space) so each line holds at most 78 octets; an item longer than
 * that gets a line of its own. The line limit of 998 octets (§2.1.1) then holds for any item up to
 * 996 octets; the CLI's addresses are far shorter (a path has a local part of at most 64 octets and
 * a domain of at most 255, RFC 5321 §4.5.3.1), so a long `--to` list no longer makes the line the
 * client refuses (ERR_SMTP_CLIENT_LINE_TOO_LONG), failing every recipient.
 */
export function foldedList(name: string, items: readonly string[]): string {
  const lines: string[] = [];
  let line = `${name}:`;
  let length = octets(line);
  items.forEach((item, i) => {
    const size = octets(item);
    // ", item" on this line, or "," here and " item" on the next one
    if (i > 0 && length + 2 + size > 78) {
      lines.push(`${line},`);
      line = ` ${item}`;
      length = 1 + size;
    } else {
      line += `${i > 0 ? ',' : ''} ${item}`;
      length += 1 + (i > 0 ? 1 : 0) + size;
    }
  });
  lines.push(line);
  return lines.join('\r\n');
}

/** A generated test message of about `size` octets (at least the headers), 76-character body lines. */
export function generateMessage(options: { from: string; to: readonly string[]; size?: number; index?: number; count?: number; hostname?: string }): Uint8Array {
  const id = randomBytes(8).toString('hex');
  const subject = options.count !== undefined && options.count > 1 ? `smtpkit test message ${(options.index ?? 0) + 1}/${options.count}` : 'smtpkit test message';
  const headers = [
    `From: <${options.from}>`,
    foldedList('To', options.to.map((t) => `<${t}>`)),
    `Subject: ${subject}`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${id}@${options.hostname ?? 'smtpkit.invalid'}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    '',
  ].join('\r\n');
  const intro = 'This is a test message sent by the smtp command of smtpkit.\r\n';
  let body = intro;
  const target = options.size ?? 0;
  // the size is octets: an SMTPUTF8 address in the header takes more than one per character
  const headerOctets = Buffer.byteLength(headers, 'utf8');
  const line = `${'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(3).slice(0, 74)}\r\n`;
  while (headerOctets + body.length + line.length <= target) body += line;
  const rest = target - headerOctets - body.length;
  if (rest > 2) body += `${'z'.repeat(rest - 2)}\r\n`;
  return new TextEncoder().encode(headers + body);
}
