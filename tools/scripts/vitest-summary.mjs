#!/usr/bin/env node
// Reads vitest JSON reports (--reporter=json --outputFile=...) and prints the totals as one plain
// line, `N passed, N failed` (plus `, N skipped` when any), which CI reads. Every failed test (or
// suite that failed to load) is named above that line with the first lines of its message, so the
// tail of a CI log always says what failed. A missing report, and each gate named in
// SMTPKIT_FAILED_GATES (`;`-separated: lint, typecheck... as .ci/run ran them), count as one failure
// each, so the line never says `0 failed` for a run that failed. Exit code 1 when anything failed
// or no test ran at all.
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
let missing = 0;
const failures = [];
const firstLines = (text) =>
  String(text ?? '')
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(0, 6)
    .map((line) => `    ${line.slice(0, 300)}`)
    .join('\n');
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    failures.push(`FAIL ${relative(process.cwd(), file)} (no report: the run crashed before reporting)`);
    missing++;
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  for (const suite of report.testResults ?? []) {
    const where = relative(process.cwd(), suite.name ?? '?');
    const results = suite.assertionResults ?? [];
    // A suite that failed to load counts as a failure even though it has no failed test.
    if (suite.status === 'failed' && results.length === 0) {
      failed++;
      failures.push(`FAIL ${where} (the file failed to load)\n${firstLines(suite.message)}`);
    }
    for (const test of results) {
      if (test.status !== 'failed') continue;
      failures.push(`FAIL ${where} > ${test.fullName ?? test.title}\n${firstLines((test.failureMessages ?? []).join('\n'))}`);
    }
  }
}
for (const gate of (process.env.SMTPKIT_FAILED_GATES ?? '').split(';')) if (gate.trim() !== '') failures.push(`FAIL gate: ${gate.trim()}`);
const gates = failures.filter((f) => f.startsWith('FAIL gate: ')).length;
failed += missing + gates;
if (failures.length > 0) console.log(failures.join('\n'));
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
