/**
 * Migration 4: progress notes synced from consoles.
 *
 * - notes: each note's latest version. The whole note (title, client references, every
 *   section, signatures, addenda, session and service date) is sealed under the records key
 *   (AES-256-GCM, the note's id and version bound in as associated data, so a sealed note
 *   cannot be moved to another row or passed off as another version). In the clear only what
 *   authorization and sync need: who wrote it (who may put it, whose supervisor co-signs it),
 *   its version (idempotency and the baseVersion check), its status (the co-sign queue) and
 *   when this server stored it (what `GET /api/notes?since=` compares, by the server's clock).
 *   **Choice:** the session id stays inside the seal; nothing authorizes by it, and it would
 *   say which group a clinician wrote about.
 * - note_versions: every signed version ever stored, sealed the same way. A signed version
 *   never changes; a returned note signed again keeps its earlier signed text here.
 */
import type { Database } from 'better-sqlite3';

export const version = 4;

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE notes (
      id          TEXT PRIMARY KEY,
      author_id   TEXT NOT NULL REFERENCES clinicians(id),
      version     INTEGER NOT NULL CHECK (version >= 1),
      status      TEXT NOT NULL CHECK (status IN ('draft', 'signed', 'awaiting-cosign', 'returned', 'cosigned')),
      -- when this server stored the version (server clock), not the console's updatedAt
      updated_at  TEXT NOT NULL,
      -- the whole Note as JSON, sealed: version byte, nonce, tag, ciphertext
      note_sealed BLOB NOT NULL
    );
    CREATE INDEX notes_by_author ON notes(author_id, updated_at);
    CREATE INDEX notes_by_status ON notes(status, author_id, updated_at);

    CREATE TABLE note_versions (
      note_id     TEXT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
      version     INTEGER NOT NULL,
      status      TEXT NOT NULL,
      stored_at   TEXT NOT NULL,
      note_sealed BLOB NOT NULL,
      PRIMARY KEY (note_id, version)
    );
  `);
}
