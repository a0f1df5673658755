// Renders the state machines' transition tables as mermaid diagrams between
// `<!-- state-diagram:start -->` and `<!-- state-diagram:end -->` in the FSM package READMEs and in
// docs/architecture.md, so the pictures never drift from the code.
//
//   npx tsx tools/scripts/diagrams.ts           # rewrite the blocks
//   npx tsx tools/scripts/diagrams.ts --check   # exit 1 when a block is out of date
//
// A package whose table is not exported yet is skipped with a message (its block says so).
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const START = '<!-- state-diagram:start -->';
export const END = '<!-- state-diagram:end -->';

/** One edge of a transition table, in whichever field names the package uses. */
export interface TransitionLike {
  readonly from: string;
  readonly to: string;
  readonly event?: string;
  readonly command?: string;
  readonly on?: string;
  readonly label?: string;
}

/** One client state: a name and, optionally, the legacy stage code. */
export interface StateLike {
  readonly name: string;
  readonly id?: number;
  readonly stage?: number;
  readonly code?: number;
}

/** A mermaid-safe identifier for a state name. */
function nodeId(name: string): string {
  return `s_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
}

function quote(text: string): string {
  return text.replace(/"/g, "'").replace(/[:;]/g, ' ');
}

/** Mermaid `stateDiagram-v2` for a server transition table (edges with the same ends are merged). */
export function renderTransitions(transitions: readonly TransitionLike[]): string {
  const names: string[] = [];
  const seen = new Set<string>();
  const edges = new Map<string, { from: string; to: string; labels: string[] }>();
  for (const t of transitions) {
    for (const n of [t.from, t.to]) {
      if (!seen.has(n)) {
        seen.add(n);
        names.push(n);
      }
    }
    const key = `${t.from}\u0000${t.to}`;
    const label = t.label ?? t.command ?? t.event ?? t.on ?? '';
    const edge = edges.get(key) ?? { from: t.from, to: t.to, labels: [] };
    if (label !== '' && !edge.labels.includes(label)) edge.labels.push(label);
    edges.set(key, edge);
  }
  const lines = ['stateDiagram-v2'];
  for (const n of names) lines.push(`  state "${quote(n)}" as ${nodeId(n)}`);
  if (names.length > 0) lines.push(`  [*] --> ${nodeId(names[0]!)}`);
  for (const e of edges.values()) {
    lines.push(`  ${nodeId(e.from)} --> ${nodeId(e.to)}${e.labels.length > 0 ? `: ${quote(e.labels.join(', '))}` : ''}`);
  }
  return lines.join('\n');
}

/** Mermaid flowchart of the client's ordered state list (each state hands over to the next). */
export function renderStateList(states: readonly StateLike[]): string {
  const lines = ['stateDiagram-v2', '  direction LR'];
  for (const s of states) {
    const code = s.stage ?? s.code ?? s.id;
    lines.push(`  state "${quote(s.name)}${code === undefined ? '' : ` (${code})`}" as ${nodeId(s.name)}`);
  }
  if (states.length > 0) lines.push(`  [*] --> ${nodeId(states[0]!.name)}`);
  for (let i = 1; i < states.length; i++) lines.push(`  ${nodeId(states[i - 1]!.name)} --> ${nodeId(states[i]!.name)}`);
  if (states.length > 0) lines.push(`  ${nodeId(states[states.length - 1]!.name)} --> [*]`);
  return lines.join('\n');
}

function isTransitionTable(value: unknown): value is readonly TransitionLike[] {
  return Array.isArray(value) && value.every((t) => typeof t === 'object' && t !== null && typeof (t as TransitionLike).from === 'string' && typeof (t as TransitionLike).to === 'string');
}

function toStateList(value: unknown): StateLike[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const out: StateLike[] = [];
  for (const s of value as unknown[]) {
    if (typeof s === 'string') out.push({ name: s });
    else if (typeof s === 'object' && s !== null && typeof (s as StateLike).name === 'string') {
      const { name, id, stage, code } = s as StateLike;
      out.push({ name, ...(typeof stage === 'number' ? { stage } : typeof code === 'number' ? { code } : typeof id === 'number' ? { id } : {}) });
    } else return undefined;
  }
  return out;
}

/** The rendered diagram of each machine, or the reason it was skipped. */
export interface Diagrams {
  readonly server: { readonly mermaid?: string; readonly skipped?: string };
  readonly client: { readonly mermaid?: string; readonly skipped?: string };
}

/** Loads both packages (from source) and renders whatever tables they export. */
export async function loadDiagrams(): Promise<Diagrams> {
  const server = (await import('esmtp-server-fsm')) as Record<string, unknown>;
  const client = (await import('smtp-client-fsm')) as Record<string, unknown>;
  const table = server['SERVER_TRANSITIONS'];
  const serverOut = isTransitionTable(table) && table.length > 0 ? { mermaid: renderTransitions(table) } : { skipped: 'esmtp-server-fsm does not export SERVER_TRANSITIONS yet' };
  let states: StateLike[] | undefined;
  for (const name of ['BUILTIN_STATES', 'BUILT_IN_STATES', 'CLIENT_STATES']) states ??= toStateList(client[name]);
  const getter = client['getStateMachine'];
  if (states === undefined && typeof getter === 'function') {
    try {
      states = toStateList((getter as () => unknown)());
    } catch {
      states = undefined;
    }
  }
  const clientOut = states !== undefined ? { mermaid: renderStateList(states) } : { skipped: 'smtp-client-fsm does not export its built-in state list yet' };
  return { server: serverOut, client: clientOut };
}

function fenced(part: { mermaid?: string; skipped?: string }): string {
  return part.mermaid !== undefined ? `\`\`\`mermaid\n${part.mermaid}\n\`\`\`` : `_Diagram not generated: ${part.skipped ?? 'unavailable'}._`;
}

/** The block body for each target file. */
export function blockFor(target: 'server' | 'client' | 'architecture', d: Diagrams): string {
  const note = '<!-- generated by tools/scripts/diagrams.ts from the exported tables; do not edit -->';
  if (target === 'server') return `${note}\n${fenced(d.server)}`;
  if (target === 'client') return `${note}\n${fenced(d.client)}`;
  return `${note}\n\n#### Server session (esmtp-server-fsm \`SERVER_TRANSITIONS\`)\n\n${fenced(d.server)}\n\n#### Client states (smtp-client-fsm, in order)\n\n${fenced(d.client)}`;
}

/** Replaces the text between the markers; undefined when the markers are missing. */
export function replaceBlock(text: string, body: string): string | undefined {
  const start = text.indexOf(START);
  const end = text.indexOf(END, start + START.length);
  if (start < 0 || end < 0) return undefined;
  return `${text.slice(0, start + START.length)}\n${body}\n${text.slice(end)}`;
}

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export const TARGETS = [
  { file: 'packages/esmtp-server-fsm/README.md', target: 'server' },
  { file: 'packages/smtp-client-fsm/README.md', target: 'client' },
  { file: 'docs/architecture.md', target: 'architecture' },
] as const;

/** Per file: whether it was up to date, rewritten, stale (check mode) or skipped (no file/markers). */
export interface FileResult {
  readonly file: string;
  readonly status: 'ok' | 'written' | 'stale' | 'no-markers' | 'missing';
}

/** Updates (or, with `check`, only compares) every target file. */
export async function syncDiagrams(options: { check: boolean; root?: string }): Promise<{ files: FileResult[]; diagrams: Diagrams }> {
  const root = options.root ?? repoRoot;
  const diagrams = await loadDiagrams();
  const files: FileResult[] = [];
  for (const { file, target } of TARGETS) {
    const path = join(root, file);
    if (!existsSync(path)) {
      files.push({ file, status: 'missing' });
      continue;
    }
    const text = readFileSync(path, 'utf8');
    const next = replaceBlock(text, blockFor(target, diagrams));
    if (next === undefined) files.push({ file, status: 'no-markers' });
    else if (next === text) files.push({ file, status: 'ok' });
    else if (options.check) files.push({ file, status: 'stale' });
    else {
      writeFileSync(path, next);
      files.push({ file, status: 'written' });
    }
  }
  return { files, diagrams };
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const { files, diagrams } = await syncDiagrams({ check });
  for (const part of [diagrams.server, diagrams.client]) if (part.skipped !== undefined) console.log(`skipped: ${part.skipped}`);
  for (const f of files) console.log(`${f.status.padEnd(10)} ${f.file}`);
  if (files.some((f) => f.status === 'stale')) {
    console.error('state diagrams are out of date: run `npx tsx tools/scripts/diagrams.ts`');
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await main();
