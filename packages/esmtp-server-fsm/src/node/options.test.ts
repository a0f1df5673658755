import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { errorCodeOf as errorCodeOfAny } from '@smtpkit/testkit';
import { isSmtpServerError } from '../errors.js';
import { createServer } from './create-server.js';
import { DEFAULT_CLIENT_IPV6_PREFIX_LENGTH, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_CLIENT, DEFAULT_MIN_DATA_RATE, DEFAULT_MIN_DATA_RATE_GRACE_MS, resolveSettings } from './options.js';

const errorCodeOf = (fn: () => unknown): string | undefined => errorCodeOfAny(fn, isSmtpServerError);

describe('resolveSettings', () => {
  it('fills the documented defaults; 0 means no limit for the connection counts', () => {
    const s = resolveSettings({}, false);
    expect(s).toMatchObject({
      hostname: 'localhost',
      maxConnections: DEFAULT_MAX_CONNECTIONS,
      maxConnectionsPerClient: DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
      minDataRate: DEFAULT_MIN_DATA_RATE,
      minDataRateGraceMs: DEFAULT_MIN_DATA_RATE_GRACE_MS,
      maxBufferedInput: 262_144,
      clientIpv4PrefixLength: 32,
      clientIpv6PrefixLength: DEFAULT_CLIENT_IPV6_PREFIX_LENGTH,
    });
    expect(DEFAULT_CLIENT_IPV6_PREFIX_LENGTH).toBe(64);
    const open = resolveSettings({ maxConnections: 0, maxConnectionsPerClient: 0, minDataRate: 0 }, false);
    expect([open.maxConnections, open.maxConnectionsPerClient, open.minDataRate]).toEqual([Infinity, Infinity, 0]);
  });

  it('core options: the adapter keys left out, hooks turned into policy points, STARTTLS only with TLS material', () => {
    const plain = resolveSettings({ hostname: 'mx.example', banner: 'hi', minDataRate: 10, maxConnections: 5 }, false).core;
    expect(plain).toMatchObject({ hostname: 'mx.example', banner: 'hi', copyInput: false, starttls: false });
    expect(plain).not.toHaveProperty('minDataRate');
    expect(plain).not.toHaveProperty('maxConnections');
    expect([...plain.autoAccept!].sort()).toEqual(['command', 'connect', 'data-start', 'helo', 'mail', 'rcpt', 'xclient']);
    expect(plain.challenge!()).toMatch(/^<[0-9a-f]{16}\.\d+@mx\.example>$/);
    const hooked = resolveSettings({ onConnect: () => undefined, onMailFrom: () => undefined, onVrfy: () => undefined }, true).core;
    expect([...hooked.autoAccept!].sort()).toEqual(['command', 'data-start', 'helo', 'rcpt', 'xclient']);
    expect(hooked.vrfy).toBe('policy');
    expect(hooked.starttls).toBe(true);
    expect(resolveSettings({ starttls: false }, true).core.starttls).toBe(false);
  });

  it('SRV-4 refuses unusable adapter and core options with ERR_SMTP_INVALID_OPTION', () => {
    for (const bad of [{ maxConnections: -1 }, { maxBufferedInput: Infinity }, { minDataRateGraceMs: Number.NaN }, { minDataRate: '1k' as unknown as number }, { proxyProtocol: 'yes' as unknown as boolean }, { limits: { maxMessageSize: -5 } }, { clientIpv6PrefixLength: 129 }, { clientIpv6PrefixLength: 64.5 }, { clientIpv4PrefixLength: 33 }, { clientIpv4PrefixLength: -1 }, { clientIpv6PrefixLength: '64' as unknown as number }, { proxyProtocol: true, isTrustedProxy: '127.0.0.1' as unknown as () => boolean }, { isTrustedProxy: () => true }]) {
      expect(errorCodeOf(() => resolveSettings(bad, false)), JSON.stringify(bad)).toBe('ERR_SMTP_INVALID_OPTION');
    }
  });
});

describe('resolveSettings: timeouts.proxyHeader', () => {
  const messageOf = (options: Parameters<typeof resolveSettings>[0]): string => {
    try {
      resolveSettings(options, false);
      return 'taken';
    } catch (e) {
      return isSmtpServerError(e) && e.code === 'ERR_SMTP_INVALID_OPTION' ? e.message : `other: ${String(e)}`;
    }
  };

  it('10 s by default; a value given is taken, 0 and Infinity (no timer) too; the core never sees it, its own timeouts pass through', () => {
    expect(resolveSettings({}, false).proxyHeaderTimeoutMs).toBe(10_000);
    for (const ms of [5000, 0, Infinity, 2_147_483_647]) expect(resolveSettings({ proxyProtocol: true, timeouts: { proxyHeader: ms } }, false).proxyHeaderTimeoutMs).toBe(ms);
    const s = resolveSettings({ proxyProtocol: true, timeouts: { proxyHeader: 5000, command: 1000 } }, false);
    expect(s.core.timeouts).toEqual({ command: 1000 });
    expect(resolveSettings({ timeouts: { tlsHandshake: 300 } }, false).core.timeouts).toEqual({ tlsHandshake: 300 });
  });

  it('NaN, a negative number, a non-number or more than a Node timer holds is ERR_SMTP_INVALID_OPTION naming timeouts.proxyHeader', () => {
    for (const bad of [Number.NaN, -1, -Infinity, '5s', null, true, 2_147_483_648]) {
      expect(messageOf({ proxyProtocol: true, timeouts: { proxyHeader: bad as number } }), String(bad)).toMatch(/^timeouts\.proxyHeader must be /);
    }
    expect(messageOf({ timeouts: { proxyHeader: -1 } })).toBe('timeouts.proxyHeader must be a non-negative number of ms, got -1');
    expect(messageOf({ timeouts: { proxyHeader: 2_147_483_648 } })).toBe('timeouts.proxyHeader must be at most 2147483647 ms (or Infinity for no timer)');
    // the core's own checks are unchanged: a timeouts that is not an object, an unknown name
    expect(messageOf({ timeouts: 'fast' as unknown as { proxyHeader: number } })).toMatch(/^timeouts must be an object/);
    expect(messageOf({ timeouts: { proxyheader: 5 } as unknown as { proxyHeader: number } })).toBe('timeouts.proxyheader is not a known timeout');
  });
});

describe('resolveSettings: security (TlsSecurity)', () => {
  it('maps each word to implicit TLS, STARTTLS offered, STARTTLS required', () => {
    const of = (security: 'off' | 'opportunistic' | 'required' | 'implicit', tls = true) => {
      const s = resolveSettings({ security }, tls);
      return { implicit: s.implicitTls, starttls: s.core.starttls, requireTls: s.core.requireTls };
    };
    expect(of('off')).toEqual({ implicit: false, starttls: false, requireTls: false });
    expect(of('off', false)).toEqual({ implicit: false, starttls: false, requireTls: false });
    expect(of('opportunistic')).toEqual({ implicit: false, starttls: true, requireTls: false });
    expect(of('required')).toEqual({ implicit: false, starttls: true, requireTls: true });
    expect(of('implicit')).toEqual({ implicit: true, starttls: false, requireTls: false });
    // without security: secure / starttls as before
    expect(resolveSettings({ secure: true }, true).implicitTls).toBe(true);
    // without tls: starttls left to its default is simply not offered
    expect(resolveSettings({}, false).core.starttls).toBe(false);
    expect(resolveSettings({ requireTls: true }, true).core.requireTls).toBe(true);
  });

  it('refuses an unknown word, a word that needs tls without it, and contradictions', () => {
    for (const [bad, tls] of [
      [{ security: 'starttls' as unknown as 'off' }, true],
      [{ security: 'required' as const }, false],
      [{ security: 'implicit' as const }, false],
      [{ security: 'opportunistic' as const, secure: true }, true],
      [{ security: 'off' as const, starttls: true }, true],
      [{ security: 'opportunistic' as const, requireTls: true }, true],
      [{ security: 'required' as const, requireTls: false }, true],
      // the older spellings asking for TLS without tls: refused, never served in plaintext
      [{ secure: true }, false],
      [{ starttls: true }, false],
    ] as const) {
      expect(errorCodeOf(() => resolveSettings(bad, tls)), JSON.stringify(bad)).toBe('ERR_SMTP_INVALID_OPTION');
    }
  });
});

describe('createServer: configurations no client could ever send mail through', () => {
  it('requireTls with no way to TLS, or auth.required with AUTH never offered or never successful (no onAuth, no mechanism), is ERR_SMTP_INVALID_OPTION naming the option; the working ones are taken', () => {
    const tls = { key: 'k', cert: 'c' };
    const onAuth = (): boolean => true;
    const message = (options: Parameters<typeof resolveSettings>[0], tlsAvailable: boolean): string | undefined => {
      try {
        resolveSettings(options, tlsAvailable);
      } catch (e) {
        return isSmtpServerError(e) && e.code === 'ERR_SMTP_INVALID_OPTION' ? e.message : `other: ${String(e)}`;
      }
      return undefined;
    };
    // STARTTLS not offered and not implicit TLS: every MAIL would get 530 for ever
    expect(message({ requireTls: true }, false)).toMatch(/^requireTls/);
    expect(message({ tls, starttls: false, requireTls: true }, true)).toMatch(/^requireTls/);
    // AUTH is offered over TLS only: with no TLS and auth.required, every MAIL would get 530
    expect(message({ auth: { mechanisms: ['PLAIN'], required: true }, onAuth }, false)).toMatch(/^auth\.required: true needs TLS/);
    expect(message({ tls, security: 'off', auth: { mechanisms: ['PLAIN'], required: true }, onAuth }, true)).toMatch(/^auth\.required: true needs TLS/);
    expect(message({ tls, starttls: false, auth: { required: true }, onAuth }, true)).toMatch(/^auth\.required: true needs TLS/);
    // AUTH offered but never successful: without onAuth every AUTH is 535, with no mechanism 502
    expect(message({ tls, auth: { mechanisms: ['PLAIN'], required: true } }, true)).toMatch(/^auth\.required: true needs onAuth/);
    expect(message({ tls, auth: { mechanisms: [], required: true }, onAuth }, true)).toMatch(/^auth\.required: true needs onAuth/);
    expect(message({ auth: { mechanisms: ['PLAIN'], required: true, allowInsecure: true } }, false)).toMatch(/^auth\.required: true needs onAuth/);
    // the working ones
    expect(message({ tls, requireTls: true }, true)).toBeUndefined();
    expect(message({ tls, secure: true, starttls: false, requireTls: true }, true)).toBeUndefined();
    expect(message({ auth: { mechanisms: ['PLAIN'], required: true, allowInsecure: true }, onAuth }, false)).toBeUndefined();
    expect(message({ tls, auth: { mechanisms: ['PLAIN'], required: true }, onAuth }, true)).toBeUndefined();
    expect(message({ tls, auth: { required: true }, onAuth }, true)).toBeUndefined();
    expect(message({ tls, security: 'implicit', auth: { mechanisms: ['PLAIN'], required: true }, onAuth }, true)).toBeUndefined();
    expect(message({ requireTls: false, auth: { required: false } }, false)).toBeUndefined();
  });
});

describe('createServer: the hostname option', () => {
  it('SRV-4 a hostname no greeting can carry is ERR_SMTP_INVALID_OPTION naming hostname, at createServer', () => {
    for (const hostname of ['', 'mx example', 'mx\r\n250 x', '2.0.0', '192.0.2.300', 'mx.example.', `${'a'.repeat(64)}.example`, '[x-tag:y]', 42 as unknown as string]) {
      let error: unknown;
      try {
        createServer({ hostname });
      } catch (e) {
        error = e;
      }
      expect(isSmtpServerError(error) && error.code, JSON.stringify(hostname)).toBe('ERR_SMTP_INVALID_OPTION');
      expect((error as Error).message, JSON.stringify(hostname)).toMatch(/^hostname /);
    }
  });

  it('a bare IP address is written as its address literal by the adapter too: settings, CRAM-MD5 challenge', () => {
    const v4 = resolveSettings({ hostname: '192.0.2.1' }, false);
    expect(v4.hostname).toBe('[192.0.2.1]');
    expect(v4.core.challenge!()).toMatch(/@\[192\.0\.2\.1\]>$/);
    expect(resolveSettings({ hostname: '2001:db8::1' }, false).hostname).toBe('[IPv6:2001:db8::1]');
    expect(resolveSettings({ hostname: 'mx.example' }, false).hostname).toBe('mx.example');
  });

  it('the greeting and the adapter\'s own 421 (too many connections) carry the address literal', async () => {
    const server = createServer({ hostname: '192.0.2.1', maxConnections: 1 });
    try {
      const { port } = await server.listen(0, '127.0.0.1');
      const first = (): { text: Promise<string>; close: () => void } => {
        const s = connect(port, '127.0.0.1');
        s.on('error', () => undefined);
        const text = new Promise<string>((resolve) => s.once('data', (d: Buffer) => resolve(d.toString('latin1'))));
        return { text, close: () => s.destroy() };
      };
      const a = first();
      expect(await a.text).toBe('220 [192.0.2.1] ESMTP\r\n');
      const b = first();
      expect(await b.text).toBe('421 4.7.0 [192.0.2.1] Error: too many connections, try again later\r\n');
      a.close();
      b.close();
    } finally {
      await server.close({ timeout: 200 });
    }
  });
});
