/**
 * What SQLite and PostgreSQL backups share: the option and result types, BackupError, telling
 * a backup's kind by its first bytes, the records key a backup or restore needs, writing a
 * new 0600 file beside its name and publishing it, and refusing an audit chain that does not
 * verify.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, linkSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ChainVerdict } from '../audit/chain.js';
import { settingName, type ServerConfig } from '../config.js';
import { createPrivate } from '../keys/privateFiles.js';
import { loadRecordsKey } from '../keys/recordsKey.js';

export type BackupKind = 'sqlite' | 'postgres';

/** Why a backup or restore was refused or failed, in words an operator can act on. */
export class BackupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackupError';
  }
}

export interface BackupOptions {
  /** The folder holding pg_dump and pg_restore (default: CONFIDANT_PG_BIN, then /usr/lib/postgresql/<newest>/bin, then PATH). */
  pgBinDir?: string;
  /** Who the audit entry names (default: the admin command). */
  actorId?: string;
}

export interface RestoreOptions extends BackupOptions {
  /** Replace a database that holds records (SQLite keeps it aside; PostgreSQL's is gone). */
  force?: boolean;
}

export interface BackupResult {
  kind: BackupKind;
  file: string;
  bytes: number;
  /** The audit log's length when the copy was taken, its own entry included. */
  auditEntries: number;
  /** Why the live audit chain did not verify (a restore would refuse this backup), if it did not. */
  chainProblem?: string;
}

export interface RestoreResult {
  kind: BackupKind;
  from: string;
  /** The restored audit log's length, the restore's own entry included. */
  auditEntries: number;
  /** SQLite: where the database that was replaced now is. */
  keptAside?: string;
  /** Where the records now are (a file, or a database by name and address: never its URL). */
  into: string;
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const PGDUMP_MAGIC = Buffer.from('PGDMP', 'latin1');

export const errno = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));

/** What a file holds, by its first bytes. */
export function kindOf(file: string): BackupKind | 'other' {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new BackupError(`cannot read ${file} (${errno(err)})`);
  }
  const head = Buffer.alloc(SQLITE_MAGIC.length);
  try {
    readSync(fd, head, 0, head.length, 0);
  } catch (err) {
    throw new BackupError(`cannot read ${file} (${errno(err)})`);
  } finally {
    closeSync(fd);
  }
  if (head.equals(SQLITE_MAGIC)) return 'sqlite';
  if (head.subarray(0, PGDUMP_MAGIC.length).equals(PGDUMP_MAGIC)) return 'postgres';
  return 'other';
}

/** The configured records key: the chain is keyed by it, so a key made up for this process would not do. */
export function recordsKeyFor(config: ServerConfig, act: string): Buffer {
  if (config.recordsKeyFile === undefined) {
    throw new BackupError(`${act} needs the records key the server uses: set ${settingName('recordsKeyFile')}`);
  }
  return loadRecordsKey(config);
}

// ---------------------------------------------------------------------------------------------
// Files: written beside their name, 0600, and linked into place only when complete.

export function syncPath(file: string, flags: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(file, flags);
    fsyncSync(fd);
  } catch {
    // A folder cannot be synced everywhere; the data itself was.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A fresh 0600 file beside `out`, refused when `out` exists or its folder cannot take it. */
export function partialBeside(out: string): string {
  const dir = path.dirname(out);
  if (existsSync(out)) throw new BackupError(`${out} exists: a backup never replaces a file, choose a new name`);
  const partial = path.join(dir, `.${path.basename(out)}.${randomBytes(4).toString('hex')}.partial`);
  try {
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
    createPrivate(partial);
  } catch (err) {
    throw new BackupError(`cannot write the backup to ${out}: ${dir} ${errno(err) === 'ENOENT' ? 'does not exist' : `is not writable (${errno(err)})`}`);
  }
  return partial;
}

/** Puts the finished `partial` at `out` (never over an existing file) and syncs both. */
export function publish(partial: string, out: string): void {
  chmodSync(partial, 0o600);
  syncPath(partial, 'r+');
  try {
    linkSync(partial, out);
  } catch (err) {
    if (errno(err) === 'EEXIST') throw new BackupError(`${out} appeared while the backup was written: it was left alone`);
    // A file system without hard links: a rename, after looking once more.
    if (existsSync(out)) throw new BackupError(`${out} appeared while the backup was written: it was left alone`);
    renameSync(partial, out);
  }
  rmSync(partial, { force: true });
  syncPath(path.dirname(out), 'r');
}

/** Refuses a chain that does not verify under this server's key: altered, or another server's. */
export function refuseBrokenChain(verdict: ChainVerdict): asserts verdict is Extract<ChainVerdict, { ok: true }> {
  if (verdict.ok) return;
  throw new BackupError(
    `the backup's audit chain does not verify under this server's records key (entry ${verdict.brokenAt}: ${verdict.reason}): ` +
      'it was altered after it was taken, or it belongs to a server with another key. Refused; nothing was replaced',
  );
}
