import { describe, expect, it } from 'vitest';
import { copyBytes } from './bytes.js';

describe('copyBytes', () => {
  it.each([
    ['Uint8Array', Uint8Array.from([1, 2, 3])],
    ['Buffer (whose own slice() is a view)', Buffer.from([1, 2, 3])],
    ['a view into a larger buffer', new Uint8Array([9, 1, 2, 3, 9]).subarray(1, 4)],
  ])('%s: the copy keeps the bytes after the source is overwritten', (_name, source) => {
    const copy = copyBytes(source);
    source.fill(0);
    expect([...copy]).toEqual([1, 2, 3]);
    expect(copy.buffer).not.toBe(source.buffer);
  });
});
