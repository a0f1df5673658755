import { describe, expect, it } from 'vitest';
import { formatPath } from 'smtp-client-args';
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

  it.each([4000, 10_240])('generates about %i octets with non-ASCII (SMTPUTF8) addresses: the size counts octets, not characters', (size) => {
    const to = Array.from({ length: 20 }, (_, i) => `пользователь${i}@почта.example`);
    const bytes = generateMessage({ from: 'отправитель@пример.example', to, size });
    expect(Math.abs(bytes.length - size)).toBeLessThanOrEqual(2);
  });
});

describe('generated message: the To field folded (RFC 5322 §2.2.3)', () => {
  /** The header section's lines (without CRLF) and its fields unfolded (CRLF before a space or tab removed). */
  function headerOf(bytes: Uint8Array): { lines: string[]; fields: string[] } {
    const text = dec.decode(bytes);
    const header = text.slice(0, text.indexOf('\r\n\r\n'));
    return { lines: header.split('\r\n'), fields: header.replace(/\r\n(?=[ \t])/g, '').split('\r\n') };
  }

  it.each([1, 3, 60, 500, 2000])('%i recipients: lines within 78 octets, folded at the comma-space, unfolding to every address in order', (n) => {
    const to = Array.from({ length: n }, (_, i) => `user${i}@recipient-domain.example`);
    const { lines, fields } = headerOf(generateMessage({ from: 'a@example.org', to }));
    for (const line of lines) expect(enc.encode(line).length, line.slice(0, 100)).toBeLessThanOrEqual(78);
    // a continuation line starts with the space that followed the comma; nothing else starts with white space
    const continued = lines.filter((l) => /^[ \t]/.test(l));
    for (const line of continued) expect(line).toMatch(/^ <user\d+@recipient-domain\.example>(, <user\d+@recipient-domain\.example>)*,?$/);
    expect(continued.length).toBe(n === 1 ? 0 : lines.length - 7);
    expect(fields.filter((f) => f.startsWith('To:'))).toEqual([`To: ${to.map((t) => `<${t}>`).join(', ')}`]);
    expect(fields.length).toBe(7);
  });

  it('an address that alone fills a line (the longest a path may be) stays whole on its own line, within 998 octets', () => {
    // 254 octets, the longest path the CLI's --to check lets through (256 with its angle brackets, RFC 5321 §4.5.3.1.3)
    const long = `${'l'.repeat(64)}@${`${'d'.repeat(61)}.`.repeat(3)}org`;
    expect(formatPath(long)).toBe(`<${long}>`);
    expect(() => formatPath(`l${long}`)).toThrow(/too long/);
    const to = ['a@b.example', long, 'c@d.example', long];
    const bytes = generateMessage({ from: long, to });
    expect(firstLongLine(bytes)).toBeUndefined();
    const { lines, fields } = headerOf(bytes);
    expect(lines).toContain(` <${long}>,`);
    expect(lines).toContain(` <${long}>`);
    expect(fields).toContain(`To: ${to.map((t) => `<${t}>`).join(', ')}`);
  });
});
