import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { byteByByte, randomSplits } from '@smtpkit/testkit';
import { BodyEncoder, encodeBody, normalizeBody } from './body-encoder.js';

const dec = new TextDecoder();
const enc = new TextEncoder();

function encodeSplit(chunks: Uint8Array[], options = {}): string {
  const e = new BodyEncoder(options);
  let out = '';
  for (const c of chunks) out += dec.decode(e.push(c));
  return out + dec.decode(e.end());
}

/** A strict receiver (SMUG-1/2): CRLF-only lines, end at CRLF.CRLF, dot-unstuffing; null on a bare CR/LF. */
function strictReceive(wire: Uint8Array): { messages: Uint8Array[]; bare: boolean } {
  const messages: Uint8Array[] = [];
  let cur: number[] = [];
  let line: number[] = [];
  let bare = false;
  for (let i = 0; i < wire.length; i++) {
    const b = wire[i]!;
    line.push(b);
    if (b === 10 && line.length >= 2 && line[line.length - 2] === 13) {
      const content = line.slice(0, -2);
      if (content.includes(13) || content.includes(10)) bare = true;
      if (content.length === 1 && content[0] === 46) {
        messages.push(new Uint8Array(cur));
        cur = [];
      } else cur.push(...(content[0] === 46 ? content.slice(1) : content), 13, 10);
      line = [];
    }
  }
  if (line.length > 0) bare = true;
  return { messages, bare };
}

describe('BodyEncoder (SMUG-6)', () => {
  const vectors: [string, string][] = [
    ['a\n.\nMAIL FROM:<x@y>\n', 'a\r\n..\r\nMAIL FROM:<x@y>\r\n.\r\n'],
    ['a\r.\rb', 'a\r\n..\r\nb\r\n.\r\n'],
    ['no newline at end', 'no newline at end\r\n.\r\n'],
    ['.starts with a dot\r\n', '..starts with a dot\r\n.\r\n'],
    ['', '.\r\n'],
    ['\r\n', '\r\n.\r\n'],
    ['a\r\r\nb', 'a\r\n\r\nb\r\n.\r\n'],
    ['x\r\n.\r\ny', 'x\r\n..\r\ny\r\n.\r\n'],
  ];
  for (const [input, expected] of vectors) {
    it(`SMUG-6: encodes ${JSON.stringify(input)} whole, byte by byte and at random splits`, () => {
      const data = enc.encode(input);
      expect(dec.decode(encodeBody(data))).toBe(expected);
      expect(encodeSplit(byteByByte(data))).toBe(expected);
      for (const s of randomSplits(data, 5, 7)) expect(encodeSplit(s)).toBe(expected);
    });
  }

  it('SMUG-6: replace policy turns stray CR/LF into spaces; reject policy throws a typed error', () => {
    expect(dec.decode(encodeBody('a\nb\rc\r\n', { bareLineEndings: 'replace' }))).toBe('a b c\r\n.\r\n');
    expect(() => encodeBody('a\nb', { bareLineEndings: 'reject' })).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_BARE_LINE_ENDING' }));
    expect(() => encodeBody('a\rb', { bareLineEndings: 'reject' })).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_BARE_LINE_ENDING' }));
    expect(() => encodeBody('a\r', { bareLineEndings: 'reject' })).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_BARE_LINE_ENDING' }));
    expect(dec.decode(encodeBody('a\r\nb\r\n', { bareLineEndings: 'reject' }))).toBe('a\r\nb\r\n.\r\n');
  });

  it('SMUG-7: BDAT mode does not dot-stuff and binary mode passes bytes through', () => {
    expect(encodeSplit([enc.encode('.a\nb')], { dotStuff: false })).toBe('.a\r\nb\r\n');
    expect(encodeSplit([new Uint8Array([10, 13, 46])], { binary: true })).toBe('\n\r.');
  });

  it('SMUG-6 property: for any bytes and any split, a strict receiver sees exactly one message equal to normalize(input)', () => {
    const byteArb = fc.oneof(fc.constantFrom(13, 10, 46, 0x41, 0), fc.integer({ min: 0, max: 255 }));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }).chain((a) => fc.tuple(fc.constant(a), fc.array(byteArb, { maxLength: 60 }), fc.integer({ min: 1, max: 1000 }))), ([a, extra, seed]) => {
        const data = new Uint8Array([...extra, ...a]);
        const chunks = randomSplits(data, 1, seed)[0]!;
        const e = new BodyEncoder();
        const parts = chunks.map((c) => e.push(c));
        parts.push(e.end());
        const wire = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let o = 0;
        for (const p of parts) { wire.set(p, o); o += p.length; }
        const got = strictReceive(wire);
        expect(got.bare).toBe(false);
        expect(got.messages).toHaveLength(1);
        expect([...got.messages[0]!]).toEqual([...normalizeBody(data)]);
      }),
      { numRuns: 300 },
    );
  });

  it('CRLF-clean bodies (the pass-through path) at any split: dot lines stuffed, bytes otherwise as given', () => {
    const lineArb = fc.array(fc.constantFrom('.', 'a', ' ', '..', 'é'), { maxLength: 6 }).map((p) => p.join(''));
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 12 }), fc.boolean(), fc.integer({ min: 1, max: 1000 }), (lines, endsWithCrlf, seed) => {
        const text = lines.join('\r\n') + (endsWithCrlf ? '\r\n' : '');
        const data = enc.encode(text);
        const expected = (text.startsWith('.') ? '.' : '') + text.replace(/\r\n\./g, '\r\n..') + (text === '' || text.endsWith('\r\n') ? '' : '\r\n') + '.\r\n';
        // Bytes joined before decoding: a split may cut a UTF-8 sequence.
        const encodeBytes = (chunks: Uint8Array[]): string => {
          const e = new BodyEncoder();
          const parts = [...chunks.map((c) => e.push(c)), e.end()];
          return dec.decode(Uint8Array.from(parts.flatMap((p) => [...p])));
        };
        for (const chunks of [[data], ...randomSplits(data, 3, seed)]) expect(encodeBytes(chunks)).toBe(expected);
        expect(encodeBytes(byteByByte(data))).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('a clean chunk goes out uncopied; one needing a change is encoded afresh', () => {
    const e = new BodyEncoder();
    const clean = enc.encode('a\r\nb\r\n');
    expect(e.push(clean)).toBe(clean);
    const dotted = enc.encode('.c\r\n');
    expect(dec.decode(e.push(dotted))).toBe('..c\r\n');
    const bare = enc.encode('d\ne\r\n');
    expect(dec.decode(e.push(bare))).toBe('d\r\ne\r\n');
  });

  describe('text with no UTF-8 form is refused, never sent as U+FFFD', () => {
    const code = (fn: () => unknown): unknown => {
      try {
        fn();
        return undefined;
      } catch (e) {
        return (e as { code?: unknown }).code;
      }
    };
    it.each([['a lone high surrogate', 'a\ud800b'], ['a lone low surrogate', '\udc00'], ['a high surrogate at the end', 'x\ud83d'], ['two high surrogates', '\ud83d\ud83d\ude00']])('%s: encodeBody and normalizeBody refuse it', (_name, body) => {
      expect(code(() => encodeBody(body))).toBe('ERR_SMTP_CLIENT_INVALID_PARAMETER');
      expect(code(() => normalizeBody(body))).toBe('ERR_SMTP_CLIENT_INVALID_PARAMETER');
    });
    it('a surrogate pair split between two string chunks is joined, at any split of the text', () => {
      const text = 'Subject: \u{1f600}\r\n\r\n\u{1f4ec}\u{1f4ec} ok\r\n';
      for (let cut = 0; cut <= text.length; cut++) {
        const e = new BodyEncoder();
        const parts = [e.push(text.slice(0, cut)), e.push(text.slice(cut)), e.end()];
        expect(dec.decode(Buffer.concat(parts))).toBe(text + '.\r\n');
      }
    });
    it('a chunk refused for a lone surrogate leaves the encoder as it was', () => {
      const e = new BodyEncoder();
      const first = e.push('a\ud83d');
      expect(code(() => e.push('\ud800'))).toBe('ERR_SMTP_CLIENT_INVALID_PARAMETER');
      expect(code(() => e.push(new Uint8Array([0x62])))).toBe('ERR_SMTP_CLIENT_INVALID_PARAMETER');
      expect(dec.decode(Buffer.concat([first, e.push('\ude00\r\n'), e.end()]))).toBe('a\u{1f600}\r\n.\r\n');
    });
    it('a body that ends with a held high surrogate fails at end()', () => {
      const e = new BodyEncoder();
      e.push('a\ud83d');
      expect(code(() => e.end())).toBe('ERR_SMTP_CLIENT_INVALID_PARAMETER');
    });
  });

  describe('lines over 998 octets (RFC 5322 §2.1.1, RFC 5321 §4.5.3.1.6)', () => {
    const x = (n: number): string => 'x'.repeat(n);
    const err = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return (e as { code?: string }).code;
      }
      return undefined;
    };
    const cases: [string, string, string | undefined][] = [
      ['998 octets, CRLF', `a\r\n${x(998)}\r\nb\r\n`, undefined],
      ['999 octets, CRLF', `a\r\n${x(999)}\r\nb\r\n`, 'ERR_SMTP_CLIENT_LINE_TOO_LONG'],
      ['999 octets, the last line without CRLF', `a\r\n${x(999)}`, 'ERR_SMTP_CLIENT_LINE_TOO_LONG'],
      ['999 octets, the first line', `${x(999)}\r\n`, 'ERR_SMTP_CLIENT_LINE_TOO_LONG'],
      ['998 octets, bare LFs', `a\n${x(998)}\nb`, undefined],
      ['999 octets, bare LFs', `a\n${x(999)}\nb`, 'ERR_SMTP_CLIENT_LINE_TOO_LONG'],
      ['998 octets, bare CRs (line ends)', `${x(998)}\r${x(998)}\r`, undefined],
      ['a dot and 997 octets (the stuffed dot does not count)', `a\r\n.${x(997)}\r\n`, undefined],
      ['two 500-octet halves joined by nothing', `${x(500)}${x(499)}\r\n`, 'ERR_SMTP_CLIENT_LINE_TOO_LONG'],
    ];
    for (const [name, text, expected] of cases) {
      it(`${name}: ${expected ?? 'sent'}, whole, byte by byte and at random splits`, () => {
        const data = enc.encode(text);
        expect(err(() => encodeBody(data))).toBe(expected);
        expect(err(() => encodeSplit(byteByByte(data)))).toBe(expected);
        for (const split of randomSplits(data, 5, 11)) expect(err(() => encodeSplit(split))).toBe(expected);
        // BDAT bodies that are not BINARYMIME are checked the same
        expect(err(() => encodeSplit([data], { dotStuff: false }))).toBe(expected);
      });
    }
    it('a bare line ending replaced by a space joins two lines into one too long', () => {
      expect(err(() => encodeBody(`${x(500)}\n${x(497)}\r\n`, { bareLineEndings: 'replace' }))).toBeUndefined();
      expect(err(() => encodeBody(`${x(500)}\n${x(498)}\r\n`, { bareLineEndings: 'replace' }))).toBe('ERR_SMTP_CLIENT_LINE_TOO_LONG');
      expect(err(() => encodeBody(`${x(998)}\r`, { bareLineEndings: 'replace' }))).toBe('ERR_SMTP_CLIENT_LINE_TOO_LONG');
    });
    it('allowLongLines and binary send long lines as given; normalizeBody keeps them; the encoder ends after the error', () => {
      const long = `${x(5000)}\r\n`;
      expect(dec.decode(encodeBody(long, { allowLongLines: true }))).toBe(`${long}.\r\n`);
      expect(dec.decode(encodeBody(`${x(5000)}\n`, { allowLongLines: true }))).toBe(`${long}.\r\n`);
      expect(dec.decode(encodeBody(long, { binary: true, dotStuff: false }))).toBe(long);
      expect(dec.decode(normalizeBody(long))).toBe(long);
      const e = new BodyEncoder();
      e.push(x(998));
      expect(err(() => e.push('y'))).toBe('ERR_SMTP_CLIENT_LINE_TOO_LONG');
      expect(err(() => e.push('\r\n'))).toBe('ERR_SMTP_CLIENT_NOT_IN_BODY');
      expect(err(() => new BodyEncoder({ allowLongLines: 'yes' as never }))).toBe('ERR_SMTP_CLIENT_INVALID_OPTION');
    });
  });

  it('is linear: 4 MiB of dots and bare LFs encodes in one pass', () => {
    const big = new Uint8Array(4 << 20).fill(46);
    for (let i = 0; i < big.length; i += 2) big[i] = 10;
    const out = encodeBody(big);
    expect(out.length).toBeGreaterThan(big.length);
  });
});
