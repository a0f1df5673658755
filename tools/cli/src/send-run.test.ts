import { describe, expect, it } from 'vitest';
import { SessionRefused, describeError, exitCodeOf, formatOutcome, formatSummary, runSend, summarize } from './send-run.js';
import type { MessageOutcome, RecipientOutcome } from './send-run.js';
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
        recipients: to.map((address) =>
          address === 'bad@example.net'
            ? { address, status: 'rejected' as const, accepted: false, transient: false, code: 550, enhanced: '5.1.1', text: 'no such user', bounce: { id: 10, name: 'Invalid Recipient', category: 'hard' } }
            : { address, status: 'accepted' as const, accepted: true, transient: false, code: 250 },
        ),
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
    expect(summary).toMatchObject({ messages: 10, messagesOk: 10, accepted: 10, rejected: 0, deferred: 0, unknown: 0 });
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

  it('a message the client refuses itself (a local error) fails alone: not a connection error, the connection is kept', async () => {
    let opened = 0;
    let sent = 0;
    const refusal = Object.assign(new Error('to[0]: the path is too long'), { code: 'ERR_SMTP_CLIENT_PATH_TOO_LONG', kind: 'local' });
    const conn: SenderConnection = {
      send: () => (++sent === 2 ? Promise.reject(refusal) : Promise.resolve({ recipients: [{ address: 'b@example.net', status: 'accepted', accepted: true, transient: false, code: 250 }], reply: { code: 250, text: 'queued' } })),
      close: () => Promise.resolve(),
    };
    const { outcomes, summary } = await runSend({ count: 3, connections: 1, from: 'a@example.org', to: ['b@example.net'], body, open: () => Promise.resolve((opened++, conn)) });
    expect(opened).toBe(1);
    expect(outcomes.map((o) => o.outcome)).toEqual(['delivered', 'failed', 'delivered']);
    expect(outcomes[1]).toMatchObject({ ok: false, error: 'to[0]: the path is too long (ERR_SMTP_CLIENT_PATH_TOO_LONG)', recipients: [{ address: 'b@example.net', status: 'rejected', transient: false }] });
    expect(outcomes[1]!.connectionError).toBeUndefined();
    expect(summary).toMatchObject({ rejected: 1, accepted: 2, connectionErrors: 0, rejectedByClass: { local: 1 } });
    expect(exitCodeOf(summary)).toBe(1);
    // a connection the client already closed is the connection's failure: reconnect; a message
    // turned away untried goes once on the new connection, and only then counts as its failure
    const closed = Object.assign(new Error('connection closed'), { code: 'ERR_SMTP_CLIENT_CLOSED', kind: 'local' });
    let reopened = 0;
    const dying: SenderConnection = { send: () => Promise.reject(closed), close: () => Promise.resolve() };
    const again = await runSend({ count: 2, connections: 1, from: 'a@example.org', to: ['b@example.net'], body, open: () => Promise.resolve((reopened++, dying)) });
    expect(reopened).toBe(4);
    expect(again.outcomes.map((o) => [o.outcome, o.connectionError])).toEqual([['deferred', true], ['deferred', true]]);
  });

  it('a message a closing connection turned away untried (ERR_SMTP_CLIENT_CLOSED) goes on a new connection: no connection error, exit 0', async () => {
    const closed = Object.assign(new Error('the connection is closing or closed'), { code: 'ERR_SMTP_CLIENT_CLOSED', kind: 'local' });
    const accepted = { recipients: [{ address: 'b@example.net', status: 'accepted' as const, accepted: true, transient: false, code: 250 }], reply: { code: 250, text: 'queued' } };
    let opened = 0;
    const { outcomes, summary } = await runSend({
      count: 3,
      connections: 1,
      from: 'a@example.org',
      to: ['b@example.net'],
      body,
      open: () => {
        const n = ++opened;
        let sends = 0;
        // the first connection takes one message, then is closing
        return Promise.resolve({ send: () => (n === 1 && ++sends > 1 ? Promise.reject(closed) : Promise.resolve(accepted)), close: () => Promise.resolve() });
      },
    });
    expect(opened).toBe(2);
    expect(outcomes.map((o) => [o.index, o.outcome, o.connectionError])).toEqual([[0, 'delivered', undefined], [1, 'delivered', undefined], [2, 'delivered', undefined]]);
    expect(summary.connectionErrors).toBe(0);
    expect(exitCodeOf(summary)).toBe(0);
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

  it('a session refused for good (AUTH 535): every message failed with the reply, recipients rejected, no retry, exit 1', async () => {
    let attempts = 0;
    const reply = { code: 535, enhanced: '5.7.8', text: 'authentication credentials invalid' };
    const { outcomes, summary } = await runSend({
      count: 20,
      connections: 2,
      from: 'a@example.org',
      to: ['b@example.net', 'c@example.net'],
      body,
      open: () => {
        attempts++;
        return Promise.reject(new SessionRefused('authentication refused (ERR_SMTP_CLIENT_AUTH_FAILED)', reply, { id: 50, name: 'Mail Block', category: 'block' }));
      },
    });
    expect(attempts).toBeLessThanOrEqual(2); // one per connection slot at most, never one per message
    expect(outcomes).toHaveLength(20);
    for (const o of outcomes) {
      expect(o).toMatchObject({ outcome: 'failed', ok: false, reply, error: 'authentication refused (ERR_SMTP_CLIENT_AUTH_FAILED)' });
      expect(o.connectionError).toBeUndefined();
      expect(o.recipients).toEqual(['b@example.net', 'c@example.net'].map((address) => ({ address, status: 'rejected', accepted: false, transient: false, ...reply, bounce: { id: 50, name: 'Mail Block', category: 'block' } })));
    }
    expect(summary).toMatchObject({ rejected: 40, deferred: 0, connectionErrors: 0, outcomes: { failed: 20, deferred: 0 } });
    expect(exitCodeOf(summary)).toBe(1);
    expect(formatOutcome(outcomes[0]!, 1)[0]).toBe('message: NOT delivered (535 5.7.8 authentication credentials invalid): authentication refused (ERR_SMTP_CLIENT_AUTH_FAILED)');
  });

  it('a partly delivered message (queued in a first transaction, refused in a follow-up) counts its queued recipient as accepted', async () => {
    const recipients: RecipientOutcome[] = [
      { address: 'one@example.net', status: 'accepted', accepted: true, transient: false, code: 250, enhanced: '2.0.0', text: 'Ok: queued as FIRST' },
      { address: 'two@example.net', status: 'rejected', accepted: false, transient: false, code: 550, enhanced: '5.1.1', text: 'no such user' },
    ];
    const conn: SenderConnection = { send: () => Promise.resolve({ recipients, reply: { code: 250, enhanced: '2.0.0', text: 'Ok: queued as FIRST' } }), close: () => Promise.resolve() };
    const { outcomes, summary } = await runSend({ count: 1, connections: 1, from: 'a@example.org', to: recipients.map((r) => r.address), body, open: () => Promise.resolve(conn) });
    expect(outcomes[0]).toMatchObject({ outcome: 'partial', ok: false });
    expect(summary).toMatchObject({ accepted: 1, rejected: 1, deferred: 0, unknown: 0, outcomes: { partial: 1 } });
    const lines = formatOutcome(outcomes[0]!, 1);
    expect(lines[0]).toContain('PARTLY delivered (250 2.0.0 Ok: queued as FIRST)');
    expect(lines[1]).toMatch(/^ {2}ok +one@example\.net/);
    expect(lines[2]).toMatch(/^ {2}FAIL +two@example\.net/);
    expect(formatSummary(summary)[2]).toBe('recipients: 1 accepted, 1 rejected, 0 deferred, 0 unknown (of 2)');
    expect(exitCodeOf(summary)).toBe(1);
  });

  it('unknown is its own state in lines, JSON and exit code, never transient', () => {
    const o: MessageOutcome = {
      type: 'message', index: 0, connection: 0, outcome: 'unknown', ok: false,
      recipients: [{ address: 'b@example.net', status: 'unknown', accepted: false, transient: false }],
      error: 'ERR_SMTP_CLIENT_TIMEOUT', size: 10, ms: 1,
    };
    const s = summarize([o], 1);
    expect(s).toMatchObject({ unknown: 1, deferred: 0, accepted: 0, rejected: 0, outcomes: { unknown: 1 } });
    expect(JSON.parse(JSON.stringify(o)).recipients[0].transient).toBe(false);
    expect(formatOutcome(o, 1).join('\n')).toMatch(/UNKNOWN/);
    expect(exitCodeOf(s)).toBe(4);
  });

  it('every count of the summary comes from the recipient records (they always add up)', async () => {
    const statuses = ['accepted', 'rejected', 'deferred', 'unknown'] as const;
    let i = 0;
    const conn: SenderConnection = {
      send: ({ to }) => Promise.resolve({ recipients: to.map((address) => { const status = statuses[i++ % 4]!; return { address, status, accepted: status === 'accepted', transient: status === 'deferred' }; }) }),
      close: () => Promise.resolve(),
    };
    const { outcomes, summary } = await runSend({ count: 7, connections: 2, from: 'a@example.org', to: ['x@example.net', 'y@example.net', 'z@example.net'], body, open: () => Promise.resolve(conn) });
    const all = outcomes.flatMap((o) => o.recipients);
    for (const st of statuses) expect(summary[st]).toBe(all.filter((r) => r.status === st).length);
    expect(summary.accepted + summary.rejected + summary.deferred + summary.unknown).toBe(summary.recipients);
  });

  it('describeError says a cause once when the message already quotes it (TLS errors)', () => {
    const cause = new Error('self-signed certificate');
    const e = Object.assign(new Error('TLS handshake failed: self-signed certificate', { cause }), { code: 'ERR_SMTP_CLIENT_TLS_FAILED' });
    expect(describeError(e)).toBe('TLS handshake failed: self-signed certificate (ERR_SMTP_CLIENT_TLS_FAILED)');
    const other = Object.assign(new Error('connect failed', { cause }), { code: 'X' });
    expect(describeError(other)).toBe('connect failed (X): self-signed certificate');
  });
});
