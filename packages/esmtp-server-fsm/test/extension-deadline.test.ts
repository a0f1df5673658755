// A custom verb's block (`continueCommand` with read 'dot' or { bytes }, a verb's `blockLength`
// block, answered or refused and skipped) runs under the dataPhase deadline, as a message does:
// one deadline per block, from its first byte (a client that waits after the 3xx, or sends its
// block later, is not charged for the wait, as the Node adapter does for DATA and BDAT), not
// restarted by the bytes a trickling client sends.
import { describe, expect, it } from 'vitest';
import { ServerConnection } from '../src/index.js';
import type { ServerEvent } from '../src/index.js';

type Mode = 'dot' | 'bytes' | 'blockLength' | 'refused blockLength';

function pump(conn: ServerConnection, decide: (e: ServerEvent) => void): void {
  for (let i = 0; i < 10_000; i++) {
    const e = conn.nextEvent();
    if (e.type === 'need-data' || e.type === 'paused' || e.type === 'closed') return;
    decide(e);
  }
}

function blockSession(mode: Mode): { conn: ServerConnection; decide: (e: ServerEvent) => void } {
  const registry = mode === 'blockLength' || mode === 'refused blockLength' ? [{ keyword: 'XPUT', verbs: [{ name: 'XPUT', blockLength: (a: string) => Number(a) }] }] : [{ keyword: 'XPUT', verbs: [{ name: 'XPUT', mustBeLastInGroup: true }] }];
  const conn = new ServerConnection({ hostname: 'mx.test', registry });
  const decide = (e: ServerEvent): void => {
    if (e.type === 'command') {
      if (mode === 'dot') conn.continueCommand({ reply: { code: 354, text: 'go' }, read: 'dot' });
      else if (mode === 'bytes') conn.continueCommand({ reply: { code: 354, text: 'go' }, read: { bytes: 100_000 } });
      else conn.continueCommand({ read: { bytes: 100_000 } });
    } else if ('needsAnswer' in e && e.needsAnswer) conn.accept();
  };
  pump(conn, decide);
  // refused: the verb's keyword is not in force before EHLO, so its block is read and skipped
  if (mode !== 'refused blockLength') {
    conn.receiveData('EHLO c.test\r\n');
    pump(conn, decide);
  }
  conn.receiveData(mode === 'blockLength' || mode === 'refused blockLength' ? 'XPUT 100000\r\n' : 'XPUT\r\n');
  pump(conn, decide);
  conn.dataToSend();
  return { conn, decide };
}

describe('DOS-8 custom verb blocks have a dataPhase deadline that input does not restart', () => {
  it.each(['dot', 'bytes', 'blockLength', 'refused blockLength'] as const)('%s', (mode) => {
    const { conn, decide } = blockSession(mode);
    expect(conn.state).toBe('extension');
    conn.receiveData('a');
    pump(conn, decide);
    const first = conn.pendingDeadline();
    expect(first).toMatchObject({ name: 'dataPhase', ms: conn.timeouts.dataPhase });
    for (let i = 0; i < 50; i++) {
      conn.receiveData('a');
      pump(conn, decide);
      expect(conn.pendingDeadline()).toBe(first);
    }
    conn.handleDeadline(first!.id);
    expect(new TextDecoder().decode(conn.dataToSend())).toMatch(/^421 4\.4\.2 /);
    expect(conn.state).toBe('closed');
  });
  it.each(['dot', 'bytes', 'blockLength', 'refused blockLength'] as const)('DOS-8 %s: the deadline starts at the first byte of the block, not when its step starts', (mode) => {
    const { conn, decide } = blockSession(mode);
    expect(conn.state).toBe('extension');
    // the step has started (its 3xx sent, or its line read): no byte of the block yet, no deadline
    expect(conn.pendingDeadline()).toBeUndefined();
    expect(conn.pendingTimeout()?.name).toBe('dataBlock'); // the idle timer bounds the wait meanwhile
    conn.receiveData(new Uint8Array(0));
    pump(conn, decide);
    expect(conn.pendingDeadline()).toBeUndefined();
    conn.receiveData('x');
    pump(conn, decide);
    const d = conn.pendingDeadline();
    expect(d).toMatchObject({ name: 'dataPhase', ms: conn.timeouts.dataPhase });
    conn.receiveData('yz');
    pump(conn, decide);
    expect(conn.pendingDeadline()).toBe(d);
  });
  it('DOS-8 a block whose first bytes came with its line (or before the step started) has its deadline at once', () => {
    const { conn, decide } = blockSession('bytes');
    conn.receiveData('abc');
    pump(conn, decide);
    const d = conn.pendingDeadline();
    expect(d?.name).toBe('dataPhase');
    const b = new ServerConnection({ hostname: 'mx.test', registry: [{ keyword: 'XPUT', verbs: [{ name: 'XPUT', blockLength: (a: string) => Number(a) }] }] });
    const accept = (e: ServerEvent): void => {
      if (e.type === 'command') b.continueCommand({ read: { bytes: 10 } });
      else if ('needsAnswer' in e && e.needsAnswer) b.accept();
    };
    pump(b, accept);
    b.receiveData('EHLO c.test\r\n');
    pump(b, accept);
    b.receiveData('XPUT 10\r\nabc');
    pump(b, accept);
    expect(b.state).toBe('extension');
    expect(b.pendingDeadline()?.name).toBe('dataPhase');
  });
  it('a line step keeps the commandLine deadline, and the deadline ends with the block', () => {
    const conn = new ServerConnection({ hostname: 'mx.test', registry: [{ keyword: 'XPUT', verbs: [{ name: 'XPUT', mustBeLastInGroup: true }] }] });
    const decide = (e: ServerEvent): void => {
      if (e.type === 'command') conn.continueCommand({ reply: { code: 334, text: 'go' }, read: 'line' });
      else if (e.type === 'command-line') conn.continueCommand({ reply: { code: 354, text: 'go' }, read: 'dot' });
      else if ('needsAnswer' in e && e.needsAnswer) conn.accept();
    };
    pump(conn, decide);
    conn.receiveData('EHLO c.test\r\n');
    pump(conn, decide);
    conn.receiveData('XPUT\r\n');
    pump(conn, decide);
    expect(conn.pendingDeadline()).toBeUndefined();
    conn.receiveData('ab');
    pump(conn, decide);
    expect(conn.pendingDeadline()?.name).toBe('commandLine');
    conn.receiveData('c\r\n');
    pump(conn, decide);
    expect(conn.pendingDeadline()).toBeUndefined(); // the dot block has no byte yet
    conn.receiveData('bo');
    pump(conn, decide);
    const d = conn.pendingDeadline();
    expect(d?.name).toBe('dataPhase');
    conn.receiveData('dy\r\n.\r\n');
    pump(conn, decide);
    expect(conn.state).toBe('awaiting-mail');
    expect(conn.pendingDeadline()).toBeUndefined();
  });
});
