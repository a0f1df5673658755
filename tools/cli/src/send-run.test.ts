import { describe, expect, it } from 'vitest';
import { runSend } from './send-run.js';
import type { SenderConnection } from './send-run.js';

const body = (): Uint8Array => new TextEncoder().encode('Subject: x\r\n\r\nhi\r\n');

function fakeConnection(log: string[], id: number, failOn?: number): SenderConnection {
  let sent = 0;
  return {
    send: ({ to }) => {
      sent++;
      log.push(`c${id}`);
      if (failOn !== undefined && sent === failOn) return Promise.reject(new Error('connection reset'));
      return Promise.resolve({
        ok: !to.includes('bad@example.net'),
        recipients: to.map((address) => (address === 'bad@example.net' ? { address, accepted: false, code: 550, enhanced: '5.1.1', text: 'no such user', bounce: { id: 10, name: 'Invalid Recipient', category: 'hard' } } : { address, accepted: true, code: 250 })),
        reply: { code: 250, text: 'queued' },
      });
    },
    close: () => Promise.resolve(),
  };
}

describe('runSend', () => {
  it('sends N messages over C connections, each reused', async () => {
    const log: string[] = [];
    let opened = 0;
    const { outcomes, summary } = await runSend({ count: 10, connections: 3, from: 'a@example.org', to: ['b@example.net'], body, open: () => Promise.resolve(fakeConnection(log, opened++)) });
    expect(opened).toBe(3);
    expect(outcomes.map((o) => o.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(summary).toMatchObject({ messages: 10, messagesOk: 10, accepted: 10, rejected: 0, transient: 0 });
  });

  it('counts rejections by bounce class', async () => {
    const log: string[] = [];
    const { summary } = await runSend({ count: 2, connections: 1, from: 'a@example.org', to: ['b@example.net', 'bad@example.net'], body, open: () => Promise.resolve(fakeConnection(log, 0)) });
    expect(summary).toMatchObject({ messagesOk: 0, accepted: 2, rejected: 2, rejectedByClass: { '10 Invalid Recipient': 2 } });
  });

  it('a broken connection fails its message and the next message reconnects', async () => {
    const log: string[] = [];
    let opened = 0;
    const { outcomes } = await runSend({ count: 4, connections: 1, from: 'a@example.org', to: ['b@example.net'], body, open: () => Promise.resolve(fakeConnection(log, opened++, 2)) });
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, false]);
    expect(outcomes[1]!.error).toBe('connection reset');
    expect(opened).toBe(2);
  });

  it('an unreachable server ends after a few attempts and reports every message', async () => {
    let attempts = 0;
    const { outcomes, summary } = await runSend({
      count: 100,
      connections: 2,
      from: 'a@example.org',
      to: ['b@example.net'],
      body,
      open: () => {
        attempts++;
        return Promise.reject(new Error('ECONNREFUSED'));
      },
    });
    expect(attempts).toBe(6);
    expect(outcomes).toHaveLength(100);
    expect(summary.messagesOk).toBe(0);
    expect(summary.connectionErrors).toBe(100);
  });
});
