/**
 * Applies numbered migrations. SQLite's `user_version` records the schema version; each
 * migration runs in its own transaction together with the bump of `user_version`, so a
 * failing migration leaves the database at the previous version. Migrations that convert
 * rows to sealed or keyed forms get the records keys (`keys`); without them such a migration
 * refuses when there are rows to convert.
 */
import type { Database } from 'better-sqlite3';
import { createLogger } from '../logger.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import type { RecordKeys } from './recordKeys.js';

const log = createLogger('migrate');

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Brings the database up to the newest (or the given) version; returns the versions applied. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS, target?: number, keys?: RecordKeys): number[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) throw new MigrationError(`migrations must be numbered 1..n without gaps`);
  });
  const newest = sorted.length;
  const current = schemaVersion(db);
  if (current > newest) {
    throw new MigrationError(`database schema version ${current} is newer than this server (${newest})`);
  }
  const goal = target ?? newest;
  const applied: number[] = [];
  for (const m of sorted) {
    if (m.version <= current || m.version > goal) continue;
    db.transaction(() => {
      m.up(db, keys);
      db.pragma(`user_version = ${m.version}`);
    })();
    applied.push(m.version);
    log.info('migration.applied', { version: m.version });
  }
  return applied;
}
