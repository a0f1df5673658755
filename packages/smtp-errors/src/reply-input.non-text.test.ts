import { describe, expect, it } from 'vitest';
import { classify, enhancedClass, parseEnhanced, scanCodes, type EnhancedCode } from './index.js';

// The code readers read replies, which are peer input: like `classify`, they never throw for what
// they are given. Anything that is not text holds no code.
describe('parseEnhanced, scanCodes and enhancedClass on input that is not text or a code', () => {
  const odd: unknown[] = [null, undefined, 5, 5.11, true, {}, ['550 5.1.1 x'], { length: 3 }, new Uint8Array([53, 46, 49, 46, 49])];

  it('parseEnhanced: undefined', () => {
    for (const v of odd) expect(parseEnhanced(v as string)).toBeUndefined();
    expect(parseEnhanced('5.1.1')).toEqual({ class: 5, subject: 1, detail: 1 });
  });

  it('scanCodes: no codes', () => {
    for (const v of odd) expect(scanCodes(v as string)).toEqual({ code: undefined, enhanced: undefined });
  });

  it('enhancedClass: undefined for what is not a code object', () => {
    for (const v of [null, undefined, 5, '5.1.1', { class: 5 }]) expect(enhancedClass(v as EnhancedCode)).toBeUndefined();
    expect(enhancedClass({ class: 5, subject: 1, detail: 1 })?.id).toBe(10);
  });
});

// A structural reply's `lines` is peer-shaped too: an entry that is not a string (a Symbol, an
// object, null) is left out, as a `text` that is not a string is, instead of throwing from `join`.
describe('classify of a structural reply whose lines are not all strings', () => {
  it('never throws, and reads the string lines', () => {
    const odd: unknown[] = [Symbol('x'), {}, null, undefined, 5, Symbol.iterator, { toString: () => { throw new Error('no'); } }];
    for (const v of odd) expect(classify({ lines: [v] as unknown as string[] }).id).toBe(1);
    expect(classify({ lines: [Symbol('x'), '550 5.1.1 user unknown'] as unknown as string[] }).id).toBe(10);
    expect(classify({ code: 552, lines: ['mailbox full', Symbol('x')] as unknown as string[] }).id).toBe(22);
  });

  it('reads no further into a huge sparse array than the text limit', () => {
    const lines: string[] = [];
    lines.length = 2 ** 31;
    lines[0] = '550 5.1.1 user unknown';
    expect(classify({ lines }).id).toBe(10);
  });
});

// A structural reply may be any object: one whose fields are getters, or a Proxy, that throw when
// read (or answer differently each time) is no reply, never an exception out of `classify`.
describe('classify of a structural reply whose fields throw or change when read', () => {
  const boom = (): never => {
    throw new Error('read');
  };

  it('gives class 1 for a reply whose every read throws', () => {
    const hostile: unknown[] = [
      new Proxy({}, { get: boom }),
      new Proxy({}, { get: boom, has: boom, getPrototypeOf: boom, ownKeys: boom, getOwnPropertyDescriptor: boom }),
      { get code(): number { return boom(); } },
      { get text(): string { return boom(); } },
      { get lines(): string[] { return boom(); } },
      { code: 550, get enhanced(): EnhancedCode { return boom(); } },
      { code: 550, enhanced: { get class(): 5 { return boom(); }, subject: 1, detail: 1 } },
      { lines: new Proxy(['550 5.1.1 user unknown'], { get: boom }) },
    ];
    for (const v of hostile) expect(() => classify(v as string).id).not.toThrow();
    for (const v of hostile.slice(0, 5)) expect(classify(v as string).id).toBe(1);
  });

  it('reads each field once: a getter that answers a string, then something else, is read as the string', () => {
    let reads = 0;
    const flip = {
      get text(): unknown {
        return ++reads === 1 ? '550 5.1.1 user unknown' : Symbol('then');
      },
    };
    expect(classify(flip as unknown as string).id).toBe(10);
    let classReads = 0;
    const code = { get class(): unknown { return ++classReads === 1 ? 5 : 'five'; }, subject: 1, detail: 1 };
    expect(() => classify({ code: 550, enhanced: code as unknown as EnhancedCode, text: 'no such user' })).not.toThrow();
  });
});

describe('classify options that are not an options object', () => {
  it('ignores a string or number given as options (its length is no text limit)', () => {
    expect(classify('550 5.1.1 user unknown', 'x').id).toBe(10);
    expect(classify('550 5.1.1 user unknown', 3 as never).id).toBe(10);
  });
});
