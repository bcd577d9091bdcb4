/**
 * mediasoup's own Node test suite, as its npm package ships it (compiled, written for jest),
 * run against the worker built by scripts/mediasoup/build-worker.sh: upstream's checks of its
 * API over a worker it never built this way (Debian's libraries, docs/decisions.md).
 * `npm test` runs it after the project's suites (scripts/test.mjs).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

export default defineConfig({
  root: here('../..'),
  test: {
    include: ['node_modules/mediasoup/node/lib/test/test-*.js'],
    // The suite lives in node_modules, which vitest leaves out by default.
    exclude: [],
    // Written for jest: its globals, and `jest.fn` (setup.ts).
    globals: true,
    setupFiles: [here('setup.ts')],
    globalSetup: [here('globalSetup.ts')],
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
