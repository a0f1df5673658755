// Command lines at their length limits, whole and split across chunks (the line reader's fast
// path takes a line found whole in one chunk, the slow path one that arrives in pieces): the
// limit counts the CRLF, the rest of an overlong line is discarded up to its CRLF, and an AUTH
// line may run to maxAuthLine (RFC 4954 §4) where any other command stops at maxCommandLine.
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
    expect(replies('RSET\nNOOP\r\nNOOP\r\n', split)).toEqual(['500 5.5.2 Error: bare <CR> or <LF> received', '250 2.0.0 Ok']);
  });
  it('a much longer line is refused once, and what follows it is read as the next command', () => {
    expect(replies(`${rset(5000)}RSET\r\n`, split)).toEqual([TOO_LONG, '250 2.0.0 Ok']);
  });
  it('an AUTH line may be longer than a command line, up to maxAuthLine', () => {
    // PLAIN's initial response padded with a long authorization identity
    const response = Buffer.from(`${'z'.repeat(600)}\0user\0pass`).toString('base64');
    expect(`AUTH PLAIN ${response}\r\n`.length).toBeGreaterThan(512);
    expect(replies(`AUTH PLAIN ${response}\r\n`, split, { auth: { mechanisms: ['PLAIN'] } })).toEqual(['235 2.7.0 Authentication successful']);
    // the same length is too long for any other command
    expect(replies(`NOOP ${response}\r\n`, split)).toEqual([TOO_LONG]);
    // and an AUTH line past maxAuthLine is refused too
    const tight = { limits: { maxAuthLine: 600 } };
    expect(replies(`AUTH PLAIN ${response}\r\n`, split, tight)).toEqual([TOO_LONG]);
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
