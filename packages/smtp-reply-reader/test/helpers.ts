/** Test helpers: feed chunks to a fresh reader and collect replies plus the typed error, if any. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ReplyReader, isReplyReaderError, type Reply, type ReplyReaderOptions, type ReplyReaderError } from 'smtp-reply-reader';
const isRemoteError = (e: unknown): e is ReplyReaderError => isReplyReaderError(e) && e.kind === 'remote';

export interface Outcome {
  replies: Reply[];
  error?: string;
  offset?: number;
}

export function feed(chunks: readonly (Uint8Array | string)[], options?: ReplyReaderOptions, end = true): Outcome {
  const reader = new ReplyReader(options);
  const replies: Reply[] = [];
  try {
    for (const c of chunks) replies.push(...reader.push(c));
    if (end) reader.end();
    return { replies };
  } catch (e) {
    if (!isRemoteError(e)) throw e;
    replies.push(...e.replies);
    return { replies, error: e.code, offset: e.offset };
  }
}

const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures');

export function fixtureNames(): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .map((f) => f.slice(0, -4))
    .sort();
}

export function fixture(name: string): { wire: Uint8Array; expected: Reply[] } {
  return {
    wire: new Uint8Array(readFileSync(join(dir, `${name}.txt`))),
    expected: JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as Reply[],
  };
}
