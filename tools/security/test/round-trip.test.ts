// TEST-3 / SMUG-6: client machine to server machine in memory, for random envelopes and bodies
// (bare CR and LF, leading dots, lone dots, CRLF.CRLF look-alikes, any split of the body): exactly
// one message, its content the normalized body, its envelope intact.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPair } from '@smtpkit/testkit';
import { normalizeBody } from 'smtp-client-fsm';

const dec = new TextDecoder();
const BODY_TOKENS = ['\r\n', '\r', '\n', '.', '..', '\r\n.\r\n', '\n.\n', '\r.\r', '\n.\r\n', 'MAIL FROM:<e@x.example>', 'a', 'Subject: x', ' ', '\0', 'é', 'x'.repeat(1200)];
const body = fc.array(fc.constantFrom(...BODY_TOKENS), { maxLength: 30 }).map((a) => a.join(''));
const local = fc.stringMatching(/^[a-z0-9][a-z0-9.+_-]{0,20}$/).filter((s) => !s.endsWith('.') && !s.includes('..'));
const domain = fc.constantFrom('example.org', 'mx.example', 'sub.example.net', '[192.0.2.1]');
const address = fc.tuple(local, domain).map(([l, d]) => `${l}@${d}`);

describe('TEST-3 round trip client -> server', () => {
  it('TEST-3 SMUG-6 random envelopes and bodies: one message, normalized content, envelope intact', () => {
    fc.assert(
      fc.property(fc.oneof(address, fc.constant('')), fc.uniqueArray(address, { minLength: 1, maxLength: 5 }), body, fc.array(fc.nat(), { maxLength: 4 }), (from, to, text, cuts) => {
        const bytes = new TextEncoder().encode(text);
        const offsets = [...new Set(cuts.map((c) => (bytes.length ? c % bytes.length : 0)))].sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let start = 0;
        for (const o of offsets) {
          chunks.push(bytes.subarray(start, o));
          start = o;
        }
        chunks.push(bytes.subarray(start));
        const pair = createPair({ bodies: { 1: chunks }, client: { allowLongLines: true } }); // 1200-octet lines too
        const id = pair.client.sendMessage({ from, to });
        expect(id).toBe(1);
        pair.client.quit();
        pair.run();
        expect(pair.messages).toHaveLength(1);
        const m = pair.messages[0]!;
        expect(m.from).toBe(from);
        expect(m.to).toEqual(to);
        expect(dec.decode(m.content)).toBe(dec.decode(normalizeBody(bytes)));
        const sent = pair.clientEvents.filter((e) => e.type === 'message-sent');
        expect(sent).toHaveLength(1);
        expect(sent[0]).toMatchObject({ outcome: 'delivered' });
      }),
      { numRuns: 150, seed: 9 },
    );
  });
});
