/**
 * The offline roster cache: a real SQLite file, sealed under a key derived for it from the note
 * vault's keychain key, read from a key store (in memory here; the OS keychain in the last
 * block, run through scripts/with-keyring.sh).
 */
import BetterSqlite3 from 'better-sqlite3';
import { createHmac, hkdfSync } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import keytar from 'keytar';
import nacl from 'tweetnacl';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { KeychainUnavailableError, createKeytarKeyStore, createMemoryKeyStore, KEYCHAIN_SERVICE, openVault, type KeyStore } from '../../src/main/notes/vault';
import { CACHE_MIGRATIONS } from '../../src/main/rosters/migrations';
import { copyBinding, MAX_ROWS, RosterCache, rosterCachePath } from '../../src/main/rosters/rosterCache';
import { open, purposeKey } from '../../src/main/sealing';
import { keychainTestAccount, secretServiceReachable } from './support/keychain';
import { legacyCacheSeal } from './support/legacySealing';
import { flipSealedByte } from './support/tamper';
import { tempDir } from './notes/support/fixture';

const ACCOUNT = 'c-sam@http://127.0.0.1:8443';
const MARKERS = ['Robin-Marker-7Q', 'IOP-MARKER-991', 'Tuesday marker group', 'sess-marker-42'];

const roster = {
  session: { id: MARKERS[3], title: MARKERS[2] },
  entries: [{ participantRef: MARKERS[1], displayName: MARKERS[0], minutesPresent: 47 }],
};
const asIs = (d: unknown) => d;

function dir(): string {
  const t = tempDir();
  onTestFinished(t.cleanup);
  return t.dir;
}

async function openCache(d: string, keyStore: KeyStore, account = ACCOUNT): Promise<RosterCache> {
  const cache = await RosterCache.open({ dir: d, account, keyStore });
  if (!cache) throw new Error('expected a cache');
  onTestFinished(() => {
    try {
      cache.close();
    } catch {
      // closed by the test already
    }
  });
  return cache;
}

/** Every byte the cache left on disk (the database and any journal beside it). */
function bytesOnDisk(d: string): Buffer {
  return Buffer.concat(readdirSync(d).map((f) => readFileSync(join(d, f))));
}

describe('the roster cache', () => {
  it('keeps a copy that reads back with when it was fetched, and no client detail is in the file', async () => {
    const d = dir();
    const keyStore = createMemoryKeyStore({ [ACCOUNT]: nacl.randomBytes(32) });
    const cache = await openCache(d, keyStore);
    cache.put(`roster\n${MARKERS[3]}`, { data: roster, fetchedAt: '2026-11-03T18:00:00.000Z' });
    expect(cache.get(`roster\n${MARKERS[3]}`, asIs)).toEqual({ data: roster, fetchedAt: '2026-11-03T18:00:00.000Z' });
    // Still in the journal before close, and in the main file after: look at both moments.
    const whileOpen = bytesOnDisk(d);
    cache.close();
    const afterClose = bytesOnDisk(d);
    expect(afterClose.length).toBeGreaterThan(0);
    for (const bytes of [whileOpen, afterClose]) {
      for (const marker of [...MARKERS, '2026-11-03', 'fetchedAt', 'roster']) {
        expect(bytes.includes(Buffer.from(marker)), `"${marker}" on disk`).toBe(false);
      }
    }
    const again = await openCache(d, keyStore);
    expect(again.get(`roster\n${MARKERS[3]}`, asIs)?.data).toEqual(roster);
  });

  it('seals each write with a fresh nonce', async () => {
    const d = dir();
    const keyStore = createMemoryKeyStore({ [ACCOUNT]: nacl.randomBytes(32) });
    const cache = await openCache(d, keyStore);
    const sealedRow = (): Buffer => {
      const db = new BetterSqlite3(rosterCachePath(d, ACCOUNT), { readonly: true });
      try {
        return (db.prepare(`SELECT sealed FROM cache WHERE id <> 'key-check'`).get() as { sealed: Buffer }).sealed;
      } finally {
        db.close();
      }
    };
    const copy = { data: roster, fetchedAt: '2026-11-03T18:00:00.000Z' };
    cache.put('roster\ns-1', copy);
    const a = sealedRow();
    cache.put('roster\ns-1', copy);
    const b = sealedRow();
    expect(a.subarray(1, 25).equals(b.subarray(1, 25))).toBe(false);
    expect(cache.get('roster\ns-1', asIs)).toEqual(copy);
  });

  it('refuses a row moved onto another key, and drops it', async () => {
    const d = dir();
    const keyStore = createMemoryKeyStore({ [ACCOUNT]: nacl.randomBytes(32) });
    const cache = await openCache(d, keyStore);
    cache.put('roster\ns-A', { data: { who: 'A' }, fetchedAt: '2026-11-03T18:00:00.000Z' });
    cache.put('roster\ns-B', { data: { who: 'B' }, fetchedAt: '2026-11-03T18:00:00.000Z' });
    cache.close();

    // Copy A's sealed blob over B's row, directly in SQLite (rowid order is write order).
    const db = new BetterSqlite3(rosterCachePath(d, ACCOUNT));
    const [rowA, rowB] = db.prepare(`SELECT id, sealed FROM cache WHERE id <> 'key-check' ORDER BY rowid`).all() as { id: string; sealed: Buffer }[];
    db.prepare('UPDATE cache SET sealed = ? WHERE id = ?').run(rowA!.sealed, rowB!.id);
    db.close();

    const reopened = await openCache(d, keyStore);
    expect(reopened.get('roster\ns-B', asIs)).toBeNull();
    expect(reopened.get('roster\ns-A', asIs)?.data).toEqual({ who: 'A' });
    // Dropped, not kept to fail again.
    reopened.close();
    const after = new BetterSqlite3(rosterCachePath(d, ACCOUNT));
    expect(after.prepare('SELECT count(*) AS n FROM cache WHERE id = ?').get(rowB!.id)).toEqual({ n: 0 });
    after.close();
  });

  it('refuses a tampered row', async () => {
    const d = dir();
    const keyStore = createMemoryKeyStore({ [ACCOUNT]: nacl.randomBytes(32) });
    const cache = await openCache(d, keyStore);
    cache.put('roster\ns-A', { data: roster, fetchedAt: '2026-11-03T18:00:00.000Z' });
    cache.close();
    const db = new BetterSqlite3(rosterCachePath(d, ACCOUNT));
    const row = db.prepare(`SELECT id FROM cache WHERE id <> 'key-check'`).get() as { id: string };
    flipSealedByte(db, 'cache', 'sealed', { id: row.id }, -3, 0x01);
    db.close();
    const reopened = await openCache(d, keyStore);
    expect(reopened.get('roster\ns-A', asIs)).toBeNull();
  });

  it('under another key opens nothing old and starts again', async () => {
    const d = dir();
    const keyStore = createMemoryKeyStore({ [ACCOUNT]: nacl.randomBytes(32) });
    const cache = await openCache(d, keyStore);
    cache.put('roster\ns-A', { data: roster, fetchedAt: '2026-11-03T18:00:00.000Z' });
    cache.close();
    // The keychain entry was replaced.
    await keyStore.set(ACCOUNT, nacl.randomBytes(32));
    const replaced = await openCache(d, keyStore);
    expect(replaced.get('roster\ns-A', asIs)).toBeNull();
    replaced.put('roster\ns-B', { data: { who: 'B' }, fetchedAt: '2026-11-04T18:00:00.000Z' });
    replaced.close();
    // The old rows are gone from the file, not merely unreadable.
    const db = new BetterSqlite3(rosterCachePath(d, ACCOUNT));
    expect((db.prepare('SELECT count(*) AS n FROM cache').get() as { n: number }).n).toBe(2);
    db.close();
    expect((await openCache(d, keyStore)).get('roster\ns-B', asIs)?.data).toEqual({ who: 'B' });
  });

  it('is off, and writes no file, without a key or a keychain', async () => {
    const d = dir();
    expect(await RosterCache.open({ dir: d, account: ACCOUNT, keyStore: createMemoryKeyStore() })).toBeNull();
    const noKeychain: KeyStore = {
      get: async () => {
        throw new KeychainUnavailableError('no Secret Service on the bus');
      },
      set: async () => {
        throw new KeychainUnavailableError('no Secret Service on the bus');
      },
    };
    expect(await RosterCache.open({ dir: d, account: ACCOUNT, keyStore: noKeychain })).toBeNull();
    expect(existsSync(rosterCachePath(d, ACCOUNT))).toBe(false);
  });

  it('has a versioned schema: a cache from before versioning is brought up to date; one from a newer console is left alone', async () => {
    const d = dir();
    const keyStore = createMemoryKeyStore({ [ACCOUNT]: nacl.randomBytes(32) });
    const cache = await openCache(d, keyStore);
    cache.put('roster\ns-A', { data: roster, fetchedAt: '2026-11-03T18:00:00.000Z' });
    cache.close();
    /** The file's schema version, after setting it to `set` if given. */
    const version = (set?: number): unknown => {
      const db = new BetterSqlite3(rosterCachePath(d, ACCOUNT));
      try {
        if (set !== undefined) db.pragma(`user_version = ${set}`);
        return db.pragma('user_version', { simple: true });
      } finally {
        db.close();
      }
    };
    expect(version()).toBe(CACHE_MIGRATIONS.length);
    // As the console before versioning left it: the same table, user_version 0. Its copies were
    // sealed under the keychain key itself, so they are dropped (see below) and the cache works on.
    version(0);
    const upgraded = await openCache(d, keyStore);
    expect(upgraded.get('roster\ns-A', asIs)).toBeNull();
    upgraded.put('roster\ns-A', { data: roster, fetchedAt: '2026-11-04T18:00:00.000Z' });
    expect(upgraded.get('roster\ns-A', asIs)?.data).toEqual(roster);
    upgraded.close();
    expect(version()).toBe(CACHE_MIGRATIONS.length);
    // A newer console's cache: not read, not rewritten; rosters are online only here.
    version(9);
    expect(await RosterCache.open({ dir: d, account: ACCOUNT, keyStore })).toBeNull();
    expect(version()).toBe(9);
  });

  it('sealed the old way (under the keychain key itself) is dropped quietly and refilled, never reported as damaged or replaced', async () => {
    for (const oldVersion of [0, 1]) {
      const d = dir();
      const keychainKey = nacl.randomBytes(32);
      const keyStore = createMemoryKeyStore({ [ACCOUNT]: keychainKey });
      // The cache as schema 1 wrote it: its key check and a copy sealed under the keychain key,
      // the row named by the HMAC it used.
      const oldIndexKey = new Uint8Array(hkdfSync('sha256', keychainKey, new Uint8Array(0), 'confidant roster cache index', 32));
      const file = rosterCachePath(d, ACCOUNT);
      const old = new BetterSqlite3(file);
      old.exec('CREATE TABLE cache (id TEXT PRIMARY KEY, sealed BLOB NOT NULL)');
      old.prepare('INSERT INTO cache (id, sealed) VALUES (?, ?)').run('key-check', legacyCacheSeal(keychainKey, 'key-check', 'ok'));
      old.prepare('INSERT INTO cache (id, sealed) VALUES (?, ?)').run(
        createHmac('sha256', oldIndexKey).update('roster\ns-A').digest('hex'),
        legacyCacheSeal(keychainKey, 'roster\ns-A', { data: roster, fetchedAt: '2026-11-03T18:00:00.000Z' }),
      );
      old.pragma(`user_version = ${oldVersion}`);
      old.close();
      chmodSync(file, 0o600);

      const stderr = vi.spyOn(process.stderr, 'write');
      try {
        const cache = await openCache(d, keyStore);
        expect(cache.get('roster\ns-A', asIs)).toBeNull();
        cache.put('roster\ns-A', { data: { who: 'refetched' }, fetchedAt: '2026-11-05T18:00:00.000Z' });
        expect(cache.get('roster\ns-A', asIs)?.data).toEqual({ who: 'refetched' });
        const warnings = stderr.mock.calls.map(([line]) => String(line)).filter((line) => / WARN rosters\.cache /.test(line));
        expect(warnings).toEqual([]);
      } finally {
        stderr.mockRestore();
      }
      const db = new BetterSqlite3(file, { readonly: true });
      // Only the new key check and the refetched copy: nothing of the old file is left.
      expect((db.prepare('SELECT count(*) AS n FROM cache').get() as { n: number }).n).toBe(2);
      expect(db.pragma('user_version', { simple: true })).toBe(CACHE_MIGRATIONS.length);
      db.close();
    }
  });

  it('keeps the newest rows and forgets the oldest beyond its limit', async () => {
    const d = dir();
    const keyStore = createMemoryKeyStore({ [ACCOUNT]: nacl.randomBytes(32) });
    const cache = await openCache(d, keyStore);
    for (let i = 0; i < MAX_ROWS + 3; i++) cache.put(`roster\ns-${i}`, { data: i, fetchedAt: '2026-11-03T18:00:00.000Z' });
    expect(cache.get('roster\ns-0', asIs)).toBeNull();
    expect(cache.get('roster\ns-2', asIs)).toBeNull();
    expect(cache.get('roster\ns-3', asIs)?.data).toBe(3);
    expect(cache.get(`roster\ns-${MAX_ROWS + 2}`, asIs)?.data).toBe(MAX_ROWS + 2);
    // The key check survives pruning, so the next open does not take the key for a new one.
    cache.close();
    expect((await openCache(d, keyStore)).get('roster\ns-3', asIs)?.data).toBe(3);
  });
});

const reachable = await secretServiceReachable();

describe.skipIf(!reachable)('the roster cache with the real OS keychain', () => {
  it('uses the key the note vault made, and makes none of its own', async () => {
    const d = dir();
    const account = keychainTestAccount();
    expect(await RosterCache.open({ dir: d, account, keyStore: createKeytarKeyStore() })).toBeNull();
    expect(await keytar.getPassword(KEYCHAIN_SERVICE, account)).toBeNull();

    const vault = await openVault({ dir: d, account, keyStore: createKeytarKeyStore() });
    vault.close();
    const cache = await openCache(d, createKeytarKeyStore(), account);
    cache.put('roster\ns-A', { data: roster, fetchedAt: '2026-11-03T18:00:00.000Z' });
    cache.close();
    const db = new BetterSqlite3(rosterCachePath(d, account));
    const row = db.prepare(`SELECT sealed FROM cache WHERE id <> 'key-check'`).get() as { sealed: Buffer };
    db.close();
    const vaultKey = Buffer.from((await keytar.getPassword(KEYCHAIN_SERVICE, account)) ?? '', 'base64');
    // Sealed under the key derived for the cache from the vault's keychain key, not under that key itself.
    expect(open(purposeKey(vaultKey, 'roster cache'), copyBinding('roster\ns-A'), row.sealed)).toEqual({ data: roster, fetchedAt: '2026-11-03T18:00:00.000Z' });
    expect(() => open(vaultKey, copyBinding('roster\ns-A'), row.sealed)).toThrow();
  });
});
