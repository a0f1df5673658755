import { describe, expect, it } from 'vitest';
import { renderDoc, renderReadmeTable, replaceBetweenMarkers, summarize, type MutantLike } from './summary.js';

const root = '/repo';
function mutant(file: string, status: string): MutantLike {
  return { fileName: `${root}/${file}`, status, mutatorName: 'EqualityOperator', replacement: 'a <= b', location: { start: { line: 1, column: 0 } } };
}
const run = { date: '2026-11-29T09:00:00.000Z', seconds: 75, commit: 'abc1234', root };

describe('summarize', () => {
  it('counts every status and scores detected over valid mutants', () => {
    const s = summarize('pkg', [
      mutant('packages/pkg/src/a.ts', 'Killed'),
      mutant('packages/pkg/src/a.ts', 'Killed'),
      mutant('packages/pkg/src/a.ts', 'Timeout'),
      mutant('packages/pkg/src/a.ts', 'Survived'),
      mutant('packages/pkg/src/b.ts', 'NoCoverage'),
      mutant('packages/pkg/src/b.ts', 'CompileError'),
      mutant('packages/pkg/src/b.ts', 'RuntimeError'),
      mutant('packages/pkg/src/b.ts', 'Ignored'),
    ], run);
    expect(s).toMatchObject({ mutants: 8, killed: 2, timeout: 1, survived: 1, noCoverage: 1, errors: 2, ignored: 1 });
    expect(s.score).toBe(60);
    expect(s.scoreCovered).toBe(75);
    expect(s.files.map((f) => [f.file, f.survived, f.noCoverage])).toEqual([
      ['packages/pkg/src/a.ts', 1, 0],
      ['packages/pkg/src/b.ts', 0, 1],
    ]);
  });

  it('leaves fully detected files out of the per-file list and scores an empty run 100', () => {
    expect(summarize('pkg', [mutant('packages/pkg/src/a.ts', 'Killed')], run).files).toEqual([]);
    expect(summarize('pkg', [], run).score).toBe(100);
  });
});

describe('rendering', () => {
  const score = summarize('smtp-errors', [mutant('packages/smtp-errors/src/a.ts', 'Killed'), mutant('packages/smtp-errors/src/a.ts', 'Survived')], run);

  it('marks packages without a score as not run', () => {
    const table = renderReadmeTable(['smtp-errors', 'smtp-client-fsm'], [score]);
    expect(table).toContain('| `smtp-errors` | 2 | 50.00 % | 2026-11-29 |');
    expect(table).toContain('| `smtp-client-fsm` | not run | | |');
    expect(renderDoc(['smtp-errors'], [score])).toContain('`pnpm mutation smtp-errors`');
    expect(renderDoc(['smtp-errors'], [score])).toContain('1 min 15 s');
  });

  it('replaces only the text between the markers', () => {
    const text = 'before\n<!-- x:start -->\nold\n<!-- x:end -->\nafter\n';
    expect(replaceBetweenMarkers(text, 'x', 'new\n')).toBe('before\n<!-- x:start -->\nnew\n<!-- x:end -->\nafter\n');
    expect(replaceBetweenMarkers('no markers', 'x', 'new\n')).toBeUndefined();
  });
});
