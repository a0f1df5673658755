// smtp send as a user meets it (issue 16): the real process against servers on loopback that are
// fine, partly refusing, or hostile. Each run is bounded: runCli kills a process that outlives its
// limit, and a killed process fails the test (signal !== null).
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crlfLines } from '@smtpkit/testkit';
import { cliMain, repoRoot, runCli } from './run-cli.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/**
 * A line server: `answer(line, socket)` replies to each command line; in DATA mode the body is
 * swallowed until the dot, then `answer('.', socket)`. `connections` counts accepted sockets.
 */
function lineServer(greeting: string | undefined, answer: (line: string, socket: Socket) => void): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.on('error', () => undefined);
    if (greeting !== undefined) socket.write(greeting);
    let data = false;
    socket.setEncoding('latin1');
    socket.on(
      'data',
      crlfLines((line) => {
        if (data) {
          if (line === '.') {
            data = false;
            answer('.', socket);
          }
          return;
        }
        if (line === 'DATA') data = true;
        answer(line, socket);
      }),
    );
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as AddressInfo).port, connections: () => connections })));
}

/** A well-behaved server; `rcpt` decides each recipient. */
function okServer(rcpt: (address: string) => string = () => '250 2.1.5 Ok') {
  return lineServer('220 mx.test ESMTP\r\n', (line, s) => {
    if (line.startsWith('EHLO')) s.write('250-mx.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n');
    else if (line.startsWith('MAIL')) s.write('250 2.1.0 Ok\r\n');
    else if (line.startsWith('RCPT')) s.write(`${rcpt(line.slice(line.indexOf('<') + 1, line.indexOf('>')))}\r\n`);
    else if (line === 'DATA') s.write('354 go\r\n');
    else if (line === '.') s.write('250 2.0.0 Ok: queued as Q1\r\n');
    else if (line === 'RSET') s.write('250 2.0.0 Ok\r\n');
    else if (line === 'QUIT') s.end('221 2.0.0 Bye\r\n');
    else s.write('502 5.5.2 what\r\n');
  });
}

const base = (port: number, ...more: string[]): string[] => ['send', '-H', '127.0.0.1', '-p', String(port), '-f', 'a@client.test', '--starttls', 'off', '--no-progress', ...more];

describe('smtp send (process)', () => {
  it('per-recipient lines, JSON and summary agree; a deferred recipient is TEMP and exit 1', async () => {
    const srv = await okServer((a) => (a.startsWith('full') ? '452 4.2.2 Mailbox full' : a.startsWith('bad') ? '550 5.1.1 No such user' : '250 2.1.5 Ok'));
    const r = await runCli(base(srv.port, '-t', 'ok@srv.test', '-t', 'full@srv.test', '-t', 'bad@srv.test', '--json'), { timeoutMs: 20_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    const [msg, summary] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(msg).toMatchObject({ type: 'message', outcome: 'partial', ok: false, reply: { code: 250, text: 'Ok: queued as Q1' } });
    expect((msg!['recipients'] as { status: string; transient: boolean }[]).map((x) => [x.status, x.transient])).toEqual([['accepted', false], ['deferred', true], ['rejected', false]]);
    expect(summary).toMatchObject({ type: 'summary', recipients: 3, accepted: 1, deferred: 1, rejected: 1, unknown: 0, outcomes: { partial: 1 } });
    expect(srv.connections()).toBe(1);
  });

  it('--security speaks the library vocabulary; it excludes --starttls', async () => {
    const srv = await okServer(() => '250 2.1.5 Ok');
    const args = ['send', '-H', '127.0.0.1', '-p', String(srv.port), '-f', 'a@client.test', '-t', 'b@srv.test', '--no-progress', '--json'];
    const ok = await runCli([...args, '--security', 'opportunistic'], { timeoutMs: 20_000 });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout.trim().split('\n')[0]!)).toMatchObject({ outcome: 'delivered' });
    const required = await runCli([...args, '--security', 'required'], { timeoutMs: 20_000 });
    expect(required.code).toBe(3); // the server offers no STARTTLS
    const both = await runCli([...args, '--security', 'off', '--starttls', 'off'], { timeoutMs: 20_000 });
    expect(both.code).not.toBe(0);
    expect(both.stderr).toMatch(/cannot be used with/);
  });

  it('no reply after the final dot: UNKNOWN in text, unknown in JSON (never transient), exit 4, within --timeout + 1 s', async () => {
    const srv = await lineServer('220 mx.test\r\n', (line, s) => {
      if (line.startsWith('EHLO')) s.write('250-mx.test\r\n250 PIPELINING\r\n');
      else if (line.startsWith('MAIL') || line.startsWith('RCPT')) s.write('250 Ok\r\n');
      else if (line === 'DATA') s.write('354 go\r\n');
      // the final dot is never answered, and the server never closes
    });
    const text = await runCli(base(srv.port, '-t', 'b@srv.test', '--timeout', '1000'), { timeoutMs: 1000 + 1000 + 6000 });
    expect(text.signal).toBeNull();
    expect(text.code).toBe(4);
    expect(text.stdout).toMatch(/message: UNKNOWN/);
    expect(text.stdout).toMatch(/UNKNOWN b@srv\.test/);
    const json = await runCli(base(srv.port, '-t', 'b@srv.test', '--timeout', '1000', '--json'), { timeoutMs: 8000 });
    const [msg, summary] = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(msg).toMatchObject({ outcome: 'unknown', recipients: [{ status: 'unknown', transient: false }] });
    expect(JSON.stringify(msg)).not.toContain('"transient":true');
    expect(summary).toMatchObject({ unknown: 1, deferred: 0 });
    expect(json.code).toBe(4);
  });

  // Characters a terminal acts on or reorders text by: C0 (ESC, BEL), C1 (U+009B is a CSI), bidi controls.
  const raw = (text: string): string[] =>
    [...text].filter((ch) => {
      const c = ch.codePointAt(0)!;
      return (c < 0x20 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f) || c === 0x61c || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    });

  it('reply text with bidi overrides, C1 controls and terminal escapes is shown escaped: text, --transcript, --json (as \\u202e)', async () => {
    const srv = await lineServer('220 mx.test \u202eESMTP\r\n', (line, s) => {
      if (line.startsWith('EHLO')) s.write('250-mx.test\r\n250 PIPELINING\r\n');
      else if (line.startsWith('MAIL')) s.write('250 2.1.0 Ok\r\n');
      else if (line.startsWith('RCPT')) s.write(line.includes('bad') ? '550 5.1.1 \u001b]0;PWNED\u0007 gone \u009b31m \u202eresu on\u2066\r\n' : '250 2.1.5 Ok\r\n');
      else if (line === 'DATA') s.write('354 go\r\n');
      else if (line === '.') s.write('250 2.0.0 queued \u202eRED\u200f\r\n');
      else if (line === 'QUIT') s.end('221 2.0.0 Bye\r\n');
    });
    const args = base(srv.port, '-t', 'ok@srv.test', '-t', 'bad@srv.test');
    const text = await runCli(args, { timeoutMs: 20_000 });
    expect(text.code).toBe(1);
    expect(raw(text.stdout)).toEqual([]);
    expect(raw(text.stderr)).toEqual([]);
    expect(text.stdout).toContain('\\u202eresu on\\u2066');
    expect(text.stdout).toContain('queued \\u202eRED\\u200f');
    // ESC, BEL and C1 arrive as '?': the client's reply parser replaced them (docs/cli.md says so)
    expect(text.stdout).toContain('550 5.1.1 ?]0;PWNED? gone ?31m \\u202eresu on\\u2066');
    const transcript = await runCli([...args, '--transcript'], { timeoutMs: 20_000 });
    expect(transcript.stderr).toContain('S: 220 mx.test \\u202eESMTP');
    expect(raw(transcript.stderr)).toEqual([]);
    expect(raw(transcript.stdout)).toEqual([]);
    const json = await runCli([...args, '--json'], { timeoutMs: 20_000 });
    expect(raw(json.stdout)).toEqual([]);
    expect(json.stdout).toContain('\\u202eresu on\\u2066');
    const [msg] = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { recipients: { text: string }[]; reply: { text: string } });
    expect(msg!.recipients[1]!.text).toBe('?]0;PWNED? gone ?31m \u202eresu on\u2066');
    expect(msg!.reply.text).toBe('queued \u202eRED\u200f');
  });

  it('a 250 that comes while the body is still going out (the server would refuse the real end of data with 554) is not delivered: deferred, exit 1', async () => {
    const server = createServer((s) => {
      s.on('error', () => undefined);
      s.write('220 mx.test\r\n');
      let buf = '';
      let inData = false;
      let body = 0;
      let early = false;
      s.on('data', (d: Buffer) => {
        if (inData) {
          body += d.length;
          if (!early && body > 256 * 1024) {
            early = true;
            s.write('250 2.0.0 queued early\r\n');
            // stop reading: the rest of the body and its dot stay in the client's socket
            s.pause();
            setTimeout(() => s.resume(), 1500);
          }
        }
        buf += d.toString('latin1');
        if (inData && buf.length > 1e6) buf = buf.slice(-8);
        for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (inData) {
            if (line === '.') {
              inData = false;
              s.write('554 5.7.1 rejected\r\n');
            }
            continue;
          }
          if (line.startsWith('EHLO')) s.write('250-mx.test\r\n250 PIPELINING\r\n');
          else if (line === 'DATA') {
            inData = true;
            s.write('354 go\r\n');
          } else if (line === 'QUIT') s.end('221 bye\r\n');
          else s.write('250 ok\r\n');
        }
      });
    });
    servers.push(server);
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
    // 16 MB: more than loopback's socket buffers hold while the server does not read
    const r = await runCli(base(port, '-t', 'b@srv.test', '--size', '16000000', '--json'), { timeoutMs: 30_000 });
    expect(r.signal).toBeNull();
    const [msg] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(msg).toMatchObject({ outcome: 'deferred', recipients: [{ status: 'deferred' }] });
    expect(r.code).toBe(1);
  }, 40_000);

  for (const [name, greeting, answer] of [
    ['a silent server', undefined, () => undefined],
    ['an endless multi-line reply', '220 mx\r\n', (line: string, s: Socket) => {
      if (!line.startsWith('EHLO')) return;
      const t = setInterval(() => (s.destroyed ? clearInterval(t) : s.write('250-more\r\n'.repeat(50))), 50);
      s.on('close', () => clearInterval(t));
    }],
    ['a non-reply line', '220 mx\r\n', (line: string, s: Socket) => void (line.startsWith('EHLO') && s.write('HTTP/1.1 400 Bad Request\r\n'))],
  ] as const) {
    it(`${name}: ends within --timeout + 1 s with exit 3, the TLS/connection text printed once`, async () => {
      const srv = await lineServer(greeting, answer);
      const r = await runCli(base(srv.port, '-t', 'b@srv.test', '--timeout', '1000'), { timeoutMs: 1000 + 1000 + 6000 });
      expect(r.signal).toBeNull();
      expect(r.code).toBe(3);
      expect(r.stdout).toMatch(/DEFERRED/);
      expect(r.stdout.match(/ERR_SMTP_CLIENT_(TIMEOUT|PROTOCOL)/g)).toHaveLength(1);
    });
  }

  it('AUTH refused with 535: FAIL with the reply, failed in JSON (not deferred), exit 1, and one connection for all the messages', async () => {
    const srv = await lineServer('220 mx.test ESMTP\r\n', (line, s) => {
      if (line.startsWith('EHLO')) s.write('250-mx.test\r\n250-AUTH PLAIN LOGIN\r\n250 ENHANCEDSTATUSCODES\r\n');
      else if (line.startsWith('AUTH')) s.write('535 5.7.8 Error: authentication failed\r\n');
      else if (line === 'QUIT') s.end('221 2.0.0 Bye\r\n');
      else s.write('503 5.5.1 no\r\n');
    });
    const text = await runCli(base(srv.port, '-t', 'b@srv.test', '--auth', 'user:wrong'), { timeoutMs: 20_000 });
    expect(text.signal).toBeNull();
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('message: NOT delivered (535 5.7.8 Error: authentication failed): authentication refused (ERR_SMTP_CLIENT_AUTH_FAILED)');
    expect(text.stdout).toMatch(/FAIL +b@srv\.test +535 5\.7\.8 Error: authentication failed/);
    const before = srv.connections();
    const json = await runCli(base(srv.port, '-t', 'b@srv.test', '--auth', 'user:wrong', '--json', '-n', '3'), { timeoutMs: 20_000 });
    expect(json.code).toBe(1);
    const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.slice(0, 3).every((m) => m['outcome'] === 'failed' && m['connectionError'] === undefined)).toBe(true);
    expect(lines[0]).toMatchObject({ reply: { code: 535, enhanced: '5.7.8' }, recipients: [{ status: 'rejected', transient: false, code: 535 }] });
    expect(lines[3]).toMatchObject({ type: 'summary', rejected: 3, deferred: 0, connectionErrors: 0, outcomes: { failed: 3 } });
    expect(srv.connections() - before).toBe(1);
  });

  it('a 554 greeting (RFC 5321 §3.1: no service here) fails every message with the reply, exit 1, one connection; a 421 greeting is deferred, exit 3', async () => {
    const refuse = (greeting: string) =>
      lineServer(greeting, (line, s) => {
        if (line === 'QUIT') s.end('221 2.0.0 Bye\r\n');
        else s.write('503 5.5.1 bad sequence of commands\r\n');
      });
    const srv = await refuse('554 5.7.1 mx.test: your host is on our block list\r\n');
    const text = await runCli(base(srv.port, '-t', 'b@srv.test'), { timeoutMs: 20_000 });
    expect(text.signal).toBeNull();
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('session refused at the greeting (ERR_SMTP_CLIENT_GREETING_REJECTED)');
    expect(text.stdout).toMatch(/FAIL +b@srv\.test +554 5\.7\.1 mx\.test: your host is on our block list/);
    const before = srv.connections();
    const json = await runCli(base(srv.port, '-t', 'b@srv.test', '--json', '-n', '3'), { timeoutMs: 20_000 });
    expect(json.code).toBe(1);
    const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.slice(0, 3).every((m) => m['outcome'] === 'failed')).toBe(true);
    expect(lines[0]).toMatchObject({ reply: { code: 554, enhanced: '5.7.1' }, recipients: [{ status: 'rejected', transient: false, code: 554, bounce: { id: expect.any(Number) } }] });
    expect(lines[3]).toMatchObject({ type: 'summary', rejected: 3, deferred: 0, outcomes: { failed: 3 } });
    expect(srv.connections() - before).toBe(1);

    const busy = await refuse('421 4.3.2 mx.test: too busy, try later\r\n');
    const deferred = await runCli(base(busy.port, '-t', 'b@srv.test', '--json'), { timeoutMs: 20_000 });
    expect(deferred.code).toBe(3);
    expect(JSON.parse(deferred.stdout.trim().split('\n')[0]!)).toMatchObject({ outcome: 'deferred', connectionError: true });
  });

  it('a 554 greeting from a server that never answers QUIT: still failed with the greeting, exit 1, one connection, not a timeout', async () => {
    const srv = await lineServer('554 5.7.1 no service for you\r\n', () => undefined);
    const r = await runCli(base(srv.port, '-t', 'b@srv.test', '-n', '3', '--timeout', '2000', '--json'), { timeoutMs: 20_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('ERR_SMTP_CLIENT_TIMEOUT');
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.slice(0, 3).every((m) => m['outcome'] === 'failed' && m['connectionError'] === undefined)).toBe(true);
    expect(lines[0]).toMatchObject({ reply: { code: 554 }, error: 'session refused at the greeting (ERR_SMTP_CLIENT_GREETING_REJECTED)' });
    expect(lines[3]).toMatchObject({ type: 'summary', rejected: 3, deferred: 0, connectionErrors: 0 });
    expect(srv.connections()).toBe(1);
  });

  it('an invalid --to is a usage error (exit 2) and nothing is sent', async () => {
    const srv = await okServer();
    for (const to of ['a@b@c', 'no-at-sign']) {
      const r = await runCli(base(srv.port, '-t', to));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--to/);
    }
    expect(srv.connections()).toBe(0);
  });

  it('a bad --notify, --ret or --envid is a usage error (exit 2) and nothing is sent', async () => {
    const srv = await okServer();
    for (const bad of [['--notify', 'NEVER,FAILURE'], ['--notify', 'SOMETIMES'], ['--notify', 'FAILURE,FAILURE'], ['--ret', 'BODY'], ['--envid', 'caf\u00e9'], ['--envid', 'x'.repeat(101)]]) {
      const r = await runCli(base(srv.port, '-t', 'b@srv.test', ...bad));
      expect(r.code, bad.join(' ')).toBe(2);
      expect(r.stderr).toContain(bad[0]);
    }
    expect(srv.connections()).toBe(0);
  });

  it('a --file or --attach that is a directory is a usage error naming the option (exit 2), nothing sent', async () => {
    const srv = await okServer();
    // repoRoot is a directory every checkout has; reading it used to fail after parsing with EISDIR (exit 3).
    for (const extra of [['--file', repoRoot], ['--subject', 's', '--attach', repoRoot]]) {
      const r = await runCli(base(srv.port, '-t', 'b@srv.test', ...extra));
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.stderr).toContain(`${extra.at(-2)!} ${repoRoot}: is a directory`);
      expect(r.stderr).not.toMatch(/EISDIR|\n\s+at /);
    }
    expect(srv.connections()).toBe(0);
  });

  it('a --file line over 998 octets is a usage error naming the line and the fix (exit 2, nothing sent); --allow-long-lines sends it', async () => {
    const srv = await okServer();
    const dir = mkdtempSync(join(tmpdir(), 'smtp-send-long-'));
    try {
      const file = join(dir, 'long.eml');
      writeFileSync(file, `Subject: long\n\nshort\n${'x'.repeat(999)}\nend\n`);
      const refused = await runCli(base(srv.port, '-t', 'b@srv.test', '--file', file));
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`error: --file ${file}: line 4 is 999 octets long, over the 998 a message line may hold`);
      expect(refused.stderr).toContain('or pass --allow-long-lines to send it as it is');
      expect(refused.stderr).not.toMatch(/ERR_SMTP_CLIENT_LINE_TOO_LONG|\n\s+at /);
      expect(srv.connections()).toBe(0);
      const sent = await runCli(base(srv.port, '-t', 'b@srv.test', '--file', file, '--allow-long-lines', '--json'), { timeoutMs: 20_000 });
      expect(sent.code).toBe(0);
      expect(JSON.parse(sent.stdout.trim().split('\n')[0]!)).toMatchObject({ outcome: 'delivered' });
      // 998 octets is a line like any other
      writeFileSync(file, `Subject: fits\n\n${'x'.repeat(998)}\n`);
      expect((await runCli(base(srv.port, '-t', 'b@srv.test', '--file', file), { timeoutMs: 20_000 })).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unknown option is named as unknown, not as a missing --host', async () => {
    const r = await runCli(['send', '--hots', '127.0.0.1', '-p', '25', '-f', 'a@b.test', '-t', 'c@d.test']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--hots'");
    const missing = await runCli(['send', '-p', '25', '-f', 'a@b.test', '-t', 'c@d.test']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--host');
  });

  it('piped into head: no EPIPE crash', async () => {
    const srv = await okServer();
    const out = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const args = base(srv.port, '-t', 'b@srv.test', '-n', '40', '--json').map((a) => `'${a}'`).join(' ');
      const child = spawn('sh', ['-c', `'${process.execPath}' --import tsx '${cliMain}' ${args} | head -n 1 >/dev/null`], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
    });
    expect(out.stderr).not.toMatch(/EPIPE|Error/);
    expect(out.code).toBe(0);
  });

  it('--transcript with stderr piped into head: the run still ends with its own exit code (0)', async () => {
    const srv = await okServer();
    const out = await new Promise<{ code: number | null; status: string }>((resolve) => {
      const args = base(srv.port, '-t', 'b@srv.test', '-n', '5', '--transcript').map((a) => `'${a}'`).join(' ');
      // the CLI's status goes to fd 3, as head's status would hide it
      const child = spawn('sh', ['-c', `{ '${process.execPath}' --import tsx '${cliMain}' ${args} 2>&1 >/dev/null; echo "status=$?" >&3; } | head -n 1 >/dev/null`], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
      let status = '';
      (child.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8');
      (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: string) => (status += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, status });
      });
    });
    expect(out.code).toBe(0);
    expect(out.status.trim()).toBe('status=0');
  });
});

describe('smtp send --lmtp', () => {
  it('LHLO refused: the error names LHLO, the command sent (not EHLO and HELO); failed, exit 1', async () => {
    const seen: string[] = [];
    const srv = await lineServer('220 mx.test ESMTP Postfix\r\n', (line, s) => {
      seen.push(line);
      if (line === 'QUIT') s.end('221 2.0.0 Bye\r\n');
      else s.write('500 5.5.2 Error: command not recognized\r\n');
    });
    const r = await runCli(base(srv.port, '-t', 'b@srv.test', '--lmtp'), { timeoutMs: 20_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(seen[0]).toBe('LHLO localhost');
    expect(r.stdout).toContain('LHLO refused (ERR_SMTP_CLIENT_HELLO_REJECTED)');
    expect(r.stdout).not.toContain('EHLO');
  });
});

describe('smtp probe --lmtp', () => {
  it('says LHLO and prints the capabilities', async () => {
    const seen: string[] = [];
    const srv = await lineServer('220 lmtp.test LMTP\r\n', (line, s) => {
      seen.push(line);
      if (line.startsWith('LHLO')) s.write('250-lmtp.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n');
      else if (line === 'QUIT') s.end('221 bye\r\n');
      else s.write('500 5.5.1 what\r\n');
    });
    const r = await runCli(['probe', '-H', '127.0.0.1', '-p', String(srv.port), '--lmtp', '--json']);
    expect(r.code).toBe(0);
    expect(seen[0]).toBe('LHLO localhost');
    expect(JSON.parse(r.stdout).ehlo.capabilities.map((c: { keyword: string }) => c.keyword)).toEqual(['PIPELINING', 'ENHANCEDSTATUSCODES']);
  });
});
