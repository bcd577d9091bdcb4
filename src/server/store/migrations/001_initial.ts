/**
 * Migration 1: clinicians and their roles, supervision, bearer tokens, sessions with their
 * co-facilitators, and invitations. Secrets are never stored: tokens and invitation links as
 * SHA-256 digests (they are high-entropy, so a fast hash suffices), passwords and passcodes
 * as scrypt hashes (they are guessable, so a slow, salted hash is needed).
 */
import type { Database } from 'better-sqlite3';

export const version = 1;

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE clinicians (
      id            TEXT PRIMARY KEY,
      username      TEXT NOT NULL UNIQUE,
      display_name  TEXT NOT NULL,
      password_hash TEXT NOT NULL,
      active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
      created_at    TEXT NOT NULL
    );

    CREATE TABLE clinician_roles (
      clinician_id TEXT NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
      role         TEXT NOT NULL CHECK (role IN ('facilitator', 'supervisor', 'admin')),
      PRIMARY KEY (clinician_id, role)
    );

    CREATE TABLE supervision (
      supervisor_id  TEXT NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
      facilitator_id TEXT NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
      PRIMARY KEY (supervisor_id, facilitator_id)
    );
    CREATE INDEX supervision_by_facilitator ON supervision(facilitator_id);

    CREATE TABLE tokens (
      token_hash   TEXT PRIMARY KEY,
      clinician_id TEXT NOT NULL REFERENCES clinicians(id) ON DELETE CASCADE,
      created_at   TEXT NOT NULL,
      expires_at   TEXT NOT NULL,
      revoked      INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
    );
    CREATE INDEX tokens_by_clinician ON tokens(clinician_id);

    CREATE TABLE sessions (
      id             TEXT PRIMARY KEY,
      title          TEXT NOT NULL,
      starts_at      TEXT NOT NULL,
      ends_at        TEXT NOT NULL,
      facilitator_id TEXT NOT NULL REFERENCES clinicians(id),
      state          TEXT NOT NULL DEFAULT 'scheduled'
                     CHECK (state IN ('scheduled', 'open', 'live', 'ended')),
      created_at     TEXT NOT NULL
    );
    CREATE INDEX sessions_by_facilitator ON sessions(facilitator_id);

    CREATE TABLE session_cofacilitators (
      session_id     TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
      facilitator_id TEXT NOT NULL REFERENCES clinicians(id),
      PRIMARY KEY (session_id, facilitator_id)
    );
    CREATE INDEX cofacilitators_by_facilitator ON session_cofacilitators(facilitator_id);

    CREATE TABLE invitations (
      id              TEXT PRIMARY KEY,
      session_id      TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
      participant_ref TEXT NOT NULL,
      -- the participantId peers see; stable for the invitation across reconnects
      participant_id  TEXT NOT NULL UNIQUE,
      token_hash      TEXT NOT NULL UNIQUE,
      passcode_hash   TEXT NOT NULL,
      revoked_at      TEXT,
      created_at      TEXT NOT NULL,
      UNIQUE (session_id, participant_ref)
    );
  `);
}
