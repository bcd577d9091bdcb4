/**
 * The note vault's index worker run from source (test code and the bench; it never ships).
 * The console starts the built worker, its own entry beside main's bundle
 * (`bundledIndexWorker`, src/main/notes/indexBuild.ts). From source the worker is the .ts
 * file, and a worker inherits neither the parent's TypeScript loader nor (on Node 20) takes
 * `--import tsx` in its execArgv, so a one-line boot module registers tsx in the worker first.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { IndexWorkerFactory } from '../../src/main/notes/indexBuild';

const entry = new URL('../../src/main/notes/indexWorker.ts', import.meta.url).href;

/** tsx's ESM register API as a file URL, from its package's own exports (require.resolve would give the CommonJS one). */
function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const pkg = require(manifest) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(manifest), pkg.exports['./esm/api']!.import.default)).href;
}

export const indexWorkerFromSource: IndexWorkerFactory = (data, transferList) => {
  const tsx = tsxEsmApi();
  const boot = `const tsx = await import(${JSON.stringify(tsx)}); (tsx.register ?? tsx.default.register)(); await import(${JSON.stringify(entry)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData: data, transferList });
};
