// The command line reader's dispatch: verbs in any case, the argument after the first space with
// trailing blanks trimmed, and a line that only looks like a verb going nowhere near it.
import { describe, expect, it } from 'vitest';
import { codes, drive, inTransaction } from '../test/harness.js';

/** The reply codes a fresh session (after EHLO, or inside a transaction) gives `line`. */
function after(line: string, transaction = false): number[] {
  const d = transaction ? inTransaction() : drive();
  if (!transaction) d.feed('EHLO client.test\r\n');
  return codes(d.feed(`${line}\r\n`));
}

describe('command dispatch', () => {
  it.each<[string, number[]]>([
    ['NOOP', [250]],
    ['noop', [250]],
    ['nOoP  \t ', [250]],
    ['RSET', [250]],
    ['rset', [250]],
    // trailing blanks are trimmed for every verb: they never make an argument (RSET has none,
    // RFC 5321 §4.1.1.5, but `RSET ` is RSET as `QUIT ` is QUIT); a real argument is still 501
    ['RSET ', [250]],
    ['rset \t', [250]],
    ['RSET x', [501]],
    ['HELOX', [500]],
    ['HEL', [500]],
    ['N0OP', [500]],
    ['NO@P', [500]],
    ['MAIL\tFROM:<a@b.example>', [500]],
    ['mail from:<a@b.example>', [250]],
    ['Mail From:<a@b.example>  \t', [250]],
    ['mail FROM:<a@b.example> SIZE=10 ', [250]],
    ['MAIL  FROM:<a@b.example>', [501]],
    ['qUiT', [221]],
  ])('%j gets %j', (line, expected) => {
    expect(after(line)).toEqual(expected);
  });

  it.each<[string, number[]]>([
    ['rcpt to:<c@d.example>', [250]],
    ['RCPT TO:<c@d.example>\t \t', [250]],
    ['data', [354]],
    ['DaTa', [354]],
    ['DATA x', [501]],
    ['DATA ', [354]],
    ['data \t ', [354]],
  ])('in a transaction, %j gets %j', (line, expected) => {
    expect(after(line, true)).toEqual(expected);
  });

  it('STARTTLS with trailing blanks is STARTTLS; with an argument it is 501', () => {
    for (const [line, expected] of [['STARTTLS ', [220]], ['starttls \t', [220]], ['STARTTLS x', [501]]] as const) {
      const d = drive({ starttls: true });
      d.feed('EHLO client.test\r\n');
      expect(codes(d.feed(`${line}\r\n`))).toEqual(expected);
    }
  });

  it('a verb is read the same whichever case each letter has', () => {
    for (const verb of ['EHLO', 'HELO', 'NOOP', 'RSET', 'VRFY', 'HELP', 'QUIT']) {
      const expected = after(`${verb} x.example`);
      for (let mask = 0; mask < 16; mask++) {
        const mixed = [...verb].map((c, i) => ((mask >> i) & 1 ? c.toLowerCase() : c)).join('');
        expect(after(`${mixed} x.example`)).toEqual(expected);
      }
    }
  });
});

describe('HELP lists the commands the session accepts', () => {
  const help = (options: Parameters<typeof drive>[0]): string => {
    const d = drive(options);
    return d.feed('HELP\r\n').split('\r\n')[0]!;
  };

  it('by default: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP', () => {
    expect(help({})).toBe('214-2.0.0 Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP');
  });

  it('LMTP: LHLO instead of HELO and EHLO (which get 500), and RFC 2033', () => {
    const d = drive({ lmtp: true });
    expect(d.feed('HELP\r\n').split('\r\n').slice(0, 2)).toEqual(['214-2.0.0 Commands: LHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP', '214 2.0.0 See RFC 2033']);
  });

  it('no BDAT with CHUNKING off (BDAT gets 502), no VRFY when disabled, EXPN when enabled', () => {
    expect(help({ extensions: { chunking: false } })).toBe('214-2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP');
    expect(help({ vrfy: 'disabled', expn: 'policy' })).toBe('214-2.0.0 Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT EXPN HELP');
  });

  it('the help option replaces the text', () => {
    expect(help({ help: ['Ask postmaster'] })).toBe('214 2.0.0 Ask postmaster');
  });
});
