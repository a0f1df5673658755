// smtp-client-fsm/node against Postfix smtp-sink (independent implementation), with its dump
// option checking the delivered bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, sendMail } from 'smtp-client-fsm/node';
import { normalizeBody } from 'smtp-client-fsm';
import { freePort, waitForPort } from '@smtpkit/testkit';

const SINK = '/usr/sbin/smtp-sink';
const available = existsSync(SINK);



let dir = '';
let port = 0;
let sink: ChildProcess | undefined;
let lmtpSink: ChildProcess | undefined;
let lmtpPort = 0;

beforeAll(async () => {
  if (!available) return;
  dir = mkdtempSync(join(tmpdir(), 'client-sink-'));
  chmodSync(dir, 0o777);
  port = await freePort();
  // -d: one file per transaction (envelope + content); -R: a restricted reject list (none here).
  const args = [...(process.getuid?.() === 0 ? ['-u', 'nobody'] : []), '-d', join(dir, '%H%M%S.'), `127.0.0.1:${port}`, '50'];
  sink = spawn(SINK, args, { stdio: 'ignore' });
  await waitForPort(port);
  lmtpPort = await freePort();
  lmtpSink = spawn(SINK, [...(process.getuid?.() === 0 ? ['-u', 'nobody'] : []), '-L', `127.0.0.1:${lmtpPort}`, '10'], { stdio: 'ignore' });
  await waitForPort(lmtpPort);
});

afterAll(() => {
  sink?.kill('SIGTERM');
  lmtpSink?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function dumps(): string[] {
  return readdirSync(dir).sort().map((f) => readFileSync(join(dir, f), 'latin1'));
}

async function settle(count: number): Promise<string[]> {
  for (let i = 0; i < 100; i++) {
    const d = dumps();
    if (d.length >= count) return d;
    await new Promise((r) => setTimeout(r, 50));
  }
  return dumps();
}

describe.skipIf(!available)('client -> Postfix smtp-sink', () => {
  it('delivers byte-exact (normalized, dot-stuffed on the wire) with every recipient accepted', async () => {
    const body = 'Subject: sink\n\n.leading dot\r\nbare\rcr\n..two dots\n';
    const r = await sendMail({ host: '127.0.0.1', port, security: 'off', from: 'a@client.test', to: ['b@sink.test', 'c@sink.test'], body });
    expect(r.outcome).toBe('delivered');
    expect(r.accepted).toEqual(['b@sink.test', 'c@sink.test']);
    const [dump] = await settle(1);
    const expected = new TextDecoder().decode(normalizeBody(body));
    expect(dump).toContain(expected.replace(/\r\n/g, '\n'));
    expect(dump).toMatch(/b@sink\.test/);
  });

  it('sends 20 messages over one pipelined connection', async () => {
    const before = dumps().length;
    const client = await connect({ host: '127.0.0.1', port, security: 'off' });
    expect(client.capabilities.has('PIPELINING')).toBe(true);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => client.send({ from: 'a@client.test', to: [`r${i}@sink.test`], body: `Subject: ${i}\r\n\r\nmessage ${i}\r\n` })));
    await client.quit();
    expect(results.every((x) => x.outcome === 'delivered')).toBe(true);
    expect((await settle(before + 20)).length).toBeGreaterThanOrEqual(before + 20);
  });

  it('LMTP: one final reply per recipient', async () => {
    const r = await sendMail({ host: '127.0.0.1', port: lmtpPort, security: 'off', lmtp: true, from: 'a@client.test', to: ['u1@store.test', 'u2@store.test'], body: 'x' });
    expect(r.outcome).toBe('delivered');
    expect(r.recipients.map((x) => [x.status, x.reply?.code])).toEqual([['accepted', 250], ['accepted', 250]]);
  });
});
