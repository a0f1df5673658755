// Findings of an outside red-team pass over createServer (real loopback sockets), kept as
// regression tests. Each title names the requirement id it proves.
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ServerConnection } from '../src/index.js';
import type { ServerEvent } from '../src/index.js';
import { rawSession, serversPerTest } from './servers.js';

const servers = serversPerTest('redteam.test');

const codes = (s: string): number[] => (s.match(/^\d{3}(?= )/gm) ?? []).map(Number);

/** Reads a body to its end: the text, or the error's code and reason. */
async function outcome(body: Readable): Promise<string> {
  let text = '';
  try {
    for await (const c of body) text += (c as Buffer).toString('latin1');
    return `end:${text}`;
  } catch (e) {
    return `error:${String((e as { code?: string }).code)}:${String((e as { reason?: string }).reason)}`;
  }
}

const MAIL = 'MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n';

describe('SRV-5 a transaction reset between BDAT chunks ends its body stream', () => {
  for (const [name, reset] of [
    ['RSET', 'RSET\r\n'],
    ['EHLO', 'EHLO again.example\r\n'],
    ['HELO', 'HELO again.example\r\n'],
  ] as const) {
    it(`SRV-5 ${name} after a non-LAST BDAT chunk aborts that message (reason reset) at once, the next message is delivered`, async () => {
      const outcomes: string[] = [];
      const { port } = await servers.start({
        onData: async (_env, body) => {
          outcomes.push(await outcome(body));
        },
      });
      // one command per reply, so that the steps are valid after HELO (no PIPELINING) too
      const out = await rawSession(port, [
        { write: 'EHLO c.example\r\n', after: 1 },
        { write: 'MAIL FROM:<a@b.example>\r\n', after: 2 },
        { write: 'RCPT TO:<c@d.example>\r\n', after: 3 },
        { write: 'BDAT 3\r\nabc', after: 4 },
        { write: reset, after: 5 },
        { write: 'MAIL FROM:<a@b.example>\r\n', after: 6 },
        { write: 'RCPT TO:<c@d.example>\r\n', after: 7 },
        { write: 'BDAT 2 LAST\r\nok', after: 8 },
        { write: 'QUIT\r\n', after: 9 },
      ]);
      expect(codes(out).slice(-4)).toEqual([250, 250, 250, 221]);
      // before the fix the first stream was left open for ever (never ended, never destroyed):
      // only the second message's outcome was ever recorded
      expect(outcomes).toEqual(['error:ERR_SMTP_MESSAGE_ABORTED:reset', 'end:ok']);
    });
  }

  it('SRV-5 many BDAT+RSET cycles on one connection leave no body stream open while the session lasts', async () => {
    let open = 0;
    let most = 0;
    const { port } = await servers.start({
      onData: async (_env, body) => {
        open++;
        most = Math.max(most, open);
        await outcome(body);
        open--;
      },
    });
    const steps: { write: string; after: number }[] = [{ write: 'EHLO c.example\r\n', after: 1 }];
    for (let i = 0; i < 20; i++) steps.push({ write: `${MAIL}BDAT 1\r\nxRSET\r\n`, after: 2 + i * 4 });
    steps.push({ write: 'QUIT\r\n', after: 2 + 20 * 4 });
    const out = await rawSession(port, steps);
    expect(codes(out).filter((c) => c === 250)).toHaveLength(1 + 20 * 4);
    expect(codes(out).at(-1)).toBe(221);
    // every stream ended with its RSET: at most one was ever open (before the fix: all 20, never ended)
    expect(most).toBe(1);
    expect(open).toBe(0);
  });

  it('SRV-5 core: RSET, EHLO and HELO inside a BDAT transaction emit message-abort (reset) before the reset', () => {
    for (const line of ['RSET', 'EHLO x.example', 'HELO x.example']) {
      const conn = new ServerConnection({ hostname: 'core.test' });
      const events: ServerEvent[] = [];
      const feed = (text: string): void => {
        conn.receiveData(new TextEncoder().encode(text));
        for (let e = conn.nextEvent(); e.type !== 'need-data' && e.type !== 'paused' && e.type !== 'closed'; e = conn.nextEvent()) {
          events.push(e);
          if ('needsAnswer' in e && e.needsAnswer) conn.accept();
        }
      };
      feed('EHLO c.example\r\n');
      feed(`${MAIL}BDAT 1\r\nx`);
      feed(`${line}\r\n`);
      const types = events.map((e) => (e.type === 'message-abort' ? `abort:${e.reason}` : e.type));
      expect(types.slice(types.indexOf('data-start')), line).toContain('abort:reset');
      expect(types.filter((t) => t.startsWith('abort')), line).toEqual(['abort:reset']);
    }
  });
});
