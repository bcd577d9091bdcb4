/**
 * Migration 7: session titles and client references sealed at rest, and the audit chain keyed.
 *
 * - sessions.title becomes title_sealed (AES-256-GCM under the records key, bound to the
 *   session's id): a group's name can say what its members are treated for.
 * - invitations.participant_ref now holds the keyed hash of the reference (HMAC under the
 *   lookup key derived from the records key), which is how a client's invitations are found
 *   and what keeps a reference unique per session; the reference itself is in
 *   participant_ref_sealed. attendance_targets.participant_ref holds the same hash.
 * - The audit log is re-chained under HMAC-SHA-256 (the audit chain key), and the entries that
 *   named a client by reference (attendance.viewed, attendance.target_set) name the keyed
 *   hash instead (`ref:<hex>`).
 *
 * Why re-chaining is acceptable: the plain SHA-256 chain proved nothing against anyone able to
 * write the file (they could recompute it), so no guarantee is lost by replacing its hashes.
 * What re-chaining could hide, a history already altered before the upgrade, is not hidden:
 * the old chain is checked first, and the entry appended last, `audit.rekeyed`, records its
 * verdict ("legacy chain intact: N entries" or where it was broken) under the new key. The
 * alternative, keeping SHA-256 links up to a marker, would leave a prefix that stays
 * rewritable forever.
 *
 * Old plaintext is not left behind in freed pages or index cells: `secure_delete` is on (the
 * store keeps it on), so what this migration overwrites is zeroed in the file.
 */
import type { Database } from 'better-sqlite3';
import { GENESIS_HASH, keyedLink, legacyLink, verifyChain, type ChainedEntry } from '../../audit/chain.js';
import { refContext, refSubject, titleContext, type RecordKeys } from '../recordKeys.js';

export const version = 7;

/** The events whose subject was a client's reference in the clear. */
const REF_SUBJECT_EVENTS = new Set(['attendance.viewed', 'attendance.target_set']);

interface AuditRow {
  seq: number;
  at: string;
  event: string;
  actor_id: string | null;
  subject_id: string | null;
  session_id: string | null;
  address: string | null;
  detail: string | null;
  prev_hash: string;
  hash: string;
}

function hasRows(db: Database): boolean {
  const count = (table: string): number => db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${table}`).get()?.n ?? 0;
  return ['sessions', 'invitations', 'attendance_targets', 'audit_log'].some((t) => count(t) > 0);
}

export function up(db: Database, keys?: RecordKeys): void {
  // A key made for this run only would seal the existing records into something the next
  // restart cannot open: refuse, changing nothing, rather than lose them.
  if ((!keys || keys.ephemeral) && hasRows(db)) {
    throw new Error('migration 7 seals titles and client references and keys the audit chain: it needs the records key (recordsKeyFile)');
  }

  db.pragma('secure_delete = ON');
  db.exec(`ALTER TABLE sessions ADD COLUMN title_sealed BLOB`);
  db.exec(`ALTER TABLE invitations ADD COLUMN participant_ref_sealed BLOB`);
  if (keys) convert(db, keys);
  db.exec(`ALTER TABLE sessions DROP COLUMN title`);
}

function convert(db: Database, keys: RecordKeys): void {
  const { sealer, lookup } = keys;

  const sealTitle = db.prepare(`UPDATE sessions SET title_sealed = ? WHERE id = ?`);
  for (const s of db.prepare<[], { id: string; title: string }>(`SELECT id, title FROM sessions`).all()) {
    sealTitle.run(sealer.seal(s.title, titleContext(s.id)), s.id);
  }

  const sealRef = db.prepare(`UPDATE invitations SET participant_ref = ?, participant_ref_sealed = ? WHERE id = ?`);
  for (const i of db.prepare<[], { id: string; participant_ref: string }>(`SELECT id, participant_ref FROM invitations`).all()) {
    sealRef.run(lookup.participantRef(i.participant_ref), sealer.seal(i.participant_ref, refContext(i.id)), i.id);
  }

  const hashTarget = db.prepare(`UPDATE attendance_targets SET participant_ref = ? WHERE participant_ref = ?`);
  for (const t of db.prepare<[], { participant_ref: string }>(`SELECT participant_ref FROM attendance_targets`).all()) {
    hashTarget.run(lookup.participantRef(t.participant_ref), t.participant_ref);
  }

  rechain(db, keys);
}

function rechain(db: Database, keys: RecordKeys): void {
  const rows = db.prepare<[], AuditRow>(`SELECT * FROM audit_log ORDER BY seq`).all();
  // An empty log has nothing to re-chain, and a new database starts without a marker.
  if (rows.length === 0) return;
  const head = db.prepare<[], { seq: number; hash: string }>(`SELECT seq, hash FROM audit_head WHERE id = 1`).get();
  const asEntry = (r: AuditRow): ChainedEntry => ({
    seq: r.seq,
    at: r.at,
    event: r.event,
    actorId: r.actor_id,
    subjectId: r.subject_id,
    sessionId: r.session_id,
    address: r.address,
    detail: r.detail,
    prevHash: r.prev_hash,
    hash: r.hash,
  });
  const legacy = verifyChain(rows.map(asEntry), head, legacyLink);

  db.exec(`DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;`);
  const link = keyedLink(keys.chainKey);
  const rewrite = db.prepare(`UPDATE audit_log SET subject_id = ?, prev_hash = ?, hash = ? WHERE seq = ?`);
  let prevHash = GENESIS_HASH;
  let seq = 0;
  for (const r of rows) {
    const entry = asEntry(r);
    if (REF_SUBJECT_EVENTS.has(r.event) && r.subject_id !== null && !r.subject_id.startsWith('ref:')) {
      entry.subjectId = refSubject(keys.lookup, r.subject_id);
    }
    const hash = link(prevHash, entry);
    rewrite.run(entry.subjectId, prevHash, hash, r.seq);
    prevHash = hash;
    seq = r.seq;
  }
  // The marker: what the old chain said, on the record under the new key.
  const marker = {
    seq: seq + 1,
    at: new Date().toISOString(),
    event: 'audit.rekeyed',
    actorId: null,
    subjectId: null,
    sessionId: null,
    address: null,
    detail: legacy.ok ? `legacy chain intact: ${legacy.entries} entries` : `legacy chain broken at ${legacy.brokenAt}: ${legacy.reason}`,
  };
  const markerHash = link(prevHash, marker);
  db.prepare(
    `INSERT INTO audit_log (seq, at, event, actor_id, subject_id, session_id, address, detail, prev_hash, hash)
     VALUES (?, ?, ?, NULL, NULL, NULL, NULL, ?, ?, ?)`,
  ).run(marker.seq, marker.at, marker.event, marker.detail, prevHash, markerHash);
  db.prepare(`INSERT OR REPLACE INTO audit_head (id, seq, hash) VALUES (1, ?, ?)`).run(marker.seq, markerHash);
  db.exec(`
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  `);
}
