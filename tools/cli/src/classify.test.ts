// smtp classify as a process: text argument, stdin lines, --json, --domain with --rules.
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './run-cli.js';
import { tempDir } from './testing/peers.js';

const tmp = tempDir('classify-');
afterAll(() => tmp.cleanup());

describe('smtp classify', () => {
  it('classifies TEXT (words joined) and exits 0', async () => {
    const r = await runCli(['classify', '550', '5.1.1', 'user', 'unknown']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^10\s+Invalid Recipient\s+hard\s+.*<- 550 5\.1\.1 user unknown\n$/);
  });

  it('--json prints the documented object', async () => {
    const r = await runCli(['classify', '--json', '550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ id: 10, name: 'Invalid Recipient', category: 'hard', transient: false, replyCode: 550, enhancedCode: '5.1.1' });
    expect(typeof json.description).toBe('string');
    expect(json.rule.kind).toBeDefined();
  });

  it('reads one reply per stdin line, skipping blank lines', async () => {
    const input = '550 5.1.1 user unknown\r\n\n452 4.2.2 Mailbox full\n554 5.7.1 Relay access denied\n';
    const r = await runCli(['classify', '--json'], { stdin: input });
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: number; input: string });
    expect(rows.map((x) => x.input)).toEqual(['550 5.1.1 user unknown', '452 4.2.2 Mailbox full', '554 5.7.1 Relay access denied']);
    expect(rows.map((x) => x.id)).toEqual([10, 22, 54]);
  });

  it('--rules adds legacy domain rules that apply only with --domain', async () => {
    const file = join(tmp.dir, 'rules.txt');
    writeFileSync(file, 'example.com,10,no thanks\n');
    const hit = await runCli(['classify', '--json', '--rules', file, '--domain', 'example.com', '550 no thanks']);
    expect(JSON.parse(hit.stdout)).toMatchObject({ id: 10, rule: { kind: 'domain-rule', domain: 'example.com' } });
    const miss = await runCli(['classify', '--json', '--rules', file, '--domain', 'example.org', '550 no thanks']);
    expect(JSON.parse(miss.stdout).rule.kind).not.toBe('domain-rule');
  });

  it('a missing --rules file is a usage error (exit 2)', async () => {
    const r = await runCli(['classify', '--rules', join(tmp.dir, 'nope.txt'), '550 x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.txt');
  });
});
