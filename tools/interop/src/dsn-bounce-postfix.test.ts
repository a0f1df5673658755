// Delivery status notifications end to end, through a real MTA: the project's client submits a
// message with DSN parameters (RET, ENVID, NOTIFY, ORCPT) to a private Postfix; Postfix relays it
// to createServer, which takes one recipient and refuses another with 550 5.1.1; Postfix then
// writes its own RFC 3464 bounce for the refused one and sends it, from the null sender, to the
// original sender's domain, which is routed to the same createServer. A recipient our server
// defers (452 4.2.2) comes back as Postfix's delay notice (NOTIFY=DELAY). Each notice that arrives
// is read by smtp-errors/message, as a bounce handler would. Over LMTP, Postfix's lmtp client
// takes createServer's per-recipient replies after the body: sent, deferred and bounced apart.
//
// What this proves, each against a peer rather than against our own tests:
// - the client writes DSN parameters Postfix accepts and forwards (RFC 3461 §4);
// - the server parses the parameters Postfix's smtp client writes;
// - classifyMessage reads a bounce Postfix wrote: the failed recipient, its status, the remote
//   reply, its class, the original message's Message-ID (RET=HDRS) and the envelope id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buffer } from 'node:stream/consumers';
import { createServer } from 'esmtp-server-fsm/node';
import type { Envelope, SmtpServer } from 'esmtp-server-fsm/node';
import { SmtpReplyError } from 'esmtp-server-fsm/node';
import { sendMail } from 'smtp-client-fsm/node';
import { classifyMessage } from 'smtp-errors/message';
import { postfixAvailable, startPrivatePostfix } from './private-postfix.js';
import { runCli } from '../../cli/src/run-cli.js';
import type { PrivatePostfix } from './private-postfix.js';

interface Stored {
  readonly envelope: Envelope;
  readonly bytes: Buffer;
}

describe.runIf(postfixAvailable())('DSN through Postfix: our client, Postfix, our server, and the bounce read back', () => {
  let pf: PrivatePostfix;
  let server: SmtpServer;
  let lmtp: SmtpServer;
  const lmtpStored: { to: string; bytes: Buffer }[] = [];
  const stored: Stored[] = [];
  let arrived: (() => void) | undefined;

  beforeAll(async () => {
    server = createServer({
      hostname: 'mx.dest.test',
      security: 'off',
      onRcptTo: (to) => {
        if (to.startsWith('gone@')) throw new SmtpReplyError({ code: 550, enhanced: '5.1.1', text: 'No such user here' });
        if (to.startsWith('busy@')) throw new SmtpReplyError({ code: 452, enhanced: '4.2.2', text: 'Mailbox full, try later' });
      },
      onData: async (envelope, body) => {
        stored.push({ envelope, bytes: await buffer(body) });
        arrived?.();
      },
    });
    await server.listen(0, '127.0.0.1');
    const port = server.address()!.port;
    // LMTP: one final reply per recipient after the body (RFC 2033 §4.2), by the mailbox's name.
    lmtp = createServer({
      hostname: 'lmtp.dest.test',
      lmtp: true,
      onData: async (envelope, body) => {
        const bytes = await buffer(body);
        return envelope.to.map((to) => {
          if (to.startsWith('full@')) return { code: 452, enhanced: '4.2.2', text: 'Mailbox full' };
          if (to.startsWith('closed@')) return { code: 550, enhanced: '5.2.1', text: 'Mailbox disabled' };
          lmtpStored.push({ to, bytes });
          return { code: 250, enhanced: '2.0.0', text: 'stored' };
        });
      },
    });
    await lmtp.listen(0, '127.0.0.1');
    pf = await startPrivatePostfix({
      transport: { 'dest.test': `smtp:[127.0.0.1]:${String(port)}`, 'origin.test': `smtp:[127.0.0.1]:${String(port)}`, 'lmtp.test': `lmtp:inet:[127.0.0.1]:${String(lmtp.address()!.port)}` },
      // A deferred recipient is retried within seconds and its delay notice sent after the first retry.
      main: { delay_warning_time: '1s', queue_run_delay: '1s', minimal_backoff_time: '1s', maximal_backoff_time: '2s' },
    });
  }, 60_000);

  afterAll(async () => {
    await pf?.stop();
    await server?.close({ timeout: 1000 });
    await lmtp?.close({ timeout: 1000 });
  });

  /** Resolves once `n` messages have reached our server (or rejects after `ms`). */
  const waitStored = (n: number, ms: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${String(stored.length)} of ${String(n)} messages arrived; Postfix log:\n${pf.log().slice(-3000)}`)), ms);
      const check = (): void => {
        if (stored.length < n) return;
        clearTimeout(timer);
        arrived = undefined;
        resolve();
      };
      arrived = check;
      check();
    });

  it('the refused recipient comes back as a bounce that classifyMessage reads in full; the accepted one arrives with its DSN parameters', async () => {
    const messageId = '<dsn-e2e-1@origin.test>';
    const body = ['From: Sender <sender@origin.test>', 'To: ok@dest.test, gone@dest.test', 'Subject: DSN round trip', `Message-ID: ${messageId}`, 'Date: Fri, 04 Dec 2026 02:00:00 +0000', '', 'hello', ''].join('\r\n');
    const result = await sendMail({
      host: '127.0.0.1',
      port: pf.smtpPort,
      security: 'off',
      from: 'sender@origin.test',
      to: ['ok@dest.test', 'gone@dest.test'],
      body,
      dsn: { ret: 'HDRS', envid: 'env+id 42', notify: ['FAILURE'], orcpt: { 'ok@dest.test': 'ok@dest.test', 'gone@dest.test': 'gone@dest.test' } },
    });
    // Postfix takes both (it relays): its own answer is about the queue, not the final hop.
    expect(result.recipients.map((r) => [r.address, r.status])).toEqual([
      ['ok@dest.test', 'accepted'],
      ['gone@dest.test', 'accepted'],
    ]);

    // The relayed message and Postfix's bounce both reach our server.
    await waitStored(2, 60_000);
    const relayed = stored.find((s) => s.envelope.from === 'sender@origin.test')!;
    const bounce = stored.find((s) => s.envelope.from === '')!;
    expect(relayed, 'the relayed message').toBeDefined();
    expect(bounce, 'the bounce, from the null sender').toBeDefined();

    // Postfix forwarded the DSN parameters as our client wrote them (ENVID xtext-encoded).
    expect(relayed.envelope.to).toEqual(['ok@dest.test']);
    expect(relayed.envelope.mailParameters).toMatchObject({ RET: 'HDRS', ENVID: 'env+2Bid+2042' });
    expect(relayed.envelope.rcptParameters[0]).toMatchObject({ NOTIFY: 'FAILURE', ORCPT: 'rfc822;ok@dest.test' });
    expect(bounce.envelope.to).toEqual(['sender@origin.test']);

    // The bounce, read as a bounce handler reads it.
    const report = await classifyMessage(new Uint8Array(bounce.bytes));
    expect(report.kind).toBe('bounce');
    expect(report.recipients).toHaveLength(1);
    const [r] = report.recipients;
    expect(r).toMatchObject({ address: 'gone@dest.test', action: 'failed', status: '5.1.1' });
    expect(r!.diagnostic).toContain('550 5.1.1 No such user here');
    expect(r!.class.id).toBe(10);
    expect(report.original?.messageId).toBe(messageId);
    expect(report.original?.subject).toBe('DSN round trip');
    // the keys a sender correlates on: its ENVID (Postfix writes it decoded) and each ORCPT
    expect(report.original.envelopeId).toBe('env+id 42');
    expect(r!.originalRecipient).toBe('gone@dest.test');
    stored.length = 0;
    console.log(`Postfix bounce read back: ${JSON.stringify({ kind: report.kind, recipient: r!.address, status: r!.status, class: r!.class.id, original: report.original })}`);
  }, 120_000);

  it('a recipient deferred by our server comes back as a delay notice (NOTIFY=DELAY) that classifyMessage reads as delayed', async () => {
    const body = ['From: <sender@origin.test>', 'To: busy@dest.test', 'Subject: delayed', 'Message-ID: <dsn-e2e-2@origin.test>', '', 'later', ''].join('\r\n');
    const result = await sendMail({ host: '127.0.0.1', port: pf.smtpPort, security: 'off', from: 'sender@origin.test', to: ['busy@dest.test'], body, dsn: { ret: 'HDRS', notify: ['DELAY', 'FAILURE'] } });
    expect(result.outcome).toBe('delivered');
    await waitStored(1, 60_000);
    const notice = stored.find((s) => s.envelope.from === '')!;
    expect(notice.envelope.to).toEqual(['sender@origin.test']);
    const report = await classifyMessage(new Uint8Array(notice.bytes));
    expect(report.kind).toBe('delayed');
    const [r] = report.recipients;
    expect(r).toMatchObject({ address: 'busy@dest.test', action: 'delayed', status: '4.2.2' });
    expect(r!.diagnostic).toContain('452 4.2.2 Mailbox full, try later');
    // a full mailbox: the class says so whether the reply is temporary or not
    expect(r!.class.id).toBe(22);
    expect(report.original?.messageId).toBe('<dsn-e2e-2@origin.test>');
    console.log(`Postfix delay notice read back: ${JSON.stringify({ kind: report.kind, recipient: r!.address, status: r!.status, class: r!.class.id })}`);
  }, 120_000);

  it("LMTP: Postfix's lmtp client takes one reply per recipient after the body (sent, deferred, bounced), and the bounce names the one refused", async () => {
    stored.length = 0;
    const body = ['From: <sender@origin.test>', 'To: a@lmtp.test', 'Subject: lmtp', 'Message-ID: <dsn-e2e-3@origin.test>', '', 'per recipient', ''].join('\r\n');
    const to = ['a@lmtp.test', 'full@lmtp.test', 'closed@lmtp.test', 'b@lmtp.test'];
    const result = await sendMail({ host: '127.0.0.1', port: pf.smtpPort, security: 'off', from: 'sender@origin.test', to, body, dsn: { notify: ['FAILURE'] } });
    expect(result.outcome).toBe('delivered');
    const lines = await pf.waitForDeliveries(3, { filter: (d) => d.to.endsWith('@lmtp.test') && d.agent === 'lmtp' && d.to !== 'full@lmtp.test', timeoutMs: 60_000 });
    const status = new Map(lines.map((d) => [d.to, d.status]));
    expect(status.get('a@lmtp.test')).toBe('sent');
    expect(status.get('b@lmtp.test')).toBe('sent');
    expect(status.get('closed@lmtp.test')).toBe('bounced');
    const [full] = await pf.waitForDeliveries(1, { filter: (d) => d.to === 'full@lmtp.test', timeoutMs: 60_000 });
    expect(full!.status).toBe('deferred');
    expect(full!.detail).toContain('452 4.2.2 Mailbox full');
    // each accepted mailbox got the message once, byte-exact after Postfix's Received header
    expect(lmtpStored.filter((m) => m.to === 'a@lmtp.test' || m.to === 'b@lmtp.test').map((m) => m.to).sort()).toEqual(['a@lmtp.test', 'b@lmtp.test']);
    for (const m of lmtpStored) expect(m.bytes.toString('utf8').endsWith(body)).toBe(true);
    // the refused one comes back to the sender as a bounce naming it
    await waitStored(1, 60_000);
    const bounce = stored.find((s) => s.envelope.from === '' && s.bytes.includes('closed@lmtp.test'))!;
    const report = await classifyMessage(new Uint8Array(bounce.bytes));
    expect(report.kind).toBe('bounce');
    expect(report.recipients.map((r) => [r.address, r.status, r.class.id])).toEqual([['closed@lmtp.test', '5.2.1', 10]]);
  }, 120_000);

  it('smtp send --notify --ret --envid: the same DSN parameters from the command line, and the bounce carries the envid back', async () => {
    stored.length = 0;
    const r = await runCli(['send', '-H', '127.0.0.1', '-p', String(pf.smtpPort), '--starttls', 'off', '-f', 'sender@origin.test', '-t', 'ok@dest.test', '-t', 'gone@dest.test', '--notify', 'failure,delay', '--ret', 'HDRS', '--envid', 'cli run 9', '--json'], { timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    await waitStored(2, 60_000);
    const relayed = stored.find((s) => s.envelope.from === 'sender@origin.test')!;
    expect(relayed.envelope.mailParameters).toMatchObject({ RET: 'HDRS', ENVID: 'cli+20run+209' });
    expect(relayed.envelope.rcptParameters[0]).toMatchObject({ NOTIFY: 'FAILURE,DELAY' });
    const bounce = stored.find((s) => s.envelope.from === '')!;
    const report = await classifyMessage(new Uint8Array(bounce.bytes));
    expect(report.original.envelopeId).toBe('cli run 9');
    expect(report.recipients.map((x) => [x.address, x.class.id])).toEqual([['gone@dest.test', 10]]);
  }, 120_000);
});
