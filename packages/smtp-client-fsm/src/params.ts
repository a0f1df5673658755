/**
 * ESMTP parameters of MAIL FROM / RCPT TO as the argument hooks see them: an ordered, validated
 * collection (keyword -> value or null) rendered injection-proof (INJ-1, INJ-2).
 */
import { SmtpClientError } from './errors.js';
import { assertNoControl } from './control.js';

function isKeyword(k: string): boolean {
  if (k.length === 0 || k.length > 64) return false;
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (!alnum && !(c === 0x2d && i > 0)) return false;
  }
  return true;
}

function isValue(v: string): boolean {
  if (v.length === 0) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    // esmtp-value = 1*(%d33-60 / %d62-126), RFC 6531 allows UTF-8 too.
    if (c < 33 || c === 61 || c === 127) return false;
  }
  return true;
}

/**
 * Encodes a free-text value as xtext (RFC 3461 §4): `+XX` for `+`, `=`, and bytes outside 33-126.
 *
 * @example
 * xtext('a b=c'); // 'a+20b+3Dc'
 * @see RFC 3461 §4
 */
export function xtext(value: string): string {
  const bytes = new TextEncoder().encode(value);
  let out = '';
  for (const b of bytes) {
    if (b < 33 || b > 126 || b === 0x2b || b === 0x3d) out += '+' + b.toString(16).toUpperCase().padStart(2, '0');
    else out += String.fromCharCode(b);
  }
  return out;
}

/**
 * An ordered set of ESMTP parameters (the modern `smtp_client_args`): keywords are
 * case-insensitive and stored upper-case; values are checked against `esmtp-value`.
 *
 * @example
 * const p = new EsmtpParams(); p.add('ENVID', xtext('id 1')); p.toString(); // ' ENVID=id+201'
 * @see RFC 5321 §4.1.2 (esmtp-param), RFC 1869
 */
export class EsmtpParams {
  readonly #map = new Map<string, string | null>();

  /** Adds or replaces `keyword` (valueless when `value` is omitted or null). Throws on bad input. */
  add(keyword: string, value: string | number | null = null): this {
    assertNoControl(`ESMTP parameter ${JSON.stringify(keyword.slice(0, 20))}`, keyword);
    if (!isKeyword(keyword)) {
      throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'ESMTP keyword must match esmtp-keyword');
    }
    let v: string | null = null;
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_PARAMETER', `ESMTP ${keyword} must be a non-negative integer`);
      }
      v = String(value);
    } else if (value !== null) {
      assertNoControl(`ESMTP ${keyword} value`, value);
      if (!isValue(value)) {
        throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_PARAMETER', `ESMTP ${keyword} value must match esmtp-value (use xtext())`);
      }
      v = value;
    }
    this.#map.set(keyword.toUpperCase(), v);
    return this;
  }

  /** Removes `keyword`. */
  delete(keyword: string): boolean {
    return this.#map.delete(keyword.toUpperCase());
  }

  /** True when `keyword` is present. */
  has(keyword: string): boolean {
    return this.#map.has(keyword.toUpperCase());
  }

  /** The value of `keyword`: a string, null for a valueless keyword, undefined when absent. */
  get(keyword: string): string | null | undefined {
    return this.#map.get(keyword.toUpperCase());
  }

  /** The parameters in insertion order. */
  entries(): [string, string | null][] {
    return [...this.#map.entries()];
  }

  /** The wire form, each parameter preceded by a space (`''` when empty). */
  toString(): string {
    let s = '';
    for (const [k, v] of this.#map) s += v === null ? ` ${k}` : ` ${k}=${v}`;
    return s;
  }
}

/**
 * DSN parameters of a message (RFC 3461), sent only when the server advertises DSN.
 *
 * @example
 * const dsn: DsnOptions = { ret: 'HDRS', envid: 'abc', notify: ['FAILURE', 'DELAY'] };
 * @see RFC 3461 §4
 */
export interface DsnOptions {
  readonly ret?: 'FULL' | 'HDRS';
  readonly envid?: string;
  readonly notify?: readonly ('NEVER' | 'SUCCESS' | 'FAILURE' | 'DELAY')[];
  /** Original recipient per recipient address (sent as `ORCPT=rfc822;<xtext>`). */
  readonly orcpt?: Readonly<Record<string, string>>;
}

/** @internal Validates NOTIFY (NEVER alone or a subset of the others). */
export function notifyValue(list: readonly string[]): string {
  const allowed = new Set(['NEVER', 'SUCCESS', 'FAILURE', 'DELAY']);
  const upper = list.map((x) => x.toUpperCase());
  if (upper.length === 0 || upper.some((x) => !allowed.has(x)) || (upper.includes('NEVER') && upper.length > 1)) {
    throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'NOTIFY must be NEVER or a list of SUCCESS, FAILURE, DELAY');
  }
  return upper.join(',');
}
