import { describe, expect, it } from 'vitest';
import { statusCode } from './dsn.js';

describe('DSN status codes (review fixes)', () => {
  it('a DSN Status value is an enhanced code only when its first token is one exactly', () => {
    expect(statusCode(' 5.1.1 (user unknown)')).toBe('5.1.1');
    expect(statusCode('4.4.7')).toBe('4.4.7');
    expect(statusCode('5.1.1234')).toBeUndefined();
    expect(statusCode('6.1.1')).toBeUndefined();
    expect(statusCode(undefined)).toBeUndefined();
  });
});
