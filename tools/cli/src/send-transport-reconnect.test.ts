// smtp send's transport when the server ends the session between two messages (an idle timeout, or
// Postfix's "421 Error: too many errors"): the next message was never tried on that connection, so
// a new connection takes it. It was reported deferred as a connection error ("not attempted"), one
// message lost per server close, and the run exited 3.
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { crlfLines } from '@smtpkit/testkit';
import { openClientConnection } from './send-transport.js';
import type { TransportOptions } from './send-transport.js';

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/**
 * A scripted server. `perSession`: messages taken on a connection before it says 421 and closes;
 * `refuseAfter`: sessions served before new ones get a 421 greeting; `mode` `rset500` (no
 * PIPELINING, the first end of data refused with 554, RSET refused with 500: the client says QUIT,
 * whose reply comes 50 ms later) or `mail421` (a 421 to every MAIL after the first on a connection,
 * then close: Exim's `smtp_accept_max_per_connection`; with `everyMailAfterFirstSession`, to every
 * MAIL of later sessions too); `mailMax` and `rcptMax`: announced as LIMITS MAILMAX and RCPTMAX
 * (RFC 9422). `delivered` lists each recipient of each message taken; `rcpts` each RCPT received.
 */
async function scriptedServer(script: { perSession?: number; refuseAfter?: number; mode?: 'rset500' | 'mail421'; everyMailAfterFirstSession?: boolean; mailMax?: number; rcptMax?: number }): Promise<{ port: number; delivered: string[]; rcpts: string[]; sessions: () => number; closed: (n: number) => Promise<void> }> {
  const { perSession = Infinity, refuseAfter = Infinity, mode, everyMailAfterFirstSession = false, mailMax, rcptMax } = script;
  const limits = [...(rcptMax === undefined ? [] : [`RCPTMAX=${rcptMax}`]), ...(mailMax === undefined ? [] : [`MAILMAX=${mailMax}`])];
  const delivered: string[] = [];
  const rcpts: string[] = [];
  let sessions = 0;
  let ended = 0;
  const srv = net.createServer((sock) => {
    const session = ++sessions;
    sock.on('close', () => ended++);
    if (session > refuseAfter) {
      sock.end('421 4.3.2 no more sessions\r\n');
      return;
    }
    let inData = false;
    let to: string[] = [];
    let done = 0;
    let mails = 0;
    let dots = 0;
    sock.on('error', () => undefined);
    sock.write('220 mx ESMTP\r\n');
    sock.setEncoding('latin1');
    sock.on(
      'data',
      crlfLines((line: string) => {
        if (inData) {
          if (line !== '.') return;
          inData = false;
          if (mode === 'rset500' && session === 1 && ++dots === 1) return void sock.write('554 5.7.1 content refused\r\n');
          delivered.push(...to);
          sock.write('250 2.0.0 queued\r\n');
          if (++done >= perSession) sock.end('421 4.4.2 mx closing the session\r\n');
          return;
        }
        if (line.startsWith('EHLO')) sock.write(`250-mx\r\n${limits.length === 0 ? '' : `250-LIMITS ${limits.join(' ')}\r\n`}${mode === 'mail421' ? '250 PIPELINING\r\n' : '250 8BITMIME\r\n'}`);
        else if (line.startsWith('MAIL')) {
          if (mode === 'mail421' && (++mails > 1 || (everyMailAfterFirstSession && session > 1))) return void sock.end('421 4.7.0 too many messages in this connection\r\n');
          to = [];
          sock.write('250 2.1.0 ok\r\n');
        } else if (line.startsWith('RCPT')) {
          to.push(line.slice(9, -1));
          rcpts.push(line.slice(9, -1));
          sock.write('250 2.1.5 ok\r\n');
        } else if (line === 'DATA') {
          inData = true;
          sock.write('354 go\r\n');
        } else if (line === 'RSET') sock.write(mode === 'rset500' ? '500 5.5.1 no RSET\r\n' : '250 ok\r\n');
        else if (line === 'QUIT') {
          if (mode === 'rset500') setTimeout(() => sock.end('221 bye\r\n'), 50);
          else sock.end('221 bye\r\n');
        }
      }),
    );
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  // the server's side closes after the client's: the client has seen the session end (bounded wait)
  const closed = async (n: number): Promise<void> => {
    for (let i = 0; i < 250 && ended < n; i++) await new Promise((r) => setTimeout(r, 20));
  };
  return { port: (srv.address() as net.AddressInfo).port, delivered, rcpts, sessions: () => sessions, closed };
}

const options = (port: number): TransportOptions => ({ host: '127.0.0.1', port, starttls: 'off', helo: 'client.test', insecure: false, timeoutMs: 5000 });
const body = new TextEncoder().encode('Subject: s\r\n\r\nhello\r\n');

describe('smtp send transport: a session the server ended between two messages', () => {
  it('the next message goes on a new connection and is delivered', async () => {
    const srv = await scriptedServer({ perSession: 2 });
    const conn = await openClientConnection(options(srv.port));
    const outcomes = [];
    for (let i = 0; i < 5; i++) {
      // the server's 421 and close follow its 250: the session is over before the next send
      if (i === 2 || i === 4) await srv.closed(i / 2);
      outcomes.push(await conn.send({ from: 'a@c.test', to: [`r${i}@x.test`], body }));
    }
    await conn.close();
    expect(outcomes.map((o) => o.recipients.map((r) => r.status))).toEqual(Array(5).fill(['accepted']));
    expect(srv.delivered).toEqual(['r0@x.test', 'r1@x.test', 'r2@x.test', 'r3@x.test', 'r4@x.test']);
    expect(srv.sessions()).toBe(3);
  });

  it('a new connection that fails is the error of that message (a connection error), never a hang', async () => {
    const srv = await scriptedServer({ perSession: 1, refuseAfter: 1 });
    const conn = await openClientConnection(options(srv.port));
    const first = await conn.send({ from: 'a@c.test', to: ['r0@x.test'], body });
    expect(first.recipients[0]!.status).toBe('accepted');
    await srv.closed(1);
    await expect(conn.send({ from: 'a@c.test', to: ['r1@x.test'], body })).rejects.toMatchObject({ code: 'ERR_SMTP_CLIENT_GREETING_REJECTED' });
    await conn.close();
    expect(srv.delivered).toEqual(['r0@x.test']);
  });
});

describe('runSend: a send whose new connection the server refused for good', () => {
  it('that message and the rest fail with the reply (exit 1), and no further connection is tried', async () => {
    const { runSend, SessionRefused } = await import('./send-run.js');
    let opened = 0;
    let sends = 0;
    const refusal = new SessionRefused('session refused at the greeting (ERR_SMTP_CLIENT_GREETING_REJECTED)', { code: 554, enhanced: '5.7.1', text: 'no service' });
    const { outcomes, summary } = await runSend({
      count: 4,
      connections: 1,
      from: 'a@c.test',
      to: ['b@x.test'],
      body: () => body,
      open: () => {
        opened++;
        return Promise.resolve({
          send: () => (sends++ === 0 ? Promise.resolve({ recipients: [{ address: 'b@x.test', status: 'accepted', accepted: true, transient: false, code: 250, text: 'ok' }] }) : Promise.reject(refusal)),
          close: () => Promise.resolve(),
        });
      },
    });
    expect(outcomes.map((o) => o.outcome)).toEqual(['delivered', 'failed', 'failed', 'failed']);
    expect(outcomes[1]).toMatchObject({ reply: { code: 554 }, recipients: [{ status: 'rejected', code: 554 }] });
    expect(opened).toBe(1);
    expect(sends).toBe(2);
    expect(summary).toMatchObject({ accepted: 1, rejected: 3, connectionErrors: 0 });
  });
});

describe('smtp send transport: a session that ends in the middle of the next message', () => {
  it('RSET refused (no PIPELINING; the session then says QUIT): the message is sent on a new connection, and so are the next ones (never ERR_SMTP_CLIENT_CLOSED)', async () => {
    const srv = await scriptedServer({ mode: 'rset500' });
    const conn = await openClientConnection(options(srv.port));
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await conn.send({ from: 'a@c.test', to: [`r${i}@x.test`], body }));
    await conn.close();
    // it was: rejected, deferred (ERR_SMTP_CLIENT_RSET_REFUSED), then a rejected send (ERR_SMTP_CLIENT_CLOSED)
    expect(outcomes.map((o) => o.recipients.map((r) => r.status))).toEqual([['rejected'], ['accepted'], ['accepted']]);
    expect(srv.delivered).toEqual(['r1@x.test', 'r2@x.test']);
    expect(srv.sessions()).toBe(2);
  });

  it('421 to the MAIL of a reused connection: nothing of the message was sent, it goes once on a new connection', async () => {
    const srv = await scriptedServer({ mode: 'mail421' });
    const conn = await openClientConnection(options(srv.port));
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await conn.send({ from: 'a@c.test', to: [`r${i}@x.test`], body }));
    await conn.close();
    expect(outcomes.map((o) => o.recipients.map((r) => r.status))).toEqual([['accepted'], ['accepted'], ['accepted']]);
    expect(srv.delivered).toEqual(['r0@x.test', 'r1@x.test', 'r2@x.test']);
    expect(srv.sessions()).toBe(3);
  });

  it('only once: a 421 to the MAIL of the fresh connection is the message\'s result, and a fresh connection\'s own 421 is never a reason to resend', async () => {
    const srv = await scriptedServer({ mode: 'mail421', everyMailAfterFirstSession: true });
    const conn = await openClientConnection(options(srv.port));
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await conn.send({ from: 'a@c.test', to: [`r${i}@x.test`], body }));
    await conn.close();
    expect(outcomes.map((o) => o.recipients.map((r) => [r.status, r.code]))).toEqual([[['accepted', 250]], [['deferred', 421]], [['deferred', 421]]]);
    // r1: its reused connection, then one fresh one; r2: one fresh connection
    expect(srv.sessions()).toBe(3);
  });
});

describe('smtp send transport: LIMITS MAILMAX (RFC 9422)', () => {
  it('a message the connection turned away untried at the limit goes on a new connection (it was: deferred, ERR_SMTP_CLIENT_MAILMAX_REACHED, every other message)', async () => {
    const srv = await scriptedServer({ mailMax: 1 });
    const conn = await openClientConnection(options(srv.port));
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await conn.send({ from: 'a@c.test', to: [`r${i}@x.test`], body }));
    await conn.close();
    expect(outcomes.map((o) => [o.recipients.map((r) => r.status), o.error])).toEqual(Array(3).fill([['accepted'], undefined]));
    expect(srv.delivered).toEqual(['r0@x.test', 'r1@x.test', 'r2@x.test']);
    expect(srv.sessions()).toBe(3);
  });

  it('recipients the limit left untried in the middle of a message (RCPTMAX=2 MAILMAX=1) go on new connections: all delivered once, one outcome', async () => {
    const srv = await scriptedServer({ rcptMax: 2, mailMax: 1 });
    const conn = await openClientConnection(options(srv.port));
    const to = [1, 2, 3, 4, 5].map((i) => `r${i}@x.test`);
    const first = await conn.send({ from: 'a@c.test', to, body });
    // the connection is usable for the next message
    const next = await conn.send({ from: 'a@c.test', to: ['r6@x.test'], body });
    await conn.close();
    // it was: r3..r5 deferred with ERR_SMTP_CLIENT_MAILMAX_REACHED
    expect(first.recipients.map((r) => [r.address, r.status])).toEqual(to.map((a) => [a, 'accepted']));
    expect(first.error).toBeUndefined();
    expect(next.recipients.map((r) => r.status)).toEqual(['accepted']);
    expect(srv.delivered).toEqual([...to, 'r6@x.test']);
    expect(srv.rcpts).toEqual([...to, 'r6@x.test']);
    expect(srv.sessions()).toBe(4);
  });
});
