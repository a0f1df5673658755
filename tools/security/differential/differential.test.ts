// TEST-7: differential transcripts. Every server vector of the smuggling, pipelining and line-ending
// families of the corpus is replayed against a real, independently written server (aiosmtpd, the
// version installed here) over loopback, and the reply classes and delivered message counts are
// compared with ours. Ours must match the corpus; the peer's differences are printed as a table.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crlfLines } from '@smtpkit/testkit';
import { loadCorpus, materialize, runServer } from '../src/vectors.js';
import type { Vector } from '../src/vectors.js';

const PYTHON = '/usr/bin/python3';
const FAMILIES = /^(SMUG-1|SMUG-2|SMUG-3|SMUG-4|X-1|X-2|INJ-5)\//;
const SETUP: Record<string, readonly string[]> = {
  greeted: [],
  ehlo: ['EHLO client.test\r\n'],
  transaction: ['EHLO client.test\r\n', 'MAIL FROM:<a@example.org>\r\n', 'RCPT TO:<b@example.net>\r\n'],
  data: ['EHLO client.test\r\n', 'MAIL FROM:<a@example.org>\r\n', 'RCPT TO:<b@example.net>\r\n', 'DATA\r\n'],
};

let peer: ChildProcess | undefined;
let port = 0;
let peerOut = '';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

beforeAll(async () => {
  port = await freePort();
  peer = spawn(PYTHON, ['-u', '-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${String(port)}`, '-c', 'aiosmtpd.handlers.Debugging'], { stdio: ['ignore', 'pipe', 'pipe'] });
  peer.stdout?.on('data', (d: Buffer) => (peerOut += d.toString('latin1')));
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        r(true);
      });
      s.on('error', () => r(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('aiosmtpd did not start');
});

afterAll(() => {
  peer?.kill();
});

/** Replays a vector against the peer: setup commands one at a time, then the input in one write. */
async function replay(v: Vector): Promise<{ codes: number[]; delivered: number }> {
  const before = (peerOut.match(/MESSAGE FOLLOWS/g) ?? []).length;
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('latin1');
  const finals: number[] = [];
  socket.on(
    'data',
    crlfLines((line) => {
      if (/^\d{3}( |$)/.test(line)) finals.push(Number(line.slice(0, 3)));
    }),
  );
  socket.on('error', () => undefined);
  const waitReplies = async (n: number): Promise<void> => {
    for (let i = 0; i < 100 && finals.length < n; i++) await new Promise((r) => setTimeout(r, 10));
  };
  await waitReplies(1);
  let expected = 1;
  for (const cmd of SETUP[v.setup ?? 'greeted'] ?? []) {
    socket.write(cmd);
    await waitReplies(++expected);
  }
  const mark = finals.length;
  socket.write(materialize(v.input));
  await new Promise((r) => setTimeout(r, 300));
  socket.destroy();
  await new Promise((r) => setTimeout(r, 50));
  const after = (peerOut.match(/MESSAGE FOLLOWS/g) ?? []).length;
  return { codes: finals.slice(mark), delivered: after - before };
}

const vectors = loadCorpus().vectors.filter((v) => v.target === 'server' && FAMILIES.test(v.id) && v.options === undefined && v.setup !== 'pregreet');

describe('TEST-7 differential transcripts against aiosmtpd', () => {
  it(`TEST-7 SMUG-1 ${String(vectors.length)} smuggling and line-ending vectors: ours per the corpus, aiosmtpd recorded`, async () => {
    const rows: string[] = ['| vector | ours: replies / delivered | aiosmtpd: replies / delivered |', '|---|---|---|'];
    let differences = 0;
    for (const v of vectors) {
      const ours = runServer(v, [materialize(v.input)]);
      const theirs = await replay(v);
      const o = `${ours.codes.join(',') || '-'} / ${String(ours.delivered.length)}`;
      const t = `${theirs.codes.join(',') || '-'} / ${String(theirs.delivered)}`;
      if (o !== t) differences++;
      rows.push(`| ${v.id} | ${o} | ${t} |`);
      // ours never delivers more than the corpus allows
      if (v.expect.delivered !== undefined) expect(ours.delivered.length, v.id).toBe(v.expect.delivered);
    }
    console.log(`aiosmtpd differential (${String(differences)} of ${String(vectors.length)} differ):\n${rows.join('\n')}`);
    expect(vectors.length).toBeGreaterThan(10);
  });
});
