// The client pool against a Postfix smtpd that closes idle connections (smtpd_timeout = 1s, its
// "421 4.4.2 Error: timeout exceeded" then a disconnect): the pool keeps its connection longer
// than that, and each next message is sent after a pause swept across the server's timeout, so
// the pool meets connections the server closed while idle, and may meet one it is closing just
// as the MAIL goes out (the exact race is tested deterministically in the pool's unit tests).
// Every message must be delivered exactly once: Postfix's log has one delivery per message.
// Then a Postfix that takes one connection per client (smtpd_client_connection_count_limit = 1,
// loopback not exempted): a pool of four connections must deliver every message over the one
// connection Postfix takes, none of them rejected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from 'smtp-client-fsm/node';
import { postfixAvailable, startPrivatePostfix } from './private-postfix.js';
import type { PrivatePostfix } from './private-postfix.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.runIf(postfixAvailable())('smtp-client-fsm/node createPool against Postfix closing idle connections', () => {
  let pf: PrivatePostfix;

  beforeAll(async () => {
    pf = await startPrivatePostfix({ transport: { 'pf.test': 'discard:' }, main: { smtpd_timeout: '1s' } });
  });

  afterAll(async () => {
    await pf?.stop();
  });

  it('pauses swept across smtpd_timeout: every message delivered once, none deferred, none twice', async () => {
    const pool = createPool({ host: '127.0.0.1', port: pf.smtpPort, security: 'off', maxConnections: 1, idleTimeout: 60_000 });
    const pauses: number[] = [];
    for (let ms = 960; ms <= 1040; ms += 4) pauses.push(ms);
    const outcomes: string[] = [];
    const send = async (i: number): Promise<void> => {
      const r = await pool.send({ from: 'pool@client.test', to: [`m${String(i)}@pf.test`], body: `Subject: ${String(i)}\r\n\r\nmessage ${String(i)}\r\n` });
      outcomes.push(`${String(i)} ${r.outcome}${r.reply ? ` ${String(r.reply.code)}` : ''}`);
    };
    await send(0);
    for (const [k, ms] of pauses.entries()) {
      await sleep(ms);
      await send(k + 1);
    }
    await pool.close();
    const n = pauses.length + 1;
    expect(outcomes.filter((o) => !o.endsWith('delivered 250'))).toEqual([]);
    const delivered = await pf.waitForDeliveries(n, { filter: (d) => d.to.endsWith('@pf.test'), timeoutMs: 30_000 });
    expect(delivered.map((d) => d.to).sort()).toEqual(Array.from({ length: n }, (_, i) => `m${String(i)}@pf.test`).sort());
    const log = pf.log();
    const timeouts = log.split('\n').filter((l) => l.includes('timeout after')).length;
    const connections = log.split('\n').filter((l) => / connect from /.test(l)).length;
    console.log(`createPool vs Postfix smtpd_timeout=1s: ${String(n)} messages, ${String(connections)} connections, ${String(timeouts)} idle timeouts by the server`);
    // most pauses outlast the server's timeout: it closed many idle connections meanwhile
    expect(timeouts).toBeGreaterThan(0);
  }, 120_000);
});

describe.runIf(postfixAvailable())('smtp-client-fsm/node createPool against Postfix taking one connection per client', () => {
  let pf: PrivatePostfix;

  beforeAll(async () => {
    pf = await startPrivatePostfix({
      transport: { 'pf.test': 'discard:' },
      main: { smtpd_client_connection_count_limit: 1, smtpd_client_event_limit_exceptions: '' },
    });
    // The start-up probe's connection counts against the limit until its smtpd has told anvil it
    // ended: while it does, Postfix refuses every connection of the pool (421), and the pool fails
    // the messages at once (no connection open or opening). Wait for its "disconnect from" line
    // (the probe made one session: at least one "connect from"; bounded), then a moment for anvil.
    const sessions = (re: RegExp): number => pf.log().split('\n').filter((l) => re.test(l)).length;
    const open = (): boolean => sessions(/ connect from /) === 0 || sessions(/ disconnect from /) < sessions(/ connect from /);
    for (let i = 0; i < 100 && open(); i++) await sleep(100);
    await sleep(200);
  });

  afterAll(async () => {
    await pf?.stop();
  });

  it('maxConnections 4, 12 messages at once: every message delivered over the connection Postfix took', async () => {
    const pool = createPool({ host: '127.0.0.1', port: pf.smtpPort, security: 'off', maxConnections: 4 });
    const settled = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => pool.send({ from: 'limit@client.test', to: [`l${String(i)}@pf.test`], body: `Subject: ${String(i)}\r\n\r\nmessage ${String(i)}\r\n` })),
    );
    await pool.close();
    expect(settled.map((r) => (r.status === 'fulfilled' ? r.value.outcome : `rejected ${String((r.reason as { code?: string }).code)}`))).toEqual(Array(12).fill('delivered'));
    const delivered = await pf.waitForDeliveries(12, { filter: (d) => d.to.startsWith('l'), timeoutMs: 30_000 });
    expect(delivered.map((d) => d.to).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `l${String(i)}@pf.test`).sort());
    const refused = pf.log().split('\n').filter((l) => l.includes('oncurrency limit exceeded')).length;
    console.log(`createPool vs Postfix smtpd_client_connection_count_limit=1: 12 messages delivered; Postfix refused ${String(refused)} connection(s)`);
    expect(refused).toBeGreaterThan(0);
  }, 60_000);
});
