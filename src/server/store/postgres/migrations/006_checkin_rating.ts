/** PostgreSQL migration 6: the sealed check-in rating on a knock, as SQLite's migration 12. */
import type { MigrationDb } from './run.js';

export const version = 6;

export async function up(db: MigrationDb): Promise<void> {
  await db.query(`ALTER TABLE attendance_events ADD COLUMN rating_sealed bytea;`);
}
