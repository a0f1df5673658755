import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ReplyReader } from './reply-reader.js';

const source = readFileSync(new URL('./reply-reader.ts', import.meta.url), 'utf8');

describe('ReplyReader TSDoc examples say what the reader does', () => {
  it('bufferedBytes: the example sum equals the value after the example push', () => {
    const example = /reader\.push\('250-hello\\r\\n25'\); reader\.bufferedBytes; \/\/ (\d+) \+ (\d+)/.exec(source);
    expect(example, 'the bufferedBytes example').not.toBeNull();
    const reader = new ReplyReader();
    reader.push('250-hello\r\n25');
    // the finished `250-hello` line counts with its CRLF (11), the unfinished `25` as it is (2)
    expect(reader.bufferedBytes).toBe(13);
    expect(Number(example![1]) + Number(example![2])).toBe(reader.bufferedBytes);
  });
});
