/**
 * The requirement id -> test table of docs/security.md, generated from the repository: every test
 * title (`it(`, `test(`, `describe(`) naming an id such as SMUG-1, and every vector of
 * tools/security/vectors.json. `tsx tools/security/src/id-table.ts` rewrites the table between the
 * markers in docs/security.md; `--check` exits 1 when it is stale (the vitest test does the same).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checklist of /work/shared/reference/security-requirements.md: id and title. */
export const REQUIREMENTS: readonly (readonly [string, string])[] = [
  ['X-1', 'CRLF is the only line terminator on the wire'],
  ['X-2', 'No action on an unterminated line'],
  ['X-3', 'Chunking invariance'],
  ['X-4', 'Linear-time parsing, no backtracking regexes on peer input'],
  ['SMUG-1', 'End-of-data is exactly `\\r\\n.\\r\\n`'],
  ['SMUG-2', 'Bare CR or bare LF inside DATA fails the transaction'],
  ['SMUG-3', 'Command lines containing bare CR, bare LF or NUL are rejected, never split'],
  ['SMUG-4', 'Dot-unstuffing only after CRLF'],
  ['SMUG-5', 'Synchronization checks at sync points'],
  ['SMUG-6', 'Client never emits bare CR/LF and always dot-stuffs after normalization'],
  ['SMUG-7', 'BDAT is length-delimited; no dot handling; same bare-LF policy for text bodies'],
  ['TLS-1', 'Server discards everything buffered after the STARTTLS line'],
  ['TLS-2', 'Server resets all state after TLS'],
  ['TLS-3', 'STARTTLS syntax and state errors'],
  ['TLS-4', 'TLS-required policy gate'],
  ['TLS-5', 'Client rejects any bytes after the 220 STARTTLS reply'],
  ['TLS-6', 'Client discards pre-TLS capabilities and re-EHLOs'],
  ['TLS-7', 'Client never pipelines after STARTTLS'],
  ['TLS-8', 'No silent downgrade'],
  ['INJ-1', 'Client command builders reject control bytes in every argument'],
  ['INJ-2', 'Client typed parameter encoding'],
  ['INJ-3', 'Server rejects controls in paths and params, including after xtext decoding'],
  ['INJ-4', 'Strict xtext decoder'],
  ['INJ-5', 'HELO/EHLO argument validation'],
  ['INJ-6', 'Path length limits in octets'],
  ['INJ-7', 'Path/params grammar strictness'],
  ['INJ-8', 'Non-ASCII only with SMTPUTF8'],
  ['INJ-9', 'Recipient limit semantics'],
  ['INJ-10', 'AUTH line limits'],
  ['DOS-1', 'Bounded command-line buffer'],
  ['DOS-2', 'DATA is streamed; size enforced by counting, not buffering'],
  ['DOS-3', 'Long DATA lines are not a hard error by default'],
  ['DOS-4', 'Recipient cap with overshoot counting'],
  ['DOS-5', 'Error and junk counters with tarpit hints'],
  ['DOS-6', 'Pipelining flood and backpressure'],
  ['DOS-7', 'Early talker and pre-greeting input'],
  ['DOS-8', 'Slowloris and timeouts exposed by the sans-IO machine'],
  ['DOS-9', 'Bounded reply reader'],
  ['DOS-10', 'EHLO capability parser is line-oriented, bounded and linear'],
  ['DOS-11', 'Regex policy'],
  ['TEST-1', 'Vector corpus'],
  ['TEST-2', 'Chunk-split property'],
  ['TEST-3', 'Round-trip property'],
  ['TEST-4', 'Fuzz every parser'],
  ['TEST-5', 'Mutant servers and clients'],
  ['TEST-6', 'In-memory sink/source'],
  ['TEST-7', 'Differential transcripts'],
  ['TMO-1', 'Per-phase deadlines exposed by the client machine'],
  ['TMO-2', 'DATA-termination timeout is a distinct, "maybe delivered" outcome'],
  ['TMO-3', 'Server idle timeout default ≥ 5 min, with a DoS-aware override'],
  ['TMO-4', '421 is accepted at any time'],
  ['RPL-1', 'Reply-code grammar'],
  ['RPL-2', 'Accept a code-only final line; textstring rules'],
  ['RPL-3', 'Multi-line consistency'],
  ['RPL-4', 'Enhanced status codes'],
  ['RPL-5', 'Garbage and unsolicited replies during pipelining'],
  ['SM-1', 'Exactly one reply per command; out-of-order commands leave state unchanged'],
  ['SM-2', 'EHLO mid-session equals RSET'],
  ['SM-3', 'Pipelined DATA with no accepted recipients'],
  // server hardening (issue 15)
  ['SRV-1', 'No exception ever leaves a session: internal errors become 421 4.3.0 for that session only'],
  ['SRV-2', 'Half-close is not a disconnect: buffered complete input is answered, then the session closes'],
  ['SRV-3', 'BDAT with an unusable size: one error reply, then the connection closes'],
  ['SRV-4', 'Options validated: typed error naming the option, no fail-open limit'],
  ['SRV-5', 'Bodies never hang a session: unread bodies drained, a never-settling onData bounded'],
  ['SRV-6', 'Fair share: per-address limit, command-line and data-phase deadlines, minimum data rate'],
  ['SRV-7', 'PROXY header strictness and the early-talker check after it'],
  ['SRV-8', 'Invalid UTF-8 is refused, never decoded lossily'],
  ['SRV-9', 'Received header: balanced quotes, no separators or bidi controls'],
  ['SRV-10', 'A repeated RCPT never silently loses parameters'],
  ['SRV-11', 'RFC 6531 protocol names for SMTPUTF8 transactions'],
  ['SRV-12', 'TLS: client-initiated renegotiation refused, the server cipher order honoured'],
  ['SRV-13', 'Logs and transcripts never hold credentials or message bodies'],
];

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DOC = join(ROOT, 'docs', 'security.md');
export const START = '<!-- id-table:start -->';
export const END = '<!-- id-table:end -->';

const ID = /\b(X|SMUG|TLS|INJ|DOS|TEST|TMO|RPL|SM|SRV)-(\d{1,2})\b/g;

function testFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) testFiles(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** The string literal titles of `it(`, `test(` and `describe(` calls in a source file. */
export function testTitles(source: string): string[] {
  const titles: string[] = [];
  const call = /\b(?:it|test|describe)(?:\.(?:each\([^)]*\)|skip|only|concurrent))?\(\s*(['"`])/g;
  for (let m = call.exec(source); m !== null; m = call.exec(source)) {
    const quote = m[1]!;
    let i = call.lastIndex;
    let title = '';
    while (i < source.length && source[i] !== quote) {
      if (source[i] === '\\') {
        title += source[i + 1] ?? '';
        i += 2;
      } else title += source[i++];
    }
    titles.push(title);
  }
  return titles;
}

/** Files git does not track yet (another change in progress): left out so the table matches commits. */
function untracked(root: string): Set<string> {
  try {
    const out = execFileSync('git', ['ls-files', '--others', '--exclude-standard', '--', 'packages', 'tools'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return new Set(out.split('\n').filter((l) => l.length > 0));
  } catch {
    return new Set(); // not a git checkout: every file counts
  }
}

/** id -> (source file -> number of tests naming it). */
export function collect(root = ROOT): Map<string, Map<string, number>> {
  const table = new Map<string, Map<string, number>>();
  const add = (id: string, file: string): void => {
    const row = table.get(id) ?? new Map<string, number>();
    row.set(file, (row.get(file) ?? 0) + 1);
    table.set(id, row);
  };
  const dirs = ['packages', 'tools'].map((d) => join(root, d));
  const skip = untracked(root);
  for (const file of dirs.flatMap((d) => testFiles(d)).sort()) {
    const rel = relative(root, file).split('\\').join('/');
    if (skip.has(rel)) continue;
    for (const title of testTitles(readFileSync(file, 'utf8'))) {
      for (const id of new Set([...title.matchAll(ID)].map((m) => m[0]))) add(id, rel);
    }
  }
  const corpus = JSON.parse(readFileSync(join(root, 'tools', 'security', 'vectors.json'), 'utf8')) as { vectors: { id: string; requirement: string }[] };
  for (const v of corpus.vectors) add(v.requirement, 'tools/security/vectors.json');
  return table;
}

/** The markdown table. */
export function renderTable(root = ROOT): string {
  const table = collect(root);
  const lines = ['| id | requirement | tests (file: count) |', '|---|---|---|'];
  for (const [id, title] of REQUIREMENTS) {
    const row = table.get(id);
    const cells = row ? [...row].map(([f, n]) => `\`${f}\`: ${String(n)}`).join('<br>') : '**none**';
    lines.push(`| ${id} | ${title.replace(/\|/g, '\\|')} | ${cells} |`);
  }
  const covered = REQUIREMENTS.filter(([id]) => table.has(id)).length;
  lines.push('', `${String(covered)} of ${String(REQUIREMENTS.length)} requirements have at least one test. Counts are test titles (a title inside a loop counts once) and corpus vectors.`);
  return lines.join('\n');
}

/** docs/security.md with the table replaced. */
export function updatedDoc(doc: string, table: string): string {
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`docs/security.md lacks the ${START} / ${END} markers`);
  return `${doc.slice(0, a + START.length)}\n<!-- generated by tools/security/src/id-table.ts; do not edit -->\n${table}\n${doc.slice(b)}`;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const doc = readFileSync(DOC, 'utf8');
  const next = updatedDoc(doc, renderTable());
  if (process.argv.includes('--check')) {
    if (next !== doc) {
      console.error('docs/security.md is stale: run `npx tsx tools/security/src/id-table.ts`');
      process.exitCode = 1;
    }
  } else if (next !== doc) {
    writeFileSync(DOC, next);
    console.log('docs/security.md updated');
  } else console.log('docs/security.md is up to date');
}
