// A command line holding a bare CR or LF is one refused line here (SMUG-3), but a peer that ends
// lines at a bare LF (Postfix, Exim) reads one command per CR/LF-separated segment. When one of those
// segments starts with a verb whose data follows its line (BDAT, DATA, a custom verb with a block),
// such a peer takes the bytes behind the line as that data: this session cannot know where the data
// ends, so it answers and closes, and those bytes never run as commands (at every split). A segment
// with a must-be-last verb makes the line must-be-last; other segments change nothing.
import { describe, expect, it } from 'vitest';
import { splittings } from '@smtpkit/testkit';
import type { ExtensionDefinition } from 'smtp-capabilities';
import { codes, drive, inTransaction } from '../test/harness.js';
import type { Driven } from '../test/harness.js';
import type { ServerOptions } from './index.js';

const CHUNK = 'MAIL FROM:<evil@x.test>\r\nRCPT TO:<victim@y.test>\r\nDATA\r\n';
const enc = new TextEncoder();

/** Feeds `input` after `setup`, cut as `chunks`; returns the session. */
function run(setup: (o: ServerOptions) => Driven, input: string, options: ServerOptions = {}): Driven[] {
  const out: Driven[] = [];
  for (const s of splittings(input, { random: 8, maxExhaustive: 400 })) {
    const d = setup(options);
    for (const c of s.chunks) d.feed(c);
    out.push(d);
  }
  return out;
}

const afterEhlo = (o: ServerOptions): Driven => {
  const d = drive(o);
  d.feed('EHLO client.test\r\n');
  return d;
};

/** The events that would show a smuggled command ran. */
const smuggled = (d: Driven): unknown[] => d.events.filter((e) => (e.type === 'mail' && e.from === 'evil@x.test') || (e.type === 'rcpt' && e.to.startsWith('victim')) || e.type === 'data-start' || e.type === 'message-end');

describe('SMUG-5 a data verb after a bare CR or LF inside a refused command line', () => {
  it('SMUG-5 "RSET\\nBDAT n LAST" + chunk: one 554 and close, the chunk never runs as commands (every split)', () => {
    for (const d of run(afterEhlo, `RSET\nBDAT ${String(CHUNK.length)} LAST\r\n${CHUNK}smuggled body\r\n.\r\n`)) {
      expect(codes(d.out).slice(2)).toEqual([554]);
      expect(d.conn.state).toBe('closed');
      expect(smuggled(d)).toEqual([]);
      expect(d.events.some((e) => e.type === 'rset')).toBe(false);
    }
  });

  it('SMUG-5 "RSET\\nDATA" in a transaction + lines: one 554 and close, the lines never run (every split)', () => {
    for (const d of run((o) => inTransaction(o), 'RSET\nDATA\r\nRCPT TO:<victim2@y.test>\r\nBDAT 5 LAST\r\nevil!')) {
      expect(codes(d.out).slice(4)).toEqual([554]);
      expect(d.conn.state).toBe('closed');
      expect(smuggled(d)).toEqual([]);
      expect(d.conn.transaction.recipients).toHaveLength(1);
    }
  });

  it('SMUG-5 with nothing behind the line yet it still closes: the data may come in a later flight', () => {
    for (const line of ['RSET\nDATA', 'RSET\nBDAT 5 LAST', 'DATA\rx', 'NOOP\rDATA']) {
      const d = inTransaction();
      expect(codes(d.feed(`${line}\r\n`)), JSON.stringify(line)).toEqual([554]);
      expect(d.conn.state, JSON.stringify(line)).toBe('closed');
    }
  });

  it('SMUG-5 every spelling a lenient peer reads as the data verb: any case, CR or LF, leading blanks, a later segment, NUL before the LF, pipeliningSync off', () => {
    const lines = ['rset\nbdat 3 last', 'RSET\rBDAT 3 LAST', 'RSET\n BDAT 3 LAST', 'RSET\n\tData', 'NOOP\nNOOP\nNOOP\rBDAT 3', 'NOOP\0\nBDAT 3 LAST', 'MAIL FROM:<a@b>\nDATA', 'x\nBDAT\t3', 'RSET\nDATA\v'];
    for (const options of [{}, { pipeliningSync: 'off' } as const]) {
      for (const line of lines) {
        for (const d of run((o) => inTransaction(o), `${line}\r\nRCPT TO:<victim@y.test>\r\n`, options)) {
          const at = `${JSON.stringify(line)} ${JSON.stringify(options)}`;
          expect(codes(d.out).slice(4), at).toEqual([554]);
          expect(d.conn.state, at).toBe('closed');
          expect(smuggled(d), at).toEqual([]);
        }
      }
    }
  });

  it('SMUG-5 a line too long for the limit is checked too (a bare LF in its head)', () => {
    for (const d of run(afterEhlo, `RSET\nBDAT 5 LAST\n${'x'.repeat(600)}\r\nNOOP\r\n`)) {
      expect(codes(d.out).slice(2)).toEqual([554]);
      expect(d.conn.state).toBe('closed');
    }
  });

  it('SMUG-5 between BDAT chunks the message is aborted (closed) before the connection closes', () => {
    const d = inTransaction();
    d.feed('BDAT 3\r\nabc');
    d.feed(`RSET\nBDAT 5 LAST\r\nMAIL FROM:<evil@x.test>\r\n`);
    expect(codes(d.out).slice(4)).toEqual([250, 554]);
    expect(d.events.filter((e) => e.type === 'message-abort')).toEqual([{ type: 'message-abort', reason: 'closed' }]);
    expect(d.conn.state).toBe('closed');
  });

  it('SRV-3 SMUG-5 a custom verb with a block after a bare LF: 501 and close, as when it starts the line', () => {
    const XPUT: ExtensionDefinition = { keyword: 'XPUT', verbs: [{ name: 'XPUT', blockLength: (a) => (/^[0-9]{1,9}$/.test(a) ? Number(a) : undefined) }] };
    for (const d of run(afterEhlo, `NOOP\nXPUT ${String(CHUNK.length)}\r\n${CHUNK}`, { registry: [XPUT] })) {
      expect(codes(d.out).slice(2)).toEqual([501]);
      expect(d.conn.state).toBe('closed');
      expect(smuggled(d)).toEqual([]);
    }
  });
});

describe('SMUG-5 a must-be-last verb after a bare CR or LF inside a refused command line', () => {
  it('SMUG-5 with input behind the line: 554 and close, the input never runs', () => {
    for (const line of ['RSET\nQUIT', 'RSET\nSTARTTLS', 'RSET\rEHLO x', 'MAIL FROM:<a@b>\nNOOP', 'RSET\n AUTH PLAIN AGEAcHc=']) {
      const d = inTransaction({ starttls: true, auth: { mechanisms: ['PLAIN'], allowInsecure: true } });
      d.feed(enc.encode(`${line}\r\nRCPT TO:<victim@y.test>\r\n`));
      expect(codes(d.out).slice(4), JSON.stringify(line)).toEqual([554]);
      expect(smuggled(d), JSON.stringify(line)).toEqual([]);
      expect(d.conn.state, JSON.stringify(line)).toBe('closed');
    }
  });

  it('SMUG-5 without input behind it the line gets its 500 and the session goes on', () => {
    for (const line of ['RSET\nQUIT', 'RSET\nSTARTTLS']) {
      const d = inTransaction({ starttls: true });
      expect(codes(d.feed(`${line}\r\n`)), JSON.stringify(line)).toEqual([500]);
      expect(codes(d.feed('RSET\r\n')), JSON.stringify(line)).toEqual([250]);
    }
  });

  it('SMUG-3 segments with other verbs change nothing: one 500 (501 for NUL), then the next lines run', () => {
    for (const [line, code] of [['RSET\nRSET x', 500], ['RSET\nMAIL FROM:<a@b>', 500], ['RSET\nRCPT TO:<c@d>\rBDATX 5', 500], ['RSET\0\nRSET', 501], ['RSET\n\n\r\r', 500], ['\nDATAX\rBDAT_5', 500]] as const) {
      const d = inTransaction();
      expect(codes(d.feed(`${line}\r\nRSET\r\n`)), JSON.stringify(line)).toEqual([code, 250]);
      expect(d.conn.state, JSON.stringify(line)).toBe('awaiting-mail');
    }
  });

  it('a line of many short segments is read in one pass, up to the line limit', () => {
    const line = 'x\n'.repeat(255);
    const d = inTransaction();
    expect(codes(d.feed(`${line}\r\nRSET\r\n`))).toEqual([500, 250]);
    const e = inTransaction();
    expect(codes(e.feed(`${'x\n'.repeat(253)}DATA\r\n`))).toEqual([554]);
  });
});

// A line longer than the limit is discarded up to its CRLF, but a lenient peer still splits it at
// each bare CR or LF: the segments of all of it count, not only of its first bytes (SMUG-5).
describe('SMUG-5 a data verb after a bare CR or LF inside a command line longer than the limit', () => {
  const pad = 'x'.repeat(600);

  it('SMUG-5 "RSET <600 bytes>\\nBDAT n LAST" + chunk: one 554 and close, the chunk never runs as commands (every split)', () => {
    for (const verb of ['RSET', 'NOOP']) {
      const input = `${verb} ${pad}\nBDAT ${String(CHUNK.length)} LAST\r\n${CHUNK}smuggled body\r\n.\r\n`;
      for (const s of splittings(input, { random: 8, maxExhaustive: 2048 })) {
        const d = afterEhlo({});
        for (const c of s.chunks) d.feed(c);
        expect(codes(d.out).slice(2), `${verb} ${s.name}`).toEqual([554]);
        expect(d.conn.state, `${verb} ${s.name}`).toBe('closed');
        expect(smuggled(d), `${verb} ${s.name}`).toEqual([]);
      }
    }
  });

  it('SMUG-5 every spelling, anywhere in the line: any case, CR or LF, blanks, far past the head, NUL, an AUTH line past maxAuthLine, pipeliningSync off', () => {
    const lines = [
      `RSET ${pad}\nDATA`,
      `RSET ${pad}\rdata`,
      `RSET ${pad}\n \t\v\fBdAt 3 LAST`,
      `RSET ${'x\n'.repeat(3000)}DATA`,
      `RSET ${'y'.repeat(5000)}\n\n\r\rBDAT\t3`,
      `RSET \0${pad}\nDATA\v`,
      `MAIL FROM:<a@b> ${pad}\nDATA x`,
      `${pad}\nDATA`,
      `AUTH PLAIN ${'A'.repeat(13000)}\nDATA`,
    ];
    for (const options of [{}, { pipeliningSync: 'off' } as const]) {
      for (const line of lines) {
        for (const d of run((o) => inTransaction(o), `${line}\r\nRCPT TO:<victim@y.test>\r\n`, options)) {
          const at = `${JSON.stringify(line.slice(0, 20))}...${JSON.stringify(line.slice(-12))} ${JSON.stringify(options)}`;
          expect(codes(d.out).slice(4), at).toEqual([554]);
          expect(d.conn.state, at).toBe('closed');
          expect(smuggled(d), at).toEqual([]);
        }
      }
    }
  });

  it('SMUG-5 with nothing behind the line it still closes, and between BDAT chunks the message is aborted (closed)', () => {
    const d = inTransaction();
    expect(codes(d.feed(`RSET ${pad}\nDATA\r\n`))).toEqual([554]);
    expect(d.conn.state).toBe('closed');
    const e = inTransaction();
    e.feed('BDAT 3\r\nabc');
    expect(codes(e.feed(`RSET ${pad}\nBDAT 5 LAST\r\n`))).toEqual([554]);
    expect(e.events.filter((x) => x.type === 'message-abort')).toEqual([{ type: 'message-abort', reason: 'closed' }]);
    expect(e.conn.state).toBe('closed');
  });

  it('SRV-3 SMUG-5 a custom verb with a block in a later segment: 501 and close', () => {
    const XPUT: ExtensionDefinition = { keyword: 'XPUT', verbs: [{ name: 'XPUT', blockLength: (a) => (/^[0-9]{1,9}$/.test(a) ? Number(a) : undefined) }] };
    for (const d of run(afterEhlo, `RSET ${pad}\nXPUT ${String(CHUNK.length)}\r\n${CHUNK}`, { registry: [XPUT] })) {
      expect(codes(d.out).slice(2)).toEqual([501]);
      expect(d.conn.state).toBe('closed');
      expect(smuggled(d)).toEqual([]);
    }
  });

  it('SMUG-5 a must-be-last verb in a later segment: 554 and close with input behind, else the 500 and the session goes on', () => {
    for (const line of [`RSET ${pad}\nQUIT`, `RSET ${pad}\rSTARTTLS`, `RSET ${pad}\n EHLO x`]) {
      const d = inTransaction({ starttls: true });
      expect(codes(d.feed(`${line}\r\nRCPT TO:<victim@y.test>\r\n`)), JSON.stringify(line.slice(-10))).toEqual([554]);
      expect(smuggled(d)).toEqual([]);
      const e = inTransaction({ starttls: true });
      expect(codes(e.feed(`${line}\r\n`))).toEqual([500]);
      expect(codes(e.feed('RSET\r\n'))).toEqual([250]);
    }
  });

  it('SMUG-3 later segments with other verbs change nothing: one 500, then the next lines run', () => {
    const long = 'B'.repeat(81);
    for (const line of [`RSET ${pad}\nRSET x`, `RSET ${pad}\nDATAX\rBDAT_5\n:DATA`, `RSET ${pad}\n${long}DATA`, `RSET ${pad}\n\n\r\r`, `RSET ${pad}`]) {
      for (const d of run((o) => inTransaction(o), `${line}\r\nRSET\r\n`)) {
        expect(codes(d.out).slice(4), JSON.stringify(line.slice(-12))).toEqual([500, 250]);
        expect(d.conn.state).toBe('awaiting-mail');
      }
    }
  });

  it('a long line of many segments or many CRs is read in one pass (bounded input that finishes)', () => {
    for (const body of ['a\r'.repeat(500_000), 'a\n'.repeat(500_000), ' '.repeat(1_000_000), 'DATAX'.repeat(200_000)]) {
      const d = inTransaction();
      expect(codes(d.feed(`RSET ${body}\r\nRSET\r\n`))).toEqual([500, 250]);
      const e = inTransaction();
      expect(codes(e.feed(`RSET ${body}x\nDATA\r\nRSET\r\n`))).toEqual([554]);
    }
  });
});

// Postfix's smtpd splits a command line into words at blanks, skipping leading ones: it reads
// ` DATA` as DATA and `\tBDAT 5 LAST` as BDAT, and the bytes behind them as a body or chunk.
describe('SMUG-5 a data verb after leading blanks on a CRLF command line', () => {
  it('SMUG-5 " DATA" / "\\tBDAT n LAST" + lines: one 554 and close, the lines never run (every split, pipeliningSync on or off)', () => {
    const lines = [' DATA', '\tBDAT 5 LAST', '  data', '\t bDaT 3', ' \vDATA', ' DATA\t', ' BDAT\t3', `\tDATA ${'x'.repeat(600)}`];
    for (const options of [{}, { pipeliningSync: 'off' } as const]) {
      for (const line of lines) {
        for (const d of run((o) => inTransaction(o), `${line}\r\nRCPT TO:<victim@y.test>\r\nBDAT 5 LAST\r\nevil!`, options)) {
          const at = `${JSON.stringify(line.slice(0, 20))} ${JSON.stringify(options)}`;
          expect(codes(d.out).slice(4), at).toEqual([554]);
          expect(d.conn.state, at).toBe('closed');
          expect(smuggled(d), at).toEqual([]);
          expect(d.conn.transaction.recipients, at).toHaveLength(1);
        }
      }
    }
  });

  it('SMUG-5 with nothing behind it the line still closes; between BDAT chunks the message is aborted (closed)', () => {
    for (const line of [' DATA', '\tBDAT 5 LAST']) {
      const d = inTransaction();
      expect(codes(d.feed(`${line}\r\n`)), JSON.stringify(line)).toEqual([554]);
      expect(d.conn.state, JSON.stringify(line)).toBe('closed');
    }
    const e = inTransaction();
    e.feed('BDAT 3\r\nabc');
    expect(codes(e.feed(' BDAT 5 LAST\r\nMAIL FROM:<evil@x.test>\r\n'))).toEqual([554]);
    expect(e.events.filter((x) => x.type === 'message-abort')).toEqual([{ type: 'message-abort', reason: 'closed' }]);
    expect(e.events.filter((x) => x.type === 'mail' && x.from === 'evil@x.test')).toEqual([]);
  });

  it('SRV-3 SMUG-5 a custom verb with a block after leading blanks: 501 and close', () => {
    const XPUT: ExtensionDefinition = { keyword: 'XPUT', verbs: [{ name: 'XPUT', blockLength: (a) => (/^[0-9]{1,9}$/.test(a) ? Number(a) : undefined) }] };
    for (const d of run(afterEhlo, ` XPUT ${String(CHUNK.length)}\r\n${CHUNK}`, { registry: [XPUT] })) {
      expect(codes(d.out).slice(2)).toEqual([501]);
      expect(d.conn.state).toBe('closed');
      expect(smuggled(d)).toEqual([]);
    }
  });

  it('SMUG-5 other verbs after leading blanks stay unknown (500); a must-be-last one with input behind it closes', () => {
    for (const line of [' RSET', '\tRCPT TO:<c@d>', ' MAIL FROM:<a@b>', ' DATAX', '\t', ' ']) {
      const d = inTransaction();
      expect(codes(d.feed(`${line}\r\nRSET\r\n`)), JSON.stringify(line)).toEqual([500, 250]);
    }
    const d = inTransaction();
    expect(codes(d.feed(' NOOP\r\n'))).toEqual([500]);
    expect(codes(d.feed(' QUIT\r\nRCPT TO:<victim@y.test>\r\n'))).toEqual([554]);
    expect(smuggled(d)).toEqual([]);
  });
});
