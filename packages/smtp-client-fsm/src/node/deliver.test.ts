// deliver() against a DNS server on loopback started by the test (the resolver pointed at it with
// setServers) and MX hosts on 127.0.0.x addresses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import net from 'node:net';
import { Readable } from 'node:stream';
import { promises as dns } from 'node:dns';
import { deliver } from './index.js';
import { ScriptedServer } from '../../test/scripted-server.js';
import type { Script } from '../../test/scripted-server.js';

type Rr = { type: 'MX'; pref: number; host: string } | { type: 'A'; ip: string };
/** name -> records; a name absent here is NXDOMAIN, a name with [] has no data. */
const ZONE: Record<string, Rr[]> = {
  'multi.test': [
    { type: 'MX', pref: 10, host: 'mx-busy.multi.test' },
    { type: 'MX', pref: 10, host: 'mx-down.multi.test' },
    { type: 'MX', pref: 20, host: 'mx-ok.multi.test' },
  ],
  'mx-busy.multi.test': [{ type: 'A', ip: '127.0.0.2' }],
  'mx-down.multi.test': [{ type: 'A', ip: '127.0.0.3' }],
  'mx-ok.multi.test': [{ type: 'A', ip: '127.0.0.4' }],
  'implicit.test': [{ type: 'A', ip: '127.0.0.5' }],
  'nullmx.test': [{ type: 'MX', pref: 0, host: '' }],
  'closed.test': [{ type: 'MX', pref: 10, host: 'mx.closed.test' }],
  'mx.closed.test': [{ type: 'A', ip: '127.0.0.6' }],
};

function name(buf: Buffer, at: number): [string, number] {
  const labels: string[] = [];
  let i = at;
  while (buf[i]! !== 0) {
    const n = buf[i]!;
    labels.push(buf.subarray(i + 1, i + 1 + n).toString('latin1'));
    i += n + 1;
  }
  return [labels.join('.'), i + 1];
}

function encodeName(n: string): Buffer {
  if (n === '') return Buffer.from([0]);
  return Buffer.concat([...n.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])]);
}

/** A minimal authoritative DNS server: answers MX and A from ZONE, NXDOMAIN otherwise. */
function answer(q: Buffer): Buffer {
  const [qname, end] = name(q, 12);
  const qtype = q.readUInt16BE(end);
  const records = ZONE[qname.toLowerCase()];
  const matching = (records ?? []).filter((r) => (qtype === 15 && r.type === 'MX') || (qtype === 1 && r.type === 'A'));
  const header = Buffer.alloc(12);
  q.copy(header, 0, 0, 2); // id
  header.writeUInt16BE(0x8400 | (q.readUInt16BE(2) & 0x0100) | (records === undefined ? 3 : 0), 2); // QR, AA, RD, RCODE
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(matching.length, 6);
  const question = q.subarray(12, end + 4);
  const answers = matching.map((r) => {
    const rdata = r.type === 'MX' ? Buffer.concat([Buffer.from([r.pref >> 8, r.pref & 255]), encodeName(r.host)]) : Buffer.from(r.ip.split('.').map(Number));
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(r.type === 'MX' ? 15 : 1, 0);
    fixed.writeUInt16BE(1, 2);
    fixed.writeUInt32BE(60, 4);
    fixed.writeUInt16BE(rdata.length, 8);
    return Buffer.concat([Buffer.from([0xc0, 12]), fixed, rdata]);
  });
  return Buffer.concat([header, question, ...answers]);
}

let dnsServer: dgram.Socket;
const resolver = new dns.Resolver({ timeout: 1000, tries: 1 });
const smtp: net.Server[] = [];
const sessions = new Map<string, ScriptedServer[]>();
let port = 0;

async function listenOn(ip: string, script: Script, p: number): Promise<void> {
  const srv = net.createServer((sock) => {
    const s = new ScriptedServer(script);
    sessions.set(ip, [...(sessions.get(ip) ?? []), s]);
    const out = (): void => {
      const o = s.output();
      if (o) sock.write(o);
      if (s.eof) sock.end();
    };
    sock.on('data', (d: Buffer) => {
      s.push(new Uint8Array(d));
      out();
    });
    sock.on('error', () => undefined);
    out();
  });
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(p, ip, () => resolve());
  });
  smtp.push(srv);
}

beforeAll(async () => {
  dnsServer = dgram.createSocket('udp4');
  dnsServer.on('message', (msg, rinfo) => dnsServer.send(answer(msg), rinfo.port, rinfo.address));
  await new Promise<void>((r) => dnsServer.bind(0, '127.0.0.1', r));
  resolver.setServers([`127.0.0.1:${dnsServer.address().port}`]);
  // One port shared by every MX host (deliver connects to the same port everywhere).
  for (let tries = 0; ; tries++) {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    try {
      await listenOn('127.0.0.2', { greeting: '421 4.3.2 busy, try another MX' }, port);
      await listenOn('127.0.0.4', {}, port);
      await listenOn('127.0.0.5', {}, port);
      await listenOn('127.0.0.6', { greeting: '554 5.7.1 no mail here' }, port);
      break;
    } catch (e) {
      for (const s of smtp.splice(0)) s.close();
      if (tries > 5) throw e;
    }
  }
});
afterAll(async () => {
  await Promise.all(smtp.map((s) => new Promise<void>((r) => s.close(() => r()))));
  dnsServer.close();
});

describe('deliver', () => {
  it('tries exchangers in preference order (4xx greeting, refused connection), delivers through the next, groups per domain', async () => {
    const r = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['u1@multi.test', 'u2@implicit.test', 'u3@multi.test'], body: 'Subject: d\r\n\r\nhi\r\n' });
    expect(r.outcome).toBe('delivered');
    expect(r.recipients.map((x) => [x.address, x.status])).toEqual([
      ['u1@multi.test', 'accepted'],
      ['u2@implicit.test', 'accepted'],
      ['u3@multi.test', 'accepted'],
    ]);
    const multi = r.domains.find((d) => d.domain === 'multi.test')!;
    expect(multi.attempts.map((a) => a.exchange).slice(0, 2).sort()).toEqual(['mx-busy.multi.test', 'mx-down.multi.test']);
    expect(multi.attempts.at(-1)).toEqual({ exchange: 'mx-ok.multi.test', address: '127.0.0.4' });
    expect(multi.attempts.slice(0, 2).every((a) => a.error !== undefined)).toBe(true);
    expect(sessions.get('127.0.0.4')![0]!.messages[0]!.to).toEqual(['u1@multi.test', 'u3@multi.test']);
    // implicit MX: the domain's own address
    expect(r.domains.find((d) => d.domain === 'implicit.test')!.attempts).toEqual([{ exchange: 'implicit.test', address: '127.0.0.5' }]);
  });

  it('a null MX, a missing domain and a 5xx greeting are permanent; nothing else is tried', async () => {
    const r = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['x@nullmx.test', 'y@nxdomain.test', 'z@closed.test'], body: 'x' });
    expect(r.outcome).toBe('failed');
    expect(r.recipients.map((x) => [x.status, x.permanent, x.errorCode])).toEqual([
      ['rejected', true, 'ERR_SMTP_CLIENT_INVALID_ADDRESS'],
      ['rejected', true, 'ERR_SMTP_CLIENT_INVALID_ADDRESS'],
      ['rejected', true, 'ERR_SMTP_CLIENT_GREETING_REJECTED'],
    ]);
    expect(r.domains.find((d) => d.domain === 'nullmx.test')!.attempts).toEqual([]);
  });

  it('a stream body for several domains is refused before any lookup', async () => {
    await expect(deliver({ resolver, port, from: 'a@o.test', to: ['a@multi.test', 'b@implicit.test'], body: Readable.from(['x']) })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' });
  });
});
