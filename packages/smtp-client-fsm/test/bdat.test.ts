// BDAT done right (issue 16, defect 4): coalesced chunks of bounded size whatever the source
// yields; after a negative BDAT reply nothing more is sent and that reply is the result.
import { describe, expect, it } from 'vitest';
import { BDAT_MAX_CHUNK, BDAT_MIN_CHUNK, ClientConnection } from '../src/index.js';
import { ScriptedServer, drain, run, sent } from './scripted-server.js';

const LINE = 'x'.repeat(78) + '\r\n';

describe('BDAT', () => {
  it('3.2 MB streamed as 80-byte lines goes out in a few chunks of 64 KiB to 1 MiB', () => {
    const server = new ScriptedServer({ ehlo: ['PIPELINING', 'CHUNKING', 'SIZE 100000000'] });
    const conn = new ClientConnection({ chunking: true });
    const id = conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
    conn.quit();
    const lines = Array.from({ length: 40_000 }, () => LINE);
    const events = run(conn, server, { bodies: { [id]: lines } });
    expect(sent(events)[0]?.outcome).toBe('delivered');
    const sizes = server.bdatSizes;
    expect(sizes.length).toBeLessThanOrEqual(Math.ceil((40_000 * 80) / BDAT_MIN_CHUNK) + 1);
    for (const n of sizes.slice(0, -1)) {
      expect(n).toBeGreaterThanOrEqual(BDAT_MIN_CHUNK);
      expect(n).toBeLessThanOrEqual(BDAT_MAX_CHUNK);
    }
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(40_000 * 80);
    expect(server.messages[0]!.content.length).toBe(40_000 * 80);
  });

  // a Node Buffer's own slice() is a view, not a copy: the held chunk must still be one
  it.each([
    ['Uint8Array', (n: number): Uint8Array => new Uint8Array(n)],
    ['Buffer', (n: number): Uint8Array => Buffer.alloc(n)],
  ])('a source that refills one %s: the small chunks held for coalescing keep the bytes as written', (_name, alloc) => {
    const server = new ScriptedServer({ ehlo: ['PIPELINING', 'CHUNKING'] });
    const conn = new ClientConnection({ chunking: true });
    const id = conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
    conn.quit();
    const buf = alloc(10);
    const fill = (s: string): Uint8Array => (buf.set(new TextEncoder().encode(s)), buf);
    // each read of an element refills the same buffer, as a BYOB reader or a pooled source does
    const chunks = { length: 2, get 0() { return fill('AAAAAAAA\r\n'); }, get 1() { return fill('BBBBBBBB\r\n'); } };
    const events = run(conn, server, { bodies: { [id]: chunks as unknown as Uint8Array[] } });
    expect(sent(events)[0]?.outcome).toBe('delivered');
    expect(new TextDecoder().decode(server.messages[0]!.content)).toBe('AAAAAAAA\r\nBBBBBBBB\r\n');
  });

  it('a whole body over 1 MiB is split into pipelined chunks', () => {
    const server = new ScriptedServer({ ehlo: ['PIPELINING', 'CHUNKING'] });
    const conn = new ClientConnection({ chunking: true });
    conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'], body: LINE.repeat(30_000) });
    conn.quit();
    const events = run(conn, server);
    expect(sent(events)[0]?.outcome).toBe('delivered');
    expect(server.bdatSizes).toEqual([BDAT_MAX_CHUNK, BDAT_MAX_CHUNK, 30_000 * 80 - 2 * BDAT_MAX_CHUNK]);
  });

  it('without pipelining, a 552 5.3.4 to a chunk stops the body: no further BDAT, permanent failure, RSET', () => {
    const server = new ScriptedServer({ ehlo: ['CHUNKING'], bdatChunk: (n) => (n === 2 ? '552 5.3.4 message too big' : '250 2.0.0 chunk ok') });
    const conn = new ClientConnection({ chunking: true });
    const id = conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
    conn.quit();
    const events = run(conn, server, { bodies: { [id]: Array.from({ length: 10_000 }, () => LINE) } });
    const m = sent(events)[0]!;
    expect(m).toMatchObject({ outcome: 'failed', transient: false, reply: { code: 552 } });
    expect(m.recipients[0]).toMatchObject({ status: 'rejected', permanent: true, reply: { code: 552 } });
    expect(server.bdatSizes).toHaveLength(2);
    expect(server.commands.slice(-2)).toEqual(['RSET', 'QUIT']);
  });

  it('pipelined: a 552 then a 421 and a close report the 552 (permanent), not the 421', () => {
    const server = new ScriptedServer({ ehlo: ['PIPELINING', 'CHUNKING'] });
    const conn = new ClientConnection({ chunking: true, allowLongLines: true });
    const id = conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
    conn.receiveData(server.output());
    server.push(conn.dataToSend()); // EHLO
    conn.receiveData(server.output());
    expect(conn.dataToSend().length).toBeGreaterThan(0); // MAIL, RCPT pipelined
    conn.receiveData('250 2.1.0 ok\r\n250 2.1.5 ok\r\n');
    const chunk = new Uint8Array(BDAT_MIN_CHUNK).fill(0x61);
    const events = drain(conn);
    expect(events.some((e) => e.type === 'need-body' && e.messageId === id)).toBe(true);
    conn.writeBody(chunk);
    conn.writeBody(chunk);
    const wire = new TextDecoder().decode(conn.dataToSend());
    expect(wire.match(/BDAT \d+\r\n/g)).toHaveLength(2);
    conn.receiveData('552 5.3.4 message too big\r\n');
    conn.writeBody(chunk); // the source had more: dropped, nothing written
    expect(conn.dataToSend().length).toBe(0);
    conn.receiveData('421 4.3.0 closing\r\n');
    conn.receiveEof();
    const m = sent(drain(conn))[0]!;
    expect(m).toMatchObject({ outcome: 'failed', transient: false, reply: { code: 552 } });
    expect(m.recipients[0]).toMatchObject({ status: 'rejected', reply: { code: 552, enhanced: { class: 5, subject: 3, detail: 4 } } });
  });

  it('pipelined: at most 3 chunks await their replies; the source is asked for more as replies come', () => {
    const server = new ScriptedServer({ ehlo: ['PIPELINING', 'CHUNKING'] });
    const conn = new ClientConnection({ chunking: true, allowLongLines: true });
    const id = conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
    conn.receiveData(server.output());
    server.push(conn.dataToSend()); // EHLO
    conn.receiveData(server.output());
    conn.dataToSend(); // MAIL, RCPT pipelined
    conn.receiveData('250 2.1.0 ok\r\n250 2.1.5 ok\r\n');
    const chunk = new Uint8Array(BDAT_MIN_CHUNK).fill(0x61);
    const asked = (): boolean => drain(conn).some((e) => e.type === 'need-body' && e.messageId === id);
    expect(asked()).toBe(true);
    conn.writeBody(chunk);
    expect(asked()).toBe(true);
    conn.writeBody(chunk);
    expect(asked()).toBe(true);
    conn.writeBody(chunk);
    expect(asked()).toBe(false); // three chunks in flight: the source waits
    conn.writeBody(chunk); // written anyway: kept until a chunk may go, never dropped
    expect(new TextDecoder().decode(conn.dataToSend()).match(/BDAT \d+\r\n/g)).toHaveLength(3);
    conn.receiveData('250 2.0.0 chunk ok\r\n');
    expect(asked()).toBe(false); // the kept chunk went first: three in flight again
    expect(new TextDecoder().decode(conn.dataToSend()).match(/BDAT \d+\r\n/g)).toEqual([`BDAT ${BDAT_MIN_CHUNK}\r\n`]);
    conn.receiveData('250 2.0.0 chunk ok\r\n');
    expect(asked()).toBe(true);
    conn.writeBody(chunk);
    conn.endBody(); // three chunks in flight again: LAST, a chunk too, waits for a reply
    expect(new TextDecoder().decode(conn.dataToSend()).match(/BDAT \d+( LAST)?\r\n/g)).toEqual([`BDAT ${BDAT_MIN_CHUNK}\r\n`]);
    conn.receiveData('250 2.0.0 chunk ok\r\n');
    expect(new TextDecoder().decode(conn.dataToSend()).match(/BDAT \d+( LAST)?\r\n/g)).toEqual(['BDAT 2 LAST\r\n']);
    conn.receiveData('250 2.0.0 chunk ok\r\n250 2.0.0 chunk ok\r\n250 2.0.0 queued\r\n');
    conn.quit();
    expect(sent(drain(conn))[0]).toMatchObject({ outcome: 'delivered' });
  });

  it('pipelined: after a refused chunk the server has at most 3 more chunks to refuse (Postfix tarpits each error)', () => {
    const server = new ScriptedServer({ ehlo: ['PIPELINING', 'CHUNKING'], bdatChunk: (n) => (n === 2 ? '552 5.3.4 message too big' : n > 2 ? '551 5.0.0 discarded' : '250 2.0.0 chunk ok') });
    const conn = new ClientConnection({ chunking: true });
    const id = conn.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
    conn.quit();
    const events = run(conn, server, { bodies: { [id]: Array.from({ length: 40_000 }, () => LINE) } });
    expect(sent(events)[0]).toMatchObject({ outcome: 'failed', transient: false, reply: { code: 552 } });
    expect(server.bdatSizes.length).toBeLessThanOrEqual(2 + 3);
    // with PIPELINING, RSET would go with a next MAIL group; none follows
    expect(server.commands.at(-1)).toBe('QUIT');
    expect(server.commands).not.toContain('RSET');
  });
});
