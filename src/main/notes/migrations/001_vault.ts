/**
 * Migration 1: the vault. What stays in the clear is what sync and the lifecycle's
 * bookkeeping need and what says nothing about a client: opaque ids, version numbers, the
 * status and the template name. Everything a clinician wrote or that names or dates a client
 * encounter is sealed (see sealing.ts): `meta_sealed` holds the list fields (title, client
 * references, service date, timestamps) so the list opens without touching bodies, and
 * `doc_sealed` holds the whole note. The clear columns are checked against the sealed note
 * when it opens, so editing them (say, a signed note's status back to draft) makes the note
 * damaged instead of editable.
 */
import type { Database } from 'better-sqlite3';

export const version = 1;

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE vault_meta (
      name  TEXT PRIMARY KEY,
      value BLOB NOT NULL
    );

    CREATE TABLE notes (
      id          TEXT PRIMARY KEY,
      version     INTEGER NOT NULL CHECK (version >= 1),
      status      TEXT NOT NULL,
      template    TEXT NOT NULL,
      author_id   TEXT NOT NULL,
      session_id  TEXT,
      -- the version the server is known to hold (0: never synced); an outbox entry's base
      synced_version INTEGER NOT NULL DEFAULT 0,
      meta_sealed BLOB NOT NULL,
      doc_sealed  BLOB NOT NULL
    );

    -- One entry per note with unsynced changes: its newest version and the server's.
    CREATE TABLE outbox (
      id           TEXT PRIMARY KEY REFERENCES notes(id) ON DELETE CASCADE,
      version      INTEGER NOT NULL,
      base_version INTEGER NOT NULL,
      attempts     INTEGER NOT NULL DEFAULT 0,
      not_before   INTEGER NOT NULL DEFAULT 0
    );

    -- The server's copy of a note that conflicts with ours, sealed like a note.
    CREATE TABLE conflicts (
      id      TEXT PRIMARY KEY REFERENCES notes(id) ON DELETE CASCADE,
      version INTEGER NOT NULL,
      sealed  BLOB NOT NULL
    );
  `);
}
