// A server that refuses a message while its body is still coming (`552 5.3.4 message too big`,
// then a close, as some servers do mid-DATA): the reply is the message's, not an unsolicited one.
// Real loopback servers (node:net).
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { connect, sendMail } from '../src/node/index.js';

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/**
 * A loopback server that answers `early` after 256 KiB of a message body and then stops reading
 * for 300 ms (the rest of the body and its dot are still in the client's socket when `early`
 * arrives), reads on to the dot and answers it with `atDot`. Command lines go to `commands`.
 */
async function answersMidBody(early: string, atDot: string, commands: string[] = []): Promise<number> {
  const srv = net.createServer((s) => {
    s.on('error', () => undefined);
    s.write('220 mx.test ESMTP\r\n');
    let text = '';
    let inData = false;
    let body = 0;
    let answered = false;
    s.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      for (;;) {
        if (inData) {
          body += text.length;
          if (!answered && body >= 256 * 1024) {
            answered = true;
            s.write(`${early}\r\n`);
            s.pause();
            setTimeout(() => s.resume(), 300);
          }
          const end = text.indexOf('\r\n.\r\n');
          if (end < 0) {
            text = text.slice(-4);
            return;
          }
          text = text.slice(end + 5);
          inData = false;
          s.write(`${atDot}\r\n`);
          continue;
        }
        const i = text.indexOf('\r\n');
        if (i < 0) return;
        const line = text.slice(0, i);
        text = text.slice(i + 2);
        commands.push(line);
        if (line.startsWith('EHLO')) s.write('250-mx.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n');
        else if (line === 'DATA') {
          inData = true;
          s.write('354 go ahead\r\n');
        } else if (line === 'QUIT') s.end('221 bye\r\n');
        else s.write('250 ok\r\n');
      }
    });
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return (srv.address() as net.AddressInfo).port;
}

/**
 * A server that answers MAIL, RCPT and DATA, then after `after` octets of the body writes `reply`
 * and closes its side (it goes on reading, and discards, what still comes). `replied` resolves once
 * the reply is written.
 */
async function refusingMidBody(reply: string, after: number): Promise<{ port: number; replied: Promise<void>; received: () => number }> {
  let onReplied: () => void = () => undefined;
  const replied = new Promise<void>((r) => (onReplied = r));
  let body = 0;
  const srv = net.createServer((s) => {
    s.on('error', () => undefined);
    s.write('220 mx.test ESMTP\r\n');
    let text = '';
    let inData = false;
    s.on('data', (d: Buffer) => {
      if (inData) {
        const before = body;
        body += d.length;
        if (before < after && body >= after) {
          s.end(`${reply}\r\n`);
          onReplied();
        }
        return;
      }
      text += d.toString('latin1');
      for (let i = text.indexOf('\r\n'); i >= 0 && !inData; i = text.indexOf('\r\n')) {
        const line = text.slice(0, i);
        text = text.slice(i + 2);
        if (line.startsWith('EHLO')) s.write('250-mx.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n');
        else if (line === 'DATA') {
          inData = true;
          s.write('354 go ahead\r\n');
        } else s.write('250 ok\r\n');
      }
    });
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as net.AddressInfo).port, replied, received: () => body };
}

const LINE = 'x'.repeat(98) + '\r\n';
const MB = LINE.repeat(10_486); // about 1 MiB

/** A 2 MB body whose second half is read only once the server has replied: it is still being sent when the reply comes. */
async function* twoMegabytes(replied: Promise<void>): AsyncGenerator<string> {
  yield 'Subject: big\r\n\r\n';
  yield MB;
  await replied;
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 10));
    yield MB.slice(0, MB.length / 10);
  }
}

describe('a reply in the middle of the body', () => {
  it('552 after part of a 2 MB body, then a close: the message failed for good, with that reply for its recipients', async () => {
    const h = await refusingMidBody('552 5.3.4 message too big', 256 * 1024);
    const r = await sendMail({ host: '127.0.0.1', port: h.port, security: 'off', from: 'a@x.test', to: ['b@y.test', 'c@y.test'], body: twoMegabytes(h.replied) });
    expect(r).toMatchObject({ outcome: 'failed', transient: false, rejected: ['b@y.test', 'c@y.test'], deferred: [], unknown: [], reply: { code: 552, enhanced: { class: 5, subject: 3, detail: 4 } } });
    expect(r.errorCode).toBeUndefined();
    for (const x of r.recipients) expect(x).toMatchObject({ status: 'rejected', permanent: true, reply: { code: 552 }, classification: { category: expect.any(String) } });
    expect(h.received()).toBeLessThan(2 * 1024 * 1024);
  });

  it('452 after part of the body: deferred, with that reply', async () => {
    const h = await refusingMidBody('452 4.3.1 insufficient system storage', 256 * 1024);
    const r = await sendMail({ host: '127.0.0.1', port: h.port, security: 'off', from: 'a@x.test', to: ['b@y.test'], body: twoMegabytes(h.replied) });
    expect(r).toMatchObject({ outcome: 'deferred', transient: true, deferred: ['b@y.test'], reply: { code: 452 } });
    expect(r.recipients[0]).toMatchObject({ status: 'deferred', transient: true, reply: { code: 452 } });
  });

  it('552 while a whole 2 MB body is still in the socket: failed with that reply', async () => {
    const h = await refusingMidBody('552 5.3.4 message too big', 256 * 1024);
    const r = await sendMail({ host: '127.0.0.1', port: h.port, security: 'off', from: 'a@x.test', to: ['b@y.test'], body: 'Subject: big\r\n\r\n' + MB + MB });
    expect(r).toMatchObject({ outcome: 'failed', transient: false, rejected: ['b@y.test'], reply: { code: 552 } });
  });

  it('552 mid-body from a server that reads on to the dot and answers it too: the client takes the 552, ends the session and sends nothing more (the late reply is never matched to a next command)', async () => {
    const commands: string[] = [];
    const port = await answersMidBody('552 5.3.4 message too big', '250 2.0.0 queued as LATE', commands);
    const client = await connect({ host: '127.0.0.1', port, security: 'off' });
    // 12 MB: more than loopback's socket buffers take while the server is not reading
    const first = await client.send({ from: 'a@x.test', to: ['b@y.test'], body: 'Subject: big\r\n\r\n' + MB.repeat(12) });
    expect(first).toMatchObject({ outcome: 'failed', rejected: ['b@y.test'], reply: { code: 552 } });
    const second = await client.send({ from: 'a@x.test', to: ['c@y.test'], body: 'Subject: small\r\n\r\nhi\r\n' }).catch((e: unknown) => e);
    expect(second).not.toMatchObject({ outcome: 'delivered' });
    client.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(commands.filter((c) => c.startsWith('MAIL FROM:'))).toHaveLength(1); // the second message never reached the server
  });
  // RFC 5321 §4.1.1.4: only the reply to the end of data accepts a message. A server that answers
  // 250 while the body is still in the client's socket, and would refuse the real end of data.
  for (const kind of ['string', 'Buffer'] as const) {
    it(`250 while a whole ${kind} body is still in the socket (the server refuses the real dot with 554): not delivered, deferred with ERR_SMTP_CLIENT_UNEXPECTED_REPLY`, async () => {
      const port = await answersMidBody('250 2.0.0 queued early', '554 5.7.1 rejected');
      // 12 MB: more than loopback's socket buffers take while the server is not reading
      const text = 'Subject: big\r\n\r\n' + MB.repeat(12);
      const r = await sendMail({ host: '127.0.0.1', port, security: 'off', from: 'a@x.test', to: ['b@y.test'], body: kind === 'string' ? text : Buffer.from(text, 'latin1') });
      expect(r).toMatchObject({ outcome: 'deferred', transient: true, errorCode: 'ERR_SMTP_CLIENT_UNEXPECTED_REPLY', accepted: [], deferred: ['b@y.test'] });
      expect(r.recipients[0]).toMatchObject({ status: 'deferred' });
    });
  }
});
