import { describe, expect, it } from 'vitest';
import { crlfLines, hasControl } from './lines.js';
import { splittings } from './split.js';

/** Feeds the chunks (ASCII bytes as text) to a fresh splitter; the lines seen after each chunk. */
function feed(chunks: readonly Uint8Array[]): string[][] {
  const seen: string[] = [];
  const push = crlfLines((line) => seen.push(line));
  return chunks.map((c) => {
    push(String.fromCharCode(...c));
    return [...seen];
  });
}

describe('crlfLines', () => {
  it('gives each CRLF-terminated line without its CRLF, in order, and holds back an unfinished one', () => {
    const after = feed([new TextEncoder().encode('EHLO a\r\nMAIL FROM:<x>\r\nRCPT')]);
    expect(after).toEqual([['EHLO a', 'MAIL FROM:<x>']]);
    const lines: string[] = [];
    const push = crlfLines((line) => lines.push(line));
    push('RCPT TO:<y>');
    expect(lines).toEqual([]);
    push('\r');
    expect(lines).toEqual([]);
    push('\nDATA\r\n');
    expect(lines).toEqual(['RCPT TO:<y>', 'DATA']);
  });

  it('keeps empty lines and bare CR or LF inside a line', () => {
    const lines: string[] = [];
    crlfLines((line) => lines.push(line))('\r\na\nb\rc\r\n\r\n\r\r\n');
    expect(lines).toEqual(['', 'a\nb\rc', '', '\r']);
  });

  it('gives the same lines for every chunking of the input', () => {
    const input = 'EHLO me\r\n\r\nbare\nLF and bare\rCR\r\n.\r\n\r\r\nQUIT\r\ntail';
    const expected = ['EHLO me', '', 'bare\nLF and bare\rCR', '.', '\r', 'QUIT'];
    for (const s of splittings(input, { random: 50 })) expect(feed(s.chunks).at(-1), s.name).toEqual(expected);
  });
});

describe('hasControl', () => {
  it('C0, DEL and C1 controls count; TAB is a control too; printable and other non-ASCII text does not', () => {
    for (const c of [0x00, 0x09, 0x0a, 0x0d, 0x1f, 0x7f, 0x80, 0x9f]) expect(hasControl(`a${String.fromCharCode(c)}b`)).toBe(true);
    for (const s of ['', 'plain text', '~', '\u00a0é', 'Grüße 日本']) expect(hasControl(s)).toBe(false);
  });
});
