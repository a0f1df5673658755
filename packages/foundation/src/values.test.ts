import { describe, expect, test } from 'vitest';
import { isIterableObject, isWellFormedText, loneSurrogateIndex, typeName } from './values.js';

describe('typeName', () => {
  test.each([
    [null, 'null'],
    [undefined, 'undefined'],
    [5, 'number'],
    ['x', 'string'],
    [[], 'Array'],
    [{}, 'Object'],
    [new Map(), 'Map'],
    [new ArrayBuffer(1), 'ArrayBuffer'],
    [() => 1, 'function'],
  ])('%o is %s', (value, name) => {
    expect(typeName(value)).toBe(name);
  });
});

describe('isIterableObject', () => {
  test('lists, sets and generators are; strings, nulls and plain objects are not', () => {
    expect(isIterableObject(['a'])).toBe(true);
    expect(isIterableObject(new Set(['a']))).toBe(true);
    expect(isIterableObject((function* () { yield 1; })())).toBe(true);
    expect(isIterableObject('SIZE')).toBe(false);
    expect(isIterableObject(null)).toBe(false);
    expect(isIterableObject({ length: 1, 0: 'a' })).toBe(false);
  });
});

describe('loneSurrogateIndex', () => {
  test.each([
    ['', -1],
    ['plain', -1],
    ['\u{1f600}', -1],
    ['a\u{1f600}b\u{1f600}', -1],
    ['\ud800', 0],
    ['a\udc00', 1],
    ['\ud800a', 0],
    ['\u{1f600}\ud800', 2],
    ['\udc00\ud800', 0],
    ['\ud800\ud800\udc00', 0],
  ])('%j at %i', (s, at) => {
    expect(loneSurrogateIndex(s)).toBe(at);
    expect(isWellFormedText(s)).toBe(at < 0);
  });
});
