/**
 * The server's integration suite again, on PostgreSQL: one throwaway cluster for the whole
 * run (tests/support/postgresRun.ts), and every demo server the tests start
 * (src/server/demo.ts) runs in a fresh database of its own there (CONFIDANT_DATABASE_URL,
 * setup.ts). Tests that open a store
 * themselves, or are about SQLite's file (its modes, migrations, faults), keep SQLite: they are
 * the store's own tests, and the repository contract suite covers PostgreSQL for them.
 * `npm test` runs it after the main suite (scripts/test.mjs).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

/** About SQLite's file itself, or a server restarted over it: not a PostgreSQL question. */
const SQLITE_ONLY = [
  'tests/server/store.*.test.ts',
  'tests/server/storage.faults.test.ts',
  'tests/server/fileModes.test.ts',
  'tests/server/records.sealed.test.ts',
  // On PostgreSQL already.
  'tests/server/limits.processes.test.ts',
  'tests/server/backup.test.ts',
  'tests/server/hosting.test.ts',
  'tests/server/fleet.test.ts',
];

export default defineConfig({
  root: here('../../..'),
  test: {
    include: ['tests/server/*.test.ts'],
    exclude: SQLITE_ONLY,
    setupFiles: [here('setup.ts')],
    globalSetup: [here('../../support/postgresRun.ts')],
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
