import { describe, expect, test } from 'vitest';
import { asciiUpper, isIterableObject, isOptionsObject, isWellFormedText, loneSurrogateIndex, mailboxKey, replyTextFault, typeName } from './values.js';
import { isBytes } from './bytes.js';

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

describe('isOptionsObject', () => {
  test('an object of named fields, of any class, is one', () => {
    for (const v of [{}, { limits: {} }, Object.create(null), new Map(), new (class Options {})()]) expect(isOptionsObject(v)).toBe(true);
  });

  test('a list is not one, nor null or a primitive', () => {
    for (const v of [[], [{ pattern: 'x' }], new Array(3), null, undefined, 0, 'options', true, Symbol('o'), () => ({})]) expect(isOptionsObject(v)).toBe(false);
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

describe('replyTextFault', () => {
  test.each([
    ['ok', undefined],
    ['tab\tok \u{1f600} caf\u00e9', undefined],
    ['a\r\n250 x', { index: 1, kind: 'control', char: 13 }],
    ['\n', { index: 0, kind: 'control', char: 10 }],
    ['nul\0', { index: 3, kind: 'control', char: 0 }],
    ['del\u007f', { index: 3, kind: 'control', char: 0x7f }],
    ['c1\u0085', { index: 2, kind: 'control', char: 0x85 }],
    ['c1 end\u009f', { index: 6, kind: 'control', char: 0x9f }],
    ['\u00a0 is text', undefined],
    ['x\ud800', { index: 1, kind: 'lone-surrogate', char: 0xd800 }],
    ['\udc00x', { index: 0, kind: 'lone-surrogate', char: 0xdc00 }],
    ['\u{1f600}\ud83d', { index: 2, kind: 'lone-surrogate', char: 0xd83d }],
  ])('%j: %o', (text, fault) => {
    expect(replyTextFault(text)).toEqual(fault);
  });
});

describe('isBytes', () => {
  test('a Uint8Array (a Buffer too) is; other views, buffers and strings are not', () => {
    expect(isBytes(new Uint8Array(1))).toBe(true);
    expect(isBytes(Buffer.from('x'))).toBe(true);
    for (const v of [new Uint16Array(1), new DataView(new ArrayBuffer(1)), new ArrayBuffer(1), 'x', null, [1]]) expect(isBytes(v)).toBe(false);
  });
});

describe('mailboxKey', () => {
  test('compares the domain without case and keeps the local part as written', () => {
    expect(mailboxKey('Joe@Example.ORG')).toBe(mailboxKey('Joe@example.org'));
    expect(mailboxKey('joe@example.org')).not.toBe(mailboxKey('Joe@example.org'));
    expect(mailboxKey('"a@b"@Example.org')).toBe('"a@b"@example.org');
    expect(mailboxKey('')).toBe('');
    expect(mailboxKey('Postmaster')).toBe('Postmaster');
  });
});

describe('asciiUpper', () => {
  test('changes a-z only: non-ASCII letters that toUpperCase maps onto ASCII stay as they are', () => {
    expect(asciiUpper('login Dest-addr_1')).toBe('LOGIN DEST-ADDR_1');
    expect(asciiUpper('LOGIN')).toBe('LOGIN');
    for (const s of ['\u0131', '\u017f', '\u00df', '\ufb00', '\ufb05', '\ufb06', '\u00e9']) expect(asciiUpper(`a${s}b`), s).toBe(`A${s}B`);
  });
});
