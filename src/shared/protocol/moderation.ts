/**
 * Moderation, for the session's facilitators only: admitting and denying, verifying, muting,
 * removing, sending back to the waiting room, locking, ending, and reading a client's crisis
 * information, each as one record (request, result, who may call it). A new act of a
 * facilitator on the room or on a client goes here; its handler audits it after it succeeds.
 */
import { z } from 'zod';
import { Done, NoData, type MethodRecord, type WhoMayCall } from './method';
import { Id, MediaKind, VerificationMethod } from './values';
import { SealedKey } from './e2ee';

/** Why a facilitator removed someone: recorded with who removed whom. */
export const RemovalReason = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.string().min(1, 'a reason is needed').max(500, 'at most 500 characters'));

/** The data of an act on one person. */
const ParticipantRef = z.object({ participantId: Id });

const FACILITATORS: WhoMayCall = { facilitator: true };

/** The clients an act reached, by participantId. */
const Reached = z.object({ participantIds: z.array(z.string()) });

export const moderationMethods = {
  // With the group key sealed to the client, where the facilitator's console holds it (e2ee.ts):
  // it goes to them with `admitted`, and only if they are admitted.
  admit: { request: ParticipantRef.extend({ groupKey: SealedKey.optional() }), result: Done, mayCall: FACILITATORS },
  deny: { request: ParticipantRef, result: Done, mayCall: FACILITATORS },
  // `groupKeys`: as `admit`'s, by participantId, for those of the waiting room it has one for.
  admitAll: {
    request: z.object({ groupKeys: z.record(Id, SealedKey).optional() }).strict(),
    result: Reached,
    mayCall: FACILITATORS,
  },
  verify: {
    request: z.object({ participantId: Id, method: VerificationMethod }),
    result: Done,
    mayCall: FACILITATORS,
  },
  mute: { request: z.object({ participantId: Id, kind: MediaKind }), result: Done, mayCall: FACILITATORS },
  muteAll: { request: z.object({ kind: MediaKind }), result: Reached, mayCall: FACILITATORS },
  allowUnmute: { request: z.object({ participantId: Id, kind: MediaKind }), result: Done, mayCall: FACILITATORS },
  remove: { request: z.object({ participantId: Id, reason: RemovalReason }), result: Done, mayCall: FACILITATORS },
  returnToWaiting: { request: ParticipantRef, result: Done, mayCall: FACILITATORS },
  lock: { request: z.object({ locked: z.boolean() }), result: Done, mayCall: FACILITATORS },
  end: { request: NoData, result: Done, mayCall: FACILITATORS },
  crisisInfo: {
    request: ParticipantRef,
    /** Only for the live session, and every call is recorded with who asked and when. */
    result: z.object({ location: z.string().nullable(), emergencyContact: z.string().nullable() }),
    mayCall: FACILITATORS,
  },
} satisfies Record<string, MethodRecord>;
