// smtp send and the 998-octet line limit (RFC 5322 §2.1.1) for every way it gets a message: a file,
// a file that is stdin (--file /dev/stdin), a built message whose --header has no space to fold at,
// the generated test message. Over the limit: a usage error naming the line (exit 2, nothing sent);
// with --allow-long-lines: sent as it is, checked byte for byte at the server.
import { afterEach, describe, expect, it } from 'vitest';
import { recordingServers, unstuffedBody } from '@smtpkit/testkit';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.js';

const servers = recordingServers();
afterEach(() => servers.closeAll());
const recordingServer = servers.start;

const base = (port: number, ...more: string[]): string[] => ['send', '-H', '127.0.0.1', '-p', String(port), '-f', 'a@client.test', '-t', 'b@srv.test', '--starttls', 'off', '--no-progress', ...more];

/** What the refusal of a long line says, whatever the source. */
const LIMIT = 'octets long, over the 998 a message line may hold (RFC 5322 §2.1.1; relays break longer lines, altering the mail)';

describe('smtp send: a line over 998 octets, wherever the message comes from', () => {
  it('--file /dev/stdin (the body from stdin): refused naming the line; with --allow-long-lines sent byte for byte', async () => {
    const srv = await recordingServer();
    const message = `Subject: from stdin\r\n\r\nshort\r\n${'s'.repeat(1200)}\r\n.dot line\r\nend\r\n`;
    const dir = mkdtempSync(join(tmpdir(), 'smtp-send-stdin-'));
    try {
      const file = join(dir, 'long.eml');
      writeFileSync(file, message, 'latin1');
      const refused = await runCli(base(srv.port, '--file', '/dev/stdin'), { pipeFrom: file });
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(`error: --file /dev/stdin: line 4 is 1200 ${LIMIT}`);
      expect(refused.stderr).toContain('--allow-long-lines');
      expect(srv.connections()).toBe(0);
      const sent = await runCli(base(srv.port, '--file', '/dev/stdin', '--allow-long-lines'), { pipeFrom: file });
      expect(sent.code, sent.stderr).toBe(0);
      expect(srv.messages.map(unstuffedBody)).toEqual([message]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a --header with no space to fold at: refused naming the line and the field; with --allow-long-lines the built message is sent with that line as it is', async () => {
    const srv = await recordingServer();
    const value = 'y'.repeat(1500);
    const options = ['--subject', 's', '--text', 'hi', '--header', `X-Long: ${value}`];
    const refused = await runCli(base(srv.port, ...options));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`error: the built message: line \\d+ \\(the X-Long field\\) is 1508 ${LIMIT.replace(/[().§]/g, '\\$&')}`));
    expect(refused.stderr).toContain('--allow-long-lines');
    expect(srv.connections()).toBe(0);
    const sent = await runCli(base(srv.port, ...options, '--allow-long-lines'), { timeoutMs: 20_000 });
    expect(sent.code, sent.stderr).toBe(0);
    expect(srv.messages).toHaveLength(1);
    const lines = srv.messages[0]!;
    expect(lines).toContain(`X-Long: ${value}`);
    // the rest of the message is what the builder always makes: every other line within the limit
    expect(lines.filter((l) => l.length > 998)).toEqual([`X-Long: ${value}`]);
  });

  it('the generated test message (--size, any --helo) never has a long line, with or without --allow-long-lines', async () => {
    const srv = await recordingServer();
    for (const extra of [[], ['--allow-long-lines']]) {
      const r = await runCli(base(srv.port, '--size', '20k', '--helo', `${'h'.repeat(63)}.${'e'.repeat(63)}.${'l'.repeat(63)}.example`, ...extra), { timeoutMs: 20_000 });
      expect(r.code, r.stderr).toBe(0);
    }
    expect(srv.messages).toHaveLength(2);
    for (const m of srv.messages) expect(m.filter((l) => l.length > 998)).toEqual([]);
  });
});
