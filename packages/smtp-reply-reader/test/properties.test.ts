import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { splitAt } from '@smtpkit/testkit';
import { ReplyReader, formatReply, formatReplyBytes, isReplyReaderError, parseReply, type EnhancedStatusCode, type Reply } from 'smtp-reply-reader';
import { feed } from '../test/helpers.js';

const replyCode = fc
  .tuple(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 9 }))
  .map(([a, b, c]) => a * 100 + b * 10 + c);

/** Text that the formatter accepts and that cannot itself look like an enhanced code. */
const textChar = fc.oneof(
  fc.constantFrom(' ', '\t', 'a', 'Z', '-', '.', ':', '<', '>', '@', 'é', '✓', '😀'),
  fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
);
const lineText = fc
  .array(textChar, { maxLength: 80 })
  .map((cs) => cs.join(''))
  .filter((t) => !/^[245]\./.test(t));

const enhancedFor = (code: number): fc.Arbitrary<EnhancedStatusCode | undefined> => {
  const cls = Math.floor(code / 100);
  if (cls === 3) return fc.constant(undefined);
  return fc.option(
    fc.record({ class: fc.constant(cls as 2 | 4 | 5), subject: fc.integer({ min: 0, max: 999 }), detail: fc.integer({ min: 0, max: 999 }) }),
    { nil: undefined },
  );
};

const replySpec = replyCode.chain((code) =>
  fc.record({ code: fc.constant(code), enhanced: enhancedFor(code), lines: fc.array(lineText, { minLength: 1, maxLength: 6 }) }),
);

function expected(spec: { code: number; enhanced: EnhancedStatusCode | undefined; lines: string[] }): Reply {
  const base = { code: spec.code, lines: spec.lines, text: spec.lines.join('\n') };
  return spec.enhanced ? { ...base, enhanced: spec.enhanced } : base;
}

describe('properties (fast-check)', () => {
  test('round trip: formatReply then parseReply gives the same reply', () => {
    fc.assert(
      fc.property(replySpec, (spec) => {
        const input = spec.enhanced ? { code: spec.code, enhanced: spec.enhanced, lines: spec.lines } : { code: spec.code, lines: spec.lines };
        expect(parseReply(formatReply(input))).toEqual(expected(spec));
      }),
      { numRuns: 300 },
    );
  });

  test('X-3 chunk-split invariance: a stream of formatted replies parses the same for any split', () => {
    fc.assert(
      fc.property(
        fc.array(replySpec, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (specs, cuts) => {
          const parts = specs.map((s) => formatReplyBytes(s.enhanced ? { code: s.code, enhanced: s.enhanced, lines: s.lines } : { code: s.code, lines: s.lines }));
          const wire = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
          let o = 0;
          for (const p of parts) {
            wire.set(p, o);
            o += p.length;
          }
          const whole = feed([wire]);
          expect(whole.replies).toEqual(specs.map(expected));
          const split = feed(splitAt(wire, cuts.map((c) => c % (wire.length + 1))));
          expect(split).toEqual(whole);
        },
      ),
      { numRuns: 200 },
    );
  });

  const alphabet = fc.constantFrom(
    ...['2', '5', '0', '9', '6', '1', '-', ' ', '.', '\r', '\n', '\r\n', 'a', '\t', '\0', '\xff', '250', '250-', '250 ', '2.0.0', '5.7.606 '],
  );
  const hostile = fc.array(alphabet, { maxLength: 200 }).map((xs) => xs.join(''));

  test('fuzz (TEST-4): any input gives only replies or a typed error, identically for any split', () => {
    fc.assert(
      fc.property(hostile, fc.boolean(), fc.array(fc.nat(), { maxLength: 20 }), (input, lenient, cuts) => {
        const options = { lineEndings: lenient ? ('lenient' as const) : ('strict' as const), maxLineLength: 512, maxReplyLines: 5, maxReplyBytes: 512 };
        const data = new TextEncoder().encode(input);
        const whole = feed([data], options);
        for (const r of whole.replies) {
          expect(r.code).toBeGreaterThanOrEqual(200);
          expect(r.code).toBeLessThanOrEqual(559);
          expect(r.text).toBe(r.lines.join('\n'));
        }
        expect(feed(splitAt(data, cuts.map((c) => c % (data.length + 1))), options)).toEqual(whole);
        try {
          parseReply(data, options);
        } catch (e) {
          expect(isReplyReaderError(e)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('fuzz with arbitrary bytes: only replies or typed errors; the buffer never exceeds the limits', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 10 }), (chunks) => {
        const reader = new ReplyReader({ maxLineLength: 512, maxReplyBytes: 1024 });
        try {
          for (const c of chunks) {
            reader.push(c);
            expect(reader.bufferedBytes).toBeLessThanOrEqual(512 + 1024);
          }
          reader.end();
        } catch (e) {
          expect(isReplyReaderError(e)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('DOS-9 1 MiB hostile inputs (random kinds): rejected with a limit error in one pass, buffer bounded', () => {
    fc.assert(
      fc.property(fc.constantFrom('A', '250-x\r\n', '250-', '250-yy\r\n'), fc.integer({ min: 1, max: 64 }), (unit, chunkKiB) => {
        const reader = new ReplyReader();
        const data = new TextEncoder().encode(unit.repeat(Math.ceil((1 << 20) / unit.length)));
        const step = chunkKiB * 1024;
        let error: unknown;
        try {
          for (let i = 0; i < data.length; i += step) {
            reader.push(data.subarray(i, i + step));
            expect(reader.bufferedBytes).toBeLessThanOrEqual(4096 + 65536);
          }
        } catch (e) {
          error = e;
        }
        expect(isReplyReaderError(error)).toBe(true);
        expect((error as { code: string }).code).toMatch(/^ERR_SMTP_(LINE_TOO_LONG|REPLY_TOO_MANY_LINES|REPLY_TOO_LARGE)$/);
      }),
      { numRuns: 12 },
    );
  });
});
