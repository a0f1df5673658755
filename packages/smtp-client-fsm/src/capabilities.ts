/**
 * The server's EHLO capabilities as the client uses them: a plain, structured-clone friendly
 * object (keyword -> parameters) plus the typed accessors the machine needs.
 */
import type { Reply } from 'smtp-reply-reader';
import { parseEhloReply } from 'smtp-capabilities';

/**
 * EHLO keywords (upper-case) and their parameters, from the post-greeting lines of a 250 reply.
 *
 * @example
 * caps.keywords['SIZE']; // ['35882577']
 * @see RFC 5321 §4.1.1.1, RFC 1869 §4.3
 */
export interface ServerCapabilities {
  /** True after a successful EHLO (false after HELO). */
  readonly esmtp: boolean;
  /** The greeting line of the EHLO reply (the server's name and text). */
  readonly greeting: string;
  readonly keywords: Readonly<Record<string, readonly string[]>>;
}

/**
 * Capabilities before any EHLO, after HELO, and right after TLS until the new EHLO (TLS-6).
 *
 * @example
 * conn.capabilities === NO_CAPABILITIES; // true until the EHLO reply
 * @see RFC 3207 §4.2
 */
export const NO_CAPABILITIES: ServerCapabilities = Object.freeze({ esmtp: false, greeting: '', keywords: Object.freeze({}) });

/**
 * Parses a 250 EHLO reply with smtp-capabilities' `parseEhloReply` (bounded, linear-time) into a
 * plain keyword map; the legacy `AUTH=LOGIN` form is merged into `AUTH`.
 *
 * @example
 * capabilitiesFromReply(reply).keywords['PIPELINING']; // []
 * @see RFC 5321 §4.1.1.1
 */
export function capabilitiesFromReply(reply: Reply): ServerCapabilities {
  const keywords: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const entry of parseEhloReply(reply).entries()) {
    const kw = entry.keyword.toUpperCase();
    const list = keywords[kw] ?? (keywords[kw] = []);
    for (const w of entry.params) if (!list.includes(w)) list.push(w);
  }
  return { esmtp: true, greeting: reply.lines[0] ?? '', keywords };
}

/** @internal */
export function hasCap(c: ServerCapabilities, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(c.keywords, k);
}

/** @internal SIZE limit, 0 for none. */
export function sizeLimit(c: ServerCapabilities): number {
  const v = c.keywords['SIZE']?.[0];
  const n = v !== undefined && /^[0-9]{1,15}$/.test(v) ? Number(v) : 0;
  return n;
}

/** @internal AUTH mechanisms, upper-case. */
export function authMechanisms(c: ServerCapabilities): string[] {
  return (c.keywords['AUTH'] ?? []).map((m) => m.toUpperCase());
}

/** @internal LIMITS (RFC 9422) value such as RCPTMAX or MAILMAX, undefined when absent. */
export function limit(c: ServerCapabilities, name: 'RCPTMAX' | 'MAILMAX' | 'RCPTDOMAINMAX'): number | undefined {
  for (const p of c.keywords['LIMITS'] ?? []) {
    const eq = p.indexOf('=');
    if (eq > 0 && p.slice(0, eq).toUpperCase() === name) {
      const v = p.slice(eq + 1);
      if (/^[0-9]{1,9}$/.test(v) && Number(v) > 0) return Number(v);
    }
  }
  return undefined;
}
