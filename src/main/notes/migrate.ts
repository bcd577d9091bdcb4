/** Applies the vault's numbered migrations (src/common/migrations.ts). */
import type { Database } from 'better-sqlite3';
import { ProtocolError } from '../../shared/protocol';
import { runMigrations, schemaVersion } from '../../common/migrations';
import { createLogger } from '../../common/logger';
import { VAULT_MIGRATIONS, type VaultMigration } from './migrations/index';

const log = createLogger('notes.migrate');

export const vaultSchemaVersion = schemaVersion;

export function migrateVault(db: Database, migrations: readonly VaultMigration[] = VAULT_MIGRATIONS): number[] {
  return runMigrations(db, migrations, undefined, {
    misnumbered: () => new Error('vault migrations must be numbered 1..n without gaps'),
    newer: (current) => new ProtocolError('INTERNAL', `The note vault was written by a newer Confidant (schema ${current}); update the console.`),
    applied: (version) => log.info('migration.applied', { version }),
  });
}
