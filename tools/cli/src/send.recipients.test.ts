// smtp send with many --to addresses and its generated test message: the To field it writes is
// folded (RFC 5322 §2.2.3). Unfolded, 60 addresses made a line over 998 octets that the client
// refused (ERR_SMTP_CLIENT_LINE_TOO_LONG), and every recipient was printed as FAIL, not attempted.
import { afterEach, describe, expect, it } from 'vitest';
import { recordingServers } from '@smtpkit/testkit';
import { runCli } from './run-cli.js';

const servers = recordingServers();
afterEach(() => servers.closeAll());
const recordingServer = servers.start;

const base = (port: number, ...more: string[]): string[] => ['send', '-H', '127.0.0.1', '-p', String(port), '-f', 'a@client.test', '--starttls', 'off', '--no-progress', ...more];

describe('smtp send with many recipients and the generated message', () => {
  it.each([60, 500, 2000])('%i --to: every recipient delivered (exit 0); the To field folded within 78 octets a line, unfolding to every address', async (n) => {
    const srv = await recordingServer();
    const to = Array.from({ length: n }, (_, i) => `user${i}@srv.test`);
    const r = await runCli(base(srv.port, ...to.flatMap((t) => ['-t', t]), '--json'), { timeoutMs: 30_000 });
    expect(r.signal).toBeNull();
    expect(r.stdout).not.toContain('ERR_SMTP_CLIENT_LINE_TOO_LONG');
    expect(r.code).toBe(0);
    const [msg, summary] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(msg).toMatchObject({ outcome: 'delivered', ok: true });
    expect(summary).toMatchObject({ recipients: n, accepted: n, rejected: 0 });
    // the client sends the message once per 100 recipients (smtp-client-fsm's maxRecipientsPerTransaction)
    expect(srv.messages).toHaveLength(Math.ceil(n / 100));
    for (const lines of srv.messages) {
      const header = lines.slice(0, lines.indexOf(''));
      for (const line of header) expect(line.length, line).toBeLessThanOrEqual(78);
      const fields = header.join('\r\n').replace(/\r\n(?=[ \t])/g, '').split('\r\n');
      expect(fields.filter((f) => /^to:/i.test(f))).toEqual([`To: ${to.map((t) => `<${t}>`).join(', ')}`]);
    }
  });

  it('a --to longer than 998 octets (more than any path may hold) is a usage error, exit 2, nothing sent', async () => {
    const srv = await recordingServer();
    const long = `u@${`${'d'.repeat(60)}.`.repeat(17)}example`;
    expect(long.length).toBeGreaterThan(998);
    const r = await runCli(base(srv.port, '-t', 'b@srv.test', '-t', long));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("option '-t, --to <address>' argument");
    expect(r.stderr).toContain('not a valid address: domain too long');
    expect(srv.connections()).toBe(0);
  });
});

describe('smtp send with a built message (--subject, --header) whose header fields are long', () => {
  it.each([
    ['a long --subject', ['--subject', 'x'.repeat(1500), '--text', 'hi']],
    ['a long non-ASCII --subject', ['--subject', '\u00fc'.repeat(600), '--text', 'hi']],
    ['a long --header with spaces', ['--subject', 's', '--header', `X-Long: ${'y '.repeat(600)}`]],
  ])('%s: folded, every header line at most 78 octets, every recipient delivered', async (_what, options) => {
    const srv = await recordingServer();
    const r = await runCli(base(srv.port, '-t', 'b@srv.test', '-t', 'c@srv.test', ...options));
    expect(r.code, r.stderr).toBe(0);
    expect(srv.messages.length).toBeGreaterThan(0);
    const lines = srv.messages[0]!;
    for (const line of lines.slice(0, lines.indexOf(''))) expect(line.length, line).toBeLessThanOrEqual(78);
  });

  it.each([
    ['a --header value with no space to fold at', ['--subject', 's', '--header', `X-Long: ${'y'.repeat(1500)}`], 'X-Long'],
  ])('%s: a usage error naming the field (exit 2, nothing sent), not every recipient FAIL', async (_what, options, field) => {
    const srv = await recordingServer();
    const r = await runCli(base(srv.port, '-t', 'b@srv.test', '-t', 'c@srv.test', ...options));
    expect(r.stdout).not.toContain('FAIL');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`error: the built message: line \\d+ \\(the ${field} field\\) is \\d+ octets long, over the 998 a message line may hold`));
    expect(r.stderr).not.toMatch(/ERR_SMTP_CLIENT_LINE_TOO_LONG|\n\s+at /);
    expect(srv.connections()).toBe(0);
  });

  it('500 --to with --subject: the To field mimetext writes is folded too, every recipient delivered', async () => {
    const srv = await recordingServer();
    const to = Array.from({ length: 500 }, (_, i) => `user${i}@srv.test`);
    const r = await runCli(base(srv.port, ...to.flatMap((t) => ['-t', t]), '--subject', 'many', '--text', 'hi', '--json'), { timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    expect(srv.messages).toHaveLength(5);
    const lines = srv.messages[0]!;
    const header = lines.slice(0, lines.indexOf(''));
    for (const line of header) expect(line.length, line).toBeLessThanOrEqual(998);
    const fields = header.join('\r\n').replace(/\r\n(?=[ \t])/g, '').split('\r\n');
    expect(fields.filter((f) => /^to:/i.test(f)).map((f) => f.match(/<[^>]+>/g)?.length)).toEqual([500]);
  });
});
