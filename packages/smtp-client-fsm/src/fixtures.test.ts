// Wire transcript fixtures (test/fixtures/*.txt): server flights are fed whole, byte by byte and
// at random splits; the client's output after each flight must equal the C: lines that follow.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { byteByByte, randomSplits } from '@smtpkit/testkit';
import { ClientConnection } from './client-connection.js';
import type { ClientEvent } from './events.js';

const dir = join(import.meta.dirname, '..', 'test', 'fixtures');
const enc = new TextEncoder();
const dec = new TextDecoder();

interface Step { kind: 'S' | 'C'; text: string }

function parse(text: string) {
  const steps: Step[] = [];
  const meta: Record<string, unknown> = {};
  for (const line of text.split('\n')) {
    const m = /^# (options|message|expect): (.*)$/.exec(line);
    if (m) meta[m[1]!] = JSON.parse(m[2]!);
    else if (line.startsWith('S: ') || line.startsWith('C: ')) steps.push({ kind: line[0] as 'S' | 'C', text: line.slice(3) });
  }
  return { steps, meta };
}

const splitters: [string, (d: Uint8Array) => Uint8Array[]][] = [
  ['whole', (d) => [d]],
  ['byte by byte', byteByByte],
  ['random splits', (d) => randomSplits(d, 1, 42)[0]!],
];

for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()) {
  const { steps, meta } = parse(readFileSync(join(dir, file), 'utf8'));
  describe(`fixture ${file}`, () => {
    for (const [name, split] of splitters) {
      it(name, () => {
        // Fixtures written before the `security` option name their STARTTLS policy `starttls`.
        const { starttls, ...options } = meta['options'] as { starttls?: 'off' | 'opportunistic' | 'required' };
        const conn = new ClientConnection(starttls === undefined ? options : { ...options, security: starttls });
        conn.sendMessage(meta['message'] as never);
        conn.quit();
        const events: ClientEvent[] = [];
        const drain = () => {
          for (let e = conn.nextEvent(); e.type !== 'need-data'; e = conn.nextEvent()) events.push(e);
        };
        let i = 0;
        while (i < steps.length) {
          const flight: string[] = [];
          while (i < steps.length && steps[i]!.kind === 'S') flight.push(steps[i++]!.text);
          for (const piece of split(enc.encode(flight.map((l) => l + '\r\n').join('')))) conn.receiveData(piece);
          drain();
          const expected: string[] = [];
          while (i < steps.length && steps[i]!.kind === 'C') expected.push(steps[i++]!.text);
          expect(dec.decode(conn.dataToSend())).toBe(expected.map((l) => l + '\r\n').join(''));
        }
        if (!conn.closed) conn.receiveEof();
        drain();
        const want = meta['expect'] as { outcome: string; statuses: string[]; closed: string; error?: string };
        const sent = events.find((e) => e.type === 'message-sent');
        expect(sent).toMatchObject({ outcome: want.outcome });
        if (sent?.type === 'message-sent') expect(sent.recipients.map((r) => r.status)).toEqual(want.statuses);
        expect(events.find((e) => e.type === 'closed')).toMatchObject({ reason: want.closed });
        if (want.error) expect(events.find((e) => e.type === 'error')).toMatchObject({ code: want.error });
      });
    }
  });
}
