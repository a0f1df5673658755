// The scans for quoted local parts and pipe commands: what each finds, and that each unit of the
// text is read a bounded number of times whatever its shape (counted, not timed).
import { describe, expect, it } from 'vitest';
import { addressKey, pipeAt, quotedAndPipeAddresses, quotedAt, type AddressScanSteps } from './address-scan.js';

const written = (text: string): string[] => quotedAndPipeAddresses(text).map((f) => text.slice(f.start, f.end));

describe('quotedAt and pipeAt', () => {
  it.each([
    ['"john smith"@example.com said', '"john smith"@example.com'],
    ['"a\\"b"@example.com.', '"a\\"b"@example.com'],
    ['"|/usr/bin/procmail -a x" (expanded)', '"|/usr/bin/procmail -a x"'],
    ['"|/usr/bin/procmail"@mx.example.com>', '"|/usr/bin/procmail"@mx.example.com'],
  ])('%j opens with %j', (text, found) => {
    const f = quotedAt(text, 0).found;
    expect(f && text.slice(f.start, f.end)).toBe(found);
  });

  it.each(['"hello" said the server', '"john smith"@localhost', '"unclosed@example.com', '"split\nline"@example.com', '""@example.com', '"|"', '"| not a command"', '"|---|"'])('%j opens with none', (text) => {
    expect(quotedAt(text, 0).found).toBeUndefined();
  });

  it.each([
    ['|/usr/local/bin/filter: unable to run', 0, '|/usr/local/bin/filter'],
    ['<|/path/prog>', 1, '|/path/prog'],
    ['to |~/bin/filter.', 3, '|~/bin/filter'],
  ])('pipe %j at %d is %j', (text, at, found) => {
    const f = pipeAt(text, at).found;
    expect(f && text.slice(f.start, f.end)).toBe(found);
  });

  it.each([
    ['a|/b', 1],
    ['|----- log -----|', 0],
    ['| x', 0],
    ['||/x', 0],
    ['to |preline procmail', 3],
    ['|user@rcpt.test|', 0],
  ])('%j at %d is no pipe', (text, at) => {
    expect(pipeAt(text, at).found).toBeUndefined();
  });

  it('every quoted part and pipe of a text, in order, prose quotes skipped', () => {
    expect(written('He said "hi" to <"john smith"@rcpt.test> and |/bin/prog, then "|/usr/bin/x"')).toEqual(['"john smith"@rcpt.test', '|/bin/prog', '"|/usr/bin/x"']);
  });

  it('addressKey: ASCII case folded, a quoted pipe without its quotes', () => {
    expect([addressKey('"John Smith"@Rcpt.TEST'), addressKey('"|/usr/bin/Procmail"'), addressKey('|/usr/bin/procmail'), addressKey('"|/x"@h.test')]).toEqual([
      '"john smith"@rcpt.test',
      '|/usr/bin/procmail',
      '|/usr/bin/procmail',
      '"|/x"@h.test',
    ]);
  });
});

describe('the scans read each unit a bounded number of times', () => {
  const shapes: Record<string, (n: number) => string> = {
    quotes: (n) => '"'.repeat(n),
    'quote then letters': (n) => '"a'.repeat(n),
    'unclosed quote, long run': (n) => `"${'a'.repeat(n)}`,
    'quoted parts with domains': (n) => '"a b"@x.test '.repeat(n),
    'quote at domain quote': (n) => '"a"@b.c"'.repeat(n),
    'long quoted runs': (n) => `"${'a'.repeat(300)}`.repeat(Math.ceil(n / 300)),
    'escapes': (n) => '"\\'.repeat(n),
    bars: (n) => '|'.repeat(n),
    'pipes after spaces': (n) => ' |/a'.repeat(n),
    'one long pipe': (n) => ` |/${'a'.repeat(n)}`,
    'quoted pipes': (n) => '"|/a" '.repeat(n),
  };
  it.each(Object.keys(shapes))('%s: at most four reads per unit', (name) => {
    for (const n of [1000, 8000]) {
      const text = shapes[name]!(n);
      const count: AddressScanSteps = { steps: 0 };
      quotedAndPipeAddresses(text, count);
      expect(count.steps).toBeLessThanOrEqual(4 * text.length + 4);
    }
  });
});
