// The message store of `smtp serve`: each message becomes <id>.eml (exact bytes) + <id>.json
// (envelope). Both are written under a temporary dot-name, flushed to disk and renamed into place,
// the .json last, so a crash never leaves a file with a final name that is incomplete: a reader that
// sees <id>.json can trust that <id>.eml is complete.
import { mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';

/** The envelope stored next to each message (`<id>.json`). */
export interface StoredEnvelope {
  readonly id: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly helo: string | undefined;
  readonly clientAddress: string | undefined;
  readonly clientPort?: number | undefined;
  readonly size: number;
  readonly parameters: { readonly mail: Readonly<Record<string, string | true>>; readonly rcpt: Readonly<Record<string, Readonly<Record<string, string | true>>>> };
  readonly time: string;
  readonly tls?: boolean;
  readonly user?: string | undefined;
  readonly protocol?: string;
  readonly [extra: string]: unknown;
}

/** Paths of a committed message. */
export interface StoredMessage {
  readonly id: string;
  readonly eml: string;
  readonly json: string;
  readonly size: number;
}

let sequence = 0;

/** Flushes a directory entry (the renames) to disk; best effort where directories cannot be opened. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Not supported on this platform (e.g. Windows): the renames are still atomic.
  }
}

/**
 * A unique message id: UTC timestamp to the second, a per-process counter and random bits. Ids
 * sort by arrival to the second, and exactly within one process; `--workers` count each on their
 * own, so ids of the same second from two workers may sort in either order (docs/cli.md).
 */
export function newMessageId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  sequence = (sequence + 1) % 1_000_000;
  return `${stamp}-${String(sequence).padStart(6, '0')}-${randomBytes(4).toString('hex')}`;
}

/** One message being received; call `commit` after the final dot, `abort` otherwise. */
export class MessageWriter {
  readonly id: string;
  #size = 0;
  #done = false;
  readonly #dir: string;
  readonly #handle: FileHandle;
  readonly #tmp: string;

  constructor(dir: string, id: string, handle: FileHandle, tmp: string) {
    this.#dir = dir;
    this.id = id;
    this.#handle = handle;
    this.#tmp = tmp;
  }

  /** Bytes written so far. */
  get size(): number {
    return this.#size;
  }

  /** Appends body bytes exactly as received. */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.#done) throw new Error('message already finished');
    let offset = 0;
    while (offset < chunk.byteLength) {
      const { bytesWritten } = await this.#handle.write(chunk, offset, chunk.byteLength - offset);
      offset += bytesWritten;
    }
    this.#size += chunk.byteLength;
  }

  /** Flushes, renames the body into place, then writes the envelope the same way. */
  async commit(envelope: Omit<StoredEnvelope, 'id' | 'size'> & { size?: number }): Promise<StoredMessage> {
    if (this.#done) throw new Error('message already finished');
    this.#done = true;
    await this.#handle.sync();
    await this.#handle.close();
    const eml = join(this.#dir, `${this.id}.eml`);
    await rename(this.#tmp, eml);
    const json = join(this.#dir, `${this.id}.json`);
    const jsonTmp = join(this.#dir, `.${this.id}.json.partial`);
    const body = `${JSON.stringify({ id: this.id, ...envelope, size: this.#size }, null, 2)}\n`;
    const fh = await open(jsonTmp, 'w', 0o644);
    try {
      await fh.writeFile(body);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(jsonTmp, json);
    await syncDirectory(this.#dir);
    return { id: this.id, eml, json, size: this.#size };
  }

  /** Drops the partial body (rejected or broken transaction). */
  async abort(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#handle.close().catch(() => undefined);
    await rm(this.#tmp, { force: true });
  }
}

/**
 * `mkdir -p` that always ends: Node 20's `mkdir(dir, { recursive: true })` retries forever (100 %
 * CPU) where mkdir answers ENOENT although the parent exists (under /proc), so each level is made
 * once here, parents first, and an ENOENT after the parent exists is the error.
 */
async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir);
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && (await stat(dir).then((s) => s.isDirectory(), () => false))) return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw e;
    await makeDirectory(parent);
  }
  try {
    await mkdir(dir);
  } catch (e) {
    // Made meanwhile by someone else: fine, as mkdir -p.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !(await stat(dir).then((s) => s.isDirectory(), () => false))) throw e;
  }
}

/** The message directory cannot be created or used; `code` is the system error code (EEXIST, ENOTDIR, EACCES...). */
export class StoreDirectoryError extends Error {
  readonly code: string | undefined;
  constructor(
    readonly dir: string,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    super(`cannot use the message directory ${dir}: ${code ?? (cause as Error | undefined)?.message ?? String(cause)}`, { cause });
    this.name = 'StoreDirectoryError';
    this.code = code;
  }
}

export class MessageStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * Creates the directory (and parents) if needed. A directory that cannot be made (a file in
   * the way, no permission) is a {@link StoreDirectoryError} naming it.
   */
  async init(): Promise<void> {
    try {
      await makeDirectory(this.dir);
    } catch (e) {
      throw new StoreDirectoryError(this.dir, e);
    }
  }

  /** Starts a new message under a temporary name. */
  async begin(id: string = newMessageId()): Promise<MessageWriter> {
    const tmp = join(this.dir, `.${id}.eml.partial`);
    const handle = await open(tmp, 'wx', 0o644);
    return new MessageWriter(this.dir, id, handle, tmp);
  }

  /** Convenience: stores a whole message at once. */
  async put(bytes: Uint8Array, envelope: Omit<StoredEnvelope, 'id' | 'size'>): Promise<StoredMessage> {
    const w = await this.begin();
    try {
      await w.write(bytes);
      return await w.commit(envelope);
    } catch (e) {
      await w.abort();
      throw e;
    }
  }
}

/** Writes a file atomically (temp name, then rename). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.partial`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}
