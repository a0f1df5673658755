// DATA and BDAT in the core: which body types each takes, the chunk syntax, a refused chunk in
// the middle of a message, the size limit at its exact boundary, bare line endings per body type
// and policy, what the application is told (data-chunk, message-end), the data-start refusal, and
// what a delivered message resets (error counters, a pending graceful shutdown).
import { describe, expect, it } from 'vitest';
import { drive, inTransaction, rejectAt, replyLines as lines } from '../test/harness.js';
import type { ServerConnection, ServerEvent, ServerOptions } from './index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** After EHLO, MAIL with `params` and one RCPT; `decide` as in `drive`. */
function mailWith(params: string, options: ServerOptions = {}, decide?: (e: ServerEvent, conn: ServerConnection) => boolean) {
  const d = drive(options, decide);
  d.feed('EHLO client.test\r\n');
  d.feed(`MAIL FROM:<a@example.org>${params ? ` ${params}` : ''}\r\nRCPT TO:<b@example.net>\r\n`);
  return d;
}

/** The data-chunk bytes the application saw, in order, as latin1 text. */
function chunkEvents(d: { readonly conn: ServerConnection }, feed: (s: string) => void): string[] {
  const seen: string[] = [];
  const conn = d.conn;
  const next = conn.nextEvent.bind(conn);
  conn.nextEvent = () => {
    const e = next();
    if (e.type === 'data-chunk') seen.push(dec.decode(e.bytes));
    return e;
  };
  feed('');
  return seen;
}

describe('DATA after MAIL with a BODY parameter', () => {
  it('takes BODY=8BITMIME and BODY=7BIT (any case) and refuses only BINARYMIME, which needs BDAT', () => {
    for (const body of ['BODY=8BITMIME', 'BODY=7BIT', 'body=8bitmime']) {
      const d = mailWith(body);
      expect(lines(d.feed('DATA\r\n')), body).toEqual(['354 End data with <CR><LF>.<CR><LF>']);
      expect(lines(d.feed('Subject: x\r\n\r\nhi\r\n.\r\n')), body).toEqual(['250 2.0.0 Message accepted']);
      expect(d.messages, body).toEqual(['Subject: x\r\n\r\nhi\r\n']);
    }
    const d = mailWith('BODY=binarymime');
    expect(lines(d.feed('DATA\r\n'))).toEqual(['503 5.5.1 Error: BODY=BINARYMIME requires BDAT']);
  });
  it('refuses DATA while a BDAT message is under way (RFC 3030 §2), and the BDAT message still ends', () => {
    const d = mailWith('');
    expect(lines(d.feed('BDAT 5\r\nhello'))).toEqual(['250 2.0.0 5 octets received']);
    expect(lines(d.feed('DATA\r\n'))).toEqual(['503 5.5.1 Error: BDAT in progress']);
    expect(lines(d.feed('BDAT 6 LAST\r\n world'))).toEqual(['250 2.0.0 Message accepted']);
    expect(d.messages).toEqual(['hello world']);
  });
  it('answers a refused data-start with 554 5.7.1 (or the application reply) and reads what follows as commands', () => {
    const manual: ServerOptions = { autoAccept: ['connect', 'helo'] };
    const d = mailWith('', manual, rejectAt('data-start'));
    expect(lines(d.feed('DATA\r\n'))).toEqual(['554 5.7.1 Error: message refused']);
    expect(lines(d.feed('NOOP\r\n'))).toEqual(['250 2.0.0 Ok']);
    const custom = mailWith('', manual, rejectAt('data-start', { code: 451, enhanced: '4.3.0', text: 'try later' }));
    expect(lines(custom.feed('DATA\r\n'))).toEqual(['451 4.3.0 try later']);
  });
});

describe('BDAT chunk syntax and sequence', () => {
  it('SRV-3 a second token other than LAST: 501 and the connection closes, the chunk never runs as commands', () => {
    for (const line of ['BDAT 3 FIRST', 'BDAT 3 LAST EXTRA']) {
      const d = mailWith('');
      expect(lines(d.feed(`${line}\r\nabc`)), line).toEqual(['501 5.5.4 Syntax: BDAT size [LAST]; closing connection']);
      expect(d.conn.state, line).toBe('closed');
    }
    const d = mailWith('');
    expect(lines(d.feed('BDAT 3 last\r\nabc'))).toEqual(['250 2.0.0 Message accepted']);
    expect(d.messages).toEqual(['abc']);
  });
  it('refuses BDAT with no accepted recipient with 554 and consumes its chunk', () => {
    const d = drive({}, rejectAt('rcpt'));
    d.feed('EHLO client.test\r\n');
    d.feed('MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n');
    expect(lines(d.feed('BDAT 4 LAST\r\nNOOP'))).toEqual(['554 5.5.1 Error: no valid recipients']);
    expect(lines(d.feed('NOOP\r\n'))).toEqual(['250 2.0.0 Ok']);
  });
  it('SRV-3 a malformed chunk line in the middle of a message aborts that message (closed) and closes the connection', () => {
    const d = mailWith('');
    d.feed('BDAT 5\r\nhello');
    expect(lines(d.feed('BDAT 5 NOW\r\nworld'))).toEqual(['501 5.5.4 Syntax: BDAT size [LAST]; closing connection']);
    expect(d.events.filter((e) => e.type === 'message-abort').map((e) => e.type === 'message-abort' && e.reason)).toEqual(['closed']);
    expect(d.messages).toEqual([]);
    expect(d.conn.state).toBe('closed');
  });
  it('a chunk refused at data-start aborts that message and resets the transaction; the chunk is consumed', () => {
    const d = drive({ autoAccept: [] }, rejectAt('data-start'));
    d.feed('EHLO client.test\r\n');
    d.feed('MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n');
    expect(lines(d.feed('BDAT 6\r\nNOOP\r\n'))).toEqual(['554 5.7.1 Error: message refused']);
    expect(d.events.filter((e) => e.type === 'message-abort').map((e) => e.type === 'message-abort' && e.reason)).toEqual(['rejected']);
    // the transaction is gone: another chunk needs a new MAIL
    expect(lines(d.feed('BDAT 1 LAST\r\nx'))).toEqual(['503 5.5.1 Error: need MAIL command']);
  });
  it('tells the application nothing of a refused chunk: no data-chunk event, no message', () => {
    const d = drive();
    d.feed('EHLO client.test\r\n');
    const seen = chunkEvents(d, (s) => d.feed(s));
    d.feed('BDAT 5 LAST\r\nhello'); // no MAIL: 503, chunk consumed
    expect(seen).toEqual([]);
    expect(d.messages).toEqual([]);
  });
  it('sends no empty data-chunk for BDAT 0 LAST and reports the size and recipients at message-end', () => {
    const d = drive();
    d.feed('EHLO client.test\r\n');
    d.feed('MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nRCPT TO:<c@example.net>\r\n');
    const seen = chunkEvents(d, (s) => d.feed(s));
    d.feed('BDAT 4\r\nabcd');
    expect(lines(d.feed('BDAT 0 LAST\r\n'))).toEqual(['250 2.0.0 Message accepted']);
    expect(seen).toEqual(['abcd']);
    const end = d.events.find((e) => e.type === 'message-end');
    expect(end).toMatchObject({ type: 'message-end', size: 4, recipients: ['b@example.net', 'c@example.net'] });
  });
});

describe('the size limit at its boundary', () => {
  const limits = { maxMessageSize: 10 };
  it('DATA: exactly the limit is accepted, one byte more is 552 5.3.4', () => {
    const ok = mailWith('', { limits });
    ok.feed('DATA\r\n');
    expect(lines(ok.feed('12345678\r\n.\r\n'))).toEqual(['250 2.0.0 Message accepted']);
    const big = mailWith('', { limits });
    big.feed('DATA\r\n');
    expect(lines(big.feed('123456789\r\n.\r\n'))).toEqual(['552 5.3.4 Error: message size exceeds fixed maximum message size']);
  });
  it('BDAT: exactly the limit is accepted, one byte more is 552 5.3.4 and the application sees no byte past the limit', () => {
    const ok = mailWith('', { limits });
    expect(lines(ok.feed('BDAT 10 LAST\r\n0123456789'))).toEqual(['250 2.0.0 Message accepted']);
    const big = mailWith('', { limits });
    const seen = chunkEvents(big, (s) => big.feed(s));
    expect(lines(big.feed('BDAT 6\r\n012345'))).toEqual(['250 2.0.0 6 octets received']);
    expect(lines(big.feed('BDAT 5\r\n6789A'))).toEqual(['552 5.3.4 Error: message size exceeds fixed maximum message size']);
    expect(seen).toEqual(['012345']);
  });
});

describe('bare line endings in BDAT chunks', () => {
  it('are refused with 550 5.5.2 under BODY=8BITMIME (and none), and no byte after the first one reaches the application', () => {
    for (const params of ['', 'BODY=8BITMIME']) {
      const d = mailWith(params);
      const seen = chunkEvents(d, (s) => d.feed(s));
      d.feed('BDAT 5\r\nab\r\nc');
      d.feed('BDAT 4\r\nd\ne\r');
      expect(lines(d.feed('BDAT 2 LAST\r\n\nf')), params).toEqual(['550 5.5.2 Error: bare <CR> or <LF> received']);
      expect(seen, params).toEqual(['ab\r\nc']);
      expect(d.messages, params).toEqual([]);
    }
  });
  it('a CR at the very end of the last chunk is a bare CR', () => {
    const d = mailWith('');
    expect(lines(d.feed('BDAT 3 LAST\r\nab\r'))).toEqual(['550 5.5.2 Error: bare <CR> or <LF> received']);
  });
  it('are content under BODY=BINARYMIME: the bytes arrive as sent', () => {
    const d = mailWith('BODY=BINARYMIME');
    const bytes = 'a\nb\rc\0\r';
    expect(lines(d.feed(`BDAT ${String(bytes.length)} LAST\r\n${bytes}`))).toEqual(['250 2.0.0 Message accepted']);
    expect(d.messages).toEqual([bytes]);
  });
  it('pass under bareLineEndings: normalize (BDAT chunks are not rewritten)', () => {
    const d = mailWith('', { bareLineEndings: 'normalize' });
    expect(lines(d.feed('BDAT 5 LAST\r\na\nb\rc'))).toEqual(['250 2.0.0 Message accepted']);
    expect(d.messages).toEqual(['a\nb\rc']);
  });
  it('DATA under normalize stores CRLF for each bare line ending', () => {
    const d = mailWith('', { bareLineEndings: 'normalize' });
    d.feed('DATA\r\n');
    expect(lines(d.feed('a\nb\r\n.\r\n'))).toEqual(['250 2.0.0 Message accepted']);
    expect(d.messages).toEqual(['a\r\nb\r\n']);
  });
});

describe('what a delivered message resets', () => {
  it('the error count: refusals before a delivered message do not add up with those after it', () => {
    const d = inTransaction({ limits: { hardErrorLimit: 3 } });
    d.feed('VRFY\r\n');
    d.feed('VRFY\r\n'); // two errors
    d.feed('DATA\r\n');
    expect(lines(d.feed('x\r\n.\r\n'))).toEqual(['250 2.0.0 Message accepted']);
    // two more errors: without the reset, the third error in all would close the session
    expect(lines(d.feed('VRFY\r\n'))).toEqual(['501 5.5.4 Syntax: VRFY address']);
    expect(lines(d.feed('VRFY\r\n'))).toEqual(['501 5.5.4 Syntax: VRFY address']);
    expect(d.conn.state).not.toBe('closed');
    expect(lines(d.feed('VRFY\r\n'))).toEqual(['501 5.5.4 Syntax: VRFY address', '421 4.7.0 mx.test Error: too many errors']);
  });
  it('a message the application rejects neither counts as an error nor resets the count', () => {
    const d = mailWith('', { limits: { hardErrorLimit: 3 } }, rejectAt('message-end'));
    d.feed('VRFY\r\n');
    d.feed('DATA\r\n');
    expect(lines(d.feed('x\r\n.\r\n'))).toEqual(['550 5.0.0 Error: message rejected']);
    expect(lines(d.feed('VRFY\r\n'))).toEqual(['501 5.5.4 Syntax: VRFY address']); // the second error
    expect(lines(d.feed('VRFY\r\n'))).toEqual(['501 5.5.4 Syntax: VRFY address', '421 4.7.0 mx.test Error: too many errors']);
  });
  it('a graceful shutdown asked for during a message is carried out right after its answer', () => {
    const d = inTransaction();
    d.feed('DATA\r\n');
    d.feed('x\r\n');
    d.conn.requestShutdown();
    expect(lines(d.feed('.\r\n'))).toEqual(['250 2.0.0 Message accepted', '421 4.3.2 mx.test Service shutting down, closing transmission channel']);
    expect(d.conn.shouldClose).toBe(true);
  });
  it('LMTP: a message with the bare-line-ending refusal gets one reply per recipient', () => {
    const d = drive({ lmtp: true });
    d.feed('LHLO client.test\r\n');
    d.feed('MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nRCPT TO:<c@example.net>\r\n');
    d.feed('DATA\r\n');
    expect(lines(d.feed('a\nb\r\n.\r\n'))).toEqual(['550 5.5.2 Error: bare <CR> or <LF> received', '550 5.5.2 Error: bare <CR> or <LF> received']);
    expect(enc.encode(d.out).length).toBeGreaterThan(0);
  });
});

describe('LMTP: the end of a BDAT message gets one reply per successful RCPT (RFC 2033 §4.3)', () => {
  const TOO_LARGE = '552 5.3.4 Error: message size exceeds fixed maximum message size';
  /** After LHLO, MAIL and RCPTs to `n` recipients. */
  function lmtp(n: number, options: ServerOptions = {}, decide?: (e: ServerEvent, conn: ServerConnection) => boolean) {
    const d = drive({ lmtp: true, limits: { maxMessageSize: 100 }, ...options }, decide);
    d.feed('LHLO client.test\r\n');
    d.feed(`MAIL FROM:<a@example.org>\r\n${Array.from({ length: n }, (_, i) => `RCPT TO:<r${String(i)}@example.net>\r\n`).join('')}`);
    return d;
  }
  it('a BDAT LAST over the size limit: one 552 per recipient', () => {
    const d = lmtp(2);
    expect(lines(d.feed(`BDAT 200 LAST\r\n${'x'.repeat(200)}`))).toEqual([TOO_LARGE, TOO_LARGE]);
    expect(lines(d.feed('MAIL FROM:<a@example.org>\r\n'))).toEqual(['250 2.1.0 Sender OK']);
  });
  it('the limit passed by the LAST chunk: one reply to the first chunk, one per recipient to the LAST', () => {
    const d = lmtp(2);
    expect(lines(d.feed(`BDAT 60\r\n${'x'.repeat(60)}`))).toEqual(['250 2.0.0 60 octets received']);
    expect(lines(d.feed(`BDAT 60 LAST\r\n${'y'.repeat(60)}`))).toEqual([TOO_LARGE, TOO_LARGE]);
  });
  it('the limit passed by a chunk without LAST: that chunk gets one 552, a pipelined chunk one 503, the LAST one 552 per recipient', () => {
    const d = lmtp(3);
    const out = lines(d.feed(`BDAT 150\r\n${'x'.repeat(150)}BDAT 5\r\nabcdeBDAT 5 LAST\r\nfghij`));
    expect(out).toEqual([TOO_LARGE, '503 5.5.1 Error: need MAIL command', TOO_LARGE, TOO_LARGE, TOO_LARGE]);
    expect(d.events.filter((e) => e.type === 'message-abort')).toHaveLength(1);
    // a command other than BDAT ends the failed message: a later BDAT LAST owes nothing more
    expect(lines(d.feed('RSET\r\nBDAT 1 LAST\r\nz'))).toEqual(['250 2.0.0 Ok', '503 5.5.1 Error: need MAIL command']);
  });
  it('data-start refused for a BDAT LAST: one reply per recipient; for a chunk without LAST: one, then one per recipient at LAST', () => {
    const refused = '554 5.7.1 Error: message refused';
    const options: ServerOptions = { autoAccept: ['connect', 'helo', 'mail', 'rcpt', 'message-end'] };
    expect(lines(lmtp(2, options, rejectAt('data-start')).feed('BDAT 3 LAST\r\nabc'))).toEqual([refused, refused]);
    expect(lines(lmtp(2, options, rejectAt('data-start')).feed('BDAT 3\r\nabcBDAT 1 LAST\r\nd'))).toEqual([refused, refused, refused]);
  });
  it('no successful RCPT: DATA gets 503 (RFC 2033 §4.2: it MUST fail with 503), where SMTP says 554', () => {
    expect(lines(lmtp(0).feed('DATA\r\n'))).toEqual(['503 5.5.1 Error: no valid recipients']);
    const smtp = drive({});
    smtp.feed('EHLO client.test\r\n');
    smtp.feed('MAIL FROM:<a@example.org>\r\n');
    expect(lines(smtp.feed('DATA\r\n')).at(-1)).toBe('554 5.5.1 Error: no valid recipients');
  });
  it('no successful RCPT: a BDAT LAST gets zero replies, a chunk without LAST one', () => {
    const d = lmtp(0);
    expect(lines(d.feed('BDAT 3\r\nabc'))).toEqual(['554 5.5.1 Error: no valid recipients']);
    expect(lines(d.feed('BDAT 3 LAST\r\nabcRSET\r\n'))).toEqual(['250 2.0.0 Ok']);
    // no transaction at all: the one reply
    expect(lines(d.feed('BDAT 1 LAST\r\nz'))).toEqual(['503 5.5.1 Error: need MAIL command']);
  });
  it('a failed message with many recipients is one error, not one per recipient (hardErrorLimit 20)', () => {
    const d = lmtp(25);
    expect(lines(d.feed(`BDAT 200 LAST\r\n${'x'.repeat(200)}`))).toEqual(Array<string>(25).fill(TOO_LARGE));
    d.feed('MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nRCPT TO:<c@example.net>\r\nDATA\r\n');
    expect(lines(d.feed(`${'x'.repeat(200)}\r\n.\r\n`))).toEqual([TOO_LARGE, TOO_LARGE]);
    expect(d.conn.state).not.toBe('closed');
  });
});
