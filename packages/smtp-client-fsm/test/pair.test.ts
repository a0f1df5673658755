import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPair, FakeClock, armTimeout } from '@smtpkit/testkit';
import { normalizeBody } from '../src/index.js';

const local = fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,15}$/).filter((s) => !s.endsWith('.') && !s.includes('..'));
const domain = fc.stringMatching(/^[a-z]([a-z0-9-]{0,8}[a-z0-9])?\.(test|example)$/);
const address = fc.tuple(local, domain).map(([l, d]) => `${l}@${d}`);
const bodyBytes = fc.array(fc.oneof(fc.constantFrom(13, 10, 46, 32, 0x41), fc.integer({ min: 1, max: 127 })), { maxLength: 300 }).map((a) => new Uint8Array(a));

describe('client <-> esmtp-server-fsm in memory', () => {
  it('SMUG-6 property: for any envelope and body bytes (bare CR/LF, leading dots) exactly one message arrives, normalized, envelope intact', () => {
    fc.assert(
      fc.property(address, fc.uniqueArray(address, { minLength: 1, maxLength: 5 }), bodyBytes, fc.boolean(), (from, to, body, stream) => {
        const chunks = stream ? [body.subarray(0, body.length >> 1), body.subarray(body.length >> 1)] : [];
        const pair = createPair({ client: { hostname: 'client.test' }, server: { hostname: 'mx.test' }, bodies: { 1: chunks } });
        const id = pair.client.sendMessage(stream ? { from, to } : { from, to, body });
        expect(id).toBe(1);
        pair.client.quit();
        pair.run();
        expect(pair.messages).toHaveLength(1);
        const m = pair.messages[0]!;
        expect(m.from).toBe(from);
        expect([...m.to]).toEqual(to);
        expect([...m.content]).toEqual([...normalizeBody(body)]);
        const sent = pair.clientEvents.filter((e) => e.type === 'message-sent');
        expect(sent).toHaveLength(1);
        expect(sent[0]).toMatchObject({ outcome: 'delivered' });
      }),
      { numRuns: 150 },
    );
  });

  it('per-recipient rejections by the server come back classified', () => {
    const pair = createPair({
      onServerEvent: (e, s) => {
        if (e.type === 'rcpt' && e.to.startsWith('no')) {
          s.reject({ code: 550, enhanced: '5.1.1', text: 'no such user' });
          return true;
        }
        return false;
      },
    });
    pair.client.sendMessage({ from: 'a@x.test', to: ['yes@y.test', 'no@y.test'], body: 'hi' });
    pair.run();
    const sent = pair.clientEvents.find((e) => e.type === 'message-sent');
    expect(sent).toMatchObject({ outcome: 'partial' });
    if (sent?.type === 'message-sent') expect(sent.recipients[1]).toMatchObject({ status: 'rejected', classification: { id: 10, name: 'Invalid Recipient' } });
    expect(pair.messages[0]!.to).toEqual(['yes@y.test']);
  });

  it('TMO-1 with a fake clock: the greeting timer fires after exactly 300 s', () => {
    const clock = new FakeClock();
    const pair = createPair();
    const state = armTimeout(clock, pair.client);
    clock.advance(299_999);
    expect(pair.client.closed).toBe(false);
    armTimeout(clock, pair.client, state);
    clock.advance(1);
    expect(pair.client.closed).toBe(true);
    expect(pair.client.nextEvent()).toMatchObject({ type: 'error', code: 'ERR_SMTP_CLIENT_TIMEOUT' });
  });
});

describe('client <-> esmtp-server-fsm: BDAT', () => {
  it('SMUG-7 property: BDAT chunks (no dot-stuffing) arrive normalized and exact', () => {
    fc.assert(
      fc.property(bodyBytes, fc.integer({ min: 1, max: 5 }), (body, parts) => {
        const size = Math.ceil(body.length / parts) || 1;
        const chunks: Uint8Array[] = [];
        for (let i = 0; i < body.length; i += size) chunks.push(body.subarray(i, i + size));
        const pair = createPair({ client: { chunking: true }, bodies: { 1: chunks } });
        pair.client.sendMessage({ from: 'a@x.test', to: ['b@y.test'] });
        pair.run();
        expect(pair.serverEvents.some((e) => e.type === 'data-start' && e.mode === 'bdat')).toBe(true);
        expect(pair.messages).toHaveLength(1);
        expect([...pair.messages[0]!.content]).toEqual([...normalizeBody(body)]);
      }),
      { numRuns: 60 },
    );
  });
});
