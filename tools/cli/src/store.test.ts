import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageStore, newMessageId } from './store.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'smtp-store-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const envelope = { from: 'a@example.org', to: ['b@example.net'], helo: 'client.example', clientAddress: '127.0.0.1', parameters: { mail: {}, rcpt: {} }, time: '2026-01-01T00:00:00.000Z' };

describe('MessageStore', () => {
  it('stores the exact bytes and the envelope with the size', async () => {
    const store = new MessageStore(join(tempDir(), 'nested', 'dir'));
    await store.init();
    const bytes = new Uint8Array([0x41, 0x0d, 0x0a, 0x2e, 0x2e, 0x0a, 0xff, 0x00, 0x0d]);
    const w = await store.begin();
    await w.write(bytes.subarray(0, 4));
    await w.write(bytes.subarray(4));
    const stored = await w.commit(envelope);
    expect(new Uint8Array(readFileSync(stored.eml))).toEqual(bytes);
    const json = JSON.parse(readFileSync(stored.json, 'utf8'));
    expect(json).toMatchObject({ id: stored.id, from: 'a@example.org', to: ['b@example.net'], size: bytes.length });
    expect(readdirSync(store.dir).sort()).toEqual([`${stored.id}.eml`, `${stored.id}.json`]);
  });

  it('a message in progress has only a hidden partial name, and abort removes it', async () => {
    const store = new MessageStore(tempDir());
    const w = await store.begin();
    await w.write(new TextEncoder().encode('half'));
    const names = readdirSync(store.dir);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^\..*\.eml\.partial$/);
    expect(names.some((n) => n.endsWith('.eml') || n.endsWith('.json'))).toBe(false);
    await w.abort();
    expect(readdirSync(store.dir)).toEqual([]);
  });

  it('ids are unique and sort by time', () => {
    const a = newMessageId(new Date('2026-01-01T00:00:00Z'));
    const b = newMessageId(new Date('2026-01-01T00:00:01Z'));
    expect(a < b).toBe(true);
    expect(new Set(Array.from({ length: 1000 }, () => newMessageId())).size).toBe(1000);
  });
});
