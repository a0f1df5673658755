// Help and usage errors of every command. Most checks run the program in-process (fast); a few spawn
// the real `smtp` process to prove the exit codes the shell sees.
import { describe, expect, it } from 'vitest';
import { CommanderError } from 'commander';
import { createProgram } from './program.js';
import { runCli } from './run-cli.js';
import { SECURITY_OF } from './send-transport.js';
import { MAX_WORKERS } from './serve.js';

/** Parses `args` in-process; returns commander's exit code (0 for help) and what it printed. */
async function parse(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const program = createProgram({ writeOut: (t) => (out += t), writeErr: (t) => (err += t) });
  try {
    // Only parse errors and help are exercised here: no action may run.
    await program.parseAsync(['node', 'smtp', ...args]);
    return { code: -1, out, err };
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    const help = e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version';
    return { code: help ? 0 : 2, out, err };
  }
}

describe('smtp (help and usage errors)', () => {
  it('prints the command list with --help', async () => {
    const r = await parse(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['serve', 'send', 'probe', 'classify']) expect(r.out).toContain(command);
  });

  it.each(['serve', 'send', 'probe', 'classify'])('%s --help shows its usage', async (command) => {
    const r = await parse([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Usage: smtp ${command}`);
  });

  it.each([
    ['an unknown command', ['bogus'], "unknown command 'bogus'"],
    ['an unknown option', ['classify', '--nope', 'x'], '--nope'],
    ['a bad port', ['send', '--host', '127.0.0.1', '--port', '99999', '--from', 'a@b.example', '--to', 'c@d.example'], '--port'],
    ['a missing required option', ['serve', '--port', '0'], '--dir'],
    ['an invalid --starttls policy', ['send', '-H', '127.0.0.1', '-p', '25', '-f', 'a@b.example', '-t', 'c@d.example', '--starttls', 'maybe'], 'optional'],
    ['--auth without a colon', ['serve', '-p', '0', '-d', '/tmp/x', '--auth', 'nopass'], 'USER:PASS'],
    ['a bad --size', ['send', '-H', 'h', '-p', '25', '-f', 'a@b', '-t', 'c@d', '--size', '10q'], 'byte count'],
    ['a zero --count', ['send', '-H', 'h', '-p', '25', '-f', 'a@b', '-t', 'c@d', '-n', '0'], 'whole number'],
    ['--file with --size', ['send', '-H', 'h', '-p', '25', '-f', 'a@b', '-t', 'c@d', '--file', 'x.eml', '--size', '1k'], 'exclude each other'],
    ['a missing --file', ['send', '-H', 'h', '-p', '25', '-f', 'a@b', '-t', 'c@d', '--file', '/nonexistent/x.eml'], 'no such file'],
    ['half a TLS pair', ['serve', '-p', '0', '-d', '/tmp/x', '--tls-cert', 'c.pem'], 'go together'],
  ])('%s is a usage error naming the problem', async (_title, args, message) => {
    const r = await parse(args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });

  it('--starttls takes the library word opportunistic beside the contract word optional, with one meaning', async () => {
    const r = await parse(['send', '--help']);
    expect(r.out.replace(/\s+/g, " ")).toContain('(choices: "off", "optional", "opportunistic", "required"');
    expect(SECURITY_OF.optional).toBe('opportunistic');
    expect(SECURITY_OF.opportunistic).toBe('opportunistic');
  });

  it('serve --help documents --security (the TlsSecurity words) and --min-data-rate-grace', async () => {
    const r = await parse(['serve', '--help']);
    const out = r.out.replace(/\s+/g, ' ');
    expect(out).toContain('--security <policy>');
    expect(out).toContain('(choices: "off", "opportunistic", "required", "implicit")');
    expect(out).toContain('--min-data-rate-grace <seconds>');
    expect(out).toContain('--tls-implicit same as --security implicit');
  });

  it.each([
    ['serve with an empty --host (it listened on every interface)', ['serve', '-p', '0', '-d', '/tmp/smtpkit-cli-never-made', '-H', ''], "'-H, --host <host>' argument '' is invalid"],
    ['send with an empty --host', ['send', '-H', '', '-p', '9', '-f', 'a@b.example', '-t', 'c@d.example'], "'-H, --host <host>' argument '' is invalid"],
    ['probe with an empty --host', ['probe', '-H', '', '-p', '9'], "'-H, --host <host>' argument '' is invalid"],
    ['send --helo with CR', ['send', '-H', '127.0.0.1', '-p', '9', '-f', 'a@b.example', '-t', 'c@d.example', '--helo', 'x\ry'], "'--helo <name>' argument"],
    ['probe --helo with CRLF and a command', ['probe', '-H', '127.0.0.1', '-p', '9', '--helo', 'x\r\nMAIL FROM:<a@b.example>'], "'--helo <name>' argument"],
    ['serve --hostname with a space', ['serve', '-p', '0', '-d', '/tmp/smtpkit-cli-never-made', '--hostname', 'a b'], "'--hostname <name>' argument 'a b' is invalid"],
    ['serve --workers beyond 4 per CPU (it forked them all: 99999 was a fork bomb)', ['serve', '-p', '0', '-d', '/tmp/smtpkit-cli-never-made', '--workers', String(MAX_WORKERS + 1)], `'--workers <n>' argument '${String(MAX_WORKERS + 1)}' is invalid. expected at most ${String(MAX_WORKERS)}`],
    ['serve --hostname with a character no host name has', ['serve', '-p', '0', '-d', '/tmp/smtpkit-cli-never-made', '--hostname', 'exa!mple.org'], "'--hostname <name>' argument 'exa!mple.org' is invalid. hostname must be a domain"],
    ['serve --hostname with an empty label', ['serve', '-p', '0', '-d', '/tmp/smtpkit-cli-never-made', '--hostname', 'foo..bar'], "'--hostname <name>' argument 'foo..bar' is invalid. hostname must be a domain"],
    ['serve --hostname with hyphens at the ends of a label', ['serve', '-p', '0', '-d', '/tmp/smtpkit-cli-never-made', '--hostname', '-x-'], "'--hostname <name>' argument '-x-' is invalid"],
    ['serve --hostname internationalised with an empty label', ['serve', '-p', '0', '-d', '/tmp/smtpkit-cli-never-made', '--hostname', 'm\u00fcnchen..example'], 'xn--mnchen-3ya..example'],
    ['send --helo with an empty label', ['send', '-H', '127.0.0.1', '-p', '9', '-f', 'a@b.example', '-t', 'c@d.example', '--helo', 'a..example'], "'--helo <name>' argument 'a..example' is invalid"],
    ['serve --hostname not a valid internationalised name', ['serve', '-p', '0', '-d', '/tmp/smtpkit-cli-never-made', '--hostname', '\u00fc.xn--zz'], 'not a valid internationalised domain name'],
  ])('%s: exit 2 before any connection or listening socket', async (_title, args, message) => {
    // runCli kills a process that outlives its limit: a server that started listening fails here.
    const r = await runCli(args, { timeoutMs: 15_000 });
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).not.toContain('listening on');
  });

  it('no command is a usage error: the usage on stderr, exit 2 (in-process and the real process); --help and help exit 0', async () => {
    const none = await parse([]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('Usage: smtp [options] [command]');
    expect(none.out).toBe('');
    const proc = await runCli([]);
    expect(proc.code).toBe(2);
    expect(proc.stderr).toContain('Usage: smtp [options] [command]');
    expect(proc.stdout).toBe('');
    for (const args of [['--help'], ['help'], ['help', 'send']]) {
      const help = await runCli(args);
      expect(help.code, args.join(' ')).toBe(0);
      expect(help.stdout, args.join(' ')).toContain(args[1] === undefined ? 'Usage: smtp [options] [command]' : 'Usage: smtp send');
    }
    const unknown = await runCli(['help', 'bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Usage: smtp');
  }, 60_000);

  it('the real process exits 0 for --help and 2 for a usage error', async () => {
    const help = await runCli(['send', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: smtp send');
    const bad = await runCli(['send', '--port', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("argument 'x' is invalid");
  });
});

describe('smtp with its output pipe closed early', () => {
  it('`smtp serve --help | head -1`: a reader gone before the help is written (EPIPE) ends the command quietly, exit 0, no stack trace', async () => {
    const { spawn } = await import('node:child_process');
    const { cliMain, repoRoot } = await import('./run-cli.js');
    const child = spawn(process.execPath, ['--import', 'tsx', cliMain, 'serve', '--help'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    // the reader goes away at once: every write of the help meets a closed pipe
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearTimeout(timer);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
