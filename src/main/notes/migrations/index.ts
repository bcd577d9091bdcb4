/** Every vault migration in order. A new schema version is a new numbered file added here. */
import type { NumberedMigration } from '../../../common/migrations';
import * as m001 from './001_vault';
import * as m002 from './002_index_snapshot';
import * as m003 from './003_note_docs';
import * as m004 from './004_purpose_keys';

/**
 * One numbered step. Its context is the keychain key, which only a migration marked
 * `needsKey` reads: those run once the vault is unlocked (migrate.ts), the others at open.
 */
export type VaultMigration = NumberedMigration<Uint8Array | null> & { needsKey?: boolean };

export const VAULT_MIGRATIONS: readonly VaultMigration[] = [m001, m002, m003, m004];
