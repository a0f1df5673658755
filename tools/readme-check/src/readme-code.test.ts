// README code is tested: every TypeScript block of the package READMEs, the root README and docs/
// is type-checked against the package sources (through the root tsconfig's path mapping, so no
// build is needed), and blocks marked `<!-- run -->` are executed. A failure names the Markdown
// file and line.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { extractBlocks, repositoryBlocks, type CodeBlock } from './blocks.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const blocks = repositoryBlocks(root);
const virtualDir = join(root, 'tools', 'readme-check', '.blocks');

function virtualPath(b: CodeBlock): string {
  return join(virtualDir, `${b.file.replace(/[^\w]+/g, '_')}_L${String(b.line)}.ts`);
}

function where(b: CodeBlock, d: ts.Diagnostic): string {
  const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (d.file && d.start !== undefined) {
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${b.file}:${String(b.line + line)}:${String(character + 1)}: TS${String(d.code)}: ${text}`;
  }
  return `${b.file}:${String(b.line)}: TS${String(d.code)}: ${text}`;
}

/** One program over every block (each its own module), with the repository's compiler options. */
function typeCheck(list: readonly CodeBlock[]): Map<CodeBlock, string[]> {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error('cannot read tsconfig.json');
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: true, moduleDetection: ts.ModuleDetectionKind.Force };
  const sources = new Map(list.map((b) => [virtualPath(b), b]));
  const host = ts.createCompilerHost(options, true);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => sources.has(f) || fileExists.call(host, f);
  host.readFile = (f) => sources.get(f)?.code ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, onError, create) => {
    const b = sources.get(f);
    return b ? ts.createSourceFile(f, b.code, lang, true, ts.ScriptKind.TS) : getSourceFile.call(host, f, lang, onError, create);
  };
  const program = ts.createProgram([...sources.keys()], options, host);
  const result = new Map<CodeBlock, string[]>();
  for (const [path, b] of sources) {
    const file = program.getSourceFile(path)!;
    const diags = b.mode === 'fragment'
      ? program.getSyntacticDiagnostics(file)
      : [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
    result.set(b, diags.map((d) => where(b, d)));
  }
  return result;
}

describe('extractBlocks', () => {
  it('finds ts blocks with their first code line and marker, and skips other languages', () => {
    const md = ['# t', '', '```sh', 'pnpm i', '```', '<!-- run -->', '', '```ts', 'run();', '```', '<!-- fragment -->', '```typescript', 'a;', 'b;', '```', '```ts', 'c();', '```'].join('\n');
    expect(extractBlocks(md, 'X.md')).toEqual([
      { file: 'X.md', line: 9, mode: 'run', code: 'run();\n' },
      { file: 'X.md', line: 13, mode: 'fragment', code: 'a;\nb;\n' },
      { file: 'X.md', line: 17, mode: 'check', code: 'c();\n' },
    ]);
  });

  it('a marker only applies to the fence right after it', () => {
    const md = ['<!-- run -->', 'prose', '```ts', 'x();', '```'].join('\n');
    expect(extractBlocks(md, 'X.md')[0]?.mode).toBe('check');
  });

  it('the repository has README code to check, some of it runnable', () => {
    expect(blocks.length).toBeGreaterThan(10);
    expect(blocks.some((b) => b.mode === 'run')).toBe(true);
  });
});

describe('README code type-checks', () => {
  let results: Map<CodeBlock, string[]>;
  beforeAll(() => {
    results = typeCheck(blocks);
  }, 120_000);

  it.each(blocks.map((b) => [`${b.file}:${String(b.line)} (${b.mode})`, b] as const))('%s', (_name, b) => {
    expect(results.get(b)).toEqual([]);
  });
});

describe('runnable README code runs', () => {
  const runnable = blocks.filter((b) => b.mode === 'run');
  it.each(runnable.map((b) => [`${b.file}:${String(b.line)}`, b] as const))('%s', async (_name, b) => {
    const dir = mkdtempSync(join(tmpdir(), 'smtpkit-readme-'));
    try {
      const path = join(dir, 'block.ts');
      writeFileSync(path, b.code);
      await import(/* @vite-ignore */ pathToFileURL(path).href);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
