// `smtp serve` (the real process, storing to disk) against the client behaviours of issue 15:
// MTAs that pipeline QUIT after the end of a message and half-close their side (DATA and BDAT,
// small and 2 MB), and one host holding 100 trickling connections while swaks, from another
// address, still gets its 220 and delivers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { talk } from '@smtpkit/testkit';
import { readStored, runProgram, startServe, tempDir, waitForStored } from '../../cli/src/testing/peers.js';
import type { Running } from '../../cli/src/testing/peers.js';

function body(size: number, seq: number): Buffer {
  const lines: string[] = [`Subject: half-close ${seq}`, ''];
  let n = 0;
  while (n < size) {
    const l = `${String(seq).padStart(4, '0')} ${'y'.repeat(70)}`;
    lines.push(l);
    n += l.length + 2;
  }
  return Buffer.from(lines.join('\r\n') + '\r\n');
}

describe('smtp serve: half-close after a pipelined QUIT', () => {
  const tmp = tempDir('serve-half-close-');
  const dir = join(tmp.dir, 'store');
  let serve: Running;
  beforeAll(async () => {
    serve = await startServe(['--dir', dir, '--max-size', '10M', '--quiet']);
  });
  afterAll(async () => {
    await serve?.stop();
    tmp.cleanup();
  });

  let seq = 0;
  for (const mode of ['DATA', 'BDAT'] as const) {
    for (const size of [200, 2_000_000]) {
      it(`${mode}, ${size} bytes: the last chunk of the body, QUIT and a FIN in one go get 250 and 221, and the message is stored whole`, async () => {
        const n = ++seq;
        const before = (await readStored(dir)).length;
        const msg = body(size, n);
        const c = talk(serve.port);
        await c.until(/^220 /m);
        c.socket.write('EHLO mta.test\r\n');
        await c.until(/^250 /m);
        const envelope = `MAIL FROM:<mta-${n}@origin.test>\r\nRCPT TO:<rcpt-${n}@dest.test>\r\n`;
        if (mode === 'DATA') {
          c.socket.write(`${envelope}DATA\r\n`);
          await c.until(/^354 /m);
          c.socket.end(Buffer.concat([msg, Buffer.from('.\r\nQUIT\r\n')]));
        } else {
          c.socket.end(Buffer.concat([Buffer.from(`${envelope}BDAT ${msg.length} LAST\r\n`), msg, Buffer.from('QUIT\r\n')]));
        }
        await c.closed;
        expect(c.heard()).toMatch(/^250 2\.0\.0 Ok: queued as /m);
        expect(c.heard()).toMatch(/^221 /m);
        const stored = (await waitForStored(dir, before + 1)).slice(before);
        expect(stored).toHaveLength(1);
        expect(Buffer.from(stored[0]!.eml).equals(msg)).toBe(true);
      });
    }
  }
});

describe('smtp serve: one host trickling on 100 connections does not lock others out', () => {
  const tmp = tempDir('serve-fair-');
  const dir = join(tmp.dir, 'store');
  let serve: Running;
  const tricklers: Socket[] = [];
  let drip: NodeJS.Timeout | undefined;
  beforeAll(async () => {
    // default limits: 100 sessions, 20 per client address
    serve = await startServe(['--dir', dir, '--quiet']);
  });
  afterAll(async () => {
    if (drip) clearInterval(drip);
    for (const s of tricklers) s.destroy();
    await serve?.stop();
    tmp.cleanup();
  });

  it('100 connections from 127.0.0.1 sending a byte now and then; swaks from 127.0.0.2 delivers', async () => {
    const refused: string[] = [];
    await Promise.all(
      Array.from({ length: 100 }, async () => {
        const s = connect({ host: '127.0.0.1', port: serve.port, localAddress: '127.0.0.1' });
        s.on('error', () => undefined);
        let text = '';
        s.setEncoding('latin1');
        s.on('data', (d: string) => {
          text += d;
          if (/^421 /m.test(text)) refused.push(text);
        });
        tricklers.push(s);
        await new Promise((r) => s.once('data', r));
      }),
    );
    drip = setInterval(() => {
      for (const s of tricklers) if (!s.destroyed) s.write('N');
    }, 1000);
    // the per-address limit turned most of them away at once
    expect(refused.length).toBeGreaterThanOrEqual(80);
    expect(refused.every((t) => /^421 4\.7\.0 /m.test(t))).toBe(true);
    const r = await runProgram('swaks', ['--server', '127.0.0.1', '--port', String(serve.port), '--local-interface', '127.0.0.2', '--from', 'fair@example.org', '--to', 'bob@example.net', '--body', 'still served', '--timeout', '15'], { timeoutMs: 30_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [m] = await waitForStored(dir, 1);
    expect(m!.envelope.clientAddress).toBe('127.0.0.2');
  }, 60_000);
});
