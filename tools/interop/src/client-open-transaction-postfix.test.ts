// A transaction Postfix leaves open must not make the next message on the connection fail.
// Postfix smtpd keeps the mail transaction open after an end-of-data restriction refused the
// message (4xx or 5xx), and answers a following MAIL `503 5.5.1 Error: nested MAIL command`; a RCPT
// then joins the old transaction and DATA gets 354. smtp-client-fsm sends RSET before the next MAIL
// (in the same write with PIPELINING, after its reply without), so the next message is delivered
// under its own sender; a message already written behind the refused dot is deferred, never
// rejected, and no empty message goes out under the first sender (before the fix one did).
// Every outcome is checked against what Postfix logged and delivered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'smtp-client-fsm/node';
import type { SendResult } from 'smtp-client-fsm/node';
import type { TranscriptEntry } from 'smtp-client-fsm';
import { freePort } from '@smtpkit/testkit';
import { postfixAvailable, startPrivatePostfix } from './private-postfix.js';
import { runCli } from '../../cli/src/run-cli.js';
import type { PrivatePostfix } from './private-postfix.js';

const B = 'Subject: hi\r\n\r\nhello\r\n';
const queueIdOf = (text: string | undefined): string | undefined => /queued as ([0-9A-Za-z]+)/.exec(text ?? '')?.[1];
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe.runIf(postfixAvailable())('smtp-client-fsm/node against a transaction Postfix leaves open', () => {
  let pf: PrivatePostfix;
  const port = { eod: 0, eodBare: 0 };

  beforeAll(async () => {
    port.eod = await freePort();
    port.eodBare = await freePort();
    const eod = 'smtpd_end_of_data_restrictions=check_sender_access,texthash:{dir}/eod';
    pf = await startPrivatePostfix({
      transport: { 'pf.test': 'discard:' },
      maps: { eod: { 'eod4@c.test': '451 4.7.1 try later', 'eod5@c.test': '554 5.7.1 refused' }, rcpt: { 'gone@pf.test': '550 5.1.1 No such user' }, hdr: { '/^Subject: reject-me/': 'REJECT 5.7.1 content refused' } },
      main: { smtpd_recipient_restrictions: 'check_recipient_access texthash:{dir}/rcpt, permit_mynetworks, reject', header_checks: 'regexp:{dir}/hdr' },
      services: [
        `127.0.0.1:${port.eod} inet n - n - - smtpd\n  -o ${eod}`,
        `127.0.0.1:${port.eodBare} inet n - n - - smtpd\n  -o ${eod}\n  -o smtpd_discard_ehlo_keywords=pipelining,chunking`,
      ],
    });
  });

  afterAll(async () => {
    await pf?.stop();
  });

  /** The message was queued by Postfix under the id of its reply, from its own sender, and delivered to each of its recipients. */
  async function deliveredAsSent(r: SendResult, from: string): Promise<void> {
    const id = queueIdOf(r.reply?.text);
    expect(id).toBeDefined();
    const seen = await pf.waitForDeliveries(r.recipients.length, { filter: (d) => d.queueId === id, timeoutMs: 30_000 });
    expect(seen.map((d) => [d.to, d.status]).sort()).toEqual(r.recipients.map((x) => [x.address, 'sent']).sort());
    expect(pf.log()).toMatch(new RegExp(`${id!}: from=<${escape(from)}>`));
  }

  const cases = [
    ['PIPELINING, DATA', 'eod', false],
    ['PIPELINING, BDAT', 'eod', true],
    ['no PIPELINING, DATA', 'eodBare', false],
  ] as const;
  for (const [label, svc, chunking] of cases) {
    it(`${label}: after a 451 and a 554 at the end of data, the next message on the connection is delivered (RSET first)`, async () => {
      const lines: string[] = [];
      const client = await connect({ host: '127.0.0.1', port: port[svc], security: 'off', chunking, transcript: (e: TranscriptEntry) => lines.push(`${e.direction === 'client' ? 'C' : 'S'}: ${e.line}`) });
      const tag = `${svc}-${String(chunking)}`;
      const r1 = await client.send({ from: 'eod4@c.test', to: [`a-${tag}@pf.test`], body: B });
      const r2 = await client.send({ from: `next-${tag}@c.test`, to: [`b-${tag}@pf.test`], body: B });
      const r3 = await client.send({ from: 'eod5@c.test', to: [`c-${tag}@pf.test`], body: B });
      const r4 = await client.send({ from: `last-${tag}@c.test`, to: [`d-${tag}@pf.test`, 'gone@pf.test'], body: B });
      await client.quit();
      expect([r1, r2, r3, r4].map((r) => [r.outcome, r.reply?.code])).toEqual([['deferred', 451], ['delivered', 250], ['failed', 554], ['partial', 250]]);
      await deliveredAsSent(r2, `next-${tag}@c.test`);
      await deliveredAsSent({ ...r4, recipients: r4.recipients.filter((x) => x.status === 'accepted') }, `last-${tag}@c.test`);
      // one RSET after each refused end of data, none after the accepted ones
      expect(lines.filter((l) => l === 'C: RSET')).toHaveLength(2);
      expect(pf.log()).not.toMatch(/nested MAIL command/);
      // RSET in the MAIL group is pipelining Postfix takes (RFC 2920 §3.1)
      expect(pf.log()).not.toMatch(/improper command pipelining/);
      // nothing was ever queued for the refused recipients
      expect(pf.deliveries().filter((d) => d.to === `a-${tag}@pf.test` || d.to === `c-${tag}@pf.test`)).toEqual([]);
    });
  }

  it('a message written behind the refused dot (sent while the first was in flight) is deferred, never rejected, and nothing is queued under the first sender', async () => {
    const client = await connect({ host: '127.0.0.1', port: port.eod, security: 'off' });
    const [r1, r2] = await Promise.all([client.send({ from: 'eod4@c.test', to: ['wa1@pf.test'], body: B }), client.send({ from: 'wa-next@c.test', to: ['wa2@pf.test'], body: B })]);
    expect(r1).toMatchObject({ outcome: 'deferred', reply: { code: 451 } });
    // Postfix answered its MAIL 503 (nested), took its RCPT into the open transaction and its DATA with
    // 354: the client sent no dot (which had queued an empty message from eod4@c.test to wa2@pf.test)
    expect(r2).toMatchObject({ outcome: 'deferred', transient: true, errorCode: 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY' });
    expect(r2.recipients.map((x) => [x.address, x.status, x.permanent])).toEqual([['wa2@pf.test', 'deferred', false]]);
    expect(client.closed).toBe(true);
    // a new connection delivers it
    const again = await connect({ host: '127.0.0.1', port: port.eod, security: 'off' });
    const r3 = await again.send({ from: 'wa-next@c.test', to: ['wa2@pf.test'], body: B });
    await again.quit();
    expect(r3.outcome).toBe('delivered');
    await deliveredAsSent(r3, 'wa-next@c.test');
    expect(pf.deliveries().filter((d) => d.to === 'wa2@pf.test')).toHaveLength(1);
    expect(pf.log()).toMatch(/lost connection after DATA/);
  });

  it('written behind a dot that Postfix refuses and resets after (header_checks): the next message is delivered on the same connection, no RSET', async () => {
    const lines: string[] = [];
    const client = await connect({ host: '127.0.0.1', port: port.eod, security: 'off', transcript: (e: TranscriptEntry) => lines.push(`${e.direction === 'client' ? 'C' : 'S'}: ${e.line}`) });
    const [r1, r2] = await Promise.all([client.send({ from: 'hc@c.test', to: ['hc1@pf.test'], body: 'Subject: reject-me\r\n\r\nx\r\n' }), client.send({ from: 'hc-next@c.test', to: ['hc2@pf.test'], body: B })]);
    await client.quit();
    expect([r1.outcome, r1.reply?.code, r2.outcome]).toEqual(['failed', 550, 'delivered']);
    expect(lines).not.toContain('C: RSET');
    await deliveredAsSent(r2, 'hc-next@c.test');
  });

  it('smtp send: three messages refused at the end of data, one connection, an RSET before each next MAIL and no 503', async () => {
    const run = await runCli(['send', '-H', '127.0.0.1', '-p', String(port.eod), '--starttls', 'off', '-f', 'eod4@c.test', '-t', 'cli@pf.test', '-n', '3', '--json', '--no-progress'], { timeoutMs: 60_000 });
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; recipients?: { status: string; code?: number }[] });
    expect(lines.filter((l) => l.type === 'message').map((l) => l.recipients!.map((x) => [x.status, x.code]))).toEqual([[['deferred', 451]], [['deferred', 451]], [['deferred', 451]]]);
    expect(lines.at(-1)).toMatchObject({ type: 'summary', deferred: 3, connectionErrors: 0 });
    expect(run.code).toBe(1);
    for (let i = 0; i < 50 && !/ mail=3 rcpt=3 data=0\/3 rset=2 quit=1/.test(pf.log()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(pf.log()).toMatch(/ mail=3 rcpt=3 data=0\/3 rset=2 quit=1/);
    expect(pf.log()).not.toMatch(/nested MAIL command/);
  });
});
