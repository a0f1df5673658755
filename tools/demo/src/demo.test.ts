// The demo must keep working: the recordings parse to the expected replies, and `pnpm demo`
// (the README's main command) exits 0.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RECORDINGS, parseRecording } from './recorded.js';

const fixtures = new URL('../fixtures/', import.meta.url);
const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('demo', () => {
  it('parses every recording into complete replies whatever the chunking', () => {
    const codes = RECORDINGS.map((r) => parseRecording(new Uint8Array(readFileSync(new URL(r.file, fixtures)))).replies.map((x) => x.code));
    expect(codes).toEqual([
      [220, 250, 250, 550],
      [220, 250, 550],
      [220, 250, 421],
      [220, 250, 250, 450, 554, 554, 221],
    ]);
  });

  it('`pnpm demo` runs to the end and exits 0', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'tools/demo/src/main.ts'], { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('demo complete');
    expect(r.stdout).toMatch(/nobody@receiver\.example\s+rejected\s+550 5\.1\.1 .*class 10 Invalid Recipient/);
    expect(r.stdout).toMatch(/C: STARTTLS/);
    expect(r.stdout).toMatch(/C: AUTH PLAIN <redacted>/);
  });
});
