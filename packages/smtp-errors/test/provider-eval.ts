/**
 * The provider evaluation set (`provider-eval.jsonl`, see LABELLING.md): reply texts from the
 * providers' public postmaster and help pages, each labelled by the written guide and citing its
 * source. Split by a hash of the text into a tuning half and a held-out half.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { Classification } from '../src/index.js';

const FILE = join(dirname(fileURLToPath(import.meta.url)), 'provider-eval.jsonl');

export interface ProviderRow {
  readonly id: string;
  readonly provider: string;
  readonly family: string;
  readonly text: string;
  readonly class: number;
  readonly acceptable: readonly number[];
  readonly split: 'tune' | 'heldout';
  readonly source: string;
}

/** Every row of the provider set. */
export function loadProviderRows(): ProviderRow[] {
  return readFileSync(FILE, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ProviderRow);
}

export interface ProviderScore {
  readonly rows: number;
  readonly agreed: number;
  readonly agreement: number;
}

export interface ProviderReport {
  readonly tune: ProviderScore;
  readonly heldout: ProviderScore;
  readonly byFamily: Record<string, ProviderScore>;
  readonly misses: { row: ProviderRow; got: Classification }[];
}

function score(rows: readonly ProviderRow[], ok: (r: ProviderRow) => boolean): ProviderScore {
  const agreed = rows.filter(ok).length;
  return { rows: rows.length, agreed, agreement: rows.length ? agreed / rows.length : 0 };
}

/** Scores `classify` on both halves (a row agrees when the class is among its acceptable ones). */
export function evaluateProviders(classify: (text: string) => Classification): ProviderReport {
  const rows = loadProviderRows();
  const got = new Map(rows.map((r) => [r.id, classify(r.text)]));
  const ok = (r: ProviderRow): boolean => r.acceptable.includes(got.get(r.id)!.id);
  const byFamily: Record<string, ProviderScore> = {};
  for (const family of new Set(rows.map((r) => r.family))) byFamily[family] = score(rows.filter((r) => r.family === family), ok);
  return {
    tune: score(rows.filter((r) => r.split === 'tune'), ok),
    heldout: score(rows.filter((r) => r.split === 'heldout'), ok),
    byFamily,
    misses: rows.filter((r) => !ok(r)).map((r) => ({ row: r, got: got.get(r.id)! })),
  };
}
