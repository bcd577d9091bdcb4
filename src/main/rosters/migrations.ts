/**
 * The roster cache's schema, versioned like the note vault's (src/common/migrations.ts): a new
 * shape is a new numbered step here. The cache holds only copies of what the server keeps, so a
 * file a newer console wrote is not read here (rosters are then online only), never rewritten.
 */
import type { NumberedMigration } from '../../common/migrations';

export type CacheMigration = NumberedMigration<undefined>;

/** 1: one table of opaque row ids and sealed blobs. Caches made before versioning already have it. */
const cacheTable: CacheMigration = {
  version: 1,
  up(db) {
    db.exec('CREATE TABLE IF NOT EXISTS cache (id TEXT PRIMARY KEY, sealed BLOB NOT NULL)');
  },
};

/**
 * 2: copies were sealed under the note vault's keychain key itself; they are now sealed under
 * a key derived for this cache alone (src/main/sealing.ts). The old rows, key check included,
 * are dropped rather than resealed: they are copies of what the server keeps, refetched at the
 * next view, and a cache without a key check starts again quietly (no key-change warning).
 */
const purposeKeys: CacheMigration = {
  version: 2,
  up(db) {
    db.exec('DELETE FROM cache');
  },
};

export const CACHE_MIGRATIONS: readonly CacheMigration[] = [cacheTable, purposeKeys];
