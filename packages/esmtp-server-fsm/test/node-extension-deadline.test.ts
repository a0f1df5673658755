// createServer runs a custom verb's block under the dataPhase deadline as it runs a message body:
// from the block's first byte (waiting after the 3xx is not charged, whatever came before in the
// session), to the end of the block, whatever trickles in meanwhile.
import { connect } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { serversPerTest } from './servers.js';

const servers = serversPerTest('node.test');

const codes = (s: string): number[] => (s.match(/^\d{3}(?= )/gm) ?? []).map(Number);
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A server whose XUPLOAD verb reads a dot block after a 354; the data-phase deadline is `dataPhase` ms, the idle timers a minute. */
async function uploadServer(dataPhase: number): Promise<{ port: number; blocks: string[] }> {
  const blocks: string[] = [];
  const { port } = await servers.start({
    minDataRate: 0,
    timeouts: { dataBlock: 60_000, command: 60_000, dataPhase },
    registry: [{ keyword: 'XUPLOAD', verbs: [{ name: 'XUPLOAD', mustBeLastInGroup: true }] }],
    onCommand: () => ({ reply: { code: 354, text: 'send the block, end with .' }, read: 'dot' }),
    onCommandStep: (step) => {
      if (step.kind === 'block') blocks.push(Buffer.from(step.data).toString('latin1'));
      return { code: 250, text: 'stored' };
    },
  });
  return { port, blocks };
}

/** A raw client: `say(text, replies)` writes and waits for that many replies in all. */
async function client(port: number): Promise<{ say: (text: string, replies: number) => Promise<void>; out: () => string; closed: Promise<unknown>; destroy: () => void }> {
  const socket = connect(port, '127.0.0.1');
  let out = '';
  socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise((r) => socket.once('close', r));
  await vi.waitFor(() => expect(codes(out)).toHaveLength(1));
  return {
    async say(text, replies) {
      socket.write(text);
      await vi.waitFor(() => expect(codes(out)).toHaveLength(replies), { timeout: 5000 });
    },
    out: () => out,
    closed,
    destroy: () => socket.destroy(),
  };
}

describe('DOS-8 createServer: a custom verb block has its data-phase deadline from its first byte', () => {
  it('after a message in the same session, a client that waits after the 354 is not charged for the wait', async () => {
    const { port, blocks } = await uploadServer(300);
    const c = await client(port);
    try {
      await c.say('EHLO c.example\r\n', 2);
      await c.say('MAIL FROM:<a@b.example>\r\n', 3);
      await c.say('RCPT TO:<c@d.example>\r\n', 4);
      await c.say('DATA\r\n', 5);
      await c.say('a message\r\n.\r\n', 6);
      await c.say('XUPLOAD\r\n', 7);
      expect(codes(c.out()).at(-1)).toBe(354);
      // twice the data-phase deadline before the first byte of the block
      await pause(600);
      await c.say('block\r\n.\r\n', 8);
      expect(codes(c.out())).toEqual([220, 250, 250, 250, 354, 250, 354, 250]);
      expect(blocks).toEqual(['block\r\n']);
    } finally {
      c.destroy();
    }
  });

  it('from the first byte: a block that starts, then stalls past the deadline, is cut (421 4.4.2)', async () => {
    const { port, blocks } = await uploadServer(300);
    const c = await client(port);
    await c.say('EHLO c.example\r\n', 2);
    await c.say('XUPLOAD\r\n', 3);
    c.say('b', 4).catch(() => undefined);
    // the deadline (300 ms) closes it long before this bound; only a deadline never armed reaches it
    await Promise.race([c.closed, pause(5000)]);
    c.destroy();
    expect(c.out()).toMatch(/\r\n354 [^\r]*\r\n421 4\.4\.2 node\.test Error: timeout exceeded\r\n$/);
    expect(blocks).toEqual([]);
  });
});
