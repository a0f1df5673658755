import { describe, expect, it } from 'vitest';
import { generateMessage, toCrlf } from './message.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

describe('message bodies', () => {
  it('toCrlf turns bare LF and bare CR into CRLF and keeps CRLF', () => {
    expect(dec.decode(toCrlf(enc.encode('a\nb\r\nc\rd\n')))).toBe('a\r\nb\r\nc\r\nd\r\n');
    const same = enc.encode('x\r\n');
    expect(toCrlf(same)).toBe(same);
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
