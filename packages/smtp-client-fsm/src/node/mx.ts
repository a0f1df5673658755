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

const NO_RECORD = new Set(['ENODATA', 'ENOTFOUND', 'NODATA', 'NOTFOUND']);

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
  let records: { exchange: string; priority: number }[] = [];
  try {
    records = await resolver.resolveMx(domain);
  } catch (e) {
    if (!NO_RECORD.has((e as { code?: string }).code ?? '')) throw e;
  }
  if (records.length === 1 && (records[0]!.exchange === '' || records[0]!.exchange === '.')) {
    throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_ADDRESS', `${domain} publishes a null MX: it accepts no mail`, 'remote');
  }
  if (records.length > 0) {
    return records
      .filter((r) => r.exchange !== '' && r.exchange !== '.')
      .sort((a, b) => a.priority - b.priority)
      .map((r) => ({ exchange: r.exchange, priority: r.priority, implicit: false }));
  }
  // the domain itself, in A-labels: what the address lookup and TLS need (Node's lookup does not convert)
  const host = asciiHostName(domain);
  await resolver.lookup(host); // throws ENOTFOUND when there is no A/AAAA either
  return [{ exchange: host, priority: 0, implicit: true }];
}
