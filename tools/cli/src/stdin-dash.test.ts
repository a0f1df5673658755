// `-` is standard input for `smtp send --attach` and `smtp classify --rules`, as for `send --file`,
// with each option's cap (--attach 48 MiB together, --rules 4 MiB); a file named `-` is `./-` (or
// any other path to it). Standard input can be read once: a command line with two readers of it
// (`--file -` and `--attach -`, two `--attach -`, `classify --rules -` with `--message -` or with
// the replies read from stdin) is a usage error (exit 2) before anything is read or sent.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { recordingServers, unstuffedBody } from '@smtpkit/testkit';
import { runCli } from './run-cli.js';
import { tempDir } from './testing/peers.js';

const MiB = 1024 * 1024;
const TWICE = 'both read standard input, which can be read only once';

const servers = recordingServers();
afterEach(() => servers.closeAll());
const tmp = tempDir('stdin-dash-');
afterAll(() => tmp.cleanup());

const send = (port: number, ...more: string[]): string[] => ['send', '-H', '127.0.0.1', '-p', String(port), '-f', 'a@client.test', '-t', 'b@srv.test', '--starttls', 'off', '--no-progress', ...more];

/** The attachments (name, content as text) of the one message the server got. */
async function attachmentsOf(messages: readonly string[][]): Promise<[string | null, string][]> {
  expect(messages).toHaveLength(1);
  const mail = await PostalMime.parse(unstuffedBody(messages[0]!));
  return mail.attachments.map((a) => [a.filename, new TextDecoder().decode(a.content as ArrayBuffer)]);
}

describe('smtp send --attach -', () => {
  it('attaches standard input (named "attachment"), next to file attachments', async () => {
    const srv = await servers.start();
    const file = join(tmp.dir, 'notes.txt');
    writeFileSync(file, 'from a file\n');
    const r = await runCli(send(srv.port, '--subject', 's', '--attach', file, '--attach', '-'), { stdin: 'from standard input\n' });
    expect(r.code, r.stderr).toBe(0);
    expect(await attachmentsOf(srv.messages)).toEqual([
      ['notes.txt', 'from a file\n'],
      ['attachment', 'from standard input\n'],
    ]);
  });

  it('a file named - is given as a path to it (./-): the file is attached, standard input is not read', async () => {
    const srv = await servers.start();
    const dash = join(tmp.dir, '-');
    writeFileSync(dash, 'the file named dash\n');
    const r = await runCli(send(srv.port, '--subject', 's', '--attach', dash), { stdin: 'not this\n' });
    expect(r.code, r.stderr).toBe(0);
    expect(await attachmentsOf(srv.messages)).toEqual([['-', 'the file named dash\n']]);
  });

  it('standard input past 48 MiB: a usage error naming --attach, standard input and the cap; nothing sent', async () => {
    const srv = await servers.start();
    const r = await runCli(send(srv.port, '--subject', 's', '--attach', '-'), { stdin: 'x'.repeat(49 * MiB), timeoutMs: 60_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: --attach - (standard input): larger than 48 MiB, the most --attach reads');
    expect(srv.connections()).toBe(0);
  });

  it('standard input that takes the --attach files before it past 48 MiB: the cap together, naming standard input', async () => {
    const srv = await servers.start();
    const big = join(tmp.dir, 'big.bin');
    writeFileSync(big, Buffer.alloc(47 * MiB, 0x61));
    const r = await runCli(send(srv.port, '--subject', 's', '--attach', big, '--attach', '-'), { stdin: 'y'.repeat(2 * MiB), timeoutMs: 60_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: --attach - (standard input): over, with the --attach files before it, 48 MiB, the most --attach reads');
    expect(srv.connections()).toBe(0);
  });

  it.each([
    ['--file - with --attach -', ['--file', '-', '--attach', '-'], '--file - and --attach -'],
    ['two --attach -', ['--subject', 's', '--attach', '-', '--attach', '-'], '--attach - and --attach -'],
    ['--attach /dev/stdin with --attach -', ['--subject', 's', '--attach', '/dev/stdin', '--attach', '-'], '--attach /dev/stdin and --attach -'],
  ])('%s: standard input read twice is a usage error naming both, nothing read or sent', async (_what, extra, named) => {
    const srv = await servers.start();
    const r = await runCli(send(srv.port, ...extra), { stdin: 'Subject: x\n\nhi\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: ${named} ${TWICE}`);
    expect(srv.connections()).toBe(0);
  });
});

describe('smtp classify --rules -', () => {
  it('reads the rules from standard input', async () => {
    const r = await runCli(['classify', '--json', '--rules', '-', '--domain', 'example.com', '550 no thanks'], { stdin: 'example.com,10,no thanks\n' });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 10, rule: { kind: 'domain-rule', domain: 'example.com' } });
  });

  it('a file named - is given as a path to it: its rules apply, standard input is not read', async () => {
    const dash = join(tmp.dir, '-');
    writeFileSync(dash, 'example.com,10,no thanks\n');
    const r = await runCli(['classify', '--json', '--rules', dash, '--domain', 'example.com', '550 no thanks'], { stdin: 'not,a rule\n' });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 10, rule: { kind: 'domain-rule', domain: 'example.com' } });
  });

  it('standard input past 4 MiB: a usage error naming --rules, standard input and the cap', async () => {
    const r = await runCli(['classify', '--rules', '-', '550 x'], { stdin: 'example.com,10,no such user\n'.repeat(Math.ceil((5 * MiB) / 28)), timeoutMs: 60_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: --rules - (standard input): larger than 4 MiB, the most --rules reads');
    expect(r.stdout).toBe('');
  });

  it.each([
    ['with --message -', ['--rules', '-', '--message', '-'], '--rules - and --message -'],
    ['with --message /dev/stdin', ['--rules', '-', '--message', '/dev/stdin'], '--rules - and --message /dev/stdin'],
    ['with the replies read from standard input (no TEXT)', ['--rules', '-'], '--rules - and the replies (no TEXT given: one per line of standard input)'],
    ['--rules /dev/stdin with the replies read from standard input', ['--rules', '/dev/stdin', '--json'], '--rules /dev/stdin and the replies (no TEXT given: one per line of standard input)'],
  ])('%s: standard input read twice is a usage error naming both, nothing classified', async (_what, args, named) => {
    const r = await runCli(['classify', ...args], { stdin: 'example.com,10,no thanks\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: ${named} ${TWICE}`);
    expect(r.stdout).toBe('');
  });
});
