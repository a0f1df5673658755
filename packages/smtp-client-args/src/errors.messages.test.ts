import { describe, expect, it } from 'vitest';
import { thrownBy } from '@smtpkit/testkit';
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
} from 'smtp-client-args';

// Every message is part of what a user reads (a local error names the argument and says what is
// wrong with it; a remote one carries the reply a server sends), so each is checked word for word.

/** The error's code, argument and message; the reply's text for a remote error. */
function said(fn: () => unknown): string {
  const e = thrownBy(fn, isClientArgsError);
  return e.kind === 'local' ? `${e.code} ${e.argument}: ${e.message}` : `${e.code} ${String(e.reply.code)} ${e.reply.enhanced} ${e.reply.text}`;
}

const NO_EXTENSIONS = { has: () => false, params: () => undefined };

describe('local errors: the argument and what is wrong with it', () => {
  it.each([
    ['args that are not iterable', () => formatMailFrom('a@b.example', 5 as never), 'ERR_SMTP_INVALID_ARGUMENT args: args must be an SmtpClientArgs'],
    ['args that yield no pairs', () => formatRcptTo('a@b.example', ['x'] as never), 'ERR_SMTP_INVALID_ARGUMENT args: args must yield [keyword, value] pairs'],
    ['a MAIL parameter on RCPT', () => formatRcptTo('a@b.example', [['SIZE', '5']]), 'ERR_SMTP_INVALID_PARAM SIZE: SIZE: SIZE belongs to MAIL'],
    ['a RCPT parameter on MAIL', () => formatMailFrom('a@b.example', [['NOTIFY', 'NEVER']]), 'ERR_SMTP_INVALID_PARAM NOTIFY: NOTIFY: NOTIFY belongs to RCPT'],
    ['a control character in a value', () => new SmtpClientArgs().setEnvid('a\u0001b'), 'ERR_SMTP_CONTROL_CHARACTER ENVID: ENVID contains a control character'],
    ['a control character after a bad keyword', () => new SmtpClientArgs().set('-X', 'a\u0001b'), 'ERR_SMTP_CONTROL_CHARACTER keyword: keyword contains a control character'],
    ['a value outside esmtp-value', () => new SmtpClientArgs().set('xfoo', 'a=b'), 'ERR_SMTP_INVALID_PARAM XFOO: XFOO value must match esmtp-value'],
    ['a command that is neither', () => new SmtpClientArgs({ command: 'data' as never }), "ERR_SMTP_INVALID_OPTION options.command: options.command must be 'mail' or 'rcpt'"],
    ['a BY mode that is neither', () => new SmtpClientArgs().setBy(5, 'X' as never), 'ERR_SMTP_INVALID_PARAM BY: BY: mode must be N or R'],
    ['a BY time that is not an integer', () => new SmtpClientArgs().setBy(1.5, 'N'), 'ERR_SMTP_INVALID_PARAM BY: BY: expected an integer from -999999999 to 999999999'],
    ['an ORCPT with a lone surrogate', () => new SmtpClientArgs().setOrcpt('rfc822', 'a\ud800@b.example'), 'ERR_SMTP_INVALID_PARAM ORCPT: ORCPT: not well-formed UTF-16'],
    ['a UTF-8 path without SMTPUTF8', () => formatPath('\u00fc@example.com', { smtpUtf8: false }), 'ERR_SMTP_UTF8_REQUIRED path: path: non-ASCII address needs SMTPUTF8'],
    ['a domain over its limit', () => formatPath('a@' + Array(5).fill('b'.repeat(60)).join('.')), 'ERR_SMTP_PATH_TOO_LONG path: path: domain too long'],
    ['a domain label over 63 octets', () => formatPath('a@' + 'b'.repeat(64)), 'ERR_SMTP_INVALID_PATH path: path: domain label too long'],
    ['an invisible character', () => mailboxPath('a\u200bb', 'example.com'), 'ERR_SMTP_INVALID_PATH localPart: localPart: invisible character'],
    ['a lone surrogate in a local part', () => mailboxPath('a\ud800', 'example.com'), 'ERR_SMTP_INVALID_PATH localPart: localPart: not well-formed UTF-16'],
    ['a domain that is no host name', () => mailboxPath('a', 'exa mple.com'), 'ERR_SMTP_INVALID_PATH domain: domain: not a host name or address literal'],
    ['an underscore in the domain', () => formatPath('b@y_z.org'), 'ERR_SMTP_INVALID_PATH path: path: invalid character in the domain'],
    ['an underscore opening a label', () => formatPath('b@y._z.org'), 'ERR_SMTP_INVALID_PATH path: path: invalid character in the domain'],
    ['a second @', () => formatPath('a@b@c'), 'ERR_SMTP_INVALID_PATH path: path: invalid character in the domain'],
    ['a trailing space', () => formatPath('b@y.org '), 'ERR_SMTP_INVALID_PATH path: path: trailing whitespace after the domain'],
    ['trailing spaces inside the brackets', () => formatPath('<b@y.org  >'), 'ERR_SMTP_INVALID_PATH path: path: trailing whitespace after the domain'],
    ['a space in the domain', () => formatPath('b@y z.org'), 'ERR_SMTP_INVALID_PATH path: path: whitespace in the domain'],
    ['limits that are not an object', () => parsePath('<a@b.example>', { limits: 5 as never }), 'ERR_SMTP_INVALID_OPTION options.limits: options.limits must be an object'],
  ])('%s', (_name, fn, expected) => {
    expect(said(fn)).toBe(expected);
  });
});

describe('remote errors: the reply a server sends', () => {
  it.each([
    ['text after the path', () => parsePath('<a@b.example>x'), 'ERR_SMTP_PATH_SYNTAX 501 5.1.3 Bad mailbox address: unexpected text after the path'],
    ['a local part and the closing bracket', () => parsePath('<ab>'), 'ERR_SMTP_PATH_SYNTAX 501 5.1.3 Bad mailbox address: missing @domain'],
    ['a local part and the end', () => parseRcptTo('TO:<ab'), 'ERR_SMTP_PATH_SYNTAX 501 5.1.3 Bad recipient address: missing @domain'],
    ['a bare local part', () => parseMailFrom('FROM:ab', { lenient: { missingAngleBrackets: true } }), 'ERR_SMTP_PATH_SYNTAX 501 5.1.7 Bad sender address: missing @domain'],
    ['a space in the local part', () => parsePath('<a b@c.example>'), 'ERR_SMTP_PATH_SYNTAX 501 5.1.3 Bad mailbox address: invalid character in path'],
    ['a bracket after a bare local part', () => parsePath('a>b@c', { lenient: { missingAngleBrackets: true } }), 'ERR_SMTP_PATH_SYNTAX 501 5.1.3 Bad mailbox address: invalid character in path'],
    ['no closing bracket', () => parsePath('<a@b.example'), 'ERR_SMTP_PATH_SYNTAX 501 5.1.3 Bad mailbox address: path not closed by ">"'],
    ['an underscore in the domain', () => parseRcptTo('TO:<b@y_z.org>'), 'ERR_SMTP_PATH_SYNTAX 501 5.1.3 Bad recipient address: invalid character in the domain'],
    ['a space before the closing bracket', () => parseMailFrom('FROM:<a@b.example >'), 'ERR_SMTP_PATH_SYNTAX 501 5.1.7 Bad sender address: trailing whitespace after the domain'],
    ['a control character in the domain', () => parsePath('<a@b\u0001c>'), 'ERR_SMTP_PATH_SYNTAX 501 5.1.3 Bad mailbox address: invalid character in the domain'],
    ['a character after a bare domain', () => parsePath('a@b.example>', { lenient: { missingAngleBrackets: true } }), 'ERR_SMTP_PATH_SYNTAX 501 5.1.3 Bad mailbox address: invalid character in path'],
    ['a UTF-8 sender without SMTPUTF8', () => parseMailFrom('FROM:<\u00fc@b.example>'), 'ERR_SMTP_UTF8_NOT_ALLOWED 553 5.6.7 Non-ASCII sender address requires SMTPUTF8'],
    ['a domain over its limit', () => parsePath('<a@' + Array(5).fill('b'.repeat(51)).join('.') + '>'), 'ERR_SMTP_PATH_TOO_LONG 501 5.1.3 Bad mailbox address: domain too long'],
    ['a domain label over 63 octets', () => parsePath('<a@' + 'b'.repeat(64) + '>'), 'ERR_SMTP_PATH_SYNTAX 501 5.1.3 Bad mailbox address: domain label too long'],
    ['a bad SIZE value', () => parseMailFrom('FROM:<a@b.example> SIZE=1x'), 'ERR_SMTP_PARAM_VALUE 501 5.5.4 Invalid value for SIZE'],
    ['text glued to the path', () => parseMailFrom('FROM:<a@b.example>SIZE=1'), 'ERR_SMTP_PARAM_SYNTAX 501 5.5.4 Unexpected text after the address'],
    ['a keyword glued to a character', () => parseMailFrom('FROM:<a@b.example> SI!ZE=1'), 'ERR_SMTP_PARAM_SYNTAX 501 5.5.4 Invalid parameter syntax'],
    ['a verb glued to a character', () => parseMailFrom('MAIL FROMZ<a@b.example>'), 'ERR_SMTP_COMMAND_SYNTAX 501 5.5.2 Syntax: MAIL FROM:<address> [parameters]'],
  ])('%s', (_name, fn, expected) => {
    expect(said(fn)).toBe(expected);
  });
});

describe('problems found by checkArgsAgainst', () => {
  it('name what is missing', () => {
    expect(checkArgsAgainst(NO_EXTENSIONS, new SmtpClientArgs().setRequireTls()).map((p) => p.message)).toEqual(['REQUIRETLS needs REQUIRETLS']);
    expect(checkArgsAgainst(NO_EXTENSIONS, new SmtpClientArgs().setBy(60, 'R')).map((p) => p.message)).toEqual(['BY needs DELIVERBY']);
    expect(checkArgsAgainst(NO_EXTENSIONS, new SmtpClientArgs(), { eightBit: true }).map((p) => p.message)).toEqual(['8-bit content needs 8BITMIME']);
  });
});
