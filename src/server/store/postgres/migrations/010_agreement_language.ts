/** PostgreSQL migration 10: the language of the agreement a client accepted, on their knock, as SQLite's migration 16. */
import type { MigrationDb } from './run.js';

export const version = 10;

export async function up(db: MigrationDb): Promise<void> {
  await db.query(`ALTER TABLE attendance_events ADD COLUMN agreement_language text;`);
}
