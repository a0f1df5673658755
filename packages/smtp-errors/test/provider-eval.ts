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

/** The JSON objects of a JSON-lines file, one per non-blank line. */
function readJsonLines<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

/** Every row of the provider set. */
export function loadProviderRows(): ProviderRow[] {
  return readJsonLines<ProviderRow>(FILE);
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

function score<T>(rows: readonly T[], ok: (r: T) => boolean): ProviderScore {
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

const SECOND = join(dirname(fileURLToPath(import.meta.url)), 'provider-eval-second-labels.jsonl');

/**
 * A second, independent label of a held-out row (`provider-eval-second-labels.jsonl`): given by
 * another labeller from LABELLING.md and the row's text and source only, without the first label,
 * the classifier or its results.
 */
export interface SecondLabel {
  readonly id: string;
  readonly class: number;
  readonly acceptable: readonly number[];
  readonly note: string;
}

/** Every second label. */
export function loadSecondLabels(): SecondLabel[] {
  return readJsonLines<SecondLabel>(SECOND);
}

const TEXT_ONLY = join(dirname(fileURLToPath(import.meta.url)), 'provider-eval-text-only-labels.jsonl');

/**
 * The label of a held-out row given by a reader of its text alone
 * (`provider-eval-text-only-labels.jsonl`): the guide's rules and class table, and the texts in a
 * shuffled order, without the provider, the source, the family, any other label or the classifier.
 * It measures how far the words of a reply can take any classifier that reads only them.
 */
export type TextOnlyLabel = SecondLabel;

/** Every text-only label. */
export function loadTextOnlyLabels(): TextOnlyLabel[] {
  return readJsonLines<TextOnlyLabel>(TEXT_ONLY);
}

/** The text-only reader scored like `classify`: their class among the first label's acceptable ones. */
export function textOnlyAgreement(): ProviderScore {
  const first = new Map(loadProviderRows().map((r) => [r.id, r]));
  return score(loadTextOnlyLabels(), (t) => first.get(t.id)!.acceptable.includes(t.class));
}

export interface LabellerAgreement {
  /** Held-out rows with a second label. */
  readonly rows: number;
  /** The second labeller scored like `classify`: their class among the first label's acceptable ones. */
  readonly secondLabeller: ProviderScore;
  /** Rows where each labeller's class is among the other's acceptable ones. */
  readonly consensus: number;
  /** `classify` against the first labels (the usual held-out score), on the same rows. */
  readonly classifyFirst: ProviderScore;
  /** `classify` against the second labels. */
  readonly classifySecond: ProviderScore;
  /** `classify` against the first labels on the consensus rows only. */
  readonly classifyConsensus: ProviderScore;
}

/**
 * How far two labellers agree on the held-out half, and how `classify` scores against each: the
 * ceiling the labels themselves put on any classifier's held-out figure.
 */
export function labellerAgreement(classify: (text: string) => Classification): LabellerAgreement {
  const first = new Map(loadProviderRows().map((r) => [r.id, r]));
  const pairs = loadSecondLabels().map((s) => ({ s, r: first.get(s.id)! }));
  const got = new Map(pairs.map(({ r }) => [r.id, classify(r.text).id]));
  const consensus = pairs.filter(({ s, r }) => r.acceptable.includes(s.class) && s.acceptable.includes(r.class));
  const firstAgrees = ({ r }: (typeof pairs)[number]): boolean => r.acceptable.includes(got.get(r.id)!);
  return {
    rows: pairs.length,
    secondLabeller: score(pairs, ({ s, r }) => r.acceptable.includes(s.class)),
    consensus: consensus.length,
    classifyFirst: score(pairs, firstAgrees),
    classifySecond: score(pairs, ({ s, r }) => s.acceptable.includes(got.get(r.id)!)),
    classifyConsensus: score(consensus, firstAgrees),
  };
}
