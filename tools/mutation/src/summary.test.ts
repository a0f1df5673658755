import { describe, expect, it } from 'vitest';
import { combineShards, renderDoc, shardText, renderReadmeTable, replaceBetweenMarkers, shardFiles, summarize, type MutantLike, type ShardResult } from './summary.js';

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

describe('shards', () => {
  const files = [
    { file: 'p/src/a.ts', bytes: 900 },
    { file: 'p/src/b.ts', bytes: 500 },
    { file: 'p/src/c.ts', bytes: 400 },
    { file: 'p/src/d.ts', bytes: 100 },
  ];

  it('splits files into groups of about equal size, the same way whatever the input order', () => {
    expect(shardFiles(files, 2)).toEqual([['p/src/a.ts', 'p/src/d.ts'], ['p/src/b.ts', 'p/src/c.ts']]);
    expect(shardFiles([...files].reverse(), 2)).toEqual(shardFiles(files, 2));
    expect(shardFiles(files, 1)).toEqual([['p/src/a.ts', 'p/src/b.ts', 'p/src/c.ts', 'p/src/d.ts']]);
    expect(shardFiles(files, 5).flat().sort()).toEqual(files.map((f) => f.file));
  });

  const shard = (n: number, of: number, names: string[], source = 'tree1'): ShardResult => ({
    shard: `${n}/${of}`,
    source,
    commit: `c${n}`,
    seconds: 10 * n,
    files: names,
    mutants: names.map((f) => mutant(f, 'Killed')),
  });

  it('saves a shard as JSON with one mutant a line', () => {
    const one = shard(1, 2, ['p/src/a.ts', 'p/src/b.ts']);
    const text = shardText(one);
    expect(JSON.parse(text)).toEqual(one);
    expect(text.split('\n').filter((l) => l.startsWith('{"fileName"'))).toHaveLength(2);
  });

  it('puts the shards of one split together', () => {
    const whole = combineShards([shard(2, 2, ['p/src/b.ts']), shard(1, 2, ['p/src/a.ts'])], ['p/src/a.ts', 'p/src/b.ts']);
    expect(whole.mutants.map((m) => m.fileName).sort()).toEqual(['/repo/p/src/a.ts', '/repo/p/src/b.ts']);
    expect(whole.seconds).toBe(30);
    expect(whole.commit).toBe('c2,c1');
  });

  it('refuses shards that do not make one whole run', () => {
    const all = ['p/src/a.ts', 'p/src/b.ts'];
    expect(() => combineShards([], all)).toThrow('no shard results');
    expect(() => combineShards([shard(1, 2, ['p/src/a.ts'])], all)).toThrow('shard 2/2 has not been run');
    expect(() => combineShards([shard(1, 2, ['p/src/a.ts']), shard(2, 2, ['p/src/b.ts'], 'tree2')], all)).toThrow('other sources');
    expect(() => combineShards([shard(1, 2, ['p/src/a.ts']), shard(2, 3, ['p/src/b.ts'])], all)).toThrow('another split');
    expect(() => combineShards([shard(1, 1, ['p/src/a.ts']), shard(1, 1, ['p/src/a.ts'])], all)).toThrow('appears twice');
    expect(() => combineShards([shard(1, 1, ['p/src/a.ts'])], all)).toThrow('missing: p/src/b.ts');
    expect(() => combineShards([shard(1, 1, ['p/src/a.ts', 'p/src/a.ts', 'p/src/b.ts'])], all)).toThrow('twice: p/src/a.ts');
    expect(() => combineShards([shard(1, 1, ['p/src/a.ts', 'p/src/b.ts', 'p/src/z.ts'])], all)).toThrow('twice: p/src/z.ts');
  });
});
