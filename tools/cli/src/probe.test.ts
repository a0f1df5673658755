// smtp probe against a scripted loopback server: the table, JSON, HELO fallback and connection errors.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { crlfLines } from '@smtpkit/testkit';
import { runCli } from './run-cli.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A tiny server that answers each command from a script (by verb). */
function scripted(greeting: string, answers: Record<string, string>): Promise<number> {
  const server = createServer((socket) => {
    socket.write(greeting);
    socket.setEncoding('latin1');
    socket.on(
      'data',
      crlfLines((line) => {
        const verb = line.split(' ')[0]!.toUpperCase();
        socket.write(answers[verb] ?? '502 5.5.2 unknown\r\n');
        if (verb === 'QUIT') socket.end();
      }),
    );
    socket.on('error', () => undefined);
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

const EHLO = '250-mx.test.example greets you\r\n250-PIPELINING\r\n250-SIZE 10485760\r\n250-AUTH=PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n250 SMTPUTF8\r\n';

describe('smtp probe', () => {
  it('prints the banner and a capability table', async () => {
    const port = await scripted('220 mx.test.example ESMTP ready\r\n', { EHLO, QUIT: '221 2.0.0 bye\r\n' });
    const r = await runCli(['probe', '-H', '127.0.0.1', '-p', String(port)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('banner    220 mx.test.example ESMTP ready');
    expect(r.stdout).toMatch(/SIZE\s+10485760\s+maximum message size \(RFC 1870\): 10\.0 MiB/);
    expect(r.stdout).toMatch(/AUTH\s+PLAIN LOGIN/);
  });

  it('--json prints the parsed result', async () => {
    const port = await scripted('220 mx.test.example ESMTP\r\n', { EHLO, QUIT: '221 bye\r\n' });
    const r = await runCli(['probe', '-H', '127.0.0.1', '-p', String(port), '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.banner).toEqual({ code: 220, lines: ['mx.test.example ESMTP'] });
    expect(json.ehlo.domain).toBe('mx.test.example');
    expect(json.ehlo.capabilities.map((c: { keyword: string }) => c.keyword)).toEqual(['PIPELINING', 'SIZE', 'AUTH', 'ENHANCEDSTATUSCODES', 'SMTPUTF8']);
  });

  it('falls back to HELO when EHLO is refused', async () => {
    const port = await scripted('220 old.example SMTP\r\n', { EHLO: '500 what\r\n', HELO: '250 old.example\r\n', QUIT: '221 bye\r\n' });
    const r = await runCli(['probe', '-H', '127.0.0.1', '-p', String(port), '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).ehlo.capabilities).toEqual([]);
  });

  it('--starttls fails clearly with exit 3 when STARTTLS is not offered', async () => {
    const port = await scripted('220 mx ESMTP\r\n', { EHLO, QUIT: '221 bye\r\n' });
    const r = await runCli(['probe', '-H', '127.0.0.1', '-p', String(port), '--starttls']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('does not offer STARTTLS');
  });

  it('an unreachable host exits 3 with the reason', async () => {
    const port = await scripted('220 x\r\n', {});
    await new Promise((r) => servers.pop()!.close(r));
    const r = await runCli(['probe', '-H', '127.0.0.1', '-p', String(port)]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('ECONNREFUSED');
    // with --json, stdout has an object too (a script parsing it does not get empty input)
    const j = await runCli(['probe', '-H', '127.0.0.1', '-p', String(port), '--json']);
    expect(j.code).toBe(3);
    expect(JSON.parse(j.stdout)).toMatchObject({ host: '127.0.0.1', port, error: { code: 'CONNECTION_FAILED', message: expect.stringContaining('ECONNREFUSED') } });
  });

  it('a server that refuses the session (554 banner) exits 3', async () => {
    const port = await scripted('554 5.7.1 go away\r\n', { QUIT: '221 bye\r\n' });
    const r = await runCli(['probe', '-H', '127.0.0.1', '-p', String(port)]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('554 go away');
  });
});
