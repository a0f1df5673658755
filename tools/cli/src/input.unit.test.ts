// readCapped without a child process: the cap is inclusive, `-` reads the given stream only. The
// names of standard input, and the error of a command line that reads it more than once.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { InputTooLargeError, readCapped, readsStdin, stdinReadTwice } from './input.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readCapped', () => {
  it('a file of exactly the cap is read whole; one byte more is InputTooLargeError naming the option, the file and the cap', async () => {
    const file = join(dir, 'ten');
    writeFileSync(file, '0123456789');
    expect((await readCapped(file, 10, '--rules')).toString()).toBe('0123456789');
    const e = await readCapped(file, 9, '--rules').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InputTooLargeError);
    expect((e as Error).message).toBe(`--rules ${file}: larger than 9 B, the most --rules reads`);
  });

  it('- with a stream reads the stream, stopping at the cap (an endless one too) and letting it go', async () => {
    expect((await readCapped('-', 100, '--file', Readable.from([Buffer.from('a'), 'b']))).toString()).toBe('ab');
    let made = 0;
    const endless = new Readable({
      read() {
        made++;
        this.push(Buffer.alloc(64 * 1024));
      },
    });
    await expect(readCapped('-', 1024 * 1024, '--file', endless)).rejects.toThrow('--file - (standard input): larger than 1 MiB, the most --file reads');
    expect(endless.destroyed).toBe(true);
    // no more than the cap and the stream's read-ahead was made
    expect(made).toBeLessThan(20);
  });

  it('- without a stream is a file so named', async () => {
    await expect(readCapped('-', 10, '--rules')).rejects.toThrow(/ENOENT/);
  });
});

describe('standard input read once', () => {
  it('- and the paths that open standard input are it; ./- and other paths are files', () => {
    for (const path of ['-', '/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']) expect(readsStdin(path), path).toBe(true);
    for (const path of ['./-', '/tmp/-', '--', '/dev/fd/1', 'stdin']) expect(readsStdin(path), path).toBe(false);
  });

  it('no error with one reader or none; with two or more, one naming them all', () => {
    expect(stdinReadTwice([])).toBeUndefined();
    expect(stdinReadTwice(['--file -'])).toBeUndefined();
    expect(stdinReadTwice(['--file -', '--attach -'])).toBe('error: --file - and --attach - both read standard input, which can be read only once: give one of them as a file (a file named - is ./-)');
    expect(stdinReadTwice(['--file -', '--attach -', '--attach /dev/stdin'])).toBe('error: --file -, --attach - and --attach /dev/stdin all read standard input, which can be read only once: give all but one as files (a file named - is ./-)');
  });
});
