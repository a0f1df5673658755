/**
 * Scores smtp-errors on the labelled sisimai bounce set (test/fixtures/bounce-eval, see its README):
 * bounce rows with non-empty text and no label hint; a prediction counts when its class is in
 * `momentum_acceptable`. The classifier sees only the reply text (`diagnostic_text`, as a bounce
 * processor receives it, wrappers included), never the labelled status.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { Classification } from '../src/index.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'bounce-eval');

export interface EvalRow {
  readonly id: string;
  readonly split: 'dev' | 'test';
  readonly text: string;
  readonly replyText: string;
  readonly acceptable: readonly number[];
  readonly reason: string;
}

export interface Baseline {
  readonly id: string;
  readonly sisimai: number | null;
  readonly postalsys: number | null;
  readonly kumomta: number | null;
}

function readJsonl<T>(name: string): T[] {
  return readFileSync(join(DIR, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

interface RawRow {
  id: string;
  kind: string;
  split: 'dev' | 'test';
  diagnostic_text: string;
  reply_text: string;
  label_hint_in_text: boolean;
  momentum_acceptable: string;
  reason: string;
}

/** The scored rows: bounce, non-empty text, no label hint. */
export function loadRows(): EvalRow[] {
  return readJsonl<RawRow>('sisimai-eval.jsonl')
    .filter((r) => r.kind === 'bounce' && r.diagnostic_text.trim() !== '' && !r.label_hint_in_text)
    .map((r) => ({
      id: r.id,
      split: r.split,
      text: r.diagnostic_text,
      replyText: r.reply_text,
      acceptable: r.momentum_acceptable
        .split(',')
        .filter((x) => x !== '')
        .map(Number),
      reason: r.reason,
    }));
}

interface RawBaseline {
  id: string;
  sisimai_v510_textmatch_momentum: number | null;
  postalsys_momentum: number | null;
  kumomta_momentum: number | null;
}

export function loadBaselines(): Map<string, Baseline> {
  return new Map(
    readJsonl<RawBaseline>('baselines.jsonl').map((b) => [
      b.id,
      { id: b.id, sisimai: b.sisimai_v510_textmatch_momentum, postalsys: b.postalsys_momentum, kumomta: b.kumomta_momentum },
    ]),
  );
}

export interface Score {
  readonly rows: number;
  readonly agreed: number;
  readonly agreement: number;
}

function score(rows: readonly EvalRow[], predict: (row: EvalRow) => number | null | undefined): Score {
  let agreed = 0;
  for (const row of rows) {
    const p = predict(row);
    if (p !== null && p !== undefined && row.acceptable.includes(p)) agreed++;
  }
  return { rows: rows.length, agreed, agreement: rows.length ? agreed / rows.length : 0 };
}

export interface EvalReport {
  readonly ours: Record<'dev' | 'test', Score>;
  readonly oursReplyText: Record<'dev' | 'test', Score>;
  readonly baselines: Record<'sisimai' | 'postalsys' | 'kumomta', Record<'dev' | 'test', Score>>;
  readonly misses: { split: string; id: string; reason: string; acceptable: readonly number[]; got: Classification; text: string }[];
}

/** Runs the evaluation with `classify`. */
export function evaluate(classify: (text: string) => Classification): EvalReport {
  const rows = loadRows();
  const baselines = loadBaselines();
  const bySplit = { dev: rows.filter((r) => r.split === 'dev'), test: rows.filter((r) => r.split === 'test') };
  const results = new Map(rows.map((r) => [r.id, classify(r.text)]));
  const both = <T>(f: (rs: readonly EvalRow[]) => T): Record<'dev' | 'test', T> => ({ dev: f(bySplit.dev), test: f(bySplit.test) });
  const base = (key: 'sisimai' | 'postalsys' | 'kumomta') => both((rs) => score(rs, (r) => baselines.get(r.id)?.[key]));
  const misses = rows
    .filter((r) => !r.acceptable.includes(results.get(r.id)!.id))
    .map((r) => ({ split: r.split, id: r.id, reason: r.reason, acceptable: r.acceptable, got: results.get(r.id)!, text: r.text }));
  return {
    ours: both((rs) => score(rs, (r) => results.get(r.id)!.id)),
    oursReplyText: both((rs) => score(rs, (r) => classify(r.replyText).id)),
    baselines: { sisimai: base('sisimai'), postalsys: base('postalsys'), kumomta: base('kumomta') },
    misses,
  };
}

/** All scored texts (for the benchmark's realistic mix). */
export function corpusTexts(): string[] {
  return loadRows().map((r) => r.text);
}
