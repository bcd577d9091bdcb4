/** PostgreSQL migration 9: the group chat turned off, on record, as SQLite's migration 15. */
import type { MigrationDb } from './run.js';

export const version = 9;

export async function up(db: MigrationDb): Promise<void> {
  await db.query(`
    CREATE TABLE group_chat_off (
      session_id     text PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
      turned_off_at  text NOT NULL,
      turned_off_by  text NOT NULL
    );
  `);
}
