/**
 * Issuing, re-issuing and revoking invitations, for a session's facilitators and admins.
 *
 * A link token is 256 random bits and a passcode six random digits; the store keeps only
 * the token's SHA-256 digest and the passcode's keyed hash (auth/passcodeHash.ts), so both are shown exactly once,
 * in the answer to the clinician who issued them. Re-issuing overwrites the digest: the old
 * link becomes an unknown one (hello answers UNAUTHENTICATED, exactly as for a token that
 * never existed, so nobody holding it learns that it once worked). Revoking keeps the
 * digest and marks it: the old link answers REMOVED, and a connected client hears
 * `removed` and is disconnected. Either way every resumption of the invitation ends: its
 * place in the grace period, its stored row and so its resume token.
 */
import {
  ProtocolError,
  type InvitationSummary,
  type IssuedInvitation,
} from '../../shared/protocol.js';
import type { PasscodeHasher } from '../auth/passcodeHash.js';
import { randomDigits, randomToken, tokenDigest } from '../auth/secrets.js';
import { createLogger } from '../../common/logger.js';
import type { RoomRegistry } from '../rooms/roomRegistry.js';
import { mayManageInvitations } from './access.js';
import type { SessionLifecycle } from './lifecycle.js';
import type { Clinician } from '../store/clinicians.js';
import type { Invitation } from '../store/invitations.js';
import type { SessionRecord } from '../store/sessions.js';
import { storageError } from '../store/storageErrors.js';
import type { Store } from '../store/store.js';

const log = createLogger('invitations');

export const PASSCODE_DIGITS = 6;

export interface InvitationDeps {
  store: Store;
  rooms: RoomRegistry;
  lifecycle: SessionLifecycle;
  /** Where clients reach the server: the base of `/join/TOKEN` links. */
  publicUrl: () => string;
}

export type CreateInvitation = { participantRef: string; verificationHint?: string | undefined };

/** Where a request came from, for the audit log: its address and the console workstation it names. */
export interface RequestOrigin {
  address?: string;
  device?: string | null;
}

export interface InvitationService {
  list(by: Clinician, sessionId: string): Promise<InvitationSummary[]>;
  create(by: Clinician, sessionId: string, request: CreateInvitation, from?: RequestOrigin): Promise<IssuedInvitation>;
  reissue(by: Clinician, invitationId: string, from?: RequestOrigin): Promise<IssuedInvitation>;
  revoke(by: Clinician, invitationId: string, from?: RequestOrigin): Promise<InvitationSummary>;
}

/** A fresh link token and passcode with the forms the store keeps. */
export function newInvitationSecrets(passcodes: PasscodeHasher): { token: string; passcode: string; tokenHash: string; passcodeHash: string } {
  const token = randomToken();
  const passcode = randomDigits(PASSCODE_DIGITS);
  return { token, passcode, tokenHash: tokenDigest(token), passcodeHash: passcodes.hash(passcode) };
}

export function createInvitationService(deps: InvitationDeps): InvitationService {
  const { store, lifecycle } = deps;

  const summary = (i: Invitation, session: SessionRecord): InvitationSummary => ({
    id: i.id,
    sessionId: i.sessionId,
    participantRef: i.participantRef,
    participantId: i.participantId,
    verificationHint: i.verificationHint,
    state: i.revokedAt !== null ? 'revoked' : i.expiredAt !== null || lifecycle.stateOf(session) === 'ended' ? 'expired' : 'active',
    createdAt: i.createdAt,
    issuedAt: i.issuedAt,
    revokedAt: i.revokedAt,
  });

  /** The session, if `by` may manage its invitations; an unknown session and someone else's answer alike. */
  const managedSession = async (by: Clinician, sessionId: string): Promise<SessionRecord> => {
    const session = await store.sessions.byId(sessionId);
    if (!session || !mayManageInvitations(by, session)) {
      throw session
        ? new ProtocolError('FORBIDDEN', "only this session's facilitators and admins manage its invitations", { reason: 'invitations-forbidden' })
        : new ProtocolError('NOT_FOUND', 'no such session', { reason: 'session-not-found' });
    }
    return session;
  };

  const managedInvitation = async (by: Clinician, invitationId: string): Promise<{ invitation: Invitation; session: SessionRecord }> => {
    const invitation = await store.invitations.byId(invitationId);
    if (!invitation) throw new ProtocolError('NOT_FOUND', 'no such invitation', { reason: 'invitation-not-found' });
    return { invitation, session: await managedSession(by, invitation.sessionId) };
  };

  const assertNotEnded = (session: SessionRecord): void => {
    if (lifecycle.stateOf(session) === 'ended') throw new ProtocolError('CONFLICT', 'the session has ended', { reason: 'session-ended' });
  };

  /**
   * The old link's stored place goes with it, live room or not: after a restart the row is
   * all that would let its resume token back in (the live room ends its own place above).
   */
  const endResumption = (invitation: Invitation): Promise<void> => store.resumptions.remove(invitation.participantId);

  const record = async (by: Clinician, event: string, invitation: Invitation, from: RequestOrigin = {}): Promise<void> => {
    await store.audit.record({
      at: lifecycle.now(),
      event,
      actorId: by.id,
      subjectId: invitation.id,
      address: from.address ?? null,
      deviceId: from.device ?? null,
      detail: `session=${invitation.sessionId}`,
    });
    log.info(event, { invitationId: invitation.id, sessionId: invitation.sessionId, by: by.id });
  };

  const issued = (invitation: Invitation, session: SessionRecord, token: string, passcode: string): IssuedInvitation => ({
    invitation: summary(invitation, session),
    url: `${deps.publicUrl()}/join/${token}`,
    token,
    passcode,
  });

  return {
    async list(by, sessionId) {
      const session = await managedSession(by, sessionId);
      return (await store.invitations.bySession(session.id)).map((i) => summary(i, session));
    },

    async create(by, sessionId, request, from) {
      const session = await managedSession(by, sessionId);
      assertNotEnded(session);
      const participantRef = request.participantRef.trim();
      if ((await store.invitations.bySession(session.id)).some((i) => i.participantRef === participantRef)) {
        throw new ProtocolError('CONFLICT', 'this client already has an invitation to this session; re-issue it instead', { reason: 'invitation-exists' });
      }
      const secrets = newInvitationSecrets(store.passcodes);
      const hint = request.verificationHint?.trim();
      let invitation: Invitation;
      try {
        invitation = await store.invitations.create({
          sessionId: session.id,
          participantRef,
          tokenHash: secrets.tokenHash,
          passcodeHash: secrets.passcodeHash,
          verificationHint: hint ? hint : null,
        });
      } catch (err) {
        if (storageError(err)) throw err;
        // Lost a race with another request for the same client reference.
        throw new ProtocolError('CONFLICT', 'this client already has an invitation to this session; re-issue it instead', { reason: 'invitation-exists' });
      }
      await record(by, 'invitation.created', invitation, from);
      return issued(invitation, session, secrets.token, secrets.passcode);
    },

    async reissue(by, invitationId, from) {
      const { invitation, session } = await managedInvitation(by, invitationId);
      assertNotEnded(session);
      if (invitation.revokedAt !== null) throw new ProtocolError('CONFLICT', 'a revoked invitation cannot be re-issued', { reason: 'invitation-revoked' });
      const secrets = newInvitationSecrets(store.passcodes);
      if (!(await store.invitations.reissue(invitation.id, secrets.tokenHash, secrets.passcodeHash, lifecycle.now()))) {
        throw new ProtocolError('CONFLICT', 'this invitation can no longer be re-issued', { reason: 'invitation-not-reissuable' });
      }
      deps.rooms.get(session.id)?.invitationChanged(invitation.participantId, 'reissued', by.id);
      await endResumption(invitation);
      await record(by, 'invitation.reissued', invitation, from);
      const fresh = (await store.invitations.byId(invitation.id)) ?? invitation;
      return issued(fresh, session, secrets.token, secrets.passcode);
    },

    async revoke(by, invitationId, from) {
      const { invitation, session } = await managedInvitation(by, invitationId);
      if (!(await store.invitations.revoke(invitation.id, lifecycle.now()))) {
        throw new ProtocolError('CONFLICT', 'this invitation is already revoked', { reason: 'invitation-revoked' });
      }
      deps.rooms.get(session.id)?.invitationChanged(invitation.participantId, 'revoked', by.id);
      await endResumption(invitation);
      await record(by, 'invitation.revoked', invitation, from);
      const fresh = (await store.invitations.byId(invitation.id)) ?? invitation;
      return summary(fresh, session);
    },
  };
}
