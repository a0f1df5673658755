// Messages built for `smtp send --subject/--text/--html/--attach/--header` with mimetext: the
// library writes the header fields (encoded words, address lists, Date, Message-ID, MIME-Version)
// and the multipart structure; this module only picks each part's transfer encoding and encodes
// its content (mimetext writes part data as given).
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { Mailbox, createMimeMessage } from 'mimetext';
import type { ContentTransferEncoding } from 'mimetext';
import { ATTACHMENTS_MAX_BYTES, InputTooLargeError, readCapped } from './input.js';
import { toCrlf } from './message.js';

/** What `smtp send` was asked to put in a built message. */
export interface ComposeOptions {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject?: string;
  readonly text?: string;
  readonly html?: string;
  /** Files attached as application/octet-stream, named by their base name, `-` (standard input) as {@link STDIN_ATTACHMENT_NAME} (read by `readAttachments`). */
  readonly attach?: readonly AttachedFile[];
  /** Extra header fields, each `Name: value`. */
  readonly headers?: readonly string[];
}

/** An `--attach` file and its bytes. */
export interface AttachedFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** The file name in the message of an attachment read from standard input (`--attach -`). */
export const STDIN_ATTACHMENT_NAME = 'attachment';

/**
 * Reads the `--attach` files, each as a stream (`-` reads `stdin`, by default standard input; a
 * file so named is `./-`): together they may hold at most `ATTACHMENTS_MAX_BYTES` (base64 makes a
 * message of about 64 MiB of them), past which the file that crossed it is an InputTooLargeError
 * naming `--attach`, that file and the cap. Each is read up to what the files before it left.
 */
export async function readAttachments(paths: readonly string[], stdin: Readable = process.stdin): Promise<AttachedFile[]> {
  const files: AttachedFile[] = [];
  let left = ATTACHMENTS_MAX_BYTES;
  for (const path of paths) {
    let bytes: Buffer;
    try {
      bytes = await readCapped(path, left, '--attach', stdin);
    } catch (e) {
      if (!(e instanceof InputTooLargeError) || left === ATTACHMENTS_MAX_BYTES) throw e;
      throw new InputTooLargeError('--attach', path === '-' ? '- (standard input)' : path, ATTACHMENTS_MAX_BYTES, 'with the --attach files before it');
    }
    left -= bytes.length;
    files.push({ path, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
  }
  return files;
}

/** A header field as the user gave it with `--header`, checked. */
export interface HeaderField {
  readonly name: string;
  readonly value: string;
}

/** Why a `--header` is refused; `undefined` when it is fine. */
function headerProblem(raw: string): string | undefined {
  const colon = raw.indexOf(':');
  if (colon <= 0) return 'expected "Name: value"';
  for (let i = 0; i < colon; i++) {
    const c = raw.charCodeAt(i);
    // RFC 5322 §3.6.8: field names are printable US-ASCII except the colon.
    if (c < 33 || c > 126) return 'the field name must be printable ASCII without spaces';
  }
  for (let i = colon + 1; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x0d || c === 0x0a || c === 0) return 'the value must not contain CR, LF or NUL';
    // mimetext writes other fields' values as given: non-ASCII would need encoded words (RFC 2047).
    if (c > 126) return 'the value must be ASCII (use --subject for a non-ASCII subject)';
  }
  return undefined;
}

/**
 * Parses one `--header 'Name: value'`. Throws an Error naming the problem (a usage error for the
 * CLI) for a missing colon, a bad field name, or a CR/LF/NUL in the value (header injection).
 */
export function parseHeaderField(raw: string): HeaderField {
  const problem = headerProblem(raw);
  if (problem !== undefined) throw new Error(`--header ${JSON.stringify(raw)}: ${problem}`);
  const colon = raw.indexOf(':');
  return { name: raw.slice(0, colon), value: raw.slice(colon + 1).trim() };
}

/** Base64 in lines of 76 characters (RFC 2045 §6.8). */
function base64Lines(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join('\r\n');
}

/**
 * A text part's content and transfer encoding: 7bit when it is ASCII with lines of at most 998
 * characters (RFC 5322 §2.1.1), otherwise base64 of its UTF-8, so nothing depends on 8BITMIME.
 */
function textPart(text: string): { data: string; encoding: ContentTransferEncoding } {
  const normalised = text.replace(/\r\n|\r|\n/g, '\r\n');
  let lineLength = 0;
  let plain = true;
  for (let i = 0; i < normalised.length && plain; i++) {
    const c = normalised.charCodeAt(i);
    if (c === 0x0d || c === 0x0a) lineLength = 0;
    else if (c > 126 || c === 0 || ++lineLength > 998) plain = false;
  }
  if (plain) return { data: normalised, encoding: '7bit' };
  return { data: base64Lines(new TextEncoder().encode(normalised)), encoding: 'base64' };
}

/** UTF-8 bytes of the subject per encoded word: 56 base64 characters, a word of 68 (RFC 2047 §2: at most 75). */
const WORD_BYTES = 42;

/**
 * `subject` as RFC 2047 B encoded words of at most 75 characters, one per line after the first,
 * each holding whole UTF-8 characters (§5: a word must not split one), so that a long subject is
 * folded where mimetext writes a single word of any length on one line. Decoders join adjacent
 * encoded words without the folding white space between them (§6.2).
 */
function subjectWords(subject: string): string {
  const bytes = new TextEncoder().encode(subject);
  const words: string[] = [];
  for (let at = 0; at < bytes.length || words.length === 0; ) {
    let end = Math.min(at + WORD_BYTES, bytes.length);
    // back off to the start of a character: never end a word on a continuation byte's left
    while (end < bytes.length && end > at && (bytes[end]! & 0xc0) === 0x80) end--;
    words.push(`=?utf-8?B?${Buffer.from(bytes.subarray(at, end)).toString('base64')}?=`);
    at = end;
  }
  return words.join('\n ');
}

/**
 * The header section of mimetext's output with the Subject written as folded encoded words, and
 * every other field line over 78 characters folded before a space (RFC 5322 §2.2.3: a field line
 * should be at most 78 characters, must be at most 998). A field with no space to fold at keeps
 * its line (`smtp send` refuses one over 998). The body is left as it is.
 */
export function foldHeader(raw: string, subject: string): string {
  const blank = /\r?\n\r?\n/.exec(raw);
  const end = blank === null ? raw.length : blank.index;
  const lines = raw.slice(0, end).split(/\r?\n/).map((line) => {
    if (/^subject:/i.test(line)) return `Subject: ${subjectWords(subject)}`;
    const parts: string[] = [];
    let rest = line;
    // the first part keeps the field name, its colon and a character of the value
    let min = line.indexOf(':') + 2;
    while (rest.length > 78) {
      const cut = rest.lastIndexOf(' ', 78);
      if (cut < min) break;
      parts.push(rest.slice(0, cut));
      rest = rest.slice(cut);
      min = 1;
    }
    parts.push(rest);
    return parts.join('\n');
  });
  return lines.join('\n') + raw.slice(end);
}

/** Header fields holding one mailbox in mimetext. */
const SINGLE_MAILBOX = new Set(['sender', 'reply-to']);
/** Header fields handled as address lists (From is the author, the others recipients). */
const ADDRESS_LISTS = new Set(['from', 'to', 'cc', 'bcc']);

/** An attachment file read once, reused for every message. */
interface Attachment {
  readonly filename: string;
  readonly data: string;
}

/**
 * Returns a builder of messages: each call makes a fresh message (its own Message-ID and Date) with
 * CRLF line ends throughout, ready for `sendMessage`. Attachment files are read once, before
 * (`readAttachments`), so a missing or too large file fails before anything is sent.
 */
export function createComposer(options: ComposeOptions): () => Uint8Array {
  const headers = (options.headers ?? []).map(parseHeaderField);
  const attachments: Attachment[] = (options.attach ?? []).map((file) => ({ filename: file.path === '-' ? STDIN_ATTACHMENT_NAME : basename(file.path), data: base64Lines(file.bytes) }));
  // A `From` --header names the author; otherwise the envelope sender does.
  const from = headers.find((h) => h.name.toLowerCase() === 'from')?.value ?? (options.from !== '' ? options.from : undefined);
  if (from === undefined) throw new Error('--from "" (the null sender) needs --header "From: ..." to build a message');
  // a Subject --header replaces --subject, as mimetext sets it last
  const subject = headers.filter((h) => h.name.toLowerCase() === 'subject').at(-1)?.value ?? options.subject ?? '';
  return () => {
    const msg = createMimeMessage();
    msg.setSender(from);
    // Address fields given with --header go through mimetext's mailbox handling (repeat for more).
    const listed = (field: string): string[] => headers.filter((h) => h.name.toLowerCase() === field).map((h) => h.value);
    const to = listed('to');
    msg.setTo(to.length > 0 ? to : [...options.to]);
    const cc = listed('cc');
    if (cc.length > 0) msg.setCc(cc);
    const bcc = listed('bcc');
    if (bcc.length > 0) msg.setBcc(bcc);
    msg.setSubject(options.subject ?? '');
    const text = options.text ?? (options.html === undefined ? '' : undefined);
    if (text !== undefined) msg.addMessage({ contentType: 'text/plain', charset: 'UTF-8', ...textPart(text) });
    if (options.html !== undefined) msg.addMessage({ contentType: 'text/html', charset: 'UTF-8', ...textPart(options.html) });
    for (const a of attachments) msg.addAttachment({ filename: a.filename, contentType: 'application/octet-stream', data: a.data, encoding: 'base64' });
    for (const h of headers) {
      const lower = h.name.toLowerCase();
      if (ADDRESS_LISTS.has(lower)) continue;
      msg.setHeader(h.name, SINGLE_MAILBOX.has(lower) ? new Mailbox(h.value) : h.value);
    }
    const raw = toCrlf(new TextEncoder().encode(foldHeader(msg.asRaw(), subject)));
    const n = raw.length;
    if (n >= 2 && raw[n - 2] === 0x0d && raw[n - 1] === 0x0a) return raw;
    const out = new Uint8Array(n + 2);
    out.set(raw);
    out[n] = 0x0d;
    out[n + 1] = 0x0a;
    return out;
  };
}
