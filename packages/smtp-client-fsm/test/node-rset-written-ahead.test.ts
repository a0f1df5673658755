// smtp-client-fsm/node passes `rsetWrittenAhead` through to the core: concurrent sends on one
// connection are written ahead behind each final dot, with an RSET by default and without one when
// the option is false. Real loopback server (node:net, the ScriptedServer).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../src/node/index.js';
import { ScriptedServer, listenScripted } from './scripted-server.js';
import type { ScriptedListener } from './scripted-server.js';

let last: ScriptedServer | undefined;
let listener: ScriptedListener;

beforeAll(async () => {
  listener = await listenScripted(() => (last = new ScriptedServer({})));
});
afterAll(() => listener.close());

async function sendThree(options: { rsetWrittenAhead?: boolean }): Promise<{ outcomes: string[]; commands: readonly string[] }> {
  const client = await connect({ host: '127.0.0.1', port: listener.port, security: 'off', ...options });
  const results = await Promise.all([1, 2, 3].map((i) => client.send({ from: `s${i}@x.test`, to: [`r${i}@y.test`], body: `Subject: ${i}\r\n\r\nbody ${i}\r\n` })));
  await client.quit();
  return { outcomes: results.map((r) => r.outcome), commands: last!.commands };
}

describe('connect({ rsetWrittenAhead })', () => {
  it('default: an RSET before each message written ahead', async () => {
    const r = await sendThree({});
    expect(r.outcomes).toEqual(['delivered', 'delivered', 'delivered']);
    expect(r.commands.filter((c) => c === 'RSET')).toHaveLength(2);
  });

  it('false: the same messages, no RSET', async () => {
    const r = await sendThree({ rsetWrittenAhead: false });
    expect(r.outcomes).toEqual(['delivered', 'delivered', 'delivered']);
    expect(r.commands.filter((c) => c.startsWith('MAIL') || c === 'RSET')).toEqual(['MAIL FROM:<s1@x.test> SIZE=22', 'MAIL FROM:<s2@x.test> SIZE=22', 'MAIL FROM:<s3@x.test> SIZE=22']);
  });
});
