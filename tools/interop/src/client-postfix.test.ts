// Proof against Postfix (issue 16): a private Postfix smtpd in front of the client, with
// smtpd_recipient_limit, message_size_limit and an access map that defers and rejects some
// recipients. Every per-recipient result of the library and the CLI's summary must match what
// Postfix logged: queue ids of the accepted recipients, reply codes of the refused ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { connect, sendMail } from 'smtp-client-fsm/node';
import type { SendResult } from 'smtp-client-fsm/node';
import { postfixAvailable, startPrivatePostfix } from './private-postfix.js';
import type { PrivatePostfix } from './private-postfix.js';
import { runCli } from '../../cli/src/run-cli.js';

const ACCESS: Record<string, string> = {
  'busy@pf.test': '450 4.2.1 Mailbox busy',
  'full@pf.test': '452 4.2.2 Mailbox full',
  'grey@pf.test': '452 4.7.1 Greylisted, try again later',
  'gone@pf.test': '550 5.1.1 No such user',
};
// Pipelined in this order with smtpd_recipient_limit = 3: a1, a2, a3 fill the first transaction,
// so grey, a4 and a5 get "452 4.5.3 too many recipients" and go into a second one, where grey gets
// its own 452 4.7.1 (a deferral, not a limit: no third transaction).
const TO = ['a1@pf.test', 'busy@pf.test', 'a2@pf.test', 'gone@pf.test', 'full@pf.test', 'a3@pf.test', 'grey@pf.test', 'a4@pf.test', 'a5@pf.test'];
const BODY = 'Subject: proof\r\n\r\nhello Postfix\r\n';

interface Refusal {
  readonly to: string;
  readonly from: string;
  readonly code: number;
  readonly enhanced: string;
}

/** smtpd's `reject: RCPT` lines (`NOQUEUE: reject: RCPT from ...: 450 4.2.1 <x>: ...; from=<f> to=<x>`). */
function refusals(log: string): Refusal[] {
  const out: Refusal[] = [];
  const re = /reject: RCPT from [^:]*: (\d{3}) (\d\.\d{1,3}\.\d{1,3}) <[^>]*>:.*?; from=<([^>]*)> to=<([^>]*)>/;
  for (const line of log.split('\n')) {
    const m = re.exec(line);
    if (m) out.push({ code: Number(m[1]), enhanced: m[2]!, from: m[3]!, to: m[4]! });
  }
  return out;
}

const queueIdOf = (text: string | undefined): string | undefined => /queued as ([0-9A-Za-z]+)/.exec(text ?? '')?.[1];

describe.runIf(postfixAvailable())('smtp-client-fsm/node and smtp send against a private Postfix', () => {
  let pf: PrivatePostfix;

  beforeAll(async () => {
    pf = await startPrivatePostfix({
      transport: { 'pf.test': 'discard:' },
      maps: { recipient_access: ACCESS },
      main: {
        smtpd_recipient_limit: 3,
        message_size_limit: 100_000,
        smtpd_recipient_restrictions: 'check_recipient_access texthash:{dir}/recipient_access, permit_mynetworks, reject',
      },
    });
  });

  afterAll(async () => {
    await pf?.stop();
  });

  /** Checks one message's result against the Postfix log, for sender `from`. */
  async function matchesLog(r: { address: string; status: string; code?: number; text?: string }[], from: string): Promise<void> {
    const accepted = r.filter((x) => x.status === 'accepted');
    const ids = new Set(accepted.map((x) => queueIdOf(x.text)));
    expect([...ids].every((id) => id !== undefined)).toBe(true);
    const sent = await pf.waitForDeliveries(accepted.length, { filter: (d) => ids.has(d.queueId), timeoutMs: 30_000 });
    // Every recipient we call accepted was delivered by Postfix under the queue id of the reply that queued it.
    for (const x of accepted) expect(sent.find((d) => d.to === x.address && d.queueId === queueIdOf(x.text))?.status).toBe('sent');
    expect(sent.map((d) => d.to).sort()).toEqual(accepted.map((x) => x.address).sort());
    // Every refused recipient was refused by smtpd with the code we report (the 4.5.3 limit replies are not final).
    const logged = refusals(pf.log()).filter((x) => x.from === from && x.enhanced !== '4.5.3');
    for (const x of r.filter((y) => y.status !== 'accepted')) {
      const seen = logged.filter((l) => l.to === x.address);
      expect(seen.map((l) => l.code)).toEqual([x.code]);
      expect(x.status).toBe(x.code! >= 500 ? 'rejected' : 'deferred');
    }
    expect(logged.map((l) => l.to).sort()).toEqual(r.filter((y) => y.status !== 'accepted').map((y) => y.address).sort());
  }

  it('library: the limit 452 (4.5.3) takes a second transaction, other refusals are per recipient, the result matches the log', async () => {
    const from = 'lib@client.test';
    const r: SendResult = await sendMail({ host: '127.0.0.1', port: pf.smtpPort, security: 'off', from, to: TO, body: BODY });
    expect(r.outcome).toBe('partial');
    expect(r.transactions).toBe(2);
    expect(r.accepted).toEqual(['a1@pf.test', 'a2@pf.test', 'a3@pf.test', 'a4@pf.test', 'a5@pf.test']);
    expect(r.deferred).toEqual(['busy@pf.test', 'full@pf.test', 'grey@pf.test']);
    expect(r.rejected).toEqual(['gone@pf.test']);
    expect(r.unknown).toEqual([]);
    expect(r.recipients.find((x) => x.address === 'grey@pf.test')).toMatchObject({ status: 'deferred', transaction: 1, reply: { code: 452, enhanced: { class: 4, subject: 7, detail: 1 } } });
    expect(r.recipients.find((x) => x.address === 'full@pf.test')).toMatchObject({ status: 'deferred', transaction: 0, reply: { code: 452 } });
    // Two queue ids, one per transaction; the message's reply is the last one that queued mail.
    const ids = new Set(r.recipients.filter((x) => x.accepted).map((x) => queueIdOf(x.reply?.text)));
    expect(ids.size).toBe(2);
    expect(queueIdOf(r.reply?.text)).toBe(queueIdOf(r.recipients.find((x) => x.address === 'a5@pf.test')?.reply?.text));
    await matchesLog(r.recipients.map((x) => ({ address: x.address, status: x.status, ...(x.reply ? { code: x.reply.code, text: x.reply.text } : {}) })), from);
  });

  it('CLI: the JSON lines and the summary agree with each other and with the Postfix log', async () => {
    const from = 'cli@client.test';
    const args = ['send', '-H', '127.0.0.1', '-p', String(pf.smtpPort), '--starttls', 'off', '-f', from, ...TO.flatMap((t) => ['-t', t]), '--json', '--no-progress'];
    const run = await runCli(args, { timeoutMs: 60_000 });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    const [msg, summary] = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const recipients = msg!['recipients'] as { address: string; status: string; code?: number; text?: string }[];
    expect(msg).toMatchObject({ outcome: 'partial' });
    expect(summary).toMatchObject({ recipients: 9, accepted: 5, deferred: 3, rejected: 1, unknown: 0, outcomes: { partial: 1 } });
    await matchesLog(recipients, from);
    const text = await runCli(args.filter((a) => a !== '--json'), { timeoutMs: 60_000 });
    expect(text.stdout).toContain('recipients: 5 accepted, 1 rejected, 3 deferred, 0 unknown (of 9)');
    expect(text.stdout).toMatch(/TEMP +grey@pf\.test +452 4\.7\.1/);
  });

  it('message_size_limit: a streamed BDAT body over the limit is 552 5.3.4, permanent, in few chunks, nothing sent after the 552', async () => {
    const transcript: string[] = [];
    const before = pf.deliveries().length;
    const client = await connect({ host: '127.0.0.1', port: pf.smtpPort, security: 'off', chunking: true, transcript: (e) => transcript.push(`${e.direction === 'client' ? 'C' : 'S'}: ${e.line}`) });
    expect(client.capabilities.has('CHUNKING')).toBe(true);
    const line = 'x'.repeat(78) + '\r\n';
    function* lines(): Generator<string> {
      yield 'Subject: big\r\n\r\n';
      for (let i = 0; i < 40_000; i++) yield line; // 3.2 MB of 80-byte lines
    }
    // A Node Readable in object mode yields each line as its own chunk.
    const r = await client.send({ from: 'big@client.test', to: ['a1@pf.test'], body: Readable.from(lines()) });
    await client.quit();
    expect(r).toMatchObject({ outcome: 'failed', transient: false, reply: { code: 552, enhanced: { class: 5, subject: 3, detail: 4 } } });
    expect(r.recipients[0]).toMatchObject({ status: 'rejected', permanent: true });
    const bdat = transcript.filter((l) => l.startsWith('C: BDAT'));
    expect(bdat.length).toBeGreaterThan(0);
    expect(bdat.length).toBeLessThanOrEqual(Math.ceil(3_200_000 / 65_536) + 1);
    const refused = transcript.findIndex((l) => l.startsWith('S: 552'));
    expect(refused).toBeGreaterThan(0);
    expect(transcript.slice(refused).filter((l) => l.startsWith('C: BDAT'))).toEqual([]);
    expect(pf.deliveries().length).toBe(before);
    // At most 3 chunks were in flight at the refusal: Postfix refuses each with an error of its own
    // and, past smtpd_soft_error_limit (10), sleeps a second per error until it hangs up.
    expect(pf.log()).not.toMatch(/too many errors after BDAT/);
    expect(transcript.slice(refused).filter((l) => l.startsWith('S: 551')).length).toBeLessThanOrEqual(3);
  });
});
