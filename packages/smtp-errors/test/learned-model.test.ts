/**
 * The committed model (src/learned/model.ts) is what scripts/train-learned.ts writes from the
 * repository's rows and rules today, byte for byte. When this fails after a change to the rules or
 * the tune/dev rows, re-run `pnpm tsx packages/smtp-errors/scripts/train-learned.ts`, commit the model,
 * and say so: the learned figures in the README were measured on the model before.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MODEL_FILE, modelSource } from '../scripts/train-learned.js';

describe('smtp-errors/learned model', () => {
  it('is the deterministic output of the training script', () => {
    const again = modelSource();
    expect(modelSource()).toBe(again);
    expect(readFileSync(MODEL_FILE, 'utf8')).toBe(again);
  }, 120_000);
});
