// Postfix as a full relay in front of the project's server: a private Postfix (its smtpd receives,
// its smtp/lmtp clients deliver through a transport map) delivers 200 varied messages to
// createServer over SMTP, over LMTP, with STARTTLS required (smtp_tls_security_level=encrypt), and
// to `smtp serve`. Every message must arrive byte-exact after the one Received header Postfix
// prepends, on the first attempt (no deferral, no bounce), exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '@smtpkit/testkit';
import { createServer } from 'esmtp-server-fsm/node';
import type { SmtpServer } from 'esmtp-server-fsm/node';
import { readStored, startServe, tempDir, testCertificate } from '../../cli/src/testing/peers.js';
import type { Running } from '../../cli/src/testing/peers.js';
import { postfixAvailable, startPrivatePostfix, withoutFirstHeader } from './private-postfix.js';
import type { PrivatePostfix } from './private-postfix.js';

const SEED = 0x5eed15;
const COUNT = 200;

/** Where a message goes: the recipient domain selects the Postfix transport and our server. */
const ROUTES = ['plain', 'long', 'lmtp', 'tls', 'serve'] as const;
type Route = (typeof ROUTES)[number];
const KINDS = ['ascii', 'eightbit', 'smtputf8', 'dots', 'big', 'longlines'] as const;
type Kind = (typeof KINDS)[number];

interface TestMessage {
  readonly seq: number;
  readonly route: Route;
  readonly kind: Kind;
  readonly from: string;
  readonly to: string;
  readonly smtputf8: boolean;
  readonly bytes: Buffer;
}

/** Body lines for one kind (each without its CRLF). Long lines only where folding is off. */
function bodyLines(kind: Kind, rand: () => number): Buffer[] {
  const text = (n: number, eight: boolean): Buffer => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      const r = rand();
      // printable ASCII, or (8-bit kinds) a byte 0x80-0xFF: never CR, LF or NUL
      b[i] = eight && r < 0.2 ? 0x80 + Math.floor(rand() * 0x80) : 0x20 + Math.floor(rand() * 0x5f);
    }
    return b;
  };
  const lines: Buffer[] = [];
  switch (kind) {
    case 'ascii':
      for (let i = 0; i < 5 + Math.floor(rand() * 20); i++) lines.push(text(Math.floor(rand() * 78), false));
      break;
    case 'eightbit':
      for (let i = 0; i < 5 + Math.floor(rand() * 20); i++) lines.push(text(Math.floor(rand() * 200), true));
      break;
    case 'smtputf8':
      for (let i = 0; i < 10; i++) lines.push(Buffer.from(`Grüße aus Zürich, ${'日本語のテキスト'.slice(0, 1 + (i % 8))} — ligne ${i} ✓`, 'utf8'));
      break;
    case 'dots':
      lines.push(Buffer.from('.'), Buffer.from('..'), Buffer.from('.leading dot'), Buffer.from('...three'), Buffer.from(''), Buffer.from(' .'), Buffer.from('.'));
      for (let i = 0; i < 10; i++) lines.push(Buffer.concat([Buffer.from('.'), text(Math.floor(rand() * 60), false)]));
      break;
    case 'big': {
      const target = 1_000_000 + Math.floor(rand() * 1_000_000);
      let size = 0;
      while (size < target) {
        const l = text(76, true);
        lines.push(l);
        size += l.length + 2;
      }
      break;
    }
    case 'longlines':
      for (let i = 0; i < 4; i++) lines.push(text(999 + Math.floor(rand() * 8000), true), text(10, false));
      break;
  }
  return lines;
}

function makeMessages(): TestMessage[] {
  const rand = seededRandom(SEED);
  const out: TestMessage[] = [];
  let big = 0;
  for (let seq = 0; seq < COUNT; seq++) {
    const route = ROUTES[seq % ROUTES.length]!;
    let kind = KINDS[Math.floor(seq / ROUTES.length) % KINDS.length]!;
    // The plain route keeps Postfix's default 998-byte folding; 1-2 MB bodies: ten of them.
    if (kind === 'longlines' && route === 'plain') kind = 'dots';
    if (kind === 'big' && ++big > 10) kind = 'eightbit';
    const smtputf8 = kind === 'smtputf8';
    const from = smtputf8 ? `sénder.${seq}@origin.test` : `sender.${seq}@origin.test`;
    const to = smtputf8 ? `empfänger.${seq}@${route}.test` : `rcpt.${seq}@${route}.test`;
    const headers = [
      `From: <${from}>`,
      `To: <${to}>`,
      `Subject: ${smtputf8 ? 'Grüße' : 'relay'} ${kind} ${seq}`,
      'Date: Wed, 02 Dec 2026 04:00:00 +0000',
      `Message-ID: <relay-${seq}@origin.test>`,
      `X-Seq: ${seq}`,
      'MIME-Version: 1.0',
      `Content-Type: text/plain; charset=${kind === 'ascii' || kind === 'dots' ? 'us-ascii' : 'utf-8'}`,
      `Content-Transfer-Encoding: ${kind === 'ascii' || kind === 'dots' ? '7bit' : '8bit'}`,
    ].map((h) => Buffer.from(h, 'utf8'));
    const parts: Buffer[] = [];
    for (const l of [...headers, Buffer.alloc(0), ...bodyLines(kind, rand)]) parts.push(l, Buffer.from('\r\n'));
    out.push({ seq, route, kind, from, to, smtputf8, bytes: Buffer.concat(parts) });
  }
  return out;
}


function seqOf(b: Buffer): number {
  const m = /\r\nX-Seq: (\d+)\r\n/.exec(b.subarray(0, 4096).toString('latin1'));
  return m === null ? -1 : Number(m[1]);
}

/** Runs `tasks` with at most `n` in flight. */
async function inParallel<T>(items: readonly T[], n: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

describe.runIf(postfixAvailable())('Postfix relaying 200 messages to createServer and smtp serve', () => {
  const tmp = tempDir('postfix-relay-');
  const serveDir = join(tmp.dir, 'serve-store');
  const received: { route: Route; from: string; to: readonly string[]; secure: boolean; body: Buffer }[] = [];
  const servers: SmtpServer[] = [];
  let serve: Running | undefined;
  /** `smtp serve --tls-implicit --workers 2`, reached by Postfix in TLS wrapper mode. */
  let implicit: Running | undefined;
  const implicitDir = join(tmp.dir, 'implicit-store');
  let pf: PrivatePostfix | undefined;
  const messages = makeMessages();

  const sink = async (route: Route, extra: Parameters<typeof createServer>[0] = {}): Promise<number> => {
    const lmtp = route === 'lmtp';
    const server = createServer({
      hostname: `${route}.sink.test`,
      limits: { maxMessageSize: 20_000_000 },
      ...extra,
      ...(lmtp ? { lmtp: true } : {}),
      onData: async (env, body) => {
        const chunks: Buffer[] = [];
        for await (const c of body) chunks.push(c as Buffer);
        received.push({ route, from: env.from, to: env.to, secure: env.secure, body: Buffer.concat(chunks) });
        return lmtp ? env.to.map(() => ({ code: 250, enhanced: '2.0.0', text: 'stored' })) : undefined;
      },
    });
    servers.push(server);
    return (await server.listen(0, '127.0.0.1')).port;
  };

  beforeAll(async () => {
    const cert = testCertificate(tmp.dir);
    const plain = await sink('plain');
    const long = await sink('long');
    const lmtp = await sink('lmtp');
    const tls = await sink('tls', { tls: { cert: readFileSync(cert.cert), key: readFileSync(cert.key) } });
    serve = await startServe(['--dir', serveDir, '--max-size', '20000000', '--quiet']);
    implicit = await startServe(['--dir', implicitDir, '--tls-cert', cert.cert, '--tls-key', cert.key, '--tls-implicit', '--workers', '2', '--log-level', 'warn']);
    pf = await startPrivatePostfix({
      main: { smtp_tls_loglevel: 1 },
      services: [
        // Folding off (smtp_line_length_limit=0) for the long-line routes.
        'longlines unix - - n - - smtp\n  -o smtp_line_length_limit=0',
        'lmtplong unix - - n - - lmtp\n  -o lmtp_line_length_limit=0',
        'tlsrequired unix - - n - - smtp\n  -o smtp_line_length_limit=0\n  -o smtp_tls_security_level=encrypt',
        // port 465 style: TLS from the first byte (RFC 8314)
        'wrapper unix - - n - - smtp\n  -o smtp_tls_wrappermode=yes\n  -o smtp_tls_security_level=encrypt',
      ],
      transport: {
        'plain.test': `smtp:[127.0.0.1]:${plain}`,
        'long.test': `longlines:[127.0.0.1]:${long}`,
        'lmtp.test': `lmtplong:inet:[127.0.0.1]:${lmtp}`,
        'tls.test': `tlsrequired:[127.0.0.1]:${tls}`,
        'serve.test': `longlines:[127.0.0.1]:${serve.port}`,
        'implicit.test': `wrapper:[127.0.0.1]:${implicit.port}`,
      },
    });
  }, 90_000);

  afterAll(async () => {
    await pf?.stop();
    await serve?.stop();
    await implicit?.stop();
    await Promise.all(servers.map((s) => s.close({ timeout: 1000 })));
    tmp.cleanup();
  });

  it('delivers every message once, on the first attempt, byte-exact after the Received header', async () => {
    await inParallel(messages, 4, (m) => pf!.submit(m.bytes, { from: m.from, to: [m.to], smtputf8: m.smtputf8, eightBit: true }));
    const lines = await pf!.waitForDeliveries(COUNT, { timeoutMs: 120_000 });
    const log = pf!.log();

    // Postfix's side: one line per message, all sent, nothing deferred or bounced, queue empty.
    expect(lines.filter((d) => d.status !== 'sent').map((d) => d.line)).toEqual([]);
    expect(log).not.toMatch(/status=(deferred|bounced)/);
    expect(new Set(lines.map((d) => d.to)).size).toBe(COUNT);
    expect(lines.filter((d) => d.to.includes('@lmtp.test')).every((d) => d.agent === 'lmtplong' || d.agent === 'lmtp')).toBe(true);
    // Postfix really negotiated TLS with our server for the encrypt route.
    expect(log).toMatch(/TLS connection established to [^\n]*127\.0\.0\.1/);
    expect(await pf!.queue()).toMatch(/Mail queue is empty/);

    // Our side: every message stored exactly once, byte-exact, with its envelope.
    const stored = await readStored(serveDir);
    const all = [...received, ...stored.map((s) => ({ route: 'serve' as const, from: s.envelope.from, to: s.envelope.to, secure: false, body: Buffer.from(s.eml) }))];
    expect(all).toHaveLength(COUNT);
    const bySeq = new Map<number, (typeof all)[number]>();
    for (const r of all) {
      const seq = seqOf(r.body);
      expect(bySeq.has(seq), `message ${seq} stored twice`).toBe(false);
      bySeq.set(seq, r);
    }
    for (const m of messages) {
      const r = bySeq.get(m.seq);
      expect(r, `message ${m.seq} (${m.route}/${m.kind}) missing`).toBeDefined();
      expect(r!.route).toBe(m.route);
      expect(r!.from).toBe(m.from);
      expect(r!.to).toEqual([m.to]);
      expect(r!.body.subarray(0, 10).toString()).toBe('Received: ');
      const rest = withoutFirstHeader(r!.body);
      expect(rest.equals(m.bytes), `message ${m.seq} (${m.route}/${m.kind}) altered: ${rest.length} vs ${m.bytes.length} bytes`).toBe(true);
      if (m.route === 'tls') expect(r!.secure).toBe(true);
    }
    // The mix really covered every kind on the routes that allow it.
    const kinds = new Set(messages.map((m) => `${m.route}/${m.kind}`));
    for (const route of ROUTES) for (const kind of KINDS) if (!(route === 'plain' && kind === 'longlines')) expect(kinds.has(`${route}/${kind}`), `${route}/${kind}`).toBe(true);
  }, 170_000);

  it('delivers to smtp serve --tls-implicit --workers 2 in TLS wrapper mode: first attempt, byte-exact, once', async () => {
    const count = 20;
    const sample = messages.filter((m) => m.kind !== 'big').slice(0, count);
    const before = pf!.deliveries().length;
    await inParallel(sample, 4, (m) => pf!.submit(m.bytes, { from: m.from, to: [`implicit.${m.seq}@implicit.test`], smtputf8: m.smtputf8, eightBit: true }));
    const lines = await pf!.waitForDeliveries(count, { timeoutMs: 90_000, filter: (d) => d.to.endsWith('@implicit.test') });
    expect(lines.filter((d) => d.status !== 'sent').map((d) => d.line)).toEqual([]);
    expect(pf!.deliveries().length - before).toBe(count);
    const stored = await readStored(implicitDir);
    expect(stored).toHaveLength(count);
    expect(stored.every((s) => s.envelope.tls === true)).toBe(true);
    const bySeq = new Map(stored.map((s) => [seqOf(Buffer.from(s.eml)), s]));
    expect(bySeq.size).toBe(count);
    for (const m of sample) expect(withoutFirstHeader(Buffer.from(bySeq.get(m.seq)!.eml)).equals(m.bytes), `message ${m.seq}`).toBe(true);
  }, 120_000);
});
