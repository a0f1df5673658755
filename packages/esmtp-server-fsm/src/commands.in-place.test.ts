import { describe, expect, it } from 'vitest';
import { ServerConnection } from './index.js';
import type { ServerEvent } from './index.js';

// A command line wholly inside the head input chunk is read in place (by offsets into that chunk,
// with no view of the line made); a line split across chunks is assembled first. Both must give the
// same replies and events for any split of the input, wherever the line sits in its chunk. (The
// pipelining check is off: with it, what is buffered behind a must-be-last verb depends on the split.)

const enc = new TextEncoder();

/** Replies, events (body pieces joined per message: their split follows the input's) of a session fed `chunks`, every decision accepted. */
function run(chunks: readonly Uint8Array[], copyInput = true): string {
  const conn = new ServerConnection({ hostname: 'mx.test', copyInput, pipeliningSync: 'off', autoAccept: ['connect', 'helo', 'mail', 'rcpt', 'data-start', 'message-end', 'vrfy', 'expn'] });
  const seen: string[] = [];
  let out = '';
  let body = '';
  const pump = (): void => {
    for (let e: ServerEvent = conn.nextEvent(); e.type !== 'need-data' && e.type !== 'closed' && e.type !== 'paused'; e = conn.nextEvent()) {
      if (e.type === 'data-chunk') body += new TextDecoder().decode(e.bytes);
      else {
        if (e.type === 'message-end') seen.push(`body ${JSON.stringify(body)}`);
        if (e.type === 'message-end' || e.type === 'message-abort' || e.type === 'data-start') body = '';
        seen.push(JSON.stringify(e));
      }
    }
    out += conn.textToSend();
  };
  pump();
  for (const c of chunks) {
    if (conn.state === 'closed') break;
    conn.receiveData(c);
    pump();
  }
  return `${out}\n${seen.join('\n')}`;
}

/** A small deterministic generator (no Math.random: the same cuts on every run). */
function cuts(seed: number, length: number): number[] {
  let x = seed;
  const out: number[] = [];
  for (let at = 0; at < length; ) {
    x = (x * 1103515245 + 12345) >>> 0;
    at += 1 + ((x >>> 8) % 23);
    if (at < length) out.push(at);
  }
  return out;
}

function split(bytes: Uint8Array, at: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (const c of [...at, bytes.length]) {
    out.push(bytes.slice(from, c));
    from = c;
  }
  return out;
}

/** `bytes` as a view at `offset` into a larger buffer (a chunk that does not start its buffer). */
function inside(bytes: Uint8Array, offset: number): Uint8Array {
  const big = new Uint8Array(bytes.length + offset + 3).fill(0x21);
  big.set(bytes, offset);
  return big.subarray(offset, offset + bytes.length);
}

const transcripts: [string, string][] = [
  // lower-case verbs, a space after the colon, trailing blanks, a verb glued to another letter
  ['EHLO client.test\r\nmail from: <a@example.org>  \t\r\nrcpt TO:<b@example.net>\t\r\nRCPTX TO:<c@example.net>\r\nNOOP\r\nnoop \r\nRSET x\r\nVRFY  postmaster  \r\nDATA\r\n', '501 5.5.4 Syntax: RSET'],
  // a whole transaction, pipelined, then QUIT
  ['EHLO client.test\r\nMAIL FROM:<a@example.org> SIZE=20\r\nRCPT TO:<b@example.net>\r\nDATA\r\nline one\r\n..dotted\r\n.\r\nQUIT\r\n', '250 2.0.0 Message accepted'],
  // refused lines: NUL, a bare CR, 8-bit text, an unknown verb, an empty line, a four-letter prefix of a longer verb
  ['EHLO client.test\r\nNOOP\0\r\nNO\rOP\r\nMAIL FROM:<\u00e9@example.org>\r\nWHAT is this\r\n\r\nHELP-ME\r\nMAIL\r\nQUIT\r\n', '501 5.5.2 Error: NUL characters are not allowed in commands'],
  // a BDAT line with 8-bit bytes after the verb closes the session (SRV-3)
  ['EHLO client.test\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nBDAT 3 LAST \u00ff\r\nabc', '501 5.5.4 Syntax: BDAT size [LAST]; closing connection'],
];

describe('command lines read in place from the head chunk', () => {
  for (const [k, [text, expected]] of transcripts.entries()) {
    it(`gives the same replies and events for any split (transcript ${String(k + 1)})`, () => {
      const bytes = enc.encode(text);
      const whole = run([bytes]);
      expect(whole).toContain('220 mx.test ESMTP');
      expect(whole).toContain(expected);
      expect(run(split(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1)))).toBe(whole);
      for (let seed = 1; seed <= 20; seed++) expect(run(split(bytes, cuts(seed, bytes.length)))).toBe(whole);
      // the caller's own buffers (copyInput: false), as views that do not start their buffer
      for (let offset = 0; offset < 4; offset++) {
        expect(run([inside(bytes, offset)], false)).toBe(whole);
        expect(run(split(bytes, cuts(offset + 7, bytes.length)).map((c) => inside(c, offset)), false)).toBe(whole);
      }
    });
  }

  it('reads the argument of a line in the middle of a chunk, and nothing of the lines around it', () => {
    const out = run([enc.encode('EHLO client.test\r\nMAIL FROM:<a@example.org>   \r\nRCPT TO:<b@example.net>\r\n')]);
    expect(out).toContain('"type":"mail","from":"a@example.org","parameters":{}');
    expect(out).toContain('"type":"rcpt","to":"b@example.net","parameters":{}');
  });

  it('takes a line of exactly the limit in place, and refuses one a byte longer', () => {
    const at = (n: number): string => `NOOP ${'x'.repeat(n - 7)}\r\n`; // n bytes with the CRLF
    const conn = (line: string): string => run([enc.encode(`EHLO client.test\r\n${line}`)]);
    expect(at(512)).toHaveLength(512);
    expect(conn(at(512))).toContain('250 2.0.0 Ok');
    expect(conn(at(513))).toContain('500 5.5.2 Error: command line too long');
  });
});
