/**
 * Invitations: one per client per session. The link token only as a SHA-256 digest, the
 * passcode only as a scrypt hash, and the clinic's verification hint and the client's
 * reference sealed under the records key (free text about a client never sits in the data
 * directory in the clear). The reference is found by its keyed hash (`participant_ref`),
 * which also keeps it unique per session.
 */
import { randomUUID } from 'node:crypto';
import { createLogger } from '../../common/logger.js';
import { refContext, type LookupHasher } from './recordKeys.js';
import type { RecordSealer } from './recordSealer.js';
import type { Sql } from './sql.js';

const log = createLogger('store');

export interface Invitation {
  id: string;
  sessionId: string;
  participantRef: string;
  participantId: string;
  passcodeHash: string;
  /** How clinicians can recognise the client; opened from its sealed form. */
  verificationHint: string | null;
  revokedAt: string | null;
  /** Set when the session ended; the invitation no longer opens it. */
  expiredAt: string | null;
  createdAt: string;
  /** When the current link and passcode were issued (creation or the last re-issue). */
  issuedAt: string;
}

export interface NewInvitation {
  sessionId: string;
  participantRef: string;
  tokenHash: string;
  passcodeHash: string;
  verificationHint?: string | null;
}

export interface InvitationRepo {
  create(i: NewInvitation): Promise<Invitation>;
  byId(id: string): Promise<Invitation | undefined>;
  byTokenHash(tokenHash: string): Promise<Invitation | undefined>;
  bySession(sessionId: string): Promise<Invitation[]>;
  /** Every invitation a client has had, across sessions (the clinic's reference). */
  byParticipantRef(participantRef: string): Promise<Invitation[]>;
  byParticipantId(sessionId: string, participantId: string): Promise<Invitation | undefined>;
  /**
   * A new link token and passcode for the same invitation (same participantId); the old
   * digest is overwritten, so the old link becomes an unknown one. False when revoked or
   * expired (nothing changes then).
   */
  reissue(id: string, tokenHash: string, passcodeHash: string, at: Date): Promise<boolean>;
  /** False when it was already revoked. */
  revoke(id: string, at: Date): Promise<boolean>;
  /**
   * Replaces an old form of the passcode's hash with a new form of the same passcode, only if
   * `previous` is still the one stored (a re-issue meanwhile wins). False when it was not.
   */
  rehashPasscode(id: string, previous: string, next: string): Promise<boolean>;
}

interface InvitationRow {
  id: string;
  session_id: string;
  participant_ref_sealed: Buffer;
  participant_id: string;
  passcode_hash: string;
  verification_hint_sealed: Buffer | null;
  revoked_at: string | null;
  expired_at: string | null;
  created_at: string;
  issued_at: string | null;
}

const hintContext = (invitationId: string): string => `invitation-hint\n${invitationId}`;

export function createInvitationRepo(sql: Sql, sealer: RecordSealer, lookup: LookupHasher): InvitationRepo {
  const hydrate = (row: InvitationRow): Invitation => {
    let participantRef: string;
    try {
      participantRef = sealer.open(row.participant_ref_sealed, refContext(row.id));
    } catch {
      // As with a hint: the invitation still works, its reference is lost.
      log.warn('invitation.ref_unreadable', { invitationId: row.id });
      participantRef = `(unreadable ${row.id.slice(0, 8)})`;
    }
    let verificationHint: string | null = null;
    if (row.verification_hint_sealed) {
      try {
        verificationHint = sealer.open(row.verification_hint_sealed, hintContext(row.id));
      } catch {
        // Sealed under another records key (an ephemeral one, before a restart): the hint
        // is lost, the invitation still works.
        log.warn('invitation.hint_unreadable', { invitationId: row.id });
      }
    }
    return {
      id: row.id,
      sessionId: row.session_id,
      participantRef,
      participantId: row.participant_id,
      passcodeHash: row.passcode_hash,
      verificationHint,
      revokedAt: row.revoked_at,
      expiredAt: row.expired_at,
      createdAt: row.created_at,
      issuedAt: row.issued_at ?? row.created_at,
    };
  };
  const one = async (text: string, params: string[]): Promise<Invitation | undefined> => {
    const row = await sql.one<InvitationRow>(text, params);
    return row ? hydrate(row) : undefined;
  };
  const byId = (id: string): Promise<Invitation | undefined> => one(`SELECT * FROM invitations WHERE id = ?`, [id]);
  const changed = async (text: string, params: string[]): Promise<boolean> => (await sql.run(text, params)) === 1;

  return {
    async create(i) {
      const id = randomUUID();
      const now = new Date().toISOString();
      const hint = i.verificationHint ? sealer.seal(i.verificationHint, hintContext(id)) : null;
      await sql.run(
        `INSERT INTO invitations (id, session_id, participant_ref, participant_ref_sealed, participant_id, token_hash, passcode_hash,
                                  verification_hint_sealed, created_at, issued_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          id,
          i.sessionId,
          lookup.participantRef(i.participantRef),
          sealer.seal(i.participantRef, refContext(id)),
          `p-${randomUUID()}`,
          i.tokenHash,
          i.passcodeHash,
          hint,
          now,
          now,
        ],
      );
      const created = await byId(id);
      if (!created) throw new Error('invitation vanished after insert');
      return created;
    },
    byId,
    byTokenHash: (tokenHash) => one(`SELECT * FROM invitations WHERE token_hash = ?`, [tokenHash]),
    // Sorted once opened: the stored column is a hash, whose order means nothing.
    bySession: async (sessionId) =>
      (await sql.all<InvitationRow>(`SELECT * FROM invitations WHERE session_id = ?`, [sessionId]))
        .map(hydrate)
        .sort((a, b) => (a.participantRef < b.participantRef ? -1 : a.participantRef > b.participantRef ? 1 : 0)),
    byParticipantRef: async (participantRef) =>
      (await sql.all<InvitationRow>(`SELECT * FROM invitations WHERE participant_ref = ? ORDER BY created_at`, [lookup.participantRef(participantRef)])).map(
        hydrate,
      ),
    byParticipantId: (sessionId, participantId) =>
      one(`SELECT * FROM invitations WHERE session_id = ? AND participant_id = ?`, [sessionId, participantId]),
    reissue: (id, tokenHash, passcodeHash, at) =>
      changed(
        `UPDATE invitations SET token_hash = ?, passcode_hash = ?, issued_at = ?
         WHERE id = ? AND revoked_at IS NULL AND expired_at IS NULL`,
        [tokenHash, passcodeHash, at.toISOString(), id],
      ),
    revoke: (id, at) => changed(`UPDATE invitations SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, [at.toISOString(), id]),
    rehashPasscode: (id, previous, next) => changed(`UPDATE invitations SET passcode_hash = ? WHERE id = ? AND passcode_hash = ?`, [next, id, previous]),
  };
}
