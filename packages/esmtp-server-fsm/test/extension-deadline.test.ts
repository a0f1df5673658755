// A custom verb's block (`continueCommand` with read 'dot' or { bytes }, a verb's `blockLength`
// block, answered or refused and skipped) runs under the dataPhase deadline, as a message does:
// one deadline per block, not restarted by the bytes a trickling client sends.
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
    const d = conn.pendingDeadline();
    expect(d?.name).toBe('dataPhase');
    conn.receiveData('body\r\n.\r\n');
    pump(conn, decide);
    expect(conn.state).toBe('awaiting-mail');
    expect(conn.pendingDeadline()).toBeUndefined();
  });
});
