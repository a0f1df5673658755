// timeouts.tlsHandshake: a TLS handshake that never completes, on real loopback sockets, is logged
// when its timer closes the connection. No timing is asserted beyond "closed before a generous bound".
import { describe, expect, it } from 'vitest';
import { throwawayCertificate } from '@smtpkit/testkit';
import { rawClient, recorder, serversPerTest, within } from '../../test/servers.js';

const servers = serversPerTest('tls-timeout.test');
const tls = throwawayCertificate({ commonName: 'localhost' });

/** Waits until `got()` holds `text` (or about 2 s have passed). */
async function waitFor(got: () => string, text: string): Promise<void> {
  for (let i = 0; i < 200 && !got().includes(text); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('createServer: a TLS handshake that never completes', () => {
  it('implicit TLS: the connection is closed at timeouts.tlsHandshake, logged at warn as TLS handshake timeout with the address the socket saw, and frees its place', async () => {
    const { logger, entries } = recorder();
    const seen: string[] = [];
    const { port, server } = await servers.start({
      tls,
      security: 'implicit',
      timeouts: { tlsHandshake: 200 },
      logger,
      onConnect: () => void seen.push('connect'),
      onError: (e) => void seen.push(`error ${String(e)}`),
    });
    const c = await rawClient(port);
    // well under the 60 s default: only the option can close it this early
    expect(await within(c.closed, 5000)).toBe(true);
    expect(c.got()).toBe('');
    expect(seen).toEqual([]);
    expect(entries.filter((e) => e.level !== 'debug')).toEqual([{ level: 'warn', message: 'TLS handshake timeout', fields: { remoteAddress: '127.0.0.1', timeoutMs: 200 } }]);
    expect(server.connections).toBe(0);
  });

  it('implicit TLS behind a PROXY header: the address logged is the client\'s from the header, as for its per-address slot', async () => {
    const { logger, entries } = recorder();
    const { port } = await servers.start({ tls, security: 'implicit', proxyProtocol: true, timeouts: { tlsHandshake: 200 }, logger });
    const c = await rawClient(port);
    c.socket.write('PROXY TCP4 203.0.113.9 192.0.2.1 40000 465\r\n');
    expect(await within(c.closed, 5000)).toBe(true);
    expect(entries.filter((e) => e.level !== 'debug')).toEqual([{ level: 'warn', message: 'TLS handshake timeout', fields: { remoteAddress: '203.0.113.9', timeoutMs: 200 } }]);
  });

  it('STARTTLS: the session that never completes its handshake is closed at timeouts.tlsHandshake and its close line says why (it is not dropped silently), with no reply claimed as sent', async () => {
    const { logger, entries } = recorder();
    const transcript: string[] = [];
    const { port } = await servers.start({ tls, timeouts: { tlsHandshake: 200 }, logger, transcript: (l) => void transcript.push(`${l.direction}: ${l.text}`) });
    const c = await rawClient(port);
    await waitFor(c.got, '\r\n');
    c.socket.write('EHLO client.example\r\n');
    await waitFor(c.got, '250 ');
    c.socket.write('STARTTLS\r\n');
    expect(await within(c.closed, 5000)).toBe(true);
    // the 220 to STARTTLS, and nothing in plaintext after it
    expect(c.got()).toMatch(/220 [^\r\n]*\r\n$/);
    // the server's close line may come a little after the client saw the close
    for (let i = 0; i < 200 && !entries.some((e) => e.message === 'close'); i++) await new Promise((r) => setTimeout(r, 10));
    const close = entries.find((e) => e.message === 'close');
    expect(close?.level).toBe('info');
    // no plaintext can follow the 220 once the handshake has begun: the core's 421 was never sent,
    // so neither a rejected line nor the transcript shows it, and the reason names the timeout
    expect(close?.fields['reason']).toBe('TLS handshake timeout (200 ms)');
    expect(entries.filter((e) => e.message === 'rejected')).toEqual([]);
    expect(transcript.filter((l) => l.startsWith('S: 421'))).toEqual([]);
    expect(transcript.at(-1)).toMatch(/^S: 220 /);
  });

  it('a handshake that completes in time gets no such line', async () => {
    const { logger, entries } = recorder();
    const { port } = await servers.start({ tls, security: 'implicit', timeouts: { tlsHandshake: 300 }, logger });
    const { connect: tlsConnect } = await import('node:tls');
    const s = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false });
    s.on('error', () => undefined);
    const greeting = await new Promise<string>((r) => s.once('data', (d: Buffer) => r(d.toString('latin1'))));
    expect(greeting).toMatch(/^220 /);
    await new Promise((r) => setTimeout(r, 600));
    expect(s.destroyed).toBe(false);
    expect(entries.some((e) => e.message === 'TLS handshake timeout')).toBe(false);
    s.destroy();
  });
});
