/**
 * Migration 5: the tamper-evident audit log, attendance as it happens, and weekly targets.
 *
 * - audit_log takes over from auth_events (migration 3), whose rows it carries over in order
 *   and chains: each entry holds the previous entry's hash and its own, SHA-256 over the
 *   previous hash and the canonical JSON of the entry (see src/server/audit/chain.ts). Triggers
 *   refuse UPDATE and DELETE, so the server itself can only append; someone who drops the
 *   triggers and edits the file breaks the chain, and verification names the first broken row.
 *   audit_head keeps the last sequence number and hash, written in the same transaction as
 *   each append, so deleting the newest entries is caught too.
 * - attendance_events: each client's path through a live session (knock, admit, reconnect,
 *   leave, drop, return to waiting, deny, remove, end), by participantId and clinician ids. The
 *   name a client chose is sealed under the records key, bound to its row's session,
 *   participant and time, like a removal reason: the roster needs it, a copied file must not
 *   show it.
 * - attendance_targets: hours a week a client is expected to attend, by participantRef.
 */
import type { Database } from 'better-sqlite3';
import { GENESIS_HASH, legacyLink, type ChainedFields } from '../../audit/chain.js';

export const version = 5;

interface AuthEventRow {
  at: string;
  event: string;
  actor_id: string | null;
  subject_id: string | null;
  address: string | null;
  detail: string | null;
}

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE audit_log (
      seq        INTEGER PRIMARY KEY,
      at         TEXT NOT NULL,
      event      TEXT NOT NULL,
      actor_id   TEXT,
      subject_id TEXT,
      session_id TEXT,
      address    TEXT,
      detail     TEXT,
      prev_hash  TEXT NOT NULL,
      hash       TEXT NOT NULL
    );
    CREATE INDEX audit_by_subject ON audit_log(subject_id, seq);
    CREATE INDEX audit_by_session ON audit_log(session_id, seq);

    CREATE TABLE audit_head (
      id   INTEGER PRIMARY KEY CHECK (id = 1),
      seq  INTEGER NOT NULL,
      hash TEXT NOT NULL
    );

    CREATE TABLE attendance_events (
      id                  INTEGER PRIMARY KEY,
      session_id          TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
      participant_id      TEXT NOT NULL,
      kind                TEXT NOT NULL CHECK (kind IN
                            ('knock', 'admit', 'reconnect', 'leave', 'drop', 'return-to-waiting', 'deny', 'remove', 'end')),
      at                  TEXT NOT NULL,
      -- the clinician who acted (admit, deny, return, remove); null for the client's own acts
      by_id               TEXT,
      -- the name chosen at check-in (knock only), sealed
      display_name_sealed BLOB
    );
    CREATE INDEX attendance_by_session ON attendance_events(session_id, participant_id, id);

    CREATE TABLE attendance_targets (
      participant_ref TEXT PRIMARY KEY,
      hours_per_week  REAL NOT NULL CHECK (hours_per_week >= 0),
      set_by          TEXT NOT NULL,
      set_at          TEXT NOT NULL
    );
  `);

  const insert = db.prepare(
    `INSERT INTO audit_log (seq, at, event, actor_id, subject_id, session_id, address, detail, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let prevHash = GENESIS_HASH;
  let seq = 0;
  for (const row of db.prepare<[], AuthEventRow>(`SELECT * FROM auth_events ORDER BY id`).all()) {
    seq += 1;
    const fields: ChainedFields = {
      seq,
      at: row.at,
      event: row.event,
      actorId: row.actor_id,
      subjectId: row.subject_id,
      sessionId: null,
      address: row.address,
      detail: row.detail,
    };
    // Plain SHA-256 then; migration 7 re-chains under the audit chain key.
    const hash = legacyLink(prevHash, fields);
    insert.run(seq, row.at, row.event, row.actor_id, row.subject_id, null, row.address, row.detail, prevHash, hash);
    prevHash = hash;
  }
  db.prepare(`INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)`).run(seq, prevHash);

  db.exec(`
    DROP TABLE auth_events;
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER attendance_no_update BEFORE UPDATE ON attendance_events
      BEGIN SELECT RAISE(ABORT, 'attendance is append-only'); END;
  `);
}
