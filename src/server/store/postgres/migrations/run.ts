/**
 * Applies the PostgreSQL schema's numbered migrations. `schema_version` holds one row, the
 * version the schema is at; each migration runs in one transaction together with the bump of
 * that row, so a failing migration leaves the schema at the version before it. A database at
 * a newer version than this server knows is refused, never downgraded.
 *
 * Several servers may share one database and start at once. The run holds a session-level
 * advisory lock from before it reads the version until after the last migration, so one
 * server migrates and the others wait, then find the schema current and apply nothing. The
 * lock belongs to the connection: a server that dies mid-run lets it go with its connection.
 */
import type pg from 'pg';
import { createLogger } from '../../../../common/logger.js';
import { MigrationError } from '../../migrate.js';
import { POSTGRES_MIGRATIONS } from './index.js';

const log = createLogger('migrate');

/** What a migration runs its statements through: PostgreSQL's own `$1` parameters; a script without parameters may hold several statements. */
export interface MigrationDb {
  query(text: string, params?: readonly (string | number | Buffer | null)[]): Promise<unknown[]>;
}

export interface PostgresMigration {
  readonly version: number;
  up(db: MigrationDb): Promise<void>;
}

/** The advisory lock's key: "Confid" in ASCII, a number no other lock in this database uses. */
export const MIGRATION_LOCK_KEY = 0x436f6e666964;

/** The schema's version (0 for a database never migrated). */
export async function postgresSchemaVersion(client: pg.ClientBase): Promise<number> {
  const table = await client.query<{ present: number | boolean }>(`SELECT to_regclass('schema_version') IS NOT NULL AS present`);
  if (!table.rows[0]?.present) return 0;
  const { rows } = await client.query<{ version: number }>(`SELECT version FROM schema_version WHERE id = 1`);
  return rows[0]?.version ?? 0;
}

/**
 * Brings the database `client` is connected to up to the newest schema; returns the versions
 * applied (none when another server got there first). `client` is a connection of its own,
 * not one a pool hands to other work: it takes the session lock.
 */
export async function migratePostgres(client: pg.ClientBase, migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS): Promise<number[]> {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  if (sorted.some((m, i) => m.version !== i + 1)) throw new MigrationError('migrations must be numbered 1..n without gaps');
  const newest = sorted.length;
  const db: MigrationDb = { query: async (text, params) => (await client.query(text, params ? [...params] : undefined)).rows };

  const { rows } = await client.query<{ locked: number | boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [MIGRATION_LOCK_KEY]);
  if (!rows[0]?.locked) {
    log.info('migration.waiting', { reason: 'another server is migrating this database' });
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  }
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_version (
      id      integer PRIMARY KEY CHECK (id = 1),
      version integer NOT NULL CHECK (version >= 0)
    )`);
    await client.query(`INSERT INTO schema_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`);
    const current = await postgresSchemaVersion(client);
    if (current > newest) throw new MigrationError(`database schema version ${current} is newer than this server (${newest})`);
    const applied: number[] = [];
    for (const m of sorted) {
      if (m.version <= current) continue;
      await client.query('BEGIN');
      try {
        await m.up(db);
        await client.query('UPDATE schema_version SET version = $1 WHERE id = 1', [m.version]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
      applied.push(m.version);
      log.info('migration.applied', { version: m.version, dialect: 'postgres' });
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
  }
}
