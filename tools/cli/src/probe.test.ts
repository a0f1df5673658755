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

  it('a server that refuses the session with a 5xx banner (RFC 5321 §3.1): the banner and the refusal printed, QUIT sent, exit 1; with --json an object with the reply', async () => {
    let quit = false;
    const port = await scripted('554 5.7.1 go away\r\n', { QUIT: '221 bye\r\n' });
    servers.at(-1)!.on('connection', (s) => s.on('data', (d: Buffer) => (quit ||= d.toString().startsWith('QUIT'))));
    const r = await runCli(['probe', '-H', '127.0.0.1', '-p', String(port)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('smtp probe: the server refused the session: 554 5.7.1 go away\n');
    expect(r.stdout).toContain('banner    554 go away');
    expect(r.stdout).toContain('refused   554 5.7.1 go away');
    expect(quit).toBe(true);
    const j = await runCli(['probe', '-H', '127.0.0.1', '-p', String(port), '--json']);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout)).toEqual({ host: '127.0.0.1', port, banner: { code: 554, lines: ['go away'] }, error: { code: 'SESSION_REFUSED', message: 'the server refused the session: 554 5.7.1 go away', reply: { code: 554, enhanced: '5.7.1', text: 'go away' } } });
  });

  it('a 421 banner is a refusal for now: exit 3, SESSION_REFUSED in JSON', async () => {
    const port = await scripted('421 4.3.2 mx.test busy, try later\r\n', { QUIT: '221 bye\r\n' });
    const j = await runCli(['probe', '-H', '127.0.0.1', '-p', String(port), '--json']);
    expect(j.code).toBe(3);
    expect(JSON.parse(j.stdout)).toMatchObject({ error: { code: 'SESSION_REFUSED', reply: { code: 421, enhanced: '4.3.2' } } });
  });

  it('EHLO and then HELO refused is a refusal (exit 1), not an empty capability table', async () => {
    const port = await scripted('220 mx.test ESMTP\r\n', { EHLO: '550 5.7.1 your host name is not acceptable\r\n', HELO: '550 5.7.1 your host name is not acceptable\r\n', QUIT: '221 bye\r\n' });
    const r = await runCli(['probe', '-H', '127.0.0.1', '-p', String(port)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('EHLO and HELO refused: 550 5.7.1 your host name is not acceptable');
    expect(r.stdout).toContain('banner    220 mx.test ESMTP');
    expect(r.stdout).not.toContain('keyword');
    const j = await runCli(['probe', '-H', '127.0.0.1', '-p', String(port), '--json']);
    expect(JSON.parse(j.stdout)).toMatchObject({ banner: { code: 220 }, error: { code: 'SESSION_REFUSED', reply: { code: 550 } } });
  });

  it('EHLO answered 421 (closing) and LHLO refused are refusals: exit 3 for a 4xx, exit 1 for a 5xx', async () => {
    const closing = await scripted('220 mx.test ESMTP\r\n', { EHLO: '421 4.3.0 shutting down\r\n', QUIT: '221 bye\r\n' });
    expect((await runCli(['probe', '-H', '127.0.0.1', '-p', String(closing)])).code).toBe(3);
    const lmtp = await scripted('220 lmtp.test LMTP\r\n', { LHLO: '500 5.5.1 unknown command\r\n', QUIT: '221 bye\r\n' });
    const r = await runCli(['probe', '-H', '127.0.0.1', '-p', String(lmtp), '--lmtp']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('LHLO refused: 500 5.5.1 unknown command');
  });
  // Characters a terminal acts on or reorders text by: C0 (ESC, BEL), C1 (U+009B is a CSI), bidi controls.
  const raw = (text: string): string[] =>
    [...text].filter((ch) => {
      const c = ch.codePointAt(0)!;
      return (c < 0x20 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f) || c === 0x61c || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    });

  it('server text with bidi overrides, C1 controls and terminal escapes is printed escaped: the table, --json (as \\u202e), a refusal on stdout and stderr', async () => {
    const port = await scripted('220 mx \u202eevil\u2066 \u009b31m \u001b]0;PWNED\u0007\r\n', { EHLO: '250-mx.test \u202egreets\r\n250-PIPELINING\r\n250 X\u202eY\r\n', QUIT: '221 bye\r\n' });
    const r = await runCli(['probe', '-H', '127.0.0.1', '-p', String(port)]);
    expect(r.code).toBe(0);
    expect(raw(r.stdout)).toEqual([]);
    expect(raw(r.stderr)).toEqual([]);
    expect(r.stdout).toContain('\\u202eevil\\u2066');
    expect(r.stdout).toContain('X\\u202eY');
    const j = await runCli(['probe', '-H', '127.0.0.1', '-p', String(port), '--json']);
    expect(j.code).toBe(0);
    expect(raw(j.stdout)).toEqual([]);
    expect(j.stdout).toContain('\\u202eevil');
    const parsed = JSON.parse(j.stdout) as ProbeJson;
    expect(parsed.banner.lines[0]).toContain('\u202eevil\u2066');
    expect(parsed.ehlo.capabilities.map((c) => c.keyword)).toContain('X\u202eY');

    const refusing = await scripted('554 5.7.1 \u202egone \u009b2J\r\n', { QUIT: '221 bye\r\n' });
    for (const args of [[], ['--json']]) {
      const x = await runCli(['probe', '-H', '127.0.0.1', '-p', String(refusing), ...args]);
      expect(x.code).toBe(1);
      expect(raw(x.stdout)).toEqual([]);
      expect(raw(x.stderr)).toEqual([]);
      expect(x.stderr).toContain('\\u202egone');
    }
  });

  it('a server that never greets: after --timeout the probe closes without QUIT (it would wait for a reply to it as long again), exit 3', async () => {
    const received: string[] = [];
    let closed = false;
    const server = createServer((s) => {
      s.on('error', () => undefined);
      s.on('data', (d: Buffer) => received.push(d.toString('latin1')));
      s.on('close', () => (closed = true));
    });
    servers.push(server);
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
    const r = await runCli(['probe', '-H', '127.0.0.1', '-p', String(port), '--timeout', '500']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('smtp probe: no reply within 500 ms\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(true);
    expect(received).toEqual([]);
  });
});

interface ProbeJson {
  banner: { lines: string[] };
  ehlo: { capabilities: { keyword: string }[] };
}
