// A transaction Postfix leaves open must not make the next message on the connection fail.
// Postfix smtpd keeps the mail transaction open after an end-of-data restriction refused the
// message (4xx or 5xx), and answers a following MAIL `503 5.5.1 Error: nested MAIL command`; a RCPT
// then joins the old transaction and DATA gets 354. smtp-client-fsm sends RSET before the next MAIL
// (in the same write with PIPELINING, after its reply without), so the next message is delivered
// under its own sender; a message written ahead behind a dot not yet answered goes behind an RSET,
// so it is delivered on the same connection whatever that dot's reply (before, Postfix answered its
// MAIL 503 nested, joined its RCPT to the refused transaction and answered its DATA 354: the
// client had to end the session and the message was deferred).
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

  for (const [label, svc, chunking] of cases) {
    it(`${label}: messages sent while the previous one is in flight (written ahead behind its dot with PIPELINING and DATA) are delivered on the same connection after a 451 and a 554 at the end of data`, async () => {
      const lines: string[] = [];
      const client = await connect({ host: '127.0.0.1', port: port[svc], security: 'off', chunking, transcript: (e: TranscriptEntry) => lines.push(`${e.direction === 'client' ? 'C' : 'S'}: ${e.line}`) });
      const tag = `wa-${svc}-${String(chunking)}`;
      const [r1, r2, r3, r4] = await Promise.all([
        client.send({ from: 'eod4@c.test', to: [`a-${tag}@pf.test`], body: B }),
        client.send({ from: `next-${tag}@c.test`, to: [`b-${tag}@pf.test`], body: B }),
        client.send({ from: 'eod5@c.test', to: [`c-${tag}@pf.test`], body: B }),
        client.send({ from: `last-${tag}@c.test`, to: [`d-${tag}@pf.test`, 'gone@pf.test'], body: B }),
      ]);
      expect(client.closed).toBe(false);
      await client.quit();
      expect([r1, r2, r3, r4].map((r) => [r.outcome, r.reply?.code])).toEqual([['deferred', 451], ['delivered', 250], ['failed', 554], ['partial', 250]]);
      await deliveredAsSent(r2, `next-${tag}@c.test`);
      await deliveredAsSent({ ...r4, recipients: r4.recipients.filter((x) => x.status === 'accepted') }, `last-${tag}@c.test`);
      const rsets = lines.flatMap((l, i) => (l === 'C: RSET' ? [i] : []));
      if (svc === 'eod' && !chunking) {
        // written ahead: each message after the first behind an RSET written before the previous
        // dot was answered (its final reply comes after the RSET in the transcript), whatever that reply
        const finals = lines.flatMap((l, i) => (/^S: (451 4\.7\.1|554 5\.7\.1|250 2\.0\.0 Ok: queued)/.test(l) ? [i] : []));
        expect(rsets).toHaveLength(3);
        expect(finals).toHaveLength(4);
        for (let k = 0; k < 3; k++) expect(rsets[k]!, `RSET ${String(k + 1)}`).toBeLessThan(finals[k]!);
        // smtpd's own count for the session: every MAIL accepted (no 503), three RSETs, two messages
        const stats = / mail=4 rcpt=4\/5 data=2\/4 rset=3 quit=1 /;
        for (let i = 0; i < 50 && !stats.test(pf.log()); i++) await new Promise((r) => setTimeout(r, 100));
        expect(pf.log()).toMatch(stats);
      } else {
        // no writing ahead (BDAT, or no PIPELINING): an RSET only after each refused end of data
        expect(rsets).toHaveLength(2);
      }
      // Postfix never saw a nested MAIL nor improper pipelining, and nothing was queued for the refused messages
      expect(pf.log()).not.toMatch(/nested MAIL command/);
      expect(pf.log()).not.toMatch(/improper command pipelining/);
      expect(pf.deliveries().filter((d) => d.to === `a-${tag}@pf.test` || d.to === `c-${tag}@pf.test`)).toEqual([]);
      expect(pf.deliveries().filter((d) => d.to === `b-${tag}@pf.test` || d.to === `d-${tag}@pf.test`)).toHaveLength(2);
    });
  }

  it('written behind a dot that Postfix refuses and resets after (header_checks): the next message is delivered on the same connection, behind the one RSET written ahead', async () => {
    const lines: string[] = [];
    const client = await connect({ host: '127.0.0.1', port: port.eod, security: 'off', transcript: (e: TranscriptEntry) => lines.push(`${e.direction === 'client' ? 'C' : 'S'}: ${e.line}`) });
    const [r1, r2] = await Promise.all([client.send({ from: 'hc@c.test', to: ['hc1@pf.test'], body: 'Subject: reject-me\r\n\r\nx\r\n' }), client.send({ from: 'hc-next@c.test', to: ['hc2@pf.test'], body: B })]);
    await client.quit();
    expect([r1.outcome, r1.reply?.code, r2.outcome]).toEqual(['failed', 550, 'delivered']);
    expect(lines.filter((l) => l === 'C: RSET')).toHaveLength(1);
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
