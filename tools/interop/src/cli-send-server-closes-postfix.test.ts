// smtp send against a Postfix smtpd that ends sessions itself: after smtpd_hard_error_limit errors
// on one connection it says "421 4.7.0 Error: too many errors" and hangs up. The messages after
// such a close (its 421 answers the DATA of a pipelined MAIL, RCPT, DATA) go on a new connection: every message gets its own verdict from the server (here
// each one's recipient refused with 550), none is reported "not attempted" as a connection error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { postfixAvailable, startPrivatePostfix } from './private-postfix.js';
import type { PrivatePostfix } from './private-postfix.js';
import { runCli } from '../../cli/src/run-cli.js';

describe.runIf(postfixAvailable())('smtp send against Postfix closing sessions after too many errors', () => {
  let pf: PrivatePostfix;

  beforeAll(async () => {
    pf = await startPrivatePostfix({
      transport: { 'pf.test': 'discard:' },
      maps: { rcpt: { 'gone@pf.test': '550 5.1.1 No such user' } },
      main: {
        smtpd_recipient_restrictions: 'check_recipient_access texthash:{dir}/rcpt, permit_mynetworks, reject',
        smtpd_hard_error_limit: 3,
        smtpd_soft_error_limit: 2,
        smtpd_error_sleep_time: 0,
      },
    });
    console.log(`peers: Postfix ${execFileSync('/usr/sbin/postconf', ['-d', 'mail_version'], { encoding: 'utf8' }).trim().replace(/^mail_version = /, '')} (private instance)`);
  });

  afterAll(async () => {
    await pf?.stop();
  });

  it('12 messages, each refused at RCPT: 12 verdicts of 550 over several connections, no connection errors, exit 1', async () => {
    const run = await runCli(['send', '-H', '127.0.0.1', '-p', String(pf.smtpPort), '--starttls', 'off', '-f', 'a@c.test', '-t', 'gone@pf.test', '-n', '12', '--json'], { timeoutMs: 60_000 });
    expect(run.signal).toBeNull();
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; recipients?: { status: string; code?: number }[]; connectionErrors?: number });
    expect(lines.filter((l) => l.type === 'message').map((m) => m.recipients!.map((r) => [r.status, r.code]))).toEqual(Array(12).fill([['rejected', 550]]));
    expect(lines.at(-1)).toMatchObject({ type: 'summary', rejected: 12, deferred: 0, connectionErrors: 0 });
    expect(run.code).toBe(1);
    // Postfix did end sessions with its 421 (the CLI met the closes it now recovers from)
    expect(pf.log()).toMatch(/too many errors after/);
    expect(pf.deliveries()).toEqual([]);
  });
});

describe.runIf(postfixAvailable())('smtp send -c 4 against Postfix taking one connection per client', () => {
  let pf: PrivatePostfix;

  beforeAll(async () => {
    // loopback is exempt from the per-client limits by default: not here
    pf = await startPrivatePostfix({ transport: { 'pf.test': 'discard:' }, main: { smtpd_client_connection_count_limit: 1, smtpd_client_event_limit_exceptions: '' } });
  });

  afterAll(async () => {
    await pf?.stop();
  });

  it('the connections Postfix refuses (421 too many connections) cost no message: all 20 delivered over the one it took, exit 0', async () => {
    const run = await runCli(['send', '-H', '127.0.0.1', '-p', String(pf.smtpPort), '--starttls', 'off', '-f', 'a@c.test', '-t', 'x@pf.test', '-n', '20', '-c', '4', '--json'], { timeoutMs: 60_000 });
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; outcome?: string });
    expect(lines.at(-1)).toMatchObject({ type: 'summary', messages: 20, messagesOk: 20, accepted: 20, connectionErrors: 0 });
    expect(run.code).toBe(0);
    expect(pf.log()).toMatch(/Connection concurrency limit exceeded/);
    expect((await pf.waitForDeliveries(20, { filter: (d) => d.to === 'x@pf.test' })).length).toBe(20);
  });
});
