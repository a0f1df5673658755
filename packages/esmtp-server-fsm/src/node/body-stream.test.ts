import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { BodyStream, isConsumed } from './body-stream.js';

describe('BodyStream', () => {
  it('asks its source for more when the consumer reads, and an unheard error is no crash', async () => {
    const reads: BodyStream[] = [];
    const parts = ['a', 'bc'];
    const body = new BodyStream({
      bodyRead: (b) => {
        reads.push(b);
        // the session feeds the next chunk when asked
        const next = parts.shift();
        b.push(next === undefined ? null : Buffer.from(next));
      },
    });
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('abc');
    // three reads, then once more when it is destroyed after its end (autoDestroy)
    expect(reads.length).toBe(4);
    expect(reads.every((b) => b === body)).toBe(true);
    const told: boolean[] = [];
    const aborted = new BodyStream({ bodyRead: (b) => told.push(b.destroyed) });
    aborted.destroy(new Error('aborted'));
    await new Promise((r) => setImmediate(r));
    expect(aborted.destroyed).toBe(true);
    // a destroyed stream will never read again: its source is told, so that it does not wait
    expect(told).toEqual([true]);
  });

  it('isConsumed: flowing, a data or readable listener', () => {
    const idle = new Readable({ read: () => undefined });
    expect(isConsumed(idle)).toBe(false);
    const data = new Readable({ read: () => undefined });
    data.on('data', () => undefined);
    expect(isConsumed(data)).toBe(true);
    const readable = new Readable({ read: () => undefined });
    readable.on('readable', () => undefined);
    expect(isConsumed(readable)).toBe(true);
    const flowing = new Readable({ read: () => undefined });
    flowing.resume();
    expect(isConsumed(flowing)).toBe(true);
  });
});
