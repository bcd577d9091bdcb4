/**
 * What moderation records: verifications, removals (with the invitation's revocation) and
 * crisis-information views, append-only; and the room lock, which must outlive a restart
 * (migration 8). People appear by ids only. Rosters read these.
 */
import { VerificationMethod } from '../../shared/protocol.js';
import type { RecordSealer } from './recordSealer.js';
import type { Sql } from './sql.js';

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
  recordVerification(v: VerificationRecord): Promise<void>;
  /**
   * Revokes the client's invitation and records who removed them and why, in one
   * transaction. Returns false (and records nothing) when the invitation was already revoked.
   */
  recordRemoval(r: RemovalRecord): Promise<boolean>;
  recordCrisisInfoView(v: CrisisInfoView): Promise<void>;
  verifications(sessionId: string): Promise<VerificationRecord[]>;
  removals(sessionId: string): Promise<RemovalRecord[]>;
  crisisInfoViews(sessionId: string): Promise<CrisisInfoView[]>;
  /**
   * What of the session's room is on record, restored when its room reopens: whether it is
   * locked, and whether a facilitator turned its group chat off.
   */
  roomOnRecord(sessionId: string): Promise<RoomOnRecord>;
  /** Locks (with who and when) or unlocks the session's room on record. */
  setRoomLock(sessionId: string, lock: { by: string; at: Date } | null): Promise<void>;
  /** Turns the session's group chat off (with who and when) or back on, on record. */
  setGroupChatOff(sessionId: string, off: { by: string; at: Date } | null): Promise<void>;
}

/** What a session's room keeps on record across restarts and takeovers. */
export interface RoomOnRecord {
  locked: boolean;
  groupChatOff: boolean;
}

/** A room with nothing on record: open, its group chat on. */
export const NOTHING_ON_RECORD: RoomOnRecord = { locked: false, groupChatOff: false };

/** A table holding one row per session with a flag set on record: who set it, and when. */
interface SessionFlagTable {
  table: 'room_locks' | 'group_chat_off';
  at: string;
  by: string;
}
const ROOM_LOCK: SessionFlagTable = { table: 'room_locks', at: 'locked_at', by: 'locked_by' };
const GROUP_CHAT_OFF: SessionFlagTable = { table: 'group_chat_off', at: 'turned_off_at', by: 'turned_off_by' };

/** Sets the flag (with who and when, the latest kept) or clears it. Names come from the constants above only. */
async function setSessionFlag(sql: Sql, { table, at, by }: SessionFlagTable, sessionId: string, set: { by: string; at: Date } | null): Promise<void> {
  if (!set) {
    await sql.run(`DELETE FROM ${table} WHERE session_id = ?`, [sessionId]);
    return;
  }
  await sql.run(
    `INSERT INTO ${table} (session_id, ${at}, ${by}) VALUES (?, ?, ?)
     ON CONFLICT (session_id) DO UPDATE SET ${at} = excluded.${at}, ${by} = excluded.${by}`,
    [sessionId, set.at.toISOString(), set.by],
  );
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

export function createModerationRepo(sql: Sql, sealer: RecordSealer): ModerationRepo {
  return {
    async recordVerification(v) {
      await sql.run(`INSERT INTO verifications (session_id, participant_id, method, verified_by, verified_at) VALUES (?, ?, ?, ?, ?)`, [
        v.sessionId,
        v.participantId,
        v.method,
        v.verifiedBy,
        v.verifiedAt,
      ]);
    },
    recordRemoval: (r) =>
      sql.transaction(async (tx) => {
        const revoked = await tx.run(
          `UPDATE invitations SET revoked_at = ? WHERE session_id = ? AND participant_id = ? AND revoked_at IS NULL`,
          [r.removedAt, r.sessionId, r.participantId],
        );
        if (revoked === 0) return false;
        const sealed = sealer.seal(r.reason, removalContext(r.sessionId, r.participantId, r.removedAt));
        await tx.run(`INSERT INTO removals (session_id, participant_id, removed_by, reason_sealed, removed_at) VALUES (?, ?, ?, ?, ?)`, [
          r.sessionId,
          r.participantId,
          r.removedBy,
          sealed,
          r.removedAt,
        ]);
        return true;
      }),
    async recordCrisisInfoView(v) {
      await sql.run(`INSERT INTO crisis_info_views (session_id, participant_id, viewed_by, viewed_at) VALUES (?, ?, ?, ?)`, [
        v.sessionId,
        v.participantId,
        v.viewedBy,
        v.viewedAt,
      ]);
    },
    verifications: async (sessionId) =>
      (await sql.all<VerificationRow>(`SELECT * FROM verifications WHERE session_id = ? ORDER BY id`, [sessionId])).map((row) => ({
        sessionId: row.session_id,
        participantId: row.participant_id,
        method: VerificationMethod.parse(row.method),
        verifiedBy: row.verified_by,
        verifiedAt: row.verified_at,
      })),
    removals: async (sessionId) =>
      (await sql.all<RemovalRow>(`SELECT * FROM removals WHERE session_id = ? ORDER BY id`, [sessionId])).map((row) => ({
        sessionId: row.session_id,
        participantId: row.participant_id,
        removedBy: row.removed_by,
        reason: sealer.open(row.reason_sealed, removalContext(row.session_id, row.participant_id, row.removed_at)),
        removedAt: row.removed_at,
      })),
    crisisInfoViews: async (sessionId) =>
      (await sql.all<CrisisViewRow>(`SELECT * FROM crisis_info_views WHERE session_id = ? ORDER BY id`, [sessionId])).map((row) => ({
        sessionId: row.session_id,
        participantId: row.participant_id,
        viewedBy: row.viewed_by,
        viewedAt: row.viewed_at,
      })),
    async roomOnRecord(sessionId) {
      // One round trip for both, as it sits on every hello's path.
      const row = await sql.one<{ locked: number | string; chat_off: number | string }>(
        `SELECT (SELECT count(*) FROM room_locks WHERE session_id = ?) AS locked,
                (SELECT count(*) FROM group_chat_off WHERE session_id = ?) AS chat_off`,
        [sessionId, sessionId],
      );
      return { locked: Number(row?.locked ?? 0) > 0, groupChatOff: Number(row?.chat_off ?? 0) > 0 };
    },
    setRoomLock: (sessionId, lock) => setSessionFlag(sql, ROOM_LOCK, sessionId, lock),
    setGroupChatOff: (sessionId, off) => setSessionFlag(sql, GROUP_CHAT_OFF, sessionId, off),
  };
}
