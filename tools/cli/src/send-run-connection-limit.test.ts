// runSend with more connections than the server takes (a per-client limit: "421 too many
// connections"): a slot that cannot connect while another slot holds a connection gives its message
// back and stops, so every message is sent over the connections the server took. Each refused
// connection cost a message ("deferred", a connection error, exit 3) although the server would
// take it on the open connection.
import { describe, expect, it } from 'vitest';
import { runSend } from './send-run.js';
import type { SenderConnection } from './send-run.js';

const body = (): Uint8Array => new TextEncoder().encode('Subject: s\r\n\r\nhello\r\n');

function limited(allowed: number): { open: () => Promise<SenderConnection>; sent: number[]; attempts: () => number } {
  let open = 0;
  let attempts = 0;
  const sent: number[] = [];
  let n = 0;
  return {
    sent,
    attempts: () => attempts,
    open: () => {
      attempts++;
      if (open >= allowed) return Promise.reject(Object.assign(new Error('session refused: 421 too many connections'), { code: 'ERR_SMTP_CLIENT_GREETING_REJECTED' }));
      open++;
      return Promise.resolve({
        send: async () => {
          sent.push(n++);
          await new Promise((r) => setTimeout(r, 1));
          return { recipients: [{ address: 'b@x.test', status: 'accepted', accepted: true, transient: false, code: 250, text: 'ok' }] };
        },
        close: () => {
          open--;
          return Promise.resolve();
        },
      });
    },
  };
}

describe('runSend: the server takes fewer connections than asked', () => {
  it('one connection taken of four: all 20 messages delivered over it, no connection error', async () => {
    const server = limited(1);
    const { outcomes, summary } = await runSend({ count: 20, connections: 4, from: 'a@c.test', to: ['b@x.test'], body, open: server.open });
    expect(outcomes.map((o) => o.index)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(outcomes.every((o) => o.outcome === 'delivered')).toBe(true);
    expect(summary).toMatchObject({ messages: 20, messagesOk: 20, connectionErrors: 0 });
    expect(server.sent).toHaveLength(20);
  });

  it('no connection taken at all: every message is deferred as a connection error, as before', async () => {
    const server = limited(0);
    const { outcomes, summary } = await runSend({ count: 5, connections: 2, from: 'a@c.test', to: ['b@x.test'], body, open: server.open });
    expect(outcomes.map((o) => [o.index, o.outcome, o.connectionError])).toEqual(Array.from({ length: 5 }, (_, i) => [i, 'deferred', true]));
    expect(summary.connectionErrors).toBe(5);
    expect(server.attempts()).toBeLessThanOrEqual(6);
  });

  it('the connection the server takes is still in its handshake when the others are refused: they wait for it, no message is lost', async () => {
    let attempts = 0;
    const sent: number[] = [];
    let release!: () => void;
    const handshake = new Promise<void>((r) => (release = r));
    const open = async (): Promise<SenderConnection> => {
      // the first connection is the one taken, but its greeting comes only after every other
      // slot has been refused (as under load: the refusals of a per-client limit come at once)
      if (attempts++ === 0) await handshake;
      else {
        if (attempts === 4) setTimeout(release, 5);
        throw Object.assign(new Error('session refused: 421 too many connections'), { code: 'ERR_SMTP_CLIENT_GREETING_REJECTED' });
      }
      return {
        send: () => {
          sent.push(sent.length);
          return Promise.resolve({ recipients: [{ address: 'b@x.test', status: 'accepted', accepted: true, transient: false, code: 250, text: 'ok' }] });
        },
        close: () => Promise.resolve(),
      };
    };
    const { summary } = await runSend({ count: 20, connections: 4, from: 'a@c.test', to: ['b@x.test'], body, open });
    expect(summary).toMatchObject({ messages: 20, messagesOk: 20, connectionErrors: 0 });
    expect(sent).toHaveLength(20);
  });
});

