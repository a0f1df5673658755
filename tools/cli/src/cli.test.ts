// Spawns the real `smtp` command (through tsx, as `pnpm smtp` does) and checks output and exit codes.
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('smtp (help and usage errors)', () => {
  it('prints the command list with --help and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['serve', 'send', 'probe', 'classify']) expect(r.stdout).toContain(command);
  });

  it.each(['serve', 'send', 'probe', 'classify'])('%s --help exits 0 and shows usage', async (command) => {
    const r = await runCli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: smtp ${command}`);
  });

  it('an unknown command exits 2 with a message on stderr', async () => {
    const r = await runCli(['bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'bogus'");
  });

  it('an unknown option exits 2', async () => {
    const r = await runCli(['classify', '--nope', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--nope');
  });

  it('a bad port exits 2 and names the option', async () => {
    const r = await runCli(['send', '--host', '127.0.0.1', '--port', '99999', '--from', 'a@b.example', '--to', 'c@d.example']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--port');
  });

  it('a missing required option exits 2', async () => {
    const r = await runCli(['serve', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--dir');
  });

  it('an invalid --starttls policy exits 2 and lists the choices', async () => {
    const r = await runCli(['send', '-H', '127.0.0.1', '-p', '25', '-f', 'a@b.example', '-t', 'c@d.example', '--starttls', 'maybe']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('optional');
  });

  it('--auth without a colon exits 2', async () => {
    const r = await runCli(['serve', '-p', '0', '-d', '/tmp/x', '--auth', 'nopass']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('USER:PASS');
  });
});
