// Recorded answers: the classifier's full answer (class, what decided it, the codes found,
// transient) for every reply text of both evaluation sets, with and without the built-in phrase
// rules, and for variants of each text that take other paths (a temporary twin of a permanent
// reply, the MAIL FROM and end-of-DATA stage wrappers an MTA adds). The evaluation tests check that
// enough answers are right; this one shows every answer that changed, so a change to the rules or
// the decision code is reviewed reply by reply. It does not say the recorded answers are right.
//
// After a deliberate change, re-record and review the diff of the fixture:
//   SMTPKIT_RECORD_ANSWERS=1 pnpm vitest run packages/smtp-errors/test/recorded-answers.test.ts
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../src/index.js';
import { loadProviderRows } from './provider-eval.js';
import { answer, compareRecorded } from './recorded.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FILE = join(HERE, 'fixtures', 'recorded-answers.tsv');
const SISIMAI = join(HERE, 'fixtures', 'bounce-eval', 'sisimai-eval.jsonl');

/** Every reply text of the sisimai set (its diagnostic and its bare reply) and of the provider set. */
function sources(): [string, string][] {
  const out: [string, string][] = [];
  for (const line of readFileSync(SISIMAI, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const row = JSON.parse(line) as { id: string; diagnostic_text: string; reply_text: string };
    if (row.diagnostic_text.trim() !== '') out.push([row.id, row.diagnostic_text]);
    if (row.reply_text.trim() !== '' && row.reply_text !== row.diagnostic_text) out.push([`${row.id}/reply`, row.reply_text]);
  }
  for (const row of loadProviderRows()) out.push([row.id, row.text]);
  return out;
}

/** The text with its leading reply code (and enhanced code) turned from 5xx to 4xx or back. */
function twin(text: string): string | undefined {
  const m = /^([45])(\d\d)([ -])(?:([45])(\.\d{1,3}\.\d{1,3}))?/.exec(text);
  if (m === null) return undefined;
  const flip = (c: string): string => (c === '5' ? '4' : '5');
  const enhanced = m[4] === undefined ? '' : `${flip(m[4])}${m[5]!}`;
  return `${flip(m[1]!)}${m[2]!}${m[3]!}${enhanced}${text.slice(m[0].length)}`;
}

/** The variants of one text: itself, its twin, and the stage wrappers. */
function variants(text: string): [string, string][] {
  const out: [string, string][] = [['', text]];
  const t = twin(text);
  if (t !== undefined) out.push(['twin', t]);
  out.push(['mail', `host mx.example.com said: ${text} (in reply to MAIL FROM command)`]);
  out.push(['data', `SMTP error from remote mail server after end of data: ${text}`]);
  return out;
}

describe('recorded answers on the evaluation sets (test/fixtures/recorded-answers.tsv)', () => {
  const full = createClassifier({ limits: { cacheSize: 0 } });
  const bare = createClassifier({ builtinRules: false, limits: { cacheSize: 0 } });
  const encoder = new TextEncoder();
  // The texts are built while the file loads; every classification runs inside a test, so that
  // what a test covers is what it checks (a classification at load time would count as covered by
  // no test in particular, and a mutation run would then run every test for it).
  const texts = new Map<string, string>();
  for (const [id, text] of sources()) {
    for (const [variant, v] of variants(text)) texts.set(variant === '' ? id : `${id}|${variant}`, v);
  }

  it('every answer is the recorded one', () => {
    const lines: string[] = [];
    for (const [key, v] of texts) {
      const withPhrases = answer(full.classify(v));
      const withoutPhrases = answer(bare.classify(v));
      // `=`: the same answer without the phrase rules
      lines.push(`${key}\t${withPhrases}\t${withoutPhrases === withPhrases ? '=' : withoutPhrases}`);
    }
    const result = compareRecorded(FILE, lines, (key) => texts.get(key));
    expect(result.changed).toEqual([]);
    expect(result.recorded).toBe(result.lines);
  });

  it('bytes get the same answers as strings', () => {
    const differ: string[] = [];
    for (const [key, text] of texts) {
      if (answer(full.classify(encoder.encode(text))) !== answer(full.classify(text))) differ.push(key);
      if (answer(bare.classify(encoder.encode(text))) !== answer(bare.classify(text))) differ.push(`${key} (bare)`);
    }
    expect(differ).toEqual([]);
  });
});
