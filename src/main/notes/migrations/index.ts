/** Every vault migration in order. A new schema version is a new numbered file added here. */
import type { NumberedMigration } from '../../../common/migrations';
import * as m001 from './001_vault';
import * as m002 from './002_index_snapshot';
import * as m003 from './003_note_docs';

export type VaultMigration = NumberedMigration<undefined>;

export const VAULT_MIGRATIONS: readonly VaultMigration[] = [m001, m002, m003];
