// Write reports (`reportsWrites`, `dataWritten`): the reply timer after the final dot (dataDone,
// RFC 5321 §4.5.3.2.6) starts once the dot has been written, not when it was queued; until then the
// body is under dataBlock (§4.5.3.2.5), re-armed by each write the transport reports. Fake clock.
import { describe, expect, it } from 'vitest';
import { FakeClock, armTimeout } from '@smtpkit/testkit';
import { ClientConnection } from './client-connection.js';
import type { ClientOptions } from './client-connection.js';
import type { ClientEvent } from './events.js';
import { ScriptedServer, sent } from '../test/scripted-server.js';
import type { Script } from '../test/scripted-server.js';

const dec = new TextDecoder();
const LINE = 'x'.repeat(98) + '\r\n';
/** 100,000 octets, 1,000 lines. */
const BODY = LINE.repeat(1000);

function drain(conn: ClientConnection, into: ClientEvent[]): void {
  for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) into.push(e);
}

/**
 * Plays the session up to the write that holds the final dot (every earlier write reported written
 * at once) and returns that write, not yet reported.
 */
function upToTheDot(options: ClientOptions, body: string | undefined, events: ClientEvent[], script: Script = {}): { conn: ClientConnection; server: ScriptedServer; out: Uint8Array } {
  const server = new ScriptedServer(script);
  const conn = new ClientConnection({ timeouts: { dataBlock: 1_000, dataDone: 5_000 }, ...options });
  conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], ...(body !== undefined ? { body } : {}) });
  for (let round = 0; round < 20; round++) {
    conn.receiveData(server.output());
    drain(conn, events);
    if (events.some((e) => e.type === 'need-body')) {
      conn.writeBody(BODY);
      conn.endBody();
    }
    const out = conn.dataToSend();
    if (dec.decode(out.subarray(-5)) === '\r\n.\r\n' || /^BDAT \d+ LAST\r\n/m.test(dec.decode(out))) return { conn, server, out };
    server.push(out);
    conn.dataWritten(out.length);
  }
  throw new Error('the final dot was never written');
}

describe('ClientConnection: write reports and the data timers', () => {
  for (const [kind, body] of [['a whole body', BODY], ['a streamed body', undefined]] as const) {
    it(`dataDone starts once the final dot is written, not when it is queued: a slow upload longer than dataDone is delivered (${kind})`, () => {
      const events: ClientEvent[] = [];
      const clock = new FakeClock();
      const { conn, server, out } = upToTheDot({ reportsWrites: true }, body, events);
      let timer = armTimeout(clock, conn);
      expect(conn.pendingTimeout()?.name).toBe('dataBlock');
      // The link carries 10,000 octets every 800 ms (under dataBlock, 1 s): 8 s for the body, over dataDone (5 s).
      for (let o = 0; o < out.length; o += 10_000) {
        clock.advance(800);
        const piece = out.subarray(o, Math.min(out.length, o + 10_000));
        server.push(piece);
        conn.dataWritten(piece.length);
        timer = armTimeout(clock, conn, timer);
        expect(conn.closed).toBe(false);
        expect(conn.pendingTimeout()?.name).toBe(o + piece.length < out.length ? 'dataBlock' : 'dataDone');
      }
      expect(clock.now).toBeGreaterThan(5_000);
      clock.advance(4_000); // the server takes its time to answer the dot, within dataDone
      conn.receiveData(server.output());
      drain(conn, events);
      expect(sent(events)).toMatchObject([{ outcome: 'delivered' }]);
      expect(server.messages[0]!.content.length).toBe(BODY.length);
    });
  }

  it('a link that stops carrying the body times out on dataBlock; the dot never written, the message is deferred, not unknown', () => {
    const events: ClientEvent[] = [];
    const clock = new FakeClock();
    const { conn, out } = upToTheDot({ reportsWrites: true }, BODY, events);
    let timer = armTimeout(clock, conn);
    clock.advance(800);
    conn.dataWritten(out.length - 3); // all but the dot
    timer = armTimeout(clock, conn, timer);
    clock.advance(999);
    expect(conn.closed).toBe(false);
    clock.advance(1);
    drain(conn, events);
    expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_TIMEOUT', message: 'timeout: dataBlock' });
    expect(sent(events)).toMatchObject([{ outcome: 'deferred', transient: true, recipients: [{ status: 'deferred' }] }]);
    void timer;
  });

  it('once the dot is written, no reply within dataDone is unknown (maybe delivered)', () => {
    const events: ClientEvent[] = [];
    const clock = new FakeClock();
    const { conn, out } = upToTheDot({ reportsWrites: true }, BODY, events);
    conn.dataWritten(out.length);
    armTimeout(clock, conn);
    expect(conn.pendingTimeout()).toMatchObject({ name: 'dataDone', ms: 5_000 });
    clock.advance(5_000);
    drain(conn, events);
    expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_TIMEOUT', message: 'timeout: dataDone' });
    expect(sent(events)).toMatchObject([{ outcome: 'unknown', recipients: [{ status: 'unknown' }] }]);
  });

  for (const code of [552, 452] as const) {
    it(`a ${code} before the final dot is written came mid-body: the message's reply, then the session ends (the server may still answer the dot); the same reply after the dot is written keeps the session`, () => {
      const reply = code === 552 ? '552 5.3.4 message too big' : '452 4.3.1 out of storage';
      const status = code === 552 ? 'rejected' : 'deferred';
      const early: ClientEvent[] = [];
      const { conn, out } = upToTheDot({ reportsWrites: true }, BODY, early);
      conn.sendMessage({ from: 'a@x.test', to: ['c@y.test'], body: 'x' });
      conn.dataWritten(out.length - 40_000); // part of the body is out; the dot is not
      conn.receiveData(`${reply}\r\n`);
      drain(conn, early);
      const [m1, m2] = sent(early);
      expect(m1).toMatchObject({ outcome: code === 552 ? 'failed' : 'deferred', reply: { code }, recipients: [{ status, reply: { code } }] });
      expect(m2).toMatchObject({ outcome: 'deferred', errorCode: 'ERR_SMTP_CLIENT_RECIPIENT_DEFERRED' });
      expect(early.at(-1)).toMatchObject({ type: 'closed', reason: 'rejected', reply: { code } });
      expect(early.find((e) => e.type === 'error')).toBeUndefined();
      expect(conn.closed).toBe(true);
      expect(conn.dataToSend().length).toBe(0); // the rest of the body is not written

      const late: ClientEvent[] = [];
      const written = upToTheDot({ reportsWrites: true }, BODY, late);
      written.conn.sendMessage({ from: 'a@x.test', to: ['c@y.test'], body: 'x' });
      written.conn.dataWritten(written.out.length);
      written.conn.receiveData(`${reply}\r\n`);
      drain(written.conn, late);
      expect(sent(late)).toMatchObject([{ outcome: code === 552 ? 'failed' : 'deferred', recipients: [{ status, reply: { code } }] }]);
      expect(written.conn.closed).toBe(false);
      // the refused end of data may leave the transaction open (RFC 5321 §3.3): RSET goes with the next MAIL group
      expect(dec.decode(written.conn.dataToSend())).toMatch(/^RSET\r\nMAIL FROM:<a@x\.test>/); // the next message goes on
    });
  }

  // RFC 5321 §4.1.1.4: only the reply to the end of data accepts the message. A 2xx (or 3xx) that
  // comes while the end of the body is still in the transport's hands cannot be that reply.
  const early: [kind: string, body: string | undefined, options: ClientOptions, script: Script][] = [
    ['DATA, a whole body', BODY, {}, {}],
    ['DATA, a streamed body', undefined, {}, {}],
    ['LMTP, the first per-recipient reply', BODY, { lmtp: true }, { lmtpFinal: () => '250 2.0.0 delivered' }],
    ['BDAT LAST', BODY, { chunking: true }, { ehlo: ['PIPELINING', 'CHUNKING'] }],
  ];
  for (const [kind, body, options, script] of early) {
    for (const reply of ['250 2.0.0 queued early', '354 go on']) {
      it(`${kind}: a ${reply.slice(0, 3)} before the end of the body is written is no acceptance: the message is deferred (ERR_SMTP_CLIENT_UNEXPECTED_REPLY), the session ends, nothing more is written`, () => {
        const events: ClientEvent[] = [];
        const { conn, out } = upToTheDot({ reportsWrites: true, ...options }, body, events, script);
        conn.sendMessage({ from: 'a@x.test', to: ['c@y.test'], body: 'x' });
        conn.dataWritten(out.length - 40_000); // part of the body is out; its end is not
        conn.receiveData(`${reply}\r\n`);
        drain(conn, events);
        const [m1, m2] = sent(events);
        expect(m1).toMatchObject({ outcome: 'deferred', transient: true, errorCode: 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY', recipients: [{ status: 'deferred' }] });
        expect(m2).toMatchObject({ outcome: 'deferred' });
        expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY', reply: { code: Number(reply.slice(0, 3)) } });
        expect(events.at(-1)).toMatchObject({ type: 'closed', reason: 'error' });
        expect(conn.closed).toBe(true);
        expect(conn.dataToSend().length).toBe(0);
      });
    }
    it(`${kind}: the same 250 once the end of the body is written delivers the message`, () => {
      const events: ClientEvent[] = [];
      const { conn, server, out } = upToTheDot({ reportsWrites: true, ...options }, body, events, script);
      server.push(out);
      conn.dataWritten(out.length);
      conn.receiveData(server.output());
      drain(conn, events);
      expect(sent(events)).toMatchObject([{ outcome: 'delivered', recipients: [{ status: 'accepted' }] }]);
      expect(conn.closed).toBe(false);
    });
  }

  it('without reportsWrites, dataDone starts when the dot is queued (a caller that reports no writes keeps the old timers)', () => {
    const events: ClientEvent[] = [];
    const { conn } = upToTheDot({}, BODY, events);
    expect(conn.pendingTimeout()?.name).toBe('dataDone');
  });

  it('dataWritten counts only bytes handed out by dataToSend(): more, or a count that is not a non-negative integer, is ERR_SMTP_CLIENT_INVALID_PARAMETER', () => {
    const conn = new ClientConnection({ reportsWrites: true });
    conn.receiveData('220 mx\r\n');
    const out = conn.dataToSend();
    expect(dec.decode(out)).toBe('EHLO localhost\r\n');
    for (const bad of [out.length + 1, -1, 1.5, Number.NaN, '3' as unknown as number]) {
      expect(() => conn.dataWritten(bad)).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' }));
    }
    conn.dataWritten(out.length - 1);
    conn.dataWritten(1);
    expect(() => conn.dataWritten(1)).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' }));
    expect(conn.state).toBe('ehlo');
  });

  it('reportsWrites takes true or false only', () => {
    expect(() => new ClientConnection({ reportsWrites: 'yes' as unknown as boolean })).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CLIENT_INVALID_OPTION', message: expect.stringContaining('reportsWrites') }));
  });
});
