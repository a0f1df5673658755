import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { byteByByte, randomSplits } from '@smtpkit/testkit';
import { parseTranscript, runTranscript } from '../test/transcript.js';

const dir = join(import.meta.dirname, '..', 'test', 'fixtures');
const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();

describe('transcript fixtures (whole, byte by byte, random splits)', () => {
  for (const file of files) {
    it(file.replace(/\.txt$/, ''), () => {
      const t = parseTranscript(readFileSync(join(dir, file), 'utf8'));
      const whole = runTranscript(t, (d) => [d]);
      expect(whole.output).toEqual(t.steps.map((s) => s.expected));
      expect(whole.messages).toEqual(t.messages);
      expect(whole.aborts).toEqual(t.aborts);
      if (t.closed !== undefined) expect(whole.closed).toBe(t.closed);
      const bytewise = runTranscript(t, byteByByte);
      expect(bytewise.output).toEqual(whole.output);
      expect(bytewise.messages).toEqual(whole.messages);
      expect(bytewise.aborts).toEqual(whole.aborts);
      for (let seed = 1; seed <= 8; seed++) {
        const r = runTranscript(t, (d) => randomSplits(d, 1, seed)[0]!);
        expect(r.output).toEqual(whole.output);
        expect(r.messages).toEqual(whole.messages);
      }
    });
  }
});
