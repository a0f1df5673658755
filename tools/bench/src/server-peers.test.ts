// The bench's servers over loopback: each one takes a message the way smtp-source sends it (so a
// figure never comes from a server that answers nothing), and the checked streaming floor refuses
// a body with a bare line ending, as the ceiling it stands for must.
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVERS, type Listening, type ServerKind } from './server-peers.js';

/** Sends `steps` one at a time, each after the reply to the previous one; returns the replies' first lines. */
async function converse(port: number, steps: readonly string[]): Promise<string[]> {
  const socket = connect(port, '127.0.0.1');
  const replies: string[] = [];
  let buffered = '';
  let waiting: (() => void) | undefined;
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => {
    buffered += d;
    // a reply is complete at a line whose fourth character is a space
    for (let nl = buffered.indexOf('\r\n'); nl >= 0; nl = buffered.indexOf('\r\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 2);
      if (line[3] === ' ') {
        replies.push(line);
        waiting?.();
      }
    }
  });
  const reply = (count: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply after ${replies.join(' | ')}`)), 5000);
      waiting = () => {
        if (replies.length >= count) {
          clearTimeout(timer);
          resolve();
        }
      };
      waiting();
    });
  await reply(1);
  for (const step of steps) {
    socket.write(step);
    await reply(replies.length + 1);
  }
  socket.destroy();
  return replies;
}

const body = (line: string): string => `Subject: t\r\n\r\n${line}\r\n..leading dot\r\n`.repeat(40) + '.\r\n';
const message = (text: string): string[] => ['EHLO client.test\r\n', 'MAIL FROM:<a@bench.test>\r\n', 'RCPT TO:<b@bench.test>\r\n', 'DATA\r\n', text];

describe('bench servers', () => {
  const running: Listening[] = [];
  afterAll(async () => {
    await Promise.all(running.map((s) => s.close()));
  });
  const start = async (kind: ServerKind): Promise<number> => {
    const s = await SERVERS[kind]();
    running.push(s);
    return s.port;
  };

  it.each(Object.keys(SERVERS) as ServerKind[])('%s accepts a message as smtp-source sends it', async (kind) => {
    const replies = await converse(await start(kind), message(body('a line of text')));
    expect(replies.map((r) => r.slice(0, 3))).toEqual(['220', '250', '250', '250', '354', '250']);
  });

  it('the checked streaming floor refuses a body with a bare LF or a bare CR', async () => {
    const port = await start('checked-stream-floor');
    for (const bad of ['a bare\nLF', 'a bare\rCR']) {
      const replies = await converse(port, message(body(bad)));
      expect(replies.at(-1)).toMatch(/^550 /);
    }
  });
});
