// XCLIENT and XFORWARD against Postfix, the way a content filter or a front-end proxy uses them:
// the project's client, with the XCLIENT state registered, tells a private Postfix smtpd (which
// authorises XCLIENT from loopback and relays for the original client's network) who the real
// client was, its HELO name included (given again in the EHLO after XCLIENT, where Postfix reads it); Postfix relays the message to
// createServer with XFORWARD on (smtp_send_xforward_command = yes), and createServer, trusting
// loopback, reads those attributes back. A Postfix that does not authorise XCLIENT answers it
// with a refusal: the state with `required: false` goes on without it; with `required: true` the
// message is not sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buffer } from 'node:stream/consumers';
import { createServer } from 'esmtp-server-fsm/node';
import type { SmtpServer } from 'esmtp-server-fsm/node';
import { createStateRegistry, xclientState } from 'smtp-client-fsm';
import { connect } from 'smtp-client-fsm/node';
import { postfixAvailable, startPrivatePostfix } from './private-postfix.js';
import type { PrivatePostfix } from './private-postfix.js';

describe.runIf(postfixAvailable())('XCLIENT to Postfix, XFORWARD from Postfix', () => {
  let pf: PrivatePostfix;
  let strict: PrivatePostfix;
  let server: SmtpServer;
  const seen: { to: readonly string[]; xforward: Readonly<Record<string, string>> | undefined; helo: string | undefined; bytes: Buffer }[] = [];
  let arrived: (() => void) | undefined;

  beforeAll(async () => {
    server = createServer({
      hostname: 'mx.dest.test',
      security: 'off',
      xforward: true,
      isTrusted: (address) => address === '127.0.0.1',
      onData: async (envelope, body, session) => {
        seen.push({ to: envelope.to, xforward: session.info.xforward, helo: envelope.helo, bytes: await buffer(body) });
        arrived?.();
      },
    });
    await server.listen(0, '127.0.0.1');
    const transport = { 'dest.test': `smtp:[127.0.0.1]:${String(server.address()!.port)}` };
    pf = await startPrivatePostfix({ transport, main: { smtpd_authorized_xclient_hosts: '127.0.0.0/8', smtp_send_xforward_command: 'yes', mynetworks: '127.0.0.0/8, 203.0.113.0/24' } });
    strict = await startPrivatePostfix({ transport: { 'dest.test': 'discard:' } });
  }, 60_000);

  afterAll(async () => {
    await pf?.stop();
    await strict?.stop();
    await server?.close({ timeout: 1000 });
  });

  const waitSeen = (n: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${String(seen.length)} messages arrived; Postfix log:\n${pf.log().slice(-3000)}`)), 60_000);
      const check = (): void => {
        if (seen.length < n) return;
        clearTimeout(timer);
        resolve();
      };
      arrived = check;
      check();
    });

  it('the original client given with XCLIENT reaches createServer through Postfix as XFORWARD attributes', async () => {
    const states = createStateRegistry();
    states.register(xclientState({ ADDR: '203.0.113.9', NAME: 'client.example', HELO: 'laptop.client.example', PROTO: 'ESMTP' }, { required: true }), { after: 'starttls' });
    const client = await connect({ host: '127.0.0.1', port: pf.smtpPort, security: 'off', hostname: 'filter.local', states });
    const r = await client.send({ from: 'a@origin.test', to: ['b@dest.test'], body: 'Subject: xclient\r\n\r\nforwarded\r\n' });
    await client.quit();
    expect(r.outcome).toBe('delivered');
    await waitSeen(1);
    const [m] = seen;
    expect(m!.to).toEqual(['b@dest.test']);
    // Postfix took the XCLIENT attributes as the client, and forwarded them
    expect(m!.xforward).toMatchObject({ ADDR: '203.0.113.9', NAME: 'client.example', HELO: 'laptop.client.example', PROTO: 'ESMTP' });
    // and wrote them into its Received header
    expect(m!.bytes.toString('latin1')).toMatch(/^Received: from laptop\.client\.example \(client\.example \[203\.0\.113\.9\]\)/);
    expect(pf.log()).toMatch(/client=client\.example\[203\.0\.113\.9\]/);
    // the relay's own EHLO name is Postfix's, not the original client's
    expect(m!.helo).toBe('postfix-private.test');
  }, 120_000);

  it('a Postfix that does not authorise XCLIENT: optional goes on without it, required sends nothing', async () => {
    const optional = createStateRegistry();
    optional.register(xclientState({ ADDR: '203.0.113.9' }), { after: 'starttls' });
    const c1 = await connect({ host: '127.0.0.1', port: strict.smtpPort, security: 'off', states: optional });
    const r1 = await c1.send({ from: 'a@origin.test', to: ['b@dest.test'], body: 'Subject: x\r\n\r\nx\r\n' });
    await c1.quit();
    expect(r1.outcome).toBe('delivered');

    const required = createStateRegistry();
    required.register(xclientState({ ADDR: '203.0.113.9' }, { required: true }), { after: 'starttls' });
    const outcome = await (async () => {
      try {
        const c2 = await connect({ host: '127.0.0.1', port: strict.smtpPort, security: 'off', states: required });
        const r2 = await c2.send({ from: 'a@origin.test', to: ['c@dest.test'], body: 'Subject: x\r\n\r\nx\r\n' });
        await c2.quit().catch(() => undefined);
        return r2.outcome;
      } catch (e) {
        return (e as { code?: string }).code ?? String(e);
      }
    })();
    // connect() rejects with the reason the XCLIENT state gave up: Postfix does not offer XCLIENT to
    // this client. For a message that is a deferral (transient, as the legacy XCLIENT = required:
    // another exchanger, or a corrected configuration, may accept it), never a bounce
    expect(outcome).toBe('ERR_SMTP_CLIENT_XCLIENT_UNAVAILABLE');
    const sent = await strict.waitForDeliveries(1, { filter: (d) => d.to === 'b@dest.test' });
    expect(sent).toHaveLength(1);
    expect(strict.deliveries().filter((d) => d.to === 'c@dest.test')).toEqual([]);
    console.log(`XCLIENT required against a Postfix that does not authorise it: ${String(outcome)}`);
  }, 120_000);
});
