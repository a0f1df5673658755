// deliver() when DNS does not give a domain's exchangers or their addresses. A lookup that failed
// (SERVFAIL, a timeout, a refused query) left the recipients deferred with
// ERR_SMTP_CLIENT_CONNECTION_LOST and nothing else: the resolver's own code and text were dropped,
// so a caller could not tell a broken zone from a dead network or a slow resolver. An answer that
// there is no such name or record (ENOTFOUND, ENODATA) behind a permanent failure was dropped too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver } from '../src/node/index.js';
import type { MxResolver } from '../src/node/index.js';
import { tableResolver } from './fake-resolver.js';
import { ScriptedServer, listenScripted } from './scripted-server.js';
import type { ScriptedListener } from './scripted-server.js';

let server: ScriptedListener;
beforeAll(async () => {
  server = await listenScripted(() => new ScriptedServer({}));
});
afterAll(() => server.close());


const msg = { security: 'off', connectTimeout: 2000, from: 'a@origin.test', body: 'Subject: s\r\n\r\nhi\r\n' } as const;

describe('deliver: the resolver\'s own error is in the result', () => {
  it.each(['ESERVFAIL', 'ETIMEOUT', 'ECONNREFUSED'])('the MX lookup fails with %s: deferred, the lookup error named', async (code) => {
    const r = await deliver({ ...msg, port: server.port, resolver: tableResolver({ 'MX broken.test': code }), to: ['u@broken.test'] });
    expect(r.recipients[0]).toMatchObject({ status: 'deferred', transient: true, errorCode: 'ERR_SMTP_CLIENT_CONNECTION_LOST' });
    expect(r.domains[0]!.lookupErrors).toEqual([{ type: 'MX', name: 'broken.test', code, error: `queryMx ${code} broken.test`, failed: true }]);
  });

  it('an exchanger\'s address lookups fail (ETIMEOUT, ESERVFAIL): deferred, each failure named', async () => {
    const resolver = tableResolver({ 'MX slow.test': [{ exchange: 'mx.slow.test', priority: 10 }], 'A mx.slow.test': 'ETIMEOUT', 'AAAA mx.slow.test': 'ESERVFAIL' });
    const r = await deliver({ ...msg, port: server.port, resolver, to: ['u@slow.test'] });
    expect(r.recipients[0]).toMatchObject({ status: 'deferred', errorCode: 'ERR_SMTP_CLIENT_CONNECTION_LOST' });
    expect(r.domains[0]!.attempts).toEqual([]);
    expect(r.domains[0]!.lookupErrors).toEqual([
      { type: 'AAAA', name: 'mx.slow.test', code: 'ESERVFAIL', error: 'queryAaaa ESERVFAIL mx.slow.test', failed: true },
      { type: 'A', name: 'mx.slow.test', code: 'ETIMEOUT', error: 'queryA ETIMEOUT mx.slow.test', failed: true },
    ]);
  });

  it('one exchanger\'s lookup failed and the next one took the message: delivered, the failure still reported', async () => {
    const resolver = tableResolver({ 'MX half.test': [{ exchange: 'mx1.half.test', priority: 10 }, { exchange: 'mx2.half.test', priority: 20 }], 'A mx1.half.test': 'ESERVFAIL', 'A mx2.half.test': ['127.0.0.1'] });
    const r = await deliver({ ...msg, port: server.port, resolver, to: ['u@half.test'] });
    expect(r.outcome).toBe('delivered');
    expect(r.domains[0]!.lookupErrors).toEqual([{ type: 'A', name: 'mx1.half.test', code: 'ESERVFAIL', error: 'queryA ESERVFAIL mx1.half.test', failed: true }]);
  });

  it('no such domain (ENOTFOUND), or no MX and no address (ENODATA): rejected for good, the answers that decided it named (not failures)', async () => {
    const gone = await deliver({ ...msg, port: server.port, resolver: tableResolver({ 'MX gone.test': 'ENOTFOUND' }), to: ['u@gone.test'] });
    expect(gone.recipients[0]).toMatchObject({ status: 'rejected', errorCode: 'ERR_SMTP_CLIENT_INVALID_ADDRESS' });
    expect(gone.domains[0]!.lookupErrors).toEqual([{ type: 'MX', name: 'gone.test', code: 'ENOTFOUND', error: 'queryMx ENOTFOUND gone.test', failed: false }]);
    const empty = await deliver({ ...msg, port: server.port, resolver: tableResolver({}), to: ['u@empty.test'] });
    expect(empty.recipients[0]).toMatchObject({ status: 'rejected', errorCode: 'ERR_SMTP_CLIENT_INVALID_ADDRESS' });
    expect(empty.domains[0]!.lookupErrors).toEqual([
      { type: 'MX', name: 'empty.test', code: 'ENODATA', error: 'queryMx ENODATA empty.test', failed: false },
      { type: 'AAAA', name: 'empty.test', code: 'ENODATA', error: 'queryAaaa ENODATA empty.test', failed: false },
      { type: 'A', name: 'empty.test', code: 'ENODATA', error: 'queryA ENODATA empty.test', failed: false },
    ]);
  });

  it('an error without a code keeps its text; a delivery DNS answered in full has no lookupErrors', async () => {
    const odd = { resolveMx: () => Promise.reject(new Error('resolver gone')), resolve4: () => Promise.resolve([]), resolve6: () => Promise.resolve([]) } as unknown as MxResolver;
    const r = await deliver({ ...msg, port: server.port, resolver: odd, to: ['u@odd.test'] });
    expect(r.recipients[0]).toMatchObject({ status: 'deferred' });
    expect(r.domains[0]!.lookupErrors).toEqual([{ type: 'MX', name: 'odd.test', error: 'resolver gone', failed: true }]);
    // an exchanger with an A record and no AAAA one is the common case, not an error to report
    const ok = await deliver({ ...msg, port: server.port, resolver: tableResolver({ 'MX fine.test': [{ exchange: 'mx.fine.test', priority: 10 }], 'A mx.fine.test': ['127.0.0.1'] }), to: ['u@fine.test'] });
    expect(ok.outcome).toBe('delivered');
    expect(ok.domains[0]).not.toHaveProperty('lookupErrors');
  });
});
