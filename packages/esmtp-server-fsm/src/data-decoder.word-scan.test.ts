import { describe, expect, it } from 'vitest';
import { decodeByteByByte, decodeViews } from '../test/harness.js';
import type { ServerBareLineEndingPolicy } from './data-decoder.js';

// The word-at-a-time scan runs on ranges of 64 bytes or more, on the 32-bit words of the buffer
// (aligned on the buffer, not on the range): these cases put a view at every byte offset of its
// buffer (`shift`) and start the range at every offset into the view (`lead`), so that each byte of
// interest falls at each position within a word, before, in and after the runs of whole words.

const CR = 13;
const LF = 10;

/** What the decoder must make of `input` when it holds no end of data (see decodeViews). */
function open(input: Uint8Array, policy: ServerBareLineEndingPolicy, bareCr: number, bareLf: number): string {
  let content = String.fromCharCode(...input);
  // normalize: every bare CR and bare LF becomes CRLF (these inputs hold no dot lines)
  if (policy === 'normalize') content = content.replace(/\r\n|\r(?!$)|\n/g, '\r\n');
  return `${content}|open|${String(bareCr)},${String(bareLf)}`;
}

/** The alignments (`shift`, `lead`) at which decoding `input` in one push does not give `expected`, described. */
function misses(input: Uint8Array, policy: ServerBareLineEndingPolicy, expected: string): string[] {
  const out: string[] = [];
  for (let shift = 0; shift < 4; shift++) {
    for (let lead = 0; lead < 4; lead++) {
      const got = decodeViews(input, shift, lead, [], policy);
      if (got !== expected) out.push(`${JSON.stringify(String.fromCharCode(...input))} shift ${String(shift)} lead ${String(lead)}: ${JSON.stringify(got)}`);
    }
  }
  return out;
}

describe('DataDecoder: the word-at-a-time scan in misaligned views', () => {
  it('finds a bare CR or LF at every position of a 64 to 83 byte line, at every alignment', () => {
    const wrong: string[] = [];
    // 64 to 83 bytes: 16 to 20 whole words, each count of words left after the four-word steps, and a last partial word of 0 to 3 bytes
    for (let n = 64; n <= 83; n++) {
      for (let at = 0; at < n; at++) {
        for (const value of [CR, LF]) {
          const input = new Uint8Array(n).fill(0x78);
          input[at] = value;
          // a CR in the last byte is not bare yet: an LF may follow in the next chunk
          const expected = open(input, 'reject', value === CR && at < n - 1 ? 1 : 0, value === LF ? 1 : 0);
          if (decodeByteByByte(input, 'reject') !== expected) wrong.push(`byte by byte: ${JSON.stringify(String.fromCharCode(...input))}`);
          wrong.push(...misses(input, 'reject', expected));
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('finds a bare CR or LF in the bytes after a CRLF, up to and past the next word boundary, at every alignment', () => {
    // the scan goes on across an ordinary CRLF; it then steps byte by byte to a word boundary
    const wrong: string[] = [];
    for (const policy of ['reject', 'normalize'] as const) {
      for (let crlf = 0; crlf <= 60; crlf++) {
        for (let gap = 1; gap <= 8; gap++) {
          for (const value of [CR, LF]) {
            const input = new Uint8Array(80).fill(0x78);
            input.set([CR, LF], crlf);
            input[crlf + 2 + gap] = value;
            const expected = open(input, policy, value === CR ? 1 : 0, value === LF ? 1 : 0);
            if (decodeByteByByte(input, policy) !== expected) wrong.push(`byte by byte: ${JSON.stringify(String.fromCharCode(...input))}`);
            wrong.push(...misses(input, policy, expected));
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('passes other control bytes and bytes above CR as content, at every position within a word', () => {
    const wrong: string[] = [];
    for (const value of [0, 9, 11, 12, 14, 0x7f, 0x80, 0xff]) {
      for (let crlf = 0; crlf < 4; crlf++) {
        for (let at = crlf + 3; at < 80; at++) {
          const input = new Uint8Array(80).fill(0x78);
          input.set([CR, LF], crlf);
          input[at] = value;
          const expected = open(input, 'reject', 0, 0);
          if (decodeByteByByte(input, 'reject') !== expected) wrong.push(`byte by byte: ${JSON.stringify(String.fromCharCode(...input))}`);
          wrong.push(...misses(input, 'reject', expected));
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('DataDecoder: the word scan resumed inside a word after a CRLF', () => {
  it('finds a bare CR or LF after a CRLF whose bytes share its word, whatever a borrow from them flags', () => {
    // The scan goes on from the byte after an ordinary CRLF in the word that holds it, with the
    // bytes before that masked off. The word test subtracts from every byte at once, so a control
    // byte below borrows from the byte above it: 0x0e right after the LF reads as flagged too.
    // That byte and any after it must still be content, and the next bare CR or LF still found.
    const wrong: string[] = [];
    for (const policy of ['reject', 'normalize'] as const) {
      for (const after of [0x0e, 0x0f, 0x78]) {
        for (let crlf = 0; crlf < 8; crlf++) {
          for (let gap = 1; gap <= 9; gap++) {
            for (const value of [CR, LF]) {
              const input = new Uint8Array(80).fill(0x78);
              input.set([CR, LF, after], crlf);
              input[crlf + 2 + gap] = value;
              const expected = open(input, policy, value === CR ? 1 : 0, value === LF ? 1 : 0);
              if (decodeByteByByte(input, policy) !== expected) wrong.push(`byte by byte: ${JSON.stringify(String.fromCharCode(...input))}`);
              wrong.push(...misses(input, policy, expected));
            }
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('DataDecoder: the word-at-a-time scan over 8-bit content', () => {
  it('finds a bare CR or LF at every position of a line of bytes above 0x7f (words read as negative numbers), at every alignment', () => {
    const wrong: string[] = [];
    for (const fill of [0x80, 0xc3, 0xff]) {
      for (let n = 64; n <= 72; n++) {
        for (let at = 0; at < n; at++) {
          for (const value of [CR, LF]) {
            const input = new Uint8Array(n).fill(fill);
            input[at] = value;
            const expected = open(input, 'reject', value === CR && at < n - 1 ? 1 : 0, value === LF ? 1 : 0);
            if (decodeByteByByte(input, 'reject') !== expected) wrong.push(`byte by byte: ${JSON.stringify(String.fromCharCode(...input))}`);
            wrong.push(...misses(input, 'reject', expected));
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('goes on across CRLF line ends in 8-bit content and stops at a dot line, at every alignment', () => {
    const wrong: string[] = [];
    for (let len = 60; len <= 68; len++) {
      const line = new Uint8Array(len).fill(0xe9);
      const input = new Uint8Array((len + 2) * 3);
      for (let k = 0; k < 3; k++) {
        input.set(line, k * (len + 2));
        input.set([CR, LF], k * (len + 2) + len);
      }
      const expected = open(input, 'reject', 0, 0);
      if (decodeByteByByte(input, 'reject') !== expected) wrong.push(`byte by byte: ${String(len)}`);
      wrong.push(...misses(input, 'reject', expected));
    }
    expect(wrong).toEqual([]);
  });
});
