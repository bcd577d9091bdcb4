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
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import pg from 'pg';
import { ADMIN_COMMAND_ACTOR } from './accounts/accounts.js';
import { keyedLink, verifyChainOf, type ChainedEntry, type ChainHead, type ChainVerdict } from './audit/chain.js';
import { settingName, type ServerConfig } from './config.js';
import { createPrivate, sqliteFiles } from './keys/privateFiles.js';
import { loadRecordsKey } from './keys/recordsKey.js';
import { schemaVersion } from './store/migrate.js';
import { MIGRATIONS } from './store/migrations/index.js';
import { openConfiguredStore } from './store/open.js';
import { POSTGRES_MIGRATIONS } from './store/postgres/migrations/index.js';
import { openPostgres, parseDatabaseUrl } from './store/postgres/open.js';
import { createRecordKeys, deriveRecordsSubkey } from './store/recordKeys.js';
import { DATABASE_FILE, openStore, storeOver, type Store } from './store/store.js';

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
const KIND_NAME: Record<BackupKind, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL (pg_dump)' };

const configuredKind = (config: Pick<ServerConfig, 'database'>): BackupKind => (config.database === undefined ? 'sqlite' : 'postgres');
const errno = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));

/** What a file holds, by its first bytes. */
function kindOf(file: string): BackupKind | 'other' {
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
function recordsKeyFor(config: ServerConfig, act: string): Buffer {
  if (config.recordsKeyFile === undefined) {
    throw new BackupError(`${act} needs the records key the server uses: set ${settingName('recordsKeyFile')}`);
  }
  return loadRecordsKey(config);
}

// ---------------------------------------------------------------------------------------------
// Files: written beside their name, 0600, and linked into place only when complete.

function syncPath(file: string, flags: string): void {
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
function partialBeside(out: string): string {
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
function publish(partial: string, out: string): void {
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

// ---------------------------------------------------------------------------------------------
// SQLite

const liveFile = (config: Pick<ServerConfig, 'dataDir'>): string => path.join(config.dataDir, DATABASE_FILE);

/** Copies the live database into `partial` with SQLite's online backup, as one file of its own. */
async function backupSqlite(config: ServerConfig, partial: string): Promise<void> {
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
 * Throws if a process has the database open (see the header); otherwise folds its WAL into
 * the file, so the file alone is the whole database. False when there is no database.
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

/** Refuses a chain that does not verify under this server's key: altered, or another server's. */
function refuseBrokenChain(verdict: ChainVerdict): asserts verdict is Extract<ChainVerdict, { ok: true }> {
  if (verdict.ok) return;
  throw new BackupError(
    `the backup's audit chain does not verify under this server's records key (entry ${verdict.brokenAt}: ${verdict.reason}): ` +
      'it was altered after it was taken, or it belongs to a server with another key. Refused; nothing was replaced',
  );
}

async function restoreSqlite(config: ServerConfig, from: string, key: Buffer, options: RestoreOptions): Promise<RestoreResult> {
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

// ---------------------------------------------------------------------------------------------
// PostgreSQL

type PgProgram = 'pg_dump' | 'pg_restore';

const INSTALL_HINT = 'install the postgresql-client package (its version must be at least the database server\'s)';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Where `program` is: the configured folder, else Debian's newest, else PATH. */
function findPgProgram(program: PgProgram, binDir = process.env.CONFIDANT_PG_BIN || undefined): string {
  if (binDir !== undefined) {
    const file = path.join(binDir, program);
    if (executable(file)) return file;
    throw new BackupError(`${program} not found in ${binDir} (CONFIDANT_PG_BIN): ${INSTALL_HINT}, or point CONFIDANT_PG_BIN at the folder holding it`);
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  const candidates = [...versions.map((v) => path.join(root, v, 'bin')), ...(process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== '')];
  for (const dir of candidates) {
    const file = path.join(dir, program);
    if (executable(file)) return file;
  }
  throw new BackupError(`${program} not found in ${root}/*/bin or on PATH: ${INSTALL_HINT}`);
}

interface PgTarget {
  /** The URL without its password (libpq reads it; the password goes in PGPASSWORD). */
  dbname: string;
  password: string;
  /** `database "x" at host:port`, for messages. */
  describe: string;
}

function pgTarget(url: string): PgTarget {
  const target = parseDatabaseUrl(url);
  const bare = new URL(url);
  bare.password = '';
  return { dbname: bare.toString(), password: target.password, describe: `database "${target.database}" at ${target.where}` };
}

interface ProgramRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a PostgreSQL client program with the password in its environment; what it says is redacted. */
function runPg(file: string, args: string[], target: PgTarget | undefined): Promise<ProgramRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, PGCONNECT_TIMEOUT: '10', PGAPPNAME: 'confidant-backup' };
  delete env.PGPASSWORD;
  if (target?.password) env.PGPASSWORD = target.password;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.once('error', (e) => reject(new BackupError(`${path.basename(file)} could not be run (${errno(e)}): ${INSTALL_HINT}`)));
    child.once('close', (code) => {
      const redact = (s: string): string => (target?.password ? s.split(target.password).join('***') : s);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: redact(Buffer.concat(err).toString('utf8')) });
    });
  });
}

function pgFailure(program: PgProgram, run: ProgramRun): BackupError {
  const said = run.stderr.trim().split('\n').slice(-3).join(' / ').slice(0, 600);
  if (/server version mismatch/.test(said)) {
    return new BackupError(`${program} is older than the database server: ${INSTALL_HINT} (${said})`);
  }
  return new BackupError(`${program} failed (exit ${run.code ?? 'signal'}): ${said || 'no message'}`);
}

/** One table's rows as a data-only pg_restore prints them (COPY text format), column by name. */
function copyBlocks(script: string): Map<string, Record<string, string | null>[]> {
  const tables = new Map<string, Record<string, string | null>[]>();
  const lines = script.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const header = /^COPY (?:[\w"]+\.)?"?(\w+)"? \(([^)]*)\) FROM stdin;$/.exec(lines[i]!);
    if (!header) continue;
    const columns = header[2]!.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    const rows: Record<string, string | null>[] = [];
    for (i++; i < lines.length && lines[i] !== '\\.'; i++) {
      const fields = lines[i]!.split('\t');
      rows.push(Object.fromEntries(columns.map((c, n) => [c, copyField(fields[n] ?? '\\N')])));
    }
    tables.set(header[1]!, rows);
  }
  return tables;
}

const COPY_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function copyField(raw: string): string | null {
  if (raw === '\\N') return null;
  return raw.replace(/\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))/g, (_m, oct?: string, hex?: string, ch?: string) => {
    if (oct) return String.fromCharCode(parseInt(oct, 8));
    if (hex) return String.fromCharCode(parseInt(hex, 16));
    return COPY_ESCAPES[ch!] ?? ch!;
  });
}

/**
 * Reads the dump's schema version and audit log (pg_restore prints a table's data without
 * touching any database) and verifies the chain under `key`, before anything is replaced.
 */
async function inspectDump(pgRestore: string, from: string, key: Buffer): Promise<{ version: number; entries: number }> {
  const run = await runPg(pgRestore, ['--data-only', '--table=schema_version', '--table=audit_head', '--table=audit_log', '--file=-', from], undefined);
  if (run.code !== 0) throw pgFailure('pg_restore', run);
  const tables = copyBlocks(run.stdout);
  const version = Number(tables.get('schema_version')?.[0]?.version ?? NaN);
  const log = tables.get('audit_log');
  if (!Number.isInteger(version) || log === undefined) throw new BackupError('the backup is a pg_dump archive but not of a Confidant database');
  if (version > POSTGRES_MIGRATIONS.length) {
    throw new BackupError(`the backup's schema version ${version} is newer than this server's (${POSTGRES_MIGRATIONS.length}): restore it with the server version that made it, or a newer one`);
  }
  const entries: ChainedEntry[] = log
    .map((r) => ({
      seq: Number(r.seq),
      at: r.at ?? '',
      event: r.event ?? '',
      actorId: r.actor_id ?? null,
      subjectId: r.subject_id ?? null,
      sessionId: r.session_id ?? null,
      address: r.address ?? null,
      detail: r.detail ?? null,
      prevHash: r.prev_hash ?? '',
      hash: r.hash ?? '',
    }))
    .sort((a, b) => a.seq - b.seq);
  const headRow = tables.get('audit_head')?.[0];
  const head: ChainHead | undefined = headRow ? { seq: Number(headRow.seq), hash: headRow.hash ?? '' } : undefined;
  const chainKey = deriveRecordsSubkey(key, 'audit-chain');
  try {
    const verdict = await verifyChainOf((async function* () { yield* entries; })(), head, keyedLink(chainKey));
    refuseBrokenChain(verdict);
    return { version, entries: verdict.entries };
  } finally {
    chainKey.fill(0);
  }
}

/** What is in the database now: Confidant servers connected to it, its tables, its schema version. */
async function pgTargetState(url: string, target: PgTarget): Promise<{ servers: number; tables: number; version: number }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, application_name: 'confidant-restore' });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    const code = (err as { code?: string }).code;
    if (code === '3D000') throw new BackupError(`the ${target.describe} does not exist: create it (empty) first, or name another in ${settingName('database')}`);
    throw new BackupError(`cannot reach the ${target.describe}${code ? ` (${code})` : ''}`);
  }
  try {
    const servers = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = 'confidant'`,
    );
    const tables = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = current_schema()`);
    const hasVersion = await client.query<{ present: boolean }>(`SELECT to_regclass('schema_version') IS NOT NULL AS present`);
    const version = hasVersion.rows[0]?.present ? ((await client.query<{ version: number }>(`SELECT version FROM schema_version WHERE id = 1`)).rows[0]?.version ?? 0) : 0;
    return { servers: servers.rows[0]?.n ?? 0, tables: tables.rows[0]?.n ?? 0, version };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function restorePostgres(url: string, from: string, key: Buffer, options: RestoreOptions): Promise<RestoreResult> {
  const target = pgTarget(url);
  const pgRestore = findPgProgram('pg_restore', options.pgBinDir);
  const dump = await inspectDump(pgRestore, from, key);
  const state = await pgTargetState(url, target);
  if (state.servers > 0) {
    throw new BackupError(`the ${target.describe} is in use: ${state.servers} connection(s) from Confidant servers. Stop every server using it, then restore`);
  }
  if (state.tables > 0 && !options.force) {
    throw new BackupError(`the ${target.describe} holds tables: restoring replaces them (nothing is kept). Pass --force to do so, or restore into an empty database`);
  }
  if (state.version > dump.version) {
    throw new BackupError(
      `the ${target.describe} is at schema version ${state.version}, newer than the backup's (${dump.version}): restore into an empty database, and the server brings it up to date`,
    );
  }
  const run = await runPg(
    pgRestore,
    ['--clean', '--if-exists', '--no-owner', '--no-privileges', '--single-transaction', '--exit-on-error', `--dbname=${target.dbname}`, from],
    target,
  );
  if (run.code !== 0) throw pgFailure('pg_restore', run);
  // Brought up to this server's schema, checked again where it now lives, and told of the restore.
  const store = storeOver(await openPostgres(url), createRecordKeys(key, false));
  try {
    refuseBrokenChain(await store.audit.verify());
    const entry = await store.audit.record({ at: new Date(), event: 'audit.restored', actorId: options.actorId ?? ADMIN_COMMAND_ACTOR, address: 'local', detail: 'postgres' });
    return { kind: 'postgres', from, auditEntries: entry.seq, into: `the ${target.describe}` };
  } finally {
    await store.close();
  }
}

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
        const target = pgTarget(config.database!.url);
        const run = await runPg(pgDump, ['--format=custom', '--no-owner', '--no-privileges', `--file=${partial}`, `--dbname=${target.dbname}`], target);
        if (run.code !== 0) throw pgFailure('pg_dump', run);
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
