/**
 * Migration 6: what lets a connection drop, or the server restart, without anyone losing
 * their place in a group.
 *
 * - resumptions: one row per client connected to a live session, or dropped within the grace
 *   period: the digest of its current resume token (never the token), where it stood
 *   (check-in, waiting, admitted), what it chose at check-in (its name sealed under the records
 *   key, like a roster's), and whether a facilitator muted it. `connected` and `last_seen_at`
 *   (refreshed while the room is live) let a restarted server tell who was there when it
 *   stopped and record their drop at the last moment it knew them present; `expires_at` ends
 *   the grace period. A row goes when its client leaves for good (leave, denial, removal, the
 *   session's end, or the grace period passing).
 * - sessions.rejoin_policy: what a client admitted before a server restart finds when it comes
 *   back within the grace period: let in again at once (`readmit`, the default), or the
 *   waiting room (`waiting-room`), for groups whose facilitators want to see everyone in again.
 */
import type { Database } from 'better-sqlite3';

export const version = 6;

export function up(db: Database): void {
  db.exec(`
    ALTER TABLE sessions ADD COLUMN rejoin_policy TEXT NOT NULL DEFAULT 'readmit'
      CHECK (rejoin_policy IN ('readmit', 'waiting-room'));

    CREATE TABLE resumptions (
      participant_id      TEXT PRIMARY KEY,
      session_id          TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
      token_hash          TEXT NOT NULL UNIQUE,
      state               TEXT NOT NULL CHECK (state IN ('check-in', 'waiting', 'admitted')),
      display_name_sealed BLOB,
      knocked_at          TEXT,
      media_audio         INTEGER NOT NULL DEFAULT 0 CHECK (media_audio IN (0, 1)),
      media_video         INTEGER NOT NULL DEFAULT 0 CHECK (media_video IN (0, 1)),
      muted_audio         INTEGER NOT NULL DEFAULT 0 CHECK (muted_audio IN (0, 1)),
      muted_video         INTEGER NOT NULL DEFAULT 0 CHECK (muted_video IN (0, 1)),
      admitted_before     INTEGER NOT NULL DEFAULT 0 CHECK (admitted_before IN (0, 1)),
      connected           INTEGER NOT NULL CHECK (connected IN (0, 1)),
      last_seen_at        TEXT NOT NULL,
      expires_at          TEXT
    );
    CREATE INDEX resumptions_by_session ON resumptions(session_id);
  `);
}
