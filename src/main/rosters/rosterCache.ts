/**
 * The rosters a clinician has opened, kept so they stay readable without a network: one
 * SQLite file per clinician per server beside the note vault, every row sealed with
 * `nacl.secretbox` under a key derived from the note vault's keychain key for this cache alone
 * (src/main/sealing.ts: the keychain key is read here, never made, and seals nothing itself).
 *
 * - Nothing about a client is in the clear: a row is an opaque index (HMAC of the cache key
 *   under a key derived for that alone, so session ids and client references cannot be read
 *   or guessed from the file) and a sealed blob. When the copy was fetched is sealed too.
 * - Each seal has a fresh random nonce, and the sealed plaintext names the cache key it was
 *   written for, so a blob copied onto another row is refused rather than shown as that row.
 * - A key-check row sealed on first use tells a replaced keychain entry from a damaged row:
 *   under a different key the whole cache is dropped (it only holds copies of what the server
 *   keeps) and starts again, so stale ciphertext never lingers under a key nobody has.
 * - No key, no cache: the caller gets null and the screen works online only. Never plaintext.
 * - The schema is versioned (`user_version`, rosters/migrations.ts), like the note vault's.
 */
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { createHash, createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runMigrations } from '../../common/migrations';
import { createLogger, errorFields } from '../../common/logger';
import { KeychainUnavailableError, type KeyStore } from '../notes/keyStore';
import { openPrivateSqlite } from '../notes/privateFiles';
import { KEY_BYTES, open, purposeKey, seal, SealError, wipe, type Binding } from '../sealing';
import { CACHE_MIGRATIONS } from './migrations';

const log = createLogger('rosters.cache');

const KEY_CHECK = 'key-check';
/** The newest rows kept; older ones go first. A year of weekly groups fits many times over. */
export const MAX_ROWS = 2000;

/** A copy the console saved, and when the server gave it. */
export interface CachedCopy<T> {
  data: T;
  fetchedAt: string;
}

/** A cache file written by a newer console: not read here. */
class NewerCacheError extends Error {
  constructor(readonly version: number) {
    super(`the roster cache has schema ${version}, newer than this console's`);
    this.name = 'NewerCacheError';
  }
}

/** What a row's sealed blob is bound to: the cache key it was written for. */
export function copyBinding(cacheKey: string): Binding {
  return { kind: 'copy', id: cacheKey, version: 1 };
}

const KEY_CHECK_BINDING: Binding = { kind: 'check', id: KEY_CHECK, version: 1 };

/** The cache file for this account (named by a hash, as the vault is: no account names on disk). */
export function rosterCachePath(dir: string, account: string): string {
  const tag = createHash('sha256').update(account).digest('hex').slice(0, 16);
  return join(dir, `rosters-${tag}.sqlite`);
}

export class RosterCache {
  /** Set by close(), which wipes both keys: from then on every call is refused. */
  private closed = false;
  private readonly stmt;

  private constructor(
    private readonly db: Database,
    /** The key this cache's rows are sealed under ('roster cache'); wiped at close. */
    private readonly key: Uint8Array,
    /** The key of the HMAC that names its rows ('roster row index'); wiped at close. */
    private readonly indexKey: Uint8Array,
  ) {
    this.stmt = {
      get: db.prepare<[string], { sealed: Buffer }>('SELECT sealed FROM cache WHERE id = ?'),
      // REPLACE gives the row a new rowid, so rowid order is write order for pruning.
      put: db.prepare('INSERT OR REPLACE INTO cache (id, sealed) VALUES (?, ?)'),
      delete: db.prepare('DELETE FROM cache WHERE id = ?'),
      prune: db.prepare(
        `DELETE FROM cache WHERE id <> '${KEY_CHECK}'
           AND rowid NOT IN (SELECT rowid FROM cache WHERE id <> '${KEY_CHECK}' ORDER BY rowid DESC LIMIT ?)`,
      ),
    };
  }

  /**
   * Opens the account's cache under keys derived from the note vault's keychain key, or returns null when there is no
   * key to use (no keychain, no entry yet, an entry that is not a key) or the file was written
   * by a newer console (its schema, rosters/migrations.ts, is one this console does not know).
   */
  static async open(options: { dir: string; account: string; keyStore: KeyStore }): Promise<RosterCache | null> {
    let key: Uint8Array | null;
    try {
      key = await options.keyStore.get(options.account);
    } catch (err) {
      if (!(err instanceof KeychainUnavailableError)) throw err;
      log.warn('cache.off', { reason: 'no-keychain' });
      return null;
    }
    if (!key || key.length !== KEY_BYTES) {
      if (key) wipe(key);
      log.warn('cache.off', { reason: 'no-key' });
      return null;
    }
    // The keychain key (a copy the key store handed out) is only derived from, then wiped.
    const sealKey = purposeKey(key, 'roster cache');
    const indexKey = purposeKey(key, 'roster row index');
    wipe(key);
    const wipeKeys = () => {
      wipe(sealKey);
      wipe(indexKey);
    };
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    const file = rosterCachePath(options.dir, options.account);
    let db: Database;
    try {
      // Made 0600; refused (SharedFileError, naming the fix) when other users can read it.
      openPrivateSqlite(file);
      db = new BetterSqlite3(file);
    } catch (err) {
      wipeKeys();
      throw err;
    }
    try {
      db.pragma('journal_mode = WAL');
      // A lost last write costs one refetch, not data: NORMAL is enough for a cache.
      db.pragma('synchronous = NORMAL');
      runMigrations(db, CACHE_MIGRATIONS, undefined, {
        misnumbered: () => new Error('roster cache migrations must be numbered 1..n without gaps'),
        newer: (current) => new NewerCacheError(current),
        applied: (version) => log.info('cache.migrated', { version }),
      });
      const check = db.prepare<[string], { sealed: Buffer }>('SELECT sealed FROM cache WHERE id = ?').get(KEY_CHECK);
      let keyMatches = false;
      if (check) {
        try {
          keyMatches = open(sealKey, KEY_CHECK_BINDING, check.sealed) === 'ok';
        } catch {
          keyMatches = false;
        }
      }
      if (!keyMatches) {
        if (check) log.warn('cache.reset', { reason: 'key-changed' });
        db.transaction(() => {
          db.exec('DELETE FROM cache');
          db.prepare('INSERT INTO cache (id, sealed) VALUES (?, ?)').run(KEY_CHECK, seal(sealKey, KEY_CHECK_BINDING, 'ok'));
        })();
      }
    } catch (err) {
      db.close();
      wipeKeys();
      if (err instanceof NewerCacheError) {
        log.warn('cache.off', { reason: 'newer-schema', version: err.version });
        return null;
      }
      throw err;
    }
    return new RosterCache(db, sealKey, indexKey);
  }

  /** The copy saved for `cacheKey`, or null if none (or one that does not open, which is dropped). */
  get<T>(cacheKey: string, parse: (data: unknown) => T): CachedCopy<T> | null {
    this.requireOpen();
    const id = this.rowId(cacheKey);
    const row = this.stmt.get.get(id);
    if (!row) return null;
    try {
      const opened = open(this.key, copyBinding(cacheKey), row.sealed) as { fetchedAt?: unknown; data?: unknown };
      if (typeof opened?.fetchedAt !== 'string') throw new SealError('cached copy has no fetch time');
      return { data: parse(opened.data), fetchedAt: opened.fetchedAt };
    } catch (err) {
      // A damaged or foreign row is worth nothing offline; drop it so the next fetch replaces it.
      log.warn('cache.row.unreadable', errorFields(err));
      this.stmt.delete.run(id);
      return null;
    }
  }

  put(cacheKey: string, copy: CachedCopy<unknown>): void {
    this.requireOpen();
    this.stmt.put.run(this.rowId(cacheKey), seal(this.key, copyBinding(cacheKey), copy));
    this.stmt.prune.run(MAX_ROWS);
  }

  /** Forgets a copy (the server said this clinician may no longer see it). */
  delete(cacheKey: string): void {
    this.requireOpen();
    this.stmt.delete.run(this.rowId(cacheKey));
  }

  close(): void {
    this.closed = true;
    this.db.close();
    wipe(this.key);
    wipe(this.indexKey);
  }

  /** The keys are wiped at close: a late caller gets this, never a seal or an index under zeros. */
  private requireOpen(): void {
    if (this.closed) throw new Error('the roster cache is closed (signed out)');
  }

  private rowId(cacheKey: string): string {
    return createHmac('sha256', this.indexKey).update(cacheKey).digest('hex');
  }
}
