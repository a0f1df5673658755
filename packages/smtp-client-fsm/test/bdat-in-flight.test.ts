// BDAT flow control: with PIPELINING at most 3 chunks (BDAT LAST included) await their replies,
// without it one (RFC 3030 §4.2), whatever the caller writes ahead: many writes at one need-body,
// writes held while chunks are in flight, one large write, endBody() with data still held, or a
// whole body over 3 MiB. Before, every held byte went out at once (endBody() with 1.4 MB held
// put 5 chunks in flight; a whole body of 5 MB, 5). The server below reads exactly each BDAT's
// size as its data, so a chunk whose size did not match its BDAT would leave garbage commands.
import { describe, expect, it } from 'vitest';
import { BDAT_MAX_CHUNK, ClientConnection } from '../src/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder('latin1');

/** The client's bytes as a server reads them, the replies it owes, and the wire as seen by both. */
class Wire {
  readonly log: string[] = [];
  readonly garbage: string[] = [];
  readonly body: Uint8Array[] = [];
  readonly owed: { readonly text: string; readonly chunk: boolean }[] = [{ text: '220 mx.test ready', chunk: false }];
  inFlight = 0;
  maxInFlight = 0;
  #in: number[] = [];
  #left = 0;
  #last = false;

  constructor(readonly ehlo: readonly string[]) {}

  push(bytes: Uint8Array): void {
    for (const b of bytes) this.#in.push(b);
    for (;;) {
      if (this.#left > 0) {
        const n = Math.min(this.#left, this.#in.length);
        if (n === 0) return;
        this.body.push(new Uint8Array(this.#in.splice(0, n)));
        this.#left -= n;
        if (this.#left === 0) this.#chunkDone();
        continue;
      }
      const lf = this.#in.indexOf(10);
      if (lf === -1) return;
      const line = dec.decode(new Uint8Array(this.#in.splice(0, lf + 1))).replace(/\r\n$/, '');
      this.#command(line);
    }
  }

  #chunkDone(): void {
    this.owed.push({ text: this.#last ? '250 2.0.0 queued' : '250 2.0.0 chunk ok', chunk: true });
  }

  #command(line: string): void {
    const verb = line.split(' ')[0]!;
    if (verb === 'BDAT') {
      const m = /^BDAT (\d+)( LAST)?$/.exec(line);
      if (!m) return void this.garbage.push(line);
      this.log.push(`C: ${line}`);
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      this.#left = Number(m[1]);
      this.#last = m[2] !== undefined;
      if (this.#left === 0) this.#chunkDone();
      return;
    }
    if (verb === 'EHLO') {
      const lines = ['mx.test', ...this.ehlo];
      return void this.owed.push({ text: lines.map((l, i) => `250${i < lines.length - 1 ? '-' : ' '}${l}`).join('\r\n'), chunk: false });
    }
    if (verb === 'MAIL' || verb === 'RCPT' || verb === 'RSET') {
      this.log.push(`C: ${verb}`);
      return void this.owed.push({ text: '250 ok', chunk: false });
    }
    if (verb === 'QUIT') return void this.owed.push({ text: '221 bye', chunk: false });
    this.garbage.push(line);
  }
}

interface Scenario {
  readonly pipelining: boolean;
  /** A whole body given to sendMessage(), else streamed with `onNeedBody`. */
  readonly whole?: string;
  /**
   * Called at each need-body (`n`: how many came before; `round`: the exchange it came in, need-body
   * events a write queued come in the same one); `flush` hands what the client wrote to the server.
   */
  readonly onNeedBody?: (conn: ClientConnection, n: number, round: number, flush: () => void) => void;
}

/**
 * Plays one message to its end: each round, the events are handled, what the client wrote goes
 * to the server, and the server's next reply reaches the client one octet at a time.
 */
function play(s: Scenario): { wire: Wire; outcome: string | undefined } {
  const wire = new Wire(s.pipelining ? ['PIPELINING', 'CHUNKING'] : ['CHUNKING']);
  const conn = new ClientConnection({ security: 'off', chunking: true });
  conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], ...(s.whole !== undefined ? { body: s.whole } : {}) });
  conn.quit();
  let asked = 0;
  let outcome: string | undefined;
  const flush = (): void => wire.push(conn.dataToSend());
  for (let round = 0; round < 1000 && !conn.closed; round++) {
    for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) {
      if (e.type === 'need-body') s.onNeedBody?.(conn, asked++, round, flush);
      if (e.type === 'message-sent') outcome = e.outcome;
    }
    flush();
    const reply = wire.owed.shift();
    if (!reply) break;
    if (reply.chunk) {
      wire.inFlight--;
      wire.log.push(`S: ${reply.text}`);
    }
    const bytes = enc.encode(reply.text + '\r\n');
    for (let i = 0; i < bytes.length; i++) conn.receiveData(bytes.subarray(i, i + 1));
  }
  for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) if (e.type === 'message-sent') outcome = e.outcome;
  return { wire, outcome };
}

/** `count` pieces of `size` octets, lines of 100 (98 letters and CRLF), each piece its own letter. */
function pieces(count: number, size: number): string[] {
  return Array.from({ length: count }, (_, i) => (String.fromCharCode(97 + (i % 26)).repeat(98) + '\r\n').repeat(size / 100));
}

/** `size` octets of 100-octet lines whose letter changes every line (order is visible anywhere). */
function lines(size: number): string {
  return Array.from({ length: size / 100 }, (_, i) => String.fromCharCode(97 + (i % 26)).repeat(98) + '\r\n').join('');
}

function received(wire: Wire): string {
  return wire.body.map((b) => dec.decode(b)).join('');
}

const OK = 'S: 250 2.0.0 chunk ok';
const QUEUED = 'S: 250 2.0.0 queued';

describe('BDAT with PIPELINING: at most 3 chunks in flight, the held data going out as replies come', () => {
  it('10 writes of 200,000 octets at one need-body, then endBody(): the held 1.4 MB waits for replies', () => {
    const body = pieces(10, 200_000);
    const { wire, outcome } = play({
      pipelining: true,
      onNeedBody: (conn, n) => {
        if (n > 0) return;
        for (const p of body) conn.writeBody(p);
        conn.endBody();
      },
    });
    expect(wire.log).toEqual([
      'C: MAIL', 'C: RCPT',
      'C: BDAT 200000', 'C: BDAT 200000', 'C: BDAT 200000',
      OK, `C: BDAT ${BDAT_MAX_CHUNK}`,
      OK, `C: BDAT ${2_000_000 - 600_000 - BDAT_MAX_CHUNK} LAST`,
      OK, OK, QUEUED,
    ]);
    expect(wire.maxInFlight).toBe(3);
    expect(wire.garbage).toEqual([]);
    expect(received(wire)).toBe(body.join(''));
    expect(outcome).toBe('delivered');
  });

  it('10 writes of 200,000 octets held while 3 chunks are in flight, endBody() at the next need-body', () => {
    const body = pieces(10, 200_000);
    let wroteAt = -1;
    let ended = false;
    const { wire, outcome } = play({
      pipelining: true,
      onNeedBody: (conn, n, round) => {
        if (n === 0) {
          for (const p of body) conn.writeBody(p);
          wroteAt = round;
        } else if (round > wroteAt && !ended) {
          ended = true;
          conn.endBody();
        }
      },
    });
    expect(wire.log).toEqual([
      'C: MAIL', 'C: RCPT',
      'C: BDAT 200000', 'C: BDAT 200000', 'C: BDAT 200000',
      OK, `C: BDAT ${BDAT_MAX_CHUNK}`,
      OK, `C: BDAT ${2_000_000 - 600_000 - BDAT_MAX_CHUNK}`,
      OK, 'C: BDAT 0 LAST',
      OK, OK, QUEUED,
    ]);
    expect(wire.maxInFlight).toBe(3);
    expect(wire.garbage).toEqual([]);
    expect(received(wire)).toBe(body.join(''));
    expect(outcome).toBe('delivered');
  });

  const rest = 5_000_000 - 4 * BDAT_MAX_CHUNK;
  const bigWire = [
    'C: MAIL', 'C: RCPT',
    `C: BDAT ${BDAT_MAX_CHUNK}`, `C: BDAT ${BDAT_MAX_CHUNK}`, `C: BDAT ${BDAT_MAX_CHUNK}`,
    OK, `C: BDAT ${BDAT_MAX_CHUNK}`,
    OK, `C: BDAT ${rest} LAST`,
    OK, OK, QUEUED,
  ];

  it('one writeBody of 5,000,000 octets, then endBody(): 3 chunks of 1 MiB, the rest as replies come', () => {
    const body = lines(5_000_000);
    const { wire, outcome } = play({
      pipelining: true,
      onNeedBody: (conn, n) => {
        if (n > 0) return;
        conn.writeBody(body);
        conn.endBody();
      },
    });
    expect(wire.log).toEqual(bigWire);
    expect(wire.maxInFlight).toBe(3);
    expect(wire.garbage).toEqual([]);
    expect(received(wire)).toBe(body);
    expect(outcome).toBe('delivered');
  });

  it('a whole body of 5,000,000 octets: the same', () => {
    const body = lines(5_000_000);
    const { wire, outcome } = play({ pipelining: true, whole: body });
    expect(wire.log).toEqual(bigWire);
    expect(wire.maxInFlight).toBe(3);
    expect(wire.garbage).toEqual([]);
    expect(received(wire)).toBe(body);
    expect(outcome).toBe('delivered');
  });

  it('one writeBody of 5,000,000 octets passed as bytes the caller then reuses: what is held was copied', () => {
    const body = lines(5_000_000);
    const buf = enc.encode(body);
    const { wire, outcome } = play({
      pipelining: true,
      onNeedBody: (conn, n, _round, flush) => {
        if (n > 0) return;
        conn.writeBody(buf);
        flush(); // the writeBody contract: unchanged until the next dataToSend()
        buf.fill(0x2a);
        conn.endBody();
      },
    });
    expect(wire.garbage).toEqual([]);
    expect(wire.maxInFlight).toBe(3);
    expect(received(wire)).toBe(body);
    expect(outcome).toBe('delivered');
  });
});

describe('BDAT without PIPELINING: one chunk in flight (RFC 3030 §4.2)', () => {
  it('10 writes of 200,000 octets at one need-body, then endBody(): LAST carries what was held, after the first reply', () => {
    const body = pieces(10, 200_000);
    const { wire, outcome } = play({
      pipelining: false,
      onNeedBody: (conn, n) => {
        if (n > 0) return;
        for (const p of body) conn.writeBody(p);
        conn.endBody();
      },
    });
    expect(wire.log).toEqual(['C: MAIL', 'C: RCPT', 'C: BDAT 200000', OK, 'C: BDAT 1800000 LAST', QUEUED]);
    expect(wire.maxInFlight).toBe(1);
    expect(received(wire)).toBe(body.join(''));
    expect(outcome).toBe('delivered');
  });

  it('a whole body of 5,000,000 octets goes as one BDAT LAST', () => {
    const body = lines(5_000_000);
    const { wire, outcome } = play({ pipelining: false, whole: body });
    expect(wire.log).toEqual(['C: MAIL', 'C: RCPT', 'C: BDAT 5000000 LAST', QUEUED]);
    expect(received(wire)).toBe(body);
    expect(outcome).toBe('delivered');
  });
});
