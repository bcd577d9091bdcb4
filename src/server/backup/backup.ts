/**
 * Backups of the server's records and restoring one (`npm run admin -- backup` / `restore`).
 *
 * SQLite: SQLite's online backup API copies the live file while a server runs on it (WAL
 * readers never block its writes) into one self-contained file. PostgreSQL: `pg_dump
 * --format=custom` and `pg_restore`, found in /usr/lib/postgresql/<newest>/bin or on PATH
 * (CONFIDANT_PG_BIN names the folder), with the password handed over in the child's PGPASSWORD,
 * never on its command line, and never printed. A backup says which kind it is by its first
 * bytes ("SQLite format 3", "PGDMP"); restoring one of the other kind is refused.
 *
 * A backup is written 0600 and appears complete or not at all: it is written beside its
 * name and linked into place, never over an existing file.
 *
 * The records in a backup are sealed under the records key, which is never in it: without
 * the key it reads as nothing, and with it the backup is the clinic's records. Restoring
 * needs that key, and checks with it that the backup's audit chain verifies before anything
 * is replaced: a backup altered since it was taken, or made under another key, is refused.
 *
 * Restoring replaces the server's database, so nothing may be running on it. On SQLite a
 * server holds the file's shared lock for as long as it runs (WAL mode keeps it between
 * transactions), so an exclusive lock attempt tells a running server apart from a stopped
 * one; an existing database is replaced only with `force`, and is kept aside beside the
 * restored one. PostgreSQL is asked whether Confidant servers are connected to the database
 * (a server idle for a while may hold no connection, so stop them all first); a database
 * holding tables is replaced only with `force`.
 *
 * Both acts go on the audit log: `audit.backed_up` before the copy is taken (so the backup
 * holds the record of itself), and `audit.restored` in the restored database.
 *
 * This file holds the commands and what they report; ./shared.ts what both kinds share,
 * ./sqlite.ts and ./postgres.ts each kind's copy, checks and restore.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { ADMIN_COMMAND_ACTOR } from '../accounts/accounts.js';
import type { ServerConfig } from '../config.js';
import { openConfiguredStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { backupPostgres, findPgProgram, restorePostgres } from './postgres.js';
import {
  BackupError,
  errno,
  kindOf,
  partialBeside,
  publish,
  recordsKeyFor,
  type BackupKind,
  type BackupOptions,
  type BackupResult,
  type RestoreOptions,
  type RestoreResult,
} from './shared.js';
import { backupSqlite, liveFile, restoreSqlite } from './sqlite.js';

export { BackupError, type BackupKind, type BackupOptions, type BackupResult, type RestoreOptions, type RestoreResult };

const KIND_NAME: Record<BackupKind, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL (pg_dump)' };

const configuredKind = (config: Pick<ServerConfig, 'database'>): BackupKind => (config.database === undefined ? 'sqlite' : 'postgres');

// ---------------------------------------------------------------------------------------------
// The commands

/** Backs up the configured database to `outFile` (a new file), while a server may be running on it. */
export async function backupStore(config: ServerConfig, outFile: string, options: BackupOptions = {}): Promise<BackupResult> {
  const kind = configuredKind(config);
  const out = path.resolve(outFile);
  if (kind === 'sqlite' && !existsSync(liveFile(config))) throw new BackupError(`no database in ${config.dataDir}: nothing to back up`);
  const pgDump = kind === 'postgres' ? findPgProgram('pg_dump', options.pgBinDir) : undefined;
  const key = recordsKeyFor(config, 'a backup');
  let partial: string | undefined;
  let store: Store | undefined;
  try {
    partial = partialBeside(out);
    store = await openConfiguredStore(config, { recordsKey: key, ephemeralKey: false });
    const actorId = options.actorId ?? ADMIN_COMMAND_ACTOR;
    const entry = await store.audit.record({ at: new Date(), event: 'audit.backed_up', actorId, address: 'local', detail: kind });
    const verdict = await store.audit.verify();
    try {
      if (pgDump !== undefined) {
        await backupPostgres(config.database!.url, pgDump, partial);
      } else {
        await backupSqlite(config, partial);
      }
      publish(partial, out);
    } catch (err) {
      await store.audit.record({ at: new Date(), event: 'audit.backup_failed', actorId, address: 'local', detail: kind });
      if (err instanceof BackupError) throw err;
      throw new BackupError(`the backup failed (${errno(err)})`, { cause: err });
    }
    return {
      kind,
      file: out,
      bytes: statSync(out).size,
      auditEntries: entry.seq,
      ...(verdict.ok ? {} : { chainProblem: `entry ${verdict.brokenAt}: ${verdict.reason}` }),
    };
  } finally {
    if (partial !== undefined) rmSync(partial, { force: true });
    await store?.close();
    key.fill(0);
  }
}

/**
 * Replaces the configured database with the backup in `fromFile`, once it has been checked
 * to be a Confidant backup of the configured kind, of a schema this server knows, whose audit
 * chain verifies under the configured records key; refused while a server runs on it.
 */
export async function restoreStore(config: ServerConfig, fromFile: string, options: RestoreOptions = {}): Promise<RestoreResult> {
  const from = path.resolve(fromFile);
  const expected = configuredKind(config);
  const found = kindOf(from);
  if (found === 'other') throw new BackupError(`${from} is not a Confidant backup (neither a SQLite database nor a pg_dump archive)`);
  if (found !== expected) {
    throw new BackupError(`${from} is a ${KIND_NAME[found]} backup, but this server keeps its records in ${KIND_NAME[expected]}: refused`);
  }
  // Never made up here: a fresh key would open nothing in the backup.
  if (config.recordsKeyFile !== undefined && !existsSync(config.recordsKeyFile)) {
    throw new BackupError(
      `the records key file ${config.recordsKeyFile} does not exist: put the server's records key back there first (a backup never holds it)`,
    );
  }
  const key = recordsKeyFor(config, 'restoring');
  try {
    return expected === 'sqlite' ? await restoreSqlite(config, from, key, options) : await restorePostgres(config.database!.url, from, key, options);
  } finally {
    key.fill(0);
  }
}

const KEY_NOTE = 'The records in it are sealed with the records key, which is NOT in the backup: keep that key (and a copy of it) apart from the backups; without it the backup cannot be read or restored.';

/** What the admin command says after a backup. */
export function backupReport(r: BackupResult): string[] {
  const lines = [`${KIND_NAME[r.kind]} backup written to ${r.file} (${r.bytes} bytes, mode 0600), audit log at entry ${r.auditEntries}.`, KEY_NOTE];
  if (r.chainProblem) lines.push(`warning: the live audit chain does not verify (${r.chainProblem}): restore will refuse this backup. Run  audit verify.`);
  return lines;
}

/** What the admin command says after a restore. */
export function restoreReport(r: RestoreResult): string[] {
  const lines = [`restored ${r.from} into ${r.into}: audit chain verified, ${r.auditEntries} entries with the restore's own.`];
  if (r.keptAside) lines.push(`the database it replaced is kept as ${r.keptAside}: delete it once the restore is confirmed.`);
  lines.push('Start the server to use the restored records.');
  return lines;
}
