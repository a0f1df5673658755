/**
 * The EHLO line scanner and the keyword index behind parseEhloReply: one pass over each line,
 * char-code scanning only, bounded counts (security-requirements DOS-10, X-4).
 */

import type {
  CapabilityEntry,
  CapabilityWarning,
  CapabilityWarningCode,
  ServerLimits,
  TypedValues,
} from './capabilities.js';
import { isAlnum, parseCount, upperAscii } from './syntax.js';
import { isDateTime } from '@smtpkit/foundation';

const NO_PARAMS: readonly string[] = Object.freeze([]);

/** Collects warnings up to a cap, then records a single `too-many-warnings`. */
export class WarningSink {
  readonly list: CapabilityWarning[] = [];
  #full = false;
  constructor(private readonly max: number) {}

  add(code: CapabilityWarningCode, line: number, message: string, keyword?: string): void {
    if (this.#full) return;
    if (this.list.length >= this.max) {
      this.#full = true;
      this.list.push({ code: 'too-many-warnings', line, message: `more than ${this.max} warnings; the rest are not reported` });
      return;
    }
    this.list.push(keyword === undefined ? { code, line, message } : { code, line, keyword, message });
  }
}

/**
 * Scans one keyword line: `ehlo-keyword *(SP ehlo-param)`, or the legacy `KEYWORD=params` form.
 * Never throws; returns undefined for an empty line.
 */
export function scanLine(raw: string, line: number, maxParams: number, sink: WarningSink): CapabilityEntry | undefined {
  const len = raw.length;
  let i = 0;
  while (i < len && raw.charCodeAt(i) === 0x20) i++;
  if (i === len) {
    sink.add('empty-line', line, 'empty line in the EHLO reply');
    return undefined;
  }
  const start = i;
  let form: CapabilityEntry['form'] = isAlnum(raw.charCodeAt(i)) ? 'standard' : 'malformed';
  let c = 0;
  let lower = false;
  for (; i < len; i++) {
    c = raw.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) continue;
    if (c === 0x20 || c === 0x3d) break;
    if (c >= 0x61 && c <= 0x7a) lower = true;
    else if ((c < 0x30 || c > 0x39) && c !== 0x2d) form = 'malformed';
  }
  const token = start === 0 && i === len ? raw : raw.slice(start, i);
  const keyword = lower || form === 'malformed' ? upperAscii(token) : token;
  if (form === 'malformed' || start) {
    // a good keyword after spaces: the line breaks ehlo-line, not the keyword, and says so
    sink.add('invalid-keyword', line, `${form === 'malformed' ? 'malformed' : 'space before'} EHLO keyword ${JSON.stringify(keyword.slice(0, 64))}; kept as is`, keyword);
    form = 'malformed';
  } else if (i < len && c === 0x3d) {
    form = 'legacy';
  }
  if (i < len) i++; // the SP or "="
  if (i >= len) return { keyword, params: NO_PARAMS, raw, line, form };
  const params: string[] = [];
  let badParam = false;
  let truncated = false;
  while (i < len) {
    c = raw.charCodeAt(i);
    if (c === 0x20) {
      i++;
      continue;
    }
    const p = i;
    for (; i < len; i++) {
      c = raw.charCodeAt(i);
      if (c === 0x20) break;
      if (c < 33 || c > 126) badParam = true;
    }
    if (params.length >= maxParams) {
      truncated = true;
      break;
    }
    params.push(raw.slice(p, i));
  }
  if (badParam) sink.add('invalid-param', line, `${keyword}: a parameter holds characters outside %d33-126`, keyword);
  if (truncated) sink.add('too-many-params', line, `${keyword}: more than ${maxParams} parameter${maxParams === 1 ? '' : 's'}; the rest are ignored`, keyword);
  return { keyword, params, raw, line, form };
}

function sameParams(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (upperAscii(a[i]!) !== upperAscii(b[i]!)) return false;
  return true;
}

function upperSet(params: readonly string[]): Set<string> {
  const s = new Set<string>();
  for (const p of params) s.add(upperAscii(p));
  return s;
}

/** Keywords whose RFC defines no parameters (RFC 2920, 3207, 6152, 3030, 3461, 2034, 6531, 8689). */
const NO_PARAMS_KEYWORDS = ['PIPELINING', 'STARTTLS', '8BITMIME', 'BINARYMIME', 'CHUNKING', 'DSN', 'ENHANCEDSTATUSCODES', 'SMTPUTF8', 'REQUIRETLS'];
/** Keywords with one optional parameter (RFC 1870, 2852, 6710): the typed value reads the first. */
const ONE_PARAM_KEYWORDS = ['SIZE', 'DELIVERBY', 'MT-PRIORITY'];

/**
 * The most parameters an upper-case `keyword` takes: 0 or 1 for those above, `given` (the count
 * it has) for any other. What parseEhloReply warns about (`invalid-param`) and formatEhloReply
 * refuses. @internal
 */
export function mostParams(keyword: string, given: number): number {
  return ONE_PARAM_KEYWORDS.includes(keyword) ? 1 : NO_PARAMS_KEYWORDS.includes(keyword) ? 0 : given;
}

function decode(e: CapabilityEntry, typed: TypedValues, sink: WarningSink): void {
  const p = e.params;
  // more parameters than the keyword takes: the keyword (and its first parameter) still count;
  // params() keeps them all
  const most = mostParams(e.keyword, p.length);
  if (p.length > most) {
    const says = most === 0 ? 'takes no parameters; they are ignored' : 'takes one parameter; the rest are ignored';
    sink.add('invalid-param', e.line, `${e.keyword} ${says}`, e.keyword);
  }
  switch (e.keyword) {
    case 'SIZE': {
      const v = p[0];
      if (v === undefined) typed.size = 0;
      else {
        const n = parseCount(v);
        if (n === undefined) sink.add('invalid-param', e.line, `SIZE ${JSON.stringify(v.slice(0, 40))} is not 1 to 20 digits; taken as no limit`, 'SIZE');
        typed.size = n ?? 0;
      }
      return;
    }
    case 'AUTH':
      for (const m of p) typed.auth.add(upperAscii(m));
      return;
    case 'DELIVERBY': {
      const v = p[0];
      if (v === undefined) typed.deliverBy = 0;
      else {
        // RFC 2852 §4: min-by-time is 1*9DIGIT, as advertise() writes it
        const n = parseCount(v, 9);
        if (n === undefined) sink.add('invalid-param', e.line, `DELIVERBY ${JSON.stringify(v.slice(0, 40))} is not 1 to 9 digits`, 'DELIVERBY');
        typed.deliverBy = n ?? 0;
      }
      return;
    }
    case 'MT-PRIORITY':
      typed.mtPriority = p[0] ?? '';
      return;
    case 'FUTURERELEASE': {
      // RFC 4865 §3: max-future-release-interval is 1*9DIGIT (as advertise() writes it and HOLDFOR
      // takes it), the date-time an RFC 3339 one, checked as the formatter and smtp-client-args check one
      const interval = parseCount(p[0], 9);
      const max = p[1] !== undefined && isDateTime(p[1]) ? p[1] : undefined;
      if (interval === undefined || max === undefined) {
        sink.add('invalid-param', e.line, 'FUTURERELEASE needs 1 to 9 digits and an RFC 3339 date-time', 'FUTURERELEASE');
      }
      typed.futureRelease = { maxInterval: interval, maxDateTime: max };
      return;
    }
    case 'LIMITS': {
      const limits: { rcptMax?: number; mailMax?: number; rcptDomainMax?: number } = {};
      for (const item of p) {
        const eq = item.indexOf('=');
        const name = upperAscii(eq < 0 ? item : item.slice(0, eq));
        const field = name === 'RCPTMAX' ? 'rcptMax' : name === 'MAILMAX' ? 'mailMax' : name === 'RCPTDOMAINMAX' ? 'rcptDomainMax' : undefined;
        if (field === undefined) continue; // unknown limits stay available through params('LIMITS')
        const n = eq < 0 ? undefined : parseCount(item.slice(eq + 1));
        // a limit given twice in the line: its first good value is used, the repeat reported
        if (!n || limits[field] !== undefined) sink.add('invalid-param', e.line, `LIMITS ${JSON.stringify(item.slice(0, 40))} needs one positive number per limit`, 'LIMITS');
        else limits[field] = n;
      }
      typed.limits = limits satisfies ServerLimits;
      return;
    }
    case 'XCLIENT':
      typed.xclient = upperSet(p);
      return;
    case 'XFORWARD':
      typed.xforward = upperSet(p);
      return;
    case 'BURL':
      typed.burl = p;
      return;
    case 'NO-SOLICITING':
      typed.noSoliciting = p;
      return;
    default:
      return;
  }
}

/**
 * Builds the keyword index and typed values from scanned entries: first standard-form line wins,
 * AUTH lines merge, conflicting duplicates are reported.
 */
export function indexEntries(
  entries: readonly CapabilityEntry[],
  sink: WarningSink = new WarningSink(0),
): { byKeyword: Map<string, CapabilityEntry>; typed: TypedValues } {
  const byKeyword = new Map<string, CapabilityEntry>();
  const typed: TypedValues = { auth: new Set() };
  for (const e of entries) {
    const prev = byKeyword.get(e.keyword);
    if (prev === undefined) {
      byKeyword.set(e.keyword, e);
      decode(e, typed, sink);
      continue;
    }
    if (e.keyword === 'AUTH') {
      for (const m of e.params) typed.auth.add(upperAscii(m));
      if (prev.form === 'legacy' && e.form === 'standard') byKeyword.set('AUTH', e);
      continue;
    }
    if (prev.form === 'legacy' && e.form === 'standard') {
      byKeyword.set(e.keyword, e);
      decode(e, typed, sink);
      continue;
    }
    if (!sameParams(prev.params, e.params)) {
      sink.add('duplicate-keyword', e.line, `${e.keyword} advertised again with different parameters; the first line (${prev.line}) wins`, e.keyword);
    }
  }
  return { byKeyword, typed };
}
