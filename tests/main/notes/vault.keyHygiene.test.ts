/**
 * Key material in the console's memory: every key the vault was handed is wiped when it
 * closes, keys live in allocations of their own (never a slice of Node's shared Buffer pool,
 * which cannot be wiped without wiping its neighbours), and a closed vault refuses work with
 * a clear error instead of sealing under a wiped (all-zero) key.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { createMemoryKeyStore, openVault, type KeyStore } from '../../../src/main/notes/vault';
import { decodeKey } from '../../../src/main/notes/keyStore';
import type { VaultKeys } from '../../../src/main/notes/key';
import type { NoteVault } from '../../../src/main/notes/types';
import { startIndexBuild, stopIndexBuild } from '../../../src/main/notes/indexBuild';
import { vaultPath } from '../../../src/main/notes/noteVault';
import { WORKER_ANSWERED } from '../../../src/main/notes/rebuild';
import { indexWorkerFromSource } from '../../support/indexWorkerFromSource';
import { allZero, watchedKeyStore } from '../support/keyStores';
import { ACCOUNT, ana, newNote, tempDir } from './support/fixture';

/** The vault's derived keys are private; the test reads them to check what close leaves behind. */
const keysOf = (vault: NoteVault) => (vault as unknown as { parts: { keys: VaultKeys } }).parts.keys;

async function openWatched(keyStore: KeyStore) {
  const t = tempDir();
  onTestFinished(t.cleanup);
  return openVault({ dir: t.dir, account: ACCOUNT, keyStore });
}

describe('vault keys in memory', () => {
  it('every key the vault was handed is all zeros once it is unlocked, and the keys derived from it once it closes', async () => {
    const store = watchedKeyStore();
    // First open makes the key (and reads it back); the second open reads it as a sign-in does.
    const first = await openWatched(store);
    first.create(newNote(), ana);
    first.close();
    const t = tempDir();
    onTestFinished(t.cleanup);
    const vault = await openVault({ dir: t.dir, account: ACCOUNT, keyStore: store });
    vault.create(newNote(), ana);
    expect(store.handed.length).toBeGreaterThanOrEqual(2);
    // The keychain key only derives the vault's own keys (src/main/sealing.ts): it is wiped at once.
    expect(store.handed.map(allZero)).toEqual(store.handed.map(() => true));
    const keys = keysOf(vault);
    expect([allZero(keys.rows), allZero(keys.index)]).toEqual([false, false]);
    vault.close();
    expect([allZero(keys.rows), allZero(keys.index)]).toEqual([true, true]);
  });

  it('a closed vault says so and seals nothing', async () => {
    const vault = await openWatched(watchedKeyStore());
    const note = vault.create(newNote(), ana);
    vault.close();
    const closed = expect.objectContaining({ code: 'FORBIDDEN', message: expect.stringMatching(/closed/) });
    expect(() => vault.create(newNote(), ana)).toThrow(closed);
    expect(() => vault.get(note.id)).toThrow(closed);
    expect(() => vault.list()).toThrow(closed);
    expect(() => vault.markConflict(note.id, note)).toThrow(closed);
  });

  it('a locked vault (the key does not open it) wipes the key it was given', async () => {
    const store = watchedKeyStore();
    const t = tempDir();
    onTestFinished(t.cleanup);
    (await openVault({ dir: t.dir, account: ACCOUNT, keyStore: store })).close();
    // The keychain entry is replaced: the vault stays locked and keeps no copy of the wrong key.
    await store.set(ACCOUNT, new Uint8Array(32).fill(7));
    store.handed.length = 0;
    const vault = await openVault({ dir: t.dir, account: ACCOUNT, keyStore: store });
    onTestFinished(() => vault.close());
    expect(vault.status()).toMatchObject({ state: 'locked', reason: 'no-key' });
    expect(store.handed).toHaveLength(1);
    expect(allZero(store.handed[0]!)).toBe(true);
  });
});

describe('the index worker\'s copy of the key', () => {
  async function vaultFile(): Promise<string> {
    const t = tempDir();
    onTestFinished(t.cleanup);
    const vault = await openVault({ dir: t.dir, account: ACCOUNT, keyStore: createMemoryKeyStore() });
    vault.create(newNote(), ana);
    vault.close();
    return vaultPath(t.dir, ACCOUNT);
  }

  it('is handed on memory main can wipe, not inside the message that starts the worker', async () => {
    const key = new Uint8Array(32).fill(5);
    const build = startIndexBuild(await vaultFile(), key, indexWorkerFromSource);
    expect(build).not.toBeNull();
    expect(build!.key.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(build!.key)).toEqual(Array.from(key));
    // Stopped before it answered (a sign-out mid-rebuild): the copy is wiped all the same.
    stopIndexBuild(build!);
    expect(allZero(build!.key)).toBe(true);
    // The caller's own key is the caller's to wipe.
    expect(allZero(key)).toBe(false);
  });

  it('is wiped by the worker once it has answered', async () => {
    const build = startIndexBuild(await vaultFile(), new Uint8Array(32).fill(6), indexWorkerFromSource)!;
    onTestFinished(() => stopIndexBuild(build));
    await new Promise<void>((resolve) => build.worker.once('message', () => resolve()));
    expect(Atomics.load(build.done, 0)).toBe(WORKER_ANSWERED);
    expect(allZero(build.key)).toBe(true);
  });
});

describe('a key read from the keychain', () => {
  it('is decoded into memory of its own, not a slice of the shared Buffer pool', () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
    const key = decodeKey(Buffer.from(bytes).toString('base64'));
    expect(Array.from(key)).toEqual(Array.from(bytes));
    expect(key.byteOffset).toBe(0);
    expect(key.buffer.byteLength).toBe(32);
  });

  it('leaves no copy of itself in the shared Buffer pool', () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);
    const stored = Buffer.from(bytes.buffer, 0, 32).toString('base64');
    decodeKey(stored);
    // Node cuts small Buffers from one current pool; allocUnsafe(1) is a slice of it.
    const pool = Buffer.from(Buffer.allocUnsafe(1).buffer);
    expect(pool.indexOf(Buffer.from(bytes.buffer, 0, 32))).toBe(-1);
  });

  it('that is not 32 bytes decodes to an empty key (which locks the vault)', () => {
    expect(decodeKey(Buffer.alloc(31, 1).toString('base64'))).toHaveLength(0);
    expect(decodeKey('not base64 at all!')).toHaveLength(0);
  });

  it('the memory store hands out copies, so a reader wiping its key leaves the store intact', async () => {
    const store = createMemoryKeyStore({ [ACCOUNT]: new Uint8Array(32).fill(9) });
    const a = (await store.get(ACCOUNT))!;
    a.fill(0);
    expect(Array.from((await store.get(ACCOUNT))!)).toEqual(new Array(32).fill(9));
  });
});
