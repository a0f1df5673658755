// The file arguments of the CLI (--rules, --file, --attach, the TLS files of serve), read as streams up to a cap: a file
// that never ends (/dev/zero, an endless pipe) or is far too large stops at the cap, as a usage
// error, instead of growing the process without bound. `--file -` is standard input.
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
