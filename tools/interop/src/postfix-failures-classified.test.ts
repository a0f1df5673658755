// The failures a real MTA writes itself, classified: a private Postfix tries each message once
// (maximal_queue_lifetime = 0) through a transport that fails in one way each: a refused
// connection, a server that never greets, one that drops the connection at RCPT, a host name that
// does not resolve, a server whose size limit the message exceeds; and its cleanup refuses a
// message that has looped (too many Received headers). Each bounce Postfix sends back reaches
// createServer, and smtp-errors/message must give the failed recipient the class the labelling
// guide gives such a text (packages/smtp-errors/test/LABELLING.md, rules 4, 5 and 7): these are
// the "local delivery-status texts" a bounce handler meets most, written by the MTA, not quoted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { buffer } from 'node:stream/consumers';
import { createServer } from 'esmtp-server-fsm/node';
import type { SmtpServer } from 'esmtp-server-fsm/node';
import { sendMail } from 'smtp-client-fsm/node';
import { classifyMessage } from 'smtp-errors/message';
import { postfixAvailable, startPrivatePostfix } from './private-postfix.js';
import type { PrivatePostfix } from './private-postfix.js';

const listen = async (server: net.Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
};

describe.runIf(postfixAvailable())("Postfix's own failure texts, read back from its bounces", () => {
  let pf: PrivatePostfix;
  let sink: SmtpServer;
  let small: SmtpServer;
  const silent = net.createServer(() => undefined);
  // greets, answers EHLO and MAIL, then drops the connection at RCPT
  const dropping = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.write('220 drop.test ESMTP\r\n');
    socket.on('data', (d: Buffer) => {
      const line = d.toString('latin1');
      if (/^EHLO/i.test(line)) socket.write('250 drop.test\r\n');
      else if (/^MAIL/i.test(line)) socket.write('250 2.1.0 ok\r\n');
      else socket.destroy();
    });
  });
  const bounces: Buffer[] = [];

  beforeAll(async () => {
    sink = createServer({
      hostname: 'origin.test',
      security: 'off',
      onData: async (envelope, body) => {
        const bytes = await buffer(body);
        if (envelope.from === '') bounces.push(bytes);
      },
    });
    await sink.listen(0, '127.0.0.1');
    small = createServer({ hostname: 'small.test', security: 'off', limits: { maxMessageSize: 2000 }, onData: (_e, body) => buffer(body).then(() => undefined) });
    await small.listen(0, '127.0.0.1');
    pf = await startPrivatePostfix({
      transport: {
        'origin.test': `smtp:[127.0.0.1]:${String(sink.address()!.port)}`,
        'big.test': `smtp:[127.0.0.1]:${String(small.address()!.port)}`,
        'refused.test': 'smtp:[127.0.0.1]:1',
        'silent.test': `smtp:[127.0.0.1]:${String(await listen(silent))}`,
        'lost.test': `smtp:[127.0.0.1]:${String(await listen(dropping))}`,
        'nohost.test': 'smtp:[nohost.invalid]',
        'ok.test': 'discard:',
      },
      // one attempt, then the bounce; a silent server is given up on after 2 s
      main: { maximal_queue_lifetime: '0s', bounce_queue_lifetime: '0s', smtp_helo_timeout: '2s', smtp_connect_timeout: '2s' },
    });
  }, 60_000);

  afterAll(async () => {
    await pf?.stop();
    await sink?.close({ timeout: 1000 });
    await small?.close({ timeout: 1000 });
    silent.close();
    dropping.close();
  });

  it('connection refused, no greeting, lost connection (24), host not found (21), too large (23): each bounce read with its class', async () => {
    const cases: Record<string, { status: string; diagnostic: RegExp; class: number }> = {
      'x@refused.test': { status: '4.4.1', diagnostic: /Connection refused/, class: 24 },
      'x@silent.test': { status: '4.4.2', diagnostic: /timed out while receiving the initial server greeting/, class: 24 },
      'x@lost.test': { status: '4.4.2', diagnostic: /lost connection with .* while sending RCPT TO/, class: 24 },
      'x@nohost.test': { status: '5.4.4', diagnostic: /unable to look up host nohost\.invalid/, class: 21 },
      'x@big.test': { status: '5.3.4', diagnostic: /exceeds size limit 2000/, class: 23 },
    };
    for (const to of Object.keys(cases)) {
      const r = await sendMail({ host: '127.0.0.1', port: pf.smtpPort, security: 'off', from: 'sender@origin.test', to: [to], body: `Subject: ${to}\r\n\r\n${to === 'x@big.test' ? `${'y'.repeat(78)}\r\n`.repeat(64) : 'x'}\r\n` });
      expect(r.outcome).toBe('delivered'); // to Postfix's queue
    }
    const deadline = Date.now() + 60_000;
    while (bounces.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(bounces).toHaveLength(5);
    const seen: Record<string, unknown> = {};
    for (const b of bounces) {
      const report = await classifyMessage(new Uint8Array(b));
      expect(report.kind).toBe('bounce');
      expect(report.recipients).toHaveLength(1);
      const [rcpt] = report.recipients;
      const address = rcpt!.address ?? '';
      const want = cases[address]!;
      expect(want, address).toBeDefined();
      expect(rcpt!.status).toBe(want.status);
      expect(rcpt!.diagnostic).toMatch(want.diagnostic);
      expect(rcpt!.class.id, `${address}: ${rcpt!.diagnostic ?? ''}`).toBe(want.class);
      seen[address] = { status: rcpt!.status, class: rcpt!.class.id, diagnostic: rcpt!.diagnostic };
    }
    expect(Object.keys(seen).sort()).toEqual(Object.keys(cases).sort());
    console.log(`Postfix failure texts classified: ${JSON.stringify(seen)}`);
  }, 120_000);

  it('a message that has looped (60 Received headers) is refused by Postfix at the end of data, and the reply classifies as a loop (40)', async () => {
    const hops = Array.from({ length: 60 }, (_, i) => `Received: from h${String(i)}.test by h${String(i + 1)}.test; Fri, 04 Dec 2026 02:00:00 +0000`).join('\r\n');
    const r = await sendMail({ host: '127.0.0.1', port: pf.smtpPort, security: 'off', from: 'sender@origin.test', to: ['loop@ok.test'], body: `${hops}\r\nSubject: loop\r\n\r\nx\r\n` });
    expect(r.outcome).toBe('failed');
    const [rcpt] = r.recipients;
    expect(rcpt!.reply?.code).toBe(554);
    expect(rcpt!.reply?.text).toMatch(/too many hops/i);
    expect(rcpt!.classification?.id).toBe(40);
    expect(rcpt!.permanent).toBe(true);
  }, 60_000);
});
