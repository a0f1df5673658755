// smtp-client-fsm/node and `smtp send` against two independently written servers besides Postfix:
// Python aiosmtpd (its LMTP class and its SMTP class) and the smtp-server npm package (SMTP and
// LMTP). LMTP with one reply per accepted recipient after the body (250, 452, 552), RCPT refusals,
// 4xx/5xx at the final dot, a server without PIPELINING or SMTPUTF8, SIZE declared and discovered,
// 421 at the greeting and at RCPT, and a server that closes an idle connection. Each server records
// the recipients it delivered; the client's statuses must match them exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerOptions } from 'smtp-server';
import { connect, sendMail } from 'smtp-client-fsm/node';
import type { SendResult } from 'smtp-client-fsm/node';
import type { TranscriptEntry } from 'smtp-client-fsm';
import { freePort } from '@smtpkit/testkit';
import { runCli } from '../../cli/src/run-cli.js';
import { pythonServeTail, startPython } from '../../cli/src/testing/peers.js';
import type { Running } from '../../cli/src/testing/peers.js';

const PY = '/usr/bin/python3';
const available = existsSync(PY);
const B = 'Subject: hi\r\n\r\nhello\r\n';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Recipients: bad* refused at RCPT (550); after the body, full* get 452 4.2.2, over* 552 5.2.2,
// the rest 250 and are recorded as delivered. Subjects "reject-5" / "reject-4" refuse a whole
// SMTP message at the dot (554 / 451).
const SERVER = String.raw`
import asyncio, json, os, sys
from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP

out, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
n = [0]

def record(envelope, delivered):
    n[0] += 1
    with open(os.path.join(out, '%04d.json' % n[0]), 'w') as f:
        json.dump({'from': envelope.mail_from, 'delivered': delivered}, f)

class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith('bad'):
            return '550 5.1.1 no such user'
        envelope.rcpt_tos.append(address)
        return '250 2.1.5 OK'
    async def handle_DATA(self, server, session, envelope):
        if mode == 'smtp':
            if b'Subject: reject-5' in envelope.original_content:
                return '554 5.6.0 content refused'
            if b'Subject: reject-4' in envelope.original_content:
                return '451 4.3.0 try again later'
            record(envelope, envelope.rcpt_tos)
            return '250 2.0.0 queued'
        replies, delivered = [], []
        for r in envelope.rcpt_tos:
            if r.startswith('full'):
                replies.append('452 4.2.2 <%s> mailbox full' % r)
            elif r.startswith('over'):
                replies.append('552 5.2.2 <%s> over quota' % r)
            else:
                replies.append('250 2.0.0 <%s> delivered' % r)
                delivered.append(r)
        record(envelope, delivered)
        return '\r\n'.join(replies)

class C(Controller):
    def factory(self):
        return LMTP(self.handler) if mode == 'lmtp' else SMTP(self.handler, timeout=1)

c = C(Handler(), hostname='127.0.0.1', port=port)
${pythonServeTail()}`;

let work = '';
const children: Running[] = [];

async function startAiosmtpd(mode: 'lmtp' | 'smtp'): Promise<{ port: number; delivered: () => { from: string; delivered: string[] }[] }> {
  const out = mkdtempSync(join(work, `${mode}-`));
  const port = await freePort();
  children.push(await startPython(join(work, 'server.py'), [out, String(port), mode], port));
  const delivered = (): { from: string; delivered: string[] }[] =>
    readdirSync(out)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')) as { from: string; delivered: string[] });
  return { port, delivered };
}

/** smtp-server on a free loopback port; records each delivered envelope. */
async function startSmtpServer(options: SMTPServerOptions, lmtpReplies = false): Promise<{ port: number; delivered: { from: string; delivered: string[] }[]; close: () => Promise<void> }> {
  const delivered: { from: string; delivered: string[] }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(a, _s, cb) {
      if (a.address.startsWith('bad')) return cb(Object.assign(new Error('no such user'), { responseCode: 550 }));
      if (a.address.startsWith('bye')) return cb(Object.assign(new Error('closing now'), { responseCode: 421 }));
      return cb();
    },
    onData(stream, session, cb) {
      const parts: Buffer[] = [];
      stream.on('data', (d: Buffer) => parts.push(d));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) return cb(Object.assign(new Error('message too big'), { responseCode: 552 }));
        if (!lmtpReplies) {
          delivered.push({ from, delivered: to });
          return cb();
        }
        const replies = to.map((r) => (r.startsWith('full') ? Object.assign(new Error('mailbox full'), { responseCode: 452 }) : r.startsWith('over') ? Object.assign(new Error('over quota'), { responseCode: 552 }) : `<${r}> delivered`));
        delivered.push({ from, delivered: to.filter((r) => !r.startsWith('full') && !r.startsWith('over')) });
        (cb as unknown as (e: null, replies: (string | Error)[]) => void)(null, replies);
      });
    },
    ...options,
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.server.address() as AddressInfo).port, delivered, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function recorder(): { lines: string[]; transcript: (e: TranscriptEntry) => void } {
  const lines: string[] = [];
  return { lines, transcript: (e) => lines.push(`${e.direction === 'client' ? 'C' : 'S'}: ${e.line}`) };
}

/** What the result says was accepted is exactly what the server recorded as delivered. */
function agrees(r: SendResult, record: { delivered: string[] } | undefined): void {
  expect(r.accepted).toEqual(record?.delivered ?? []);
  expect(r.unknown).toEqual([]);
}

const LMTP_TO = ['ok1@x.test', 'full@x.test', 'bad@x.test', 'over@x.test', 'ok2@x.test'];
const LMTP_WANT = [
  ['ok1@x.test', 'accepted', 250],
  ['full@x.test', 'deferred', 452],
  ['bad@x.test', 'rejected', 550],
  ['over@x.test', 'rejected', 552],
  ['ok2@x.test', 'accepted', 250],
];

beforeAll(() => {
  if (!available) return;
  work = mkdtempSync(join(tmpdir(), 'client-lmtp-peers-'));
  writeFileSync(join(work, 'server.py'), SERVER);
  const require = createRequire(import.meta.url);
  const smtpServerVersion = (JSON.parse(readFileSync(require.resolve('smtp-server/package.json'), 'utf8')) as { version: string }).version;
  const aiosmtpdVersion = execFileSync(PY, ['-c', 'import aiosmtpd; print(aiosmtpd.__version__)'], { encoding: 'utf8' }).trim();
  console.log(`peers: aiosmtpd ${aiosmtpdVersion} (${PY}), smtp-server ${smtpServerVersion} (npm)`);
});

afterAll(async () => {
  await Promise.all(children.map((c) => c.stop()));
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!available)('LMTP: one reply per accepted recipient after the body', () => {
  it('aiosmtpd LMTP: 250 / 452 / 552 per recipient and a RCPT 550; three messages over one connection; the statuses are what the server delivered', async () => {
    const srv = await startAiosmtpd('lmtp');
    const rec = recorder();
    const one = await sendMail({ host: '127.0.0.1', port: srv.port, security: 'off', lmtp: true, transcript: rec.transcript, from: 'l@c.test', to: LMTP_TO, body: B });
    expect(rec.lines).toContain('C: LHLO localhost');
    expect(one.recipients.map((x) => [x.address, x.status, x.reply?.code])).toEqual(LMTP_WANT);
    expect(one).toMatchObject({ outcome: 'partial', transient: true });
    agrees(one, srv.delivered()[0]);
    const client = await connect({ host: '127.0.0.1', port: srv.port, security: 'off', lmtp: true });
    const batch = await Promise.all([['a@x.test', 'full@x.test'], ['over@x.test'], ['b@x.test'], ['bad@x.test']].map((to) => client.send({ from: 'l@c.test', to, body: B })));
    await client.quit();
    expect(batch.map((r) => [r.outcome, r.recipients.map((x) => x.status)])).toEqual([
      ['partial', ['accepted', 'deferred']],
      ['failed', ['rejected']],
      ['delivered', ['accepted']],
      ['failed', ['rejected']],
    ]);
    const records = srv.delivered().slice(1);
    expect(records).toHaveLength(3); // no DATA for the message without a recipient
    agrees(batch[0]!, records[0]);
    agrees(batch[1]!, records[1]);
    agrees(batch[2]!, records[2]);
    // smtp send --lmtp: the JSON lines carry the same per-recipient statuses, two messages on one connection
    const cli = await runCli(['send', '-H', '127.0.0.1', '-p', String(srv.port), '--lmtp', '--starttls', 'off', '-f', 'cli@c.test', ...LMTP_TO.flatMap((t) => ['-t', t]), '-n', '2', '--json']);
    expect(cli.code).toBe(1);
    const lines = cli.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; recipients?: { address: string; status: string; code?: number }[] });
    for (const m of lines.filter((l) => l.type === 'message')) expect(m.recipients!.map((x) => [x.address, x.status, x.code])).toEqual(LMTP_WANT);
    expect(lines.at(-1)).toMatchObject({ type: 'summary', accepted: 4, deferred: 2, rejected: 4, unknown: 0 });
    expect(srv.delivered().slice(4).map((d) => d.delivered)).toEqual([['ok1@x.test', 'ok2@x.test'], ['ok1@x.test', 'ok2@x.test']]);
  });

  it('smtp-server LMTP (pipelined): the same per-recipient replies, the same statuses, what the server delivered', async () => {
    const srv = await startSmtpServer({ lmtp: true }, true);
    try {
      const rec = recorder();
      const r = await sendMail({ host: '127.0.0.1', port: srv.port, security: 'off', lmtp: true, transcript: rec.transcript, from: 'l@c.test', to: LMTP_TO, body: B });
      expect(r.recipients.map((x) => [x.address, x.status, x.reply?.code])).toEqual(LMTP_WANT);
      agrees(r, srv.delivered[0]);
      // PIPELINING offered: MAIL, the RCPTs and DATA in one flight
      expect(rec.lines.slice(rec.lines.findIndex((l) => l.startsWith('C: MAIL'))).slice(0, 7).every((l) => l.startsWith('C: '))).toBe(true);
    } finally {
      await srv.close();
    }
  });
});

describe.skipIf(!available)('aiosmtpd SMTP and smtp-server: refusals, pipelining not offered, SMTPUTF8, SIZE, 421, idle close', () => {
  it('aiosmtpd (no PIPELINING, no SMTPUTF8): one command per reply; 554 / 451 at the dot; SMTPUTF8 recipients fail before MAIL; the statuses are what it delivered', async () => {
    const srv = await startAiosmtpd('smtp');
    const rec = recorder();
    const client = await connect({ host: '127.0.0.1', port: srv.port, security: 'off', transcript: rec.transcript });
    expect(client.capabilities.has('PIPELINING')).toBe(false);
    const ok = await client.send({ from: 's@c.test', to: ['a@x.test', 'bad@x.test', 'b@x.test'], body: B });
    const five = await client.send({ from: 's@c.test', to: ['c@x.test', 'bad@x.test'], body: 'Subject: reject-5\r\n\r\nx\r\n' });
    const four = await client.send({ from: 's@c.test', to: ['d@x.test'], body: Readable.from(['Subject: reject-4\r\n\r\n', 'x\r\n']) });
    const utf8 = await client.send({ from: 's@c.test', to: ['j\u00f6rg@x.test'], body: B });
    const last = await client.send({ from: 's@c.test', to: ['e@x.test'], body: B });
    await client.quit();
    expect(ok.recipients.map((x) => [x.status, x.reply?.code])).toEqual([['accepted', 250], ['rejected', 550], ['accepted', 250]]);
    expect(five.recipients.map((x) => [x.status, x.reply?.code])).toEqual([['rejected', 554], ['rejected', 550]]);
    expect(four).toMatchObject({ outcome: 'deferred', deferred: ['d@x.test'], reply: { code: 451 } });
    expect(utf8).toMatchObject({ outcome: 'failed', errorCode: 'ERR_SMTP_CLIENT_SMTPUTF8_UNAVAILABLE' });
    expect(last.outcome).toBe('delivered');
    const records = srv.delivered();
    expect(records).toHaveLength(2);
    agrees(ok, records[0]);
    agrees(last, records[1]);
    // without PIPELINING every client line waits for the reply before it
    const cmds = rec.lines.filter((l) => !l.startsWith('C: [message body'));
    for (let i = 1; i < cmds.length; i++) if (cmds[i]!.startsWith('C: ')) expect(cmds[i - 1]!.startsWith('S: ')).toBe(true);
    expect(rec.lines.filter((l) => l.startsWith('C: MAIL'))).toHaveLength(4);
  });

  it('aiosmtpd closes an idle connection (timeout=1: 421): the next send rejects with the connection error, nothing is delivered for it', async () => {
    const srv = await startAiosmtpd('smtp');
    const client = await connect({ host: '127.0.0.1', port: srv.port, security: 'off' });
    expect((await client.send({ from: 'i@c.test', to: ['first@x.test'], body: B })).outcome).toBe('delivered');
    for (let i = 0; i < 60 && !client.closed; i++) await sleep(100);
    expect(client.closed).toBe(true);
    await expect(client.send({ from: 'i@c.test', to: ['second@x.test'], body: B })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_CONNECTION_LOST' });
    expect(srv.delivered().map((d) => d.delivered)).toEqual([['first@x.test']]);
  });

  it('smtp-server: SIZE declared (fails before MAIL) and hidden (552 at the dot); 421 at RCPT and at the greeting (maxClients); idle close', async () => {
    const sized = await startSmtpServer({ size: 2000 });
    const hidden = await startSmtpServer({ size: 2000, hideSize: true });
    const busy = await startSmtpServer({ maxClients: 1 });
    const idle = await startSmtpServer({ socketTimeout: 500 });
    try {
      const big = `Subject: big\r\n\r\n${`${'y'.repeat(78)}\r\n`.repeat(100)}`;
      const rec = recorder();
      const declared = await sendMail({ host: '127.0.0.1', port: sized.port, security: 'off', transcript: rec.transcript, from: 'z@c.test', to: ['a@x.test'], body: big });
      expect(declared).toMatchObject({ outcome: 'failed', transient: false, errorCode: 'ERR_SMTP_CLIENT_MESSAGE_TOO_LARGE' });
      expect(rec.lines.some((l) => l.startsWith('C: MAIL'))).toBe(false);
      const discovered = await sendMail({ host: '127.0.0.1', port: hidden.port, security: 'off', from: 'z@c.test', to: ['a@x.test'], body: Readable.from([big]) });
      expect(discovered).toMatchObject({ outcome: 'failed', transient: false, rejected: ['a@x.test'], reply: { code: 552 } });
      expect(hidden.delivered).toEqual([]);

      const at421 = await sendMail({ host: '127.0.0.1', port: sized.port, security: 'off', from: 'z@c.test', to: ['a@x.test', 'bye@x.test', 'b@x.test'], body: B });
      expect(at421).toMatchObject({ outcome: 'deferred', transient: true, accepted: [], reply: { code: 421 } });
      expect(sized.delivered).toEqual([]);

      const holder = await connect({ host: '127.0.0.1', port: busy.port, security: 'off' });
      await expect(connect({ host: '127.0.0.1', port: busy.port, security: 'off' })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_GREETING_REJECTED', reply: { code: 421 } });
      const cli = await runCli(['send', '-H', '127.0.0.1', '-p', String(busy.port), '--starttls', 'off', '-f', 'z@c.test', '-t', 'a@x.test']);
      expect(cli.code).toBe(3);
      expect(cli.stdout).toMatch(/421/);
      await holder.quit();

      const client = await connect({ host: '127.0.0.1', port: idle.port, security: 'off' });
      expect((await client.send({ from: 'i@c.test', to: ['first@x.test'], body: B })).outcome).toBe('delivered');
      for (let i = 0; i < 60 && !client.closed; i++) await sleep(100);
      await expect(client.send({ from: 'i@c.test', to: ['second@x.test'], body: B })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_CONNECTION_LOST', reply: { code: 421 } });
      expect(idle.delivered.map((d) => d.delivered)).toEqual([['first@x.test']]);
    } finally {
      await Promise.all([sized.close(), hidden.close(), busy.close(), idle.close()]);
    }
  });
});
