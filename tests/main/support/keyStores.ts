/** Key stores for the key-hygiene tests: what a store handed out, and whether it was wiped. */
import { createMemoryKeyStore, type KeyStore } from '../../../src/main/notes/vault';

export type WatchedKeyStore = KeyStore & { handed: Uint8Array[] };

/** The memory store holding `initial`, remembering every key it handed out (the caller owns those). */
export function watchedKeyStore(initial: Record<string, Uint8Array> = {}): WatchedKeyStore {
  const inner = createMemoryKeyStore(initial);
  const handed: Uint8Array[] = [];
  return {
    handed,
    get: async (account) => {
      const key = await inner.get(account);
      if (key) handed.push(key);
      return key;
    },
    set: (account, key) => inner.set(account, key),
  };
}

/** A key that was wiped: non-empty, every byte zero. */
export const allZero = (bytes: Uint8Array): boolean => bytes.length > 0 && bytes.every((b) => b === 0);
