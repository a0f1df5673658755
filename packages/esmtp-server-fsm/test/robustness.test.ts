import { describe, expect, it } from 'vitest';
import { FakeClock, armTimeout, errorCodeOf, splittings, thrownBy } from '@smtpkit/testkit';
import { codes, drive, inTransaction } from './harness.js';
import { DataDecoder, ServerConnection, checkReply, isSmtpServerError } from '../src/index.js';
import type { ServerEvent, ServerOptions } from '../src/index.js';


function raw(...parts: (string | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'string') for (const b of new TextEncoder().encode(p)) out.push(b);
    else out.push(...p);
  }
  return new Uint8Array(out);
}

/** Runs `input` through a fresh session, accepting everything; returns output, events and messages. */
function run(input: Uint8Array | string, options: ServerOptions = {}, eof = false): { out: string; events: ServerEvent[]; messages: string[]; conn: ServerConnection } {
  const d = drive(options);
  d.feed(input);
  if (eof) {
    d.conn.receiveEof();
    d.feed(new Uint8Array(0));
  }
  return { out: d.out, events: d.events, messages: d.messages, conn: d.conn };
}

describe('INJ-5 HELO/EHLO/LHLO arguments are validated at the door, nothing of a bad one is echoed', () => {
  const bad: [string, Uint8Array][] = [
    ['U+0085 (C1 control)', raw('EHLO a', [0xc2, 0x85], 'b.example\r\n')],
    ['U+009B (CSI)', raw('EHLO a', [0xc2, 0x9b], 'b.example\r\n')],
    ['invalid UTF-8', raw('EHLO a', [0xff, 0xfe], 'b.example\r\n')],
    ['truncated UTF-8', raw('EHLO ab', [0xc3], '\r\n')],
    ['U+2028', raw('EHLO a\u2028b.example\r\n')],
    ['U+2029', raw('EHLO a\u2029b.example\r\n')],
    ['U+202E (bidi override)', raw('EHLO a\u202eb.example\r\n')],
    ['U+200B (zero width space)', raw('EHLO a\u200bb.example\r\n')],
    ['U+FEFF', raw('EHLO \ufeffa.example\r\n')],
    ['double quote', raw('EHLO "a".example\r\n')],
    ['DEL', raw('EHLO a\x7fb\r\n')],
    ['ESC', raw('EHLO a\x1bb\r\n')],
    ['angle brackets', raw('EHLO <a.example>\r\n')],
    ['empty label', raw('EHLO a..example\r\n')],
    ['leading hyphen', raw('EHLO -a.example\r\n')],
    ['trailing hyphen', raw('EHLO a-.example\r\n')],
    ['label over 63', raw(`EHLO ${'a'.repeat(64)}.example\r\n`)],
    ['parenthesis', raw('EHLO a(b).example\r\n')],
    ['bad IPv4 literal', raw('EHLO [300.1.1.1]\r\n')],
    ['bad IPv6 literal', raw('EHLO [IPv6:1:2:3]\r\n')],
    ['unterminated literal', raw('EHLO [1.2.3.4\r\n')],
    ['general literal with space', raw('EHLO [x:a b]\r\n')],
    // a general address literal's tag is not registered (RFC 5321 §4.1.3): its text would go into
    // the Received header as the client wrote it
    ['general literal', raw('EHLO [x-tag:abc]\r\n')],
    ['general literal with a semicolon', raw('EHLO [x-tag:a;b]\r\n')],
  ];
  for (const [name, bytes] of bad) {
    it(`INJ-5 ${name}: 501, nothing echoed, the session goes on`, () => {
      for (const s of splittings(bytes, { random: 3, maxExhaustive: 0 })) {
        const d = drive();
        for (const c of s.chunks) d.feed(c);
        expect(codes(d.out)).toEqual([220, 501]);
        expect(d.out).not.toContain('Hello');
        expect(d.events.some((e) => e.type === 'helo')).toBe(false);
        expect(codes(d.feed('EHLO ok.example\r\n'))).toEqual([250]);
      }
    });
  }
  const good = ['client.example', 'client.example.', 'mail_1.example', '192.0.2.1', 'localhost', '[192.0.2.1]', '[IPv6:2001:db8::1]', '[IPv6:::1]', '[IPv6:2001:db8:0:0:0:0:0:1]', '[IPv6:::ffff:192.0.2.1]', 'bücher.example', 'пример.рф'];
  for (const name of good) {
    it(`INJ-5 ${name} is accepted and echoed`, () => {
      const d = drive();
      const out = d.feed(`EHLO ${name}\r\n`);
      expect(codes(out)).toEqual([250]);
      expect(out).toContain(`Hello ${name}\r\n`);
    });
  }
  it('a U-label counts as its A-label: over 63 octets, or a name over 255 so written, is 501 with nothing echoed', () => {
    // 57 ü make a 63-octet A-label (xn--tda and 56 a), 58 a 64-octet one: both under 64 characters
    expect(codes(drive().feed(`EHLO ${'ü'.repeat(57)}.example\r\n`))).toEqual([250]);
    for (const name of [`${'ü'.repeat(58)}.example`, `${'ü'.repeat(63)}.example`, `${'ü'.repeat(63)}.example.`]) {
      const d = drive();
      const out = d.feed(`EHLO ${name}\r\n`);
      expect(out).toBe('501 5.5.4 Error: invalid host name\r\n');
      expect(d.events.some((e) => e.type === 'helo')).toBe(false);
    }
    // four labels of 52 letters and a CJK extension B one: 63 octets each as A-labels, 255 in all
    const label = `${'a'.repeat(52)}\u{20000}`;
    const name = [label, label, label, label].join('.');
    expect(codes(drive().feed(`EHLO ${name}\r\n`))).toEqual([250]);
    expect(drive().feed(`EHLO ${name}.ab\r\n`)).toBe('501 5.5.4 Error: invalid host name\r\n');
    // without SMTPUTF8 no U-label is taken at all
    expect(codes(drive({ extensions: { smtpUtf8: false } }).feed(`EHLO ${'ü'.repeat(57)}.example\r\n`))).toEqual([501]);
  });
  it('INJ-5 U-labels only when SMTPUTF8 is offered', () => {
    expect(codes(drive({ extensions: { smtpUtf8: false } }).feed('EHLO bücher.example\r\n'))).toEqual([501]);
    expect(codes(drive({ lmtp: true }).feed('LHLO a\u2028b\r\n'))).toEqual([501]);
    expect(codes(drive().feed('HELO a\u0085b\r\n'))).toEqual([501]);
  });
});

describe('SRV-8 invalid UTF-8 is never decoded lossily', () => {
  it('SRV-8 an SMTPUTF8 address with invalid UTF-8 gets 553 5.6.7, nothing stored', () => {
    const d = drive();
    d.feed('EHLO c.example\r\n');
    const out = d.feed(raw('MAIL FROM:<a', [0xe9], '@b.example> SMTPUTF8\r\n'));
    expect(out).toMatch(/^553 5\.6\.7 /);
    expect(d.events.some((e) => e.type === 'mail')).toBe(false);
    d.feed('MAIL FROM:<a@b.example> SMTPUTF8\r\n');
    expect(d.feed(raw('RCPT TO:<', [0xc3, 0x28], '@d.example>\r\n'))).toMatch(/^553 5\.6\.7 /);
    expect(d.events.some((e) => e.type === 'rcpt')).toBe(false);
  });
  it('SRV-8 any other command with invalid UTF-8 gets 501; no event carries U+FFFD', () => {
    const d = drive({ vrfy: 'policy', autoAccept: ['connect', 'helo', 'vrfy'] });
    d.feed('EHLO c.example\r\n');
    expect(codes(d.feed(raw('VRFY a', [0xff], '\r\n')))).toEqual([501]);
    expect(JSON.stringify(d.events)).not.toContain('\ufffd');
  });
});

describe('SRV-1 replies echoing peer text can always be formatted', () => {
  it('SRV-1 checkReply refuses what formatReply would refuse (C1 controls)', () => {
    expect(errorCodeOf(() => checkReply({ code: 550, text: 'a\u0085b' }), isSmtpServerError)).toBe('ERR_SMTP_INVALID_REPLY');
    expect(errorCodeOf(() => checkReply({ code: 550, text: 'a\u009bb' }), isSmtpServerError)).toBe('ERR_SMTP_INVALID_REPLY');
  });
  it('SRV-1 every byte value in every argument position: nextEvent never throws, every reply is well formed', () => {
    const templates = ['EHLO a{}b.example', 'HELO {}', 'LHLO x{}', 'MAIL FROM:<a{}@b.example> SMTPUTF8', 'RCPT TO:<c{}@d.example> NOTIFY=SUCCESS', 'VRFY {}', 'BDAT {}', 'AUTH PLAIN {}', 'XCLIENT ADDR={}', '{}', 'NOOP {}'];
    for (const lmtp of [false, true]) {
      for (const t of templates) {
        for (let b = 0; b < 256; b++) {
          const [pre, post] = t.replace(/^EHLO|^HELO/, lmtp ? 'LHLO' : '$&').split('{}') as [string, string];
          const setup = lmtp ? 'LHLO c.example\r\n' : 'EHLO c.example\r\n';
          const input = raw(setup, 'MAIL FROM:<a@b.example> SMTPUTF8\r\n', pre, [b], post, '\r\nRCPT TO:<x@y.example>\r\nQUIT\r\n');
          const r = run(input, { lmtp, pipeliningSync: 'off', xclient: true, trusted: true, auth: { mechanisms: ['PLAIN'], allowInsecure: true } }, true);
          for (const line of r.out.split('\r\n').slice(0, -1)) expect(line).toMatch(/^[2-5][0-5][0-9][ -]/);
          expect(r.conn.state).toBe('closed');
          expect(r.events.some((e) => e.type === 'closed' && e.reason === 'internal-error')).toBe(false);
        }
      }
    }
  });
});

describe('SRV-1 an internal error ends the session with 421 4.3.0, never a throw', () => {
  it('SRV-1 a throwing SASL mechanism (a bug) becomes 421 4.3.0 and closed{internal-error, error}', () => {
    const boom = new Error('mechanism bug');
    const mechanism = {
      name: 'XBOOM',
      server: () => ({
        step: () => {
          throw boom;
        },
      }),
    };
    const d = drive({ auth: { mechanisms: [mechanism], allowInsecure: true } });
    d.feed('EHLO c.example\r\n');
    expect(d.feed('NOOP\r\n')).toBe('250 2.0.0 Ok\r\n');
    expect(d.feed('AUTH XBOOM\r\n')).toBe('421 4.3.0 mx.test Error: internal error, closing connection\r\n');
    expect(d.feed('NOOP\r\n')).toBe('');
    expect(d.events.at(-1)).toEqual({ type: 'closed', reason: 'internal-error', error: boom });
    expect(d.conn.nextEvent()).toEqual({ type: 'closed', reason: 'internal-error', error: boom });
    expect(d.conn.shouldClose).toBe(true);
  });
  it('SRV-1 answering with nothing pending is a typed error to the caller, the session is unharmed', () => {
    const d = drive();
    expect(errorCodeOf(() => d.conn.accept(), isSmtpServerError)).toBe('ERR_SMTP_NO_PENDING_DECISION');
    expect(errorCodeOf(() => d.conn.reject(), isSmtpServerError)).toBe('ERR_SMTP_NO_PENDING_DECISION');
    expect(codes(d.feed('EHLO c.example\r\n'))).toEqual([250]);
  });
});

describe('SRV-2 half-close is not a disconnect', () => {
  /** A session past EHLO, MAIL and RCPT (each group written after the previous replies). */
  const ready = (options: ServerOptions = {}, decide?: Parameters<typeof drive>[1]): ReturnType<typeof drive> => {
    const d = drive(options, decide);
    d.feed('EHLO c.example\r\n');
    d.feed('MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n');
    return d;
  };
  it('SRV-2 DATA + "." + QUIT then EOF: the message is handed over, 250 and 221 are sent', () => {
    for (const s of splittings('hello\r\n.\r\nQUIT\r\n', { random: 6, maxExhaustive: 0 })) {
      const d = ready();
      d.feed('DATA\r\n');
      for (const c of s.chunks) d.conn.receiveData(c);
      d.conn.receiveEof();
      d.feed(new Uint8Array(0));
      expect(d.messages).toEqual(['hello\r\n']);
      expect(codes(d.out).slice(-2)).toEqual([250, 221]);
      expect(d.events.at(-1)).toEqual({ type: 'closed', reason: 'quit' });
    }
  });
  it('SRV-2 the EOF arrives before the session processed anything: everything buffered is still answered', () => {
    const d = ready();
    d.conn.receiveData('BDAT 5 LAST\r\nhelloQUIT\r\n');
    d.conn.receiveEof();
    d.feed(new Uint8Array(0));
    expect(d.messages).toEqual(['hello']);
    expect(codes(d.out).slice(-2)).toEqual([250, 221]);
  });
  it('SRV-2 a decision pending at EOF is still answered and its reply sent, then the session closes (eof)', () => {
    const d = ready({}, (e, conn) => e.type === 'message-end' && conn !== undefined);
    d.feed('DATA\r\n');
    d.feed('body\r\n.\r\n');
    expect(d.conn.pendingDecision).toBe('message-end');
    d.conn.receiveEof();
    expect(d.conn.nextEvent().type).toBe('paused');
    d.conn.accept();
    d.feed(new Uint8Array(0));
    expect(codes(d.out).slice(-1)).toEqual([250]);
    expect(d.events.at(-1)).toEqual({ type: 'closed', reason: 'eof' });
  });
  it('SRV-2 EOF inside DATA or inside a BDAT chunk aborts the message (eof); a partial command line is dropped', () => {
    for (const input of [['DATA\r\n', 'partial'], ['BDAT 10 LAST\r\nabc'], ['BDAT 3\r\nabcBDAT 5 LAST\r\nab']]) {
      const d = ready();
      for (const c of input) d.feed(c);
      d.conn.receiveEof();
      d.feed(new Uint8Array(0));
      expect(d.events.some((e) => e.type === 'message-abort' && e.reason === 'eof')).toBe(true);
      expect(d.messages).toEqual([]);
      expect(d.events.at(-1)).toEqual({ type: 'closed', reason: 'eof' });
    }
    const p = ready();
    const before = codes(p.out).length;
    p.conn.receiveData('RSET\r\nNOO');
    p.conn.receiveEof();
    p.feed(new Uint8Array(0));
    expect(codes(p.out).slice(before)).toEqual([250]);
    expect(p.events.filter((e) => e.type === 'rset')).toHaveLength(1);
    expect(p.events.at(-1)).toEqual({ type: 'closed', reason: 'eof' });
    expect(p.conn.pendingTimeout()).toBeUndefined();
  });
  it('SRV-2 after EOF, a client that does not read its replies is still bounded by the idle timer', () => {
    const d = ready({ limits: { maxPendingOutput: 600, junkCommandLimit: 1e6 } });
    d.conn.receiveData('RSET\r\n'.repeat(200));
    d.conn.receiveEof();
    let e = d.conn.nextEvent();
    for (let i = 0; i < 1000 && e.type !== 'paused'; i++) e = d.conn.nextEvent();
    expect(e.type).toBe('paused');
    expect(d.conn.pendingTimeout()).toMatchObject({ name: 'command', ms: 300_000 });
    d.conn.handleTimeout(d.conn.pendingTimeout()!.id);
    expect(d.conn.shouldClose).toBe(true);
  });
  it('SRV-2 connectionLost() still aborts at once (socket gone both ways)', () => {
    const d = ready();
    d.feed('DATA\r\n');
    d.conn.receiveData('body\r\n.\r\n');
    d.conn.connectionLost();
    expect(d.conn.nextEvent()).toEqual({ type: 'message-abort', reason: 'eof' });
    expect(d.conn.nextEvent()).toEqual({ type: 'closed', reason: 'eof' });
    expect(d.conn.dataToSend().length).toBe(0);
  });
});

describe('SRV-4 options are validated (no typo silently removes a limit)', () => {
  const bad: [string, ServerOptions][] = [
    ['limits.maxMessageSize', { limits: { maxMessageSize: NaN } }],
    ['limits.maxMessageSize', { limits: { maxMessageSize: -5 } }],
    ['limits.maxMessageSize', { limits: { maxMessageSize: '1MB' as unknown as number } }],
    ['limits.maxMessageSize', { limits: { maxMessageSize: 1.5 } }],
    ['limits.hardErrorLimit', { limits: { hardErrorLimit: -1 } }],
    ['limits.maxCommandLine', { limits: { maxCommandLine: Infinity } }],
    ['limits.maxPendingOutput', { limits: { maxPendingOutput: Infinity } }],
    ['limits.maxRecipent', { limits: { maxRecipent: 5 } as never }],
    ['timeouts.command', { timeouts: { command: NaN } }],
    ['timeouts.command', { timeouts: { command: '5m' as unknown as number } }],
    ['timeouts.dataBlock', { timeouts: { dataBlock: -1 } }],
    ['timeouts.dataBlock', { timeouts: { dataBlock: 2 ** 32 } }],
    ['timeouts.errorDelay', { timeouts: { errorDelay: Infinity } }],
    ['bareLineEndings', { bareLineEndings: 'lf' as never }],
    ['pipeliningSync', { pipeliningSync: 'yes' as never }],
    ['vrfy', { vrfy: 'on' as never }],
    ['expn', { expn: 'static' as never }],
    ['lmtp', { lmtp: 'true' as never }],
    ['extensions.chunking', { extensions: { chunking: 1 as never } }],
  ];
  for (const [name, options] of bad) {
    it(`SRV-4 ${name} ${JSON.stringify(options)} is ERR_SMTP_INVALID_OPTION naming the option`, () => {
      const err = thrownBy(() => new ServerConnection(options), isSmtpServerError);
      expect(err.code).toBe('ERR_SMTP_INVALID_OPTION');
      expect(err.message).toContain(name);
    });
  }
  it('SRV-4 maxMessageSize 0 and Infinity mean no limit and advertise SIZE alone (RFC 1870)', () => {
    for (const maxMessageSize of [0, Infinity]) {
      const d = drive({ limits: { maxMessageSize } });
      const out = d.feed('EHLO c.example\r\n');
      expect(out).toContain('250-SIZE\r\n');
      expect(out).not.toContain('Infinity');
      d.feed('MAIL FROM:<a@b.example> SIZE=99999999999\r\nRCPT TO:<c@d.example>\r\nBDAT 3 LAST\r\nabc');
      expect(d.messages).toEqual(['abc']);
    }
  });
  it('SRV-4 a timeout of 0 or Infinity means no timer', () => {
    for (const command of [0, Infinity]) {
      const d = drive({ timeouts: { command } });
      expect(d.conn.pendingTimeout()).toBeUndefined();
    }
    expect(drive({ timeouts: { command: 1000 } }).conn.pendingTimeout()).toMatchObject({ name: 'command', ms: 1000 });
  });
});

describe('SRV-11 RFC 6531 §3.7.3 protocol names', () => {
  it('SRV-11 UTF8SMTP / UTF8SMTPA / UTF8LMTP for a transaction that uses SMTPUTF8', () => {
    const d = inTransaction();
    expect(d.conn.session.protocol).toBe('ESMTP');
    d.feed('RSET\r\nMAIL FROM:<a@b.example> SMTPUTF8\r\n');
    expect(d.conn.session.protocol).toBe('UTF8SMTP');
    const l = drive({ lmtp: true });
    l.feed('LHLO c.example\r\n');
    l.feed('MAIL FROM:<a@b.example> SMTPUTF8\r\n');
    expect(l.conn.session.protocol).toBe('UTF8LMTP');
    const a = drive({ secure: true, auth: { mechanisms: ['PLAIN'] } }, (e, conn) => {
      if (e.type === 'auth') {
        conn.accept();
        return true;
      }
      return false;
    });
    a.feed('EHLO c.example\r\n');
    a.feed('AUTH PLAIN AHUAcA==\r\n');
    a.feed('MAIL FROM:<a@b.example> SMTPUTF8\r\n');
    expect(a.conn.session.protocol).toBe('UTF8SMTPSA');
  });
});


describe('SRV-10 a repeated RCPT never silently loses parameters', () => {
  it('SRV-10 the same recipient with different NOTIFY is refused (503 5.5.1); an identical repeat is accepted; the first parameters are kept', () => {
    const d = inTransaction();
    expect(codes(d.feed('RCPT TO:<x@d.example> NOTIFY=SUCCESS\r\n'))).toEqual([250]);
    expect(d.feed('RCPT TO:<x@d.example> NOTIFY=FAILURE\r\n')).toBe('503 5.5.1 Error: recipient already given with different parameters\r\n');
    expect(codes(d.feed('RCPT TO:<x@d.example>\r\n'))).toEqual([503]);
    expect(codes(d.feed('RCPT TO:<x@d.example> NOTIFY=SUCCESS\r\n'))).toEqual([250]);
    expect(d.conn.transaction.recipients.filter((r) => r.address === 'x@d.example').map((r) => r.parameters)).toEqual([{ NOTIFY: 'SUCCESS' }, { NOTIFY: 'SUCCESS' }]);
  });
});

describe('SRV-6 deadlines that a trickle cannot restart (time is an input)', () => {
  it('SRV-6 command-line: from the first byte of a line to its CRLF, kept while bytes trickle in, a new one per line', () => {
    const d = drive({ timeouts: { commandLine: 5000 } });
    expect(d.conn.pendingDeadline()).toBeUndefined();
    d.feed('EH');
    const first = d.conn.pendingDeadline();
    expect(first).toMatchObject({ name: 'commandLine', ms: 5000 });
    d.feed('L');
    d.feed('O c.exa');
    expect(d.conn.pendingDeadline()).toBe(first);
    d.feed('mple\r\n');
    expect(d.conn.pendingDeadline()).toBeUndefined();
    d.feed('RSET\r\nNO');
    const second = d.conn.pendingDeadline();
    expect(second?.id).not.toBe(first?.id);
    d.conn.handleDeadline(first!.id); // stale: ignored
    expect(d.conn.state).not.toBe('closed');
    d.conn.handleDeadline(second!.id);
    expect(d.feed(new Uint8Array(0))).toBe('421 4.4.2 mx.test Error: timeout exceeded\r\n');
    expect(d.events.at(-1)).toEqual({ type: 'closed', reason: 'timeout' });
  });
  it('SRV-6 data-phase: from the first byte after the 354 (or after the first BDAT line) to the end of data, across chunks; expiry aborts the message', () => {
    const d = inTransaction({ timeouts: { dataPhase: 9000 } });
    d.feed('DATA\r\n');
    // the 354 is out, no byte of the body yet: the idle dataBlock timer bounds the wait
    expect(d.conn.pendingDeadline()).toBeUndefined();
    expect(d.conn.pendingTimeout()?.name).toBe('dataBlock');
    d.feed('line 1\r\n');
    const dl = d.conn.pendingDeadline();
    expect(dl).toMatchObject({ name: 'dataPhase', ms: 9000 });
    d.feed('line 2\r\n');
    expect(d.conn.pendingDeadline()).toBe(dl);
    d.feed('.\r\n');
    expect(d.conn.pendingDeadline()).toBeUndefined();
    d.feed('MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBDAT 3\r\n');
    expect(d.conn.pendingDeadline()).toBeUndefined();
    d.feed('abc');
    const b = d.conn.pendingDeadline();
    expect(b?.name).toBe('dataPhase');
    d.feed('BDAT 2\r\nde');
    expect(d.conn.pendingDeadline()).toBe(b);
    d.conn.handleDeadline(b!.id);
    d.feed(new Uint8Array(0));
    expect(d.events.some((e) => e.type === 'message-abort' && e.reason === 'timeout')).toBe(true);
    expect(codes(d.out).at(-1)).toBe(421);
  });
  it('data-phase: body bytes that came before the 354 (the data-start decision pending), or a chunk with its BDAT line, start it at once', () => {
    let held = true;
    const d = drive({ timeouts: { dataPhase: 9000 }, autoAccept: [] }, (e) => e.type === 'data-start' && held);
    d.feed('EHLO c.test\r\n');
    d.feed('MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n');
    expect(d.conn.pendingDecision).toBe('data-start');
    d.feed('Subject: early\r\n');
    expect(d.conn.pendingDeadline()).toBeUndefined();
    held = false;
    d.conn.accept();
    d.feed(new Uint8Array(0));
    expect(codes(d.out).at(-1)).toBe(354);
    expect(d.conn.pendingDeadline()?.name).toBe('dataPhase');
    d.feed('.\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nBDAT 3\r\nab');
    expect(d.conn.pendingDeadline()?.name).toBe('dataPhase');
  });

  /**
   * A host that arms the core's deadlines and idle timers on `clock`, as the TSDoc of
   * `pendingDeadline` and `pendingTimeout` tell it to; `at(ms, data)` feeds data at a time.
   */
  function clocked(options: ServerOptions): { d: ReturnType<typeof inTransaction>; clock: FakeClock; at: (ms: number, data: string) => void; closedAt: () => number | undefined } {
    const clock = new FakeClock();
    const d = inTransaction({ ...options, autoAccept: ['data-start'] });
    let deadlineId: number | undefined;
    let idle: { timer?: number; id?: number } = {};
    let closedAt: number | undefined;
    const sync = (): void => {
      if (d.conn.state === 'closed') {
        closedAt ??= clock.now;
        return;
      }
      idle = armTimeout(clock, { pendingTimeout: () => d.conn.pendingTimeout(), handleTimeout: (id) => { d.conn.handleTimeout(id!); d.feed(new Uint8Array(0)); sync(); } }, idle);
      const dl = d.conn.pendingDeadline();
      if (dl === undefined || dl.id === deadlineId) return;
      deadlineId = dl.id;
      clock.setTimeout(() => {
        d.conn.handleDeadline(dl.id);
        d.feed(new Uint8Array(0));
        sync();
      }, dl.ms);
    };
    sync();
    return {
      d,
      clock,
      at: (ms, data) => {
        clock.advance(ms - clock.now);
        if (d.conn.state !== 'closed') d.feed(data);
        sync();
      },
      closedAt: () => closedAt,
    };
  }

  it('data-phase: a client that waits longer than dataPhase after the 354, then sends its body within it, is not cut off', () => {
    const { d, clock, at, closedAt } = clocked({ timeouts: { dataPhase: 1000, dataBlock: 60_000 } });
    at(0, 'DATA\r\n');
    expect(codes(d.out).at(-1)).toBe(354);
    at(5000, 'Subject: late\r\n');
    at(5500, '\r\nbody\r\n');
    at(5900, '.\r\n');
    clock.advance(10_000);
    expect(closedAt()).toBeUndefined();
    expect(codes(d.out).at(-1)).toBe(250);
    expect(d.messages).toEqual(['Subject: late\r\n\r\nbody\r\n']);
  });

  it('data-phase: a body trickled from its first byte is cut off at dataPhase after it: 421 4.4.2, the message aborted', () => {
    const { d, at, closedAt } = clocked({ timeouts: { dataPhase: 1000, dataBlock: 60_000 } });
    at(0, 'DATA\r\n');
    at(3000, 'S'); // the first byte: the deadline runs from here
    for (let t = 3200; t <= 4800; t += 200) at(t, 'x');
    expect(closedAt()).toBe(4000);
    expect(d.out.split('\r\n').at(-2)).toBe('421 4.4.2 mx.test Error: timeout exceeded');
    expect(d.events.some((e) => e.type === 'message-abort' && e.reason === 'timeout')).toBe(true);
    expect(d.messages).toEqual([]);
  });
  it('data-phase: BDAT the same: the wait after the first BDAT line is not charged, a trickled chunk is cut off', () => {
    const { d, at, closedAt } = clocked({ timeouts: { dataPhase: 1000, dataBlock: 60_000 } });
    at(0, 'BDAT 100 LAST\r\n');
    at(5000, 'ab');
    for (let t = 5300; t <= 6800; t += 300) at(t, 'x');
    expect(closedAt()).toBe(6000);
    expect(codes(d.out).at(-1)).toBe(421);
  });
  it('SRV-6 0 or Infinity turns a deadline off; defaults are 60 s per command line and 30 min per message', () => {
    for (const commandLine of [0, Infinity]) {
      const d = drive({ timeouts: { commandLine } });
      d.feed('EH');
      expect(d.conn.pendingDeadline()).toBeUndefined();
    }
    const d = drive();
    d.feed('EH');
    expect(d.conn.pendingDeadline()?.ms).toBe(60_000);
    expect(d.conn.timeouts.dataPhase).toBe(1_800_000);
  });
});

describe('bytes from another realm (a vm context, a worker, an iframe)', () => {
  it('receiveData and DataDecoder take a Uint8Array made in another realm, where instanceof fails', async () => {
    const { runInNewContext } = await import('node:vm');
    const foreign = (text: string): Uint8Array => runInNewContext(`new Uint8Array([${[...Buffer.from(text)].join(',')}])`) as Uint8Array;
    expect(foreign('x') instanceof Uint8Array).toBe(false);
    const d = drive();
    const replies = [d.feed(foreign('EHLO a.test\r\n')), d.feed(foreign('MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n')), d.feed(foreign('Subject: x\r\n\r\nbody\r\n.\r\n'))];
    expect(replies.flatMap((r) => codes(r))).toEqual([250, 250, 250, 354, 250]);
    expect(d.messages).toEqual(['Subject: x\r\n\r\nbody\r\n']);
    // the body decoder on its own
    const pieces: string[] = [];
    new DataDecoder().push(foreign('a\r\n..b\r\n.\r\n'), 0, Infinity, (p) => pieces.push(Buffer.from(p).toString('latin1')));
    expect(pieces.join('')).toBe('a\r\n.b\r\n');
  });
});
