/**
 * Applies the vault's numbered migrations (src/common/migrations.ts). Without the keychain key
 * (before unlock, or a locked vault) it stops before the first migration that needs the key;
 * given the key (notes/key.ts, once the keychain has answered) it runs the rest.
 */
import type { Database } from 'better-sqlite3';
import { ProtocolError } from '../../shared/protocol';
import { runMigrations, schemaVersion } from '../../common/migrations';
import { createLogger } from '../../common/logger';
import { VAULT_MIGRATIONS, type VaultMigration } from './migrations/index';

const log = createLogger('notes.migrate');

export const vaultSchemaVersion = schemaVersion;

/** The newest version reachable without the keychain key; undefined when every migration is. */
function keylessVersion(migrations: readonly VaultMigration[]): number | undefined {
  const first = migrations.filter((m) => m.needsKey).reduce<number | undefined>((v, m) => (v === undefined || m.version < v ? m.version : v), undefined);
  return first === undefined ? undefined : first - 1;
}

export function migrateVault(db: Database, keychainKey: Uint8Array | null, migrations: readonly VaultMigration[] = VAULT_MIGRATIONS): number[] {
  const target = keychainKey ? undefined : keylessVersion(migrations);
  return runMigrations(db, migrations, keychainKey, {
    ...(target === undefined ? {} : { target }),
    misnumbered: () => new Error('vault migrations must be numbered 1..n without gaps'),
    newer: (current) =>
      new ProtocolError('INTERNAL', `The note vault was written by a newer Confidant (schema ${current}); update the console.`, {
        reason: 'notes-newer-schema',
        params: { schema: current },
      }),
    applied: (version) => log.info('migration.applied', { version }),
  });
}
