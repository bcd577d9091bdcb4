/**
 * Migration 15: the group chat turned off, on record (issue 20). Like the room lock (migration
 * 8), a facilitator's "off" lived only in the live room, so a restarted server, or another one
 * taking the session over, reopened the chat. `group_chat_off` holds one row per session whose
 * chat a facilitator turned off, by ids only: when and by which clinician's account; written
 * with the `group_chat.disabled` audit entry, removed with `group_chat.enabled`. Nothing of a
 * message is ever stored.
 */
import type { Database } from 'better-sqlite3';

export const version = 15;

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE group_chat_off (
      session_id     TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
      turned_off_at  TEXT NOT NULL,
      turned_off_by  TEXT NOT NULL
    );
  `);
}
