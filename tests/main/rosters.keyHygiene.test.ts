/**
 * The roster cache's keys in memory: the keychain key it was handed is wiped once its own keys
 * are derived from it, those (sealing and row index) are wiped when it closes (sign-out), both
 * live in allocations of their own, and a closed cache refuses reads and writes with a clear
 * error instead of sealing under zeros.
 */
import nacl from 'tweetnacl';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { KeyStore } from '../../src/main/notes/vault';
import { RosterCache } from '../../src/main/rosters/rosterCache';
import { tempDir } from './notes/support/fixture';
import { allZero, watchedKeyStore } from './support/keyStores';

const ACCOUNT = 'c-sam@http://127.0.0.1:8443';
const asIs = (d: unknown) => d;

const watchedStore = (initial: Uint8Array) => watchedKeyStore({ [ACCOUNT]: initial });

async function openCache(keyStore: KeyStore): Promise<RosterCache> {
  const t = tempDir();
  onTestFinished(t.cleanup);
  const cache = await RosterCache.open({ dir: t.dir, account: ACCOUNT, keyStore });
  if (!cache) throw new Error('expected a cache');
  onTestFinished(() => cache.close());
  return cache;
}

/** The derived keys are private; the test reads them to check what close leaves behind. */
const keysOf = (cache: RosterCache) => cache as unknown as { key: Uint8Array; indexKey: Uint8Array };

describe('roster cache keys in memory', () => {
  it('the keychain key is all zeros once the cache has derived its own keys from it, and both derived keys once it closes', async () => {
    const store = watchedStore(nacl.randomBytes(32));
    const cache = await openCache(store);
    cache.put('roster\ns-1', { data: { n: 1 }, fetchedAt: '2026-11-03T18:00:00.000Z' });
    const { key, indexKey } = keysOf(cache);
    expect(store.handed).toHaveLength(1);
    // It only derives the cache's own keys (src/main/sealing.ts): wiped at once.
    expect(allZero(store.handed[0]!)).toBe(true);
    expect(allZero(key)).toBe(false);
    expect(allZero(indexKey)).toBe(false);
    cache.close();
    expect(allZero(key)).toBe(true);
    expect(allZero(indexKey)).toBe(true);
  });

  it('the derived keys have memory of their own, not a slice of a shared pool', async () => {
    const { key, indexKey } = keysOf(await openCache(watchedStore(nacl.randomBytes(32))));
    for (const k of [key, indexKey]) {
      expect(k.byteOffset).toBe(0);
      expect(k.buffer.byteLength).toBe(32);
    }
  });

  it('a closed cache refuses reads and writes, saying it is closed', async () => {
    const cache = await openCache(watchedStore(nacl.randomBytes(32)));
    cache.put('roster\ns-1', { data: { n: 1 }, fetchedAt: '2026-11-03T18:00:00.000Z' });
    cache.close();
    expect(() => cache.put('roster\ns-2', { data: { n: 2 }, fetchedAt: '2026-11-03T18:00:00.000Z' })).toThrow(/roster cache is closed/);
    expect(() => cache.get('roster\ns-1', asIs)).toThrow(/roster cache is closed/);
    expect(() => cache.delete('roster\ns-1')).toThrow(/roster cache is closed/);
    // Closing twice is harmless (sign-out after the server ended the sign-in).
    expect(() => cache.close()).not.toThrow();
  });

  it('a key that is not a key is wiped, and no cache opens', async () => {
    const store = watchedStore(new Uint8Array(16).fill(3));
    const t = tempDir();
    onTestFinished(t.cleanup);
    expect(await RosterCache.open({ dir: t.dir, account: ACCOUNT, keyStore: store })).toBeNull();
    expect(allZero(store.handed[0]!)).toBe(true);
  });
});
