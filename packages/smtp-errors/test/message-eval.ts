/**
 * Scores `classifyMessage` on the raw bounce emails of the dev split (`test/fixtures/bounce-eval/emails`,
 * copied from the project's shared evaluation set), joined to the `dev` rows of
 * `sisimai-eval.jsonl` on the file name. An email counts when its first recipient's class is in
 * `momentum_acceptable`; rows whose acceptable set is empty (feedback reports, delivered notices)
 * count when the message kind matches instead.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, dirname, join } from 'node:path';
import type { MessageClassification } from '../src/message/index.js';

/** The directory holding `sisimai-eval.jsonl` and `emails/`. */
export const EVAL_DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'bounce-eval');

export interface MessageEvalRow {
  readonly file: string;
  readonly kind: string;
  readonly reason: string;
  readonly acceptable: readonly number[];
}

/** The first-recipient label of each dev email that is present in `emails/`. */
export function loadMessageRows(dir: string): MessageEvalRow[] {
  const present = new Set(readdirSync(join(dir, 'emails')));
  const rows: MessageEvalRow[] = [];
  for (const line of readFileSync(join(dir, 'sisimai-eval.jsonl'), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const r = JSON.parse(line) as { split: string; source_file: string; recipient_index: number; kind: string; reason: string; momentum_acceptable: string };
    if (r.split !== 'dev' || r.recipient_index !== 1) continue;
    const file = basename(r.source_file);
    if (!present.has(file)) continue;
    rows.push({ file, kind: r.kind, reason: r.reason, acceptable: r.momentum_acceptable.split(',').filter((x) => x !== '').map(Number) });
  }
  return rows;
}

export interface MessageEvalReport {
  readonly emails: number;
  readonly agreed: number;
  readonly agreement: number;
  readonly exceptions: number;
  readonly misses: { file: string; reason: string; acceptable: readonly number[]; got: string; diagnostic: string }[];
  readonly bytes: number;
  /** Each email's answer, by file name (absent for an email that threw). */
  readonly results: ReadonlyMap<string, MessageClassification>;
}

const KIND_OF: Record<string, string> = { 'arf-feedback': 'feedback', delivered: 'delivered', 'auto-reply': 'auto-reply' };

/** Runs `classifyMessage` over every labelled email. */
export async function evaluateMessages(
  dir: string,
  classifyMessage: (raw: Uint8Array) => Promise<MessageClassification>,
): Promise<MessageEvalReport> {
  const rows = loadMessageRows(dir);
  let agreed = 0;
  let exceptions = 0;
  let bytes = 0;
  const misses: MessageEvalReport['misses'][number][] = [];
  const results = new Map<string, MessageClassification>();
  for (const row of rows) {
    const raw = readFileSync(join(dir, 'emails', row.file));
    bytes += raw.length;
    let got: MessageClassification;
    try {
      got = await classifyMessage(raw);
    } catch (e) {
      exceptions++;
      misses.push({ file: row.file, reason: row.reason, acceptable: row.acceptable, got: `exception ${(e as Error).message}`, diagnostic: '' });
      continue;
    }
    results.set(row.file, got);
    const first = got.recipients[0];
    const id = first?.class.id ?? got.class?.id;
    const ok = row.acceptable.length > 0 ? id !== undefined && row.acceptable.includes(id) : got.kind === (KIND_OF[row.kind] ?? row.kind);
    if (ok) agreed++;
    else misses.push({ file: row.file, reason: row.reason, acceptable: row.acceptable, got: `${got.kind} ${String(id)}`, diagnostic: (first?.diagnostic ?? '').slice(0, 200) });
  }
  return { emails: rows.length, agreed, agreement: rows.length ? agreed / rows.length : 0, exceptions, misses, bytes, results };
}
