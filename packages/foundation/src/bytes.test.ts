import { describe, expect, it } from 'vitest';
import { runInNewContext } from 'node:vm';
import { copyBytes, isBytes } from './bytes.js';

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

describe('isBytes', () => {
  const foreign = runInNewContext('Uint8Array.from([50, 53, 48])') as Uint8Array;
  it.each([
    ['a Uint8Array', Uint8Array.from([1, 2, 3])],
    ['an empty Uint8Array', new Uint8Array(0)],
    ['a Buffer', Buffer.from('250 ok')],
    ['a view into a larger buffer', new Uint8Array(8).subarray(2, 5)],
    ['a Uint8Array made in another realm (instanceof fails)', foreign],
    ['a Uint8Array with another own tag', Object.defineProperty(Uint8Array.from([1]), Symbol.toStringTag, { value: 'Other' })],
  ])('%s is bytes', (_name, value) => {
    expect(isBytes(value)).toBe(true);
  });

  it.each([
    ['an object that only claims the Uint8Array tag', { [Symbol.toStringTag]: 'Uint8Array', length: 3 }],
    ['an object made from Uint8Array.prototype', Object.create(Uint8Array.prototype) as unknown],
    ['a Proxy of a Uint8Array', new Proxy(Uint8Array.from([1]), {})],
    ['a DataView', new DataView(new ArrayBuffer(2))],
    ['a Uint16Array', new Uint16Array(2)],
    ['a Uint8ClampedArray', new Uint8ClampedArray(2)],
    ['a Uint16Array with its own Uint8Array tag', Object.defineProperty(new Uint16Array(2), Symbol.toStringTag, { value: 'Uint8Array' })],
    ['a Uint8ClampedArray with its own Uint8Array tag', Object.defineProperty(new Uint8ClampedArray(2), Symbol.toStringTag, { value: 'Uint8Array' })],
    ['a DataView with its own Uint8Array tag', Object.defineProperty(new DataView(new ArrayBuffer(2)), Symbol.toStringTag, { value: 'Uint8Array' })],
    ['an ArrayBuffer', new ArrayBuffer(2)],
    ['an array of numbers', [1, 2, 3]],
    ['a string', '250 ok'],
    ['null', null],
    ['undefined', undefined],
  ])('%s is not bytes', (_name, value) => {
    expect(isBytes(value)).toBe(false);
  });
});
