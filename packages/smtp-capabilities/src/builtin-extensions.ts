/**
 * The built-in service extensions: every registered ESMTP keyword that matters today, with how a
 * server advertises it, the verbs it adds and the MAIL/RCPT parameters it allows.
 */

import { isDateTime } from '@smtpkit/foundation';
import { CapabilitiesError } from './errors.js';
import type { AdvertiseContext, ExtensionDefinition } from './registry.js';
import type { SessionSettings } from './session.js';
import { isEhloParam, shown, stringList, upperAscii } from './syntax.js';

type Def = ExtensionDefinition<SessionSettings>;

/** Freezes the list, each definition and its arrays, so no caller can alter what later registries get. */
function deepFreeze(defs: Def[]): readonly Def[] {
  for (const d of defs) {
    if (d.verbs) {
      for (const v of d.verbs) Object.freeze(v);
      Object.freeze(d.verbs);
    }
    if (d.mailParams) Object.freeze(d.mailParams);
    if (d.rcptParams) Object.freeze(d.rcptParams);
    Object.freeze(d);
  }
  return Object.freeze(defs);
}

const optIn = (keyword: string) => (_s: SessionSettings, ctx: AdvertiseContext) => ctx.enabled(keyword);

/** A count to advertise (`0`: the keyword alone); `nine` for a grammar of `1*9DIGIT`. */
function count(what: string, n: number | undefined, nine?: boolean): string | boolean {
  if (n === undefined) return false;
  if (!Number.isSafeInteger(n) || n < 0 || (nine && n > 999_999_999)) {
    throw new CapabilitiesError('ERR_SMTP_INVALID_OPTION', `session ${what} must be a non-negative integer${nine ? ' of at most 9 digits' : ''}, got ${shown(n)}`);
  }
  return n === 0 ? true : String(n);
}

function positive(what: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new CapabilitiesError('ERR_SMTP_INVALID_OPTION', `session limits.${what} must be a positive integer, got ${shown(n)}`);
  return n;
}

/** A session list (any iterable of strings but a lone string or a typed array); `ERR_SMTP_INVALID_OPTION` otherwise. */
function sessionList(what: string, values: readonly string[] | undefined): readonly string[] | undefined {
  return stringList(values, () => new CapabilitiesError('ERR_SMTP_INVALID_OPTION', `session ${what} must be a list of strings`));
}

function list(what: string, values: readonly string[] | undefined): readonly string[] | false {
  return sessionList(what, values)?.map(upperAscii) ?? false;
}

/**
 * Every built-in extension definition, in the order a server advertises them (frozen; register
 * them in your own {@link ExtensionRegistry}, or use {@link defaultExtensionRegistry}).
 *
 * @example
 * ```ts
 * const onlySome = new ExtensionRegistry(BUILTIN_EXTENSIONS.filter((d) => d.keyword !== 'DSN'));
 * ```
 * @see RFC 5321 §2.2.2
 */
export const BUILTIN_EXTENSIONS: readonly ExtensionDefinition<SessionSettings>[] = deepFreeze([
  { keyword: 'PIPELINING', rfc: 'RFC 2920', description: 'command pipelining' },
  { keyword: 'SIZE', rfc: 'RFC 1870', description: 'message size declaration', advertise: (s) => count('maxSize', s.maxSize), mailParams: ['SIZE'] },
  { keyword: 'VRFY', rfc: 'RFC 5321 §3.5', description: 'address verification (keyword only)', advertise: optIn('VRFY') },
  { keyword: 'ETRN', rfc: 'RFC 1985', description: 'remote queue start', advertise: optIn('ETRN'), verbs: [{ name: 'ETRN' }] },
  { keyword: 'EXPN', rfc: 'RFC 5321 §3.5', description: 'mailing list expansion (keyword only)', advertise: optIn('EXPN') },
  { keyword: 'HELP', rfc: 'RFC 5321 §4.1.1.8', description: 'help (keyword only)', advertise: optIn('HELP') },
  { keyword: 'STARTTLS', rfc: 'RFC 3207', description: 'TLS upgrade', advertise: (s) => s.startTls === true && s.tls !== true, verbs: [{ name: 'STARTTLS', mustBeLastInGroup: true }] },
  {
    keyword: 'AUTH',
    rfc: 'RFC 4954',
    description: 'SASL authentication',
    advertise: (s) => {
      const mechanisms = sessionList('authMechanisms', s.authMechanisms);
      return mechanisms?.length && s.authenticated !== true && (s.tls === true || s.authBeforeTls === true) ? mechanisms.map(upperAscii) : false;
    },
    verbs: [{ name: 'AUTH', mustBeLastInGroup: true }],
    mailParams: ['AUTH'],
  },
  { keyword: 'ENHANCEDSTATUSCODES', rfc: 'RFC 2034', description: 'enhanced status codes in replies' },
  { keyword: '8BITMIME', rfc: 'RFC 6152', description: '8-bit MIME bodies', mailParams: ['BODY'] },
  { keyword: 'BINARYMIME', rfc: 'RFC 3030', description: 'binary MIME bodies (with CHUNKING)', advertise: optIn('BINARYMIME'), mailParams: ['BODY'] },
  { keyword: 'CHUNKING', rfc: 'RFC 3030', description: 'BDAT chunked message transfer', verbs: [{ name: 'BDAT' }] },
  { keyword: 'DSN', rfc: 'RFC 3461', description: 'delivery status notifications', mailParams: ['RET', 'ENVID'], rcptParams: ['NOTIFY', 'ORCPT'] },
  { keyword: 'SMTPUTF8', rfc: 'RFC 6531', description: 'internationalized email addresses', mailParams: ['SMTPUTF8'] },
  { keyword: 'REQUIRETLS', rfc: 'RFC 8689', description: 'TLS required for the whole delivery path', advertise: (s) => s.requireTls === true && s.tls === true, mailParams: ['REQUIRETLS'] },
  { keyword: 'DELIVERBY', rfc: 'RFC 2852', description: 'deliver-by time', advertise: (s) => count('deliverBy', s.deliverBy, true), mailParams: ['BY'] },
  { keyword: 'MT-PRIORITY', rfc: 'RFC 6710', description: 'message transfer priority', advertise: (s) => {
      const p: unknown = s.mtPriority;
      // one priority profile name (RFC 6710 §5), or none: a session value, so anything an EHLO
      // parameter cannot carry (a space, CR, LF, a control, non-ASCII) is a bad option
      if (p !== undefined && (typeof p !== 'string' || (p !== '' && !isEhloParam(p)))) throw new CapabilitiesError('ERR_SMTP_INVALID_OPTION', 'session mtPriority must be one profile name (printable ASCII)');
      return p === undefined ? false : p === '' ? true : p;
    }, mailParams: ['MT-PRIORITY'] },
  {
    keyword: 'FUTURERELEASE',
    rfc: 'RFC 4865',
    description: 'future message release',
    advertise: (s) => {
      const f = s.futureRelease;
      if (!f) return false;
      if (f.maxInterval === undefined || f.maxDateTime === undefined) throw new CapabilitiesError('ERR_SMTP_INVALID_OPTION', 'session futureRelease needs maxInterval and maxDateTime');
      // RFC 4865 §3: max-future-release-interval is 1*9DIGIT
      count('futureRelease.maxInterval', f.maxInterval, true);
      // RFC 4865 §3: an RFC 3339 date-time, checked as smtp-client-args checks HOLDUNTIL (the day within its month, 00-23 hours)
      if (typeof f.maxDateTime !== 'string' || !isDateTime(f.maxDateTime)) throw new CapabilitiesError('ERR_SMTP_INVALID_OPTION', 'session futureRelease.maxDateTime must be an RFC 3339 date-time');
      return [String(f.maxInterval), f.maxDateTime];
    },
    mailParams: ['HOLDFOR', 'HOLDUNTIL'],
  },
  {
    keyword: 'LIMITS',
    rfc: 'RFC 9422',
    description: 'recipient and transaction limits',
    advertise: (s) => {
      const l = s.limits;
      if (l === undefined || l === null) return false;
      // a string such as 'RCPTMAX=5' was taken as limits with no value and LIMITS silently not advertised
      if (typeof l !== 'object' || Array.isArray(l)) throw new CapabilitiesError('ERR_SMTP_INVALID_OPTION', 'session limits must be { rcptMax?, mailMax?, rcptDomainMax? }');
      const out: string[] = [];
      if (l.rcptMax !== undefined) out.push(`RCPTMAX=${positive('rcptMax', l.rcptMax)}`);
      if (l.mailMax !== undefined) out.push(`MAILMAX=${positive('mailMax', l.mailMax)}`);
      if (l.rcptDomainMax !== undefined) out.push(`RCPTDOMAINMAX=${positive('rcptDomainMax', l.rcptDomainMax)}`);
      return out.length ? out : false;
    },
  },
  { keyword: 'RRVS', rfc: 'RFC 7293', description: 'require recipient valid since', advertise: optIn('RRVS'), rcptParams: ['RRVS'] },
  { keyword: 'MTRK', rfc: 'RFC 3885', description: 'message tracking', advertise: optIn('MTRK'), mailParams: ['MTRK'] },
  { keyword: 'CONPERM', rfc: 'RFC 4141', description: 'content conversion permission', advertise: optIn('CONPERM'), mailParams: ['CONPERM'] },
  { keyword: 'CONNEG', rfc: 'RFC 4141', description: 'content negotiation', advertise: optIn('CONNEG'), rcptParams: ['CONNEG'] },
  { keyword: 'NO-SOLICITING', rfc: 'RFC 3865', description: 'no-soliciting keywords', advertise: (s, ctx) => (sessionList('noSoliciting', s.noSoliciting) ?? (ctx.enabled('NO-SOLICITING') ? [] : false)), mailParams: ['SOLICIT'] },
  { keyword: 'BURL', rfc: 'RFC 4468', description: 'message assembly from URLs', advertise: (s, ctx) => (sessionList('burl', s.burl) ?? (ctx.enabled('BURL') ? [] : false)), verbs: [{ name: 'BURL' }] },
  { keyword: 'ATRN', rfc: 'RFC 2645', description: 'authenticated TURN', advertise: optIn('ATRN'), verbs: [{ name: 'ATRN', mustBeLastInGroup: true }] },
  { keyword: 'XCLIENT', rfc: 'Postfix XCLIENT_README', description: 'client attribute override by a trusted proxy', advertise: (s) => list('xclient', s.xclient), verbs: [{ name: 'XCLIENT', mustBeLastInGroup: true }] },
  { keyword: 'XFORWARD', rfc: 'Postfix XFORWARD_README', description: 'forwarded client attributes from a trusted filter', advertise: (s) => list('xforward', s.xforward), verbs: [{ name: 'XFORWARD' }] },
]);
