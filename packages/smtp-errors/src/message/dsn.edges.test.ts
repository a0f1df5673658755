// RFC 3464 field parsing, edge by edge: blocks, folding, typed values, addresses, status codes and
// the header block of a returned message.
import { describe, expect, it } from 'vitest';
import { bareAddress, parseFieldBlocks, parseHeaderBlock, recipientAddress, statusCode, typedValue } from './dsn.js';

/** The blocks as plain objects (field order kept). */
function blocks(text: string): Record<string, string>[] {
  return parseFieldBlocks(text).map((b) => Object.fromEntries(b));
}

describe('parseFieldBlocks', () => {
  it('splits on blank lines (also lines of spaces), CRLF or LF, names trimmed and lower-cased, values trimmed', () => {
    expect(blocks('Reporting-MTA: dns; mx.test\r\n\r\nFinal-Recipient : rfc822; a@b.test \r\nAction: failed\n \t\nStatus:5.1.1\n')).toEqual([
      { 'reporting-mta': 'dns; mx.test' },
      { 'final-recipient': 'rfc822; a@b.test', action: 'failed' },
      { status: '5.1.1' },
    ]);
  });

  it('a folded line continues the field before it, joined with one space', () => {
    expect(blocks('Diagnostic-Code: smtp; 550 5.1.1\r\n   user unknown\r\n\tin table\r\nAction: failed')).toEqual([{ 'diagnostic-code': 'smtp; 550 5.1.1 user unknown in table', action: 'failed' }]);
  });

  it('an indented line that opens a block is read as a field of its own', () => {
    expect(blocks('\n  Action: failed\n')).toEqual([{ action: 'failed' }]);
  });

  it('lines without a name before a colon are skipped; the first of a repeated field is kept', () => {
    expect(blocks('no colon here\n: no name\nStatus: 5.1.1\nStatus: 4.0.0')).toEqual([{ status: '5.1.1' }]);
    expect(blocks('only text\n\n')).toEqual([]);
  });
});

/** Each one-value reader with its cases: input, then what it gives. */
const READERS: [string, (v: string | undefined) => string | undefined, [string | undefined, string | undefined][]][] = [
  [
    'typedValue',
    typedValue,
    [
      [undefined, undefined],
      ['rfc822; user@b.test', 'user@b.test'],
      [';user@b.test', 'user@b.test'],
      ['smtp;', undefined],
      ['   ', undefined],
      ['no type here', 'no type here'],
      [`${'x'.repeat(19)}; value`, 'value'],
      [`${'x'.repeat(20)}; value`, `${'x'.repeat(20)}; value`],
      ['X-Postfix; unknown user', 'unknown user'],
      ['utf-8;δ@b.test', 'δ@b.test'],
      // no type, a ";" in the text: kept whole (a type is one atom)
      ['552 Quota full; try later', '552 Quota full; try later'],
      ['550 5.7.1 Blocked; see https://x', '550 5.7.1 Blocked; see https://x'],
      ['-x; value', '-x; value'],
    ],
  ],
  [
    'bareAddress',
    bareAddress,
    [
      [undefined, undefined],
      ['  a@b.test  ', 'a@b.test'],
      ['Alice <a@b.test>', 'a@b.test'],
      ['< a@b.test >', 'a@b.test'],
      ['<>', undefined],
      ['', undefined],
      ['>a@b.test<', '>a@b.test<'],
      ['<a@b.test', '<a@b.test'],
    ],
  ],
  [
    'statusCode',
    statusCode,
    [
      [undefined, undefined],
      ['5.1.1', '5.1.1'],
      [' 4.2.2 (mailbox full)', '4.2.2'],
      ['5.1.10', '5.1.10'],
      ['5.1.1.2', undefined],
      ['x5.1.1', undefined],
      ['', undefined],
    ],
  ],
];

describe.each(READERS)('%s', (_name, read, cases) => {
  it.each(cases)('%j -> %j', (input, expected) => {
    expect(read(input)).toBe(expected);
  });
});

describe('parseHeaderBlock', () => {
  it.each([
    ['Subject: one\n\nSubject-2: body'],
    ['Subject: one\r\n\r\nX: body'],
    ['Subject: one\n\r\nX: body'],
    ['Subject: one\r\n\nX: body'],
    ['Subject: one'],
  ])('%j: the fields before the first blank line', (text) => {
    expect(Object.fromEntries(parseHeaderBlock(text))).toEqual({ subject: 'one' });
  });

  it('text with no field gives an empty map', () => {
    expect(parseHeaderBlock('').size).toBe(0);
    expect(parseHeaderBlock('\n\nSubject: later').size).toBe(0);
  });
});

describe('recipientAddress', () => {
  it.each([
    [undefined, undefined],
    ['rfc822; <a@b.test>', 'a@b.test'],
    ['rfc822 ;  a@b.test  ', 'a@b.test'],
    ['a@b.test', 'a@b.test'],
    ['rfc822; a@b.test (Alice)', 'a@b.test'],
    ['rfc822; a@b.test (Alice) (x)', 'a@b.test (Alice) (x)'],
    ['rfc822; (Alice)', '(Alice)'],
    ['rfc822; "a (b)"@c.test', '"a (b)"@c.test'],
    // RFC 6533 §3: the utf-8 type's \x{HEX} is one character (any case of type and hex digits)
    ['utf-8; user\\x{2603}@b.test', 'user☃@b.test'],
    ['UTF-8; \\x{E9}l\\x{e8}ve@\\x{1F408}.test', 'élève@🐈.test'],
    ['utf-8; δοκιμή@παράδειγμα.δοκιμή', 'δοκιμή@παράδειγμα.δοκιμή'],
    // kept as written: another type, a surrogate, past U+10FFFF, too few or too many digits
    ['rfc822; user\\x{2603}@b.test', 'user\\x{2603}@b.test'],
    ['utf-8; a\\x{D800}@b.test', 'a\\x{D800}@b.test'],
    ['utf-8; a\\x{110000}@b.test', 'a\\x{110000}@b.test'],
    ['utf-8; a\\x{9}@b.test', 'a\\x{9}@b.test'],
    ['utf-8; a\\x{0000041}@b.test', 'a\\x{0000041}@b.test'],
  ])('%j -> %j', (value, expected) => {
    expect(recipientAddress(value)).toBe(expected);
  });
});
