// deliver() against a DNS server on loopback started by the test (the resolver pointed at it with
// setServers) and MX hosts on 127.0.0.x addresses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import net from 'node:net';
import { Readable } from 'node:stream';
import { promises as dns } from 'node:dns';
import { deliver, publicAddressesOnly, resolveMx } from './index.js';
import { xclientState, type ClientConnection } from '../index.js';
import type { MxResolver } from './index.js';
import { ScriptedServer, serveScripted } from '../../test/scripted-server.js';
import type { Script } from '../../test/scripted-server.js';

type Rr = { type: 'MX'; pref: number; host: string } | { type: 'A'; ip: string } | { type: 'AAAA'; ip: string };
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
  // bücher.test, as DNS holds it (A-labels)
  'xn--bcher-kva.test': [{ type: 'A', ip: '127.0.0.5' }],
  'nullmx.test': [{ type: 'MX', pref: 0, host: '' }],
  // a `.` beside a real exchanger is no null MX (RFC 7505 §3: the single MX record): ignored
  'mixednull.test': [
    { type: 'MX', pref: 0, host: '' },
    { type: 'MX', pref: 10, host: 'mx-ok.multi.test' },
  ],
  'closed.test': [{ type: 'MX', pref: 10, host: 'mx.closed.test' }],
  'mx.closed.test': [{ type: 'A', ip: '127.0.0.6' }],
  // a 5xx greeting refuses that server's service: the next exchanger takes the message
  'closed-then-ok.test': [
    { type: 'MX', pref: 10, host: 'mx.closed.test' },
    { type: 'MX', pref: 20, host: 'mx-ok.multi.test' },
  ],
  // a 5xx greeting, then a 421 greeting: a later try may reach one (deferred)
  'closed-then-busy.test': [
    { type: 'MX', pref: 10, host: 'mx.closed.test' },
    { type: 'MX', pref: 20, host: 'mx-busy.multi.test' },
  ],
  // a 5xx greeting, then a server without 8BITMIME: every one refused the message (rejected)
  'closed-then-7bit.test': [
    { type: 'MX', pref: 10, host: 'mx.closed.test' },
    { type: 'MX', pref: 20, host: 'mx-7bit.ext.test' },
  ],
  // A 421 at MAIL, at RCPT and after the dot: the next exchanger each time.
  'late421.test': [
    { type: 'MX', pref: 10, host: 'mx-mail.late421.test' },
    { type: 'MX', pref: 20, host: 'mx-rcpt.late421.test' },
    { type: 'MX', pref: 30, host: 'mx-dot.late421.test' },
    { type: 'MX', pref: 40, host: 'mx-ok.multi.test' },
  ],
  'mx-mail.late421.test': [{ type: 'A', ip: '127.0.0.7' }],
  'mx-rcpt.late421.test': [{ type: 'A', ip: '127.0.0.8' }],
  'mx-dot.late421.test': [{ type: 'A', ip: '127.0.0.9' }],
  // A connection lost at RCPT, then a server silent after DATA: the next exchanger each time.
  'lost.test': [
    { type: 'MX', pref: 10, host: 'mx-drop.lost.test' },
    { type: 'MX', pref: 20, host: 'mx-silent.lost.test' },
    { type: 'MX', pref: 30, host: 'mx-ok.multi.test' },
  ],
  'mx-drop.lost.test': [{ type: 'A', ip: '127.0.0.12' }],
  'mx-silent.lost.test': [{ type: 'A', ip: '127.0.0.13' }],
  // A connection lost after the final dot: maybe queued there, no other exchanger.
  'lostdot.test': [
    { type: 'MX', pref: 10, host: 'mx.lostdot.test' },
    { type: 'MX', pref: 20, host: 'mx-ok.multi.test' },
  ],
  'mx.lostdot.test': [{ type: 'A', ip: '127.0.0.14' }],
  // A 452 to every RCPT is the recipients' result: no other exchanger.
  'defer.test': [
    { type: 'MX', pref: 10, host: 'mx.defer.test' },
    { type: 'MX', pref: 20, host: 'mx-ok.multi.test' },
  ],
  'mx.defer.test': [{ type: 'A', ip: '127.0.0.10' }],
  // An exchanger that never answers QUIT (and keeps the connection open).
  'silentquit.test': [{ type: 'MX', pref: 10, host: 'mx.silentquit.test' }],
  'mx.silentquit.test': [{ type: 'A', ip: '127.0.0.15' }],
  // Four exchangers that each take the session, then say 421 to MAIL (maxSessions).
  'sessions.test': [1, 2, 3, 4].map((i) => ({ type: 'MX' as const, pref: 10 * i, host: `mx${i}.sessions.test` })),
  'mx1.sessions.test': [{ type: 'A', ip: '127.0.0.16' }],
  'mx2.sessions.test': [{ type: 'A', ip: '127.0.0.17' }],
  'mx3.sessions.test': [{ type: 'A', ip: '127.0.0.18' }],
  'mx4.sessions.test': [{ type: 'A', ip: '127.0.0.19' }],
  // The same behind an address that refuses the connection and one that refuses the session (421 greeting).
  'refusals.test': [
    { type: 'MX', pref: 10, host: 'mx-refused.refusals.test' },
    { type: 'MX', pref: 20, host: 'mx-busy.multi.test' },
    ...[1, 2, 3].map((i) => ({ type: 'MX' as const, pref: 20 + 10 * i, host: `mx${i}.sessions.test` })),
  ],
  'mx-refused.refusals.test': [{ type: 'A', ip: '127.0.0.30' }],
  // LIMITS RCPTMAX=2 MAILMAX=1 (RFC 9422): two recipients per connection
  'limits.test': [{ type: 'A', ip: '127.0.0.20' }],
  // The same limits on a server that counts the connections it accepts (maxAddresses, maxSessions).
  'count.test': [{ type: 'A', ip: '127.0.0.21' }],
  // An address that refuses the connection, then the counting server.
  'count-behind.test': [
    { type: 'MX', pref: 10, host: 'mx-refused.refusals.test' },
    { type: 'MX', pref: 20, host: 'mx.count.test' },
  ],
  'mx.count.test': [{ type: 'A', ip: '127.0.0.21' }],
  // LIMITS RCPTMAX=2 MAILMAX=1 again, its first connection refusing every recipient it tries and
  // every later one saying 421 to MAIL; then an exchanger that takes the session and says 421 to
  // MAIL, then one that takes the message.
  'carry421.test': [
    { type: 'MX', pref: 10, host: 'mx.carry421.test' },
    { type: 'MX', pref: 20, host: 'mx1.sessions.test' },
    { type: 'MX', pref: 30, host: 'mx-ok.multi.test' },
  ],
  'mx.carry421.test': [{ type: 'A', ip: '127.0.0.22' }],
  // No MX and no address: the implicit MX is unusable (RFC 5321 §5.1).
  'noaddr.test': [],
  // MX hosts that have no address: one with no such name, one with no A/AAAA record.
  'deadmx.test': [
    { type: 'MX', pref: 10, host: 'gone.deadmx.test' },
    { type: 'MX', pref: 20, host: 'empty.deadmx.test' },
  ],
  'empty.deadmx.test': [],
  // A name DNS answers but no mailbox can have (a label starting with a hyphen).
  '-bad.test': [{ type: 'A', ip: '127.0.0.5' }],
  // An exchanger on an internal address (a server that takes mail for anywhere), then a public one.
  'inward.test': [
    { type: 'MX', pref: 10, host: 'mx.inward.test' },
    { type: 'MX', pref: 20, host: 'mx-ok.multi.test' },
  ],
  'mx.inward.test': [{ type: 'A', ip: '127.0.0.23' }],
  // XCLIENT required: an exchanger without it, one refusing it (550), one taking it.
  'xclient.test': [
    { type: 'MX', pref: 10, host: 'mx-none.xclient.test' },
    { type: 'MX', pref: 20, host: 'mx-550.xclient.test' },
    { type: 'MX', pref: 30, host: 'mx-ok.xclient.test' },
  ],
  'noxclient.test': [
    { type: 'MX', pref: 10, host: 'mx-none.xclient.test' },
    { type: 'MX', pref: 20, host: 'mx-550.xclient.test' },
  ],
  'mx-none.xclient.test': [{ type: 'A', ip: '127.0.0.24' }],
  'mx-550.xclient.test': [{ type: 'A', ip: '127.0.0.25' }],
  'mx-ok.xclient.test': [{ type: 'A', ip: '127.0.0.26' }],
  // An exchanger with no address, then one on an internal address.
  'halfinward.test': [
    { type: 'MX', pref: 10, host: 'gone.deadmx.test' },
    { type: 'MX', pref: 20, host: 'mx.inward.test' },
  ],
  // Exchangers that lack an extension a message needs (8BITMIME, SMTPUTF8, a SIZE large enough):
  // a property of that server, so the next exchanger is tried.
  'eightbit.test': [
    { type: 'MX', pref: 10, host: 'mx-7bit.ext.test' },
    { type: 'MX', pref: 20, host: 'mx-ok.multi.test' },
  ],
  'no8bit.test': [
    { type: 'MX', pref: 10, host: 'mx-7bit.ext.test' },
    { type: 'MX', pref: 20, host: 'mx2-7bit.ext.test' },
  ],
  'utf8.test': [
    { type: 'MX', pref: 10, host: 'mx-7bit.ext.test' },
    { type: 'MX', pref: 20, host: 'mx-utf8.ext.test' },
  ],
  'noutf8.test': [
    { type: 'MX', pref: 10, host: 'mx-7bit.ext.test' },
    { type: 'MX', pref: 20, host: 'mx-ok.multi.test' },
  ],
  'size.test': [
    { type: 'MX', pref: 10, host: 'mx-small.ext.test' },
    { type: 'MX', pref: 20, host: 'mx-ok.multi.test' },
  ],
  'nosize.test': [
    { type: 'MX', pref: 10, host: 'mx-small.ext.test' },
    { type: 'MX', pref: 20, host: 'mx2-small.ext.test' },
  ],
  // no 8BITMIME, then a 421 greeting: the refusal is not the domain's final answer (deferred)
  'no8bit-busy.test': [
    { type: 'MX', pref: 10, host: 'mx-7bit.ext.test' },
    { type: 'MX', pref: 20, host: 'mx-busy.multi.test' },
  ],
  // two exchangers without 8BITMIME, then one with it (maxSessions)
  'no8bit3.test': [
    { type: 'MX', pref: 10, host: 'mx-7bit.ext.test' },
    { type: 'MX', pref: 20, host: 'mx2-7bit.ext.test' },
    { type: 'MX', pref: 30, host: 'mx-ok.multi.test' },
  ],
  // a line too long is the message's own fault: no other exchanger
  'toolong.test': [
    { type: 'MX', pref: 10, host: 'mx-ok.multi.test' },
    { type: 'MX', pref: 20, host: 'mx-utf8.ext.test' },
  ],
  'mx-7bit.ext.test': [{ type: 'A', ip: '127.0.0.27' }],
  'mx2-7bit.ext.test': [{ type: 'A', ip: '127.0.0.28' }],
  'mx-utf8.ext.test': [{ type: 'A', ip: '127.0.0.29' }],
  'mx-small.ext.test': [{ type: 'A', ip: '127.0.0.31' }],
  'mx2-small.ext.test': [{ type: 'A', ip: '127.0.0.32' }],
  // IPv6 first: ::1 (a 421 greeting), then the IPv4 address.
  'v6.test': [{ type: 'MX', pref: 10, host: 'mx.v6.test' }],
  'mx.v6.test': [
    { type: 'A', ip: '127.0.0.11' },
    { type: 'AAAA', ip: '::1' },
  ],
};

/** The 16 bytes of an IPv6 address (with `::` expanded). */
function ipv6Bytes(ip: string): Buffer {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

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
  const matching = (records ?? []).filter((r) => (qtype === 15 && r.type === 'MX') || (qtype === 1 && r.type === 'A') || (qtype === 28 && r.type === 'AAAA'));
  const header = Buffer.alloc(12);
  q.copy(header, 0, 0, 2); // id
  header.writeUInt16BE(0x8400 | (q.readUInt16BE(2) & 0x0100) | (records === undefined ? 3 : 0), 2); // QR, AA, RD, RCODE
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(matching.length, 6);
  const question = q.subarray(12, end + 4);
  const answers = matching.map((r) => {
    const rdata = r.type === 'MX' ? Buffer.concat([Buffer.from([r.pref >> 8, r.pref & 255]), encodeName(r.host)]) : r.type === 'AAAA' ? ipv6Bytes(r.ip) : Buffer.from(r.ip.split('.').map(Number));
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(r.type === 'MX' ? 15 : r.type === 'AAAA' ? 28 : 1, 0);
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

/** Whether a socket can listen on ::1 here (some containers have no IPv6 loopback). */
async function canListenOnIpv6Loopback(): Promise<boolean> {
  const probe = net.createServer();
  const ok = await new Promise<boolean>((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => resolve(true));
  });
  if (ok) await new Promise<void>((r) => probe.close(() => r()));
  return ok;
}
const ipv6 = await canListenOnIpv6Loopback();

/** Connections each listener accepted, by address. */
const accepted = new Map<string, number>();
const acceptedBy = (ip: string): number => accepted.get(ip) ?? 0;

/** A listener on `ip`: each connection gets `script`, or `script(n)` for the n-th (1-based). */
async function listenOn(ip: string, script: Script | ((n: number) => Script), p: number): Promise<void> {
  const srv = net.createServer((sock) => {
    accepted.set(ip, acceptedBy(ip) + 1);
    const s = new ScriptedServer(typeof script === 'function' ? script(acceptedBy(ip)) : script);
    sessions.set(ip, [...(sessions.get(ip) ?? []), s]);
    serveScripted(sock, s);
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
      await listenOn('127.0.0.7', { fail421On: 'MAIL' }, port);
      await listenOn('127.0.0.8', { rcpt: (a) => (a.startsWith('u2') ? '421 4.3.2 going down' : '250 2.1.5 ok') }, port);
      await listenOn('127.0.0.9', { final: '421 4.3.2 cannot queue now' }, port);
      await listenOn('127.0.0.10', { rcpt: () => '452 4.2.2 mailbox full' }, port);
      await listenOn('127.0.0.11', {}, port);
      await listenOn('127.0.0.12', { disconnectOn: 'RCPT' }, port);
      await listenOn('127.0.0.13', { silentOn: 'DATA' }, port);
      await listenOn('127.0.0.14', { disconnectAfterMessage: 1 }, port);
      await listenOn('127.0.0.15', { silentOn: 'QUIT' }, port);
      for (const ip of ['127.0.0.16', '127.0.0.17', '127.0.0.18', '127.0.0.19']) await listenOn(ip, { fail421On: 'MAIL' }, port);
      await listenOn('127.0.0.20', { ehlo: ['PIPELINING', 'LIMITS RCPTMAX=2 MAILMAX=1'], rcpt: (a) => (a.startsWith('no') ? '550 5.1.1 no such mailbox' : '250 2.1.5 ok') }, port);
      await listenOn('127.0.0.21', { ehlo: ['PIPELINING', 'LIMITS RCPTMAX=2 MAILMAX=1'] }, port);
      await listenOn('127.0.0.22', (n) => (n === 1 ? { ehlo: ['PIPELINING', 'LIMITS RCPTMAX=2 MAILMAX=1'], rcpt: () => '550 5.1.1 no such mailbox' } : { ehlo: ['PIPELINING', 'LIMITS RCPTMAX=2 MAILMAX=1'], fail421On: 'MAIL' }), port);
      await listenOn('127.0.0.23', {}, port);
      await listenOn('127.0.0.24', {}, port);
      await listenOn('127.0.0.25', { ehlo: ['PIPELINING', 'XCLIENT ADDR'], xclient: '550 5.7.0 not authorized' }, port);
      await listenOn('127.0.0.26', { ehlo: ['PIPELINING', 'XCLIENT ADDR'] }, port);
      for (const ip of ['127.0.0.27', '127.0.0.28']) await listenOn(ip, { ehlo: ['PIPELINING', 'SIZE 1000000'] }, port);
      await listenOn('127.0.0.29', { ehlo: ['PIPELINING', '8BITMIME', 'SMTPUTF8'] }, port);
      for (const ip of ['127.0.0.31', '127.0.0.32']) await listenOn(ip, { ehlo: ['PIPELINING', '8BITMIME', 'SIZE 20'] }, port);
      if (ipv6) await listenOn('::1', { greeting: '421 4.3.2 busy on IPv6' }, port);
      break;
    } catch (e) {
      for (const s of smtp.splice(0)) s.close();
      accepted.clear();
      if (tries > 5) throw e;
    }
  }
});
afterAll(async () => {
  await Promise.all(smtp.map((s) => new Promise<void>((r) => s.close(() => r()))));
  dnsServer.close();
});

describe('deliver', () => {
  it('tries exchangers in preference order (4xx greeting, refused connection), delivers through the next, groups per domain (a recipient listed twice once)', async () => {
    const r = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['u1@multi.test', 'u2@implicit.test', 'u3@multi.test', 'u1@multi.test'], body: 'Subject: d\r\n\r\nhi\r\n' });
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

  it('a null MX, a missing domain and a 5xx greeting from every exchanger are permanent', async () => {
    const r = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['x@nullmx.test', 'y@nxdomain.test', 'z@closed.test'], body: 'x' });
    expect(r.outcome).toBe('failed');
    expect(r.recipients.map((x) => [x.status, x.permanent, x.errorCode])).toEqual([
      ['rejected', true, 'ERR_SMTP_CLIENT_INVALID_ADDRESS'],
      ['rejected', true, 'ERR_SMTP_CLIENT_INVALID_ADDRESS'],
      ['rejected', true, 'ERR_SMTP_CLIENT_GREETING_REJECTED'],
    ]);
    expect(r.domains.find((d) => d.domain === 'nullmx.test')!.attempts).toEqual([]);
  });

  it('a 5xx greeting refuses that server, not the domain: the next exchanger is tried and takes the message', async () => {
    const r = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['u@closed-then-ok.test'], body: 'x\r\n' });
    expect(r.outcome).toBe('delivered');
    expect(r.recipients.map((x) => [x.address, x.status])).toEqual([['u@closed-then-ok.test', 'accepted']]);
    expect(r.domains[0]!.attempts.map((a) => [a.address, a.code ?? null, a.reply?.code ?? null])).toEqual([
      ['127.0.0.6', 'ERR_SMTP_CLIENT_GREETING_REJECTED', 554],
      ['127.0.0.4', null, null],
    ]);
  });

  it('a 5xx greeting, then an exchanger that could not take the session now: deferred with the last attempt\'s code', async () => {
    const r = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['u@closed-then-busy.test'], body: 'x\r\n' });
    expect(r.outcome).toBe('deferred');
    expect(r.recipients[0]).toMatchObject({ status: 'deferred', transient: true, errorCode: 'ERR_SMTP_CLIENT_GREETING_REJECTED' });
    expect(r.domains[0]!.attempts.map((a) => a.reply?.code)).toEqual([554, 421]);
  });

  it('a 5xx greeting, then a server that refuses the message for want of an extension: every one refused it, rejected for good', async () => {
    const r = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['u@closed-then-7bit.test'], body: 'Subject: 8\r\n\r\nh\u00e9llo\r\n' });
    expect(r.outcome).toBe('failed');
    expect(r.recipients[0]).toMatchObject({ status: 'rejected', permanent: true, errorCode: 'ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE' });
    expect(r.domains[0]!.attempts.map((a) => a.code)).toEqual(['ERR_SMTP_CLIENT_GREETING_REJECTED', 'ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE']);
  });

  it('a null MX beside a real exchanger is not a null MX: deliver and resolveMx both use the exchanger', async () => {
    const r = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['u@mixednull.test'], body: 'x' });
    expect(r.recipients.map((x) => [x.address, x.status])).toEqual([['u@mixednull.test', 'accepted']]);
    expect(r.domains[0]!.attempts.map((a) => a.exchange)).toEqual(['mx-ok.multi.test']);
    const viaTestDns = { resolveMx: (d: string) => resolver.resolveMx(d), lookup: () => Promise.reject(new Error('not used')) } as unknown as Parameters<typeof resolveMx>[1];
    expect(await resolveMx('mixednull.test', viaTestDns)).toEqual([{ exchange: 'mx-ok.multi.test', priority: 10, implicit: false }]);
  });

  it('a 421 at MAIL, at RCPT or after the dot, before the message was accepted, moves on to the next exchanger', async () => {
    // three sessions end in a 421 before the fourth takes the message (maxSessions is 2 by default)
    const r = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, maxSessions: 4, from: 'a@origin.test', to: ['u1@late421.test', 'u2@late421.test'], body: 'Subject: d\r\n\r\nlate\r\n' });
    expect(r.outcome).toBe('delivered');
    expect(r.recipients.map((x) => [x.address, x.status])).toEqual([
      ['u1@late421.test', 'accepted'],
      ['u2@late421.test', 'accepted'],
    ]);
    const d = r.domains[0]!;
    expect(d.attempts.map((a) => [a.address, a.error?.slice(0, 3)])).toEqual([
      ['127.0.0.7', '421'],
      ['127.0.0.8', '421'],
      ['127.0.0.9', '421'],
      ['127.0.0.4', undefined],
    ]);
    expect(sessions.get('127.0.0.9')![0]!.messages).toHaveLength(1); // took the body, then 421: not queued
    expect(sessions.get('127.0.0.4')!.flatMap((s) => s.messages).filter((m) => m.to.includes('u1@late421.test'))).toHaveLength(1);
  });

  it('a connection lost or timed out before the end of data moves on to the next exchanger; lost after the final dot, it does not (maybe queued)', async () => {
    const r = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, timeouts: { dataInit: 200 }, maxSessions: 3, from: 'a@origin.test', to: ['v1@lost.test', 'v2@lost.test'], body: 'Subject: d\r\n\r\nlost\r\n' });
    expect(r.outcome).toBe('delivered');
    expect(r.domains[0]!.attempts.map((a) => [a.address, a.error])).toEqual([
      ['127.0.0.12', 'ERR_SMTP_CLIENT_CONNECTION_LOST'],
      ['127.0.0.13', 'ERR_SMTP_CLIENT_TIMEOUT'],
      ['127.0.0.4', undefined],
    ]);
    expect(sessions.get('127.0.0.4')!.flatMap((s) => s.messages).filter((m) => m.to.includes('v1@lost.test'))).toHaveLength(1);
    const d = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['w1@lostdot.test'], body: 'Subject: d\r\n\r\nlost after the dot\r\n' });
    expect(d.outcome).toBe('unknown');
    expect(d.domains[0]!.attempts.map((a) => a.address)).toEqual(['127.0.0.14']);
    expect(sessions.get('127.0.0.4')!.flatMap((s) => s.messages).filter((m) => m.to.includes('w1@lostdot.test'))).toHaveLength(0);
  });

  it('the result does not wait for the reply to the closing QUIT: a server that never answers it holds up nothing', async () => {
    // a quit timeout of 10 minutes: deliver() waited for it before returning the known result
    const r = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, timeouts: { quit: 600_000 }, from: 'a@origin.test', to: ['q@silentquit.test'], body: 'Subject: d\r\n\r\nquit\r\n' });
    expect(r.outcome).toBe('delivered');
    expect(r.domains[0]!.attempts).toEqual([{ exchange: 'mx.silentquit.test', address: '127.0.0.15' }]);
  }, 15_000);

  it('a streamed body goes no further than the first session that took it (a 421 there leaves it deferred, nothing resent)', async () => {
    const before = sessions.get('127.0.0.8')?.length ?? 0;
    const r = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['s1@late421.test'], body: Readable.from(['Subject: s\r\n\r\nstream\r\n']) });
    expect(r.outcome).toBe('deferred');
    expect(r.recipients[0]).toMatchObject({ address: 's1@late421.test', status: 'deferred' });
    expect(r.domains[0]!.attempts.map((a) => a.address)).toEqual(['127.0.0.7']);
    expect(sessions.get('127.0.0.8')?.length ?? 0).toBe(before); // the next exchanger was never asked
  });

  it('XCLIENT required that an exchanger lacks or refuses (5xx): the next one is tried; when none takes it, the recipients are deferred with the code, the refusal in the attempts', async () => {
    const setup = (c: ClientConnection): void => void c.registerState(xclientState({ ADDR: '192.0.2.1' }, { required: true }), { after: 'starttls' });
    const opts = { resolver, port, security: 'off', connectTimeout: 2000, setup, from: 'a@origin.test', body: 'x' } as const;
    const ok = await deliver({ ...opts, to: ['u@xclient.test'] });
    expect(ok.recipients.map((x) => [x.address, x.status])).toEqual([['u@xclient.test', 'accepted']]);
    // each attempt says why: the code when XCLIENT is not offered, the reply with its enhanced code when refused
    expect(ok.domains[0]!.attempts.map((a) => [a.address, a.error])).toEqual([
      ['127.0.0.24', 'state xclient gave up the session (ERR_SMTP_CLIENT_XCLIENT_UNAVAILABLE)'],
      ['127.0.0.25', 'state xclient gave up the session (ERR_SMTP_CLIENT_PROTOCOL): 550 5.7.0 not authorized'],
      ['127.0.0.26', undefined],
    ]);
    const none = await deliver({ ...opts, to: ['u@noxclient.test'] });
    expect(none.outcome).toBe('deferred');
    expect(none.recipients[0]).toMatchObject({ status: 'deferred', transient: true, permanent: false, errorCode: 'ERR_SMTP_CLIENT_PROTOCOL' });
    expect(none.domains[0]!.attempts.map((a) => a.error)).toEqual([expect.stringContaining('ERR_SMTP_CLIENT_XCLIENT_UNAVAILABLE'), expect.stringContaining('550 5.7.0 not authorized')]);
  });

  it('an exchanger without 8BITMIME, SMTPUTF8 or a SIZE large enough refuses the message locally: that server\'s limit, so the next exchanger takes it', async () => {
    const opts = { resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test' } as const;
    const cases = [
      ['u@eightbit.test', 'Subject: 8\r\n\r\nh\u00e9llo\r\n', '127.0.0.27', '127.0.0.4', 'ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE'],
      ['\u00fc@utf8.test', 'Subject: u\r\n\r\nhello\r\n', '127.0.0.27', '127.0.0.29', 'ERR_SMTP_CLIENT_SMTPUTF8_UNAVAILABLE'],
      ['u@size.test', 'Subject: s\r\n\r\nmore than twenty bytes\r\n', '127.0.0.31', '127.0.0.4', 'ERR_SMTP_CLIENT_MESSAGE_TOO_LARGE'],
    ] as const;
    for (const [to, body, first, second, code] of cases) {
      const before = sessions.get(second)?.length ?? 0;
      const r = await deliver({ ...opts, to: [to], body });
      expect(r.outcome, to).toBe('delivered');
      expect(r.recipients[0]).toMatchObject({ address: to, status: 'accepted' });
      expect(r.domains[0]!.attempts.map((a) => [a.address, a.error])).toEqual([
        [first, expect.stringContaining(code) as unknown],
        [second, undefined],
      ]);
      expect(sessions.get(first)!.at(-1)!.commands.some((c) => c.startsWith('MAIL'))).toBe(false);
      expect(sessions.get(second)!.slice(before).flatMap((x) => x.messages.map((m) => m.to))).toEqual([[to]]);
    }
  });

  it('when every exchanger refuses the message for want of an extension, the refusal stands as it was (rejected for good, its code), every attempt listed', async () => {
    const opts = { resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test' } as const;
    const cases = [
      ['u@no8bit.test', 'Subject: 8\r\n\r\nh\u00e9llo\r\n', ['127.0.0.27', '127.0.0.28'], 'ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE'],
      ['\u00fc@noutf8.test', 'Subject: u\r\n\r\nhello\r\n', ['127.0.0.27', '127.0.0.4'], 'ERR_SMTP_CLIENT_SMTPUTF8_UNAVAILABLE'],
      ['u@nosize.test', 'Subject: s\r\n\r\nmore than twenty bytes\r\n', ['127.0.0.31', '127.0.0.32'], 'ERR_SMTP_CLIENT_MESSAGE_TOO_LARGE'],
    ] as const;
    for (const [to, body, addresses, code] of cases) {
      const r = await deliver({ ...opts, to: [to], body });
      expect(r.outcome, to).toBe('failed');
      expect(r.recipients).toEqual([expect.objectContaining({ address: to, status: 'rejected', permanent: true, transient: false, errorCode: code })]);
      expect(r.domains[0]!.attempts.map((a) => [a.address, a.error])).toEqual(addresses.map((a): unknown[] => [a, expect.stringContaining(code) as unknown]));
      expect(r.domains[0]!.result).toMatchObject({ outcome: 'failed', errorCode: code });
    }
  });

  it('a refusal for want of an extension, then an exchanger that could not be reached: deferred (that one may take it later), with the last failure\'s code', async () => {
    const r = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['u@no8bit-busy.test'], body: 'Subject: 8\r\n\r\nh\u00e9llo\r\n' });
    expect(r.outcome).toBe('deferred');
    expect(r.recipients[0]).toMatchObject({ status: 'deferred', transient: true, errorCode: 'ERR_SMTP_CLIENT_GREETING_REJECTED' });
    expect(r.domains[0]!.attempts.map((a) => [a.address, a.error])).toEqual([
      ['127.0.0.27', expect.stringContaining('ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE')],
      ['127.0.0.2', 'session refused: 421 4.3.2 busy, try another MX'],
    ]);
  });

  it('a session refused for want of an extension is one of maxSessions: two such, and the third exchanger waits for a later try (deferred, the limit named)', async () => {
    const opts = { resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['u@no8bit3.test'], body: 'Subject: 8\r\n\r\nh\u00e9llo\r\n' } as const;
    const r = await deliver(opts);
    expect(r.outcome).toBe('deferred');
    expect(r.recipients[0]).toMatchObject({ status: 'deferred', errorCode: 'ERR_SMTP_CLIENT_MAX_SESSIONS_REACHED' });
    expect(r.domains[0]!.attempts.map((a) => a.address)).toEqual(['127.0.0.27', '127.0.0.28']);
    const more = await deliver({ ...opts, maxSessions: 3 });
    expect(more.outcome).toBe('delivered');
    expect(more.domains[0]!.attempts.map((a) => [a.address, a.error])).toEqual([
      ['127.0.0.27', 'ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE'],
      ['127.0.0.28', 'ERR_SMTP_CLIENT_8BITMIME_UNAVAILABLE'],
      ['127.0.0.4', undefined],
    ]);
  });

  it('STARTTLS required and not offered is that server\'s refusal, as before: every exchanger is tried, then the recipients are deferred with ERR_SMTP_CLIENT_TLS_REQUIRED', async () => {
    const r = await deliver({ resolver, port, security: 'required', connectTimeout: 2000, from: 'a@origin.test', to: ['u@no8bit.test'], body: 'x\r\n' });
    expect(r.outcome).toBe('deferred');
    expect(r.recipients[0]).toMatchObject({ status: 'deferred', transient: true, errorCode: 'ERR_SMTP_CLIENT_TLS_REQUIRED' });
    expect(r.domains[0]!.attempts.map((a) => a.address)).toEqual(['127.0.0.27', '127.0.0.28']);
    expect(r.domains[0]!.attempts.every((a) => a.error !== undefined)).toBe(true);
  });

  it('a refusal that comes from the message itself (a MAIL line past its length bound) is the domain\'s answer: no other exchanger is tried', async () => {
    const before = sessions.get('127.0.0.29')?.length ?? 0;
    const mailArgs = (p: { set(k: string, v: string): void }): void => p.set('X-TRACE', 'a'.repeat(600));
    const r = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['u@toolong.test'], body: 'x\r\n', mailArgs });
    expect(r.outcome).toBe('failed');
    expect(r.recipients[0]).toMatchObject({ status: 'rejected', permanent: true, errorCode: 'ERR_SMTP_CLIENT_COMMAND_TOO_LONG' });
    expect(r.domains[0]!.attempts).toEqual([{ exchange: 'mx-ok.multi.test', address: '127.0.0.4' }]);
    expect(sessions.get('127.0.0.29')?.length ?? 0).toBe(before);
  });

  it('a 452 to each RCPT is those recipients\' result: the next exchanger is not tried', async () => {
    const r = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['f@defer.test'], body: 'x\r\n' });
    expect(r.outcome).toBe('deferred');
    expect(r.recipients[0]).toMatchObject({ status: 'deferred', reply: { code: 452 } });
    expect(r.domains[0]!.attempts).toEqual([{ exchange: 'mx.defer.test', address: '127.0.0.10' }]);
  });

  it.runIf(ipv6)('IPv6 addresses are tried before IPv4 ones (::1 with a 421 greeting, then 127.0.0.11)', async () => {
    const r = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['six@v6.test'], body: 'x\r\n' });
    expect(r.outcome).toBe('delivered');
    expect(r.domains[0]!.attempts.map((a) => [a.address, a.error === undefined])).toEqual([
      ['::1', false],
      ['127.0.0.11', true],
    ]);
    expect(sessions.get('::1')).toHaveLength(1);
  });

  it('one mailbox listed under two spellings of its domain (case; U-labels and A-labels) gets one RCPT in one session; every spelling given finds its result, the one of that RCPT', async () => {
    const before = sessions.get('127.0.0.5')?.length ?? 0;
    const to = ['bob@implicit.test', 'carol@bücher.test', 'bob@IMPLICIT.Test', 'carol@xn--bcher-kva.test', 'Carol@XN--BCHER-KVA.TEST', 'bob@implicit.test'];
    const r = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to, body: 'Subject: d\r\n\r\nonce\r\n' });
    expect(r.outcome).toBe('delivered');
    // one entry per spelling given, in order (the same string twice once); the local part is
    // compared exactly, as the core does: Carol is another mailbox
    expect(r.recipients.map((x) => [x.address, x.status, x.reply?.code])).toEqual([
      ['bob@implicit.test', 'accepted', 250],
      ['carol@bücher.test', 'accepted', 250],
      ['bob@IMPLICIT.Test', 'accepted', 250],
      ['carol@xn--bcher-kva.test', 'accepted', 250],
      ['Carol@XN--BCHER-KVA.TEST', 'accepted', 250],
    ]);
    // a lookup by any spelling given finds a result (it was: undefined for the second spellings)
    const by = new Map(r.recipients.map((x) => [x.address, x]));
    for (const a of to) expect(by.get(a)?.status).toBe('accepted');
    expect(by.get('bob@IMPLICIT.Test')).toEqual({ ...by.get('bob@implicit.test'), address: 'bob@IMPLICIT.Test' });
    // the domains' lists too: one entry per spelling of that domain's recipients, in order
    expect(r.domains.map((d) => [d.domain, d.recipients.map((x) => x.address)])).toEqual([
      ['implicit.test', ['bob@implicit.test', 'bob@IMPLICIT.Test']],
      ['bücher.test', ['carol@bücher.test', 'carol@xn--bcher-kva.test', 'Carol@XN--BCHER-KVA.TEST']],
    ]);
    // still one RCPT per mailbox, under its first spelling (in A-labels on the wire)
    const sent = sessions.get('127.0.0.5')!.slice(before).flatMap((s) => s.messages.map((m) => m.to.join(' ')));
    expect(sent.sort()).toEqual(['bob@implicit.test', 'carol@xn--bcher-kva.test Carol@XN--BCHER-KVA.TEST']);
    // a reply other than 250 is reported as it came, for each spelling, never as an invented lost connection
    const d = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['f@defer.test', 'f@DEFER.TEST'], body: 'x\r\n' });
    expect(d.outcome).toBe('deferred');
    expect(d.recipients.map((x) => [x.address, x.status, x.reply?.code])).toEqual([
      ['f@defer.test', 'deferred', 452],
      ['f@DEFER.TEST', 'deferred', 452],
    ]);
    expect(d.recipients.map((x) => x.errorCode)).not.toContain('ERR_SMTP_CLIENT_CONNECTION_LOST');
    expect(sessions.get('127.0.0.10')!.at(-1)!.commands.filter((c) => c.startsWith('RCPT'))).toEqual(['RCPT TO:<f@defer.test>']);
  });

  it('a mailbox given twice whose domain fails before any session (null MX) has the failure under each spelling', async () => {
    const r = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['n@nullmx.test', 'n@NULLMX.test'], body: 'x' });
    expect(r.recipients.map((x) => [x.address, x.status, x.errorCode])).toEqual([
      ['n@nullmx.test', 'rejected', 'ERR_SMTP_CLIENT_INVALID_ADDRESS'],
      ['n@NULLMX.test', 'rejected', 'ERR_SMTP_CLIENT_INVALID_ADDRESS'],
    ]);
  });

  it('recipients LIMITS MAILMAX left untried go on new connections to the same exchanger: each delivered once, one result, refused ones never sent again', async () => {
    const to = ['l1@limits.test', 'no2@limits.test', 'l3@limits.test', 'l4@limits.test', 'l5@limits.test'];
    const r = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to, body: 'Subject: l\r\n\r\nfive\r\n' });
    // it was: partial, l3..l5 deferred with ERR_SMTP_CLIENT_MAILMAX_REACHED after one connection
    expect(r.outcome).toBe('partial');
    expect(r.recipients.map((x) => [x.address, x.status, x.transaction])).toEqual([
      ['l1@limits.test', 'accepted', 0],
      ['no2@limits.test', 'rejected', 0],
      ['l3@limits.test', 'accepted', 1],
      ['l4@limits.test', 'accepted', 1],
      ['l5@limits.test', 'accepted', 2],
    ]);
    const d = r.domains[0]!;
    expect(d.result).toMatchObject({ outcome: 'partial', accepted: ['l1@limits.test', 'l3@limits.test', 'l4@limits.test', 'l5@limits.test'], rejected: ['no2@limits.test'], deferred: [], transactions: 3 });
    expect(d.attempts).toEqual(Array(3).fill({ exchange: 'limits.test', address: '127.0.0.20' }));
    const here = sessions.get('127.0.0.20')!;
    expect(here.map((s) => s.messages.map((m) => m.to))).toEqual([[['l1@limits.test']], [['l3@limits.test', 'l4@limits.test']], [['l5@limits.test']]]);
    expect(here.flatMap((s) => s.commands.filter((c) => c.startsWith('RCPT')))).toHaveLength(5);
  });

  it('the connections carrying on recipients LIMITS MAILMAX left untried go to an address already tried: not one more of maxAddresses, every recipient delivered once', async () => {
    // seven recipients, two per connection: four connections to the same address deliver them all
    const to = [1, 2, 3, 4, 5, 6, 7].map((i) => `c${i}@count.test`);
    const body = 'Subject: c\r\n\r\ncounted\r\n';
    let before = acceptedBy('127.0.0.21');
    const one = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, maxAddresses: 1, from: 'a@origin.test', to, body });
    expect(acceptedBy('127.0.0.21') - before).toBe(4);
    expect(one.outcome).toBe('delivered');
    expect(one.recipients.map((x) => [x.address, x.status])).toEqual(to.map((a) => [a, 'accepted']));
    expect(one.domains[0]!.attempts).toEqual(Array(4).fill({ exchange: 'count.test', address: '127.0.0.21' }));
    // an address refused before counts (one of maxAddresses: 2), the carry-over on the next does not
    before = acceptedBy('127.0.0.21');
    const behind = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, maxAddresses: 2, from: 'a@origin.test', to: to.map((a) => a.replace('count.test', 'count-behind.test')), body });
    expect(acceptedBy('127.0.0.21') - before).toBe(4);
    expect(behind.domains[0]!.attempts.map((a) => [a.address, a.error === undefined])).toEqual([
      ['127.0.0.30', false],
      ['127.0.0.21', true],
      ['127.0.0.21', true],
      ['127.0.0.21', true],
      ['127.0.0.21', true],
    ]);
    expect(behind.recipients.every((x) => x.status === 'accepted')).toBe(true);
  });

  it('a carry-over connection that takes the session and then says 421 is a session without the message: it counts toward maxSessions', async () => {
    const before = [acceptedBy('127.0.0.22'), acceptedBy('127.0.0.16'), acceptedBy('127.0.0.4')];
    // the first connection refuses k1 and k2 (550) and leaves k3 at MAILMAX; the one carrying k3 on
    // says 421 to MAIL: two sessions that did not take the message, the default maxSessions
    const r = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['k1@carry421.test', 'k2@carry421.test', 'k3@carry421.test'], body: 'Subject: k\r\n\r\n421\r\n' });
    // it was: the carry-over counted toward neither limit, so the next exchanger took a third session
    expect([acceptedBy('127.0.0.22'), acceptedBy('127.0.0.16'), acceptedBy('127.0.0.4')].map((n, i) => n - before[i]!)).toEqual([2, 0, 0]);
    expect(r.domains[0]!.attempts.map((a) => [a.address, a.error?.slice(0, 3)])).toEqual([
      ['127.0.0.22', undefined],
      ['127.0.0.22', '421'],
    ]);
    expect(r.recipients.map((x) => [x.address, x.status, x.errorCode])).toEqual([
      ['k1@carry421.test', 'rejected', undefined],
      ['k2@carry421.test', 'rejected', undefined],
      ['k3@carry421.test', 'deferred', 'ERR_SMTP_CLIENT_MAX_SESSIONS_REACHED'],
    ]);
    expect(r.recipients[2]!.reply?.code).toBe(421);
  });

  it('a stream body for several domains is refused before any lookup', async () => {
    await expect(deliver({ resolver, port, from: 'a@o.test', to: ['a@multi.test', 'b@implicit.test'], body: Readable.from(['x']) })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_PARAMETER' });
  });
});

describe('deliver: the addresses tried per domain are bounded (maxAddresses, RFC 5321 §5.1)', () => {
  // A domain whose DNS lists 4 exchangers of 3 addresses each, none of them taking connections.
  let refusedPort = 0;
  let looked: string[] = [];
  const many: MxResolver = {
    resolveMx: () => Promise.resolve(Array.from({ length: 4 }, (_, i) => ({ exchange: `mx${i}.many.test`, priority: 10 * (i + 1) }))),
    resolve4: (host: string) => {
      looked.push(host);
      const i = Number(host.slice(2, host.indexOf('.')));
      return Promise.resolve([1, 2, 3].map((k) => `127.0.${20 + i}.${k}`));
    },
    resolve6: () => Promise.resolve([]),
  } as unknown as MxResolver;
  beforeAll(async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '0.0.0.0', r));
    refusedPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
  });
  const send = (extra: object = {}) => deliver({ resolver: many, port: refusedPort, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['x@many.test', 'y@many.test'], body: 'x\r\n', ...extra });

  it('5 addresses by default, over the exchangers in order; the recipients left are deferred with ERR_SMTP_CLIENT_MAX_ADDRESSES_REACHED', async () => {
    looked = [];
    const r = await send();
    const d = r.domains[0]!;
    // it was: all 12 addresses, each for up to a whole connectTimeout
    expect(d.attempts.map((a) => a.address)).toEqual(['127.0.20.1', '127.0.20.2', '127.0.20.3', '127.0.21.1', '127.0.21.2']);
    expect(d.attempts.every((a) => a.error !== undefined)).toBe(true);
    expect(looked).toEqual(['mx0.many.test', 'mx1.many.test']);
    expect(r.outcome).toBe('deferred');
    expect(r.recipients.map((x) => [x.address, x.status, x.transient, x.errorCode])).toEqual([
      ['x@many.test', 'deferred', true, 'ERR_SMTP_CLIENT_MAX_ADDRESSES_REACHED'],
      ['y@many.test', 'deferred', true, 'ERR_SMTP_CLIENT_MAX_ADDRESSES_REACHED'],
    ]);
  });

  it('maxAddresses sets the limit (Infinity: none); a domain whose addresses all fit keeps the last failure as its code', async () => {
    expect((await send({ maxAddresses: 2 })).domains[0]!.attempts).toHaveLength(2);
    const all = await send({ maxAddresses: Infinity });
    expect(all.domains[0]!.attempts).toHaveLength(12);
    expect(all.recipients[0]!.errorCode).toBe('ERR_SMTP_CLIENT_CONNECTION_LOST');
    const exact = await send({ maxAddresses: 12 });
    expect(exact.domains[0]!.attempts).toHaveLength(12);
    expect(exact.recipients[0]!.errorCode).toBe('ERR_SMTP_CLIENT_CONNECTION_LOST');
  });

  it('sessions that ended before the message was accepted count too: the recipients still deferred name the limit, with the last reply kept', async () => {
    // late421.test: a 421 at MAIL, at RCPT (to u2...), after the dot, then a server that takes it
    const r = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, maxAddresses: 2, from: 'a@origin.test', to: ['u2a@late421.test', 'u2b@late421.test'], body: 'Subject: d\r\n\r\nlimit\r\n' });
    expect(r.domains[0]!.attempts.map((a) => a.address)).toEqual(['127.0.0.7', '127.0.0.8']);
    expect(r.outcome).toBe('deferred');
    expect(r.recipients.map((x) => [x.status, x.errorCode])).toEqual([
      ['deferred', 'ERR_SMTP_CLIENT_MAX_ADDRESSES_REACHED'],
      ['deferred', 'ERR_SMTP_CLIENT_MAX_ADDRESSES_REACHED'],
    ]);
    expect(r.recipients[0]!.reply?.code).toBe(421);
  });

  it('a maxAddresses that is not an integer >= 1 (or Infinity) is refused before any lookup', async () => {
    for (const bad of [0, -1, 1.5, NaN, '5']) {
      await expect(send({ maxAddresses: bad })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_OPTION', message: expect.stringMatching(/^maxAddresses/) });
    }
  });
});

describe('deliver: the sessions tried per domain are bounded (maxSessions, as Postfix smtp_mx_session_limit)', () => {
  /** Two recipients, `<local>1@<domain>` and `<local>2@<domain>`. */
  const send = (local: string, domain: string, extra: object = {}) => deliver({ resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: [`${local}1@${domain}`, `${local}2@${domain}`], body: 'Subject: s\r\n\r\nsessions\r\n', ...extra });
  const mails = (ip: string): number => (sessions.get(ip) ?? []).flatMap((x) => x.commands).filter((c) => c.startsWith('MAIL')).length;
  const before = (): number[] => ['127.0.0.16', '127.0.0.17', '127.0.0.18', '127.0.0.19'].map(mails);

  it('2 sessions by default: exchangers that each take the session and then say 421 to MAIL are tried on exactly 2; the recipients left are deferred with ERR_SMTP_CLIENT_MAX_SESSIONS_REACHED', async () => {
    const was = before();
    const r = await send('s', 'sessions.test');
    const d = r.domains[0]!;
    // it was: all four, each a whole session
    expect(d.attempts.map((a) => a.address)).toEqual(['127.0.0.16', '127.0.0.17']);
    expect(d.attempts.every((a) => a.error?.startsWith('421'))).toBe(true);
    expect(before().map((n, i) => n - was[i]!)).toEqual([1, 1, 0, 0]);
    expect(r.outcome).toBe('deferred');
    expect(r.recipients.map((x) => [x.address, x.status, x.transient, x.errorCode, x.reply?.code])).toEqual([
      ['s1@sessions.test', 'deferred', true, 'ERR_SMTP_CLIENT_MAX_SESSIONS_REACHED', 421],
      ['s2@sessions.test', 'deferred', true, 'ERR_SMTP_CLIENT_MAX_SESSIONS_REACHED', 421],
    ]);
  });

  it('maxSessions: 3 tries 3 of them; Infinity all, and the last failure stays the code when every exchanger was tried', async () => {
    const three = await send('t', 'sessions.test', { maxSessions: 3 });
    expect(three.domains[0]!.attempts.map((a) => a.address)).toEqual(['127.0.0.16', '127.0.0.17', '127.0.0.18']);
    expect(three.recipients[0]!.errorCode).toBe('ERR_SMTP_CLIENT_MAX_SESSIONS_REACHED');
    const all = await send('u', 'sessions.test', { maxSessions: Infinity });
    expect(all.domains[0]!.attempts).toHaveLength(4);
    expect(all.recipients[0]).toMatchObject({ status: 'deferred', reply: { code: 421 } });
    expect(all.recipients[0]!.errorCode).not.toBe('ERR_SMTP_CLIENT_MAX_SESSIONS_REACHED');
  });

  it('an address that refuses the connection, or refuses the session at the greeting, is no session: 2 sessions still follow', async () => {
    const r = await send('v', 'refusals.test');
    expect(r.domains[0]!.attempts.map((a) => [a.address, a.error?.slice(0, 3)])).toEqual([
      ['127.0.0.30', expect.any(String)],
      ['127.0.0.2', expect.any(String)],
      ['127.0.0.16', '421'],
      ['127.0.0.17', '421'],
    ]);
    expect(r.recipients.map((x) => x.errorCode)).toEqual(['ERR_SMTP_CLIENT_MAX_SESSIONS_REACHED', 'ERR_SMTP_CLIENT_MAX_SESSIONS_REACHED']);
  });

  it('maxAddresses still counts every address, sessions or not: the one reached first names the stop', async () => {
    const r = await send('w', 'refusals.test', { maxAddresses: 3 });
    expect(r.domains[0]!.attempts.map((a) => a.address)).toEqual(['127.0.0.30', '127.0.0.2', '127.0.0.16']);
    expect(r.recipients[0]!.errorCode).toBe('ERR_SMTP_CLIENT_MAX_ADDRESSES_REACHED');
  });

  it('a maxSessions that is not an integer >= 1 (or Infinity) is refused before any lookup', async () => {
    for (const bad of [0, -1, 1.5, NaN, '2', null]) {
      await expect(send('x', 'sessions.test', { maxSessions: bad })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_OPTION', message: expect.stringMatching(/^maxSessions/) });
    }
  });
});

/** The test resolver, recording each name asked for in `asked`; address lookups of `fail` get SERVFAIL. */
function spy(asked: string[], fail?: string): MxResolver {
  const addresses = (type: 'A' | 'AAAA', d: string): Promise<string[]> => {
    asked.push(`${type} ${d}`);
    if (fail === d) return Promise.reject(Object.assign(new Error(`query${type} ESERVFAIL`), { code: 'ESERVFAIL' }));
    return type === 'A' ? resolver.resolve4(d) : resolver.resolve6(d);
  };
  const lookups = {
    resolveMx: (d: string) => (asked.push(`MX ${d}`), resolver.resolveMx(d)),
    resolve4: (d: string) => addresses('A', d),
    resolve6: (d: string) => addresses('AAAA', d),
  };
  return lookups as unknown as MxResolver;
}

describe('deliver: address literals, and domains whose exchangers have no address', () => {

  it('an address-literal recipient (RFC 5321 §4.1.3) goes to that address with no DNS lookup; a literal that names no address fails for good', async () => {
    const asked: string[] = [];
    const before = sessions.get('127.0.0.4')?.length ?? 0;
    const to = ['lit@[127.0.0.4]', 'tag@[x-tag:whatever]'];
    const r = await deliver({ resolver: spy(asked), port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to, body: 'x\r\n' });
    expect(asked).toEqual([]);
    expect(r.recipients.map((x) => [x.address, x.status, x.errorCode])).toEqual([
      ['lit@[127.0.0.4]', 'accepted', undefined],
      ['tag@[x-tag:whatever]', 'rejected', 'ERR_SMTP_CLIENT_INVALID_ADDRESS'],
    ]);
    expect(r.domains[0]!.attempts).toEqual([{ exchange: '[127.0.0.4]', address: '127.0.0.4' }]);
    expect(sessions.get('127.0.0.4')!.slice(before).flatMap((s) => s.messages.map((m) => m.to))).toEqual([['lit@[127.0.0.4]']]);
  });

  it.runIf(ipv6)('an IPv6 address literal goes to that address (::1 with a 421 greeting: deferred)', async () => {
    const asked: string[] = [];
    const r = await deliver({ resolver: spy(asked), port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['v6@[IPv6:::1]'], body: 'x\r\n' });
    expect(asked).toEqual([]);
    expect(r.recipients[0]).toMatchObject({ status: 'deferred', errorCode: 'ERR_SMTP_CLIENT_GREETING_REJECTED' });
    expect(r.domains[0]!.attempts.map((a) => [a.exchange, a.address, a.error?.includes('421')])).toEqual([['[ipv6:::1]', '::1', true]]);
  });

  it('no MX and no address, or MX hosts none of which has an address, is a permanent failure (RFC 5321 §5.1); a DNS failure is not', async () => {
    const r = await deliver({ resolver, port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['n@noaddr.test', 'd@deadmx.test'], body: 'x\r\n' });
    expect(r.outcome).toBe('failed');
    expect(r.recipients.map((x) => [x.address, x.status, x.permanent, x.errorCode])).toEqual([
      ['n@noaddr.test', 'rejected', true, 'ERR_SMTP_CLIENT_INVALID_ADDRESS'],
      ['d@deadmx.test', 'rejected', true, 'ERR_SMTP_CLIENT_INVALID_ADDRESS'],
    ]);
    expect(r.domains.map((d) => d.attempts)).toEqual([[], []]);
    // a lookup that failed (SERVFAIL) proves nothing: deferred, to be tried again
    const asked: string[] = [];
    const t = await deliver({ resolver: spy(asked, 'noaddr.test'), port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['n@noaddr.test'], body: 'x\r\n' });
    expect(t.recipients[0]).toMatchObject({ status: 'deferred', transient: true });
    expect(asked).toContain('A noaddr.test');
  });
});

describe('deliver: isAllowedAddress, asked for every address before it is dialled', () => {
  const msg = { port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', body: 'x\r\n' } as const;

  it('an address it refuses is not dialled and is recorded; when every address of every exchanger is refused, the recipients fail for good (ERR_SMTP_CLIENT_ADDRESS_REFUSED)', async () => {
    const asked: string[] = [];
    const before = acceptedBy('127.0.0.23');
    const beforeOk = acceptedBy('127.0.0.4');
    const r = await deliver({ ...msg, port, resolver: spy(asked), to: ['u@inward.test', 'v@inward.test'], isAllowedAddress: (address, exchange) => (asked.push(`ask ${address} ${exchange}`), false) });
    expect(r.outcome).toBe('failed');
    expect(r.recipients.map((x) => [x.address, x.status, x.permanent, x.errorCode])).toEqual([
      ['u@inward.test', 'rejected', true, 'ERR_SMTP_CLIENT_ADDRESS_REFUSED'],
      ['v@inward.test', 'rejected', true, 'ERR_SMTP_CLIENT_ADDRESS_REFUSED'],
    ]);
    expect(r.domains[0]!.attempts).toEqual([
      { exchange: 'mx.inward.test', address: '127.0.0.23', error: 'refused by isAllowedAddress: not dialled', code: 'ERR_SMTP_CLIENT_ADDRESS_REFUSED' },
      { exchange: 'mx-ok.multi.test', address: '127.0.0.4', error: 'refused by isAllowedAddress: not dialled', code: 'ERR_SMTP_CLIENT_ADDRESS_REFUSED' },
    ]);
    expect(asked.filter((a) => a.startsWith('ask'))).toEqual(['ask 127.0.0.23 mx.inward.test', 'ask 127.0.0.4 mx-ok.multi.test']);
    expect(acceptedBy('127.0.0.23')).toBe(before);
    expect(acceptedBy('127.0.0.4')).toBe(beforeOk);
  });

  it('a refused address is no address of its exchanger and not one of maxAddresses: the next exchanger takes the message; allowed, the address is dialled as before', async () => {
    const before = sessions.get('127.0.0.23')?.length ?? 0;
    const r = await deliver({ ...msg, port, resolver, maxAddresses: 1, to: ['u@inward.test'], isAllowedAddress: (address) => address !== '127.0.0.23' });
    expect(r.outcome).toBe('delivered');
    expect(r.domains[0]!.attempts).toEqual([
      { exchange: 'mx.inward.test', address: '127.0.0.23', error: 'refused by isAllowedAddress: not dialled', code: 'ERR_SMTP_CLIENT_ADDRESS_REFUSED' },
      { exchange: 'mx-ok.multi.test', address: '127.0.0.4' },
    ]);
    expect(sessions.get('127.0.0.23')?.length ?? 0).toBe(before);
    const allowed = await deliver({ ...msg, port, resolver, to: ['u@inward.test'], isAllowedAddress: () => true });
    expect(allowed.outcome).toBe('delivered');
    expect(allowed.domains[0]!.attempts).toEqual([{ exchange: 'mx.inward.test', address: '127.0.0.23' }]);
    expect(sessions.get('127.0.0.23')!.slice(before).flatMap((s) => s.messages.map((m) => m.to))).toEqual([['u@inward.test']]);
  });

  it('an address-literal recipient is asked for too: refused, nothing is dialled and it fails for good', async () => {
    const asked: string[] = [];
    const before = acceptedBy('127.0.0.23');
    const seen: string[][] = [];
    const r = await deliver({ ...msg, port, resolver: spy(asked), to: ['lit@[127.0.0.23]'], isAllowedAddress: (address, exchange) => (seen.push([address, exchange]), false) });
    expect(asked).toEqual([]);
    expect(seen).toEqual([['127.0.0.23', '[127.0.0.23]']]);
    expect(r.recipients[0]).toMatchObject({ status: 'rejected', permanent: true, errorCode: 'ERR_SMTP_CLIENT_ADDRESS_REFUSED' });
    expect(r.domains[0]!.attempts).toEqual([{ exchange: '[127.0.0.23]', address: '127.0.0.23', error: 'refused by isAllowedAddress: not dialled', code: 'ERR_SMTP_CLIENT_ADDRESS_REFUSED' }]);
    expect(acceptedBy('127.0.0.23')).toBe(before);
  });

  it('a predicate that throws, or answers anything but true, refuses the address (fail closed); a throw defers (the policy failed, not the domain), its error in the attempt', async () => {
    const before = acceptedBy('127.0.0.23');
    const r = await deliver({ ...msg, port, resolver, to: ['lit@[127.0.0.23]'], isAllowedAddress: () => { throw new Error('policy store down'); } });
    expect(r.recipients[0]).toMatchObject({ status: 'deferred', permanent: false, transient: true, errorCode: 'ERR_SMTP_CLIENT_ADDRESS_REFUSED' });
    expect(r.domains[0]!.attempts).toEqual([{ exchange: '[127.0.0.23]', address: '127.0.0.23', error: 'refused by isAllowedAddress: it threw Error: policy store down', code: 'ERR_SMTP_CLIENT_ADDRESS_REFUSED' }]);
    // a promise (an async predicate) is no answer
    const t = await deliver({ ...msg, port, resolver, to: ['lit@[127.0.0.23]'], isAllowedAddress: (() => Promise.resolve(true)) as unknown as () => boolean });
    expect(t.recipients[0]).toMatchObject({ status: 'rejected', errorCode: 'ERR_SMTP_CLIENT_ADDRESS_REFUSED' });
    expect(acceptedBy('127.0.0.23')).toBe(before);
  });

  it('a refusal has its own code, apart from a domain with no usable address: exchangers with no address and one refused fail with ERR_SMTP_CLIENT_ADDRESS_REFUSED; with no address at all, ERR_SMTP_CLIENT_INVALID_ADDRESS', async () => {
    const r = await deliver({ ...msg, port, resolver, to: ['h@halfinward.test', 'd@deadmx.test'], isAllowedAddress: () => false });
    expect(r.recipients.map((x) => [x.address, x.status, x.permanent, x.errorCode])).toEqual([
      ['h@halfinward.test', 'rejected', true, 'ERR_SMTP_CLIENT_ADDRESS_REFUSED'],
      ['d@deadmx.test', 'rejected', true, 'ERR_SMTP_CLIENT_INVALID_ADDRESS'],
    ]);
    expect(r.domains.map((d) => d.attempts)).toEqual([[{ exchange: 'mx.inward.test', address: '127.0.0.23', error: 'refused by isAllowedAddress: not dialled', code: 'ERR_SMTP_CLIENT_ADDRESS_REFUSED' }], []]);
  });

  it("every address the policy allows none of, while another exchanger's lookup failed: deferred, the failed lookup (ERR_SMTP_CLIENT_CONNECTION_LOST) named as the reason to retry, the refusal kept in attempts", async () => {
    // inward.test: mx.inward.test (127.0.0.23, refused by publicAddressesOnly), then mx-ok.multi.test,
    // whose lookup fails; halfinward.test: gone.deadmx.test, whose lookup fails, then mx.inward.test
    for (const [to, fail] of [['u@inward.test', 'mx-ok.multi.test'], ['h@halfinward.test', 'gone.deadmx.test']] as const) {
      const asked: string[] = [];
      const before = acceptedBy('127.0.0.23');
      const r = await deliver({ ...msg, port, resolver: spy(asked, fail), to: [to], isAllowedAddress: publicAddressesOnly });
      expect(asked).toContain(`A ${fail}`);
      expect(r.outcome).toBe('deferred');
      expect(r.recipients[0]).toMatchObject({ address: to, status: 'deferred', transient: true, permanent: false, errorCode: 'ERR_SMTP_CLIENT_CONNECTION_LOST' });
      expect(r.domains[0]!.attempts).toEqual([{ exchange: 'mx.inward.test', address: '127.0.0.23', error: 'refused by isAllowedAddress: not dialled', code: 'ERR_SMTP_CLIENT_ADDRESS_REFUSED' }]);
      expect(acceptedBy('127.0.0.23')).toBe(before);
    }
    // the same policy, every lookup answered: the refusal is the answer, for good
    const r = await deliver({ ...msg, port, resolver, to: ['h@halfinward.test'], isAllowedAddress: publicAddressesOnly });
    expect(r.recipients[0]).toMatchObject({ status: 'rejected', permanent: true, errorCode: 'ERR_SMTP_CLIENT_ADDRESS_REFUSED' });
  });

  it('once an address was dialled, its failure names the deferral, not the refusals after it', async () => {
    // 127.0.0.30 refuses the connection; every other exchanger of refusals.test is refused by the policy
    const r = await deliver({ ...msg, port, resolver, to: ['r@refusals.test'], isAllowedAddress: (address) => address === '127.0.0.30' });
    expect(r.recipients[0]).toMatchObject({ status: 'deferred', errorCode: 'ERR_SMTP_CLIENT_CONNECTION_LOST' });
    expect(r.domains[0]!.attempts.map((a) => [a.address, a.error?.startsWith('refused by isAllowedAddress')])).toEqual([
      ['127.0.0.30', false],
      ['127.0.0.2', true],
      ['127.0.0.16', true],
      ['127.0.0.17', true],
      ['127.0.0.18', true],
    ]);
  });

  it('an isAllowedAddress that is not a function is refused before any lookup', async () => {
    const asked: string[] = [];
    for (const bad of [true, 'public', {}]) {
      await expect(deliver({ ...msg, port, resolver: spy(asked), to: ['u@inward.test'], isAllowedAddress: bad as unknown as () => boolean })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_OPTION', message: expect.stringMatching(/^isAllowedAddress/) });
    }
    expect(asked).toEqual([]);
  });
});

describe('deliver: the envelope is checked before anything is looked up or sent', () => {
  it('a recipient or sender send() would refuse throws ERR_SMTP_CLIENT_INVALID_ADDRESS before any DNS query or connection, as send() does', async () => {
    const asked: string[] = [];
    const before = sessions.get('127.0.0.4')?.length ?? 0;
    // the other domain was delivered before the refusal escaped: a caller retrying would send it twice
    await expect(deliver({ resolver: spy(asked), port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: ['once@mx-ok.multi.test', 'x@-bad.test'], body: 'x\r\n' })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_ADDRESS', message: expect.stringContaining('to[1]') });
    for (const to of ['u@', 'u@a..b', 'u@exa mple.test', 'u@[300.1.2.3]', 'u@[IPv6:127.0.0.4]']) {
      await expect(deliver({ resolver: spy(asked), port, security: 'off', connectTimeout: 2000, from: 'a@origin.test', to: [to], body: 'x\r\n' }), to).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_ADDRESS' });
    }
    await expect(deliver({ resolver: spy(asked), port, security: 'off', connectTimeout: 2000, from: 'a@-bad.test', to: ['u@mx-ok.multi.test'], body: 'x\r\n' })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_INVALID_ADDRESS', message: expect.stringContaining('from') });
    expect(asked).toEqual([]);
    expect(sessions.get('127.0.0.4')?.length ?? 0).toBe(before);
  });
});
