// SMUG-5 on loopback: a command line with a bare LF before a BDAT or DATA line. Postfix and Exim read
// `RSET` + `BDAT 49 LAST` + a 49-byte chunk; the server refuses the whole line, and must then never
// run the chunk (or the lines behind DATA) as commands: it answers 554 and closes. The same for such
// a line past the length limit, and for ` DATA` (Postfix skips the leading blank).
import { describe, expect, it } from 'vitest';
import { rawSession, serversPerTest } from './servers.js';

const servers = serversPerTest('smuggle.test');
const codes = (s: string): number[] => (s.match(/^\d{3}(?= )/gm) ?? []).map(Number);
const CHUNK = 'MAIL FROM:<evil@x.test>\r\nRCPT TO:<victim@y.test>\r\nDATA\r\n';

describe('SMUG-5 a data verb after a bare LF inside a command line, through createServer', () => {
  it('SMUG-5 "RSET\\nBDAT n LAST" + chunk: 554, the connection closes, no smuggled envelope or message', async () => {
    const seen: string[] = [];
    const { port } = await servers.start({
      onMailFrom: (from) => void seen.push(`mail ${from}`),
      onRcptTo: (to) => void seen.push(`rcpt ${to}`),
      onData: async (_env, body) => {
        for await (const _ of body);
        seen.push('data');
      },
    });
    const out = await rawSession(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      { write: `RSET\nBDAT ${String(CHUNK.length)} LAST\r\n${CHUNK}`, after: 2 },
      { write: 'smuggled body\r\n.\r\n', after: 3 },
    ], { end: false, timeoutMs: 5000 });
    expect(codes(out)).toEqual([220, 250, 554]);
    expect(seen).toEqual([]);
  });

  it('SMUG-5 "RSET\\nDATA" inside a transaction + lines: 554 and close, the smuggled RCPT never runs', async () => {
    const seen: string[] = [];
    const { port } = await servers.start({ onRcptTo: (to) => void seen.push(to), onData: async (_env, body) => void (await body.toArray()) });
    const out = await rawSession(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      { write: 'MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n', after: 2 },
      { write: 'RSET\nDATA\r\nRCPT TO:<victim2@y.test>\r\nBDAT 5 LAST\r\nevil!', after: 4 },
    ], { end: false, timeoutMs: 5000 });
    expect(codes(out)).toEqual([220, 250, 250, 250, 554]);
    expect(seen).toEqual(['c@d.example']);
  });

  it('SMUG-5 "RSET <600 bytes>\nBDAT n LAST" + chunk (a line past the limit): 554, the connection closes, no smuggled envelope', async () => {
    const seen: string[] = [];
    const { port } = await servers.start({ onMailFrom: (from) => void seen.push(`mail ${from}`), onRcptTo: (to) => void seen.push(`rcpt ${to}`) });
    const out = await rawSession(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      { write: `RSET ${'x'.repeat(600)}\nBDAT ${String(CHUNK.length)} LAST\r\n${CHUNK}`, after: 2 },
    ], { end: false, timeoutMs: 5000 });
    expect(codes(out)).toEqual([220, 250, 554]);
    expect(seen).toEqual([]);
  });

  it('SMUG-5 " DATA" (a leading blank) inside a transaction + lines: 554 and close, the smuggled RCPT never runs', async () => {
    const seen: string[] = [];
    const { port } = await servers.start({ onRcptTo: (to) => void seen.push(to), onData: async (_env, body) => void (await body.toArray()) });
    const out = await rawSession(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      { write: 'MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n', after: 2 },
      { write: ' DATA\r\nRCPT TO:<victim2@y.test>\r\nBDAT 5 LAST\r\nevil!', after: 4 },
    ], { end: false, timeoutMs: 5000 });
    expect(codes(out)).toEqual([220, 250, 250, 250, 554]);
    expect(seen).toEqual(['c@d.example']);
  });

  it('SMUG-5 an over-long AUTH continuation line with "\nDATA" inside + a transaction: 554 and close, nothing smuggled runs, the line never reaches the transcript', async () => {
    const seen: string[] = [];
    const transcript: string[] = [];
    const { port } = await servers.start({
      auth: { mechanisms: ['LOGIN'], allowInsecure: true },
      onAuth: () => true,
      onMailFrom: (from) => void seen.push(`mail ${from}`),
      onRcptTo: (to) => void seen.push(`rcpt ${to}`),
      transcript: (l) => transcript.push(`${l.direction}: ${l.text}`),
    });
    const out = await rawSession(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      { write: 'AUTH LOGIN\r\n', after: 2 },
      { write: `${'A'.repeat(13_000)}\nDATA\r\n${CHUNK}smuggled body\r\n.\r\n`, after: 3 },
    ], { end: false, timeoutMs: 5000 });
    expect(codes(out)).toEqual([220, 250, 334, 554]);
    expect(seen).toEqual([]);
    expect(transcript.join('\n')).not.toContain('AAAAAAAA');
  });
});
