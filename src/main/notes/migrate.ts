/**
 * Applies the vault's numbered migrations. `user_version` records the schema version; each
 * migration runs in one transaction with its bump, so a failure leaves the previous version.
 */
import type { Database } from 'better-sqlite3';
import { ProtocolError } from '../../shared/protocol';
import { createLogger } from '../log';
import { VAULT_MIGRATIONS, type VaultMigration } from './migrations/index';

const log = createLogger('notes.migrate');

export function vaultSchemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrateVault(db: Database, migrations: readonly VaultMigration[] = VAULT_MIGRATIONS): number[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error('vault migrations must be numbered 1..n without gaps');
  });
  const current = vaultSchemaVersion(db);
  if (current > sorted.length) {
    throw new ProtocolError('INTERNAL', `The note vault was written by a newer Confidant (schema ${current}); update the console.`);
  }
  const applied: number[] = [];
  for (const m of sorted) {
    if (m.version <= current) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
    applied.push(m.version);
    log.info(`migration.applied version=${m.version}`);
  }
  return applied;
}
