/** PostgreSQL migration 8: the console workstation on audit entries, as SQLite's migration 14. */
import type { MigrationDb } from './run.js';

export const version = 8;

export async function up(db: MigrationDb): Promise<void> {
  await db.query(`ALTER TABLE audit_log ADD COLUMN device_id text;`);
}
