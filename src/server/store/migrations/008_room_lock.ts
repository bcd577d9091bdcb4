/**
 * Migration 8: the room lock on record. A lock lived only in the live room's memory, so a
 * restarted server (a deploy, a crash) reopened a locked group unlocked and let newcomers
 * knock. `room_locks` holds one row per locked session, by ids only: when and by which
 * clinician's account. The row is written in the same transaction as the `room.locked`
 * audit entry and removed on unlock or when the session ends in its room; a session's rows
 * go with it. A lock is the session's, not one process's room: it holds across a restart and
 * across the room closing because everyone has gone, until a facilitator unlocks.
 */
import type { Database } from 'better-sqlite3';

export const version = 8;

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE room_locks (
      session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
      locked_at  TEXT NOT NULL,
      locked_by  TEXT NOT NULL
    );
  `);
}
