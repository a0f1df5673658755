// deliver(): a message to recipients on other domains, through each domain's mail exchangers.
import { messageOutcome, SmtpClientError, STAGE } from 'smtp-client-fsm';
import type { MessageOutcome, RecipientResult, ClientErrorCode } from 'smtp-client-fsm';
import type { Reply } from 'smtp-reply-reader';
import { promises as dns } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { ipv6Groups, isIterableObject } from '@smtpkit/foundation';
import { callerOptions, connect, courtesyQuit } from './client.js';
import { mxRecords, noRecord } from './mx.js';
import { describeFailure, isWholeBody, openBody } from './body-source.js';
import type { BodyFactory, BodySource } from './body-source.js';
import { carryOnUntried, deferredWith, untriedAtMailMax } from './carry-over.js';
// the core's own rule (pure code, no state: a copy in this entry is harmless)
import { checkPath, recipientKey } from '../checks.js';
import { describeReply } from '../reply-text.js';
import type { ConnectOptions, SendInput, SendResult, SmtpClient } from './client.js';

/** The DNS queries `deliver` makes; a `dns.promises.Resolver` (e.g. with `setServers`) fits. */
export type MxResolver = Pick<dns.Resolver, 'resolveMx' | 'resolve4' | 'resolve6'>;

/**
 * Options of {@link deliver}: connection options without `host` (the exchangers are looked up),
 * the message, and an optional resolver.
 *
 * @example
 * await deliver({ from: 'a@example.com', to: ['b@example.org', 'c@example.net'], body, resolver });
 * @see RFC 5321 §5
 */
export interface DeliverOptions extends Omit<ConnectOptions, 'host'>, Omit<SendInput, 'body'> {
  /**
   * The message: a {@link BodySource} (a string or bytes go to every exchanger and domain that
   * needs them; a stream or async iterable is read once, so it goes to one domain and no further
   * than the first session that read it), or a {@link BodyFactory}, called once for each attempt
   * that needs the body (after the exchanger took the session), so a streamed body falls back to
   * the next exchanger and goes to several domains as a string would, each source released unless
   * read to its end. A factory that throws, rejects or returns no body source, or a source that
   * fails while it is read, defers that domain's recipients with
   * `ERR_SMTP_CLIENT_BODY_SOURCE_FAILED` (that attempt in `attempts` with the error's text).
   *
   * @example
   * await deliver({ from, to, body: () => fs.createReadStream('message.eml') });
   * @see RFC 5321 §5.1
   */
  readonly body: BodySource | BodyFactory;
  /** Default: a fresh `dns.promises.Resolver` with the system's servers. */
  readonly resolver?: MxResolver;
  /**
   * Exchanger addresses tried at most per recipient domain, counted over all its MX hosts in
   * order (each connection attempt, failed or not, is one; a new connection to an address already
   * tried, carrying on the recipients its LIMITS MAILMAX left untried, is the same address and not
   * one more): an integer >= 1, or `Infinity` for no limit. Default 5, as Postfix's `smtp_mx_address_limit`: a domain whose DNS lists many silent
   * exchangers costs at most this many `connectTimeout`s. When it stops the attempts, the
   * recipients still deferred get `ERR_SMTP_CLIENT_MAX_ADDRESSES_REACHED` (a session's reply they
   * had stays in `reply`).
   *
   * @example
   * await deliver({ from, to, body, maxAddresses: 10 });
   * @see RFC 5321 §5.1 (a configurable limit on the alternate addresses tried)
   */
  readonly maxAddresses?: number;
  /**
   * Sessions tried at most per recipient domain: exchanger addresses that took the session (a 220
   * greeting, and EHLO, STARTTLS and AUTH as used, all accepted) without taking the message (a 421,
   * a lost connection or a timeout before it was accepted, or a refusal before MAIL for an extension
   * that server does not offer, such as 8BITMIME), each one. An address that refused the
   * connection, timed out, or refused the session before that (a 4xx greeting) is no session:
   * `maxAddresses` alone counts it. A new connection that carries on the recipients LIMITS MAILMAX
   * left untried is one such session when it took the session and then none of them (a 421, a
   * lost connection or a timeout before they were accepted), as is the connection that left them
   * when the message ends up taken nowhere there. An integer >= 1, or `Infinity` for no limit. Default 2, as
   * Postfix's `smtp_mx_session_limit`: a domain whose exchangers all take the session and then
   * say 421 costs at most this many sessions (each may have carried the whole body). When it stops
   * the attempts, the recipients still deferred get `ERR_SMTP_CLIENT_MAX_SESSIONS_REACHED` (a
   * session's reply they had stays in `reply`); when both limits are reached at once,
   * `maxAddresses` names the stop. When a limit stops the carry-over of recipients LIMITS
   * MAILMAX left untried (sessions reached), those get its code instead of
   * `ERR_SMTP_CLIENT_MAILMAX_REACHED`.
   *
   * @example
   * await deliver({ from, to, body, maxSessions: 3 });
   * @see RFC 5321 §5.1 (a configurable limit on the alternate addresses tried)
   */
  readonly maxSessions?: number;
  /**
   * Asked for every exchanger address before it is dialled, after DNS answered (and for an
   * address-literal recipient, with the literal as `exchange`): `true` dials it; anything else,
   * or a throw, refuses it (fail closed). A refused address is not dialled, is not one of
   * `maxAddresses`, and is in `attempts` with its `error` (the thrown error's text when it threw);
   * it counts as no address of that exchanger. When no address of a domain was dialled and this
   * refused one, its recipients get `ERR_SMTP_CLIENT_ADDRESS_REFUSED` (a domain with no address at
   * all keeps `ERR_SMTP_CLIENT_INVALID_ADDRESS`): rejected for good when it answered for every
   * address its exchangers have, as for a domain without one; deferred when it threw (the policy's
   * own failure, not an answer about the domain, as after a failed DNS lookup). When another
   * exchanger's address lookup failed, the recipients are deferred with that failure's code,
   * `ERR_SMTP_CLIENT_CONNECTION_LOST` as for any failed lookup (it is the reason to try again: the
   * exchanger may have an allowed address), the refusals kept in `attempts`. Once an address was
   * dialled, a deferral names that attempt's failure. Default: none, every address DNS gives is dialled. A relay
   * that delivers for others sets it (e.g. {@link publicAddressesOnly}), or a recipient's domain
   * (or an address literal) can point it at loopback or the internal network.
   *
   * @example
   * await deliver({ from, to, body, isAllowedAddress: publicAddressesOnly });
   * @see RFC 5321 §5.1
   */
  readonly isAllowedAddress?: (address: string, exchange: string) => boolean;
}

/** Ranges no relay delivering for others should dial (RFC 6890's special-purpose registries). */
let special: BlockList | undefined;
function specialRanges(): BlockList {
  if (special) return special;
  const list = new BlockList();
  const v4: [string, number][] = [
    ['0.0.0.0', 8], // this network, unspecified
    ['10.0.0.0', 8], // RFC 1918
    ['100.64.0.0', 10], // shared address space (CGNAT)
    ['127.0.0.0', 8], // loopback
    ['169.254.0.0', 16], // link-local
    ['172.16.0.0', 12], // RFC 1918
    ['192.0.0.0', 24], // IETF protocol assignments
    ['192.0.2.0', 24], // documentation
    ['192.88.99.0', 24], // 6to4 relay anycast (deprecated, RFC 7526)
    ['192.168.0.0', 16], // RFC 1918
    ['198.18.0.0', 15], // benchmarking
    ['198.51.100.0', 24], // documentation
    ['203.0.113.0', 24], // documentation
    ['224.0.0.0', 4], // multicast
    ['240.0.0.0', 4], // reserved, and the limited broadcast address
  ];
  const v6: [string, number][] = [
    // (::/8 is refused in publicAddressesOnly: here it would hold every IPv4 address, as mapped)
    ['100::', 64], // discard-only
    ['2001::', 23], // IETF protocol assignments: Teredo, benchmarking, ORCHIDv2, AMT...
    ['2001:db8::', 32], // documentation
    ['2002::', 16], // 6to4
    ['3fff::', 20], // documentation
    ['fc00::', 7], // unique local
    ['fe80::', 10], // link-local
    ['fec0::', 10], // site-local (deprecated)
    ['ff00::', 8], // multicast
  ];
  for (const [net, bits] of v4) list.addSubnet(net, bits, 'ipv4');
  for (const [net, bits] of v6) list.addSubnet(net, bits, 'ipv6');
  return (special = list);
}

/**
 * An {@link DeliverOptions.isAllowedAddress} for a relay that delivers for others: true for a
 * public unicast IPv4 or IPv6 address; false for loopback, private (RFC 1918), shared (CGNAT,
 * 100.64.0.0/10), link-local, unspecified, multicast, reserved, benchmarking and documentation
 * ranges, the 6to4 relay anycast prefix (`192.88.99.0/24`), their IPv6 equivalents (`::1`,
 * `fc00::/7`, `fe80::/10`, `fec0::/10`, `ff00::/8`, `2001:db8::/32`, `3fff::/20`, ...), the IETF
 * protocol assignments `2001::/23` (Teredo, benchmarking, ORCHIDv2 and the rest: no mail
 * exchangers), an address with a zone (`fe80::1%eth0`), and anything that is not an IP address. IPv6 addresses that lead to an IPv4 one, in any form `isIP`
 * takes (any case, `::`, a dotted quad or hex groups):
 * - IPv4-mapped (`::ffff:0:0/96`) and NAT64's well-known prefix (`64:ff9b::/96`, RFC 6052, which
 *   a NAT64 gateway translates to the embedded address): false when the IPv4 address is refused
 *   (`::ffff:7f00:1`, `64:ff9b::10.0.0.5`), true for a public one (`64:ff9b::8.8.8.8`, an MX seen
 *   through DNS64);
 * - the rest of `::/8`, reserved (RFC 4291): false, public or not: the deprecated IPv4-compatible
 *   `::a.b.c.d`, IPv4-translated `::ffff:0:a.b.c.d`, the rest of `64:ff9b::/32` and local-use
 *   NAT64 (`64:ff9b:1::/48`);
 * - 6to4 (`2002::/16`, RFC 3056) and Teredo (`2001::/32`, RFC 4380): false, public or not. Both are
 *   obsolete transition mechanisms (RFC 7526; Teredo's servers are gone) no mail exchanger needs,
 *   and the IPv4 address they carry names a tunnel end, not the host reached: a 6to4 address of the
 *   relay's own site, behind its public router, is a host of its internal network.
 *
 * @example
 * await deliver({ from, to, body, isAllowedAddress: publicAddressesOnly });
 * publicAddressesOnly('10.0.0.5'); // false
 * publicAddressesOnly('64:ff9b::7f00:1'); // false: 127.0.0.1 through NAT64
 * @see RFC 6890, RFC 1918, RFC 6598, RFC 4193, RFC 4291, RFC 6052, RFC 3056, RFC 4380, RFC 7526
 */
export function publicAddressesOnly(address: string): boolean {
  const family = typeof address === 'string' && !address.includes('%') ? isIP(address) : 0;
  if (family === 0) return false;
  try {
    if (family === 4) return !specialRanges().check(address, 'ipv4');
    const g = ipv6Groups(address);
    // IPv4-mapped (::ffff:0:0/96), NAT64's well-known prefix (64:ff9b::/96): the IPv4 address reached
    const zero = g[2] === 0 && g[3] === 0 && g[4] === 0;
    const mapped = zero && g[0] === 0 && g[1] === 0 && g[5] === 0xffff;
    const nat64 = zero && g[0] === 0x64 && g[1] === 0xff9b && g[5] === 0;
    if (mapped || nat64) {
      return !specialRanges().check(`${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`, 'ipv4');
    }
    // the rest of ::/8 is reserved: unspecified, loopback, IPv4-compatible (::/96, deprecated),
    // IPv4-translated, the rest of 64:ff9b::/32 with local-use NAT64 (64:ff9b:1::/48)
    return g[0]! >= 0x100 && !specialRanges().check(address, 'ipv6');
  } catch {
    return false;
  }
}

/**
 * Why `isAllowedAddress` refused an address (undefined: it allowed it), and whether the refusal is
 * an answer (`false`, or anything but `true`) or the predicate's own failure (a throw: the address
 * is not dialled either, but, like a failed DNS lookup, that says nothing about the domain, so its
 * recipients are deferred rather than failed).
 */
function refusal(allowed: DeliverOptions['isAllowedAddress'], address: string, exchange: string): { readonly error: string; readonly threw: boolean } | undefined {
  if (!allowed) return undefined;
  try {
    if (allowed(address, exchange) === true) return undefined;
  } catch (e) {
    return { error: `refused by isAllowedAddress: it threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, threw: true };
  }
  return { error: 'refused by isAllowedAddress: not dialled', threw: false };
}

/**
 * One connection attempt made by {@link deliver}, or an address `isAllowedAddress` refused (not
 * dialled). An attempt that did not take the message says what stopped it there: `error` (text),
 * `code` and, when a server refused, its `reply`; so each exchanger's own refusal is kept when
 * several refused for different reasons (the recipients carry one code, the last attempt's).
 *
 * @example
 * for (const a of r.domains[0]?.attempts ?? []) if (a.code) console.warn(a.exchange, a.address, a.code, a.reply?.code);
 * @see RFC 5321 §5.1
 */
export interface DeliveryAttempt {
  readonly exchange: string;
  readonly address: string;
  /** Why this address was left for the next one (for a refused address, why it was not dialled). */
  readonly error?: string;
  /**
   * The code of that failure: the connection's (`ERR_SMTP_CLIENT_TLS_REQUIRED`,
   * `ERR_SMTP_CLIENT_GREETING_REJECTED`, `ERR_SMTP_CLIENT_XCLIENT_UNAVAILABLE`...), a refusal
   * before MAIL for what that server does not offer (`ERR_SMTP_CLIENT_SMTPUTF8_UNAVAILABLE`...),
   * `ERR_SMTP_CLIENT_CONNECTION_LOST` or `ERR_SMTP_CLIENT_TIMEOUT` for a session that ended before
   * the message was accepted (a 421 among them, its reply in `reply`), or
   * `ERR_SMTP_CLIENT_ADDRESS_REFUSED` for an address `isAllowedAddress` refused. Set with `error`.
   */
  readonly code?: ClientErrorCode;
  /** The server's reply behind that failure, when a server gave one (a 4xx greeting, a 421, a refused XCLIENT...). */
  readonly reply?: Reply;
}

/** An attempt that failed with `e` (an error thrown by `connect()` or `send()`): its text, code and reply. */
function failedAttempt(exchange: string, address: string, e: unknown): DeliveryAttempt {
  const err = e instanceof SmtpClientError ? e : undefined;
  // the core's errors carry the whole reply (its enhanced code and lines), not only code and text
  const reply = err?.reply as Partial<Reply> | undefined;
  return { exchange, address, error: e instanceof Error ? e.message : String(e), ...(err ? { code: err.code } : {}), ...(reply && Array.isArray(reply.lines) ? { reply: reply as Reply } : {}) };
}

/**
 * A DNS query of {@link deliver} that gave no records, with the resolver's own error: a lookup that
 * failed (`failed: true`: SERVFAIL, a timeout, a refused query, anything but an answer), or DNS
 * answering that there is no such name or record (`failed: false`: `ENOTFOUND`, `ENODATA`).
 *
 * @example
 * for (const e of r.domains[0]?.lookupErrors ?? []) console.warn(`${e.type} ${e.name}: ${e.code ?? e.error}`);
 * @see RFC 5321 §5.1, RFC 2308 (NXDOMAIN and NODATA answers)
 */
export interface LookupError {
  /** The query: the recipient domain's MX records, or an exchanger's (or implicit MX's) addresses. */
  readonly type: 'MX' | 'A' | 'AAAA';
  /** The name asked for (an exchanger, or the domain, in A-labels as it was asked). */
  readonly name: string;
  /** The resolver's error code (`ESERVFAIL`, `ETIMEOUT`, `ECONNREFUSED`, `ENOTFOUND`, `ENODATA`...), when it gave one. */
  readonly code?: string;
  /** The resolver's error text (`queryMx ESERVFAIL example.com`). */
  readonly error: string;
  /** True when the lookup failed (no answer: a later try may get one); false when DNS answered that there is no such name or record. */
  readonly failed: boolean;
}

/**
 * Why {@link deliver} tried no exchanger of a domain, a stable value to branch on (the text is
 * {@link DomainDelivery.reason}):
 * - `null-mx`: the domain publishes a null MX (RFC 7505): it accepts no mail; recipients rejected.
 * - `no-such-domain`: DNS answered that the domain does not exist (NXDOMAIN); rejected.
 * - `no-address`: no MX record and no address for the domain, or MX records none of whose
 *   exchangers has an address, as DNS answered (RFC 5321 §5.1); rejected.
 * - `bad-address-literal`: an address literal naming no IPv4 or IPv6 address (`[x-tag:...]`); rejected.
 * - `dns-failed`: the MX lookup, or every address lookup that could have given an address, failed
 *   (SERVFAIL, a timeout...); deferred, the resolver's errors in {@link DomainDelivery.lookupErrors}.
 * - `address-refused`: every address found was refused by `isAllowedAddress` (rejected), or it
 *   threw for some (deferred); each refusal is in {@link DomainDelivery.attempts}.
 */
export type DomainReasonCode = 'null-mx' | 'no-such-domain' | 'no-address' | 'bad-address-literal' | 'dns-failed' | 'address-refused';

/** What happened for one recipient domain. */
export interface DomainDelivery {
  readonly domain: string;
  /** Its recipients as {@link DeliverResult.recipients} lists them (each spelling given, in order). */
  readonly recipients: readonly RecipientResult[];
  /**
   * Every address tried, in order: an address once per connection to it (again for each new
   * connection that carried on recipients LIMITS MAILMAX left untried there), and each address
   * `isAllowedAddress` refused, where it would have been tried, with its `error`.
   */
  readonly attempts: readonly DeliveryAttempt[];
  /**
   * The DNS lookups that gave no records, in the order asked (an exchanger's AAAA query before
   * its A query): every one that failed (its recipients deferred with
   * `ERR_SMTP_CLIENT_CONNECTION_LOST` when no address took the message), and, when the domain's
   * recipients were refused for what DNS answered (`ERR_SMTP_CLIENT_INVALID_ADDRESS`: no such
   * domain, no MX and no address, exchangers without one), the answers that said so. Absent when
   * there is none (an exchanger with an A record and no AAAA one is no error).
   */
  readonly lookupErrors?: readonly LookupError[];
  /**
   * Why no exchanger of this domain was dialled, when none was: a null MX, no such domain, no
   * address, an address literal naming none, a failed DNS lookup, every address refused by
   * `isAllowedAddress` (`example.org publishes a null MX: it accepts no mail`). Absent when an
   * address was dialled (each attempt then says why it did not take the message). The recipients'
   * `errorCode` stays the code that decides a retry; this says what the domain's DNS or policy did.
   */
  readonly reason?: string;
  /** The kind of {@link DomainDelivery.reason}, stable across versions (set with it). */
  readonly reasonCode?: DomainReasonCode;
  /**
   * The send result when a server took the transaction: one result over every connection to that
   * address when LIMITS MAILMAX had its recipients carried on (see {@link mergeSendResults}).
   */
  readonly result?: SendResult;
}

/**
 * The result of {@link deliver}: one status per recipient (in the order given), the outcome
 * computed from them, and the details per domain. A mailbox given under two spellings (its domain
 * in another case, or in U-labels and A-labels) has an entry under each, both with the result of
 * its one RCPT (`address` is the spelling); the same string given twice has one entry.
 *
 * @example
 * const r = await deliver(msg); for (const d of r.domains) console.log(d.domain, d.attempts.length);
 * @see RFC 5321 §5
 */
export interface DeliverResult {
  /** From the mailboxes' results, each mailbox once. */
  readonly outcome: MessageOutcome;
  /** One per spelling given, in order: `recipients.find((r) => r.address === a)` finds each `a` of `to`. */
  readonly recipients: readonly RecipientResult[];
  readonly domains: readonly DomainDelivery[];
}

const BODY_FAILED: ClientErrorCode = 'ERR_SMTP_CLIENT_BODY_SOURCE_FAILED';

/** True for the failure of a body factory (it threw, rejected, or returned no body source). */
function isBodyFailure(e: unknown): e is SmtpClientError {
  return e instanceof SmtpClientError && e.code === BODY_FAILED;
}

/** A connection that gave `result`: with the body source's failure when that is what stopped it. */
function atAttempt(exchange: string, address: string, result: SendResult, bodyError: string | undefined): DeliveryAttempt {
  return result.errorCode === BODY_FAILED ? { exchange, address, error: bodyError ?? BODY_FAILED, code: BODY_FAILED } : { exchange, address };
}

function localResult(address: string, permanent: boolean, code: ClientErrorCode): RecipientResult {
  return { address, status: permanent ? 'rejected' : 'deferred', accepted: false, transient: !permanent, permanent, errorCode: code, stage: STAGE.NOT_CONNECTED, transaction: 0 };
}

function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/**
 * The address an address-literal domain names (RFC 5321 §4.1.3: `[192.0.2.1]`,
 * `[IPv6:2001:db8::1]`); `null` for a literal naming none (a General-address-literal; the envelope
 * check refuses a malformed one first); undefined for a domain name.
 */
function literalAddress(domain: string): string | null | undefined {
  if (!domain.startsWith('[')) return undefined;
  if (!domain.endsWith(']')) return null;
  const inner = domain.slice(1, -1);
  if (isIP(inner) === 4) return inner;
  const v6 = inner.slice(0, 5).toLowerCase() === 'ipv6:' ? inner.slice(5) : '';
  return isIP(v6) === 6 && !v6.includes('%') ? v6 : null;
}

/**
 * The exchangers of a domain: preference order, random among equals; implicit MX; null MX; an
 * address literal is its own exchanger (no DNS lookup).
 */
async function exchangers(domain: string, resolver: MxResolver, errors: LookupError[]): Promise<{ hosts: string[]; implicit: boolean } | { fail: ClientErrorCode; permanent: boolean; why: string; kind: DomainReasonCode }> {
  const literal = literalAddress(domain);
  if (literal === null) return { fail: 'ERR_SMTP_CLIENT_INVALID_ADDRESS', permanent: true, why: `${domain}: not an IPv4 or IPv6 address literal`, kind: 'bad-address-literal' };
  if (literal !== undefined) return { hosts: [domain], implicit: false };
  let mx;
  try {
    mx = await mxRecords(domain, resolver);
  } catch (e) {
    errors.push(lookupError('MX', domain, e));
    return { fail: 'ERR_SMTP_CLIENT_CONNECTION_LOST', permanent: false, why: `${domain}: DNS lookup failed (${(e as { code?: string }).code || String(e)})`, kind: 'dns-failed' };
  }
  if (mx.kind === 'implicit' && mx.answer !== undefined) errors.push(lookupError('MX', domain, mx.answer));
  // RFC 7505: a null MX says the domain accepts no mail.
  if (mx.kind === 'null') return { fail: 'ERR_SMTP_CLIENT_INVALID_ADDRESS', permanent: true, why: `${domain} publishes a null MX: it accepts no mail`, kind: 'null-mx' };
  if (mx.kind === 'implicit') return mx.nxdomain ? { fail: 'ERR_SMTP_CLIENT_INVALID_ADDRESS', permanent: true, why: `${domain}: no such domain`, kind: 'no-such-domain' } : { hosts: [mx.host], implicit: true };
  return { hosts: [...mx.byPriority.values()].flatMap((same) => shuffle([...same])), implicit: false };
}

/**
 * Why a session ended before the message was accepted (no recipient accepted or maybe delivered,
 * some deferred): a 421, or the connection lost or timed out before the end of data was answered.
 * The next exchanger is then tried for the deferred recipients, as Postfix does.
 */
function closedBeforeAcceptance(result: SendResult): { readonly error: string; readonly code: ClientErrorCode; readonly reply?: Reply } | undefined {
  if (result.recipients.some((r) => r.status === 'accepted' || r.status === 'unknown')) return undefined;
  if (!result.recipients.some((r) => r.status === 'deferred')) return undefined;
  const closing = result.reply?.code === 421 ? result.reply : result.recipients.find((r) => r.reply?.code === 421)?.reply;
  // a 421 closing the session is a lost connection to `deliver` (the code the recipients get), its reply kept
  if (closing) return { error: describeReply(closing), code: 'ERR_SMTP_CLIENT_CONNECTION_LOST', reply: closing };
  // the connection was lost or timed out before the end of data was answered (never after it: unknown)
  const code = result.errorCode;
  return code === 'ERR_SMTP_CLIENT_CONNECTION_LOST' || code === 'ERR_SMTP_CLIENT_TIMEOUT' ? { error: code, code } : undefined;
}

/**
 * Refusals the client makes before MAIL for what one server does not offer (RFC 6531, RFC 6152,
 * RFC 3030, RFC 8689, RFC 1870): the next exchanger may offer it. A refusal for the message
 * itself (a line too long, a hook that threw) or a reply a server gave is the domain's answer.
 */
const SERVER_WANTS: ReadonlySet<ClientErrorCode> = new Set<ClientErrorCode>([
  'ERR_SMTP_CLIENT_SMTPUTF8_UNAVAILABLE',
  'ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE',
  'ERR_SMTP_CLIENT_BINARYMIME_UNAVAILABLE',
  'ERR_SMTP_CLIENT_REQUIRETLS_UNAVAILABLE',
  'ERR_SMTP_CLIENT_MESSAGE_TOO_LARGE',
]);

/** The code when the whole message was refused for what this server does not offer (nothing sent). */
function wantedHere(result: SendResult): ClientErrorCode | undefined {
  const code = result.errorCode;
  return code !== undefined && SERVER_WANTS.has(code) && result.recipients.every((r) => r.errorCode === code && !r.reply) ? code : undefined;
}

/** The `maxAddresses` or `maxSessions` option, validated (a local usage error otherwise). */
function attemptLimit(name: 'maxAddresses' | 'maxSessions', v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v >= 1) || !(Number.isInteger(v) || v === Infinity)) {
    throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_OPTION', `${name}: expected an integer >= 1, or Infinity`);
  }
  return v;
}

/**
 * IPv6 then IPv4 addresses of a host (an IP address, or an address literal, is its own);
 * `answered` unless a lookup failed (an empty list that DNS answered: no such name, or no A or
 * AAAA record).
 */
async function addresses(host: string, resolver: MxResolver, errors: LookupError[]): Promise<{ list: string[]; answered: boolean }> {
  const literal = literalAddress(host);
  if (literal) return { list: [literal], answered: true };
  if (isIP(host)) return { list: [host], answered: true };
  // each query's records or error, recorded in a fixed order (AAAA, then A) once both are in
  const lookup = (query: Promise<string[]>): Promise<string[] | { readonly error: unknown }> => query.catch((error: unknown) => ({ error }));
  const [v6, v4] = await Promise.all([lookup(resolver.resolve6(host)), lookup(resolver.resolve4(host))]);
  let answered = true;
  const list: string[] = [];
  for (const [type, got] of [['AAAA', v6], ['A', v4]] as const) {
    if (Array.isArray(got)) list.push(...got);
    else {
      errors.push(lookupError(type, host, got.error));
      if (!noRecord(got.error)) answered = false;
    }
  }
  return { list, answered };
}

/** A resolver's error as {@link LookupError} reports it. */
function lookupError(type: LookupError['type'], name: string, e: unknown): LookupError {
  const code = (e as { code?: unknown } | null)?.code;
  return { type, name, ...(typeof code === 'string' && code !== '' ? { code } : {}), error: e instanceof Error ? e.message : String(e), failed: !noRecord(e) };
}

/**
 * Delivers a message to recipients on other domains (RFC 5321 §5): the envelope is checked as
 * `send()` checks it (a sender or recipient it refuses throws `ERR_SMTP_CLIENT_INVALID_ADDRESS`
 * before any lookup); recipients are grouped by domain; for each, the MX records are looked up (preference order, random among equal
 * preferences, the domain itself when it has no MX, a null MX (RFC 7505) is a permanent failure,
 * and so are exchangers none of which has an address, or no MX and no address, as DNS answers
 * it (RFC 5321 §5.1), where a lookup that fails defers; an address-literal recipient,
 * `user@[192.0.2.1]` or `user@[IPv6:2001:db8::1]`, goes to that address with no lookup, its
 * certificate checked for the address, and a literal naming neither (`[x-tag:...]`) is a
 * permanent failure), and each exchanger's addresses (IPv6, then IPv4) are tried in turn until one takes the session:
 * a connection failure, a 4xx greeting, a session that ends between EHLO and MAIL, or a 421, a lost connection or a timeout at any later
 * stage before the message was accepted (MAIL, RCPT, DATA, the body; a 421 after it too) moves on
 * to the next address with the recipients still deferred; so does a 5xx greeting (that server's refusal, not the
 * domain's: rejected only when every address dialled refused so); every other reply is the recipients' result.
 * A whole body that one server cannot take for what it does not offer (8BITMIME, SMTPUTF8,
 * BINARYMIME, REQUIRETLS, a SIZE too small: the client refuses it before MAIL) moves on to the next
 * address too, one of `maxSessions`; when every address dialled refused it so, and none was left
 * out, that refusal is the result (rejected for good), otherwise the recipients are deferred. A
 * refusal for the message itself (a line too long, a hook that threw) is the domain's result.
 * Each attempt that moved on names its reason in `attempts[].error`, with its `code` and a server's
 * `reply`; each DNS query that gave no records is in `lookupErrors` with the resolver's code. At most `maxAddresses` (default
 * 5) addresses are tried per domain, and among them at most `maxSessions` (default 2) that took
 * the session; the recipients left deferred when a limit stops them get
 * `ERR_SMTP_CLIENT_MAX_ADDRESSES_REACHED` or `ERR_SMTP_CLIENT_MAX_SESSIONS_REACHED`. A mailbox
 * given under two spellings gets one RCPT (its first spelling) and an entry in the result under
 * each, sharing that RCPT's result. When an exchanger's LIMITS MAILMAX (RFC 9422) ends a session in the
 * middle of the message (its recipients took several transactions, LIMITS RCPTMAX apart), the
 * recipients not tried there go on a new connection to the same address, and so on while each
 * connection takes some of them; each recipient is tried once, the domain gets one result, and
 * these connections go to an address already tried (not one more of `maxAddresses`), and each is
 * one of `maxSessions` when it took the session and none of the recipients it carried: the
 * recipients that limit leaves untried get its code (a streamed body is not carried on: it was
 * read).
 * A whole body (string or bytes) or a body factory is needed when there is more than one domain;
 * a streamed body (read once) moves on only while no server has read it (connection failures and
 * greetings), never after a session took it. A body factory (`body: () => fs.createReadStream(path)`)
 * is called once for each attempt that needs the body, each source streamed with backpressure and
 * released unless read to its end: the message goes on to the next exchanger and to every domain
 * as a whole body does; a factory or source that fails defers that domain's recipients with
 * `ERR_SMTP_CLIENT_BODY_SOURCE_FAILED`. `options` is read once, as {@link connect} reads it: the
 * fields it inherits (an `Object.create` base, a class's getters) count as its own, and a
 * `body` factory or `isAllowedAddress` that a class gives as a method is called on the object.
 *
 * @example
 * const r = await deliver({ from: 'a@example.com', to: ['b@example.org'], body: 'Subject: hi\r\n\r\nhello\r\n' });
 * r.outcome; r.domains[0]?.attempts;
 * @see RFC 5321 §5.1, RFC 7505, RFC 9422
 */
export async function deliver(options: DeliverOptions): Promise<DeliverResult> {
  const { resolver: given, maxAddresses: addressOption, maxSessions: sessionOption, isAllowedAddress, from, to, body, bodyType, size, dsn, requireTls, mailArgs, rcptArgs, ...conn } = callerOptions(options);
  const maxAddresses = attemptLimit('maxAddresses', addressOption, 5);
  const maxSessions = attemptLimit('maxSessions', sessionOption, 2);
  if (isAllowedAddress !== undefined && typeof isAllowedAddress !== 'function') {
    throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_OPTION', 'isAllowedAddress: expected a function (address, exchange) => boolean');
  }
  // A recipient listed twice (its domain in any case, or in U-labels and A-labels: the core's rule)
  // is delivered once, in one RCPT under its first spelling, as send() does; each spelling given
  // is reported, with the result of that RCPT.
  const list = new Map<string, string>();
  /** Every spelling given, once, in order: the key of its mailbox. */
  const spellings = new Map<string, string>();
  // The envelope is checked as send() checks it, before any lookup: a path it refuses would
  // otherwise be looked up, then thrown by one domain's send() while others were delivered.
  if (typeof from !== 'string') throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_ADDRESS', 'from: expected a string address ("" for the null sender)');
  checkPath('from', from, true);
  // a list as send() takes it (foundation's check: no string, typed array, DataView or plain object)
  if (!isIterableObject(to)) throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_ADDRESS', 'to: expected an array of addresses');
  let i = 0;
  for (const r of to as Iterable<unknown>) {
    if (typeof r !== 'string' || r.lastIndexOf('@') <= 0) throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_ADDRESS', 'to: expected addresses with a domain');
    checkPath(`to[${i++}]`, r, false);
    if (spellings.has(r)) continue;
    const key = recipientKey(r);
    spellings.set(r, key);
    if (!list.has(key)) list.set(key, r);
  }
  // grouped by the domain as the key has it (A-labels, lower case), named by its first spelling
  const groups = new Map<string, [string, string[]]>();
  for (const [key, r] of list) {
    const id = key.slice(key.lastIndexOf('@') + 1);
    let group = groups.get(id);
    if (!group) groups.set(id, (group = [r.slice(r.lastIndexOf('@') + 1).toLowerCase(), []]));
    group[1].push(r);
  }
  // A stream is read once: it goes to one domain, and no further than the first server that took it.
  // A factory opens the body again for each attempt: it goes wherever a string would.
  const factory = typeof body === 'function' ? body : undefined;
  const replayable = typeof body === 'function' || isWholeBody(body);
  if (groups.size > 1 && !replayable) {
    throw new SmtpClientError('ERR_SMTP_CLIENT_INVALID_PARAMETER', 'body: a stream can be read once; give a string, bytes or a body factory to deliver to several domains');
  }
  const resolver = given ?? new dns.Resolver();
  /** Per domain (in `groups` order), the DNS queries that gave no records. */
  const lookups = [...groups.keys()].map((): LookupError[] => []);
  const extra = { ...(bodyType ? { bodyType } : {}), ...(size !== undefined ? { size } : {}), ...(dsn ? { dsn } : {}), ...(requireTls ? { requireTls } : {}), ...(mailArgs ? { mailArgs } : {}), ...(rcptArgs ? { rcptArgs } : {}) };
  const domains = await Promise.all(
    [...groups.values()].map(async ([domain, rcpts], g): Promise<DomainDelivery> => {
      const attempts: DeliveryAttempt[] = [];
      const found = await exchangers(domain, resolver, lookups[g]!);
      if ('fail' in found) return { domain, recipients: rcpts.map((r) => localResult(r, found.permanent, found.fail)), attempts, reason: found.why, reasonCode: found.kind };
      let lastCode: ClientErrorCode = 'ERR_SMTP_CLIENT_CONNECTION_LOST';
      // Recipients still to deliver; final results (refusals from a server that later said 421) kept.
      let pending = rcpts;
      const settled = new Map<string, RecipientResult>();
      let last: SendResult | undefined;
      const merged = (): RecipientResult[] => rcpts.map((r) => settled.get(r) ?? localResult(r, false, lastCode));
      /** Why the last source a body factory gave failed while it was read (the attempt's `error`). */
      let bodyError: string | undefined;
      /**
       * Sends the message to `to` on `client`. A body factory opens a source for this attempt alone,
       * released once the result is known, whatever it is; when that source failed while it was
       * read, the recipients it left deferred get `ERR_SMTP_CLIENT_BODY_SOURCE_FAILED`. A factory
       * that fails throws that code.
       */
      const sendOnce = async (client: SmtpClient, to: string[]): Promise<SendResult> => {
        if (!factory) return client.send({ from, to, body: body as BodySource, ...extra });
        const opened = await openBody(factory);
        try {
          const sent = await client.send({ from, to, body: opened.body, ...extra });
          if (opened.failure === undefined) return sent;
          bodyError = `body: the source failed while it was read: ${describeFailure(opened.failure)}`;
          return deferredWith(sent, sent.deferred, BODY_FAILED);
        } finally {
          opened.release();
        }
      };
      /**
       * The body could not be had for this domain (its factory, or the source it gave, failed): the
       * recipients still pending are deferred with that code, and no other exchanger is tried (the
       * failure is the sender's, the same at every one).
       */
      const bodyFailed = (): DomainDelivery => {
        lastCode = BODY_FAILED;
        for (const r of pending) {
          const had = settled.get(r);
          if (had?.status === 'deferred') settled.set(r, { ...had, errorCode: BODY_FAILED });
        }
        return { domain, recipients: merged(), attempts, ...(last ? { result: last } : {}) };
      };
      // RFC 5321 §5.1: the alternate addresses tried are bounded (Postfix: smtp_mx_address_limit),
      // and so are the sessions among them (Postfix: smtp_mx_session_limit).
      let tried = 0;
      /** Sessions that ended without taking the message (a session that takes it ends the attempts). */
      let sessions = 0;
      let limited: ClientErrorCode | undefined;
      /** True when a limit stops the attempts before one more address (`limited` names it). */
      const stop = (): boolean => {
        limited = tried >= maxAddresses ? 'ERR_SMTP_CLIENT_MAX_ADDRESSES_REACHED' : sessions >= maxSessions ? 'ERR_SMTP_CLIENT_MAX_SESSIONS_REACHED' : undefined;
        return limited !== undefined;
      };
      /**
       * True while every exchanger looked up has no address, as DNS answered (not a failed lookup),
       * but those isAllowedAddress refused.
       */
      let unusable = true;
      /** True once isAllowedAddress refused an address (answering, or throwing). */
      let refusedOne = false;
      /** True once an exchanger's address lookup failed (not an answer: it may find addresses later). */
      let lookupFailed = false;
      /** True once isAllowedAddress threw (its own failure: it may allow the address later). */
      let policyThrew = false;
      /**
       * The last session that refused the message for what its server does not offer, and how many
       * addresses did: when every address dialled did, that refusal is the domain's answer.
       */
      let wanting: SendResult | undefined;
      let wanted = 0;
      /** Addresses that refused the session with a 5xx greeting. */
      let refusedGreetings = 0;
      hosts: for (const exchange of found.hosts) {
        if (stop()) break;
        const addressed = await addresses(exchange, resolver, lookups[g]!);
        if (!addressed.answered) {
          unusable = false;
          lookupFailed = true;
        }
        for (const address of addressed.list) {
          if (stop()) break hosts;
          // asked before it is dialled: a refused address is not dialled, nor one of maxAddresses
          const refused = refusal(isAllowedAddress, address, exchange);
          if (refused !== undefined) {
            attempts.push({ exchange, address, error: refused.error, code: 'ERR_SMTP_CLIENT_ADDRESS_REFUSED' });
            refusedOne = true;
            if (refused.threw) {
              unusable = false;
              policyThrew = true;
            }
            continue;
          }
          unusable = false;
          tried++;
          // TLS names the exchanger, not the address (an address, or an address literal, names none).
          const named = !isIP(exchange) && literalAddress(exchange) === undefined;
          const options = { ...conn, host: address, tls: { ...(named ? { servername: exchange } : {}), ...conn.tls } };
          let client;
          try {
            client = await connect(options);
          } catch (e) {
            const err = e instanceof SmtpClientError ? e : undefined;
            attempts.push(failedAttempt(exchange, address, e));
            // A 5xx greeting refuses this server's service, not the domain's (Postfix's
            // smtp_skip_5xx_greeting): the next address is tried; when every one dialled refused
            // so, the refusal stands (below).
            if (err?.code === 'ERR_SMTP_CLIENT_GREETING_REJECTED' && err.reply && err.reply.code >= 500) {
              refusedGreetings++;
              lastCode = err.code;
              continue;
            }
            if (err?.kind === 'local') throw e;
            lastCode = err?.code ?? lastCode;
            continue;
          }
          // the server took the session (greeting, EHLO and the rest accepted): one of maxSessions
          // unless it takes the message (counted below, where the attempts go on)
          let result: SendResult;
          try {
            result = await sendOnce(client, pending);
          } catch (e) {
            if (isBodyFailure(e)) {
              attempts.push(failedAttempt(exchange, address, e));
              return bodyFailed();
            }
            // The session ended between EHLO and MAIL (a 421 with the EHLO reply, a close): nothing
            // was sent here, so the next address may take it. A usage error is the caller's.
            if (!(e instanceof SmtpClientError) || (e.kind === 'local' && e.code !== 'ERR_SMTP_CLIENT_CLOSED')) throw e;
            attempts.push(failedAttempt(exchange, address, e));
            lastCode = 'ERR_SMTP_CLIENT_CONNECTION_LOST';
            sessions++;
            continue;
          } finally {
            // The result is known: the courtesy QUIT goes on in the background (at most 2 s, or the
            // `quit` timeout when shorter) and holds up neither the result nor the next address.
            void courtesyQuit(client, conn.timeouts?.quit);
          }
          // Refused before MAIL for what this server does not offer (8BITMIME, SMTPUTF8, SIZE...):
          // another exchanger may offer it (a streamed body only goes to the first session).
          const want = replayable ? wantedHere(result) : undefined;
          if (want !== undefined) {
            attempts.push({ exchange, address, error: want, code: want });
            wanting = result;
            wanted++;
            lastCode = want;
            sessions++;
            continue;
          }
          // This address's connections: the one that took the session, then those that carried on
          // the recipients LIMITS MAILMAX left untried on it (RFC 9422), as long as each takes some
          // of them (a streamed body cannot go again). The same address, not one more tried
          // (maxAddresses bounds the addresses a domain costs); a session when it takes none of
          // them, within maxSessions, whose code the rest get when it stops them.
          const here: DeliveryAttempt[] = [atAttempt(exchange, address, result, bodyError)];
          if (replayable) {
            let cut: ClientErrorCode | undefined;
            result = await carryOnUntried(result, async (rest) => {
              if (sessions >= maxSessions) {
                cut = 'ERR_SMTP_CLIENT_MAX_SESSIONS_REACHED';
                return undefined;
              }
              // a connection failure stops the carry-over (carryOnUntried's rule), recorded here;
              // a failed session counts as one
              let next;
              try {
                next = await connect(options);
              } catch (e) {
                here.push(failedAttempt(exchange, address, e));
                throw e;
              }
              try {
                const part = await sendOnce(next, rest);
                here.push(atAttempt(exchange, address, part, bodyError));
                if (closedBeforeAcceptance(part) !== undefined) sessions++;
                return part;
              } catch (e) {
                here.push(failedAttempt(exchange, address, e));
                sessions++;
                // the body factory failed: those left untried are deferred with its code
                if (isBodyFailure(e)) {
                  cut = BODY_FAILED;
                  return undefined;
                }
                throw e;
              } finally {
                void courtesyQuit(next, conn.timeouts?.quit);
              }
            });
            if (cut !== undefined) result = deferredWith(result, untriedAtMailMax(result), cut);
          }
          last = result;
          for (const r of result.recipients) settled.set(r.address, r);
          // the body's source failed here (the first connection, or one carrying on): no other
          // exchanger gets the message, the recipients left keep that code
          if (result.errorCode === BODY_FAILED) {
            attempts.push(...here);
            pending = result.recipients.filter((r) => r.status === 'deferred').map((r) => r.address);
            return bodyFailed();
          }
          const closing = closedBeforeAcceptance(result);
          if (closing === undefined || !replayable) {
            attempts.push(...here);
            return { domain, recipients: merged(), attempts, result };
          }
          // A 421, a lost connection or a timeout before the message was accepted: nothing was queued
          // here, the next address may take it (the last connection here said so).
          attempts.push(...here.slice(0, -1), { exchange, address, ...closing });
          pending = result.recipients.filter((r) => r.status === 'deferred').map((r) => r.address);
          lastCode = 'ERR_SMTP_CLIENT_CONNECTION_LOST';
          // the session that took it here (the carry-over ones counted themselves)
          sessions++;
        }
      }
      // RFC 5321 §5.1: MX records none of which is usable, or an implicit MX that is not (the
      // domain has no address, or none isAllowedAddress allows), is an error, not something to try
      // again. Nothing dialled because the policy refused: its own code, deferred when it threw;
      // but when an exchanger's lookup failed, that failure is the reason to try again (its code, as
      // without the policy), the refusals staying in `attempts`.
      if (tried === 0 && refusedOne && !lookupFailed) {
        const why = `${domain}: isAllowedAddress ${policyThrew ? 'failed or refused' : 'refused'} every address (${attempts.length})`;
        return { domain, recipients: rcpts.map((r) => localResult(r, unusable, 'ERR_SMTP_CLIENT_ADDRESS_REFUSED')), attempts, reason: why, reasonCode: 'address-refused' };
      }
      if (tried === 0 && unusable) {
        const why = found.implicit ? `${domain}: no MX record and no address` : `${domain}: no exchanger has an address (${found.hosts.join(', ')})`;
        return { domain, recipients: rcpts.map((r) => localResult(r, true, 'ERR_SMTP_CLIENT_INVALID_ADDRESS')), attempts, reason: why, reasonCode: 'no-address' };
      }
      // nothing dialled and no answer refused the domain: the failed address lookups are why
      // (addresses some other lookup gave may have been refused by isAllowedAddress, in `attempts`)
      if (tried === 0) {
        const failed = lookups[g]!.filter((e) => e.failed).map((e) => `${e.type} ${e.name}: ${e.code ?? e.error}`);
        return { domain, recipients: merged(), attempts, reason: `${domain}: no address could be looked up (${failed.join('; ')})`, reasonCode: 'dns-failed' };
      }
      // Every address dialled refused the message for want of an extension its server does not
      // offer, and no exchanger was left out (a limit, a failed lookup, a policy that threw): the
      // last refusal, as it was (rejected for good). Otherwise a later try may reach one that
      // offers it: deferred, as for any failure.
      // So with a 5xx greeting (RFC 5321 §3.1: no service there) in the place of such a refusal.
      if (wanted + refusedGreetings === tried && !lookupFailed && !policyThrew && limited === undefined) {
        if (wanting) for (const r of wanting.recipients) settled.set(r.address, r);
        else return { domain, recipients: rcpts.map((r) => localResult(r, true, 'ERR_SMTP_CLIENT_GREETING_REJECTED')), attempts };
        return { domain, recipients: merged(), attempts, result: wanting };
      }
      if (limited !== undefined) {
        // the recipients still deferred (no session took the message: the loop returns when one
        // does) say why no further address was tried; a reply a session gave them stays
        lastCode = limited;
        for (const [address, r] of settled) if (r.status === 'deferred') settled.set(address, { ...r, errorCode: lastCode });
      }
      return { domain, recipients: merged(), attempts, ...(last ? { result: last } : {}) };
    }),
  );
  // The result of each mailbox's RCPT (under its first spelling), then one entry per spelling given:
  // a second spelling shares its mailbox's result, under its own address.
  const byFirst = new Map(domains.flatMap((d) => d.recipients.map((r) => [r.address, r] as const)));
  const entries = [...spellings].map(([spelling, key]) => {
    const r = byFirst.get(list.get(key)!)!;
    return { domain: key.slice(key.lastIndexOf('@') + 1), result: r.address === spelling ? r : { ...r, address: spelling } };
  });
  const ids = [...groups.keys()];
  return {
    // from the mailboxes, each once
    outcome: messageOutcome([...list.values()].map((r) => byFirst.get(r)!)),
    recipients: entries.map((e) => e.result),
    domains: domains.map((d, i) => {
      // the failures always; the answers (no such name or record) when they decided the refusal
      const byDns = d.recipients.some((r) => r.errorCode === 'ERR_SMTP_CLIENT_INVALID_ADDRESS');
      const errors = lookups[i]!.filter((e) => e.failed || byDns);
      return { ...d, recipients: entries.filter((e) => e.domain === ids[i]).map((e) => e.result), ...(errors.length > 0 ? { lookupErrors: errors } : {}) };
    }),
  };
}
