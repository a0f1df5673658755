import { SocketAddress } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseProxyHeader } from './proxy-protocol.js';

const b = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('parseProxyHeader', () => {
  it('v1 TCP4 with leftover bytes, any split', () => {
    const data = b('PROXY TCP4 192.0.2.1 198.51.100.2 40000 25\r\nEHLO x\r\n');
    for (let i = 1; i < 44; i++) expect(parseProxyHeader(data.subarray(0, i)).status).toBe('incomplete');
    const r = parseProxyHeader(data);
    expect(r.status).toBe('done');
    if (r.status !== 'done') return;
    expect(r.info).toEqual({ version: 1, sourceAddress: '192.0.2.1', destinationAddress: '198.51.100.2', sourcePort: 40000, destinationPort: 25 });
    expect(new TextDecoder().decode(r.rest)).toBe('EHLO x\r\n');
  });
  it('v1 strictness: bad address, port, LF only, too long, not PROXY', () => {
    for (const h of ['PROXY TCP4 1.2.3.999 1.2.3.4 1 2\r\n', 'PROXY TCP4 1.2.3.4 1.2.3.4 1 99999\r\n', 'PROXY TCP4 1.2.3.4 1.2.3.4 1 2\n', 'EHLO x\r\n', `PROXY TCP4 ${'1'.repeat(120)}`]) {
      expect(parseProxyHeader(b(h)).status).toBe('error');
    }
    expect(parseProxyHeader(b('PROXY UNKNOWN\r\n')).status).toBe('done');
  });
  it('SRV-7 v1 strictness: TCP6 needs IPv6 addresses, TCP4 IPv4 ones; leading zeros in addresses and ports are refused', () => {
    const bad = [
      'PROXY TCP6 ...:...:... ::1 1 2',
      'PROXY TCP6 1.2.3.4 ::1 1 2',
      'PROXY TCP6 ::1 1.2.3.4 1 2',
      'PROXY TCP6 : ::1 1 2',
      'PROXY TCP6 ::::: ::1 1 2',
      'PROXY TCP6 1::2::3 ::1 1 2',
      'PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2',
      'PROXY TCP6 12345::1 ::1 1 2',
      'PROXY TCP6 g::1 ::1 1 2',
      'PROXY TCP6 2001:0db8::1 ::1 1 2',
      'PROXY TCP4 ::1 1.2.3.4 1 2',
      'PROXY TCP4 01.2.3.4 1.2.3.4 1 2',
      'PROXY TCP4 1.2.3.4 1.2.3.004 1 2',
      'PROXY TCP4 1.2.3.4 1.2.3.4 025 2',
      'PROXY TCP4 1.2.3.4 1.2.3.4 1 00',
      'PROXY TCP4 1.2.3.4 1.2.3.4 +1 2',
    ];
    for (const h of bad) expect(parseProxyHeader(b(`${h}\r\n`)).status, h).toBe('error');
    const good = ['PROXY TCP6 ::1 ::1 0 25', 'PROXY TCP6 2001:db8::1 2001:db8:0:0:0:0:0:2 40000 25', 'PROXY TCP6 ::ffff:192.0.2.1 :: 1 2', 'PROXY TCP6 fe80:: 1:2:3:4:5:6:7:8 1 2', 'PROXY TCP4 0.0.0.0 10.0.0.1 0 65535'];
    for (const h of good) expect(parseProxyHeader(b(`${h}\r\n`)).status, h).toBe('done');
  });
  it('v2 IPv4 PROXY and LOCAL', () => {
    const sig = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];
    const v4 = new Uint8Array([...sig, 0x21, 0x11, 0, 12, 10, 0, 0, 1, 10, 0, 0, 2, 0x9c, 0x40, 0, 25, 0x45]);
    const r = parseProxyHeader(v4);
    expect(r.status === 'done' && r.info).toEqual({ version: 2, sourceAddress: '10.0.0.1', destinationAddress: '10.0.0.2', sourcePort: 40000, destinationPort: 25 });
    expect(r.status === 'done' && Array.from(r.rest)).toEqual([0x45]);
    expect(parseProxyHeader(v4.subarray(0, 20)).status).toBe('incomplete');
    const local = new Uint8Array([...sig, 0x20, 0x00, 0, 0]);
    expect(parseProxyHeader(local).status).toBe('done');
    const bad = new Uint8Array([...sig, 0x31, 0x11, 0, 0]);
    expect(parseProxyHeader(bad).status).toBe('error');
  });
  it('v2 IPv6 addresses in the form Node gives remoteAddress (RFC 5952), so that one client has one address', () => {
    const sig = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];
    const bytes = (text: string): number[] => {
      const [head = '', tail] = text.split('::');
      const groups = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
      const h = groups(head);
      const t = tail === undefined ? [] : groups(tail);
      const all = tail === undefined ? h : [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
      return all.flatMap((g) => [g >> 8, g & 0xff]);
    };
    const source = (address: number[]): string | undefined => {
      const r = parseProxyHeader(new Uint8Array([...sig, 0x21, 0x21, 0, 36, ...address, ...bytes('::1'), 0x9c, 0x40, 0, 25]));
      return r.status === 'done' ? r.info.sourceAddress : undefined;
    };
    for (const a of ['::1', '::', '2001:db8::1', 'fe80::', '2001:db8:0:1:1:1:1:1', '2001:db8::1:0:0:1', '1:0:0:2::3', '1:2:3:4:5:6:7:8', 'abcd:ef01::']) {
      expect(source(bytes(a)), a).toBe(a);
    }
    // the same text as Node's own formatting, for addresses rich in zero groups
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 2000; n++) {
      const groups = Array.from({ length: 8 }, () => [0, 0, 0, 1, 0xffff, next() % 0x10000][next() % 6]!);
      const expected = new SocketAddress({ address: groups.map((g) => g.toString(16)).join(':'), family: 'ipv6' }).address;
      expect(source(groups.flatMap((g) => [g >> 8, g & 0xff]))).toBe(expected);
    }
    // IPv4-mapped: as a dual-stack socket reports a v4 client
    expect(source([...Array<number>(10).fill(0), 0xff, 0xff, 192, 0, 2, 1])).toBe('::ffff:192.0.2.1');
    const r = parseProxyHeader(new Uint8Array([...sig, 0x21, 0x21, 0, 36, ...bytes('2001:db8::7'), ...bytes('::1'), 0x9c, 0x40, 0, 25]));
    expect(r.status === 'done' && r.info).toEqual({ version: 2, sourceAddress: '2001:db8::7', destinationAddress: '::1', sourcePort: 40000, destinationPort: 25 });
  });
});
