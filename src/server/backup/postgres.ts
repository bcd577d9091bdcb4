/**
 * PostgreSQL backups and restores: finding pg_dump and pg_restore, running them with the
 * password in their environment (never on their command line, never printed), reading a
 * dump's schema version and audit rows to verify its chain before anything is replaced,
 * asking the target database what is in it and who is connected, and the dump and restore
 * themselves.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { ADMIN_COMMAND_ACTOR } from '../accounts/accounts.js';
import { keyedLink, verifyChainOf, type ChainedEntry, type ChainHead } from '../audit/chain.js';
import { settingName } from '../config.js';
import { POSTGRES_MIGRATIONS } from '../store/postgres/migrations/index.js';
import { openPostgres, parseDatabaseUrl } from '../store/postgres/open.js';
import { createRecordKeys, deriveRecordsSubkey } from '../store/recordKeys.js';
import { storeOver } from '../store/store.js';
import { BackupError, errno, refuseBrokenChain, type RestoreOptions, type RestoreResult } from './shared.js';


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
export function findPgProgram(program: PgProgram, binDir = process.env.CONFIDANT_PG_BIN || undefined): string {
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
      deviceId: r.device_id ?? null,
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

/** Dumps the database at `url` into `partial` with `pgDump`, in pg_dump's custom format. */
export async function backupPostgres(url: string, pgDump: string, partial: string): Promise<void> {
  const target = pgTarget(url);
  const run = await runPg(pgDump, ['--format=custom', '--no-owner', '--no-privileges', `--file=${partial}`, `--dbname=${target.dbname}`], target);
  if (run.code !== 0) throw pgFailure('pg_dump', run);
}

export async function restorePostgres(url: string, from: string, key: Buffer, options: RestoreOptions): Promise<RestoreResult> {
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
