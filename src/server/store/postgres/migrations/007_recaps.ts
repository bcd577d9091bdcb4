/** PostgreSQL migration 7: written recaps and their openings, as SQLite's migration 13. */
import type { MigrationDb } from './run.js';

export const version = 7;

export async function up(db: MigrationDb): Promise<void> {
  await db.query(`
    CREATE TABLE session_recaps (
      session_id text PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
      text_sealed bytea NOT NULL,
      written_by text NOT NULL,
      written_at text NOT NULL,
      visible_until text NOT NULL
    );
    CREATE TABLE recap_openings (
      session_id text NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
      participant_id text NOT NULL,
      opened_at text NOT NULL,
      PRIMARY KEY (session_id, participant_id)
    );
  `);
}
