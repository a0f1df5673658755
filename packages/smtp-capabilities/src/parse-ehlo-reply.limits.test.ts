import { describe, expect, test } from 'vitest';
import { DEFAULT_EHLO_PARSE_LIMITS, parseEhloReply, parseEhloReplyText } from 'smtp-capabilities';

const codes = (c: { warnings: readonly { code: string }[] }): string[] => c.warnings.map((w) => w.code);
const wire = (lines: readonly string[]): string => lines.map((l, i) => `250${i === lines.length - 1 ? ' ' : '-'}${l}\r\n`).join('');

describe('maxKeywords counts only the keyword lines that are kept', () => {
  test('exactly maxKeywords keywords and then an empty line: no too-many-keywords, the empty line is reported', () => {
    const lines = ['mx', 'PIPELINING', 'DSN', ''];
    for (const c of [parseEhloReply({ code: 250, lines }, { limits: { maxKeywords: 2 } }), parseEhloReplyText(wire(lines), { limits: { maxKeywords: 2 } })]) {
      expect(c.keywords).toEqual(['PIPELINING', 'DSN']);
      expect(codes(c)).toEqual(['empty-line']);
    }
  });

  test('exactly maxKeywords keywords and then a discarded one: no warning at all', () => {
    const lines = ['mx', 'PIPELINING', 'DSN', 'CHUNKING'];
    const options = { limits: { maxKeywords: 2 }, discard: ['chunking'] };
    for (const c of [parseEhloReply({ code: 250, lines }, options), parseEhloReplyText(wire(lines), options)]) {
      expect(c.keywords).toEqual(['PIPELINING', 'DSN']);
      expect(codes(c)).toEqual([]);
    }
  });

  test('default limits: 256 keywords and a discarded VRFY are all kept, without a warning', () => {
    const lines = ['mx', ...Array.from({ length: DEFAULT_EHLO_PARSE_LIMITS.maxKeywords }, (_, i) => `X-K${i}`), 'VRFY'];
    const c = parseEhloReply({ code: 250, lines }, { discard: ['VRFY'] });
    expect(c.count).toBe(256);
    expect(codes(c)).toEqual([]);
  });

  test('a kept keyword after empty and discarded lines past the limit is still one too many, reported at its line', () => {
    const lines = ['mx', 'PIPELINING', 'DSN', '', 'CHUNKING', ' ', 'SIZE 10', 'VRFY'];
    const c = parseEhloReply({ code: 250, lines }, { limits: { maxKeywords: 2 }, discard: ['CHUNKING'] });
    expect(c.keywords).toEqual(['PIPELINING', 'DSN']);
    expect(c.warnings).toMatchObject([
      { code: 'empty-line', line: 3 },
      { code: 'empty-line', line: 5 },
      { code: 'too-many-keywords', line: 6 },
    ]);
  });

  test('DOS-10: empty lines past the limit are read once each and their warnings stay bounded', () => {
    const lines = ['mx', 'PIPELINING', ...Array.from({ length: 100_000 }, () => '')];
    const c = parseEhloReply({ code: 250, lines }, { limits: { maxKeywords: 1 } });
    expect(c.keywords).toEqual(['PIPELINING']);
    expect(c.warnings).toHaveLength(DEFAULT_EHLO_PARSE_LIMITS.maxWarnings + 1);
    expect(codes(c).at(-1)).toBe('too-many-warnings');
  });
});

describe('warnings name a limit of one in the singular', () => {
  test('maxKeywords 1 and maxParams 1', () => {
    const c = parseEhloReply({ code: 250, lines: ['mx', 'AUTH PLAIN LOGIN', 'DSN'] }, { limits: { maxKeywords: 1, maxParams: 1 } });
    expect(c.warnings.map((w) => w.message)).toEqual(['AUTH: more than 1 parameter; the rest are ignored', 'more than 1 keyword line; the rest are ignored']);
  });

  test('a keyword that takes no parameters, or one, says so', () => {
    const c = parseEhloReply({ code: 250, lines: ['mx', 'PIPELINING x', 'SIZE 10 20'] });
    expect(c.warnings.map((w) => w.message)).toEqual(['PIPELINING takes no parameters; they are ignored', 'SIZE takes one parameter; the rest are ignored']);
  });
});
