// Postfix reusing its connections to createServer, as a busy relay does: its smtp client keeps a
// session open in the connection cache (smtp_connection_cache_destinations) and sends the next
// message over it, after an RSET that checks the session is still usable. Then the same with a
// server that closes idle sessions quickly (timeouts.command = 1 s, `421 4.4.2` and close), so
// Postfix finds cached sessions gone and must open new ones. Every message must arrive exactly
// once, byte-exact after Postfix's Received header, and never be deferred.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buffer } from 'node:stream/consumers';
import { createServer } from 'esmtp-server-fsm/node';
import type { SmtpServer } from 'esmtp-server-fsm/node';
import { sendMail } from 'smtp-client-fsm/node';
import { postfixAvailable, startPrivatePostfix, withoutFirstHeader } from './private-postfix.js';
import type { PrivatePostfix } from './private-postfix.js';

interface Sink {
  readonly server: SmtpServer;
  readonly port: number;
  readonly bodies: Map<string, Buffer[]>;
  readonly sessions: Set<string>;
  readonly commands: string[];
}

async function sink(name: string, commandTimeout?: number): Promise<Sink> {
  const bodies = new Map<string, Buffer[]>();
  const sessions = new Set<string>();
  const commands: string[] = [];
  const server = createServer({
    hostname: `${name}.sink.test`,
    security: 'off',
    ...(commandTimeout !== undefined ? { timeouts: { command: commandTimeout } } : {}),
    transcript: (line) => {
      if (line.direction === 'C') commands.push(line.text.split(' ')[0]!.toUpperCase());
    },
    onData: async (envelope, body, session) => {
      sessions.add(session.id);
      const bytes = await buffer(body);
      for (const to of envelope.to) bodies.set(to, [...(bodies.get(to) ?? []), bytes]);
    },
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port, bodies, sessions, commands };
}


const message = (i: number): string => `From: <s@origin.test>\r\nTo: <m${String(i)}@x.test>\r\nSubject: reuse ${String(i)}\r\nMessage-ID: <reuse-${String(i)}@origin.test>\r\n\r\nbody ${String(i)}\r\n.leading dot\r\n`;

describe.runIf(postfixAvailable())('Postfix reusing cached connections to createServer', () => {
  let pf: PrivatePostfix;
  let steady: Sink;
  let impatient: Sink;

  beforeAll(async () => {
    steady = await sink('steady');
    impatient = await sink('impatient', 1000);
    pf = await startPrivatePostfix({
      transport: { 'steady.test': `smtp:[127.0.0.1]:${String(steady.port)}`, 'impatient.test': `smtp:[127.0.0.1]:${String(impatient.port)}` },
      main: {
        // every destination cached (a list of next hops in [address]:port form matched none here)
        smtp_connection_cache_destinations: 'static:all',
        smtp_connection_cache_time_limit: '10s',
        smtp_connection_reuse_time_limit: '300s',
        // one delivery at a time per destination, so the next message waits for the cached session
        default_destination_concurrency_limit: 1,
      },
    });
  }, 60_000);

  afterAll(async () => {
    await pf?.stop();
    await steady?.server.close({ timeout: 1000 });
    await impatient?.server.close({ timeout: 1000 });
  });

  const submitAll = async (domain: string, count: number, pause: (i: number) => number): Promise<void> => {
    for (let i = 0; i < count; i++) {
      const pauseMs = pause(i);
      const r = await sendMail({ host: '127.0.0.1', port: pf.smtpPort, security: 'off', from: 's@origin.test', to: [`m${String(i)}@${domain}`], body: message(i) });
      expect(r.outcome).toBe('delivered');
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };

  it('20 messages over cached sessions: each once, byte-exact, none deferred, and sessions reused', async () => {
    await submitAll('steady.test', 20, () => 0);
    const lines = await pf.waitForDeliveries(20, { filter: (d) => d.to.endsWith('@steady.test'), timeoutMs: 60_000 });
    expect(lines.filter((d) => d.status !== 'sent')).toEqual([]);
    expect(new Set(lines.map((d) => d.to)).size).toBe(20);
    for (let i = 0; i < 20; i++) {
      const got = steady.bodies.get(`m${String(i)}@steady.test`) ?? [];
      expect(got, `m${String(i)}`).toHaveLength(1);
      expect(withoutFirstHeader(got[0]!).toString('latin1')).toBe(message(i));
    }
    const reused = lines.filter((d) => /conn_use=\d+/.test(d.line)).length;
    console.log(`Postfix connection cache: 20 messages over ${String(steady.sessions.size)} sessions, ${String(reused)} deliveries on a reused connection, ${String(steady.commands.filter((c) => c === 'RSET').length)} RSET`);
    expect(reused).toBeGreaterThan(0);
    expect(steady.sessions.size).toBeLessThan(20);
  }, 120_000);

  it('a server that closes idle sessions after 1 s: Postfix finds cached sessions gone, every message still arrives once, none deferred', async () => {
    // pauses on both sides of the server's idle limit: some cached sessions are closed by the
    // server while Postfix holds them, others are still open when the next message comes
    await submitAll('impatient.test', 12, (i) => (i % 2 === 0 ? 200 : 1600));
    const lines = await pf.waitForDeliveries(12, { filter: (d) => d.to.endsWith('@impatient.test'), timeoutMs: 60_000 });
    expect(lines.filter((d) => d.status !== 'sent')).toEqual([]);
    for (let i = 0; i < 12; i++) {
      const got = impatient.bodies.get(`m${String(i)}@impatient.test`) ?? [];
      expect(got, `m${String(i)}`).toHaveLength(1);
      expect(withoutFirstHeader(got[0]!).toString('latin1')).toBe(message(i));
    }
    const reused = lines.filter((d) => /conn_use=\d+/.test(d.line)).length;
    console.log(`Postfix connection cache against 1 s idle close: 12 messages over ${String(impatient.sessions.size)} sessions, ${String(reused)} on a reused connection`);
    // both paths were taken: a cached session used again, and cached sessions the server had closed
    expect(reused).toBeGreaterThan(0);
    expect(impatient.sessions.size).toBeGreaterThan(1);
  }, 120_000);
});
