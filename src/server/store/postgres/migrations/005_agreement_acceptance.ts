/** PostgreSQL migration 5: the agreement version a client accepted, on their knock, as SQLite's migration 11. */
import type { MigrationDb } from './run.js';

export const version = 5;

export async function up(db: MigrationDb): Promise<void> {
  await db.query(`ALTER TABLE attendance_events ADD COLUMN agreement_version text;`);
}
