/**
 * Recorded answers (see recorded-answers.test.ts): one short line per classification, and the
 * comparison of a run's lines with a fixture file, which `SMTPKIT_RECORD_ANSWERS=1` rewrites.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Classification } from '../src/index.js';

/** One answer as a short line: class, transient, bounce action, what decided it, the codes found. */
export function answer(c: Classification): string {
  const r = c.rule;
  let by: string;
  switch (r.kind) {
    case 'builtin-rule':
      by = `phrase:${r.name}${r.stage ? `@${r.stage}` : ''}`;
      break;
    case 'keyword':
      by = `word:${r.pattern}`;
      break;
    case 'enhanced-code':
      by = `enhanced:${r.code}${r.stage ? `@${r.stage}` : ''}`;
      break;
    case 'reply-code':
      by = `reply:${r.code}${r.stage ? `@${r.stage}` : ''}`;
      break;
    case 'provider-code':
      by = `provider:${r.provider}:${r.code}`;
      break;
    default:
      by = r.kind;
  }
  return `${c.id} ${c.transient ? 'T' : 'P'} ${c.action} ${by} ${c.replyCode ?? '-'} ${c.enhancedCode ?? '-'}`;
}

/**
 * Compares `lines` (`key<TAB>answer...`) with the recorded `file`, after rewriting it when
 * `SMTPKIT_RECORD_ANSWERS=1`. Returns the first 20 changed lines with their inputs (`inputOf`), the
 * number of recorded lines and the number of lines of this run.
 */
export function compareRecorded(
  file: string,
  lines: readonly string[],
  inputOf: (key: string) => unknown,
): { changed: { input: unknown; now: string; recorded: string | undefined }[]; recorded: number; lines: number } {
  if (process.env['SMTPKIT_RECORD_ANSWERS'] === '1') writeFileSync(file, `${lines.join('\n')}\n`);
  const keyOf = (l: string): string => l.slice(0, l.indexOf('\t'));
  const recorded = new Map(
    (existsSync(file) ? readFileSync(file, 'utf8') : '')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => [keyOf(l), l] as const),
  );
  const changed = lines
    .filter((l) => recorded.get(keyOf(l)) !== l)
    .slice(0, 20)
    .map((l) => ({ input: inputOf(keyOf(l)), now: l, recorded: recorded.get(keyOf(l)) }));
  return { changed, recorded: recorded.size, lines: lines.length };
}
