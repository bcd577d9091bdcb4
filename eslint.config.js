// Lint rules, including the import boundaries docs/architecture.md draws:
// every folder may import src/shared; renderer and participant may import src/client; main and
// server may import src/common; nothing else crosses between folders, and src/shared imports no
// runtime.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Forbid importing the named src folders from the files a block matches. */
function boundary(files, forbidden, extra = []) {
  return {
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...forbidden.map((dir) => ({
              group: [`**/${dir}`, `**/${dir}/**`, `@/${dir}/**`],
              message: `src/${dir} is outside this folder's import boundary (docs/architecture.md).`,
            })),
            ...extra,
          ],
        },
      ],
    },
  };
}

const nodeBuiltins = {
  group: ['node:*', 'fs', 'path', 'crypto', 'os', 'child_process', 'net', 'http', 'https', 'electron'],
  message: 'src/shared is pure: no Node or Electron runtime here.',
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['src/renderer/**', 'src/participant/**', 'src/client/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  boundary(['src/shared/**'], ['main', 'preload', 'renderer', 'participant', 'server', 'client', 'common'], [nodeBuiltins]),
  boundary(['src/main/**'], ['preload', 'renderer', 'participant', 'server', 'client']),
  boundary(['src/preload/**'], ['main', 'renderer', 'participant', 'server', 'client', 'common']),
  boundary(['src/renderer/**'], ['main', 'preload', 'participant', 'server', 'common']),
  boundary(['src/participant/**'], ['main', 'preload', 'renderer', 'server', 'common']),
  boundary(['src/client/**'], ['main', 'preload', 'renderer', 'participant', 'server', 'common']),
  boundary(['src/server/**'], ['main', 'preload', 'renderer', 'participant', 'client'], [
    {
      group: ['**/store/store.js', '**/store/store'],
      importNames: ['databaseOf'],
      message: 'Product code reaches records through the repositories and store.atomically, never the database itself.',
    },
  ]),
  // The server's records are asynchronous (src/server/store/sql.ts): a write nobody awaits is a
  // write whose failure nobody hears, and a read nobody awaits is a Promise taken for a record.
  {
    files: ['src/server/**/*.ts', 'tests/server/**/*.ts', 'tests/support/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { parserOptions: { project: ['./tsconfig.node.json', './tsconfig.e2e.json'], tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  boundary(['src/common/**'], ['main', 'preload', 'renderer', 'participant', 'server', 'client']),
);
