/**
 * Migration 2: what moderation leaves behind for rosters and supervisors. Verifications,
 * removals and crisis-information views are append-only rows naming people by ids only;
 * invitations learn when they expired (the session ended) and sessions when they ended.
 *
 * What is deliberately absent: display names, messages, locations and emergency contacts
 * live only in the live room's memory. A removal's reason is clinically needed later, so
 * it is kept, but only sealed (AES-256-GCM under a records key held outside the data
 * directory; see recordSealer.ts), never as plaintext.
 */
import type { Database } from 'better-sqlite3';

export const version = 2;

export function up(db: Database): void {
  db.exec(`
    ALTER TABLE invitations ADD COLUMN expired_at TEXT;
    ALTER TABLE sessions ADD COLUMN ended_at TEXT;

    CREATE TABLE verifications (
      id             INTEGER PRIMARY KEY,
      session_id     TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
      participant_id TEXT NOT NULL REFERENCES invitations(participant_id) ON DELETE CASCADE,
      method         TEXT NOT NULL CHECK (method IN ('photo-id', 'verbal-code', 'known-to-clinician')),
      verified_by    TEXT NOT NULL REFERENCES clinicians(id),
      verified_at    TEXT NOT NULL
    );
    CREATE INDEX verifications_by_session ON verifications(session_id, participant_id);

    CREATE TABLE removals (
      id             INTEGER PRIMARY KEY,
      session_id     TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
      participant_id TEXT NOT NULL REFERENCES invitations(participant_id) ON DELETE CASCADE,
      removed_by     TEXT NOT NULL REFERENCES clinicians(id),
      -- the facilitator's reason, sealed: version byte, nonce, tag, ciphertext
      reason_sealed  BLOB NOT NULL,
      removed_at     TEXT NOT NULL
    );
    CREATE INDEX removals_by_session ON removals(session_id, participant_id);

    -- Who looked at a client's crisis information, and when; never what it said.
    CREATE TABLE crisis_info_views (
      id             INTEGER PRIMARY KEY,
      session_id     TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
      participant_id TEXT NOT NULL REFERENCES invitations(participant_id) ON DELETE CASCADE,
      viewed_by      TEXT NOT NULL REFERENCES clinicians(id),
      viewed_at      TEXT NOT NULL
    );
    CREATE INDEX crisis_info_views_by_session ON crisis_info_views(session_id, participant_id);
  `);
}
