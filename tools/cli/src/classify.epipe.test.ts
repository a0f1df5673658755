// smtp classify with its stdout closed (`smtp classify ... | head -c1`): the reader going away stops
// the output, not the run; the exit code is the outcome over every input (1 when one is not a
// message or cannot be read), as with stdout open, never 0 for a run that would have failed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'smtp-classify-epipe-'));
});
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

const ooo = 'From: dave@rcpt.test\nTo: alice@sender.test\nSubject: Automatic reply: hello\nAuto-Submitted: auto-replied\n\nI am out of the office.\n';

/** A directory of `good` auto-replies, then one input that is not a message (sorted last). */
function bounces(name: string, good: number): string {
  const d = join(dir, name);
  mkdirSync(d);
  for (let i = 0; i < good; i++) writeFileSync(join(d, `a${String(i).padStart(3, '0')}.eml`), ooo);
  writeFileSync(join(d, 'z-not-a-message.txt'), 'just a sentence\n');
  return d;
}

describe('smtp classify --message with stdout closed', () => {
  it('a directory whose last file is not a message: exit 1 as with stdout open (table and --json), no stack trace', async () => {
    const d = bounces('dir', 200);
    for (const output of [[], ['--json']]) {
      expect((await runCli(['classify', '--message', d, ...output])).code).toBe(1);
      for (const stdoutBytes of [0, 1]) {
        const r = await runCli(['classify', '--message', d, ...output], { stdoutBytes });
        expect(r.signal).toBeNull();
        expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
        expect(r.code, `${stdoutBytes} ${output.join(' ')}`).toBe(1);
      }
    }
  }, 60_000);

  it('an mbox on stdin whose last message is not a message: exit 1', async () => {
    const mbox = `${Array.from({ length: 200 }, () => `From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n${ooo}`).join('\n')}\nFrom x Thu Jan  1 00:00:00 2026\njust a sentence\n`;
    expect((await runCli(['classify', '--message', '-'], { stdin: mbox })).code).toBe(1);
    const r = await runCli(['classify', '--message', '-'], { stdin: mbox, stdoutBytes: 0 });
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.code).toBe(1);
  }, 30_000);

  it('every input classified: exit 0 with stdout closed too', async () => {
    const d = join(dir, 'fine');
    mkdirSync(d);
    writeFileSync(join(d, 'a.eml'), ooo);
    const r = await runCli(['classify', '--message', d], { stdoutBytes: 0 });
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.code).toBe(0);
  });
});

describe('smtp classify of reply texts with stdout closed', () => {
  it('replies from stdin or as words: exit 0 (every reply gets a class), no stack trace; a usage error is still exit 2', async () => {
    const replies = Array.from({ length: 500 }, (_, i) => `550 5.1.1 <user${i}@example.org>: user unknown`).join('\n');
    for (const stdoutBytes of [0, 1]) {
      const piped = await runCli(['classify', '--json'], { stdin: replies, stdoutBytes });
      expect(piped.stderr).not.toMatch(/EPIPE|\n\s+at /);
      expect(piped.code).toBe(0);
      const words = await runCli(['classify', '550', '5.1.1', 'user', 'unknown'], { stdoutBytes });
      expect(words.code).toBe(0);
    }
    const usage = await runCli(['classify', '--rules', join(dir, 'missing.csv'), '550 x'], { stdoutBytes: 0 });
    expect(usage.code).toBe(2);
  }, 60_000);
});
