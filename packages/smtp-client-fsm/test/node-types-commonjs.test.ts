// The `./node` entry type-checks for a consumer on `module: commonjs` + `moduleResolution: node10`
// without `esModuleInterop`: a default import of a Node core module (`import tls from 'node:tls'`)
// would be TS1192/TS1259 there, and the shipped declarations carry such imports along.
import { describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const pkgSrc = join(root, 'packages/smtp-client-fsm/src');

describe('./node types without esModuleInterop', () => {
  it('src/node compiles with module commonjs, moduleResolution node10, esModuleInterop and allowSyntheticDefaultImports off', () => {
    const program = ts.createProgram([join(pkgSrc, 'node/index.ts')], {
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: ['node'],
      typeRoots: [join(root, 'node_modules/@types')],
      strict: true,
      esModuleInterop: false,
      allowSyntheticDefaultImports: false,
      skipLibCheck: true,
      noEmit: true,
      baseUrl: root,
      paths: {
        'smtp-reply-reader': ['packages/smtp-reply-reader/src/index.ts'],
        'smtp-capabilities': ['packages/smtp-capabilities/src/index.ts'],
        'smtp-client-args': ['packages/smtp-client-args/src/index.ts'],
        'smtp-errors': ['packages/smtp-errors/src/index.ts'],
        'smtp-client-fsm': ['packages/smtp-client-fsm/src/index.ts'],
        '@smtpkit/foundation': ['packages/foundation/src/index.ts'],
      },
    });
    const ours = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName.startsWith(pkgSrc))
      .map((d) => `${d.file!.fileName.slice(pkgSrc.length + 1)}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    expect(ours).toEqual([]);
  }, 60_000);
});
