/**
 * SQLite backups and restores: the online backup of the live file, telling a database a
 * process has open from one nobody has, checking that a copy is a Confidant store this server
 * can open, and putting a restored copy in place of the live file, with the one it replaces
 * kept aside.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { ADMIN_COMMAND_ACTOR } from '../accounts/accounts.js';
import type { ServerConfig } from '../config.js';
import { createPrivate, sqliteFiles } from '../keys/privateFiles.js';
import { schemaVersion } from '../store/migrate.js';
import { MIGRATIONS } from '../store/migrations/index.js';
import { DATABASE_FILE, openStore, type Store } from '../store/store.js';
import { BackupError, errno, refuseBrokenChain, syncPath, type RestoreOptions, type RestoreResult } from './shared.js';

export const liveFile = (config: Pick<ServerConfig, 'dataDir'>): string => path.join(config.dataDir, DATABASE_FILE);

/** Copies the live database into `partial` with SQLite's online backup, as one file of its own. */
export async function backupSqlite(config: ServerConfig, partial: string): Promise<void> {
  const source = new BetterSqlite3(liveFile(config), { fileMustExist: true, timeout: 5_000 });
  try {
    // All pages in one step: one read transaction, one consistent snapshot, and no restart
    // when the server writes meanwhile (a step-by-step copy starts over at every write).
    await source.backup(partial, { progress: () => 0x7fffffff });
  } finally {
    source.close();
  }
  const copy = new BetterSqlite3(partial, { fileMustExist: true });
  try {
    // A single file: no -wal beside it to lose when it is copied elsewhere.
    copy.pragma('journal_mode = DELETE');
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`the copy failed SQLite's integrity check (${String(check)}): the live database may be damaged`);
  } finally {
    copy.close();
  }
}

/**
 * Throws if a process has the database open (see the header of ./backup.ts); otherwise folds
 * its WAL into the file, so the file alone is the whole database. False when there is no
 * database.
 */
function takeOverSqlite(file: string): boolean {
  if (!existsSync(file)) return false;
  let db: Database;
  try {
    db = new BetterSqlite3(file, { fileMustExist: true, timeout: 0 });
  } catch {
    return true;
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new BackupError(`${file} is in use: a server (or another program) has it open. Stop the server, then restore`);
    }
    // Not a database SQLite can read: nothing could be running on it.
  } finally {
    db.close();
  }
  return true;
}

/** A copy of the backup, checked to be a Confidant store this server can open. */
function inspectSqliteCopy(copy: string): void {
  let db: Database;
  try {
    db = new BetterSqlite3(copy, { fileMustExist: true });
  } catch (err) {
    throw new BackupError(`the backup is not a readable SQLite database (${errno(err)})`);
  }
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`the backup failed SQLite's integrity check (${String(check)}): it is damaged`);
    const version = schemaVersion(db);
    const hasLog = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'`).get() !== undefined;
    if (version === 0 || !hasLog) throw new BackupError('the backup is a SQLite database but not a Confidant store');
    if (version > MIGRATIONS.length) {
      throw new BackupError(`the backup's schema version ${version} is newer than this server's (${MIGRATIONS.length}): restore it with the server version that made it, or a newer one`);
    }
  } catch (err) {
    if (err instanceof BackupError) throw err;
    const code = errno(err);
    if (code.startsWith('SQLITE_CORRUPT')) throw new BackupError(`the backup failed SQLite's integrity check (${code}): it is damaged`);
    throw new BackupError(`the backup is not a readable SQLite database (${code})`);
  } finally {
    db.close();
  }
}

export async function restoreSqlite(config: ServerConfig, from: string, key: Buffer, options: RestoreOptions): Promise<RestoreResult> {
  const live = liveFile(config);
  const refuseExisting = (): void => {
    if (takeOverSqlite(live) && !options.force) {
      throw new BackupError(`${live} holds a database: restoring replaces it (it is kept aside). Pass --force to do so`);
    }
  };
  refuseExisting();
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  // Staged in the data directory (so the final rename stays on one file system), checked,
  // migrated to this server's schema and given its audit entry before it replaces anything.
  const staging = mkdtempSync(path.join(config.dataDir, '.restore-'));
  try {
    const staged = path.join(staging, DATABASE_FILE);
    createPrivate(staged);
    copyFileSync(from, staged);
    chmodSync(staged, 0o600);
    inspectSqliteCopy(staged);
    let store: Store;
    try {
      store = openStore(staging, key, { ephemeralKey: false });
    } catch (err) {
      throw new BackupError(`the backup cannot be opened as a store: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    let entries: number;
    try {
      refuseBrokenChain(await store.audit.verify());
      const entry = await store.audit.record({ at: new Date(), event: 'audit.restored', actorId: options.actorId ?? ADMIN_COMMAND_ACTOR, address: 'local', detail: 'sqlite' });
      entries = entry.seq;
    } finally {
      await store.close();
    }
    // Again, now the copy is ready: a server may have started meanwhile.
    refuseExisting();
    let keptAside: string | undefined;
    const aside = `${live}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    for (const file of sqliteFiles(live)) {
      if (!existsSync(file)) continue;
      // A stale -wal or -shm beside the restored file would be read as part of it.
      const target = aside + file.slice(live.length);
      renameSync(file, target);
      if (file === live) keptAside = target;
    }
    renameSync(staged, live);
    syncPath(config.dataDir, 'r');
    return { kind: 'sqlite', from, auditEntries: entries, into: live, ...(keptAside ? { keptAside } : {}) };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
