/**
 * Strict server-side parsing of the MAIL FROM / RCPT TO argument (RFC 5321 §4.1.2, §3.3; RFC 6531
 * for SMTPUTF8; RFC 3461 xtext), delegated to smtp-client-args with the keywords the session
 * advertised. On failure it returns the reply to send.
 */
import { parseEnvelopeArguments } from 'smtp-client-args';
import type { ArgsRefusal, EnvelopeArguments, ParseOptions } from 'smtp-client-args';
import type { ReplyInit } from './reply.js';
import { SmtpServerError } from './errors.js';
import { hasUnsafeText as unsafe } from './peer-text.js';
import { isOptionsObject } from '@smtpkit/foundation';

/**
 * A parsed path. `address` is '' for the null path `<>`.
 *
 * @example
 * ```ts
 * const p: ParsedPath = { address: 'a@b.example', localPart: 'a', domain: 'b.example' };
 * ```
 * @see RFC 5321 §4.1.2
 */
export interface ParsedPath {
  readonly address: string;
  readonly localPart: string;
  readonly domain: string;
}

/**
 * Parameters in order of appearance, keywords upper-cased; `true` for a keyword with no value.
 *
 * @example
 * ```ts
 * e.parameters.SIZE; // "1000"
 * ```
 * @see RFC 5321 §4.1.2 (esmtp-param)
 */
export type EsmtpParameters = Readonly<Record<string, string | true>>;

/**
 * Result of parsing the argument of MAIL or RCPT.
 *
 * @example
 * ```ts
 * const r = parseEnvelopeArgument('rcpt', '<a@b.example>', { advertised: ['DSN'] }); if (!r.ok) send(r.reply);
 * ```
 * @see RFC 5321 §4.1.1.3
 */
export type EnvelopeArgResult =
  | { readonly ok: true; readonly path: ParsedPath; readonly parameters: EsmtpParameters }
  | { readonly ok: false; readonly reply: ReplyInit };

const fail = (code: number, enhanced: string, text: string): EnvelopeArgResult => ({ ok: false, reply: { code, enhanced, text } });

/**
 * The address an ORCPT value carries, decoded enough to check it: RFC 3461 xtext `+HH` bytes (UTF-8
 * in an SMTPUTF8 transaction) and, for `utf-8;`, RFC 6533 `\x{HEX}` escapes. The value was
 * validated already (by the built-in definition; a custom one may let anything through).
 */
function orcptText(v: string): string {
  const address = v.slice(v.indexOf(';') + 1);
  try {
    return /^utf-8;/i.test(v) ? address.replace(/\\x\{([\dA-F]{1,6})\}/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16))) : decodeURIComponent(address.replace(/%/g, '%25').replace(/\+/g, '%'));
  } catch {
    // only from a value a custom parameter definition let through (a bad escape): refused
    return '\0';
  }
}

/**
 * Parses the text after `MAIL FROM:` / `RCPT TO:` (path then parameters) strictly, with
 * smtp-client-args (`parseMailFrom` / `parseRcptTo`, its `ParseOptions`: the session passes the
 * keywords of its last EHLO reply as `advertised`), plus this package's extra checks (C1 controls,
 * zero-width, bidi and format characters and U+2028/U+2029 in addresses and in the ORCPT address). A syntax error is a reply to send, never an exception;
 * `options` that are not an object (a list included) throw `ERR_SMTP_INVALID_OPTION`.
 *
 * @example
 * ```ts
 * parseEnvelopeArgument('mail', '<a@b.example> SIZE=100', { advertised: ['SIZE'] });
 * ```
 * @see RFC 5321 §4.1.1.2, §4.1.1.3, §4.1.2
 */
export function parseEnvelopeArgument(kind: 'mail' | 'rcpt', text: string, options: ParseOptions = {}): EnvelopeArgResult {
  if (kind !== 'mail' && kind !== 'rcpt') throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', `kind must be 'mail' or 'rcpt', got ${String(kind)}`);
  if (!isOptionsObject(options)) throw new SmtpServerError('ERR_SMTP_INVALID_OPTION', 'parseEnvelopeArgument options must be an object');
  // smtp-client-args' parser of `FROM:${text}` / `TO:${text}`, from the text itself: a refused
  // command comes back as its refusal, with the reply to send; a caller's bad option is thrown
  let r: EnvelopeArguments | ArgsRefusal;
  try {
    r = parseEnvelopeArguments(kind, typeof text === 'string' ? text : String(text), options);
  } catch (e) {
    // a remote error thrown from a custom parameter definition's `validate` is a reply too
    const reply = (e as { kind?: unknown; reply?: { code: number; enhanced?: string; text?: string } }).reply;
    if ((e as { kind?: unknown }).kind === 'remote' && reply !== undefined) return { ok: false, reply: { code: reply.code, ...(reply.enhanced !== undefined ? { enhanced: reply.enhanced } : {}), ...(reply.text !== undefined ? { text: reply.text } : {}) } };
    throw e;
  }
  if (!r.ok) return { ok: false, reply: { code: r.reply.code, enhanced: r.reply.enhanced, text: r.reply.text } };
  const path = r.path;
  const parsed: ParsedPath =
    path.kind === 'mailbox' ? { address: path.address, localPart: path.localPart, domain: path.domain } : path.kind === 'null' ? { address: '', localPart: '', domain: '' } : { address: 'postmaster', localPart: 'postmaster', domain: '' };
  // An ASCII address has none: the grammar lets no control through, and the rest of what
  // `unsafe` refuses is non-ASCII (a mailbox with any says so: `utf8`).
  if (path.kind === 'mailbox' && path.utf8 && unsafe(parsed.address)) return fail(501, '5.5.2', 'Control characters are not allowed in addresses');
  const parameters = r.parameters;
  const orcpt = parameters.ORCPT;
  if (typeof orcpt === 'string' && unsafe(orcptText(orcpt))) return fail(501, '5.5.4', 'Invalid value for ORCPT');
  return { ok: true, path: parsed, parameters };
}
