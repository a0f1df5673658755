// The private-Postfix helper itself: a Postfix started in a temp directory relays to a loopback
// createServer through its transport map, logs every attempt, honours an access map, and stops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { createServer } from 'esmtp-server-fsm/node';
import type { SmtpServer } from 'esmtp-server-fsm/node';
import { freePort } from '@smtpkit/testkit';
import { parseDeliveries, postfixAvailable, startPrivatePostfix } from './private-postfix.js';
import type { PrivatePostfix } from './private-postfix.js';

describe('parseDeliveries', () => {
  it('reads queue id, agent, recipient, relay, dsn, status and reply from a log line', () => {
    const line = 'Dec  2 04:30:01 host postfix/smtp[1234]: 4ABCDEF12: to=<bob@sink.test>, relay=127.0.0.1[127.0.0.1]:2525, delay=0.1, delays=0/0/0/0, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as x)';
    const other = 'Dec  2 04:30:01 host postfix/qmgr[99]: 4ABCDEF12: removed';
    expect(parseDeliveries(`${other}\n${line}\n${other}`)).toEqual([
      { agent: 'smtp', queueId: '4ABCDEF12', to: 'bob@sink.test', relay: '127.0.0.1[127.0.0.1]:2525', dsn: '2.0.0', status: 'sent', detail: '250 2.0.0 Ok: queued as x', line },
    ]);
  });
});

describe.runIf(postfixAvailable())('a private Postfix relaying to createServer', () => {
  const received: { from: string; to: readonly string[]; body: Buffer }[] = [];
  let server: SmtpServer;
  /** later@sink.test gets 451 until this is set. */
  let allowLater = false;
  let pf: PrivatePostfix;

  beforeAll(async () => {
    server = createServer({
      hostname: 'sink.test',
      onRcptTo: (to) => (to === 'later@sink.test' && !allowLater ? { code: 451, enhanced: '4.3.0', text: 'try later' } : undefined),
      onData: async (env, body) => {
        const chunks: Buffer[] = [];
        for await (const c of body) chunks.push(c as Buffer);
        received.push({ from: env.from, to: env.to, body: Buffer.concat(chunks) });
      },
    });
    const { port } = await server.listen(0, '127.0.0.1');
    pf = await startPrivatePostfix({
      transport: { 'sink.test': `smtp:[127.0.0.1]:${port}` },
      maps: { recipient_access: { 'busy@sink.test': '450 4.2.1 Mailbox busy', 'full@sink.test': '552 5.2.2 Mailbox full' } },
      main: { smtpd_recipient_restrictions: 'check_recipient_access texthash:{dir}/recipient_access, permit_mynetworks, reject' },
    });
  });

  afterAll(async () => {
    await pf?.stop();
    await server?.close({ timeout: 1000 });
  });

  it('delivers a message submitted over SMTP and one injected with sendmail, and logs both as sent', async () => {
    const final = await pf.submit('Subject: one\r\n\r\nfirst\r\n.leading dot\r\n', { from: 'a@origin.test', to: ['bob@sink.test'] });
    expect(final).toMatch(/^250 /);
    await pf.sendmail('Subject: two\n\nsecond\n', { from: 'c@origin.test', to: ['carol@sink.test'] });
    const sent = await pf.waitForDeliveries(2, { timeoutMs: 60_000 });
    expect(sent.map((d) => [d.to, d.status]).sort()).toEqual([
      ['bob@sink.test', 'sent'],
      ['carol@sink.test', 'sent'],
    ]);
    expect(received).toHaveLength(2);
    const one = received.find((r) => r.from === 'a@origin.test')!;
    // Postfix prepends its Received header; the rest arrives unchanged (dot-unstuffed).
    const text = one.body.toString();
    expect(text.startsWith('Received: ')).toBe(true);
    expect(text.slice(text.indexOf('\r\n', text.indexOf(';')) + 2)).toBe('Subject: one\r\n\r\nfirst\r\n.leading dot\r\n');
    expect(await pf.queue()).toMatch(/Mail queue is empty/);
  });

  it('its smtpd applies the access map: 450 and 552 for the listed recipients', async () => {
    await expect(pf.submit('Subject: x\r\n\r\nx\r\n', { from: 'a@origin.test', to: ['busy@sink.test'] })).rejects.toThrow(/450 4\.2\.1 .*Mailbox busy/);
    await expect(pf.submit('Subject: x\r\n\r\nx\r\n', { from: 'a@origin.test', to: ['full@sink.test'] })).rejects.toThrow(/552 5\.2\.2 .*Mailbox full/);
  });

  it('a 4xx is logged as deferred and stays queued; flush() retries at once and it is sent', async () => {
    const sent = await pf.submit('Subject: later\r\n\r\nretry me\r\n', { from: 'a@origin.test', to: ['later@sink.test'] });
    expect(sent).toMatch(/^250 /);
    const [deferred] = await pf.waitForDeliveries(1, { filter: (d) => d.to === 'later@sink.test' && d.status === 'deferred' });
    expect(deferred!.detail).toMatch(/451 4\.3\.0 try later/);
    expect(await pf.queue()).toMatch(/later@sink\.test/);
    allowLater = true;
    await pf.flush();
    await pf.waitForDeliveries(1, { timeoutMs: 30_000, filter: (d) => d.to === 'later@sink.test' && d.status === 'sent' });
    expect(received.filter((r) => r.to.includes('later@sink.test'))).toHaveLength(1);
  });

  it('stop() stops the master and removes the directory', async () => {
    const dir = pf.dir;
    const port = pf.smtpPort;
    await pf.stop();
    await pf.stop();
    expect(existsSync(dir)).toBe(false);
    const { connect } = await import('node:net');
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});

describe.runIf(postfixAvailable())('a private Postfix given one port twice', () => {
  it('refuses to start: the master would keep only the last service, and a test would talk to the wrong one', async () => {
    const p = await freePort();
    const service = (map: string): string => `127.0.0.1:${String(p)} inet n - n - - smtpd\n  -o smtpd_data_restrictions=check_client_access,texthash:{dir}/${map}`;
    await expect(startPrivatePostfix({ maps: { a: { '127.0.0.1': '451 4.3.0 a' }, b: { '127.0.0.1': '554 5.7.1 b' } }, services: [service('a'), service('b')] })).rejects.toThrow(`two services share one port: 127.0.0.1:${String(p)}`);
  });
});
