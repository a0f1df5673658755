// reply-reader: what a kept reply holds on to. A reply's text must not be a slice of the string of
// the whole chunk it came from, or keeping a few small replies keeps every big chunk alive.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, test } from 'vitest';
import { ReplyReader, type Reply } from 'smtp-reply-reader';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('DOS-9 memory: a kept reply does not keep its chunk alive', () => {
  test('300 short replies, each pushed with 64 KiB of empty lines after it, cost far less than 300 chunks', () => {
    const chunk = new TextEncoder().encode(`250 2.1.5 Recipient <someone@example.com> ok\r\n${'\r\n'.repeat(32_000)}`);
    const multi = new TextEncoder().encode(`250-first line of a kept reply\r\n250 last line of a kept reply\r\n${'\r\n'.repeat(32_000)}`);
    const kept: Reply[] = [];
    const reader = new ReplyReader();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 150; i++) kept.push(...reader.push(chunk), ...reader.push(multi));
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(kept).toHaveLength(300);
    expect(kept[1]).toEqual({ code: 250, lines: ['first line of a kept reply', 'last line of a kept reply'], text: 'first line of a kept reply\nlast line of a kept reply' });
    // 300 chunks are 19 MB of text; the replies themselves are well under 1 MB
    expect(grown, `heap grew by ${grown} bytes`).toBeLessThan(4_000_000);
  });
});
