/**
 * Migration 13: written recaps (issue 20). One per session, its text sealed under the records
 * key; and when each client first opened it.
 */
import type { Database } from 'better-sqlite3';

export const version = 13;

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE session_recaps (
      session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
      text_sealed BLOB NOT NULL,
      written_by TEXT NOT NULL,
      written_at TEXT NOT NULL,
      visible_until TEXT NOT NULL
    );
    CREATE TABLE recap_openings (
      session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
      participant_id TEXT NOT NULL,
      opened_at TEXT NOT NULL,
      PRIMARY KEY (session_id, participant_id)
    );
  `);
}
