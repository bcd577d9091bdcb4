/** Invitations: one per client per session; the link token only as a SHA-256 digest. */
import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';

export interface Invitation {
  id: string;
  sessionId: string;
  participantRef: string;
  participantId: string;
  passcodeHash: string;
  revokedAt: string | null;
  /** Set when the session ended; the invitation no longer opens it. */
  expiredAt: string | null;
  createdAt: string;
}

export interface NewInvitation {
  sessionId: string;
  participantRef: string;
  tokenHash: string;
  passcodeHash: string;
}

export interface InvitationRepo {
  create(i: NewInvitation): Invitation;
  byTokenHash(tokenHash: string): Invitation | undefined;
  bySession(sessionId: string): Invitation[];
  byParticipantId(sessionId: string, participantId: string): Invitation | undefined;
  revoke(id: string, at: Date): void;
}

interface InvitationRow {
  id: string;
  session_id: string;
  participant_ref: string;
  participant_id: string;
  passcode_hash: string;
  revoked_at: string | null;
  expired_at: string | null;
  created_at: string;
}

const hydrate = (row: InvitationRow): Invitation => ({
  id: row.id,
  sessionId: row.session_id,
  participantRef: row.participant_ref,
  participantId: row.participant_id,
  passcodeHash: row.passcode_hash,
  revokedAt: row.revoked_at,
  expiredAt: row.expired_at,
  createdAt: row.created_at,
});

export function createInvitationRepo(db: Database): InvitationRepo {
  const insert = db.prepare(
    `INSERT INTO invitations (id, session_id, participant_ref, participant_id, token_hash, passcode_hash, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const selectById = db.prepare<[string], InvitationRow>(`SELECT * FROM invitations WHERE id = ?`);
  const selectByToken = db.prepare<[string], InvitationRow>(`SELECT * FROM invitations WHERE token_hash = ?`);
  const selectBySession = db.prepare<[string], InvitationRow>(
    `SELECT * FROM invitations WHERE session_id = ? ORDER BY participant_ref`,
  );
  const selectByParticipant = db.prepare<[string, string], InvitationRow>(
    `SELECT * FROM invitations WHERE session_id = ? AND participant_id = ?`,
  );
  const revoke = db.prepare(`UPDATE invitations SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`);
  return {
    create(i) {
      const id = randomUUID();
      insert.run(id, i.sessionId, i.participantRef, `p-${randomUUID()}`, i.tokenHash, i.passcodeHash, new Date().toISOString());
      const row = selectById.get(id);
      if (!row) throw new Error('invitation vanished after insert');
      return hydrate(row);
    },
    byTokenHash(tokenHash) {
      const row = selectByToken.get(tokenHash);
      return row ? hydrate(row) : undefined;
    },
    bySession: (sessionId) => selectBySession.all(sessionId).map(hydrate),
    byParticipantId(sessionId, participantId) {
      const row = selectByParticipant.get(sessionId, participantId);
      return row ? hydrate(row) : undefined;
    },
    revoke(id, at) {
      revoke.run(at.toISOString(), id);
    },
  };
}
