// Custom verbs with multi-step exchanges through createServer (onCommand / onCommandStep), over
// real loopback sockets: a challenge-response line exchange, a dot-terminated block and a
// length-delimited block, the last one pipelined in one write with its bytes and QUIT.
import { describe, expect, it } from 'vitest';
import type { CommandStep } from 'esmtp-server-fsm/node';
import { rawSession as session, serversPerTest } from './servers.js';

const servers = serversPerTest('node.test');

const registry = [
  { keyword: 'XPROVE', verbs: [{ name: 'XPROVE', mustBeLastInGroup: true }] },
  { keyword: 'XUPLOAD', verbs: [{ name: 'XUPLOAD', mustBeLastInGroup: true }] },
  { keyword: 'XPUT', verbs: [{ name: 'XPUT', mustBeLastInGroup: false, blockLength: (arg: string) => (/^[0-9]{1,9}$/.test(arg) ? Number(arg) : undefined) }] },
];

describe('createServer: custom verbs may hold a multi-step exchange', () => {
  it('challenge-response lines, a dot block and a length block reach the hooks; replies follow', async () => {
    const steps: CommandStep[] = [];
    const { port } = await servers.start({
      registry,
      onCommand: (verb, argument) => {
        if (verb === 'XPROVE') return { reply: { code: 334, text: 'bm9uY2U=' }, read: 'line' };
        if (verb === 'XUPLOAD') return { reply: { code: 354, text: 'send the block, end with .' }, read: 'dot' };
        return { read: { bytes: Number(argument) } };
      },
      onCommandStep: async (step) => {
        steps.push(step);
        await new Promise((r) => setTimeout(r, 5)); // async hooks are awaited
        if (step.kind === 'line' && step.line === 'round1') return { reply: { code: 334, text: 'YWdhaW4=' }, read: 'line' };
        if (step.kind === 'line') return step.line === 'proof' ? { code: 250, text: 'proved' } : { code: 535, enhanced: '5.7.8', text: 'no' };
        return { code: 250, text: `got ${String(step.data.length)} bytes` };
      },
    });
    const out = await session(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      { write: 'XPROVE me\r\n', after: 2 },
      { write: 'round1\r\n', after: 3 },
      { write: 'proof\r\n', after: 4 },
      { write: 'XUPLOAD\r\n', after: 5 },
      { write: 'line one\r\n..dotted\r\n.\r\n', after: 6 },
      { write: 'XPUT 5\r\nhelloQUIT\r\n', after: 7 },
    ]);
    expect(out).toContain('250-XPROVE\r\n');
    expect(out.split('\r\n').filter((l) => /^\d{3} /.test(l))).toEqual([
      '220 node.test ESMTP',
      expect.stringMatching(/^250 /),
      '334 bm9uY2U=',
      '334 YWdhaW4=',
      '250 2.0.0 proved',
      '354 send the block, end with .',
      '250 2.0.0 got 19 bytes',
      '250 2.0.0 got 5 bytes',
      expect.stringMatching(/^221 /),
    ]);
    expect(steps.map((s) => (s.kind === 'line' ? s.line : Buffer.from(s.data).toString('latin1')))).toEqual(['round1', 'proof', 'line one\r\n.dotted\r\n', 'hello']);
    expect(steps.map((s) => s.verb)).toEqual(['XPROVE', 'XPROVE', 'XUPLOAD', 'XPUT']);
  });

  it('without onCommandStep a step gets the default reply; a hook that throws a reply answers with it', async () => {
    const { port } = await servers.start({
      registry,
      onCommand: (verb) => {
        if (verb === 'XPROVE') return { reply: { code: 334, text: 'go' }, read: 'line' };
        throw Object.assign(new Error('refused'), { code: 554, enhanced: '5.7.1', text: 'not today' });
      },
    });
    const out = await session(port, [
      { write: 'EHLO c.example\r\n', after: 1 },
      { write: 'XPROVE\r\n', after: 2 },
      { write: 'anything\r\n', after: 3 },
      { write: 'XUPLOAD\r\n', after: 4 },
      { write: 'QUIT\r\n', after: 5 },
    ]);
    expect((out.match(/^\d{3}(?= )/gm) ?? []).map(Number)).toEqual([220, 250, 334, 250, 554, 221]);
    expect(out).toContain('554 5.7.1 not today');
  });
});
