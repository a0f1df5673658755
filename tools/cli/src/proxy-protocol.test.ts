import { describe, expect, it } from 'vitest';
import { splittings } from '@smtpkit/testkit';
import { ProxyHeaderParser } from './proxy-protocol.js';
import type { ProxyParseResult } from './proxy-protocol.js';

const enc = new TextEncoder();

function feed(chunks: readonly Uint8Array[]): ProxyParseResult {
  const p = new ProxyHeaderParser();
  let r: ProxyParseResult = { state: 'need-more' };
  for (const [i, c] of chunks.entries()) {
    r = p.push(c);
    if (r.state === 'done') {
      // The bytes after the header: what the parser handed back plus the chunks not fed yet.
      const rest = [r.rest, ...chunks.slice(i + 1)];
      const all = new Uint8Array(rest.reduce((n, x) => n + x.length, 0));
      let o = 0;
      for (const x of rest) {
        all.set(x, o);
        o += x.length;
      }
      return { ...r, rest: all };
    }
    if (r.state === 'error') return r;
  }
  return r;
}

function v2(family: number, addresses: number[], command = 1): Uint8Array {
  return new Uint8Array([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x20 | command, family, addresses.length >> 8, addresses.length & 0xff, ...addresses]);
}

describe('PROXY protocol header', () => {
  it('v1 TCP4 at every split, with the bytes after the header kept', () => {
    const input = enc.encode('PROXY TCP4 192.0.2.7 198.51.100.1 56324 25\r\nEHLO x\r\n');
    for (const { chunks } of splittings(input)) {
      const r = feed(chunks);
      expect(r.state).toBe('done');
      if (r.state !== 'done') return;
      expect(r.info).toEqual({ version: 1, local: false, sourceAddress: '192.0.2.7', sourcePort: 56324, destinationAddress: '198.51.100.1', destinationPort: 25 });
      expect(new TextDecoder().decode(r.rest)).toBe('EHLO x\r\n');
    }
  });

  it('v1 TCP6 and UNKNOWN', () => {
    const r = feed([enc.encode('PROXY TCP6 2001:db8::1 2001:db8::2 4000 25\r\n')]);
    expect(r.state === 'done' && r.info.sourceAddress).toBe('2001:db8::1');
    const u = feed([enc.encode('PROXY UNKNOWN\r\n')]);
    expect(u.state === 'done' && u.info.local).toBe(true);
  });

  it('v2 TCP4 and TCP6 at every split', () => {
    const input = new Uint8Array([...v2(0x11, [192, 0, 2, 7, 127, 0, 0, 1, 0xdc, 0x04, 0, 25]), 0x45]);
    for (const { chunks } of splittings(input)) {
      const r = feed(chunks);
      expect(r.state).toBe('done');
      if (r.state !== 'done') return;
      expect(r.info).toMatchObject({ version: 2, sourceAddress: '192.0.2.7', sourcePort: 56324, destinationPort: 25 });
      expect([...r.rest]).toEqual([0x45]);
    }
    const six = v2(0x21, [0x20, 0x01, 0x0d, 0xb8, ...Array<number>(11).fill(0), 1, ...Array<number>(16).fill(0), 0, 80, 0, 25]);
    const r6 = feed([six]);
    expect(r6.state === 'done' && r6.info.sourceAddress).toBe('2001:db8::1');
  });

  it('v2 LOCAL carries no address', () => {
    const r = feed([v2(0x00, [], 0)]);
    expect(r.state === 'done' && r.info.local).toBe(true);
  });

  it.each([
    ['plain SMTP instead of a header', 'EHLO client\r\n'],
    ['a v1 header that never ends', `PROXY TCP4 ${'1'.repeat(200)}`],
    ['bad v1 addresses', 'PROXY TCP4 999.0.0.1 127.0.0.1 1 2\r\n'],
    ['v1 with a control byte', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2\u0000\r\n'],
  ])('refuses %s', (_title, text) => {
    expect(feed([enc.encode(text)]).state).toBe('error');
  });

  it('refuses an oversized v2 header without waiting for it', () => {
    const head = v2(0x11, []);
    head[14] = 0xff;
    head[15] = 0xff;
    expect(feed([head]).state).toBe('error');
  });
});
