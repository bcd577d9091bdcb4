import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/e2e/**', 'node_modules/**'],
    // Integration tests start real mediasoup workers; two cores are shared with them.
    fileParallelism: true,
    maxWorkers: 2,
    // One PostgreSQL cluster for the run (tests reach it through runPostgres()).
    globalSetup: ['tests/support/postgresRun.ts'],
    testTimeout: 20_000,
    // The call's key log (src/client/e2ee/keyLog.ts) is for support and e2e failures, not for every unit run.
    onConsoleLog: (log) => !log.startsWith('[e2ee]'),
    hookTimeout: 30_000,
  },
});
