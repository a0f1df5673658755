// examples/sans-io-session.ts runs, and its host loop never stalls: `paused` with unsent output
// (maxPendingOutput) is written and the loop goes on, and the errorDelay tarpit's timer resumes
// the session (a client that already sent everything gets every reply).
import { describe, expect, it } from 'vitest';
import { Host, main } from '../examples/sans-io-session.js';

const replyCount = (out: string): number => out.split('\r\n').filter((l) => /^\d{3} /.test(l)).length;

describe('examples/sans-io-session.ts', () => {
  it('runs the scripted session to the 221', () => {
    const lines: string[] = [];
    const host = main((l) => lines.push(l));
    expect(lines[0]).toBe('220 mx.example ESMTP');
    expect(lines).toContain('250 2.0.0 Queued as 1');
    expect(lines.at(-1)).toBe(JSON.stringify('Subject: hi\r\n\r\n.dot\r\n'));
    expect(host.conn.state).toBe('closed');
  });
  it('writes every reply of 1000 pipelined BDAT messages sent in one flight (paused on maxPendingOutput)', () => {
    const host = new Host();
    host.receive('EHLO client.example\r\n');
    let flight = '';
    for (let i = 0; i < 1000; i++) flight += `MAIL FROM:<a@client.example>\r\nRCPT TO:<b${String(i)}@mx.example>\r\nBDAT 5 LAST\r\nhello`;
    host.written = '';
    host.receive(flight);
    expect(replyCount(host.written)).toBe(3000);
    expect(host.conn.bufferedBytes).toBe(0);
  });
  it('writes all 301 replies of MAIL + 300 RCPT with maxPendingOutput 4096', () => {
    const host = new Host({ limits: { maxPendingOutput: 4096 } });
    host.receive('EHLO client.example\r\n');
    let flight = 'MAIL FROM:<a@client.example>\r\n';
    for (let i = 0; i < 300; i++) flight += `RCPT TO:<b${String(i)}@mx.example>\r\n`;
    host.written = '';
    host.receive(flight);
    expect(replyCount(host.written)).toBe(301);
    expect(host.conn.state).toBe('awaiting-rcpt');
  });
  it('answers 10 unknown commands sent one at a time: the errorDelay timer releases the held reply', () => {
    const host = new Host();
    host.receive('EHLO client.example\r\n');
    host.written = '';
    for (let i = 0; i < 10; i++) {
      host.receive('FOO\r\n');
      host.advance(host.conn.timeouts.errorDelay);
    }
    expect(replyCount(host.written)).toBe(10);
    expect(host.conn.state).toBe('awaiting-mail');
  });
});
