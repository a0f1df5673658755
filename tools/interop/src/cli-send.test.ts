// `smtp send` against independently written servers: Postfix smtp-sink (counts, throughput run),
// Python aiosmtpd (STARTTLS, AUTH, a refused recipient with its bounce class, exact bytes) and our own
// `smtp serve` (STARTTLS + AUTH, byte-exact storage).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../cli/src/run-cli.js';
import { clientAdapterAvailable, startAiosmtpd, startServe, startSmtpSink, tempDir, testCertificate, waitForStored } from '../../cli/src/testing/peers.js';
import type { Running } from '../../cli/src/testing/peers.js';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

const available = await clientAdapterAvailable();
const MESSAGE = 'From: <a@example.org>\r\nTo: <b@example.net>\r\nSubject: cli send\r\n\r\nhello\r\n.leading dot\r\nGr\u00fc\u00dfe\r\n';

interface JsonLine {
  type: 'message' | 'summary';
  ok?: boolean;
  recipients?: { address: string; accepted: boolean; code?: number; enhanced?: string; bounce?: { id: number; name: string; category: string } }[];
  messages?: number;
  messagesOk?: number;
  accepted?: number;
  rejected?: number;
}

function jsonLines(stdout: string): JsonLine[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as JsonLine);
}

describe.runIf(available)('smtp send against real servers', () => {
  const tmp = tempDir('cli-send-');
  const file = join(tmp.dir, 'message.eml');
  let sink: Running | undefined;
  let aio: Running | undefined;
  let ours: Running | undefined;
  const aioDir = join(tmp.dir, 'aio');
  const oursDir = join(tmp.dir, 'ours');

  beforeAll(async () => {
    writeFileSync(file, MESSAGE);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(aioDir);
    const { cert, key } = testCertificate(tmp.dir);
    sink = await startSmtpSink();
    aio = await startAiosmtpd(aioDir, { cert, key, user: 'demo', pass: 'secret' });
    ours = await startServe(['--dir', oursDir, '--tls-cert', cert, '--tls-key', key, '--auth', 'demo:secret', '--quiet']);
  });

  afterAll(async () => {
    await sink?.stop();
    if (aio !== undefined) {
      aio.child.stdin?.end();
      await aio.stop();
    }
    await ours?.stop();
    tmp.cleanup();
  });

  it('smtp-sink: 200 messages of 10 KB over 4 connections, all accepted (exit 0)', async () => {
    const r = await runCli(['send', '-H', '127.0.0.1', '-p', String(sink!.port), '-f', 'a@example.org', '-t', 'b@example.net', '--size', '10k', '-n', '200', '-c', '4', '--json'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines.filter((l) => l.type === 'message')).toHaveLength(200);
    expect(lines.at(-1)).toMatchObject({ type: 'summary', messages: 200, messagesOk: 200, accepted: 200, rejected: 0 });
  });

  it('aiosmtpd with STARTTLS and AUTH: one refused recipient with its bounce class, exit 1, bytes exact', async () => {
    const r = await runCli(['send', '-H', '127.0.0.1', '-p', String(aio!.port), '--starttls', 'required', '--insecure', '--auth', 'demo:secret', '-f', 'a@example.org', '-t', 'b@example.net', '-t', 'reject-me@example.net', '--file', file, '--json']);
    expect(r.code, r.stderr).toBe(1);
    const [message] = jsonLines(r.stdout);
    expect(message!.recipients).toEqual([
      expect.objectContaining({ address: 'b@example.net', accepted: true }),
      expect.objectContaining({ address: 'reject-me@example.net', accepted: false, code: 550, enhanced: '5.1.1', bounce: expect.objectContaining({ id: 10, name: 'Invalid Recipient' }) }),
    ]);
    const stored = readdirSync(aioDir).filter((n) => n.startsWith('msg-'));
    expect(stored).toHaveLength(1);
    const got = JSON.parse(readFileSync(join(aioDir, stored[0]!), 'utf8')) as { to: string[]; data: string; tls: boolean; user: string };
    expect(got.to).toEqual(['b@example.net']);
    expect(got.tls).toBe(true);
    expect(Buffer.from(got.data, 'base64').toString('utf8')).toBe(MESSAGE);
  });

  it('a wrong password fails with the server reply and a non-zero exit', async () => {
    const r = await runCli(['send', '-H', '127.0.0.1', '-p', String(ours!.port), '--starttls', 'required', '--insecure', '--auth', 'demo:wrong', '-f', 'a@example.org', '-t', 'b@example.net']);
    // a 5xx AUTH refusal is permanent: failed with the server's reply, exit 1 (not deferred)
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/NOT delivered \(535 5\.7\.8 [^)]*authentication failed\)/);
    expect(r.stdout).toMatch(/0 deferred, 1 failed/);
  });

  it('our own smtp serve with STARTTLS and AUTH: stored byte-exact with the envelope', async () => {
    const r = await runCli(['send', '-H', '127.0.0.1', '-p', String(ours!.port), '--starttls', 'required', '--insecure', '--auth', 'demo:secret', '-f', 'a@example.org', '-t', 'b@example.net', '-t', 'c@example.net', '--file', file]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ok\s+b@example\.net\s+250/);
    const [s] = await waitForStored(oursDir, 1);
    expect(new TextDecoder().decode(s!.eml)).toBe(MESSAGE);
    expect(s!.envelope).toMatchObject({ from: 'a@example.org', to: ['b@example.net', 'c@example.net'], tls: true, user: 'demo' });
  });

  it('smtp-server (npm): byte-exact delivery, one recipient refused with 550 and classified', async () => {
    const received: { from: string; to: string[]; data: Buffer }[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (address.address.startsWith('reject')) return callback(Object.assign(new Error('5.1.1 No such user'), { responseCode: 550 }));
        return callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(chunks) });
          callback();
        });
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.server.address() as AddressInfo).port;
      const r = await runCli(['send', '-H', '127.0.0.1', '-p', String(port), '--starttls', 'off', '-f', 'a@example.org', '-t', 'b@example.net', '-t', 'reject-x@example.net', '--file', file, '--json']);
      expect(r.code, r.stderr).toBe(1);
      const [message] = jsonLines(r.stdout);
      expect(message!.recipients![1]).toMatchObject({ address: 'reject-x@example.net', accepted: false, code: 550, bounce: { id: 10 } });
      expect(received).toHaveLength(1);
      expect(received[0]!.to).toEqual(['b@example.net']);
      expect(received[0]!.data.toString('utf8')).toBe(MESSAGE);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('an unreachable port exits 3 naming the failure', async () => {
    await sink!.stop();
    const r = await runCli(['send', '-H', '127.0.0.1', '-p', String(sink!.port), '-f', 'a@example.org', '-t', 'b@example.net']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/ECONNREFUSED|failed/);
  });

  it('a self-signed certificate without --insecure is a TLS failure (exit 3)', async () => {
    const r = await runCli(['send', '-H', '127.0.0.1', '-p', String(ours!.port), '--starttls', 'required', '-f', 'a@example.org', '-t', 'b@example.net']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('DEFERRED');
    // The TLS cause is printed once, not once in the message and again from the error's cause.
    expect(r.stdout.match(/self-signed certificate/g)).toHaveLength(1);
  });

  it('--starttls optional (the default) encrypts to a self-signed certificate but keeps credentials off unverified TLS', async () => {
    const r = await runCli(['send', '-H', '127.0.0.1', '-p', String(ours!.port), '--auth', 'demo:secret', '-f', 'a@example.org', '-t', 'b@example.net', '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout.trim().split('\n')[0]!)).toMatchObject({ outcome: 'deferred', error: expect.stringContaining('ERR_SMTP_CLIENT_INSECURE_AUTH') });
    const ok = await runCli(['send', '-H', '127.0.0.1', '-p', String(ours!.port), '--auth', 'demo:secret', '--insecure', '-f', 'a@example.org', '-t', 'b@example.net', '--json']);
    expect(ok.code).toBe(0);
  });
});
