// The file arguments of the CLI (--rules, --file, --attach, the TLS files of serve), read as streams up to a cap: a file
// that never ends (/dev/zero, an endless pipe) or is far too large stops at the cap, as a usage
// error, instead of growing the process without bound. `-` is standard input for `send --file`,
// `send --attach` and `classify --rules` (a file so named is `./-`), which a command line may read once.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { formatBytes } from './options.js';

const MiB = 1024 * 1024;

/** The most `smtp classify --rules` reads: a rules file far larger than any real one. */
export const RULES_MAX_BYTES = 4 * MiB;
/** The most `smtp send --file` reads: above the message size limit of any common mail service. */
export const MESSAGE_FILE_MAX_BYTES = 64 * MiB;
/** The most the `--attach` files of one message hold together: base64 makes them about 64 MiB. */
export const ATTACHMENTS_MAX_BYTES = 48 * MiB;
/** The most `smtp serve` reads of each TLS file (`--tls-cert`, `--tls-key`, `--tls-client-ca`): a CA bundle is far smaller. */
export const TLS_FILE_MAX_BYTES = 4 * MiB;

/** An input past its cap: its message names the option, the file and the cap. */
export class InputTooLargeError extends Error {
  constructor(
    readonly option: string,
    /** The file as shown (`- (standard input)`). */
    readonly path: string,
    readonly cap: number,
    /** How it passed the cap, when not alone (`with the --attach files before it`). */
    how = '',
  ) {
    super(`${option} ${path}: ${how === '' ? 'larger than' : `over, ${how},`} ${cap % MiB === 0 ? `${cap / MiB} MiB` : formatBytes(cap)}, the most ${option} reads`);
    this.name = 'InputTooLargeError';
  }
}

/**
 * The bytes of `path`, read as a stream in chunks of at most 1 MiB and stopped as soon as they
 * pass `cap` bytes (InputTooLargeError naming `option`): memory stays within the cap and a chunk,
 * whatever the file, pipe or socket gives. With `stdin`, `-` reads that stream (standard input)
 * instead of a file so named. Other read errors are thrown as they come.
 */
export async function readCapped(path: string, cap: number, option: string, stdin?: Readable): Promise<Buffer> {
  const stream = path === '-' && stdin !== undefined ? stdin : createReadStream(path, { highWaterMark: MiB });
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      total += bytes.length;
      if (total > cap) throw new InputTooLargeError(option, path === '-' && stdin !== undefined ? '- (standard input)' : path, cap);
      chunks.push(bytes);
    }
  } finally {
    // a stream left early (past the cap, an error) reads no more: standard input is let go too
    if (!stream.readableEnded) stream.destroy();
  }
  return Buffer.concat(chunks, total);
}

/** Paths that open standard input as a file, read as `-` is when two readers of it are looked for. */
const STDIN_PATHS = new Set(['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

/**
 * Whether an input named `path` is standard input: `-` (for the options that read it so) or a
 * path that opens it (`/dev/stdin`, `/dev/fd/0`, `/proc/self/fd/0`).
 */
export function readsStdin(path: string): boolean {
  return path === '-' || STDIN_PATHS.has(path);
}

/**
 * The usage error of a command line with more than one reader of standard input, or `undefined`
 * with one or none. `readers` names each as shown (`--file -`, `--attach /dev/stdin`): the first
 * to read would take all of it and the next get nothing (a pipe) or wait for ever (a terminal).
 */
export function stdinReadTwice(readers: readonly string[]): string | undefined {
  if (readers.length < 2) return undefined;
  const named = `${readers.slice(0, -1).join(', ')} and ${readers.at(-1)!}`;
  return `error: ${named} ${readers.length === 2 ? 'both' : 'all'} read standard input, which can be read only once: give ${readers.length === 2 ? 'one of them as a file' : 'all but one as files'} (a file named - is ./-)`;
}
