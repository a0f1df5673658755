// The server's wire transcripts (test/fixtures/*.txt, format in tools/testkit/src/transcript.ts):
// the C: lines are fed to a ServerConnection whole, byte by byte and at seeded random splits; its
// output after each flight must equal the S: lines that follow.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectedOutcome, parseTranscript, runTranscript, transcriptSplitters } from '@smtpkit/testkit';
import { ServerConnection } from 'esmtp-server-fsm';

const dir = join(import.meta.dirname, 'fixtures');
const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();

const create = (options: Record<string, unknown>) => new ServerConnection({ hostname: 'mx.test', ...options });

describe('server transcripts', () => {
  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(14);
  });
  for (const file of files) {
    const t = parseTranscript(readFileSync(join(dir, file), 'utf8'), 'server');
    describe(file.replace(/\.txt$/, ''), () => {
      for (const { name, split } of transcriptSplitters()) {
        it(name, () => {
          const { allEvents: _events, ...outcome } = runTranscript(t, create, split);
          expect(outcome).toEqual(expectedOutcome(t));
        });
      }
    });
  }
});
