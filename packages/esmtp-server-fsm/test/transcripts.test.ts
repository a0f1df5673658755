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

/**
 * Fixtures name custom verbs in a `commands` option ({ verb, keyword? }). A session that has
 * dropped `phase` (issue 17) registers custom verbs only through `registry`, as extension
 * definitions: a verb without a keyword is a private one, never advertised. Remove this once the
 * fixtures are rewritten with `registry`.
 */
const registryOnly = !('phase' in ServerConnection.prototype);
function sessionOptions(options: Record<string, unknown>): Record<string, unknown> {
  const commands = options['commands'] as readonly { verb: string; keyword?: string }[] | undefined;
  if (!registryOnly || commands === undefined) return options;
  const { commands: _commands, ...rest } = options;
  const registry = commands.map((c) => ({ keyword: c.keyword ?? c.verb, advertise: c.keyword !== undefined, verbs: [{ name: c.verb, mustBeLastInGroup: true }] }));
  return { ...rest, registry };
}
const create = (options: Record<string, unknown>) => new ServerConnection({ hostname: 'mx.test', ...sessionOptions(options) });

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
