// `smtp probe` against independently written servers: Postfix smtp-sink and Python aiosmtpd (STARTTLS).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/src/run-cli.js';
import { startAiosmtpd, startSmtpSink, tempDir, testCertificate } from '../../cli/src/testing/peers.js';
import type { Running } from '../../cli/src/testing/peers.js';

describe('smtp probe against real servers', () => {
  const tmp = tempDir('cli-probe-');
  let sink: Running | undefined;
  let aio: Running | undefined;

  beforeAll(async () => {
    const { cert, key } = testCertificate(tmp.dir);
    sink = await startSmtpSink();
    aio = await startAiosmtpd(tmp.dir, { cert, key, user: 'demo', pass: 'secret' });
  });

  afterAll(async () => {
    await sink?.stop();
    if (aio !== undefined) {
      aio.child.stdin?.end();
      await aio.stop();
    }
    tmp.cleanup();
  });

  it('reads the smtp-sink banner and capabilities', async () => {
    const r = await runCli(['probe', '-H', '127.0.0.1', '-p', String(sink!.port), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.banner.code).toBe(220);
    const keywords = json.ehlo.capabilities.map((c: { keyword: string }) => c.keyword);
    expect(keywords).toEqual(expect.arrayContaining(['PIPELINING', '8BITMIME', 'ENHANCEDSTATUSCODES']));
  });

  it('upgrades aiosmtpd with STARTTLS and shows AUTH offered only after TLS', async () => {
    const r = await runCli(['probe', '-H', '127.0.0.1', '-p', String(aio!.port), '--starttls', '--insecure', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    const before = json.ehlo.capabilities.map((c: { keyword: string }) => c.keyword);
    const after = json.ehloAfterTls.capabilities.map((c: { keyword: string }) => c.keyword);
    expect(before).toContain('STARTTLS');
    expect(before).not.toContain('AUTH');
    expect(after).not.toContain('STARTTLS');
    expect(after).toContain('AUTH');
    expect(json.tls.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(json.tls.authorized).toBe(false);
  });

  it('refuses the self-signed certificate without --insecure (exit 3, TLS failure named)', async () => {
    const r = await runCli(['probe', '-H', '127.0.0.1', '-p', String(aio!.port), '--starttls']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/TLS failed: .*self[- ]signed/i);
  });
});
