/**
 * Applies the store's numbered migrations (src/common/migrations.ts). Migrations that convert
 * rows to sealed or keyed forms get the records keys (`keys`); without them such a migration
 * refuses when there are rows to convert.
 */
import type { Database } from 'better-sqlite3';
import { runMigrations, schemaVersion } from '../../common/migrations.js';
import { createLogger } from '../../common/logger.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import type { RecordKeys } from './recordKeys.js';

export { schemaVersion };

const log = createLogger('migrate');

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** Brings the database up to the newest (or the given) version; returns the versions applied. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS, target?: number, keys?: RecordKeys): number[] {
  return runMigrations(db, migrations, keys, {
    ...(target === undefined ? {} : { target }),
    misnumbered: () => new MigrationError('migrations must be numbered 1..n without gaps'),
    newer: (current, newest) => new MigrationError(`database schema version ${current} is newer than this server (${newest})`),
    applied: (version) => log.info('migration.applied', { version }),
  });
}
