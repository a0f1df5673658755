import { describe, expect, it } from 'vitest';
import { errorCodeOf, thrownBy } from './errors.js';

class TypedA extends Error {
  readonly code = 'ERR_A';
}
class TypedB extends Error {
  readonly code = 'ERR_B';
  readonly extra = 1;
}
const isA = (e: unknown): e is TypedA => e instanceof TypedA;
const isB = (e: unknown): e is TypedB => e instanceof TypedB;

describe('error helpers of the tests', () => {
  it('errorCodeOf: the code, undefined when nothing is thrown, a marker for an untyped throw', () => {
    expect(errorCodeOf(() => { throw new TypedA(); }, isA)).toBe('ERR_A');
    expect(errorCodeOf(() => 1, isA)).toBeUndefined();
    expect(errorCodeOf(() => { throw new TypeError('x'); }, isA)).toBe('not isA');
  });

  it('thrownBy: the error any guard recognises; anything else fails the test', () => {
    expect(thrownBy(() => { throw new TypedB('b'); }, isA, isB)).toMatchObject({ code: 'ERR_B', extra: 1, message: 'b' });
    expect(() => thrownBy(() => 1, isA)).toThrow('expected an error that isA recognises');
    const untyped = new TypeError('crash');
    expect(() => thrownBy(() => { throw untyped; }, isA, isB)).toThrow(untyped);
  });
});
