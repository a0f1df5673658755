// Whole bounce emails: the 280 raw emails of the dev split (test/fixtures/bounce-eval/emails),
// scored against their labels, and every message's full answer recorded
// (test/fixtures/recorded-message-answers.tsv; re-record as in recorded-answers.test.ts).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyMessage, type MessageClassification } from '../src/message/index.js';
import { EVAL_DIR as DIR, evaluateMessages, loadMessageRows } from './message-eval.js';
import { answer, compareRecorded } from './recorded.js';

const FILE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'recorded-message-answers.tsv');

// Accuracy floor, not a timing assertion: 259 of 280 when this was written (issue aim: 0.90).
const FLOOR = 0.92;

/** One message's answer as a line: kind, its own class, each recipient, the original's identity. */
function messageLine(file: string, m: MessageClassification): string {
  const recipients = m.recipients.map((r) => [r.address ?? '-', r.action ?? '-', r.status ?? '-', r.remoteMta ?? '-', JSON.stringify(r.diagnostic ?? null), answer(r.class)].join(' '));
  const o = m.original;
  return [file, m.kind, m.truncated ? 'truncated' : 'whole', m.class ? answer(m.class) : '-', JSON.stringify(recipients), JSON.stringify([o.messageId ?? null, o.from ?? null, o.to ?? null, o.subject ?? null])].join('\t');
}

describe('classifyMessage on the dev split\'s bounce emails', () => {
  it('every email the labels name is present', () => {
    expect(loadMessageRows(DIR)).toHaveLength(280);
  });

  it(`parses every email without an exception, agrees with at least ${FLOOR} of the labels, and gives the recorded answers, for bytes and for the same email as a string`, async () => {
    const report = await evaluateMessages(DIR, (raw) => classifyMessage(raw));
    expect(report.emails).toBe(280);
    expect(report.exceptions).toBe(0);
    expect(report.agreement).toBeGreaterThanOrEqual(FLOOR);
    const lines: string[] = [];
    const differ: string[] = [];
    const decoder = new TextDecoder();
    for (const row of loadMessageRows(DIR)) {
      const line = messageLine(row.file, report.results.get(row.file)!);
      lines.push(line);
      const text = decoder.decode(readFileSync(join(DIR, 'emails', row.file)));
      if (messageLine(row.file, await classifyMessage(text)) !== line) differ.push(row.file);
    }
    const result = compareRecorded(FILE, lines, (key) => key);
    expect(result.changed).toEqual([]);
    expect(result.recorded).toBe(result.lines);
    expect(differ).toEqual([]);
  });
});
