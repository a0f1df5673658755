// smtp-client-fsm/node deliver() against Postfix smtpd as the exchangers of two domains (a resolver
// stub in place of DNS; the exchangers are Postfix listeners on 127.0.0.2 and 127.0.0.3, one port):
// the preferred exchanger of a.test answers DATA with 421, so deliver() moves on to the next one
// with the recipients still to deliver; there RCPT refusals (550, 450) are those recipients'
// results; b.test goes to the second exchanger directly; a null MX fails its recipient for good.
// Every status agrees with the Postfix log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { deliver } from 'smtp-client-fsm/node';
import type { MxResolver } from 'smtp-client-fsm/node';
import { freePort } from '@smtpkit/testkit';
import { postfixAvailable, startPrivatePostfix } from './private-postfix.js';
import type { PrivatePostfix } from './private-postfix.js';

const queueIdOf = (text: string | undefined): string | undefined => /queued as ([0-9A-Za-z]+)/.exec(text ?? '')?.[1];

describe.runIf(postfixAvailable())('deliver() against Postfix exchangers', () => {
  let pf: PrivatePostfix;
  let port = 0;

  beforeAll(async () => {
    port = await freePort();
    pf = await startPrivatePostfix({
      transport: { 'a.test': 'discard:', 'b.test': 'discard:' },
      maps: { rcpt: { 'gone@a.test': '550 5.1.1 No such user', 'busy@a.test': '450 4.2.1 Mailbox busy' }, c421: { '127.0.0.1': '421 4.3.2 Shutting down' } },
      main: { smtpd_recipient_restrictions: 'check_recipient_access texthash:{dir}/rcpt, permit_mynetworks, reject' },
      services: [`127.0.0.2:${port} inet n - n - - smtpd\n  -o smtpd_data_restrictions=check_client_access,texthash:{dir}/c421`, `127.0.0.3:${port} inet n - n - - smtpd`],
    });
    console.log(`peers: Postfix ${execFileSync('/usr/sbin/postconf', ['-d', 'mail_version'], { encoding: 'utf8' }).trim().replace(/^mail_version = /, '')} (private instance, listeners on 127.0.0.2 and 127.0.0.3)`);
  });

  afterAll(async () => {
    await pf?.stop();
  });

  const MX: Record<string, { exchange: string; priority: number }[]> = {
    'a.test': [
      { exchange: 'mx1.test', priority: 10 },
      { exchange: 'mx2.test', priority: 20 },
    ],
    'b.test': [{ exchange: 'mx2.test', priority: 10 }],
    'null.test': [{ exchange: '', priority: 0 }],
  };
  const resolver = {
    resolveMx: (d: string) => Promise.resolve(MX[d] ?? []),
    resolve4: (h: string) => Promise.resolve(h === 'mx1.test' ? ['127.0.0.2'] : ['127.0.0.3']),
    resolve6: () => Promise.resolve([]),
  } as unknown as MxResolver;

  it('421 at DATA at the first exchanger: the second takes the message; per-recipient statuses match the Postfix log', async () => {
    const r = await deliver({ port, security: 'off', resolver, from: 'd@c.test', to: ['ok@a.test', 'gone@a.test', 'busy@a.test', 'ok@b.test', 'x@null.test'], body: 'Subject: deliver\r\n\r\nhello\r\n' });
    expect(r.recipients.map((x) => [x.address, x.status, x.reply?.code])).toEqual([
      ['ok@a.test', 'accepted', 250],
      ['gone@a.test', 'rejected', 550],
      ['busy@a.test', 'deferred', 450],
      ['ok@b.test', 'accepted', 250],
      ['x@null.test', 'rejected', undefined],
    ]);
    expect(r.outcome).toBe('partial');
    const a = r.domains.find((d) => d.domain === 'a.test')!;
    expect(a.attempts.map((x) => x.address)).toEqual(['127.0.0.2', '127.0.0.3']);
    expect(a.attempts[0]!.error).toMatch(/^421 4\.3\.2/);
    const accepted = r.recipients.filter((x) => x.status === 'accepted');
    const ids = new Set(accepted.map((x) => queueIdOf(x.reply?.text)));
    const seen = await pf.waitForDeliveries(2, { filter: (d) => ids.has(d.queueId) });
    expect(seen.map((d) => d.to).sort()).toEqual(['ok@a.test', 'ok@b.test']);
    // nothing was queued at the exchanger that said 421, nor for the refused recipients
    expect(pf.deliveries().filter((d) => !ids.has(d.queueId))).toEqual([]);
    expect(pf.log()).toMatch(/reject: DATA from [^:]*: 421 4\.3\.2/);
  });
});
