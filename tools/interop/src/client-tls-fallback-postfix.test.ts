// Opportunistic TLS to a Postfix whose TLS cannot interoperate with Node's defaults (its smtpd
// allows TLS 1.0 and 1.1 only): the handshake after STARTTLS fails. Without plaintextFallback the
// message is not sent (ERR_SMTP_CLIENT_TLS_FAILED); with it the client connects again without
// STARTTLS and Postfix delivers the message, once; a pool with the option delivers every message.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createPool, sendMail } from 'smtp-client-fsm/node';
import { throwawayCertificate } from '@smtpkit/testkit';
import { postfixAvailable, startPrivatePostfix } from './private-postfix.js';
import type { PrivatePostfix } from './private-postfix.js';

describe.runIf(postfixAvailable() && existsSync('/usr/bin/openssl'))('smtp-client-fsm/node: plaintextFallback against Postfix with TLS it cannot use', () => {
  let pf: PrivatePostfix;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tls-fallback-'));
    const pems = throwawayCertificate({ commonName: '127.0.0.1', keyType: 'rsa-2048' });
    writeFileSync(join(dir, 'cert.pem'), pems.cert);
    writeFileSync(join(dir, 'key.pem'), pems.key, { mode: 0o600 });
    pf = await startPrivatePostfix({
      transport: { 'pf.test': 'discard:' },
      main: {
        smtpd_tls_security_level: 'may',
        smtpd_tls_cert_file: join(dir, 'cert.pem'),
        smtpd_tls_key_file: join(dir, 'key.pem'),
        smtpd_tls_protocols: '!SSLv2, !SSLv3, !TLSv1.2, !TLSv1.3',
      },
    });
  });

  afterAll(async () => {
    await pf?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const sent = (to: string) => pf.waitForDeliveries(1, { filter: (d) => d.to === to, timeoutMs: 30_000 });

  it('without it the message is not sent; with it Postfix delivers it in plaintext, once', async () => {
    await expect(sendMail({ host: '127.0.0.1', port: pf.smtpPort, from: 'a@pf.test', to: ['none@pf.test'], body: 'Subject: x\r\n\r\nx\r\n' })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_TLS_FAILED' });
    // Postfix logs the failed handshake on its side a moment later (its log daemon writes the file)
    await expect.poll(() => pf.log(), { timeout: 10_000, interval: 100 }).toMatch(/SSL_accept error|unsupported protocol/);

    const client = await connect({ host: '127.0.0.1', port: pf.smtpPort, plaintextFallback: true });
    expect(client.tls).toBeUndefined();
    expect(client.tlsFallback?.code).toBe('ERR_SMTP_CLIENT_TLS_FAILED');
    const r = await client.send({ from: 'a@pf.test', to: ['fallback@pf.test'], body: 'Subject: fallback\r\n\r\nhello\r\n' });
    await client.quit();
    expect(r).toMatchObject({ outcome: 'delivered', accepted: ['fallback@pf.test'] });
    const [d] = await sent('fallback@pf.test');
    expect(d?.status).toBe('sent');
    expect(pf.deliveries().filter((x) => x.to === 'none@pf.test')).toHaveLength(0);
    expect(pf.deliveries().filter((x) => x.to === 'fallback@pf.test')).toHaveLength(1);
  }, 60_000);

  it('a pool with it delivers every message', async () => {
    const pool = createPool({ host: '127.0.0.1', port: pf.smtpPort, plaintextFallback: true, maxConnections: 2 });
    const to = Array.from({ length: 4 }, (_, i) => `pool${String(i)}@pf.test`);
    const results = await Promise.all(to.map((t) => pool.send({ from: 'a@pf.test', to: [t], body: `Subject: ${t}\r\n\r\nx\r\n` })));
    await pool.close();
    expect(results.map((r) => r.outcome)).toEqual(to.map(() => 'delivered'));
    await pf.waitForDeliveries(4, { filter: (d) => d.to.startsWith('pool'), timeoutMs: 30_000 });
  }, 60_000);
});
