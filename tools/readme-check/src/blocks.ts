/**
 * Extraction of the TypeScript code blocks of the repository's Markdown files, for the README
 * check (`readme-code.test.ts`, part of `pnpm test`) and the release rehearsal (which runs each
 * package's quick-start against the published tarballs).
 *
 * A block is a fenced code block whose info string is `ts` or `typescript`. An HTML comment on the
 * last non-empty line before the fence sets how it is checked:
 *
 * - no marker: type-checked (strict, the repository's compiler options) as its own module;
 * - `<!-- run -->`: type-checked and executed; a block that needs a peer starts one on loopback;
 * - `<!-- fragment -->`: a deliberate excerpt (a type sketch, a snippet inside a larger program):
 *   only parsed, not type-checked. Use sparingly.
 */
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** How a block is checked; see the module comment. */
export type BlockMode = 'check' | 'run' | 'fragment';

/** One TypeScript code block of a Markdown file. */
export interface CodeBlock {
  /** Path relative to the repository root, e.g. `packages/smtp-errors/README.md`. */
  readonly file: string;
  /** 1-based line of the first line of code (the line after the opening fence). */
  readonly line: number;
  readonly mode: BlockMode;
  readonly code: string;
}

const FENCE_OPEN = /^(`{3,}|~{3,})\s*(\w+)?\s*$/;
const MARKER = /^<!--\s*(run|fragment)\s*-->$/;

/**
 * The TypeScript code blocks of one Markdown text, in order.
 *
 * @example
 * extractBlocks('<!-- run -->\n```ts\nconsole.log(1);\n```\n', 'README.md');
 * // [{ file: 'README.md', line: 3, mode: 'run', code: 'console.log(1);\n' }]
 */
export function extractBlocks(markdown: string, file: string): CodeBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  let lastText = '';
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? '';
    const open = FENCE_OPEN.exec(text);
    if (!open) {
      if (text.trim() !== '') lastText = text.trim();
      continue;
    }
    const fence = open[1] ?? '```';
    const lang = (open[2] ?? '').toLowerCase();
    const start = i + 1;
    let end = start;
    while (end < lines.length && !(lines[end] ?? '').startsWith(fence)) end++;
    if (lang === 'ts' || lang === 'typescript') {
      const marker = MARKER.exec(lastText)?.[1] as 'run' | 'fragment' | undefined;
      const code = lines.slice(start, end).join('\n') + '\n';
      blocks.push({ file, line: start + 1, mode: marker ?? 'check', code });
    }
    lastText = '';
    i = end;
  }
  return blocks;
}

/** The Markdown files whose code is checked: every package README, the root README and docs/ (not the generated API pages). */
export function markdownFiles(root: string): string[] {
  const files: string[] = [];
  if (existsSync(join(root, 'README.md'))) files.push('README.md');
  for (const name of readdirSync(join(root, 'packages')).sort()) {
    if (existsSync(join(root, 'packages', name, 'README.md'))) files.push(`packages/${name}/README.md`);
  }
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'api' && name !== 'node_modules') walk(path);
      } else if (name.endsWith('.md')) files.push(relative(root, path));
    }
  };
  if (existsSync(join(root, 'docs'))) walk(join(root, 'docs'));
  return files;
}

/** Every TypeScript code block of {@link markdownFiles}. */
export function repositoryBlocks(root: string): CodeBlock[] {
  return markdownFiles(root).flatMap((file) => extractBlocks(readFileSync(join(root, file), 'utf8'), file));
}
