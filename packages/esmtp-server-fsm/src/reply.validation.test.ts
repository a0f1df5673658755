import { describe, expect, it } from 'vitest';
import { errorCodeOf, thrownBy } from '@smtpkit/testkit';
import { checkReply } from './reply.js';
import type { ReplyInit } from './reply.js';
import { isSmtpServerError } from './errors.js';

/** The error code and message checkReply throws for `reply`, or undefined when it accepts it. */
function refusal(reply: ReplyInit): { code: string; message: string } | undefined {
  if (errorCodeOf(() => checkReply(reply), isSmtpServerError) === undefined) return undefined;
  const e = thrownBy(() => checkReply(reply), isSmtpServerError);
  return { code: e.code, message: e.message };
}

describe('checkReply: the reply code', () => {
  it.each([200, 211, 259, 354, 421, 500, 554, 559])('accepts %d', (code) => {
    expect(refusal({ code, text: 'ok' })).toBeUndefined();
  });
  it.each([199, 260, 299, 360, 560, 600, 0, -250, 250.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %d', (code) => {
    expect(refusal({ code, text: 'ok' })).toEqual({ code: 'ERR_SMTP_INVALID_REPLY', message: `invalid reply code ${String(code)}` });
  });
});

describe('checkReply: the enhanced status code', () => {
  it.each([
    [250, '2.0.0'],
    [250, '2.999.999'],
    [550, '5.1.10'],
    [451, '4.4.2'],
    [550, '5.0.0'],
    [550, '5.100.100'],
  ] as const)('accepts %d %s', (code, enhanced) => {
    expect(refusal({ code, enhanced, text: 'ok' })).toBeUndefined();
  });
  it.each([
    ['two parts', 250, '2.1'],
    ['four parts', 250, '2.1.0.0'],
    ['empty', 250, ''],
    ['a class that is not the code class', 550, '2.1.1'],
    ['a class of two digits', 250, '02.1.0'],
    ['a letter for the subject', 250, '2.x.0'],
    ['a letter for the detail', 250, '2.0.y'],
    ['a subject of four digits', 250, '2.1000.0'],
    ['a detail of four digits', 550, '5.1.1000'],
    ['an empty subject', 250, '2..0'],
    ['a letter after the digits', 250, '2.1x.0'],
    ['a letter before the digits', 250, '2.x1.0'],
    ['a subject with a leading zero (it would be written renumbered)', 550, '5.01.1'],
    ['a detail with leading zeros', 550, '5.1.001'],
    ['a zero subject written twice', 550, '5.00.1'],
    ['any code on an intermediate reply (RFC 3463 has no class 3)', 354, '3.0.0'],
    ['any code on a custom intermediate reply', 330, '3.1.0'],
  ] as const)('refuses %s (%d %s)', (_name, code, enhanced) => {
    expect(refusal({ code, enhanced, text: 'ok' })).toEqual({ code: 'ERR_SMTP_INVALID_REPLY', message: `invalid enhanced status code for ${String(code)}` });
  });
});

describe('checkReply: the text (reply injection)', () => {
  it.each([
    ['no text', undefined],
    ['an empty text', ''],
    ['printable ASCII and TAB', 'ok \t~ !'],
    ['non-ASCII above C1', 'Refus\u00e9 \u00a0\u00ff \u2028'],
    ['an empty list', []],
    ['a list of lines', ['first line', 'second\tline']],
  ] as const)('accepts %s', (_name, text) => {
    expect(refusal(text === undefined ? { code: 250 } : { code: 250, text })).toBeUndefined();
  });
  it.each([
    ['NUL', 'a\u0000b'],
    ['CR', 'a\rb'],
    ['LF', 'a\nb'],
    ['US (0x1f)', 'a\u001fb'],
    ['DEL (0x7f)', 'a\u007fb'],
    ['the first C1 control (0x80)', 'a\u0080b'],
    ['the last C1 control (0x9f)', 'a\u009fb'],
    ['a control at the end', 'ok\r'],
    ['a control at the start', '\nok'],
    ['a control in the second line of a list', ['ok', 'a\r\n250 b']],
  ] as const)('refuses %s', (_name, text) => {
    expect(refusal({ code: 250, text })).toEqual({ code: 'ERR_SMTP_INVALID_REPLY', message: 'reply text contains a control character' });
  });
});
