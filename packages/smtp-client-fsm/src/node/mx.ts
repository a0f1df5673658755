import { SmtpClientError } from 'smtp-client-fsm';
import { promises as dns } from 'node:dns';
import { asciiHostName } from './client.js';

/**
 * One mail exchanger, lowest `priority` first.
 *
 * @example
 * const hosts: MxHost[] = await resolveMx('example.com');
 * @see RFC 5321 §5.1
 */
export interface MxHost {
  readonly exchange: string;
  readonly priority: number;
  /** True when there is no MX and the domain's own A/AAAA record is used (implicit MX). */
  readonly implicit: boolean;
}

/** DNS errors that mean "no MX record": no data for the name, or no such name (`NXDOMAIN`). */
const NO_DATA: ReadonlySet<string> = new Set(['ENODATA', 'NODATA']);
const NO_NAME: ReadonlySet<string> = new Set(['ENOTFOUND', 'NOTFOUND']);

/**
 * @internal True when a DNS error says the record does not exist (no data for the name, or no such
 * name): an answer, unlike a failure to get one (SERVFAIL, a timeout, a refused query).
 */
export function noRecord(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (NO_DATA.has(code) || NO_NAME.has(code));
}

/**
 * @internal What a domain's MX records say, the one reading `resolveMx` and `deliver` share:
 * a null MX (RFC 7505 §3: the domain's single MX is `.`; a `.` beside real exchangers is ignored),
 * the exchangers by preference (grouped, lowest first), or none (the implicit MX, RFC 5321 §5.1,
 * is the domain itself in A-labels; `nxdomain` when the name does not exist at all; `answer`, the
 * resolver's error that said there is no MX record or no such name, when it said so). DNS errors
 * other than "no record" are thrown.
 */
export async function mxRecords(domain: string, resolver: Pick<typeof dns, 'resolveMx'>): Promise<{ readonly kind: 'null' } | { readonly kind: 'implicit'; readonly host: string; readonly nxdomain: boolean; readonly answer?: unknown } | { readonly kind: 'exchangers'; readonly byPriority: ReadonlyMap<number, readonly string[]> }> {
  let records: { exchange: string; priority: number }[] = [];
  let nxdomain = false;
  let answer: unknown;
  try {
    records = await resolver.resolveMx(domain);
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    nxdomain = NO_NAME.has(code);
    if (!nxdomain && !NO_DATA.has(code)) throw e;
    answer = e;
  }
  const isNull = (r: { exchange: string }): boolean => r.exchange === '' || r.exchange === '.';
  if (records.length === 1 && isNull(records[0]!)) return { kind: 'null' };
  const real = records.filter((r) => !isNull(r));
  // the domain itself, in A-labels: what the address lookup and TLS need (Node's lookup does not convert)
  if (real.length === 0) return { kind: 'implicit', host: asciiHostName(domain), nxdomain, ...(answer !== undefined ? { answer } : {}) };
  const byPriority = new Map<number, string[]>();
  for (const r of [...real].sort((a, b) => a.priority - b.priority)) {
    let same = byPriority.get(r.priority);
    if (!same) byPriority.set(r.priority, (same = []));
    same.push(r.exchange);
  }
  return { kind: 'exchangers', byPriority };
}

/**
 * The mail exchangers of a domain in preference order (RFC 5321 §5.1): MX records sorted by
 * preference, or the domain itself when it has no MX but has an A/AAAA record. A null MX
 * (RFC 7505) throws `ERR_SMTP_CLIENT_INVALID_ADDRESS`: the domain accepts no mail.
 *
 * @example
 * const [best] = await resolveMx('example.com'); await sendMail({ host: best.exchange, port: 25, ... });
 * @see RFC 5321 §5.1, RFC 7505
 */
export async function resolveMx(domain: string, resolver: Pick<typeof dns, 'resolveMx' | 'lookup'> = dns): Promise<MxHost[]> {
  const mx = await mxRecords(domain, resolver);
  if (mx.kind === 'null') throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_ADDRESS', `${domain} publishes a null MX: it accepts no mail`, 'remote');
  if (mx.kind === 'exchangers') return [...mx.byPriority].flatMap(([priority, hosts]) => hosts.map((exchange) => ({ exchange, priority, implicit: false })));
  await resolver.lookup(mx.host); // throws ENOTFOUND when there is no A/AAAA either
  return [{ exchange: mx.host, priority: 0, implicit: true }];
}
