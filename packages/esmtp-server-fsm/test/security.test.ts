import { describe, expect, it } from 'vitest';
import { splittings } from '@smtpkit/testkit';
import { codes, drive, inTransaction } from './harness.js';
import { ServerConnection } from '../src/index.js';
import type { ServerOptions as ServerOptionsLite } from '../src/index.js';

const dec = new TextDecoder();
const SMUGGLED = 'MAIL FROM:<evil@x>\r\nRCPT TO:<v@y>\r\nDATA\r\nsmuggled\r\n.\r\n';
const VECTORS: [string, string][] = [
  ['\\n.\\n', '\n.\n'],
  ['\\r.\\r', '\r.\r'],
  ['\\n.\\r\\n', '\n.\r\n'],
  ['\\r.\\r\\n', '\r.\r\n'],
  ['\\r\\n.\\n', '\r\n.\n'],
  ['\\r\\n.\\r', '\r\n.\r'],
  ['\\r.\\n', '\r.\n'],
  ['\\n.\\r', '\n.\r'],
  ['\\r\\n\\0.\\r\\n', '\r\n\0.\r\n'],
  ['\\r\\n.\\0\\r\\n', '\r\n.\0\r\n'],
  ['\\r\\n.\\r\\r\\n', '\r\n.\r\r\n'],
  ['\\r\\r\\n.\\r\\r\\n', '\r\r\n.\r\r\n'],
];

describe('SMUG-1 end of data is exactly CRLF.CRLF', () => {
  for (const [name, v] of VECTORS) {
    it(`SMUG-1 ${name} never ends DATA; exactly one transaction, then rejected (SMUG-2)`, () => {
      const body = 'Subject: x\r\n\r\nbody' + v + SMUGGLED;
      for (const s of splittings(body, { random: 4, maxExhaustive: 0 })) {
        const d = inTransaction();
        d.feed('DATA\r\n');
        let mid = '';
        const chunks = s.chunks;
        for (let i = 0; i < chunks.length; i++) {
          const out = d.feed(chunks[i]!);
          if (i < chunks.length - 1) mid += out;
        }
        // the smuggled "\r\n.\r\n" at the very end is the one real end of data
        expect(mid).toBe('');
        const ends = d.events.filter((e) => e.type === 'message-end' || e.type === 'message-abort');
        expect(ends).toHaveLength(1);
        expect(d.events.filter((e) => e.type === 'mail')).toHaveLength(1);
        if (v.includes('\0')) {
          // no bare CR/LF: one legitimate message that carries the would-be smuggled text
          expect(d.messages).toHaveLength(1);
          expect(d.messages[0]).toContain('MAIL FROM:<evil@x>');
        } else {
          expect(d.messages).toHaveLength(0);
          expect(codes(d.out).slice(-1)).toEqual([550]);
        }
      }
    });
  }

  it('SMUG-1 normalize mode: bare-LF dot lines are dropped, never the end of data', () => {
    const d = inTransaction({ bareLineEndings: 'normalize' });
    d.feed('DATA\r\n');
    d.feed('a\n.\nb\n.\r\nc\r\n.\r\n');
    expect(d.messages).toEqual(['a\r\nb\r\nc\r\n']);
    expect(d.events.filter((e) => e.type === 'message-end')).toHaveLength(1);
  });
});

describe('SMUG-2 bare CR / LF in DATA', () => {
  it('SMUG-2 bare LF: no reply before the real end, then 550 and no accepted message', () => {
    const d = inTransaction();
    d.feed('DATA\r\n');
    expect(d.feed('body\nline2\r\n')).toBe('');
    expect(d.feed('.\r\n')).toMatch(/^550 5\.5\.2 /);
    expect(d.events.some((e) => e.type === 'message-abort' && e.reason === 'bare-line-ending')).toBe(true);
    expect(d.messages).toEqual([]);
    // the session stays usable
    expect(codes(d.feed('MAIL FROM:<a@b.example>\r\n'))).toEqual([250]);
  });
  it('SMUG-2 bare CR fails the transaction', () => {
    const d = inTransaction();
    d.feed('DATA\r\n');
    expect(codes(d.feed('a\rb\r\n.\r\n'))).toEqual([550]);
  });
  it('SMUG-2 normalize turns bare LF and bare CR into CRLF', () => {
    const d = inTransaction({ bareLineEndings: 'normalize' });
    d.feed('DATA\r\n');
    d.feed('a\nb\rc\r\n.\r\n');
    expect(d.messages).toEqual(['a\r\nb\r\nc\r\n']);
  });
});

describe('SMUG-3 command lines with bare CR, bare LF or NUL', () => {
  it('SMUG-3 EHLO a\\nNOOP is one rejected line', () => {
    const d = drive();
    expect(codes(d.feed('EHLO a\nNOOP\r\n'))).toEqual([500]);
    expect(d.events.some((e) => e.type === 'helo')).toBe(false);
  });
  it('SMUG-3 MAIL with a bare CR inside is rejected, never split', () => {
    const d = drive();
    d.feed('EHLO a\r\n');
    expect(codes(d.feed('MAIL FROM:<a@b>\rRCPT TO:<c@d>\r\n'))).toEqual([500]);
    expect(d.events.some((e) => e.type === 'mail')).toBe(false);
  });
  it('SMUG-3 NUL gets 501', () => {
    const d = drive();
    expect(codes(d.feed('NOOP\0\r\n'))).toEqual([501]);
  });
  it('SMUG-3 / X-2 EHLO x\\n then silence: no reply', () => {
    const d = drive();
    expect(d.feed('EHLO x\n')).toBe('');
    expect(d.events.some((e) => e.type === 'helo')).toBe(false);
  });
});

describe('SMUG-4 dot-unstuffing', () => {
  const cases: [string, string][] = [
    ['..x\r\n.\r\n', '.x\r\n'],
    ['a\r\n..\r\n.\r\n', 'a\r\n.\r\n'],
    ['a\r\n. \r\n.\r\n', 'a\r\n \r\n'],
    ['.\r\n', ''],
  ];
  for (const [input, content] of cases) {
    it(`SMUG-4 ${JSON.stringify(input)} -> ${JSON.stringify(content)} (every split)`, () => {
      for (const s of splittings(input, { random: 5 })) {
        const d = inTransaction();
        d.feed('DATA\r\n');
        for (const c of s.chunks) d.feed(c);
        expect(d.messages).toEqual([content]);
      }
    });
  }
  it('SMUG-4 \\r\\n.\\0\\r\\n is not end of data', () => {
    const d = inTransaction({ bareLineEndings: 'normalize' });
    d.feed('DATA\r\n');
    expect(d.feed('a\r\n.\0\r\n')).toBe('');
    d.feed('.\r\n');
    expect(d.messages).toEqual(['a\r\n\0\r\n']);
  });
});

describe('SMUG-5 / DOS-7 pipelining synchronization', () => {
  it('SMUG-5 DATA followed by content in the same feed: 554 and close, no message', () => {
    const d = inTransaction();
    const out = d.feed('DATA\r\nSubject: x\r\n\r\nhi\r\n.\r\n');
    expect(codes(out)).toEqual([554]);
    expect(d.conn.state).toBe('closed');
    expect(d.events.some((e) => e.type === 'data-start')).toBe(false);
  });
  it('SMUG-5 QUIT followed by NOOP', () => {
    const d = drive();
    d.feed('EHLO a\r\n');
    expect(codes(d.feed('QUIT\r\nNOOP\r\n'))).toEqual([554]);
  });
  it('SMUG-5 HELO (no PIPELINING) then MAIL in one feed', () => {
    const d = drive();
    expect(codes(d.feed('HELO x\r\nMAIL FROM:<a@b>\r\n'))).toEqual([554]);
  });
  it('SMUG-5 MAIL/RCPT/DATA pipelined after EHLO are fine', () => {
    const d = drive();
    d.feed('EHLO a\r\n');
    expect(codes(d.feed('MAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\n'))).toEqual([250, 250, 354]);
  });
  it('SMUG-5 pipeliningSync off lets it through', () => {
    const d = drive({ pipeliningSync: 'off' });
    expect(codes(d.feed('HELO x\r\nMAIL FROM:<a@b.c>\r\n'))).toEqual([250, 250]);
  });
  it('DOS-7 input before the greeting: 554 and close', () => {
    const conn = new ServerConnection({ autoAccept: [] });
    expect(conn.nextEvent().type).toBe('connect');
    conn.receiveData('EHLO early\r\n');
    conn.accept();
    expect(new TextDecoder().decode(conn.dataToSend())).toMatch(/^554 5\.5\.0/);
    expect(conn.state).toBe('closed');
  });
});

describe('SMUG-7 BDAT', () => {
  it('SMUG-7 chunk bytes are never parsed as commands (contains \\n.\\r\\n and MAIL)', () => {
    const chunk = 'a\r\n.\r\nMAIL FROM:<x@y>\r\n';
    const d = inTransaction();
    d.feed(`BDAT ${chunk.length} LAST\r\n${chunk}`);
    expect(d.messages).toEqual([chunk]);
    expect(d.events.filter((e) => e.type === 'mail')).toHaveLength(1);
  });
  it('SMUG-7 SRV-3 an unusable chunk size gets one 501, then the connection closes; what follows never runs as commands', () => {
    for (const arg of ['99999999999999999999', '-1', '5x', '', 'x', '1e3', '+5', ' 5']) {
      for (const s of splittings(`BDAT ${arg}\r\nRSET\r\nMAIL FROM:<x@y>\r\n`, { random: 3, maxExhaustive: 0 })) {
        const d = inTransaction();
        for (const c of s.chunks) d.feed(c);
        expect(codes(d.out).slice(4)).toEqual([501]);
        expect(d.conn.state).toBe('closed');
        expect(d.events.filter((e) => e.type === 'mail' || e.type === 'rset')).toHaveLength(1);
        expect(d.events.at(-1)).toEqual({ type: 'closed', reason: 'synchronization' });
      }
    }
  });
  it('SMUG-7 SRV-3 every line whose verb is BDAT but that is not exactly BDAT SP size [SP LAST] gets one 501 and closes, at every split', () => {
    // a peer that ends a verb at any blank or control byte (Exim, Postfix) reads these as BDAT and the
    // next bytes as its chunk; the server cannot know where that chunk ends, so nothing after runs
    const enc = new TextEncoder();
    const raw = (...parts: (string | number[])[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...enc.encode(p)] : p)));
    const lines: [string, Uint8Array][] = [
      ...['BDAT\t3', 'BDAT\t3 LAST', 'bdat\t3', 'BDAT  3', 'BDAT 3\t', 'BDAT 3 LAST\t', 'BDAT 3 ', 'BDAT 3 LAST ', 'BDAT\v3', 'BDAT\f3', 'BDAT\x003', 'BDAT 3\x00',
        'BDAT 3\rQUIT', 'BDAT 3\nQUIT', 'BDAT:3', 'BDAT 3 LAST extra', 'BDAT 3 LASTX', 'BDAT 3  LAST', 'BDAT', 'BDAT ', 'BDAT 3' + ' '.repeat(600), 'BDAT\t' + '3'.repeat(600)].map((l): [string, Uint8Array] => [JSON.stringify(l.slice(0, 20)), enc.encode(l)]),
      ['BDAT 3 <0xff>', raw('BDAT 3 ', [0xff])],
      ['BDAT<0xa0>3', raw('BDAT', [0xa0], '3')],
      ['BDAT<NBSP>3', raw('BDAT', [0xc2, 0xa0], '3')],
    ];
    for (const [name, line] of lines) {
      const input = raw([...line], '\r\nQUIT\r\nRSET\r\nMAIL FROM:<x@y>\r\n');
      for (const s of splittings(input, { random: 3, maxExhaustive: 64 })) {
        const d = inTransaction();
        for (const c of s.chunks) d.feed(c);
        expect(codes(d.out).slice(4), `${name} ${s.name}`).toEqual([501]);
        expect(d.conn.state, name).toBe('closed');
        expect(d.events.filter((e) => e.type === 'mail' || e.type === 'rset' || e.type === 'quit' || e.type === 'data-start'), name).toHaveLength(1);
        expect(d.events.at(-1), name).toEqual({ type: 'closed', reason: 'synchronization' });
      }
    }
  });
  it('SMUG-7 SRV-3 the spellings RFC 3030 allows still work: any case for BDAT and LAST, leading zeros, size 0', () => {
    for (const line of ['bdat 3', 'BdAt 3', 'BDAT 003', 'BDAT 3 last', 'BDAT 3 LaSt']) {
      const d = inTransaction();
      expect(codes(d.feed(`${line}\r\nabc`)), line).toEqual([250]);
      if (!/last/i.test(line)) expect(codes(d.feed('BDAT 0 LAST\r\n')), line).toEqual([250]);
      expect(d.messages, line).toEqual(['abc']);
    }
  });
  it('SMUG-7 SRV-3 after a refused connection (554, only QUIT served) a BDAT chunk is still read as a chunk, never as commands', () => {
    const d = drive({ autoAccept: [] }, (e, conn) => {
      if (e.type !== 'connect') return false;
      conn.reject();
      return true;
    });
    expect(codes(d.feed('BDAT 6\r\nQUIT\r\n'))).toEqual([503]);
    expect(d.conn.state).toBe('rejected');
    expect(codes(d.feed('BDAT 4\r\nRSET'))).toEqual([503]);
    expect(codes(d.feed('QUIT\r\n'))).toEqual([221]);
  });
  it('SMUG-7 too large chunk: 552 after consuming exactly size bytes', () => {
    const d = inTransaction({ limits: { maxMessageSize: 10 } });
    const out = d.feed('BDAT 20\r\n' + 'x'.repeat(20) + 'NOOP\r\n');
    expect(codes(out)).toEqual([552, 250]);
  });
  it('SMUG-7 bare LF in BDAT text body is rejected at LAST; BINARYMIME is exempt', () => {
    const d = inTransaction();
    expect(codes(d.feed('BDAT 4 LAST\r\na\nb\n'))).toEqual([550]);
    const b = drive();
    b.feed('EHLO a\r\n');
    b.feed('MAIL FROM:<a@b.c> BODY=BINARYMIME\r\nRCPT TO:<d@e.f>\r\n');
    expect(codes(b.feed('BDAT 4 LAST\r\na\nb\n'))).toEqual([250]);
    expect(b.messages).toEqual(['a\nb\n']);
  });
  it('SMUG-7 BDAT outside a transaction still consumes its chunk', () => {
    const d = drive();
    d.feed('EHLO a\r\n');
    expect(codes(d.feed('BDAT 6\r\nNOOP\r\nNOOP\r\n'))).toEqual([503, 250]);
  });
});

describe('SMUG-5 a refused line that a lenient peer reads as a verb is checked as that verb', () => {
  // Exim ends a verb at any isspace() byte, Postfix splits on blanks and C strings end at NUL: a
  // middlebox like them reads `DATA\t` as DATA and the bytes pipelined behind it as the message.
  // The line is refused here (RFC 5321 separates with SP only), so the pipelining check must treat
  // it as the verb it looks like: a must-be-last one with input behind it closes the connection.
  const enc = new TextEncoder();
  const SEPARATORS: [string, number[]][] = [['HT', [9]], ['VT', [11]], ['FF', [12]], ['NUL', [0]], ['CR', [13]], ['LF', [10]], ['0x85', [0x85]], ['0xa0', [0xa0]], ['NBSP', [0xc2, 0xa0]]];
  const LAST = ['DATA', 'QUIT', 'NOOP', 'STARTTLS', 'AUTH', 'EHLO', 'HELO', 'VRFY', 'EXPN', 'data', 'Quit'];
  for (const verb of LAST) {
    it(`SMUG-5 ${verb} glued to a control byte or odd blank, with input behind it: 554 and close, the input never runs`, () => {
      for (const [name, sep] of SEPARATORS) {
        const input = Uint8Array.from([...enc.encode(verb), ...sep, ...enc.encode('x\r\nRSET\r\nMAIL FROM:<e@x>\r\n')]);
        // in one flight, or cut anywhere after the first byte behind the refused line: that byte is
        // already buffered when the line is read (cut earlier, nothing is behind it yet)
        const end = input.findIndex((b, i) => b === 13 && input[i + 1] === 10) + 2;
        for (const chunks of [[input], ...Array.from({ length: input.length - end - 1 }, (_, i) => [input.subarray(0, end + 1 + i), input.subarray(end + 1 + i)])]) {
          const d = inTransaction({ starttls: true, auth: { mechanisms: ['PLAIN'], allowInsecure: true } });
          for (const c of chunks) d.feed(c);
          const at = `${verb}+${name} cut at ${String(chunks[0]!.length)}`;
          expect(codes(d.out).slice(4), at).toEqual([554]);
          expect(d.events.filter((e) => e.type === 'rset' || e.type === 'mail'), at).toHaveLength(1);
        }
      }
    });
  }
  it('SMUG-5 the same with a line too long for the limit (a peer with a longer limit reads DATA, NOOP)', () => {
    for (const verb of ['DATA', 'NOOP', 'STARTTLS']) {
      const d = inTransaction();
      d.feed(`${verb} ${'x'.repeat(600)}\r\nRSET\r\nMAIL FROM:<e@x>\r\n`);
      expect(codes(d.out).slice(4), verb).toEqual([554]);
      expect(d.conn.state, verb).toBe('closed');
    }
  });
  it('SMUG-5 a verb with a non-ASCII letter that Unicode upper-casing folds to ASCII is not that verb (ſTARTTLS, RſET, MAıL)', () => {
    // 'ſ'.toUpperCase() is 'S' and 'ı'.toUpperCase() is 'I': the session ran these as STARTTLS, RSET
    // and MAIL, which no other SMTP implementation (nor a filtering middlebox) would
    for (const line of ['\u017fTARTTLS', 'R\u017fET', 'MA\u0131L FROM:<a@b.c>', 'XCL\u0131ENT ADDR=192.0.2.1']) {
      const d = inTransaction({ starttls: true, xclient: true, trusted: true });
      expect(codes(d.feed(`${line}\r\n`)), line).toEqual([500]);
      expect(d.conn.state, line).toBe('awaiting-rcpt');
      expect(d.events.filter((e) => e.type === 'tls-start' || e.type === 'rset' || e.type === 'xclient'), line).toEqual([]);
    }
  });
  it('SMUG-5 without input behind it the refused line gets its 500/501 and the session goes on', () => {
    // (DATA after a bare CR or LF closes even then: src/commands.line-ends.test.ts)
    for (const line of ['DATA\t', 'QUIT\v', 'NOOP\0', 'STARTTLS\t', 'QUIT\rx']) {
      const d = inTransaction();
      expect(codes(d.feed(`${line}\r\n`)), JSON.stringify(line)).toEqual([line.includes('\0') ? 501 : 500]);
      expect(codes(d.feed('RSET\r\n')), JSON.stringify(line)).toEqual([250]);
    }
  });
  it('SMUG-5 MAIL\tFROM / RCPT\tTO (tab, not SP) are refused with 500; what is pipelined after them is read as the lines it is, and a body never runs', () => {
    // the decision: RFC 5321 separates with SP only; nothing but lines follows MAIL and RCPT, so a
    // refusal cannot shift how later bytes are framed, and the DATA that would start a body is a
    // must-be-last command: with the body behind it, 554 and close
    const d = drive();
    d.feed('EHLO a\r\n');
    d.feed('MAIL\tFROM:<a@b.c>\r\nRCPT\tTO:<d@e.f>\r\nRCPT TO:<d@e.f>\r\nDATA\r\nMAIL FROM:<evil@x>\r\nRCPT TO:<v@y>\r\nDATA\r\n');
    expect(codes(d.out).slice(2)).toEqual([500, 500, 503, 554]);
    expect(d.events.filter((e) => e.type === 'mail' || e.type === 'rcpt' || e.type === 'data-start')).toEqual([]);
    expect(d.conn.state).toBe('closed');
    // one command per flight: each refused, nothing started
    const one = drive();
    one.feed('EHLO a\r\n');
    expect(codes(one.feed('MAIL\tFROM:<a@b.c>\r\n'))).toEqual([500]);
    expect(codes(one.feed('MAIL FROM:<a@b.c>\r\n'))).toEqual([250]);
    expect(codes(one.feed('RCPT\tTO:<d@e.f>\r\n'))).toEqual([500]);
    expect(one.conn.transaction.recipients).toEqual([]);
  });
});

describe('TLS-1..4 STARTTLS', () => {
  it('TLS-1 everything after STARTTLS in the same feed is discarded', () => {
    const d = drive({ starttls: true });
    d.feed('EHLO a\r\n');
    const out = d.feed('STARTTLS\r\nNOOP\r\n');
    expect(codes(out)).toEqual([220]);
    expect(d.conn.state).toBe('awaiting-tls');
    expect(() => d.conn.receiveData('NOOP\r\n')).toThrow(/TLS/);
    d.conn.tlsEstablished();
    expect(d.feed('')).toBe('');
  });
  it('TLS-1 AUTH injected after STARTTLS is never seen', () => {
    const d = drive({ starttls: true, auth: { mechanisms: ['PLAIN'] } });
    d.feed('EHLO a\r\n');
    d.feed('STARTTLS\r\nAUTH PLAIN AGF0dGFja2VyAHB3\r\n');
    d.conn.tlsEstablished();
    d.feed('');
    expect(d.events.some((e) => e.type === 'auth')).toBe(false);
  });
  it('TLS-1 SMUG-5 a refused STARTTLS with input behind it: its refusal, then 554 and close; the input (meant for the TLS session) never runs in plaintext', () => {
    const cases: [string, ServerOptionsLite, string, number][] = [
      ['with an argument', { starttls: true }, 'STARTTLS x', 501],
      ['not offered', {}, 'STARTTLS', 502],
      ['already secure', { starttls: true, secure: true }, 'STARTTLS', 503],
      ['inside a transaction', { starttls: true }, 'MAIL FROM:<a@b.c>\r\nSTARTTLS', 503],
    ];
    for (const [name, options, line, code] of cases) {
      const d = drive(options);
      d.feed('EHLO a\r\n');
      d.feed(`${line}\r\nRSET\r\nMAIL FROM:<e@x>\r\n`);
      expect(codes(d.out).slice(-2), name).toEqual([code, 554]);
      expect(d.conn.state, name).toBe('closed');
      expect(d.events.filter((e) => e.type === 'rset' || (e.type === 'mail' && e.from === 'e@x')), name).toEqual([]);
    }
    // alone in its flight, a refused STARTTLS leaves the plaintext session usable (TLS-3)
    const d = drive();
    d.feed('EHLO a\r\n');
    expect(codes(d.feed('STARTTLS\r\n'))).toEqual([502]);
    expect(codes(d.feed('NOOP\r\n'))).toEqual([250]);
  });
  it('TLS-2 state is reset after TLS: MAIL without a new EHLO gets 503', () => {
    const d = drive({ starttls: true });
    d.feed('EHLO a\r\n');
    d.feed('STARTTLS\r\n');
    d.conn.tlsEstablished();
    expect(codes(d.feed('MAIL FROM:<x@y.z>\r\n'))).toEqual([503]);
    expect(d.conn.session.helo).toBeUndefined();
    const ehlo = d.feed('EHLO a\r\n');
    expect(ehlo).not.toContain('STARTTLS');
    expect(ehlo).toContain('REQUIRETLS');
  });
  it('TLS-3 STARTTLS syntax and state errors', () => {
    const d = drive({ starttls: true });
    d.feed('EHLO a\r\n');
    expect(codes(d.feed('STARTTLS foo\r\n'))).toEqual([501]);
    const none = drive();
    none.feed('EHLO a\r\n');
    expect(none.out).not.toContain('STARTTLS');
    expect(codes(none.feed('STARTTLS\r\n'))).toEqual([502]);
    const tls = drive({ secure: true, starttls: true });
    tls.feed('EHLO a\r\n');
    expect(codes(tls.feed('STARTTLS\r\n'))).toEqual([503]);
  });
  it('TLS-4 TLS required: MAIL and AUTH before STARTTLS get 530; AUTH not offered', () => {
    const d = drive({ starttls: true, requireTls: true, auth: { mechanisms: ['PLAIN'] } });
    const ehlo = d.feed('EHLO a\r\n');
    expect(ehlo).not.toContain('AUTH');
    expect(codes(d.feed('MAIL FROM:<a@b.c>\r\n'))).toEqual([530]);
    expect(codes(d.feed('AUTH PLAIN AGEAYg==\r\n'))).toEqual([530]);
    expect(codes(d.feed('NOOP\r\n'))).toEqual([250]);
  });
});

describe('INJ server-side argument checks', () => {
  const mailReply = (arg: string, opts = {}): number[] => {
    const d = drive(opts);
    d.feed('EHLO a\r\n');
    return codes(d.feed(`MAIL FROM:${arg}\r\n`));
  };
  it('INJ-3 controls in paths and in xtext-decoded parameters are rejected', () => {
    expect(mailReply('<a\x01b@c.d>')).toEqual([501]);
    expect(mailReply('<a@b.c> ENVID=ab+0D+0Acd')).toEqual([501]);
    const d = inTransaction();
    expect(codes(d.feed('RCPT TO:<x@b.c> ORCPT=rfc822;x+0D+0AX-Injected:+201\r\n'))).toEqual([501]);
    expect(codes(d.feed('RCPT TO:<a@b\x7f>\r\n'))).toEqual([501]);
    expect(codes(d.feed('RCPT TO:<\u200ba@b.c>\r\n'))).toEqual([501]);
  });
  it('INJ-5 HELO/EHLO argument validation', () => {
    const d = drive();
    expect(codes(d.feed('EHLO\r\n'))).toEqual([501]);
    expect(codes(d.feed('EHLO a b c\r\n'))).toEqual([501]);
    expect(codes(d.feed(`EHLO ${'a'.repeat(300)}\r\n`))).toEqual([501]);
    expect(codes(d.feed('EHLO a\x01b\r\n'))).toEqual([501]);
    expect(codes(d.feed('EHLO a\nX-Injected: 1\r\n'))).toEqual([500]);
  });
  it('INJ-6 path limits in octets', () => {
    expect(mailReply(`<${'a'.repeat(64)}@b.c>`)).toEqual([250]);
    expect(mailReply(`<${'a'.repeat(65)}@b.c>`)).toEqual([501]);
    expect(mailReply(`<a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(63)}.f>`)).toEqual([501]);
    // 40 characters but 80 bytes of local part, with SMTPUTF8
    expect(mailReply(`<${'é'.repeat(40)}@b.c> SMTPUTF8`)).toEqual([501]);
    expect(mailReply(`<${'é'.repeat(30)}@b.c> SMTPUTF8`)).toEqual([250]);
  });
  it('INJ-7 grammar strictness', () => {
    expect(mailReply('<a@b.c>garbage')).toEqual([501]);
    expect(mailReply('<a@b.c> SIZE=10 SIZE=20')).toEqual([501]);
    expect(mailReply('<a@b.c> FOO=bar')).toEqual([555]);
    expect(mailReply('<a@b.c> BODY=weird')).toEqual([501]);
    expect(mailReply('<@a.b,@c.d:u@e.f>')).toEqual([250]);
    expect(mailReply(' <a@b.c>')).toEqual([250]);
    expect(mailReply('<"a\\"b"@c.d>')).toEqual([250]);
    const d = inTransaction();
    expect(codes(d.feed('RCPT TO:<>\r\n'))).toEqual([501]);
    expect(codes(d.feed('RCPT TO:<Postmaster>\r\n'))).toEqual([250]);
  });
  it('INJ-8 non-ASCII only with SMTPUTF8', () => {
    expect(mailReply('<ü@x.y>')).toEqual([553]);
    expect(mailReply('<ü@x.y> SMTPUTF8')).toEqual([250]);
    expect(mailReply('<ü@x.y> SMTPUTF8', { extensions: { smtpUtf8: false } })).toEqual([555]);
  });
  it('INJ-9 recipient limit: 452 4.5.3 past the limit, earlier recipients kept', () => {
    const d = drive({ limits: { maxRecipients: 100 } });
    d.feed('EHLO a\r\n');
    d.feed('MAIL FROM:<a@b.c>\r\n');
    let cmds = '';
    for (let i = 0; i < 101; i++) cmds += `RCPT TO:<r${String(i)}@b.c>\r\n`;
    const out = d.feed(cmds);
    expect(codes(out).filter((c) => c === 250)).toHaveLength(100);
    expect(out).toMatch(/452 4\.5\.3/);
    expect(d.conn.transaction.recipients).toHaveLength(100);
  });
  it('INJ-10 AUTH lines up to 12288 octets; longer get 500 5.5.6', () => {
    const d = drive({ secure: true, auth: { mechanisms: ['PLAIN'] } });
    d.feed('EHLO a\r\n');
    expect(codes(d.feed('AUTH PLAIN\r\n'))).toEqual([334]);
    expect(d.feed('A'.repeat(12300) + '\r\n')).toMatch(/^500 5\.5\.6/);
    // a long AUTH command line (initial response) is allowed up to 12288
    const long = 'AUTH PLAIN ' + 'AAAA'.repeat(2000) + '\r\n';
    expect(codes(d.feed(long))).toEqual([501]); // decodes, but is not a valid PLAIN message
    // an AUTH command line past 12288 gets 5.5.6 as well
    expect(d.feed('AUTH PLAIN ' + 'AAAA'.repeat(3100) + '\r\n')).toMatch(/^500 5\.5\.6/);
  });
});

describe('DOS limits', () => {
  it('DOS-11 trailing blanks are trimmed by a linear scan: long blank runs inside and at the end of an argument', () => {
    const d = drive({ secure: true, auth: { mechanisms: ['PLAIN'] } });
    d.feed('EHLO a\r\n');
    // 12 000 blanks then a non-blank: the old `[ \t]+$` regex backtracked quadratically here
    expect(codes(d.feed('AUTH PLAIN ' + ' \t'.repeat(6000) + 'x\r\n'))).toEqual([501]);
    expect(codes(d.feed('NOOP ' + ' '.repeat(200) + 'x' + ' \t '.repeat(50) + '\r\n'))).toEqual([250]);
    expect(codes(d.feed('MAIL FROM:<a@b.example> \t \r\n'))).toEqual([250]);
  });
  it('DOS-1 10 MB without CRLF: bounded, exactly one 500, session continues', () => {
    const d = drive();
    const chunk = 'A'.repeat(65536);
    for (let i = 0; i < 160; i++) d.feed(chunk);
    expect(d.conn.bufferedBytes).toBe(0);
    expect(codes(d.feed('\r\n'))).toEqual([500]);
    expect(codes(d.feed('NOOP\r\n'))).toEqual([250]);
  });
  it('DOS-2 oversized body is consumed to the end, then 552 5.3.4; SIZE checked at MAIL', () => {
    const d = inTransaction({ limits: { maxMessageSize: 1000 } });
    d.feed('DATA\r\n');
    for (let i = 0; i < 100; i++) expect(d.feed('x'.repeat(100) + '\r\n')).toBe('');
    expect(d.feed('.\r\n')).toMatch(/^552 5\.3\.4/);
    expect(d.events.filter((e) => e.type === 'message-abort')).toHaveLength(1);
    expect(codes(d.feed('MAIL FROM:<a@b.c> SIZE=999999999999\r\n'))).toEqual([552]);
  });
  it('DOS-4 100 000 pipelined RCPT: 452s then 421 too many errors', () => {
    const d = drive();
    d.feed('EHLO a\r\n');
    d.feed('MAIL FROM:<a@b.c>\r\n');
    const out = d.feed('RCPT TO:<a@b.c>\r\n'.repeat(100_000));
    expect(out).toMatch(/421 4\.7\.0/);
    expect(d.conn.state).toBe('closed');
  });
  it('DOS-4 INJ-9 a client pipelining 1100 recipients (nodemailer does) gets 452 for the last 100 and keeps its session: the 1000 are delivered', () => {
    const d = drive();
    d.feed('EHLO a\r\n');
    d.feed('MAIL FROM:<a@b.c>\r\n');
    let cmds = '';
    for (let i = 0; i < 1100; i++) cmds += `RCPT TO:<r${String(i)}@b.c>\r\n`;
    const c = codes(d.feed(cmds + 'DATA\r\n'));
    expect(c.filter((x) => x === 250)).toHaveLength(1000);
    expect(c.filter((x) => x === 452)).toHaveLength(100);
    // no tarpit, no 421: the over-limit 452s are not errors (Postfix's overshoot allowance)
    expect(d.conn.pendingTimeout()?.name).not.toBe('errorDelay');
    expect(c.at(-1)).toBe(354);
    expect(codes(d.feed('hi\r\n.\r\n'))).toEqual([250]);
  });
  it('DOS-5 unknown commands: 500 each, then 421 at the hard limit', () => {
    const d = drive({ pipeliningSync: 'off' });
    const out = d.feed('XXXX\r\n'.repeat(1000));
    const c = codes(out);
    expect(c.slice(0, 19).every((x) => x === 500)).toBe(true);
    expect(c.at(-1)).toBe(421);
    expect(d.conn.state).toBe('closed');
  });
  it('DOS-5 tarpit: from the soft limit (10) each error reply waits for the error-delay timer, input included', () => {
    const conn = new ServerConnection({ hostname: 'mx.test', pipeliningSync: 'off' });
    const run = (): string[] => {
      for (let e = conn.nextEvent(); e.type !== 'need-data' && e.type !== 'paused' && e.type !== 'closed'; e = conn.nextEvent()) if ('needsAnswer' in e && e.needsAnswer) conn.accept();
      return codes(dec.decode(conn.dataToSend())).map(String);
    };
    run();
    conn.receiveData('XXXX\r\n'.repeat(9));
    expect(run()).toEqual(Array(9).fill('500'));
    expect(conn.pendingTimeout()).toMatchObject({ name: 'command' });
    conn.receiveData('XXXX\r\nNOOP\r\n');
    // the 10th error: its reply is held, the NOOP behind it waits
    expect(conn.nextEvent().type).toBe('paused');
    expect(conn.dataToSend().length).toBe(0);
    expect(conn.bufferedBytes).toBeGreaterThan(0);
    expect(conn.pendingTimeout()).toMatchObject({ name: 'errorDelay', ms: 1000 });
    conn.handleTimeout(conn.pendingTimeout()!.id); // the delay is over: not a timeout, the session goes on
    expect(run()).toEqual(['500', '250']);
    expect(conn.state).not.toBe('closed');
    expect(conn.pendingTimeout()).toMatchObject({ name: 'command' });
  });
  it('DOS-5 tarpit: shutdown and EOF during the delay still close cleanly; errorDelay 0 or softErrorLimit 0 turn it off', () => {
    const conn = new ServerConnection({ hostname: 'mx.test', pipeliningSync: 'off' });
    for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) if ('needsAnswer' in e && e.needsAnswer) conn.accept();
    conn.receiveData('XXXX\r\n'.repeat(10));
    while (conn.nextEvent().type === 'command');
    expect(conn.pendingTimeout()?.name).toBe('errorDelay');
    conn.requestShutdown();
    expect(codes(dec.decode(conn.dataToSend())).at(-1)).toBe(421);
    expect(conn.shouldClose).toBe(true);
    for (const options of [{ timeouts: { errorDelay: 0 } }, { limits: { softErrorLimit: 0 } }]) {
      const d = drive({ pipeliningSync: 'off', ...options });
      const out = d.feed('XXXX\r\n'.repeat(15));
      expect(codes(out).filter((c) => c === 500)).toHaveLength(15);
      expect(d.delays).toBe(0);
    }
    const d = drive({ pipeliningSync: 'off' });
    d.feed('XXXX\r\n'.repeat(15));
    expect(d.delays).toBe(6);
  });
  it('DOS-5 junk commands count as errors past the junk limit', () => {
    const d = drive({ pipeliningSync: 'off' });
    d.feed('EHLO a\r\n');
    const out = d.feed('NOOP\r\n'.repeat(10_000));
    expect(codes(out).at(-1)).toBe(421);
  });
  it('DOS-6 a flood of RSET without reading: processing pauses at maxPendingOutput', () => {
    const conn = new ServerConnection({ limits: { junkCommandLimit: 1e9 } });
    conn.nextEvent();
    conn.receiveData('EHLO a\r\n');
    while (conn.nextEvent().type !== 'need-data');
    conn.dataToSend();
    conn.receiveData('RSET\r\n'.repeat(200_000));
    let e = conn.nextEvent();
    while (e.type === 'rset') e = conn.nextEvent();
    expect(e.type).toBe('paused');
    expect(conn.bufferedBytes).toBeGreaterThan(0);
    expect(conn.dataToSend().length).toBeLessThan(70_000);
  });
});

describe('TMO / SM', () => {
  it('TMO-3 command timeout 300 s by default; 421 4.4.2 and close on expiry', () => {
    const d = drive();
    expect(d.conn.pendingTimeout()).toMatchObject({ name: 'command', ms: 300_000 });
    d.conn.handleTimeout(d.conn.pendingTimeout()!.id);
    expect(d.feed('')).toMatch(/^421 4\.4\.2 mx\.test Error: timeout exceeded/);
    expect(d.conn.state).toBe('closed');
  });
  it('TMO-3 data-block timer while reading the body; aborts the message', () => {
    const d = inTransaction();
    d.feed('DATA\r\n');
    expect(d.conn.pendingTimeout()?.name).toBe('dataBlock');
    d.conn.handleTimeout(d.conn.pendingTimeout()!.id);
    d.feed('');
    expect(d.events.some((e) => e.type === 'message-abort' && e.reason === 'timeout')).toBe(true);
  });
  it('SM-1 out-of-order commands: 503, state unchanged', () => {
    const d = drive();
    d.feed('EHLO a\r\n');
    expect(codes(d.feed('RCPT TO:<a@b.c>\r\n'))).toEqual([503]);
    expect(codes(d.feed('DATA\r\n'))).toEqual([503]);
    d.feed('MAIL FROM:<a@b.c>\r\n');
    expect(codes(d.feed('MAIL FROM:<a@b.c>\r\n'))).toEqual([503]);
    expect(codes(d.feed('MAIL FROM:<a@b.c> BAD\r\n'))).toEqual([503]);
    expect(d.conn.state).toBe('awaiting-rcpt');
  });
  it('SM-2 EHLO mid-transaction resets it; a rejected EHLO leaves it', () => {
    const d = inTransaction();
    d.feed('EHLO again\r\n');
    expect(d.conn.transaction.from).toBeUndefined();
    const r = drive({ autoAccept: ['connect'] }, (e, conn) => {
      if (e.type === 'helo' && e.domain === 'bad') {
        conn.reject();
        return true;
      }
      return false;
    });
    r.feed('EHLO a\r\n');
    r.feed('MAIL FROM:<a@b.c>\r\n');
    expect(codes(r.feed('EHLO bad\r\n'))).toEqual([550]);
    expect(r.conn.transaction.from).toBe('a@b.c');
  });
  it('SM-3 DATA with no accepted recipients: 554 5.5.1', () => {
    const d = drive({}, (e, conn) => {
      if (e.type === 'rcpt') {
        conn.reject();
        return true;
      }
      return false;
    });
    d.feed('EHLO a\r\n');
    expect(codes(d.feed('MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n'))).toEqual([250, 550, 554]);
  });
});

describe('custom verbs through the smtp-capabilities registry', () => {
  it('advertises a registered extension, dispatches its verb and accepts its parameters', async () => {
    const { ExtensionRegistry } = await import('smtp-capabilities');
    const registry = new ExtensionRegistry([
      { keyword: 'XSTATS', advertise: true, verbs: [{ name: 'XSTATS', mustBeLastInGroup: true }], mailParams: ['XTAG'] },
    ]);
    const seen: string[] = [];
    const d = drive({ registry }, (e, conn) => {
      if (e.type === 'command') {
        seen.push(`${e.verb} ${e.argument}`);
        conn.respond({ code: 250, enhanced: '2.0.0', text: 'stats ok' });
        return true;
      }
      return false;
    });
    expect(d.feed('EHLO a\r\n')).toMatch(/250[- ]XSTATS\r\n/);
    expect(d.feed('XSTATS all\r\n')).toBe('250 2.0.0 stats ok\r\n');
    expect(codes(d.feed('MAIL FROM:<a@b.c> XTAG=1\r\n'))).toEqual([250]);
    expect(seen).toEqual(['XSTATS all']);
  });
});

describe('DOS-5 unauthenticated commands', () => {
  it('DOS-5 with auth required, 10 commands without AUTH, then 421 4.7.0', () => {
    const d = drive({ secure: true, auth: { mechanisms: ['PLAIN'], required: true }, pipeliningSync: 'off' });
    const out = d.feed('NOOP\r\n'.repeat(11));
    expect(codes(out)).toEqual([...Array<number>(10).fill(250), 421]);
    expect(d.conn.state).toBe('closed');
  });
});
