/**
 * client: messages per second sending 10 KB messages over loopback.
 *  1. smtp-client-fsm/node -> Postfix smtp-sink vs nodemailer -> smtp-sink, 1 and 8 connections,
 *     each send awaited (one message in flight per connection) and many sends in flight.
 *  2. the full pair (smtp-client-fsm -> esmtp-server-fsm/node) vs nodemailer -> smtp-server.
 *  3. the full pair vs Postfix smtp-source -> smtp-sink (both C programs), 8 connections.
 * Every peer's version is printed in the report (nodemailer and smtp-server are pinned exactly in
 * tools/bench/package.json).
 */
import { spawn, execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { connect } from 'smtp-client-fsm/node';
import { npmVersion, postfixVersion, throughputAsync, type Comparison, type Suite } from '../harness.js';
import { freePort, waitForPort } from '@smtpkit/testkit';
import { SERVERS } from '../server-peers.js';

const SINK = '/usr/sbin/smtp-sink';
const SOURCE = '/usr/sbin/smtp-source';
const BODY = `Subject: bench\r\nFrom: a@bench.test\r\nTo: b@bench.test\r\n\r\n${('x'.repeat(98) + '\r\n').repeat(102)}`; // ~10 KB

const NODEMAILER = `nodemailer ${npmVersion('nodemailer')}`;
const SMTP_SERVER = `smtp-server ${npmVersion('smtp-server')}`;
const POSTFIX = `Postfix ${postfixVersion()}`;

/** `awaited`: each connection sends one message at a time; `inflight`: every send is started at once. */
type Mode = 'awaited' | 'inflight';

async function ours(port: number, messages: number, connections: number, mode: Mode = 'inflight'): Promise<number> {
  const per = Math.ceil(messages / connections);
  const send = (client: Awaited<ReturnType<typeof connect>>) => client.send({ from: 'a@bench.test', to: ['b@bench.test'], body: BODY });
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const client = await connect({ host: '127.0.0.1', port, security: 'off', hostname: 'bench.test' });
      const results = [];
      if (mode === 'awaited') for (let i = 0; i < per; i++) results.push(await send(client));
      else results.push(...(await Promise.all(Array.from({ length: per }, () => send(client)))));
      await client.quit();
      if (results.some((r) => r.outcome !== 'delivered')) throw new Error('ours: a message failed');
    }),
  );
  return per * connections;
}

async function peer(port: number, messages: number, connections: number, mode: Mode = 'inflight'): Promise<number> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: connections, maxMessages: Infinity, name: 'bench.test' });
  const send = () => t.sendMail({ envelope: { from: 'a@bench.test', to: ['b@bench.test'] }, raw: BODY });
  if (mode === 'awaited') {
    // One loop per connection, each awaiting its send: at most `connections` messages in flight.
    const per = Math.ceil(messages / connections);
    await Promise.all(Array.from({ length: connections }, async () => { for (let i = 0; i < per; i++) await send(); }));
    t.close();
    return per * connections;
  }
  await Promise.all(Array.from({ length: messages }, send));
  t.close();
  return messages;
}

async function smtpSource(port: number, messages: number, connections: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    execFile(SOURCE, ['-s', String(connections), '-m', String(messages), '-l', String(BODY.length), '-f', 'a@bench.test', '-t', 'b@bench.test', `127.0.0.1:${port}`], (e) => (e ? reject(new Error(e.message)) : resolve()));
  });
  return messages;
}

const suite: Suite = {
  name: 'client',
  async run({ quick }) {
    const n = quick ? 200 : 1000;
    const runs = quick ? 1 : 3;
    const out: Comparison[] = [];
    const children: ChildProcess[] = [];
    try {
      if (existsSync(SINK)) {
        const sinkPort = await freePort();
        const sink = spawn(SINK, [...(process.getuid?.() === 0 ? ['-u', 'nobody'] : []), `127.0.0.1:${sinkPort}`, '256'], { stdio: 'ignore' });
        children.push(sink);
        await waitForPort(sinkPort);
        for (const c of [1, 8]) {
          for (const mode of ['awaited', 'inflight'] as const) {
            out.push({
              title: `10 KB messages to ${POSTFIX} smtp-sink, ${c} connection${c > 1 ? 's' : ''}, ${mode === 'awaited' ? 'each send awaited' : 'all sends in flight'}`,
              ours: await throughputAsync('smtp-client-fsm/node', 'messages/s', () => ours(sinkPort, n, c, mode), { runs }),
              peer: await throughputAsync(`${NODEMAILER} (pool)`, 'messages/s', () => peer(sinkPort, n, c, mode), { runs }),
              aim: '>= 1.5x',
              notes: `${n} messages per run, one recipient, loopback; peer ${NODEMAILER}, sink ${POSTFIX}`,
            });
          }
        }
      }
      // The full pair against nodemailer -> smtp-server.
      // the same two servers, set up the same way, as the server suite drives with smtp-source
      const pair = await SERVERS.ours();
      const ref = await SERVERS.peer();
      try {
        out.push({
          title: `full pair: smtp-client-fsm -> esmtp-server-fsm vs ${NODEMAILER} -> ${SMTP_SERVER}, 8 connections, all sends in flight`,
          ours: await throughputAsync('smtpkit pair', 'messages/s', () => ours(pair.port, n, 8), { runs }),
          peer: await throughputAsync(`${NODEMAILER} -> ${SMTP_SERVER}`, 'messages/s', () => peer(ref.port, n, 8), { runs }),
          aim: '>= 2x',
          notes: `${n} messages of 10 KB per run, loopback; peers ${NODEMAILER}, ${SMTP_SERVER}`,
        });
        if (existsSync(SOURCE) && existsSync(SINK)) {
          const sinkPort2 = await freePort();
          const sink2 = spawn(SINK, [...(process.getuid?.() === 0 ? ['-u', 'nobody'] : []), `127.0.0.1:${sinkPort2}`, '256'], { stdio: 'ignore' });
          children.push(sink2);
          await waitForPort(sinkPort2);
          out.push({
            title: `full pair vs ${POSTFIX} smtp-source -> smtp-sink (C), 8 connections`,
            ours: await throughputAsync('smtpkit pair', 'messages/s', () => ours(pair.port, n, 8), { runs }),
            peer: await throughputAsync(`${POSTFIX} smtp-source -> smtp-sink`, 'messages/s', () => smtpSource(sinkPort2, n, 8), { runs }),
            aim: '>= 0.8x',
            notes: 'reference point: two C programs that do no parsing of the message',
          });
        }
      } finally {
        await pair.close();
        await ref.close();
      }
    } finally {
      for (const c of children) c.kill('SIGTERM');
    }
    return out;
  },
};

export default suite;
