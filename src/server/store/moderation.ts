/**
 * What moderation records: verifications, removals (with the invitation's revocation) and
 * crisis-information views, append-only; and the room lock, which must outlive a restart
 * (migration 8). People appear by ids only. Rosters read these.
 */
import type { Database, Statement } from 'better-sqlite3';
import { VerificationMethod } from '../../shared/protocol.js';
import type { RecordSealer } from './recordSealer.js';

export interface VerificationRecord {
  sessionId: string;
  participantId: string;
  method: VerificationMethod;
  /** The verifying clinician's account id. */
  verifiedBy: string;
  verifiedAt: string;
}

export interface RemovalRecord {
  sessionId: string;
  participantId: string;
  /** The removing clinician's account id. */
  removedBy: string;
  /** Opened from its sealed form; only ever in memory. */
  reason: string;
  removedAt: string;
}

export interface CrisisInfoView {
  sessionId: string;
  participantId: string;
  viewedBy: string;
  viewedAt: string;
}

export interface ModerationRepo {
  recordVerification(v: VerificationRecord): void;
  /**
   * Revokes the client's invitation and records who removed them and why, in one
   * transaction. Returns false (and records nothing) when the invitation was already revoked.
   */
  recordRemoval(r: RemovalRecord): boolean;
  recordCrisisInfoView(v: CrisisInfoView): void;
  verifications(sessionId: string): VerificationRecord[];
  removals(sessionId: string): RemovalRecord[];
  crisisInfoViews(sessionId: string): CrisisInfoView[];
  /** Whether the session's room is locked on record (restored when its room reopens). */
  roomLocked(sessionId: string): boolean;
  /** Locks (with who and when) or unlocks the session's room on record. */
  setRoomLock(sessionId: string, lock: { by: string; at: Date } | null): void;
}

/** What a sealed reason is bound to: moving it to another row makes it unreadable. */
function removalContext(sessionId: string, participantId: string, removedAt: string): string {
  return `removal\n${sessionId}\n${participantId}\n${removedAt}`;
}

interface VerificationRow {
  session_id: string;
  participant_id: string;
  method: string;
  verified_by: string;
  verified_at: string;
}

interface RemovalRow {
  session_id: string;
  participant_id: string;
  removed_by: string;
  reason_sealed: Buffer;
  removed_at: string;
}

interface CrisisViewRow {
  session_id: string;
  participant_id: string;
  viewed_by: string;
  viewed_at: string;
}

export function createModerationRepo(db: Database, sealer: RecordSealer): ModerationRepo {
  const insertVerification = db.prepare(
    `INSERT INTO verifications (session_id, participant_id, method, verified_by, verified_at) VALUES (?, ?, ?, ?, ?)`,
  );
  const revoke = db.prepare(
    `UPDATE invitations SET revoked_at = ? WHERE session_id = ? AND participant_id = ? AND revoked_at IS NULL`,
  );
  const insertRemoval = db.prepare(
    `INSERT INTO removals (session_id, participant_id, removed_by, reason_sealed, removed_at) VALUES (?, ?, ?, ?, ?)`,
  );
  const insertView = db.prepare(
    `INSERT INTO crisis_info_views (session_id, participant_id, viewed_by, viewed_at) VALUES (?, ?, ?, ?)`,
  );
  const selectVerifications = db.prepare<[string], VerificationRow>(
    `SELECT * FROM verifications WHERE session_id = ? ORDER BY id`,
  );
  const selectRemovals = db.prepare<[string], RemovalRow>(`SELECT * FROM removals WHERE session_id = ? ORDER BY id`);
  const selectViews = db.prepare<[string], CrisisViewRow>(
    `SELECT * FROM crisis_info_views WHERE session_id = ? ORDER BY id`,
  );
  // Prepared on first use: the lock's table arrived in migration 8, and the earlier
  // migrations' tests drive this repository over their own, older schema.
  let lockStatements: { select: Statement<[string], { one: number }>; upsert: Statement<[string, string, string]>; remove: Statement<[string]> } | undefined;
  const locks = () =>
    (lockStatements ??= {
      select: db.prepare<[string], { one: number }>(`SELECT 1 AS one FROM room_locks WHERE session_id = ?`),
      upsert: db.prepare<[string, string, string]>(
        `INSERT INTO room_locks (session_id, locked_at, locked_by) VALUES (?, ?, ?)
     ON CONFLICT (session_id) DO UPDATE SET locked_at = excluded.locked_at, locked_by = excluded.locked_by`,
      ),
      remove: db.prepare<[string]>(`DELETE FROM room_locks WHERE session_id = ?`),
    });

  const removal = db.transaction((r: RemovalRecord): boolean => {
    if (revoke.run(r.removedAt, r.sessionId, r.participantId).changes === 0) return false;
    const sealed = sealer.seal(r.reason, removalContext(r.sessionId, r.participantId, r.removedAt));
    insertRemoval.run(r.sessionId, r.participantId, r.removedBy, sealed, r.removedAt);
    return true;
  });

  return {
    recordVerification(v) {
      insertVerification.run(v.sessionId, v.participantId, v.method, v.verifiedBy, v.verifiedAt);
    },
    recordRemoval: (r) => removal(r),
    recordCrisisInfoView(v) {
      insertView.run(v.sessionId, v.participantId, v.viewedBy, v.viewedAt);
    },
    verifications: (sessionId) =>
      selectVerifications.all(sessionId).map((row) => ({
        sessionId: row.session_id,
        participantId: row.participant_id,
        method: VerificationMethod.parse(row.method),
        verifiedBy: row.verified_by,
        verifiedAt: row.verified_at,
      })),
    removals: (sessionId) =>
      selectRemovals.all(sessionId).map((row) => ({
        sessionId: row.session_id,
        participantId: row.participant_id,
        removedBy: row.removed_by,
        reason: sealer.open(row.reason_sealed, removalContext(row.session_id, row.participant_id, row.removed_at)),
        removedAt: row.removed_at,
      })),
    crisisInfoViews: (sessionId) =>
      selectViews.all(sessionId).map((row) => ({
        sessionId: row.session_id,
        participantId: row.participant_id,
        viewedBy: row.viewed_by,
        viewedAt: row.viewed_at,
      })),
    roomLocked: (sessionId) => locks().select.get(sessionId) !== undefined,
    setRoomLock(sessionId, lock) {
      if (lock) locks().upsert.run(sessionId, lock.at.toISOString(), lock.by);
      else locks().remove.run(sessionId);
    },
  };
}
