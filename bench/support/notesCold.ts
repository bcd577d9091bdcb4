/**
 * The cold open of bench/notes.ts: one fresh process per sample, started by the driver, that
 * opens a store of 10,000 notes whose snapshot a previous close left on disk, runs the first
 * search and reports once.
 *
 *   notesCold.ts sealed DIR ACCOUNT QUERY   the vault, as the console opens it after sign-in:
 *                                           its key from the OS keychain through keytar (warmed
 *                                           before the timer, as the console warms it when it
 *                                           starts, and the cipher compiled, as it also does),
 *                                           the file, the snapshot, the first search's result
 *                                           list
 *   notesCold.ts plain DIR - QUERY          the plaintext store, the same choreography
 *
 * Timed from the call that opens the store to the result list. The modules are imported
 * before the timer: the console has them loaded before anyone signs in. `sinceStartMs` is the
 * same end measured from this process's start (node's time origin), imports and all.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { indexWorkerFromSource } from '../../tests/support/indexWorkerFromSource';
import { createKeytarKeyStore, openVault, type KeyStore } from '../../src/main/notes/vault';
import { warmSealing } from '../../src/main/sealing';
import type { ColdToDriver, Side } from './notesMessages';
import { plainOpenAndSearch } from './notesPlain';

const [side, dir, account, query] = process.argv.slice(2) as [Side, string, string, string];

async function main(): Promise<ColdToDriver> {
  if (side === 'plain') {
    const t = performance.now();
    const r = plainOpenAndSearch(join(dir, 'plain.sqlite'), query);
    return { type: 'cold', ms: r.ms, sinceStartMs: t + r.ms, hits: r.hits };
  }
  // The keytar store itself; the wrapper only notes how long its read took (keytar's first load
  // and the D-Bus round trip to the keychain), a part of the timed open.
  const keytar = createKeytarKeyStore();
  // As the console does when it starts, long before anyone signs in (src/main/index.ts): the
  // keychain's connection opened, and the cipher compiled.
  await keytar.warm?.();
  warmSealing();
  let keychainMs = 0;
  const keyStore: KeyStore = {
    get: async (a) => {
      const start = performance.now();
      try {
        return await keytar.get(a);
      } finally {
        keychainMs += performance.now() - start;
      }
    },
    set: (a, key) => keytar.set(a, key),
  };
  const t = performance.now();
  const vault = await openVault({ dir, account, keyStore, indexWorker: indexWorkerFromSource });
  const state = vault.status();
  if (state.state !== 'unlocked') throw new Error(`the vault is locked: ${state.message}`);
  const hits = vault.list({ query }).length;
  const end = performance.now();
  vault.close();
  return { type: 'cold', ms: end - t, sinceStartMs: end, hits, keychainMs };
}

main().then(
  (m) => process.send?.(m, () => process.exit(0)),
  (err: unknown) => process.send?.({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies ColdToDriver, () => process.exit(1)),
);
