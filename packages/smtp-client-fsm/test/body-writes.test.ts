// The body-writing contract of the core: every `writeBody` made while the body phase lasts (from the
// first `need-body` to `endBody()`) is part of the message, whether or not the caller waited for a
// `need-body` between writes, with DATA or BDAT, with or without PIPELINING. With BDAT a write made
// while the chunks in flight hold the source back is kept and sent as soon as a chunk may go; it was
// refused (ERR_SMTP_CLIENT_NOT_IN_BODY in the body state) while endBody() then completed the message
// without it: delivered, truncated.
import { describe, expect, it } from 'vitest';
import { BDAT_MIN_CHUNK, ClientConnection } from '../src/index.js';
import type { ClientEvent, ClientOptions } from '../src/index.js';
import { ScriptedServer, sent } from './scripted-server.js';
import type { Script } from './scripted-server.js';

const enc = new TextEncoder();
const dec = new TextDecoder('latin1');

/** `count` pieces of `lines` CRLF lines of 70 octets, each piece with its own letter. */
function pieces(count: number, lines: number): string[] {
  return Array.from({ length: count }, (_, i) => (String.fromCharCode(97 + (i % 26)).repeat(70) + '\r\n').repeat(lines));
}

/** Client output to the server in slices of 4 KiB (the scripted server reads line by line from an array). */
function toServer(server: ScriptedServer, out: Uint8Array): void {
  for (let o = 0; o < out.length; o += 4096) server.push(out.subarray(o, o + 4096));
}

interface Exchange {
  readonly events: ClientEvent[];
  readonly server: ScriptedServer;
  readonly thrown: unknown[];
}

/**
 * Runs a session to its end. With `byteByByte`
 * every reply reaches the client one octet per `receiveData`. `perEvent` pieces are written at each
 * `need-body` (all of them at the first by default), then `endBody()` once the source is empty.
 */
function exchange(options: ClientOptions, script: Script, source: readonly string[], opts: { byteByByte?: boolean; perEvent?: number } = {}): Exchange {
  const server = new ScriptedServer(script);
  const conn = new ClientConnection({ security: 'off', ...options });
  conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
  conn.quit();
  const events: ClientEvent[] = [];
  const thrown: unknown[] = [];
  const left = [...source];
  let ended = false;
  const attempt = (f: () => void): void => {
    try {
      f();
    } catch (e) {
      thrown.push(e);
    }
  };
  let eof = false;
  for (let round = 0; round < 100_000 && !conn.closed; round++) {
    let moved = false;
    for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) {
      moved = true;
      events.push(e);
      if (e.type !== 'need-body' || ended) continue;
      for (let n = opts.perEvent ?? left.length; n > 0 && left.length > 0; n--) attempt(() => conn.writeBody(left.shift()!));
      if (left.length === 0) {
        ended = true;
        attempt(() => conn.endBody());
      }
    }
    const out = conn.dataToSend();
    toServer(server, out);
    const reply = enc.encode(server.output());
    if (opts.byteByByte) for (let i = 0; i < reply.length; i++) conn.receiveData(reply.subarray(i, i + 1));
    else if (reply.length > 0) conn.receiveData(reply);
    if (out.length > 0 || reply.length > 0) moved = true;
    if (server.eof && !eof && !moved) {
      eof = true;
      moved = true;
      conn.receiveEof();
    }
    if (!moved) break;
  }
  for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) events.push(e);
  return { events, server, thrown };
}

const cases = [
  // [label, pieces]: 540,000 octets in 5 large pieces; 210,000 in 300 small ones (each under BDAT_MIN_CHUNK)
  ['5 pieces of 108,000 octets', pieces(5, 1500)],
  ['300 pieces of 720 octets', pieces(300, 10)],
  ['mixed: large, small, large', [...pieces(1, 1000), ...pieces(40, 3), ...pieces(3, 1000)]],
] as const;

describe('several writeBody calls at one need-body', () => {
  for (const chunking of [false, true]) {
    for (const pipelining of [true, false]) {
      for (const byteByByte of [false, true]) {
        for (const [label, source] of cases) {
          const mode = `${chunking ? 'BDAT' : 'DATA'}, ${pipelining ? 'PIPELINING' : 'no PIPELINING'}, replies ${byteByByte ? 'byte by byte' : 'whole'}`;
          it(`${mode}, ${label}: the server gets every octet written and the message is delivered`, () => {
            const ehlo = [...(pipelining ? ['PIPELINING'] : []), 'CHUNKING', '8BITMIME'];
            const { events, server, thrown } = exchange({ chunking }, { ehlo }, source, { byteByByte });
            expect(thrown).toEqual([]);
            const body = source.join('');
            expect(server.messages).toHaveLength(1);
            expect(dec.decode(server.messages[0]!.content)).toBe(body);
            expect(sent(events).map((e) => e.outcome)).toEqual(['delivered']);
            if (chunking) {
              expect(server.bdatSizes.reduce((a, b) => a + b, 0)).toBe(body.length);
              // still coalesced: every chunk but the last is at least BDAT_MIN_CHUNK
              for (const n of server.bdatSizes.slice(0, -1)) expect(n).toBeGreaterThanOrEqual(BDAT_MIN_CHUNK);
            } else expect(server.bdatSizes).toEqual([]);
          });
        }
      }
    }
  }

  for (const chunking of [false, true]) {
    for (const pipelining of [true, false]) {
      it(`${chunking ? 'BDAT' : 'DATA'}, ${pipelining ? 'PIPELINING' : 'no PIPELINING'}: two large pieces at every need-body, replies byte by byte`, () => {
        const source = pieces(9, 1500);
        const ehlo = [...(pipelining ? ['PIPELINING'] : []), 'CHUNKING'];
        const { events, server, thrown } = exchange({ chunking }, { ehlo }, source, { byteByByte: true, perEvent: 2 });
        expect(thrown).toEqual([]);
        expect(dec.decode(server.messages[0]!.content)).toBe(source.join(''));
        expect(sent(events).map((e) => e.outcome)).toEqual(['delivered']);
      });
    }
  }
});

describe('a server that refuses a BDAT chunk while writes are held', () => {
  for (const pipelining of [true, false]) {
    it(`${pipelining ? 'PIPELINING' : 'no PIPELINING'}: the refusal is the result, nothing is thrown, the message is not delivered`, () => {
      const source = pieces(5, 1500);
      const ehlo = [...(pipelining ? ['PIPELINING'] : []), 'CHUNKING'];
      const script: Script = { ehlo, bdatChunk: (n) => (n === 1 ? '552 5.3.4 message too big' : '250 2.0.0 chunk ok') };
      const { events, server, thrown } = exchange({ chunking: true }, script, source, { byteByByte: true });
      expect(thrown).toEqual([]);
      const m = sent(events);
      expect(m).toHaveLength(1);
      expect(m[0]).toMatchObject({ outcome: 'failed', transient: false, reply: { code: 552 } });
      expect(m[0]!.recipients[0]).toMatchObject({ status: 'rejected', reply: { code: 552 } });
      // without PIPELINING the held pieces never go out after the refusal: only the first chunk did
      if (!pipelining) expect(server.bdatSizes).toEqual([108_000]);
      expect(server.commands.at(-1)).toBe('QUIT');
    });
  }
});

describe('writes outside the body phase', () => {
  for (const chunking of [false, true]) {
    it(`${chunking ? 'BDAT' : 'DATA'}: writeBody after endBody() is ERR_SMTP_CLIENT_NOT_IN_BODY, and the body is what was written before`, () => {
      const server = new ScriptedServer({ ehlo: ['CHUNKING'] });
      const conn = new ClientConnection({ security: 'off', chunking });
      conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
      expect(() => conn.writeBody('too early\r\n')).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_NOT_IN_BODY' }));
      const events: ClientEvent[] = [];
      const [one, two] = pieces(2, 1000);
      let fed = false;
      for (let round = 0; round < 50 && !conn.closed; round++) {
        for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) {
          events.push(e);
          if (e.type !== 'need-body' || fed) continue;
          fed = true;
          conn.writeBody(one!);
          conn.writeBody(two!);
          conn.endBody(); // without PIPELINING, BDAT LAST waits for the first chunk's reply
          expect(() => conn.writeBody('late\r\n')).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_NOT_IN_BODY' }));
          conn.quit();
        }
        toServer(server, conn.dataToSend());
        conn.receiveData(server.output());
      }
      expect(dec.decode(server.messages[0]!.content)).toBe(one! + two!);
      expect(sent(events).map((e) => e.outcome)).toEqual(['delivered']);
    });
  }
});

describe('chunks written while BDAT chunks are in flight', () => {
  it('are copied: a source that refills one buffer after each dataToSend() gets its bytes sent as written', () => {
    const server = new ScriptedServer({ ehlo: ['PIPELINING', 'CHUNKING'] });
    const conn = new ClientConnection({ security: 'off', chunking: true });
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
    conn.quit();
    const line = (c: string): string => c.repeat(70) + '\r\n';
    const buf = new Uint8Array(72 * 1000);
    const fill = (c: string): Uint8Array => (buf.set(enc.encode(line(c).repeat(1000))), buf);
    let fed = false;
    const events: ClientEvent[] = [];
    for (let round = 0; round < 100 && !conn.closed; round++) {
      for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) {
        events.push(e);
        if (e.type !== 'need-body' || fed) continue;
        fed = true;
        // the first three go out at once (three chunks in flight), the last three are held; the
        // buffer is refilled once dataToSend() has returned what went out (the writeBody contract)
        for (const c of 'abcdef') {
          conn.writeBody(fill(c));
          toServer(server, conn.dataToSend());
        }
        conn.endBody();
      }
      toServer(server, conn.dataToSend());
      conn.receiveData(server.output());
    }
    expect(dec.decode(server.messages[0]!.content)).toBe([...'abcdef'].map((c) => line(c).repeat(1000)).join(''));
    expect(sent(events).map((e) => e.outcome)).toEqual(['delivered']);
  });
});
