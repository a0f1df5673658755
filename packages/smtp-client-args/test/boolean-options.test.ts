// Boolean options given something other than true, false or undefined, through the public entry:
// a typed ClientArgsError naming the option, never a truthy 'no' read as true or a 5 ignored.
import { describe, expect, it } from 'vitest';
import { thrownValue } from '@smtpkit/testkit';
import {
  SmtpClientArgs,
  checkArgsAgainst,
  formatMailFrom,
  formatPath,
  formatRcptTo,
  isClientArgsError,
  mailboxPath,
  parseMailFrom,
  parsePath,
  parseRcptTo,
  xtextDecode,
} from 'smtp-client-args';

function failure(fn: () => unknown): [string, string | undefined] | string {
  const e = thrownValue(fn);
  return isClientArgsError(e) ? [e.code, e.argument] : e === undefined ? 'no error' : `untyped ${e instanceof Error ? e.message : typeof e}`;
}

const NOT_BOOLEANS: readonly unknown[] = ['no', 'true', 0, 1, null, {}];
const LENIENT = ['spaceAfterColon', 'missingAngleBrackets', 'lowercaseXtextHex', 'extraSpaces'] as const;

describe('boolean options that are not booleans', () => {
  it.each(NOT_BOOLEANS)('formatMailFrom / formatRcptTo smtpUtf8: %j is ERR_SMTP_INVALID_OPTION naming options.smtpUtf8', (v) => {
    const expected = ['ERR_SMTP_INVALID_OPTION', 'options.smtpUtf8'];
    expect(failure(() => formatMailFrom('ü@example.com', undefined, { smtpUtf8: v as never }))).toEqual(expected);
    expect(failure(() => formatMailFrom('a@example.com', undefined, { smtpUtf8: v as never }))).toEqual(expected);
    expect(failure(() => formatRcptTo('ü@example.com', undefined, { smtpUtf8: v as never }))).toEqual(expected);
    expect(failure(() => formatRcptTo('a@example.com', undefined, { smtpUtf8: v as never }))).toEqual(expected);
  });
  it.each(NOT_BOOLEANS)('parseMailFrom / parseRcptTo smtpUtf8: %j is ERR_SMTP_INVALID_OPTION naming options.smtpUtf8', (v) => {
    const expected = ['ERR_SMTP_INVALID_OPTION', 'options.smtpUtf8'];
    expect(failure(() => parseMailFrom('FROM:<a@example.com>', { smtpUtf8: v as never }))).toEqual(expected);
    expect(failure(() => parseRcptTo('TO:<ü@example.com>', { smtpUtf8: v as never }))).toEqual(expected);
  });
  it.each(NOT_BOOLEANS)('lenient options: %j is ERR_SMTP_INVALID_OPTION naming options.lenient.<name>', (v) => {
    for (const name of LENIENT) {
      const expected = ['ERR_SMTP_INVALID_OPTION', `options.lenient.${name}`];
      expect([name, failure(() => parseMailFrom('FROM:<a@example.com>', { lenient: { [name]: v as never } }))]).toEqual([name, expected]);
      expect([name, failure(() => parseRcptTo('TO:<a@example.com>', { lenient: { [name]: v as never } }))]).toEqual([name, expected]);
      expect([name, failure(() => parsePath('<a@example.com>', { lenient: { [name]: v as never } }))]).toEqual([name, expected]);
    }
  });
  it.each([5, 'yes', null])('lenient that is not an object (%j) is ERR_SMTP_INVALID_OPTION naming options.lenient', (v) => {
    const expected = ['ERR_SMTP_INVALID_OPTION', 'options.lenient'];
    expect(failure(() => parseMailFrom('FROM:<a@example.com>', { lenient: v as never }))).toEqual(expected);
    expect(failure(() => parseRcptTo('TO:<a@example.com>', { lenient: v as never }))).toEqual(expected);
    expect(failure(() => parsePath('<a@example.com>', { lenient: v as never }))).toEqual(expected);
  });
  it('lenient given as a list ([] or [true]) is ERR_SMTP_INVALID_OPTION naming options.lenient', () => {
    const expected = ['ERR_SMTP_INVALID_OPTION', 'options.lenient'];
    for (const v of [[], [true]]) {
      expect(failure(() => parseMailFrom('FROM:<a@example.com>', { lenient: v as never })), JSON.stringify(v)).toEqual(expected);
      expect(failure(() => parseRcptTo('TO:<a@example.com>', { lenient: v as never })), JSON.stringify(v)).toEqual(expected);
      expect(failure(() => parsePath('<a@example.com>', { lenient: v as never })), JSON.stringify(v)).toEqual(expected);
    }
  });
  it.each(NOT_BOOLEANS)('parsePath / mailboxPath / formatPath smtpUtf8: %j is ERR_SMTP_INVALID_OPTION naming options.smtpUtf8', (v) => {
    const expected = ['ERR_SMTP_INVALID_OPTION', 'options.smtpUtf8'];
    expect(failure(() => parsePath('<ü@example.com>', { smtpUtf8: v as never }))).toEqual(expected);
    expect(failure(() => mailboxPath('a', 'example.com', { smtpUtf8: v as never }))).toEqual(expected);
    expect(failure(() => formatPath('a@example.com', { smtpUtf8: v as never }))).toEqual(expected);
  });
  it.each(NOT_BOOLEANS)('new SmtpClientArgs smtpUtf8 / lowercaseXtextHex: %j is ERR_SMTP_INVALID_OPTION naming the option', (v) => {
    expect(failure(() => new SmtpClientArgs({ smtpUtf8: v as never }))).toEqual(['ERR_SMTP_INVALID_OPTION', 'options.smtpUtf8']);
    expect(failure(() => new SmtpClientArgs({ lowercaseXtextHex: v as never }))).toEqual(['ERR_SMTP_INVALID_OPTION', 'options.lowercaseXtextHex']);
  });
  it.each(NOT_BOOLEANS)('xtextDecode lowercaseHex / allowControls: %j is ERR_SMTP_INVALID_OPTION naming the option', (v) => {
    expect(failure(() => xtextDecode('a', { lowercaseHex: v as never }))).toEqual(['ERR_SMTP_INVALID_OPTION', 'options.lowercaseHex']);
    expect(failure(() => xtextDecode('a', { allowControls: v as never }))).toEqual(['ERR_SMTP_INVALID_OPTION', 'options.allowControls']);
  });
  it.each(NOT_BOOLEANS)('checkArgsAgainst context.eightBit: %j is ERR_SMTP_INVALID_ARGUMENT naming context.eightBit (as context.messageSize)', (v) => {
    const caps = { has: () => true, params: () => undefined };
    expect(failure(() => checkArgsAgainst(caps, new SmtpClientArgs({ command: 'mail' }), { eightBit: v as never }))).toEqual([
      'ERR_SMTP_INVALID_ARGUMENT',
      'context.eightBit',
    ]);
  });
});

describe('true, false and undefined keep their meaning', () => {
  it('smtpUtf8', () => {
    expect(formatRcptTo('ü@example.com', undefined, { smtpUtf8: true })).toBe('RCPT TO:<ü@example.com>');
    expect(failure(() => formatRcptTo('ü@example.com', undefined, { smtpUtf8: false }))).toEqual(['ERR_SMTP_UTF8_REQUIRED', 'path']);
    expect(formatMailFrom('a@example.com', undefined, { smtpUtf8: undefined as never })).toBe('MAIL FROM:<a@example.com>');
    expect(parseRcptTo('TO:<ü@example.com>', { smtpUtf8: true }).path).toMatchObject({ address: 'ü@example.com' });
    expect(parsePath('<ü@example.com>', { smtpUtf8: true })).toMatchObject({ address: 'ü@example.com' });
  });
  it('lenient, xtext and context flags', () => {
    expect(parseMailFrom('FROM: <a@example.com>', { lenient: { spaceAfterColon: true } }).path).toMatchObject({ address: 'a@example.com' });
    expect(parseMailFrom('FROM:<a@example.com>', { lenient: { spaceAfterColon: false, extraSpaces: undefined as never } }).path).toMatchObject({ address: 'a@example.com' });
    expect(xtextDecode('a+2bb', { lowercaseHex: true, allowControls: false })).toBe('a+b');
    expect(failure(() => xtextDecode('a+2bb', { lowercaseHex: false }))).toEqual(['ERR_SMTP_XTEXT_SYNTAX', 'text']);
    const caps = { has: (k: string) => k !== '8BITMIME', params: () => undefined };
    expect(checkArgsAgainst(caps, new SmtpClientArgs({ command: 'mail' }), { eightBit: true }).length).toBeGreaterThan(0);
    expect(checkArgsAgainst(caps, new SmtpClientArgs({ command: 'mail' }), { eightBit: false })).toEqual([]);
  });
});
