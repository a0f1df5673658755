// The command room's edges, reply by reply: the line checks (their exact replies, and the
// pipelined line after them still answered in the same pass), the general verb path (verbs other
// than the native four-letter ones), the pipelining synchronization check, the junk and
// unauthenticated-command budgets, STARTTLS-first, verbs that exist only when enabled, and a
// graceful shutdown reached at the next idle point.
import { describe, expect, it } from 'vitest';
import { codes, drive, inTransaction, replyLines as lines } from '../test/harness.js';
import type { ServerEvent, ServerOptions } from './index.js';

/** The close reason, once the session closed. */
const closedReason = (events: readonly ServerEvent[]): string | undefined => {
  const e = events.find((x) => x.type === 'closed');
  return e?.type === 'closed' ? e.reason : undefined;
};

/** A session after EHLO. */
function ready(options: ServerOptions = {}): ReturnType<typeof drive> {
  const d = drive(options);
  d.feed('EHLO client.test\r\n');
  return d;
}

describe('line checks: the exact reply, and the next pipelined line answered in the same pass', () => {
  it.each<[string, string, string]>([
    ['a line over maxCommandLine', `NOOP ${'x'.repeat(600)}`, '500 5.5.2 Error: command line too long'],
    ['a bare CR inside the line', 'NOOP a\rb', '500 5.5.2 Error: bare <CR> or <LF> received'],
    ['a bare LF inside the line', 'NOOP a\nb', '500 5.5.2 Error: bare <CR> or <LF> received'],
    ['a NUL', 'NO\u0000OP', '501 5.5.2 Error: NUL characters are not allowed in commands'],
  ])('%s', (_name, bad, reply) => {
    const d = ready({ pipeliningSync: 'off' });
    expect(lines(d.feed(`${bad}\r\nRSET\r\n`))).toEqual([reply, '250 2.0.0 Ok']);
  });

  it('invalid UTF-8: 553 5.6.7 for MAIL and RCPT in any case, 501 5.5.2 for any other command, then the next line', () => {
    const bad = (text: string): Uint8Array => {
      const b = new TextEncoder().encode(`${text}\r\nRSET\r\n`);
      b[b.indexOf(0x3f)] = 0xff; // the '?' becomes a byte that is never UTF-8
      return b;
    };
    for (const [line, reply] of [
      ['MAIL FROM:<?@b.example>', '553 5.6.7 Error: invalid UTF-8 in address'],
      ['mail from:<?@b.example>', '553 5.6.7 Error: invalid UTF-8 in address'],
      ['RCPT TO:<?@b.example>', '553 5.6.7 Error: invalid UTF-8 in address'],
      ['Rcpt To:<?@b.example>', '553 5.6.7 Error: invalid UTF-8 in address'],
      ['VRFY ?', '501 5.5.2 Error: invalid UTF-8 in command'],
      ['MAILX ?', '501 5.5.2 Error: invalid UTF-8 in command'],
    ] as const) {
      const d = ready({ pipeliningSync: 'off' });
      expect(lines(d.feed(bad(line))), line).toEqual([reply, '250 2.0.0 Ok']);
    }
  });
});

describe('the general verb path (verbs that are not native four-letter ones)', () => {
  const registry = [{ keyword: 'XSTATS', verbs: [{ name: 'XSTATS' }] }];

  /** The argument the `command` event carries for `line`, and the replies. */
  function custom(line: string | Uint8Array): { argument: string | undefined; out: string[] } {
    let argument: string | undefined;
    const d = drive({ registry }, (e, conn) => {
      if (e.type !== 'command') return false;
      argument = e.argument;
      conn.respond({ code: 250, text: 'stats' });
      return true;
    });
    d.feed('EHLO client.test\r\n');
    const out = lines(d.feed(typeof line === 'string' ? `${line}\r\n` : line));
    return { argument, out };
  }

  it.each<[string, string]>([
    ['XSTATS', ''],
    ['XSTATS ', ''],
    ['xstats   \t ', ''],
    ['XSTATS a', 'a'],
    ['XSTATS a b', 'a b'],
    ['XSTATS a \t \t', 'a'],
    ['XSTATS \ta\t', '\ta'],
    ['XsTaTs  two  spaces  ', ' two  spaces'],
  ])('%j: argument %j', (line, argument) => {
    expect(custom(line)).toEqual({ argument, out: ['250 2.0.0 stats'] });
  });

  it('an argument in UTF-8 is read as UTF-8', () => {
    expect(custom(new TextEncoder().encode('XSTATS d\u00e9j\u00e0 vu \r\n'))).toEqual({ argument: 'd\u00e9j\u00e0 vu', out: ['250 2.0.0 stats'] });
  });

  it('a line that starts with a space has no verb', () => {
    expect(custom(' XSTATS a')).toEqual({ argument: undefined, out: ['500 5.5.2 Error: command not recognized'] });
  });
});

describe('pipelining synchronization (RFC 2920 §3.1): a command followed by more input', () => {
  const twice = 'RSET\r\nRSET\r\n';

  it('after EHLO with PIPELINING: answered in order', () => {
    const d = ready();
    expect(lines(d.feed(twice))).toEqual(['250 2.0.0 Ok', '250 2.0.0 Ok']);
  });

  it.each<[string, () => ReturnType<typeof drive>]>([
    ['before any greeting', () => drive()],
    ['after HELO', () => {
      const d = drive();
      d.feed('HELO client.test\r\n');
      return d;
    }],
    ['after EHLO without PIPELINING', () => ready({ extensions: { pipelining: false } })],
  ])('%s: 554 5.5.0 and the session closes (reason synchronization)', (_name, make) => {
    const d = make();
    expect(lines(d.feed(twice))).toEqual(['554 5.5.0 Error: SMTP protocol synchronization']);
    expect(closedReason(d.events)).toBe('synchronization');
  });

  it("pipeliningSync: 'off' answers both", () => {
    const d = drive({ pipeliningSync: 'off' });
    d.feed('HELO client.test\r\n');
    expect(codes(d.feed(twice))).toEqual([250, 250]);
  });
});

describe('budgets', () => {
  it('junk commands (NOOP, RSET, VRFY, EXPN, HELP) past junkCommandLimit count as errors; other commands never do', () => {
    const options: ServerOptions = { pipeliningSync: 'off', limits: { junkCommandLimit: 10, hardErrorLimit: 3 } };
    const junk = ready(options);
    // the 10 allowed, then errors 1, 2 and 3: the third closes
    expect(codes(junk.feed('NOOP\r\n'.repeat(10)))).toEqual(Array(10).fill(250));
    expect(junk.conn.state).not.toBe('closed');
    expect(codes(junk.feed('RSET\r\nHELP\r\n'))).toEqual([250, 214]);
    expect(junk.conn.state).not.toBe('closed');
    // the third error closes the session: that NOOP gets the 421 alone
    expect(lines(junk.feed('NOOP\r\n'))).toEqual(['421 4.7.0 mx.test Error: too many errors']);
    expect(closedReason(junk.events)).toBe('too-many-errors');

    const work = ready(options);
    for (let i = 0; i < 12; i++) {
      work.feed(`MAIL FROM:<a${String(i)}@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n`);
      work.feed('hi\r\n.\r\n');
    }
    expect(work.messages).toHaveLength(12);
    expect(work.conn.state).not.toBe('closed');
  });

  it('with auth.required: maxUnauthenticatedCommands commands, then 421 4.7.0 and close; QUIT is never counted', () => {
    const options: ServerOptions = { secure: true, auth: { required: true, mechanisms: ['PLAIN'] }, limits: { maxUnauthenticatedCommands: 3 } };
    const d = drive(options);
    expect(codes(d.feed('EHLO client.test\r\n'))).toEqual([250]);
    expect(codes(d.feed('NOOP\r\n'))).toEqual([250]);
    expect(codes(d.feed('NOOP\r\n'))).toEqual([250]);
    expect(lines(d.feed('NOOP\r\n'))).toEqual(['421 4.7.0 mx.test Error: too many commands without authentication']);
    expect(closedReason(d.events)).toBe('too-many-errors');

    const q = drive(options);
    q.feed('EHLO client.test\r\n');
    q.feed('NOOP\r\n');
    q.feed('NOOP\r\n');
    expect(q.conn.state).not.toBe('closed');
    expect(codes(q.feed('QUIT\r\n'))).toEqual([221]);
    expect(closedReason(q.events)).toBe('quit');
  });
});

describe('STARTTLS first (requireTls)', () => {
  it('530 5.7.0 to a transaction command; a BDAT chunk is read and dropped, never run as commands', () => {
    const d = ready({ starttls: true, requireTls: true });
    expect(lines(d.feed('MAIL FROM:<a@b.example>\r\n'))).toEqual(['530 5.7.0 Must issue a STARTTLS command first']);
    expect(lines(d.feed('BDAT 6 LAST\r\nQUIT\r\n'))).toEqual(['530 5.7.0 Must issue a STARTTLS command first']);
    expect(d.conn.state).not.toBe('closed');
    expect(codes(d.feed('NOOP\r\n'))).toEqual([250]);
  });
});

describe('verbs that exist only when enabled', () => {
  it.each(['LHLO client.test', 'XCLIENT ADDR=192.0.2.1', 'XFORWARD ADDR=192.0.2.1'])('%j without its option: 500 5.5.2', (line) => {
    const d = ready();
    expect(lines(d.feed(`${line}\r\n`))).toEqual(['500 5.5.2 Error: command not recognized']);
  });

  it('with them: LHLO over LMTP, XFORWARD with xforward', () => {
    expect(codes(drive({ lmtp: true }).feed('LHLO client.test\r\n'))).toEqual([250]);
    expect(codes(ready({ xforward: true, trusted: true }).feed('XFORWARD ADDR=192.0.2.1\r\n'))).toEqual([250]);
  });
});

describe('graceful shutdown reached at the next idle point', () => {
  it('a command line half received when it is asked: that command is answered, then 421 4.3.2', () => {
    const d = ready();
    d.feed('NO');
    d.conn.requestShutdown();
    expect(d.out).not.toContain('421');
    expect(lines(d.feed('OP\r\n'))).toEqual(['250 2.0.0 Ok', '421 4.3.2 mx.test Service shutting down, closing transmission channel']);
    expect(closedReason(d.events)).toBe('shutdown');
  });

  it('an AUTH exchange or a custom verb\'s line step waiting for the client\'s line: 421 4.3.2 at once (a client sitting at its 334 held the shutdown until its timeout)', () => {
    const auth = drive({ auth: { mechanisms: ['LOGIN'], allowInsecure: true } });
    auth.feed('EHLO client.test\r\n');
    expect(codes(auth.feed('AUTH LOGIN\r\n'))).toEqual([334]);
    auth.conn.requestShutdown();
    expect(codes(auth.feed(''))).toEqual([421]);
    expect(closedReason(auth.events)).toBe('shutdown');

    const verb = drive({ registry: [{ keyword: 'XPROVE', verbs: [{ name: 'XPROVE' }] }] }, (e, conn) => {
      if (e.type !== 'command') return false;
      conn.continueCommand({ reply: { code: 334, text: 'go on' }, read: 'line' });
      return true;
    });
    verb.feed('EHLO client.test\r\n');
    expect(codes(verb.feed('XPROVE me\r\n'))).toEqual([334]);
    verb.conn.requestShutdown();
    expect(codes(verb.feed(''))).toEqual([421]);
    expect(closedReason(verb.events)).toBe('shutdown');
  });

  it('an AUTH line half received when it is asked: that step is answered, then 421 4.3.2 before the next line', () => {
    const d = drive({ auth: { mechanisms: ['LOGIN'], allowInsecure: true } });
    d.feed('EHLO client.test\r\n');
    d.feed('AUTH LOGIN\r\n');
    d.feed('dXNl');
    d.conn.requestShutdown();
    expect(codes(d.feed('cg==\r\ncGFzcw==\r\n'))).toEqual([334, 421]);
    expect(closedReason(d.events)).toBe('shutdown');
  });

  it('inside a transaction: more recipients and the message are still taken, then 421 4.3.2', () => {
    const d = inTransaction();
    d.conn.requestShutdown();
    expect(codes(d.feed('RCPT TO:<c@d.example>\r\n'))).toEqual([250]);
    expect(codes(d.feed('DATA\r\n'))).toEqual([354]);
    expect(codes(d.feed('hello\r\n.\r\n'))).toEqual([250, 421]);
    expect(d.messages).toEqual(['hello\r\n']);
    expect(closedReason(d.events)).toBe('shutdown');
  });
});
