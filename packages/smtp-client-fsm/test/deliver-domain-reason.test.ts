// deliver() when a domain has no exchanger to try, or every one was skipped: a null MX, no such
// domain, no MX and no address, a literal naming no address, a failed DNS lookup, every address
// refused by isAllowedAddress. The recipients got a code, but the domain-level reason deliver()
// worked out was dropped: DomainDelivery now carries it as `reason` (text) and `reasonCode`.
import { describe, expect, it } from 'vitest';
import { deliver } from '../src/node/index.js';
import type { MxResolver } from '../src/node/index.js';
import { tableResolver } from './fake-resolver.js';


/** A resolver that must not be asked (an address literal needs no lookup). */
const unasked = { resolveMx: () => Promise.reject(new Error('asked')), resolve4: () => Promise.reject(new Error('asked')), resolve6: () => Promise.reject(new Error('asked')) } as unknown as MxResolver;

// nothing is dialled in these tests: port 9 (discard) would only be reached by a bug
const msg = { security: 'off', port: 9, connectTimeout: 2000, from: 'a@origin.test', body: 'Subject: s\r\n\r\nhi\r\n' } as const;

describe('deliver: the reason a domain had no exchanger to try is in its DomainDelivery', () => {
  it('a null MX (RFC 7505): rejected, reasonCode null-mx', async () => {
    const r = await deliver({ ...msg, resolver: tableResolver({ 'MX nomail.test': [{ exchange: '.', priority: 0 }] }), to: ['u@nomail.test'] });
    expect(r.recipients[0]).toMatchObject({ status: 'rejected', errorCode: 'ERR_SMTP_CLIENT_INVALID_ADDRESS' });
    expect(r.domains[0]).toMatchObject({ reasonCode: 'null-mx', reason: 'nomail.test publishes a null MX: it accepts no mail' });
  });

  it('no such domain (NXDOMAIN): rejected, reasonCode no-such-domain', async () => {
    const r = await deliver({ ...msg, resolver: tableResolver({ 'MX gone.test': 'ENOTFOUND' }), to: ['u@gone.test'] });
    expect(r.recipients[0]).toMatchObject({ status: 'rejected', errorCode: 'ERR_SMTP_CLIENT_INVALID_ADDRESS' });
    expect(r.domains[0]).toMatchObject({ reasonCode: 'no-such-domain', reason: 'gone.test: no such domain' });
  });

  it('no MX and no address (ENODATA): rejected, reasonCode no-address', async () => {
    const r = await deliver({ ...msg, resolver: tableResolver({}), to: ['u@empty.test'] });
    expect(r.recipients[0]).toMatchObject({ status: 'rejected', errorCode: 'ERR_SMTP_CLIENT_INVALID_ADDRESS' });
    expect(r.domains[0]).toMatchObject({ reasonCode: 'no-address', reason: 'empty.test: no MX record and no address' });
  });

  it('MX records whose exchangers have no address (ENODATA): rejected, the exchangers named', async () => {
    const r = await deliver({ ...msg, resolver: tableResolver({ 'MX bare.test': [{ exchange: 'mx1.bare.test', priority: 10 }, { exchange: 'mx2.bare.test', priority: 20 }] }), to: ['u@bare.test'] });
    expect(r.recipients[0]).toMatchObject({ status: 'rejected', errorCode: 'ERR_SMTP_CLIENT_INVALID_ADDRESS' });
    expect(r.domains[0]).toMatchObject({ reasonCode: 'no-address', reason: 'bare.test: no exchanger has an address (mx1.bare.test, mx2.bare.test)' });
  });

  it('the MX lookup fails (ESERVFAIL): deferred, reasonCode dns-failed with the resolver code', async () => {
    const r = await deliver({ ...msg, resolver: tableResolver({ 'MX broken.test': 'ESERVFAIL' }), to: ['u@broken.test'] });
    expect(r.recipients[0]).toMatchObject({ status: 'deferred', errorCode: 'ERR_SMTP_CLIENT_CONNECTION_LOST' });
    expect(r.domains[0]).toMatchObject({ reasonCode: 'dns-failed', reason: 'broken.test: DNS lookup failed (ESERVFAIL)' });
  });

  it('every exchanger\'s address lookup fails (ETIMEOUT): deferred, reasonCode dns-failed naming each query', async () => {
    const resolver = tableResolver({ 'MX slow.test': [{ exchange: 'mx.slow.test', priority: 10 }], 'A mx.slow.test': 'ETIMEOUT' });
    const r = await deliver({ ...msg, resolver, to: ['u@slow.test'] });
    expect(r.recipients[0]).toMatchObject({ status: 'deferred', errorCode: 'ERR_SMTP_CLIENT_CONNECTION_LOST' });
    expect(r.domains[0]).toMatchObject({ reasonCode: 'dns-failed', reason: 'slow.test: no address could be looked up (A mx.slow.test: ETIMEOUT)' });
  });

  it('a literal naming no address: rejected, reasonCode bad-address-literal, no lookup', async () => {
    const r = await deliver({ ...msg, resolver: unasked, to: ['u@[x-tag:abc]'] });
    expect(r.recipients[0]).toMatchObject({ status: 'rejected', errorCode: 'ERR_SMTP_CLIENT_INVALID_ADDRESS' });
    expect(r.domains[0]).toMatchObject({ reasonCode: 'bad-address-literal', reason: '[x-tag:abc]: not an IPv4 or IPv6 address literal' });
  });

  it('an address literal isAllowedAddress refuses: rejected, reasonCode address-refused', async () => {
    const r = await deliver({ ...msg, resolver: unasked, to: ['u@[192.0.2.1]'], isAllowedAddress: () => false });
    expect(r.recipients[0]).toMatchObject({ status: 'rejected', errorCode: 'ERR_SMTP_CLIENT_ADDRESS_REFUSED' });
    expect(r.domains[0]).toMatchObject({ reasonCode: 'address-refused', reason: '[192.0.2.1]: isAllowedAddress refused every address (1)' });
  });

  it('every address of every exchanger refused by isAllowedAddress: rejected, reasonCode address-refused', async () => {
    const resolver = tableResolver({ 'MX inward.test': [{ exchange: 'mx1.inward.test', priority: 10 }, { exchange: 'mx2.inward.test', priority: 20 }], 'A mx1.inward.test': ['10.0.0.1', '10.0.0.2'], 'AAAA mx2.inward.test': ['fd00::1'] });
    const r = await deliver({ ...msg, resolver, to: ['u@inward.test', 'v@inward.test'], isAllowedAddress: () => false });
    expect(r.recipients.map((x) => [x.status, x.errorCode])).toEqual([['rejected', 'ERR_SMTP_CLIENT_ADDRESS_REFUSED'], ['rejected', 'ERR_SMTP_CLIENT_ADDRESS_REFUSED']]);
    expect(r.domains[0]!.attempts).toHaveLength(3);
    expect(r.domains[0]).toMatchObject({ reasonCode: 'address-refused', reason: 'inward.test: isAllowedAddress refused every address (3)' });
  });

  it('isAllowedAddress throws for every address: deferred, reasonCode address-refused saying it failed', async () => {
    const resolver = tableResolver({ 'MX odd.test': [{ exchange: 'mx.odd.test', priority: 10 }], 'A mx.odd.test': ['10.0.0.1'] });
    const r = await deliver({ ...msg, resolver, to: ['u@odd.test'], isAllowedAddress: () => { throw new Error('policy down'); } });
    expect(r.recipients[0]).toMatchObject({ status: 'deferred', errorCode: 'ERR_SMTP_CLIENT_ADDRESS_REFUSED' });
    expect(r.domains[0]).toMatchObject({ reasonCode: 'address-refused', reason: 'odd.test: isAllowedAddress failed or refused every address (1)' });
  });

  it('a domain whose exchanger was dialled has no reason', async () => {
    // a refused connection on port 9 of the loopback: one attempt made, so no domain-level reason
    const r = await deliver({ ...msg, resolver: tableResolver({ 'MX up.test': [{ exchange: 'mx.up.test', priority: 10 }], 'A mx.up.test': ['127.0.0.1'] }), to: ['u@up.test'] });
    expect(r.domains[0]!.attempts.length).toBeGreaterThan(0);
    expect(r.domains[0]).not.toHaveProperty('reason');
    expect(r.domains[0]).not.toHaveProperty('reasonCode');
  });
});
