// Command lines at their length limits, whole and split across chunks (the line reader's fast
// path takes a line found whole in one chunk, the slow path one that arrives in pieces): the
// limit counts the CRLF, the rest of an overlong line is discarded up to its CRLF, an AUTH line
// may run to maxAuthLine (RFC 4954 §4), and MAIL and RCPT lines past maxCommandLine by what the
// advertised extensions add to them; any other command stops at maxCommandLine.
import { describe, expect, it } from 'vitest';
import { drive, replyLines as lines } from '../test/harness.js';

const TOO_LONG = '500 5.5.2 Error: command line too long';

/** A session after EHLO, fed `text` whole or one byte at a time; the reply lines to it. */
function replies(text: string, split: 'whole' | 'bytes', options = {}): string[] {
  const d = drive({ secure: true, auth: { mechanisms: ['PLAIN'] }, ...options });
  d.feed('EHLO client.test\r\n');
  if (split === 'whole') return lines(d.feed(text));
  let out = '';
  for (const ch of text) out += d.feed(ch);
  return lines(out);
}

/** `NOOP x...x` of `total` bytes with its CRLF. */
const noop = (total: number): string => `NOOP ${'x'.repeat(total - 7)}\r\n`;
/** An RSET line of `total` bytes: RSET may be followed by pipelined commands (NOOP may not, SMUG-5). */
const rset = (total: number): string => `RSET ${'x'.repeat(total - 7)}\r\n`;

describe.each(['whole', 'bytes'] as const)('command lines fed %s', (split) => {
  it('a line of exactly maxCommandLine bytes (CRLF included) is taken, one more is refused, and the session goes on', () => {
    expect(noop(512).length).toBe(512);
    expect(replies(noop(512), split)).toEqual(['250 2.0.0 Ok']);
    expect(replies(noop(513), split)).toEqual([TOO_LONG]);
    expect(replies(`${rset(513)}NOOP\r\n`, split)).toEqual([TOO_LONG, '250 2.0.0 Ok']);
  });
  it('a bare LF does not end a line: the whole line up to its CRLF is refused (SMUG-3)', () => {
    expect(replies('RSET\nRSET\r\nNOOP\r\n', split)).toEqual(['500 5.5.2 Error: bare <CR> or <LF> received', '250 2.0.0 Ok']);
  });
  it('a much longer line is refused once, and what follows it is read as the next command', () => {
    expect(replies(`${rset(5000)}RSET\r\n`, split)).toEqual([TOO_LONG, '250 2.0.0 Ok']);
  });
  it('an AUTH line may be longer than a command line, up to maxAuthLine', () => {
    // PLAIN's initial response padded with a long password
    const response = Buffer.from(`\0user\0${'z'.repeat(600)}`).toString('base64');
    expect(`AUTH PLAIN ${response}\r\n`.length).toBeGreaterThan(512);
    expect(replies(`AUTH PLAIN ${response}\r\n`, split, { auth: { mechanisms: ['PLAIN'] } })).toEqual(['235 2.7.0 Authentication successful']);
    // the same length is too long for any other command
    expect(replies(`NOOP ${response}\r\n`, split)).toEqual([TOO_LONG]);
    // and an AUTH line past maxAuthLine is refused too, as an authentication line (RFC 4954 §4)
    const tight = { limits: { maxAuthLine: 600 } };
    expect(replies(`AUTH PLAIN ${response}\r\n`, split, tight)).toEqual(['500 5.5.6 Error: authentication line too long']);
  });
});

/** A `prefix` line padded to `total` bytes (CRLF included) with an invalid NOTIFY value: read whole, it gets 501, not 500. */
const padded = (prefix: string, total: number): string => `${prefix} NOTIFY=${'x'.repeat(total - prefix.length - 10)}\r\n`;
const BAD_NOTIFY = '501 5.5.4 Invalid value for NOTIFY';
const SENDER_OK = '250 2.1.0 Sender OK';

describe.each(['whole', 'bytes'] as const)('MAIL and RCPT lines raised by the advertised extensions (RFC 5321 §4.5.3.1.4), fed %s', (split) => {
  // advertised here: SIZE (+26 to MAIL), DSN (+100 MAIL, +500 RCPT), AUTH (+500 MAIL), SMTPUTF8 (+10 MAIL)
  it('RCPT runs to 512 + 500 (DSN ORCPT), MAIL to 512 + 26 + 100 + 500 + 10; other commands stay at 512', () => {
    const rcpt = (total: number) => padded('RCPT TO:<b@example.net>', total);
    expect(rcpt(1012).length).toBe(1012);
    expect(replies(`MAIL FROM:<a@example.org>\r\n${rcpt(1012)}`, split)).toEqual([SENDER_OK, BAD_NOTIFY]);
    expect(replies(`MAIL FROM:<a@example.org>\r\n${rcpt(1013)}`, split)).toEqual([SENDER_OK, TOO_LONG]);
    const mail = (total: number) => padded('mail FROM:<a@example.org>', total);
    expect(replies(mail(1148), split)).toEqual([BAD_NOTIFY.replace('501', '555').replace('Invalid value for NOTIFY', 'Unsupported parameter NOTIFY')]);
    expect(replies(mail(1149), split)).toEqual([TOO_LONG]);
    expect(replies(rset(513), split)).toEqual([TOO_LONG]);
  });
  it('a legal RCPT with a 256-octet path, NOTIFY and ORCPT of that path (563 octets) is taken', () => {
    const label = 'd'.repeat(60);
    const address = `${'l'.repeat(63)}@${label}.${label}.${label}.example`;
    const line = `RCPT TO:<${address}> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;${address}\r\n`;
    expect(line.length).toBe(563);
    expect(replies(`MAIL FROM:<a@example.org>\r\n${line}`, split)).toEqual([SENDER_OK, '250 2.1.5 Recipient OK']);
  });
  it('only what is advertised counts: no DSN, RCPT stays at 512; after HELO nothing is added', () => {
    const rcpt = (total: number) => padded('RCPT TO:<b@example.net>', total);
    expect(replies(`MAIL FROM:<a@example.org>\r\n${rcpt(513)}`, split, { extensions: { dsn: false } })).toEqual([SENDER_OK, TOO_LONG]);
    const d = drive();
    d.feed('HELO client.test\r\n');
    expect(lines(d.feed('MAIL FROM:<a@example.org>\r\n'))).toEqual([SENDER_OK]);
    expect(lines(d.feed(rcpt(513)))).toEqual([TOO_LONG]);
  });
  it('a configured maxCommandLine is raised by the same amounts', () => {
    const rcpt = (total: number) => padded('RCPT TO:<b@example.net>', total);
    const options = { limits: { maxCommandLine: 1024 } };
    expect(replies(`MAIL FROM:<a@example.org>\r\n${rcpt(1524)}`, split, options)).toEqual([SENDER_OK, BAD_NOTIFY]);
    expect(replies(`MAIL FROM:<a@example.org>\r\n${rcpt(1525)}`, split, options)).toEqual([SENDER_OK, TOO_LONG]);
    expect(replies(rset(1025), split, options)).toEqual([TOO_LONG]);
  });
});

describe('a line cut between its CR and its LF', () => {
  it('is one line', () => {
    const d = drive();
    d.feed('EHLO client.test\r\n');
    expect(d.feed('RSET\r')).toBe('');
    expect(lines(d.feed('\nNOOP\r\n'))).toEqual(['250 2.0.0 Ok', '250 2.0.0 Ok']);
  });
  it('at the exact limit: the CR in one chunk, the LF in the next', () => {
    const d = drive();
    d.feed('EHLO client.test\r\n');
    const line = noop(512);
    expect(d.feed(line.slice(0, 511))).toBe('');
    expect(lines(d.feed('\n'))).toEqual(['250 2.0.0 Ok']);
  });
});
