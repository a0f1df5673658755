import { describe, expect, it } from 'vitest';
import { firstLongLine, generateMessage, toCrlf } from './message.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

describe('message bodies', () => {
  it('toCrlf turns bare LF and bare CR into CRLF and keeps CRLF', () => {
    expect(dec.decode(toCrlf(enc.encode('a\nb\r\nc\rd\n')))).toBe('a\r\nb\r\nc\r\nd\r\n');
    const same = enc.encode('x\r\n');
    expect(toCrlf(same)).toBe(same);
  });

  it.each([
    ['every line within 998 octets', `a\r\n${'x'.repeat(998)}\r\n\r\nb\r\n`, undefined],
    ['the first line over', `${'x'.repeat(999)}\r\nb\r\n`, { line: 1, length: 999 }],
    ['a later line over, the first one named', `a\r\n\r\n${'x'.repeat(1500)}\r\n${'y'.repeat(2000)}\r\n`, { line: 3, length: 1500 }],
    ['the last line, without CRLF', `a\r\n${'x'.repeat(999)}`, { line: 2, length: 999 }],
    ['an empty body', '', undefined],
  ])('firstLongLine: %s', (_what, text, expected) => {
    expect(firstLongLine(enc.encode(text))).toEqual(expected);
  });

  it.each([0, 500, 10_240, 100_000])('generates about %i bytes with CRLF lines only', (size) => {
    const bytes = generateMessage({ from: 'a@example.org', to: ['b@example.net'], size });
    const text = dec.decode(bytes);
    if (size >= 1000) expect(Math.abs(bytes.length - size)).toBeLessThanOrEqual(2);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text).toContain('\r\n\r\n');
  });
});
