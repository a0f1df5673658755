// reply: the exact boundaries and edge cases (each test pins one behaviour a subtly wrong
// implementation would otherwise get away with).
import { describe, expect, test } from 'vitest';
import { expectReply, isIntermediate, isPermanentNegative, isPositive, isTransientNegative } from 'smtp-reply-reader';

describe('reply classes at the edges of each range', () => {
  test.each([
    [199, [false, false, false, false]],
    [200, [true, false, false, false]],
    [299, [true, false, false, false]],
    [300, [false, true, false, false]],
    [399, [false, true, false, false]],
    [400, [false, false, true, false]],
    [499, [false, false, true, false]],
    [500, [false, false, false, true]],
    [599, [false, false, false, true]],
    [600, [false, false, false, false]],
  ] as const)('%i', (code, expected) => {
    expect([isPositive(code), isIntermediate(code), isTransientNegative(code), isPermanentNegative(code)]).toEqual(expected);
  });
  test('expectReply matches the expected code itself, not only the extras', () => {
    expect(expectReply(250, 250)).toBe(true);
    expect(expectReply(251, 250, 251)).toBe(true);
    expect(expectReply(252, 250, 251)).toBe(false);
  });
});
