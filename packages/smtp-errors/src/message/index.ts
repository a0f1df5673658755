/**
 * smtp-errors/message: classify whole bounce emails (RFC 3464 delivery status notifications,
 * free-text bounces, RFC 3834 auto-replies, RFC 5965 feedback reports, list notices,
 * challenge-response requests). A separate entry point because it depends on `postal-mime`; the
 * core `smtp-errors` entry stays dependency-free.
 */
import PostalMime, { addressParser, decodeWords } from 'postal-mime';
import { isBytes, isOptionsObject } from '@smtpkit/foundation';
import type { Attachment, Email } from 'postal-mime';
// The core entry by its package name, so both entries share one default classifier (rules added
// with `addRules` apply here too) and the build does not copy the core into this entry.
import {
  actionFor,
  BC_AUTO_REPLY,
  BC_CHALLENGE_RESPONSE,
  BC_SUBSCRIBE,
  BC_UNDETERMINED,
  BC_UNSUBSCRIBE,
  defaultClassifier,
  scanCodes,
  SmtpErrorsError,
  type Classification,
  type Classifier,
} from 'smtp-errors';
import { bareAddress, fieldValues, parseDsnBlocks, parseFieldBlocks, parseHeaderBlock, recipientAddress, statusCode, typedValue, type FieldBlock } from './dsn.js';
import { FREE_TEXT_SCAN_CHARS, extractFreeText, isOriginalMarker, looksLikeBounce } from './free-text.js';
import { addressKey, quotedAndPipeAddresses } from './address-scan.js';
import { bytesEndInput, inputEnding, textEndsInput, withoutCutField, withoutLastLine, type InputEnd } from './cut.js';
import { c1AsWindows1252, contentTypeFields, decodeLegacyText, latin1Text } from './text.js';

/**
 * What a whole message is: a failure report (`bounce`), a delay warning (`delayed`), a success
 * report (`delivered`), an RFC 3834 automatic reply, an RFC 5965 feedback (abuse) report, a
 * mailing-list subscribe/unsubscribe notice, a challenge-response request, or none of these.
 *
 * @example
 * ```ts
 * const { kind } = await classifyMessage(raw);
 * if (kind === 'bounce') suppressFirstRecipient();
 * ```
 * @see RFC 3464 §2.3.3, RFC 3834 §5, RFC 5965 §3
 */
export type MessageKind = 'bounce' | 'delayed' | 'delivered' | 'auto-reply' | 'feedback' | 'list' | 'challenge' | 'other';

/**
 * One recipient of a report, first the report's first recipient.
 *
 * @example
 * ```ts
 * const [r] = (await classifyMessage(raw)).recipients;
 * console.log(r?.address, r?.status, r?.class.id); // user@example.com 5.1.1 10
 * ```
 * @see RFC 3464 §2.3
 */
export interface MessageRecipient {
  /**
   * The recipient address (`Final-Recipient`, else `Original-Recipient`, else found in the text).
   * As the report writes it, so also a quoted local part (`"john smith"@example.com`) or a pipe to
   * a program (`|/usr/bin/procmail`; a free-text bounce's quoted pipe without its quotes).
   */
  readonly address: string | undefined;
  /**
   * The `Original-Recipient` of a DSN: the address the sender gave with ORCPT (RFC 3461 §4.2),
   * which may differ from the final one after forwarding or aliasing; `undefined` when absent.
   *
   * @see RFC 3464 §2.3.1
   */
  readonly originalRecipient: string | undefined;
  /** The DSN `Action` (`failed`, `delayed`, `delivered`, `relayed`, `expanded`), lower-cased. */
  readonly action: string | undefined;
  /** The enhanced status code (`5.1.1`) from the DSN `Status` field, else from the diagnostic text. */
  readonly status: string | undefined;
  /** The remote reply text (`Diagnostic-Code` without its type) or the MTA's explanation. */
  readonly diagnostic: string | undefined;
  /** The `Remote-MTA` host, without its type. */
  readonly remoteMta: string | undefined;
  /** The classification of this recipient: the same object `classify` returns. */
  readonly class: Classification;
}

/**
 * The returned message's identity, as the report carries it: what a bounce handler correlates on.
 *
 * @example
 * ```ts
 * const { original } = await classifyMessage(raw);
 * lookupSend(original.messageId);
 * ```
 * @see RFC 3462 §2 (text/rfc822-headers), RFC 3464 §2
 */
export interface OriginalMessage {
  readonly messageId: string | undefined;
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly subject: string | undefined;
  /**
   * A DSN's `Original-Envelope-Id`: the ENVID the sender gave in MAIL FROM (RFC 3461 §4.4), the
   * key a sender that sets one matches the report on, whatever the returned content holds.
   *
   * @see RFC 3464 §2.2.1
   */
  readonly envelopeId: string | undefined;
}

/**
 * The result of {@link classifyMessage}.
 *
 * @example
 * ```ts
 * const r = await classifyMessage(raw);
 * // { kind: 'bounce', recipients: [{ address: 'nobody@example.com', class: { id: 10, ... } }], original: {...}, class: undefined }
 * ```
 * @see RFC 3464 §2
 */
export interface MessageClassification {
  readonly kind: MessageKind;
  readonly recipients: readonly MessageRecipient[];
  readonly original: OriginalMessage;
  /**
   * The message's own class when it has no recipients: auto-reply (60), subscribe (80),
   * unsubscribe (90), challenge-response (100); `undefined` otherwise.
   */
  readonly class: Classification | undefined;
  /**
   * True when only part of the input was read: it was longer than `maxBytes` (or its line budget),
   * the MIME parser gave up part way (10,000 parts, header fields over 256 KiB in all, parts nested
   * deeper than 32: what came before the part it gave up on is the result), or the part that holds
   * the recipients was longer than what is read of it (a report pasted into the body, 64 KiB from
   * its first field; a free-text bounce, 32 Ki characters; an HTML-only body, 256 Ki characters),
   * so recipients after that may be missing. The recipients given are never cut short: when the
   * cut falls inside a report, the field it falls in is left out (and the recipient with it when
   * that field is its address or comes before its Action), and a free-text line it falls in is not read; also when the part
   * it falls in is sent in base64 or quoted-printable.
   */
  readonly truncated: boolean;
}

/**
 * Options of {@link classifyMessage}.
 *
 * @example
 * ```ts
 * await classifyMessage(raw, { maxBytes: 256 * 1024, classifier: myClassifier });
 * ```
 * @see RFC 3464 §2
 */
export interface ClassifyMessageOptions {
  /**
   * Only the first `maxBytes` bytes (UTF-16 code units for a string) of the message are read; default
   * 1 MiB. So are only its first `maxBytes / 16` lines (at least 1,024; 65,536 by default), as
   * each line costs the MIME parser the same whatever its length. The report parts come before
   * the returned message, so a cut tail rarely matters: a DSN whose returned message is 5 MB gives
   * every recipient of its report, with `truncated` set.
   */
  readonly maxBytes?: number | undefined;
  /**
   * The classifier to use for each recipient (default: the package's default instance). Anything
   * else than a `Classifier` throws `ERR_SMTP_INVALID_OPTION`.
   */
  readonly classifier?: Classifier | undefined;
}

/** Default of {@link ClassifyMessageOptions.maxBytes}: 1 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * Bytes of `maxBytes` per line read: the MIME parser's cost is per line whatever its length (with
 * postal-mime 4.0, about 20 µs for a line of one byte), so a budget of bytes alone let a megabyte
 * of empty lines take half a minute. One line per 16 bytes is 65,536 lines for the default 1 MiB:
 * mail whose lines average 16 bytes or more (a delivery status report's fields average over 20) is
 * never cut by lines before it is cut by bytes. At one line per 64 bytes, a report of 5,000
 * recipients, 550 KB, lost a third of them to the line budget.
 */
const BYTES_PER_LINE = 16;

/**
 * Where the input is cut to keep at most `maxLines` lines (after the last line end kept), or -1
 * when it has no more. Line ends are those {@link normalizeLineEnds} makes LF, counted before it
 * runs, so that it only has the lines kept to rewrite.
 */
function lineCut(input: Uint8Array, maxLines: number): number {
  let at = -1;
  if (input.indexOf(13) < 0) {
    for (let n = 0; n < maxLines; n++) {
      at = input.indexOf(10, at + 1);
      if (at < 0) return -1;
    }
    return at + 1 < input.length ? at + 1 : -1;
  }
  let n = 0;
  for (let i = 0; i < input.length && n < maxLines; i++) {
    const c = input[i];
    // LF; a CR not followed by LF, unless it is the second half of a reversed LF CR
    if (c === 10 || (c === 13 && input[i + 1] !== 10 && !(input[i - 1] === 10 && input[i - 2] !== 13))) {
      n++;
      at = i;
    }
  }
  return n === maxLines && at + 1 < input.length ? at + 1 : -1;
}

const DECODER = new TextDecoder('utf-8', { fatal: false });
const ENCODER = new TextEncoder();

/** The ISO-2022-JP decoder, made on first use; null where the runtime has none. */
let jisDecoder: TextDecoder | null | undefined;

/**
 * `bytes` as text: ISO-2022-JP (RFC 1468) when they are 7-bit and hold its escape sequences
 * (`ESC $ B`, `ESC $ @`), as Japanese MTAs write the diagnostic of a delivery status part (read as
 * UTF-8, it kept the escapes and lost the text); otherwise UTF-8 where the bytes are well-formed
 * UTF-8 (RFC 6533 `message/global-delivery-status`, SMTPUTF8 replies), and each line that is not in
 * `charset` (the part's declared one) or windows-1252: the raw Latin-1 of a remote reply copied
 * into `Diagnostic-Code` was U+FFFD where its accented letters were.
 */
function decodeText(bytes: Uint8Array, charset?: () => string | undefined): string {
  const text = decodeLegacyText(bytes, charset);
  if (!text.includes('\x1b$') || bytes.some((b) => b > 0x7f)) return text;
  if (jisDecoder === undefined) {
    try {
      jisDecoder = new TextDecoder('iso-2022-jp');
    } catch {
      jisDecoder = null;
    }
  }
  return jisDecoder === null ? text : jisDecoder.decode(bytes);
}

/** The bytes of a part, at most `limit` of them (a returned message can be large). */
function attachmentBytes(a: Attachment, limit: number): Uint8Array | string {
  const c = a.content;
  if (typeof c === 'string') return c.slice(0, limit);
  const bytes = c instanceof ArrayBuffer ? new Uint8Array(c) : c;
  return bytes.length > limit ? bytes.subarray(0, limit) : bytes;
}

/** The text of a part, at most `limit` bytes of it (a returned message can be large). */
function attachmentText(a: Attachment, limit = 262144, charset?: () => string | undefined): string {
  const b = attachmentBytes(a, limit);
  return typeof b === 'string' ? b : decodeText(b, charset);
}

function headerOf(email: Email, name: string): string | undefined {
  for (const h of email.headers) if (h.key === name) return h.value;
  return undefined;
}

/** The first mailbox address of an address-list header value (RFC 5322 §3.4), or undefined. */
function firstMailbox(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  for (const a of addressParser(value, { flatten: true })) if (a.address !== undefined && a.address !== '') return a.address;
  return undefined;
}

function firstAddress(a: Email['from'] | undefined): string | undefined {
  if (a === undefined) return undefined;
  if (a.address !== undefined && a.address !== '') return a.address;
  return a.group?.[0]?.address;
}

const FIELD_NAME = /^[!-9;-~]+:/;

/** True when `head` (the input's start, leading blank lines skipped) starts like an Internet message (a header field, or an mbox `From ` line). */
function looksLikeMessage(head: string): boolean {
  return head.startsWith('From ') || FIELD_NAME.test(head);
}

/** How many bytes the input starts with that come before its first header field: a byte order mark (EF BB BF, U+FEFF in a string), then CR, LF, space and tab. */
function leadingBlanks(input: Uint8Array): number {
  let i = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? 3 : 0;
  while (i < input.length && isBlank(input[i]!)) i++;
  return i;
}

function isBlank(c: number): boolean {
  return c === 13 || c === 10 || c === 32 || c === 9;
}

/**
 * `input` with the line ends the MIME parser does not know made LF. A CR that is not followed by
 * LF ends a line (old Mac mail, broken gateways; Python's email parser reads it so too), except
 * right after a bare LF, where it is the second half of a reversed line end (LF CR) and is
 * dropped. The parser splits lines at LF only: a message with CR line ends was one line of header
 * and no recipients. `input` is this call's own copy, changed in place.
 */
function normalizeLineEnds(input: Uint8Array): Uint8Array {
  let at = input.indexOf(13);
  if (at < 0) return input;
  let out = at;
  // the two bytes before `at` as they were read (the output behind `out` may have replaced them)
  let previous = at > 0 ? input[at - 1]! : -1;
  let before = at > 1 ? input[at - 2]! : -1;
  for (; at < input.length; at++) {
    const b = input[at]!;
    if (b !== 13 || input[at + 1] === 10) input[out++] = b;
    else if (previous !== 10 || before === 13) input[out++] = 10;
    before = previous;
    previous = b;
  }
  return input.subarray(0, out);
}

/** The text after the header section, for a message whose MIME structure yielded no parts. */
function rawBody(input: Uint8Array): string {
  const text = decodeLegacyText(input);
  const m = /\r?\n\r?\n/.exec(text);
  return m === null ? '' : text.slice(m.index + m[0].length);
}

function invalid(message: string): SmtpErrorsError {
  return new SmtpErrorsError('ERR_SMTP_MESSAGE_INVALID', message);
}

/**
 * The class of a recipient, from the first text that determines one: its own diagnostic, then
 * `own` (what the report's human-readable part says of it), then its own `status`; `shared` (the
 * whole human-readable part, which may be about other recipients) only when nothing else decides.
 * Neither text is read against the class of its Status: a 4.x.x recipient does not become a
 * permanent suppress from the report's prose.
 */
function classifyRecipient(classifier: Classifier, diagnostic: string | undefined, status: string | undefined, own: string | undefined, domain: string | undefined, shared?: string): Classification {
  const opts = domain === undefined ? {} : { domain };
  let c: Classification | undefined;
  if (diagnostic !== undefined) {
    c = classifier.classify(status !== undefined && !diagnostic.includes(status) ? `${diagnostic} ${status}` : diagnostic, opts);
    if (c.id !== BC_UNDETERMINED) return c;
  }
  const fromText = (text: string | undefined): Classification | undefined => {
    if (text === undefined || text.trim() === '') return undefined;
    const f = classifier.classify(status !== undefined ? `${status} ${text}` : text, opts);
    return f.id === BC_UNDETERMINED || (status?.startsWith('4.') === true && f.action === 'suppress') ? undefined : f;
  };
  const mine = fromText(own);
  if (mine !== undefined) return mine;
  const s = status === undefined ? undefined : classifier.classify(status, opts);
  if (s !== undefined && s.id !== BC_UNDETERMINED) return s;
  return fromText(shared) ?? s ?? c ?? classifier.classify(own ?? shared ?? '', opts);
}

function domainOf(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  const at = address.lastIndexOf('@');
  return at >= 0 ? address.slice(at + 1).toLowerCase() : undefined;
}

/** How many message wrappers (`message/rfc822` parts) are read through, one inside the other. */
const MAX_UNWRAP = 3;

/** The media type of a delivery status part (RFC 3464 §2, RFC 6533 §6.2). */
const REPORT_PART = /^message\/(global-)?delivery-status$/i;

/** True for the media type of a whole message in a part (RFC 2046 §5.2.1, RFC 6532 §3.7). */
function isMessagePart(type: string): boolean {
  const t = type.toLowerCase();
  return t === 'message/rfc822' || t === 'message/global';
}

/** True when a `Content-Type` value is `multipart/report` (RFC 6522). */
function isReportType(contentType: string | undefined): boolean {
  return /^\s*multipart\/report\s*(;|$)/i.test(contentType ?? '');
}

/** True when the header fields of a message part say it is itself a report (`Content-Type: multipart/report`) or comes from a sender of bounces (`MAILER-DAEMON`, `postmaster`...). */
function isBounce(h: FieldBlock): boolean {
  return isReportType(h.get('content-type')) || looksLikeBounce(firstMailbox(h.get('from')) ?? '', '', '');
}

/**
 * The subject prefixes mail clients write on a forward: `Fwd:`, `Fw:`, `WG:` (German), `TR:`
 * (French), `RV:` (Spanish), `Enc:` (Portuguese), `VS:`/`VB:` (Nordic), `Doorst:` (Dutch). An MTA
 * writes its own subject on a report, never one of these first.
 */
const FORWARD_SUBJECT = /^\s*(fwd?|wg|tr|rv|enc|vs|vb|doorst)\s*:/i;
/** The lines mail clients open a forwarded message with (`---------- Forwarded message ---------`, `Begin forwarded message:`). Literal alternatives only: linear. */
const FORWARD_NOTE = /(-- ?forwarded message|begin forwarded message|-- ?weitergeleitete nachricht|-- ?message transf[ée]r[ée]|-- ?mensaje reenviado)/i;

/**
 * The attached bounce (a `message/rfc822` part that is a report or comes from a sender of
 * bounces) that a message with no delivery status part of its own forwards, or undefined. The
 * structure decides, not the sender alone: a person whose address is `postmaster`, or a mail
 * system that passes on what it received for postmaster, forwards as anyone does. From a sender
 * that does not look like one of bounces, the attached bounce is a forward (as it always was).
 * From one that does, it is one unless this message is itself a report: a `multipart/report`; or,
 * with no forward subject (`Fwd:`...) nor forward note (`Begin forwarded message`...), text that
 * reads as a failure report or names the address the attached message was sent to (a double
 * bounce returns the bounce it could not deliver, and says so of that address).
 */
function forwardedBounce(email: Email, parts: readonly Attachment[], bodyText: string): Attachment | undefined {
  let fields: FieldBlock | undefined;
  const attached = parts.find((a) => isMessagePart(a.mimeType) && isBounce((fields = parseHeaderBlock(attachmentText(a, 32768)))));
  if (attached === undefined || fields === undefined) return undefined;
  if (!looksLikeBounce(firstAddress(email.from) ?? '', '', '')) return attached;
  if (isReportType(headerOf(email, 'content-type'))) return undefined;
  const head = bodyText.slice(0, 2048);
  if (FORWARD_SUBJECT.test(email.subject ?? '') || FORWARD_NOTE.test(head)) return attached;
  if (looksLikeBounce('', '', head) || DELAY_WARNING.test(head)) return undefined;
  const to = firstMailbox(fields.get('to'));
  return to !== undefined && asciiLower(bodyText.slice(0, FREE_TEXT_SCAN_CHARS)).includes(asciiLower(to)) ? undefined : attached;
}

/** The header fields of a forwarded message that {@link inlineForward} carries over, as a mail client quotes them (`Sent` is Outlook's `Date`). */
const FORWARDED_FIELDS = new Map([
  ['from', 'From'],
  ['to', 'To'],
  ['cc', 'Cc'],
  ['date', 'Date'],
  ['sent', 'Date'],
  ['subject', 'Subject'],
  ['message-id', 'Message-ID'],
]);
/** A quoted header line of a forwarded message: `Name: value`, the name perhaps in `*` as a client that renders bold in plain text writes it (`*From:* ...`). Anchored, one bounded run then the rest: linear. */
const FORWARDED_FIELD = /^\*?([A-Za-z][A-Za-z-]{0,30})\*?:\*?[ \t]*(.*)$/;
/** How many lines a forwarded message's quoted header section may have. */
const FORWARDED_HEADER_LINES = 64;
/** How many forward note lines {@link inlineForward} tries before it gives up (a forward of a forward of a bounce takes two). */
const FORWARD_NOTES_TRIED = 16;
/**
 * The line Outlook writes above a message it forwards or replies to, in English and the languages
 * a localized Outlook writes it in (`-----Original Message-----`, German `-----Ursprüngliche
 * Nachricht-----`, French `-----Message d'origine-----`, Spanish, Italian, Dutch, Portuguese).
 * Anchored, fixed runs of dashes, literal alternatives: linear.
 */
const OUTLOOK_NOTE = /^[ \t]*-{5}[ \t]?(original message|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|mensagem original)[ \t]?-{5}[ \t]*$/i;
/**
 * The header names Outlook writes in its block under {@link OUTLOOK_NOTE}, as it localizes them,
 * lower case and without the space French puts before the colon. Read only in that block, whose
 * layout (the note line, then `From` first and a `Sent` line) makes short names such as `De` or
 * `An` unambiguous.
 */
const OUTLOOK_FIELDS = new Map([
  ...[...FORWARDED_FIELDS].filter(([name]) => name !== 'date'),
  ...['von', 'de', 'da', 'van'].map((n): [string, string] => [n, 'From']),
  ...['gesendet', 'envoyé', 'enviado', 'enviado el', 'inviato', 'verzonden'].map((n): [string, string] => [n, 'Date']),
  ...['an', 'à', 'para', 'a', 'aan'].map((n): [string, string] => [n, 'To']),
  ...['betreff', 'objet', 'asunto', 'oggetto', 'onderwerp', 'assunto'].map((n): [string, string] => [n, 'Subject']),
]);
/** The names of {@link OUTLOOK_FIELDS} that give a `Sent` line (the one a message's own header section never has). */
const OUTLOOK_SENT = new Set(['sent', 'gesendet', 'envoyé', 'enviado', 'enviado el', 'inviato', 'verzonden']);
/** A header line in Outlook's block: a name of at most 30 characters (any letters, a space in it or before the colon), perhaps in `*`. The lazy run is bounded: linear. */
const OUTLOOK_FIELD = /^\*?([^:*]{1,30}?)\*?:\*?[ \t]*(.*)$/;
/** Outlook's `Name [mailto:address]` form of an address; no `[` inside, so each scan stops at the next one: linear. */
const OUTLOOK_MAILTO = /\[mailto:([^\][\s]*)\]/gi;

/** How many levels of `>` quote `line` (`> `, `>`, `> > `, `>>`...). */
function quoteDepth(line: string): number {
  let depth = 0;
  for (let k = 0; k < line.length && line[k] === '>'; depth++) k += line[k + 1] === ' ' ? 2 : 1;
  return depth;
}

/** `line` without its last `\r` and `depth` levels of `>` quoting; `''` for a line quoted fewer times that is blank past its quotes; undefined for one that is not. */
function stripQuotes(line: string, depth: number): string | undefined {
  const l = line.endsWith('\r') ? line.slice(0, -1) : line;
  let k = 0;
  for (let level = 0; level < depth; level++) {
    if (l[k] !== '>') return l.slice(k).trim() === '' ? '' : undefined;
    k += l[k + 1] === ' ' ? 2 : 1;
  }
  return l.slice(k);
}

/** The forwarded message's header lines under a forward note, as {@link forwardedHeader} reads them. */
interface ForwardedHeader {
  /** The fields read (`From`, `Subject`, `Date`...), in the order met. */
  fields: Map<string, string>;
  /** Whether the lines under the note are quoted once more than the note. */
  quoted: boolean;
  /** The index of the first line not read as a header line. */
  next: number;
  /** For Outlook's block: whether it has Outlook's layout (`From` first, a `Sent` line). */
  outlook: boolean;
}

/**
 * The header lines of the message forwarded under the forward note at `lines[note]`, quoted
 * `depth` times like the note: after blank lines, up to {@link FORWARDED_HEADER_LINES} lines of
 * `Name: value` (folded lines joined), to the first blank line or line of another shape. In
 * Outlook's block (`outlook`) the localized names of {@link OUTLOOK_FIELDS} are read. Each line
 * read once.
 */
function forwardedHeader(lines: readonly string[], note: number, depth: number, outlook: boolean): ForwardedHeader {
  let i = note + 1;
  while (i < lines.length && stripQuotes(lines[i]!, depth)?.trim() === '') i++;
  const quoted = stripQuotes(lines[i] ?? '', depth)?.startsWith('>') === true;
  const fields = new Map<string, string>();
  let last: string | undefined;
  let sent = false;
  let first: string | undefined;
  const end = Math.min(lines.length, i + FORWARDED_HEADER_LINES);
  for (; i < end; i++) {
    const inner = stripQuotes(lines[i]!, depth);
    if (inner === undefined || (quoted && !inner.startsWith('>'))) break;
    const line = quoted ? stripQuotes(inner, 1)! : inner;
    if (line.trim() === '') break;
    if ((line[0] === ' ' || line[0] === '\t') && last !== undefined) {
      fields.set(last, `${fields.get(last)!} ${line.trim()}`);
      continue;
    }
    const m = (outlook ? OUTLOOK_FIELD : FORWARDED_FIELD).exec(line);
    if (m === null) break;
    const key = outlook ? m[1]!.trim().toLowerCase() : m[1]!.toLowerCase();
    const name = (outlook ? OUTLOOK_FIELDS : FORWARDED_FIELDS).get(key);
    first ??= name ?? '';
    if (OUTLOOK_SENT.has(key)) sent = true;
    last = name !== undefined && !fields.has(name) ? name : undefined;
    if (last !== undefined) fields.set(last, outlook ? m[2]!.trim().replace(OUTLOOK_MAILTO, '<$1>') : m[2]!.trim());
  }
  return { fields, quoted, next: i, outlook: outlook && first === 'From' && sent };
}

/**
 * A bounce forwarded inline by a mail client, as a message of its own: a forward note line
 * (`Begin forwarded message:`, `---------- Forwarded message ---------`..., or Outlook's
 * `-----Original Message-----` and its localized forms) in the first 32 Ki characters of
 * `bodyText`, then the quoted header lines of the forwarded message (From, Subject, Date, To,
 * Message-ID; Outlook's From, Sent, To, Subject in its language; quoted with `>` or not), then its
 * text, to the end of the body or, when quoted, to the first line that is not. It is one only when
 * those header lines are a bounce's (its From is `MAILER-DAEMON`, `postmaster`... or its Subject
 * reads as one). A forward note whose message is no bounce is passed over, so a forward of a
 * forward (the inner note and message quoted once more, each level of `>` taken off) finds the
 * bounce inside. So that a double bounce keeps its own recipient, the note must come before the
 * copy of any returned message (a line such as `--- Below this line is a copy of the message.`;
 * an Outlook note line without Outlook's layout under it is one), and, from a sender of bounces
 * without a forward subject (`Fwd:`...), the text before the note must not read as a failure
 * report itself. The message is written with those header lines and the unquoted text (UTF-8), for
 * the caller to parse. Each line is read by the scan for notes and as a header line at most once,
 * and the bounce's text once: linear.
 */
function inlineForward(email: Email, bodyText: string): Uint8Array | undefined {
  const lines = bodyText.split('\n');
  const scan = Math.min(bodyText.length, FREE_TEXT_SCAN_CHARS);
  let tried = 0;
  for (let i = 0, at = 0; i < lines.length && at < scan && tried < FORWARD_NOTES_TRIED; ) {
    const line = lines[i]!;
    const depth = line.length > 200 ? 0 : quoteDepth(line);
    const outlook = line.length <= 200 && OUTLOOK_NOTE.test(stripQuotes(line, depth) ?? '');
    if (line.length > 200 || (!outlook && !FORWARD_NOTE.test(line))) {
      if (line.length <= 200 && isOriginalMarker(line)) return undefined;
      at += line.length + 1;
      i++;
      continue;
    }
    tried++;
    const header = forwardedHeader(lines, i, depth, outlook);
    const from = header.fields.get('From') ?? '';
    const subject = header.fields.get('Subject') ?? '';
    if ((!outlook || header.outlook) && looksLikeBounce(firstMailbox(from) ?? from, subject, '')) return forwardedMessage(email, lines, i, depth, header);
    // an Outlook note line without Outlook's layout under it may start the copy of a returned message
    if (outlook && !header.outlook && isOriginalMarker(line)) return undefined;
    for (; i < header.next; i++) at += lines[i]!.length + 1;
  }
  return undefined;
}

/**
 * The bounce {@link inlineForward} found under the note at `lines[note]`, written as a message:
 * the header lines read, then the text under them with the quotes taken off, to the first line
 * quoted less. Undefined when a sender of bounces without a forward subject wrote text before the
 * note that reads as a failure report (a double bounce).
 */
function forwardedMessage(email: Email, lines: readonly string[], note: number, depth: number, header: ForwardedHeader): Uint8Array | undefined {
  // the forwarder's own text: a sender of bounces whose text reports a failure is no forwarder
  if (looksLikeBounce(firstAddress(email.from) ?? '', '', '') && !FORWARD_SUBJECT.test(email.subject ?? '')) {
    const before = lines.slice(0, note).join('\n');
    if (looksLikeBounce('', '', before) || DELAY_WARNING.test(before)) return undefined;
  }
  const text: string[] = [];
  for (let i = header.next; i < lines.length; i++) {
    const inner = stripQuotes(lines[i]!, depth);
    if (inner === undefined || (header.quoted && inner.trim() !== '' && !inner.startsWith('>'))) break;
    text.push(header.quoted ? (stripQuotes(inner, 1) ?? inner) : inner);
  }
  const head = [...header.fields].map(([name, value]) => `${name}: ${value}`).join('\n');
  return ENCODER.encode(`${head}\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n${text.join('\n')}\n`);
}

/** The message a `message/rfc822` part holds, parsed, and its bytes; undefined when it is none. */
async function innerMessage(a: Attachment, maxBytes: number): Promise<{ email: Email; bytes: Uint8Array } | undefined> {
  const b = attachmentBytes(a, maxBytes);
  let bytes: Uint8Array = typeof b === 'string' ? ENCODER.encode(b) : b.slice();
  bytes = normalizeLineEnds(bytes.subarray(leadingBlanks(bytes)));
  if (!looksLikeMessage(DECODER.decode(bytes.subarray(0, 2000)))) return undefined;
  const email = await parseMime(bytes);
  return 'error' in email || email.headers.length === 0 ? undefined : { email, bytes };
}

/** The fields {@link identity} reads. */
const IDENTITY_FIELDS = ['message-id', 'from', 'to', 'subject'] as const;

/** The header fields of the returned message: its own part, else the headers quoted in a free-text body. */
function originalHeaders(email: Email, parts: readonly Attachment[]): FieldBlock {
  for (const a of parts) {
    const t = a.mimeType.toLowerCase();
    if (t === 'message/rfc822' || t === 'text/rfc822-headers' || t === 'message/rfc822-headers' || t === 'message/global' || t === 'message/global-headers') {
      const text = attachmentText(a, 32768);
      const block = parseHeaderBlock(text);
      if (IDENTITY_FIELDS.some((f) => block.has(f))) return block;
      // Part headers broken by an unindented continuation line end early, and the returned
      // message's own fields follow a blank line further on: read the block that holds them.
      const quoted = embeddedHeaders(text.replace(/\r\n?/g, '\n'));
      return quoted.size > 0 ? quoted : block;
    }
  }
  return embeddedHeaders(email.text ?? '');
}

/**
 * Message-ID, From, To and Subject of a header block, RFC 2047 encoded words decoded (RFC 2047 §5).
 * A value whose words do not decode in their charset (bytes of another one) is kept as written.
 */
function identity(h: FieldBlock): OriginalMessage {
  const field = (name: string): string | undefined => {
    const v = h.get(name)?.trim();
    if (v === undefined || v === '' || name === 'message-id' || !v.includes('=?')) return v || undefined;
    const decoded = decodeWords(v).trim();
    return decoded === '' || (decoded.includes('\ufffd') && !v.includes('\ufffd')) ? v : decoded;
  };
  return { messageId: field('message-id'), from: field('from'), to: field('to'), subject: field('subject'), envelopeId: undefined };
}

/** The header fields of a message quoted in a free-text bounce body (Message-ID, From, To, Subject are read of them). */
function embeddedHeaders(text: string): FieldBlock {
  // Only look after the first Message-ID line, where quoted headers are; without one, after the
  // first trace field (Return-Path, Received), which starts a quoted message (RFC 5322 §3.6.7).
  let start = text.search(/^message-id:/im);
  if (start < 0) start = text.search(/^(return-path|received):/im);
  if (start < 0) return new Map();
  const from = Math.max(0, text.lastIndexOf('\n\n', start));
  // the blank line after the quoted fields ends them: the quoted body is not read
  return parseFieldBlocks(text.slice(from, from + 8192), true)[0] ?? new Map();
}

function recipientsFromDsn(classifier: Classifier, blocks: readonly FieldBlock[], bodyText: string): MessageRecipient[] {
  const out: MessageRecipient[] = [];
  // The per-message block comes first; some reporters omit it, so every block with recipient
  // fields counts (RFC 3464 §2.2, §2.3).
  const read = blocks
    .map((b) => ({ b, address: recipientAddress(b.get('final-recipient')) ?? recipientAddress(b.get('original-recipient')) }))
    .filter((r) => r.address !== undefined || r.b.has('action'));
  const explain = explainer(bodyText, read.map((r) => r.address));
  // Recipients with neither a diagnostic nor text of their own are classified from their Status
  // and the shared text alone: once per Status and domain (a report may name 100,000 of them,
  // and the shared text is up to 2,000 characters).
  const classes = new Map<string, Classification>();
  const byStatus = (key: string | undefined, of: () => Classification): Classification => {
    if (key === undefined) return of();
    let c = classes.get(key);
    if (c === undefined) classes.set(key, (c = of()));
    return c;
  };
  for (const { b, address } of read) {
    const action = b.get('action')?.trim().toLowerCase().split(/\s/)[0];
    const field = statusCode(b.get('status'));
    const diagnostic = typedValue(b.get('diagnostic-code'));
    // without a Status field, the enhanced code the remote reply gives
    const enhanced = field === undefined && diagnostic !== undefined ? scanCodes(diagnostic).enhanced : undefined;
    const status = field ?? (enhanced && `${enhanced.class}.${enhanced.subject}.${enhanced.detail}`);
    const remoteMta = typedValue(b.get('remote-mta'));
    // A recipient the report says was delivered (or relayed, expanded) is classified by its own
    // fields only: the human-readable text is about the recipients that failed, and read for this
    // one it made a delivered address a failure to suppress.
    const delivered = outcomeOf({ action, status }) === 'delivered';
    const own = diagnostic === undefined && !delivered ? explain.of(address) : undefined;
    // the whole text, when it names no other recipient, is about this one; else it is read only
    // when neither the fields nor the text about this address decide
    const shared = diagnostic === undefined && !delivered && own === undefined ? explain.whole : undefined;
    const alone = shared !== undefined && !explain.namesOtherThan(address);
    out.push({
      address,
      originalRecipient: recipientAddress(b.get('original-recipient')),
      action,
      status,
      diagnostic: diagnostic ?? own ?? (alone || status === undefined ? shared : undefined),
      remoteMta,
      class: byStatus(own === undefined && diagnostic === undefined ? `${alone ? 1 : 0}${status ?? ''} ${domainOf(address) ?? ''}` : undefined, () =>
        classifyRecipient(classifier, diagnostic, status, own ?? (alone ? shared : undefined), domainOf(address), alone ? undefined : shared),
      ),
    });
  }
  return out;
}

/**
 * A recipient block `later` that names the address of the block `first` read before it (in the
 * same delivery status part or a later one), merged into it. The first wins: its fields are kept
 * as they are. `later` fills the fields `first` lacks (a `Diagnostic-Code`, a `Remote-MTA`, a
 * `Status`...) when it tells the same outcome, its `Action` and `Status` the same wherever both have
 * one; the merged block is returned, or undefined when there is nothing to fill or `later` tells
 * another outcome (it is then left out). A `later` whose `Original-Recipient` differs from the
 * first's is another recipient (two addresses the sender gave, delivered to one mailbox), and
 * `'another'` says so: it is kept as its own. A block in `copies` (one made here) is filled in
 * place, and a copy made is added to them.
 */
function mergeRepeat(first: FieldBlock, later: FieldBlock, copies: Set<FieldBlock>): FieldBlock | 'another' | undefined {
  const originalFirst = recipientAddress(first.get('original-recipient'));
  const originalLater = recipientAddress(later.get('original-recipient'));
  if (originalFirst !== undefined && originalLater !== undefined && addressKey(originalFirst) !== addressKey(originalLater)) return 'another';
  const action = (b: FieldBlock): string | undefined => b.get('action')?.trim().toLowerCase().split(/\s/)[0] || undefined;
  const a = action(first);
  const b = action(later);
  if (a !== undefined && b !== undefined && a !== b) return undefined;
  const s = statusCode(first.get('status'));
  const t = statusCode(later.get('status'));
  if (s !== undefined && t !== undefined && s !== t) return undefined;
  let merged: Map<string, string> | undefined;
  for (const [name, value] of later) {
    if (first.has(name) || value.trim() === '') continue;
    if (merged === undefined) {
      merged = copies.has(first) ? (first as Map<string, string>) : new Map(first);
      copies.add(merged);
    }
    merged.set(name, value);
  }
  return merged;
}

/** `text` with its ASCII letters lower-cased and every other unit kept: the same length. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

const SUCCESS_ACTIONS = new Set(['delivered', 'relayed', 'expanded']);

/**
 * What became of a DSN recipient: its `Action` when RFC 3464 §2.3.3 defines it, else (missing or
 * unknown) the class of its `Status` (2: delivered, 4: delayed), else failed.
 */
function outcomeOf(r: Pick<MessageRecipient, 'action' | 'status'>): 'failed' | 'delayed' | 'delivered' {
  const a = r.action;
  if (a === 'failed' || a === 'delayed') return a;
  if (a !== undefined && SUCCESS_ACTIONS.has(a)) return 'delivered';
  return r.status?.startsWith('2.') === true ? 'delivered' : r.status?.startsWith('4.') === true ? 'delayed' : 'failed';
}

/** The first 16 Ki characters of a report's human-readable part, its white space runs made one space (at most 2,000 characters), or undefined when empty. */
function wholeText(bodyText: string): string | undefined {
  const t = bodyText.slice(0, EXPLAINED_CHARS).replace(/\s+/g, ' ').trim();
  return t === '' ? undefined : t.slice(0, 2000);
}

/** How much of a report's human-readable part is read for what it says of each recipient. */
const EXPLAINED_CHARS = 16384;

/** What a report's human-readable part says of its recipients: {@link explainer}. */
interface Explainer {
  /** The text after the first place `address` is written, up to the next recipient's explanation; undefined when not written. */
  of(address: string | undefined): string | undefined;
  /** The whole text ({@link wholeText}). */
  readonly whole: string | undefined;
  /** True when the text writes a recipient address other than `address`. */
  namesOtherThan(address: string | undefined): boolean;
}

/** True for a UTF-16 unit that cannot be part of an address as prose writes one (RFC 5322 specials, white space, controls). */
function isAddressEnd(c: number): boolean {
  // space and controls, " ( ) , : ; < > @ [ \ ] and the quote prose puts around an address
  return c <= 0x20 || c === 0x22 || c === 0x27 || c === 0x28 || c === 0x29 || c === 0x2c || c === 0x3a || c === 0x3b || c === 0x3c || c === 0x3e || c === 0x40 || c === 0x5b || c === 0x5c || c === 0x5d || c === 0x7f;
}

/**
 * The explanations a report's human-readable part gives for `addresses` (its recipients). One pass
 * finds every address the text writes: around each `@`, the run of characters an address can hold
 * (a `.` that ends a sentence left out), so `ann@example.net` is never found inside
 * `marie.ann@example.net`; a recipient's explanation is the text after the first place its
 * address stands, up to the line where another recipient's stands first (`<b@y.test>: host ...
 * said: ...`, Postfix's layout), two blank lines, a `---` line, or a line that is only another
 * `<address>`; at most 1,200 characters. A recipient that is a quoted local part (`"john
 * smith"@example.com`) or a pipe (`"|/usr/bin/procmail"`, `|/path/prog`, one recipient however
 * the report quotes it) is found by a second pass over the quoted strings and pipes
 * ({@link quotedAndPipeAddresses}), run only when a recipient is one; an address written inside a
 * quoted local part is then not taken for the recipient it spells. Linear in the text and the
 * number of recipients.
 */
function explainer(bodyText: string, addresses: readonly (string | undefined)[]): Explainer {
  const text = bodyText.slice(0, EXPLAINED_CHARS);
  // ASCII letters only, so that an index in `lower` is the same index in `text` (toLowerCase
  // turns U+0130 into two units, and text full of them moved the explanation elsewhere)
  const keys = new Set<string>();
  for (const a of addresses) if (a !== undefined) keys.add(addressKey(a));
  const lower = keys.size > 0 ? asciiLower(text) : '';
  // every recipient the text writes, in the order they start
  let found: { start: number; end: number; key: string }[] = [];
  for (let at = lower.indexOf('@'); at >= 0; at = lower.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && !isAddressEnd(lower.charCodeAt(start - 1))) start--;
    let end = at + 1;
    while (end < lower.length && !isAddressEnd(lower.charCodeAt(end))) end++;
    while (end > at + 1 && lower[end - 1] === '.') end--;
    const key = lower.slice(start, end);
    if (start !== at && keys.has(key)) found.push({ start, end, key });
  }
  // A quoted local part (`"john smith"@example.com`) or a pipe (`"|/usr/bin/procmail"`) is no run
  // of address characters around an `@`: a pass of its own finds them, when a recipient is one.
  let special = false;
  for (const k of keys) if (k.includes('"') || k.startsWith('|')) special = true;
  if (special) {
    const atSigns = found.length;
    const quoted = quotedAndPipeAddresses(lower);
    for (const f of quoted) {
      const key = addressKey(lower.slice(f.start, f.end));
      if (keys.has(key)) found.push({ start: f.start, end: f.end, key });
    }
    // an address written inside a quoted local part (`"ann@x.test"@relay.test`) is not that
    // recipient: the scan around `@` finds it there, and it is left out (both lists are in order)
    if (atSigns > 0 && quoted.length > 0) {
      const kept: typeof found = [];
      let q = 0;
      for (let i = 0; i < found.length; i++) {
        const f = found[i]!;
        if (i < atSigns) {
          while (q < quoted.length && quoted[q]!.end <= f.start) q++;
          if (q < quoted.length && quoted[q]!.start <= f.start) continue;
        }
        kept.push(f);
      }
      found = kept.sort((a, b) => a.start - b.start);
    }
  }
  // where each recipient is first written (its end), and where a line opens with a recipient
  const first = new Map<string, number>();
  const lineStarts: { at: number; key: string }[] = [];
  for (const { start, end, key } of found) {
    if (!first.has(key)) first.set(key, end);
    // the line holds only white space and `<` before the address
    let k = start;
    while (k > 0 && (lower[k - 1] === ' ' || lower[k - 1] === '\t' || lower[k - 1] === '<')) k--;
    if (k === 0 || lower[k - 1] === '\n') lineStarts.push({ at: k, key });
  }
  const byAddress = new Map<string, string | undefined>();
  let whole: { value: string | undefined } | undefined;
  return {
    get whole() {
      whole ??= { value: wholeText(bodyText) };
      return whole.value;
    },
    namesOtherThan(address) {
      const key = address === undefined ? undefined : addressKey(address);
      return first.size > (key !== undefined && first.has(key) ? 1 : 0);
    },
    of(address) {
      if (address === undefined) return undefined;
      const key = addressKey(address);
      if (byAddress.has(key)) return byAddress.get(key);
      const from = first.get(key);
      let found: string | undefined;
      if (from !== undefined) {
        // the first line after `from` that another recipient opens (few lines open with one)
        let to = from + 1200;
        let lo = 0;
        let hi = lineStarts.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (lineStarts[mid]!.at < from) lo = mid + 1;
          else hi = mid;
        }
        while (lo < lineStarts.length && lineStarts[lo]!.key === key) lo++;
        if (lo < lineStarts.length && lineStarts[lo]!.at < to) to = lineStarts[lo]!.at;
        const after = text.slice(from, to);
        // the next `<local@domain>` line ends it too (a local part without "@": one way to
        // match). Linear, not only short: each alternative starts at an LF and reads the white space
        // after it, then one word; `\s*\n\s*\n` can end only at that run's LFs, and a run with three
        // matches at its first (only its last two LFs are starts that fail); `[^>\s@]+` cannot give
        // back the `@` after it, `[^>\s]+` stops at white space: a start reads its run and one word.
        const cut = after.search(/\n\s*\n\s*\n|\n-{3,}|\n\s*<[^>\s@]+@[^>\s]+>:?\s*\n/);
        const chunk = (cut >= 0 ? after.slice(0, cut) : after).replace(/\s+/g, ' ').replace(/^[>:\s]+/, '').trim();
        if (chunk.length > 3) found = chunk;
      }
      byAddress.set(key, found);
      return found;
    },
  };
}

interface SesRecipient {
  emailAddress?: unknown;
  action?: unknown;
  status?: unknown;
  diagnosticCode?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The recipients of an Amazon SES event notification delivered by email (a JSON object with a
 * `notificationType` of Bounce, Complaint or Delivery), or undefined when the body is not one.
 */
function sesNotification(classifier: Classifier, body: string): { kind: MessageKind; recipients: MessageRecipient[]; original: OriginalMessage } | undefined {
  const start = body.indexOf('{');
  if (start < 0 || start > 64 || !(body.includes('"notificationType"') || body.includes('"eventType"'))) return undefined;
  let json: Record<string, unknown>;
  try {
    // The JSON is one long line; transports that break long lines mark each break with "!".
    const blank = body.indexOf('\n\n', start);
    const chunk = body.slice(start, blank < 0 ? body.length : blank).replace(/!\r?\n /g, '');
    json = JSON.parse(chunk.slice(0, chunk.lastIndexOf('}') + 1)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const type = str(json['notificationType']) ?? str(json['eventType']);
  const section = (name: string): Record<string, unknown> => {
    const v = json[name];
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  };
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  // the sent message's identity: mail.commonHeaders (RFC 5322 fields, address lists as arrays)
  const mail = section('mail');
  const headers = typeof mail['commonHeaders'] === 'object' && mail['commonHeaders'] !== null ? (mail['commonHeaders'] as Record<string, unknown>) : {};
  const joined = (v: unknown): string | undefined => str(v) ?? (list(v).every((x) => typeof x === 'string') ? str(list(v).join(', ')) : undefined);
  const original: OriginalMessage = { messageId: str(headers['messageId']), from: joined(headers['from']), to: joined(headers['to']), subject: str(headers['subject']), envelopeId: undefined };
  if (type === 'Bounce') {
    const bounce = section('bounce');
    const mta = typedValue(str(bounce['reportingMTA']));
    const recipients = list(bounce['bouncedRecipients']).map((r): MessageRecipient => {
      const rec = (typeof r === 'object' && r !== null ? r : {}) as SesRecipient;
      const address = str(rec.emailAddress);
      const status = statusCode(str(rec.status));
      const diagnostic = typedValue(str(rec.diagnosticCode));
      return { address, originalRecipient: undefined, action: str(rec.action)?.toLowerCase() ?? 'failed', status, diagnostic, remoteMta: mta, class: classifyRecipient(classifier, diagnostic, status, str(bounce['bounceSubType']), domainOf(address)) };
    });
    return { kind: str(bounce['bounceType']) === 'Transient' ? 'delayed' : 'bounce', recipients, original };
  }
  if (type === 'Complaint') {
    const complaint = section('complaint');
    const recipients = list(complaint['complainedRecipients']).map((r): MessageRecipient => {
      const rec = (typeof r === 'object' && r !== null ? r : {}) as SesRecipient;
      const address = str(rec.emailAddress);
      const feedback = str(complaint['complaintFeedbackType']) ?? 'abuse';
      return { address, originalRecipient: undefined, action: undefined, status: undefined, diagnostic: `feedback-type: ${feedback}`, remoteMta: undefined, class: messageClass(classifier, BC_UNDETERMINED) };
    });
    return { kind: 'feedback', recipients, original };
  }
  if (type === 'Delivery') {
    const delivery = section('delivery');
    const recipients = list(delivery['recipients']).map((r): MessageRecipient => {
      const diagnostic = str(delivery['smtpResponse']);
      return { address: str(r), originalRecipient: undefined, action: 'delivered', status: '2.0.0', diagnostic, remoteMta: str(delivery['remoteMtaIp']), class: messageClass(classifier, BC_UNDETERMINED) };
    });
    return { kind: 'delivered', recipients, original };
  }
  return undefined;
}

/** The length of a part's content, in bytes (units for a string). */
function contentLength(a: Attachment): number {
  const c = a.content;
  return typeof c === 'string' ? c.length : c.byteLength;
}

/**
 * The charset each part of a parsed message declares (`Content-Type: ...; charset=...`), by the
 * part's content (the object `Attachment.content` is, with the `arraybuffer` encoding): `''` for a
 * part that declares none. Filled by {@link parseMime} from the parser's part tree; weak, so it
 * holds nothing past the call that parsed the message.
 */
const PART_CHARSETS = new WeakMap<object, string>();

/** A MIME part as postal-mime 4.2 keeps it in its part tree: what {@link recordCharsets} reads of it. */
interface PartNode {
  readonly content?: unknown;
  readonly childNodes?: unknown;
  readonly contentType?: { readonly multipart?: unknown; readonly parsed?: { readonly params?: Record<string, unknown> } };
}

/**
 * Records in {@link PART_CHARSETS} the declared charset of every part below `root` (the parser's
 * own tree, pinned to postal-mime 4.2.0 as {@link limitStop} is), iteratively: parts nest at most
 * 32 deep and number at most 10,000 ({@link MIME_LIMITS}). Anything of another shape is skipped.
 */
function recordCharsets(root: unknown): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as PartNode | null | undefined;
    if (typeof node !== 'object' || node === null) continue;
    const content = node.content;
    if (typeof content === 'object' && content !== null && node.contentType?.multipart === false) {
      const charset = node.contentType.parsed?.params?.['charset'];
      PART_CHARSETS.set(content, typeof charset === 'string' ? charset : '');
    }
    if (Array.isArray(node.childNodes)) for (const child of node.childNodes as unknown[]) stack.push(child);
  }
}

/**
 * The charset a delivery status part declares (`Content-Type: message/delivery-status;
 * charset=...`), read only when its bytes are not UTF-8: RFC 3464 allows none, yet some MTAs name
 * the one they copied the remote reply in. Each part's own, so that a report whose parts carry
 * replies from different servers reads each in its charset; a label no decoder knows reads as no
 * charset ({@link decodeLegacyText}). When the parser kept no part tree to read it from, the first
 * delivery status `Content-Type` of `input` names it, as before.
 */
function partCharset(part: Attachment, input: Uint8Array): string | undefined {
  const own = typeof part.content === 'object' ? PART_CHARSETS.get(part.content) : undefined;
  if (own !== undefined) return own === '' ? undefined : own;
  return reportCharset(input);
}

/** The charset of the first delivery status `Content-Type` field of `input`: {@link partCharset} when the parser kept no part tree. */
function reportCharset(input: Uint8Array): string | undefined {
  const field = contentTypeFields(latin1Text(input)).find((f) => /^content-type:[ \t]*message\/(global-)?delivery-status/i.test(f.field))?.field;
  return field === undefined ? undefined : /charset[ \t]*=[ \t]*"?([^"\s;]+)/i.exec(field)?.[1];
}

/** The number of U+FFFD in `text`. */
function replacements(text: string): number {
  let n = 0;
  for (let at = text.indexOf('\ufffd'); at >= 0; at = text.indexOf('\ufffd', at + 1)) n++;
  return n;
}

/** The number of U+FFFD the input itself holds, encoded (EF BF BD). */
function replacementBytes(input: Uint8Array): number {
  let n = 0;
  for (let at = input.indexOf(0xef); at >= 0 && at + 2 < input.length; at = input.indexOf(0xef, at + 1)) if (input[at + 1] === 0xbf && input[at + 2] === 0xbd) n++;
  return n;
}

/**
 * A copy of the input whose `Content-Type` fields no longer label their part UTF-8 (`charset=utf-8`
 * becomes `charset=utf-0`, a label no decoder knows, so the parser reads the part as it reads one
 * with no charset), or undefined when it has no such label. The same length: nothing moves.
 */
function withoutUtf8Labels(input: Uint8Array): Uint8Array | undefined {
  let copy: Uint8Array | undefined;
  for (const field of contentTypeFields(latin1Text(input))) {
    for (const m of field.field.matchAll(/charset[ \t]*=[ \t]*"?utf-?8(?![0-9a-z-])/gi)) {
      copy ??= input.slice();
      copy[field.index + m.index + m[0].length - 1] = 0x30;
    }
  }
  return copy;
}

/** The first field of a delivery status report (RFC 3464 §2.2, §2.3), at the start of a line. */
const REPORT_FIELD = /^(Reporting-MTA|Final-Recipient|Original-Recipient):/im;

/**
 * The words of a free-text delay warning that delivery goes on (Exim: `has not yet been delivered`,
 * `Delivery attempts will continue`; Postfix and sendmail: `THIS IS A WARNING ONLY`, `YOU DO NOT
 * NEED TO RESEND YOUR MESSAGE`; Exchange, Gmail: `will keep trying`, `will retry for`). Literal
 * alternatives only: linear.
 */
const DELAY_WARNING =
  /\b(has not yet been delivered|delivery attempts will continue|will (keep|continue) trying|still being retried|will be retried (until|for)|will retry (until|for)|this is a warning (message )?only|do not need to resend)\b/i;
/** The words of a report that says a delivery failed for good. */
const FAILED_FOR_GOOD = /\b(failed permanently|permanent (fatal )?(error|failure))\b/i;

/** How much of an HTML-only body is read for text (tags stripped with a linear, non-backtracking pattern). */
const HTML_SCAN_CHARS = 256 * 1024;
/** How much of a body a report pasted into it (not in its own part) is read from its first field. */
const INLINE_REPORT_CHARS = 65536;

// The subject prefixes mail clients write on an automatic reply, in the languages they ship
// (`Automatische Antwort:`, `Abwesenheitsnotiz:`, `Automatyczna odpowiedź:`, `自動回覆:`), and the
// usual out-of-office words. Words that end in an ASCII letter sit in the `\b…\b` group; the others
// (and CJK, where `\b` never matches) only need their start: `\b` sees no word character in `ź`.
// Every alternative is literal text, so the scan is linear.
const AUTO_SUBJECT =
  /\b(out of (the )?office|auto(matic)?[- ]?(reply|response|antwort)|automatische antwort|abwesenheit(snotiz)?|absence|vacation|on leave|away from (the )?office|r[ée]ponse automatique|respuesta autom[áa]tica|risposta automatica|resposta autom[áa]tica|automatisch antwoord|afwezigheidsbericht|automatiskt svar|automatisk svar|automaattinen vastaus|otomatik yan[ıi]t|automatikus v[áa]lasz|r[ăa]spuns automat)\b|\bautomatyczna odpowied[źz]|\bautomatick[áa] odpov[ěe][ďd]|автоматический ответ|автоответ|αυτόματη απάντηση|自動応答|自動返信|自动回复|自動回覆|자동 회신|자동 응답|不在/i;
const CHALLENGE =
  /(challenge[- ]response|verify (that )?you are (a )?human|please (confirm|verify) (that )?you (sent|are)|sender verification|confirm your (e-?mail|message)|whitelist|allowlist|spam ?arrest|boxbe|mailsentry|to have your message delivered, (please )?(click|reply))/i;
const UNSUBSCRIBE = /\b(unsubscribe[d]?|removed from (the )?(list|mailing list)|goodbye from|you have been removed|unsubscription)\b/i;
// In a body, only wording that says the reader was taken off the list: every list post's footer
// says how to unsubscribe (RFC 2369 List-Unsubscribe practice), and 90 means suppress. Up to three
// words between the subject and the verb, written out: a quantified group would backtrack (DOS-11).
const UNSUBSCRIBED_BODY =
  /\b((you|address|subscription|e-?mail)( \S+)?( \S+)?( \S+)? (has|have) been (unsubscribed|removed|deleted)|removed from (the |our |this )?(\S+ )?(mailing )?list|(successfully|now) unsubscribed|unsubscribed from|unsubscription|goodbye from)\b/i;
const SUBSCRIBE = /\b(welcome to (the )?|confirm (your )?subscription|subscription (request|confirmation)|you (have been|are now) subscribed|subscribe confirmation)\b/i;

function messageClass(classifier: Classifier, id: number): Classification {
  const cls = classifier.forId(id);
  const category = cls?.category ?? 'undetermined';
  return Object.freeze({
    id,
    name: cls?.name ?? '',
    description: cls?.description ?? '',
    category,
    transient: false,
    action: actionFor(id, category, false),
    rule: Object.freeze({ kind: 'none' as const }),
    replyCode: undefined,
    enhancedCode: undefined,
  });
}

/**
 * Classifies a whole email: a bounce (RFC 3464 delivery status notification first, then the
 * free-text bounces many MTAs send), a delay or delivery report, an RFC 3834 automatic reply, an
 * RFC 5965 feedback report, a mailing-list notice, or a challenge-response request. The modern
 * form of the legacy `bounce_error_classify2`.
 *
 * A report with several delivery status parts gives the recipients of each, in order. A recipient
 * named more than once, in one part or in several, is given once, where it is first named: the
 * first block's fields win, and a later block that tells the same outcome (the same `Action` and
 * `Status` where both have one) fills in the fields the first lacks (a `Diagnostic-Code`, a
 * `Remote-MTA`); one that tells another outcome is left out, and one with another
 * `Original-Recipient` is another recipient. A report inside an attached or returned message
 * (`message/rfc822`) is that message's and is never merged into this one's.
 *
 * A bounce forwarded as an attachment, or inline by a mail client (`Begin forwarded message:`,
 * `---------- Forwarded message ---------`, Outlook's `-----Original Message-----` block in English
 * or its localized forms, and the bounce's quoted header lines and text; also a forward of such a
 * forward), is read as that bounce, not as the forwarder's text; a double bounce keeps its own
 * recipients.
 *
 * Each recipient's `class` is what `classify` returns for its diagnostic text (falling back to
 * what the report's human-readable part says of its address, then to its DSN `Status`, then to
 * the whole human-readable part). Messages without recipients carry
 * their own `class` (60, 80, 90 or 100).
 *
 * Never throws for a malformed report, nor for one that is cut or too large: only the first
 * `maxBytes` are read, and when the MIME parser gives up part way (header fields over 256 KiB in
 * all, each line counted as at least 64 bytes; parts nested deeper than 32; 10,000 parts or more),
 * the message up to the part it gave up on is read instead; either way `truncated` is set. Only
 * input that is not a message at all, or one whose part read before the parser gave up names no
 * recipient address, throws `ERR_SMTP_MESSAGE_INVALID`; a bad option (or `options`
 * that are not an object, a list included) throws `ERR_SMTP_INVALID_OPTION`.
 *
 * Raw 8-bit text is read as what it is: a line of a delivery status part (or of a body the parser
 * could not split) that is well-formed UTF-8 as UTF-8 (RFC 6533 `message/global-delivery-status`),
 * any other in the part's declared charset or windows-1252; a text part labelled UTF-8 whose
 * bytes are not is read as one with no charset (UTF-8 when it is, else windows-1252).
 *
 * @example
 * ```ts
 * import { classifyMessage } from 'smtp-errors/message';
 * const r = await classifyMessage(readFileSync('bounce.eml'));
 * for (const rcpt of r.recipients) if (rcpt.class.action === 'suppress') suppress(rcpt.address);
 * ```
 * @see RFC 3464 §2, RFC 3834 §5, RFC 5965 §3
 */
export async function classifyMessage(raw: Uint8Array | string, options: ClassifyMessageOptions = {}): Promise<MessageClassification> {
  if (!isOptionsObject(options)) throw new SmtpErrorsError('ERR_SMTP_INVALID_OPTION', 'classifyMessage options must be an object');
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (typeof maxBytes !== 'number' || !Number.isInteger(maxBytes) || maxBytes < 1) {
    throw new SmtpErrorsError('ERR_SMTP_INVALID_OPTION', `maxBytes must be a positive integer, got ${String(maxBytes)}`);
  }
  const chosen: unknown = options.classifier;
  const given = chosen === undefined ? defaultClassifier : chosen;
  // Checked by shape, not instanceof: a Classifier from another copy of the package (ESM and CJS) works.
  // classify for each recipient, forId for a message's own class (auto-reply, list, challenge...),
  // each read once and called on it from here (a getter could answer otherwise on a later read)
  const { classify, forId } = (typeof given === 'object' && given !== null ? given : {}) as Partial<Classifier>;
  if (typeof classify !== 'function' || typeof forId !== 'function') {
    throw new SmtpErrorsError('ERR_SMTP_INVALID_OPTION', 'classifier must be a Classifier (from createClassifier)');
  }
  const classifier = { classify: (r, o) => Reflect.apply(classify, given, [r, o]), forId: (id) => Reflect.apply(forId, given, [id]) } as Classifier;
  let input: Uint8Array;
  // a string is read as its UTF-8 bytes (the MIME parser encodes it so anyway): one path for both
  if (typeof raw === 'string') input = ENCODER.encode(raw.length > maxBytes ? raw.slice(0, maxBytes) : raw);
  else if (isBytes(raw)) {
    // a copy of the bytes read (also of a Uint8Array from another realm): the caller may reuse its
    // buffer as soon as this call returns its promise, and the text is read again after the parse
    input = new Uint8Array(Math.min(raw.length, maxBytes));
    // none to copy from a view of no bytes, whose buffer may be detached (subarray would throw)
    if (input.length > 0) input.set(raw.subarray(0, input.length));
  } else throw invalid('classifyMessage expects a Uint8Array or a string');
  // blank lines before the first header field (a file saved with a leading newline) would end
  // the header section before it starts, and a byte order mark (a file saved by a Windows editor)
  // would be read as part of the first field's name: they are skipped once, here
  const lead = leadingBlanks(input);
  if (lead > 0) input = input.subarray(lead);
  const cut = lineCut(input, Math.max(1024, Math.ceil(maxBytes / BYTES_PER_LINE)));
  if (cut >= 0) input = input.subarray(0, cut);
  // after the cut, so that a megabyte of bare CRs costs no more than the lines kept
  input = normalizeLineEnds(input);
  // also set below when the part that holds the recipients is longer than what is read of it
  const truncated = raw.length > maxBytes || cut >= 0;
  const head = DECODER.decode(input.subarray(0, 2000));
  if (!looksLikeMessage(head)) throw invalid('input is not an Internet message: it does not start with a header field');

  const parsed = await parseMime(input);
  if (!('error' in parsed)) return classifyEmail(parsed, input, classifier, maxBytes, truncated);
  // The parser gave up part way (too many parts, header fields over the limit, parts nested too
  // deep): what came before the line it gave up on is read instead, as a cut input is. A report
  // comes first, so its recipients are often all there; when that names no recipient address,
  // nothing usable was read and the message is refused as before.
  const failed = invalid(`the message could not be parsed: ${parsed.error instanceof Error ? parsed.error.message : String(parsed.error)}`);
  if (parsed.stop <= 0) throw failed;
  const prefix = input.subarray(0, parsed.stop);
  const again = await parseMime(prefix);
  if ('error' in again) throw failed;
  let result: MessageClassification;
  try {
    result = await classifyEmail(again, prefix, classifier, maxBytes, true);
  } catch {
    throw failed;
  }
  // usable: a recipient the report or the text names (not only a subject that says it failed)
  if (!result.recipients.some((r) => r.address !== undefined)) throw failed;
  return result;
}

/** The postal-mime limits classifyMessage parses with: over one, the parser throws. */
const MIME_LIMITS = { maxNestingDepth: 32, maxHeadersSize: 256 * 1024, maxPartCount: 10000 } as const;

/** The codes of the errors postal-mime throws when a message is over one of its limits. */
const LIMIT_CODES = new Set(['EMAXPARTCOUNT', 'EMAXHEADERSIZE', 'EMAXNESTINGDEPTH']);

/**
 * The parsed message, or what the parser threw and where the input can be cut so that the parser
 * reads it whole ({@link limitStop}).
 */
async function parseMime(input: Uint8Array): Promise<Email | { readonly error: unknown; readonly stop: number }> {
  const parser = new PostalMime({ attachmentEncoding: 'arraybuffer', forceRfc822Attachments: true, ...MIME_LIMITS });
  try {
    const email = await parser.parse(input);
    recordCharsets((parser as unknown as { root?: unknown }).root);
    return email;
  } catch (error) {
    return { error, stop: limitStop(error, (parser as unknown as { readPos?: unknown }).readPos, input) };
  }
}

/**
 * Where the input is cut when the MIME parser gave up on a limit: the start of the line it was
 * reading (`pos`, its read position, is past that line), so the part it gave up on is left out
 * and what comes before is under every limit; -1 for any other error, or a parser that does not
 * say where it was. The position is postal-mime's own (pinned to 4.2.0); the limit tests check it.
 */
function limitStop(e: unknown, pos: unknown, input: Uint8Array): number {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  if (typeof code !== 'string' || !LIMIT_CODES.has(code) || typeof pos !== 'number' || !Number.isInteger(pos) || pos <= 0 || pos > input.length) return -1;
  // the line read last ends at `pos` (with its LF, when it has one)
  const from = input[pos - 1] === 10 ? pos - 2 : pos - 1;
  return from < 0 ? 0 : input.lastIndexOf(10, from) + 1;
}

/** Where {@link reportBlocks} reads a report: a delivery status part, or the body a report was pasted into. */
type ReportSource =
  | { readonly part: Attachment; readonly input: Uint8Array; readonly maxBytes: number; readonly ending: InputEnd | undefined }
  | { readonly text: string; readonly inline: number; readonly bodyCut: boolean };

/**
 * The field blocks of one report ({@link parseDsnBlocks}), and whether it runs on past what is
 * read of it (cut with the input, or where the read stops). The whole part is read (it is within
 * `maxBytes` and the line budget): a report naming thousands of recipients lost those after its
 * first 256 KiB without a word. When cut, the field the cut falls in may be cut short (an address,
 * a status) and is left out, and so is a recipient block the cut falls in: one whose address
 * field was cut off names nobody, and one without its Action yet may have lost its address (a
 * Final-Recipient after the Original-Recipient kept) and has no outcome (it made a delay warning
 * a bounce).
 */
function reportBlocks(source: ReportSource): { blocks: FieldBlock[]; cut: boolean } {
  let report: string;
  let cut: boolean;
  // whether the report's last line ended where the read stops (its last line end is not the one
  // the parser gives the last line of a part that ran on to the cut)
  let lineEnded = true;
  if ('text' in source) {
    report = source.text.slice(source.inline, source.inline + INLINE_REPORT_CHARS);
    cut = source.text.length - source.inline > INLINE_REPORT_CHARS || source.bodyCut;
  } else {
    const { part, input, maxBytes, ending } = source;
    const bytes = attachmentBytes(part, maxBytes);
    report = typeof bytes === 'string' ? bytes : decodeText(bytes, () => partCharset(part, input));
    const partCut = ending !== undefined && typeof bytes !== 'string' && bytesEndInput(bytes, ending.bytes);
    cut = contentLength(part) > maxBytes || partCut;
    lineEnded = !partCut || ending.lineEnded;
  }
  if (cut) report = withoutCutField(report, lineEnded);
  const blocks = parseDsnBlocks(report);
  const last = blocks[blocks.length - 1];
  const named = last !== undefined && (last.has('final-recipient') || last.has('original-recipient'));
  if (cut && last !== undefined && ((blocks.length > 1 && !named) || (named && !last.has('action')))) blocks.pop();
  return { blocks, cut };
}

/**
 * The classification of a parsed message. `input` is what was parsed; `truncated` says that it is
 * not the whole message (cut at `maxBytes`, at the line budget, or where the parser gave up).
 */
async function classifyEmail(email: Email, input: Uint8Array, classifier: Classifier, maxBytes: number, inputCut: boolean, depth = 0): Promise<MessageClassification> {
  if (email.headers.length === 0) throw invalid('input is not an Internet message: no header fields');
  let truncated = inputCut;
  // A text part labelled UTF-8 that is not (legacy mail relabelled by a gateway): the parser read
  // its accented letters as U+FFFD. Read again with the label left out, each such part is UTF-8
  // when it is well-formed UTF-8 and windows-1252 otherwise, as a part with no charset is.
  if (email.text !== undefined && email.text.includes('\ufffd') && replacements(email.text) > replacementBytes(input)) {
    const relabelled = withoutUtf8Labels(input);
    if (relabelled !== undefined) {
      const again = await parseMime(relabelled);
      if (!('error' in again) && again.headers.length > 0) email = again;
    }
  }

  const parts = email.attachments;
  if (email.text === undefined && email.html !== undefined && email.html.length > HTML_SCAN_CHARS) truncated = true;
  // the parser reads a part with no charset that is not UTF-8 as Latin-1 where it means windows-1252
  let bodyText = c1AsWindows1252(email.text ?? (email.html !== undefined ? email.html.slice(0, HTML_SCAN_CHARS).replace(/<[^<>]*>/g, ' ') : ''));
  if (bodyText.trim() === '' && parts.length === 0) bodyText = rawBody(input);
  // How the cut input ends, as the part it ends in reads: the input itself, or, when it ends inside
  // a part in base64 or quoted-printable, that part's content decoded (its encoded bytes never
  // compare equal to what the parser decoded, and a cut there cuts the decoded text as surely).
  const ending = inputCut ? await inputEnding(input) : undefined;
  // the body runs on to where the input was cut: its last line may be cut short (an address, a
  // reply), and is not read unless the cut falls at a line end
  const bodyCut = ending !== undefined && textEndsInput(bodyText, ending.bytes);
  if (bodyCut && !ending.lineEnded) bodyText = withoutLastLine(bodyText);
  // A message inside this one that is what the handler wants read: the one a top-level
  // `message/rfc822` wrapper holds (a gateway that wraps what it relays), or a report or bounce
  // attached to a message that is none (a forward of a bounce: {@link forwardedBounce}). A few
  // levels at most.
  if (depth < MAX_UNWRAP) {
    const top = /^\s*message\/(rfc822|global)\s*(;|$)/i.test(headerOf(email, 'content-type') ?? '');
    const inner = top ? parts.find((a) => isMessagePart(a.mimeType)) : parts.some((a) => REPORT_PART.test(a.mimeType)) ? undefined : forwardedBounce(email, parts, bodyText);
    const unwrapped = inner === undefined ? undefined : await innerMessage(inner, maxBytes);
    if (unwrapped !== undefined) {
      const cut = ending !== undefined && bytesEndInput(unwrapped.bytes, ending.bytes);
      const r = await classifyEmail(unwrapped.email, unwrapped.bytes, classifier, maxBytes, cut, depth + 1);
      return truncated && !r.truncated ? Object.freeze({ ...r, truncated }) : r;
    }
    // A bounce a mail client forwarded inline, its header lines and text quoted in the body: that
    // bounce is read, not the forwarder's note ({@link inlineForward}). Its text is whole lines
    // (a line the cut fell in is already left out), so it is read as whole, and `truncated` is
    // this message's.
    const forwarded = top || parts.some((a) => REPORT_PART.test(a.mimeType)) ? undefined : inlineForward(email, bodyText);
    const parsedForward = forwarded === undefined ? undefined : await parseMime(forwarded);
    if (forwarded !== undefined && parsedForward !== undefined && !('error' in parsedForward) && parsedForward.headers.length > 0) {
      const r = await classifyEmail(parsedForward, forwarded, classifier, maxBytes, false, depth + 1);
      if (r.kind !== 'other') return truncated && !r.truncated ? Object.freeze({ ...r, truncated }) : r;
    }
  }
  const originalFields = originalHeaders(email, parts);
  const original = identity(originalFields);
  const done = (kind: MessageKind, recipients: MessageRecipient[], cls?: Classification, about: OriginalMessage = original): MessageClassification =>
    Object.freeze({ kind, recipients: Object.freeze(recipients), original: Object.freeze(about), class: cls, truncated });

  // 1. RFC 3464 delivery status notification (as its own parts, or pasted into a plain-text body).
  // Every delivery status part of this message, in order: some MTAs send one per group of
  // recipients, and a multipart nested in this message is this message's. A part inside an
  // attached or returned message (`message/rfc822`) is that message's, and is not among `parts`.
  // A report part labelled as text (`text/plain; name="details.txt"`, as some MTAs send it) is one
  // when it opens with report fields, and read only when there is no other.
  const statusParts = parts.filter((a) => REPORT_PART.test(a.mimeType));
  const labelled = statusParts.length === 0 ? parts.find((a) => /^text\/plain$/i.test(a.mimeType) && REPORT_FIELD.test(attachmentText(a, 2048))) : undefined;
  const dsnParts = labelled === undefined ? statusParts : [labelled];
  const dsnPart = dsnParts[0];
  const inline = dsnPart === undefined ? bodyText.search(REPORT_FIELD) : -1;
  if (dsnPart !== undefined || inline >= 0) {
    const blocks: FieldBlock[] = [];
    // where the block of each recipient named so far stands in `blocks`, by its address (the first
    // block of that address) and by its address and Original-Recipient: a recipient named again,
    // in the same part or a later one, is given once ({@link mergeRepeat})
    const named = new Map<string, number>();
    // the merged blocks made here, filled in place when named again (a copy each time was
    // quadratic in a recipient named thousands of times, each time with a field more)
    const copies = new Set<FieldBlock>();
    const sources = dsnParts.length > 0 ? dsnParts : [undefined];
    for (const part of sources) {
      const own = reportBlocks(part === undefined ? { text: bodyText, inline, bodyCut } : { part, input, maxBytes, ending });
      if (own.cut) truncated = true;
      for (const b of own.blocks) {
        const address = recipientAddress(b.get('final-recipient')) ?? recipientAddress(b.get('original-recipient'));
        const key = address === undefined ? undefined : addressKey(address);
        if (key !== undefined) {
          const original = recipientAddress(b.get('original-recipient'));
          // an address holds no line end, so the pair's key is no address's
          const pair = original === undefined ? undefined : `${key}\n${addressKey(original)}`;
          const at = (pair === undefined ? undefined : named.get(pair)) ?? named.get(key);
          const merged = at === undefined ? 'another' : mergeRepeat(blocks[at]!, b, copies);
          if (merged !== 'another') {
            if (merged !== undefined) blocks[at!] = merged;
            if (pair !== undefined && !named.has(pair)) named.set(pair, at!);
            continue;
          }
          if (!named.has(key)) named.set(key, blocks.length);
          if (pair !== undefined) named.set(pair, blocks.length);
        }
        blocks.push(b);
      }
    }
    const recipients = recipientsFromDsn(classifier, blocks, bodyText);
    if (recipients.length > 0) {
      // a recipient with neither Action nor Status says nothing of what became of it
      const told = recipients.filter((r) => r.action !== undefined || r.status !== undefined);
      const outcomes = (told.length > 0 ? told : recipients).map(outcomeOf);
      const kind: MessageKind = outcomes.includes('failed') ? 'bounce' : outcomes.includes('delayed') ? 'delayed' : 'delivered';
      // the per-message field (RFC 3464 §2.2.1), as the report writes it (already xtext-decoded)
      const envelopeId = blocks.find((b) => b.has('original-envelope-id'))?.get('original-envelope-id') || undefined;
      return done(kind, recipients, undefined, envelopeId === undefined ? original : { ...original, envelopeId });
    }
  }

  // 1b. An Amazon SES notification (JSON in the body): bounce, complaint or delivery.
  const ses = sesNotification(classifier, bodyText);
  // its original is in the JSON (unless the message also carries the sent message's headers)
  if (ses !== undefined) return done(ses.kind, ses.recipients, undefined, Object.values(original).some((v) => v !== undefined) ? original : ses.original);

  // 2. RFC 5965 feedback report: one recipient per Original-Rcpt-To (a field that may repeat,
  // §3.2), of every report part in order; without any, the returned message's first To address.
  const reports = parts.filter((a) => a.mimeType.toLowerCase() === 'message/feedback-report');
  if (reports.length > 0) {
    const recipients: MessageRecipient[] = [];
    const recipient = (address: string, fields: FieldBlock): MessageRecipient => ({
      address,
      originalRecipient: undefined,
      action: undefined,
      status: undefined,
      diagnostic: `feedback-type: ${fields.get('feedback-type') ?? 'abuse'}`,
      remoteMta: typedValue(fields.get('reporting-mta')),
      class: messageClass(classifier, BC_UNDETERMINED),
    });
    let first: FieldBlock | undefined;
    for (const part of reports) {
      const text = attachmentText(part);
      const fields = parseFieldBlocks(text)[0] ?? new Map<string, string>();
      first ??= fields;
      for (const value of fieldValues(text, 'original-rcpt-to')) {
        const address = bareAddress(value);
        if (address !== undefined) recipients.push(recipient(address, fields));
      }
    }
    if (recipients.length === 0) {
      const to = firstMailbox(originalFields.get('to'));
      if (to !== undefined) recipients.push(recipient(to, first ?? new Map<string, string>()));
    }
    return done('feedback', recipients);
  }

  const subject = email.subject ?? '';
  const from = firstAddress(email.from) ?? '';
  // RFC 3834 §5: the keyword, case-insensitive, may carry comments and `; parameters`
  // (`Auto-Submitted: auto-replied (vacation)` is what Sieve vacation writes)
  const autoSubmitted = /^[a-z0-9-]*/.exec((headerOf(email, 'auto-submitted') ?? '').replace(/\([^()]*\)/g, ' ').trim().toLowerCase())?.[0] ?? '';

  const precedence = (headerOf(email, 'precedence') ?? '').toLowerCase();
  const autoHeader = autoSubmitted === 'auto-replied' || headerOf(email, 'x-autoreply') !== undefined || headerOf(email, 'x-autorespond') !== undefined || precedence === 'auto_reply';
  // An automatic reply by its header and its subject, from a person's address, is one even when
  // its text (or the subject it answers) reads like a failure: `Automatic reply: Undeliverable:
  // ...`. The header alone does not say so: Exim marks its bounces auto-replied too.
  const vacation = autoHeader && AUTO_SUBJECT.test(subject) && !looksLikeBounce(from, '', '');
  const bounceLike = !vacation && looksLikeBounce(from, subject, bodyText);

  // 3. Free-text bounce (qmail, Exim, Exchange, Domino, webmail providers...).
  if (dsnPart !== undefined || bounceLike) {
    const found = extractFreeText(bodyText);
    if (found.length > 0) {
      if (bodyText.length > FREE_TEXT_SCAN_CHARS) truncated = true;
      const whole = found.length === 1 && found[0]!.address === undefined ? undefined : wholeText(bodyText);
      const recipients = found.map((f): MessageRecipient => ({
        address: f.address,
        originalRecipient: undefined,
        action: 'failed',
        status: f.status,
        diagnostic: f.diagnostic,
        remoteMta: undefined,
        class: classifyRecipient(classifier, f.diagnostic, f.status, whole, domainOf(f.address)),
      }));
      const head = subject + ' ' + bodyText.slice(0, 2000);
      // literal alternatives only, as DELAY_WARNING: each start reads at most the longest of them
      const delayed = /\b(delay(ed)?|warning: could not send|still being retried|will (keep|continue) trying|not yet been delivered)\b/i.test(head);
      const failed = recipients.some((r) => r.class.category !== 'soft' || r.class.replyCode === undefined || r.class.replyCode >= 500);
      // A delay warning's recipients are delayed, as a DSN would say (RFC 3464 §2.3.3): a text that
      // says in so many words that delivery goes on is one whatever each reason reads as (Exim's
      // gives `Connection timed out`, with no reply code); one that only names a delay is one when
      // no reason reads as a failure.
      if ((DELAY_WARNING.test(head) && !FAILED_FOR_GOOD.test(head)) || (delayed && !failed)) return done('delayed', recipients.map((r) => ({ ...r, action: 'delayed' })));
      return done('bounce', recipients);
    }
  }

  // 4. RFC 3834 automatic reply.
  const isAuto = autoHeader || AUTO_SUBJECT.test(subject);
  const challengeText = `${subject}\n${bodyText.slice(0, 4096)}`;
  if (CHALLENGE.test(challengeText)) return done('challenge', [], messageClass(classifier, BC_CHALLENGE_RESPONSE));
  if (isAuto) return done('auto-reply', [], messageClass(classifier, BC_AUTO_REPLY));

  // 5. Mailing-list notices.
  const listish = headerOf(email, 'list-id') !== undefined || /\b(list|group|newsletter|subscri)/i.test(subject);
  if (listish || precedence === 'list' || precedence === 'bulk') {
    if (UNSUBSCRIBE.test(subject) || (listish && UNSUBSCRIBED_BODY.test(bodyText.slice(0, 2048)) && !SUBSCRIBE.test(subject))) {
      return done('list', [], messageClass(classifier, BC_UNSUBSCRIBE));
    }
    if (SUBSCRIBE.test(subject) || (listish && SUBSCRIBE.test(bodyText.slice(0, 2048)))) return done('list', [], messageClass(classifier, BC_SUBSCRIBE));
  }

  // 6. An automatic message that still looks like a failure report without recipients.
  if (bounceLike) {
    const text = bodyText.slice(0, 8192);
    return done('bounce', [{ address: undefined, originalRecipient: undefined, action: 'failed', status: undefined, diagnostic: text.replace(/\s+/g, ' ').trim().slice(0, 2000), remoteMta: undefined, class: classifier.classify(text) }]);
  }
  return done('other', []);
}
