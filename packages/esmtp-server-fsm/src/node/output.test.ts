import { describe, expect, it } from 'vitest';
import { OUTPUT_BATCH_LIMIT, OutputBatcher } from './output.js';
import type { OutputTarget } from './output.js';

function target(written: string[], name: string): OutputTarget {
  const t: OutputTarget = {
    outText: '',
    writeOutput() {
      if (t.outText.length === 0) return;
      written.push(`${name}:${t.outText}`);
      t.outText = '';
    },
  };
  return t;
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('OutputBatcher', () => {
  it('writes what each session queued in one turn as one write per session, in queue order, at the end of the turn', async () => {
    const written: string[] = [];
    const batcher = new OutputBatcher();
    const a = target(written, 'a');
    const b = target(written, 'b');
    batcher.queue(b, '250 1\r\n');
    batcher.queue(a, '250 2\r\n');
    batcher.queue(b, '250 3\r\n');
    expect(written).toEqual([]);
    await turn();
    expect(written).toEqual(['b:250 1\r\n250 3\r\n', 'a:250 2\r\n']);
    batcher.queue(a, '221 bye\r\n');
    await turn();
    expect(written).toEqual(['b:250 1\r\n250 3\r\n', 'a:250 2\r\n', 'a:221 bye\r\n']);
  });

  it('a backlog of OUTPUT_BATCH_LIMIT characters is written at once (output backpressure is seen within the turn)', async () => {
    const written: string[] = [];
    const batcher = new OutputBatcher();
    const a = target(written, 'a');
    const big = 'x'.repeat(OUTPUT_BATCH_LIMIT);
    batcher.queue(a, big);
    expect(written).toEqual([`a:${big}`]);
    batcher.queue(a, 'tail');
    await turn();
    expect(written).toEqual([`a:${big}`, 'a:tail']);
  });
});
