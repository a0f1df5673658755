// ESLint flat config: type-aware typescript-eslint rules everywhere, plus the sans-IO ban for the
// package cores (packages/*/src/** outside src/node/**).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

/** Node core modules, both bare (`fs`) and prefixed (`node:fs`), banned from sans-IO cores. */
const nodeCoreModules = builtinModules.filter((m) => !m.startsWith('_'));

export const sansIoRules = {
  'no-restricted-imports': [
    'error',
    {
      paths: nodeCoreModules.map((name) => ({
        name,
        message: 'Sans-IO core: Node core modules are only allowed under src/node/.',
      })),
      patterns: [{ group: ['node:*'], message: 'Sans-IO core: node:* imports are only allowed under src/node/.' }],
    },
  ],
  'no-restricted-globals': [
    'error',
    ...['Buffer', 'process', 'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'Date', 'require', 'global'].map((name) => ({
      name,
      message: `Sans-IO core: \`${name}\` is not available everywhere; time and I/O are inputs (only src/node/ may use it).`,
    })),
  ],
};

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'docs/api/**', '**/*.js', '**/*.mjs', '**/*.cjs', '.changeset/**', '.stryker-tmp/**', 'tools/mutation/reports/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/*/src/node/**', 'packages/*/src/**/*.test.ts'],
    rules: sansIoRules,
  },
  {
    files: ['**/*.test.ts', 'tools/**/*.ts', 'packages/*/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
