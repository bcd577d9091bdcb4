/**
 * The HTTP API's shapes for sessions (docs/protocol.md, "Scheduling", "Session tickets",
 * "Invitations"): a session as clinicians see it, scheduling one, the ticket a clinician's
 * hello presents, and invitations. A new session or invitation endpoint's shapes go here.
 */
import { z } from 'zod';
import { Id, SessionState } from '../values';

/**
 * What a client admitted before a server restart finds when it comes back within the grace
 * period (an addition to PROTOCOL.md): let in again at once, or the waiting room.
 */
export const RejoinPolicy = z.enum(['readmit', 'waiting-room']);
export type RejoinPolicy = z.infer<typeof RejoinPolicy>;

export const SessionSummary = z.object({
  id: Id,
  title: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  facilitatorId: Id,
  coFacilitatorIds: z.array(Id),
  state: SessionState,
  rejoinPolicy: RejoinPolicy,
});
export type SessionSummary = z.infer<typeof SessionSummary>;
export const SessionList = z.array(SessionSummary);

/** `POST /api/sessions/:id/ticket` (an addition): a clinician hello's single-use ticket, good until `expiresAt`. */
export const SessionTicket = z.object({ ticket: z.string().min(1).max(256), expiresAt: z.string() });
export type SessionTicket = z.infer<typeof SessionTicket>;

/**
 * `GET /api/servers`: the base URLs of the servers of this deployment, seen lately, the one
 * answering among them. The console connects to these, and to nothing else.
 */
export const FleetList = z.object({ servers: z.array(z.url({ protocol: /^https?$/ })).max(64) });
export type FleetList = z.infer<typeof FleetList>;

// --- scheduling (facilitators schedule their own groups; admins any) -------------------

const IsoTime = z.iso.datetime({ offset: true });
const Title = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.string().min(1, 'a title is needed').max(120, 'at most 120 characters'));

/** `POST /api/sessions`. `facilitatorId` defaults to the caller; only admins may set another. */
export const CreateSessionRequest = z
  .object({
    title: Title,
    startsAt: IsoTime,
    endsAt: IsoTime,
    facilitatorId: Id.optional(),
    coFacilitatorIds: z.array(Id).max(8).default([]),
    rejoinPolicy: RejoinPolicy.default('readmit'),
  })
  .refine((r) => Date.parse(r.endsAt) > Date.parse(r.startsAt), { message: 'a session must end after it starts', path: ['endsAt'] });
export type CreateSessionRequest = z.input<typeof CreateSessionRequest>;

/** `PATCH /api/sessions/:id`: any subset; an ended session cannot change. */
export const UpdateSessionRequest = z.object({
  title: Title.optional(),
  startsAt: IsoTime.optional(),
  endsAt: IsoTime.optional(),
  coFacilitatorIds: z.array(Id).max(8).optional(),
  rejoinPolicy: RejoinPolicy.optional(),
});
export type UpdateSessionRequest = z.input<typeof UpdateSessionRequest>;

/** `GET /api/sessions?from=ISO&to=ISO`: sessions overlapping the range (both optional). */
export const SessionRange = z.object({ from: IsoTime.optional(), to: IsoTime.optional() });

// --- invitations (a session's facilitators and admins) ---------------------------------

export const InvitationState = z.enum(['active', 'revoked', 'expired']);
export type InvitationState = z.infer<typeof InvitationState>;

/** An invitation as clinicians see it: never its link token or passcode (those are shown once). */
export const InvitationSummary = z.object({
  id: Id,
  sessionId: Id,
  participantRef: z.string(),
  /** The id the client has in the room (`Participant.participantId`); a re-issue keeps it. */
  participantId: Id,
  /** How to recognise the client (for example "knows code word"); clinicians only. */
  verificationHint: z.string().nullable(),
  state: InvitationState,
  createdAt: z.string(),
  /**
   * When the current link was issued (its creation or the last re-issue). The issuing console
   * derives the link's secret from it (src/main/e2ee/linkSecrets.ts), so a re-issued link gets
   * a new one.
   */
  issuedAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type InvitationSummary = z.infer<typeof InvitationSummary>;
export const InvitationList = z.array(InvitationSummary);

/** `POST /api/sessions/:id/invitations`. */
export const CreateInvitationRequest = z.object({
  participantRef: z
    .string()
    .transform((s) => s.trim())
    .pipe(z.string().min(1, 'the client reference is needed').max(64)),
  verificationHint: z.string().trim().max(200).optional(),
});
export type CreateInvitationRequest = z.input<typeof CreateInvitationRequest>;

/**
 * Answer to creating or re-issuing (`POST /api/invitations/:id/reissue`) an invitation: the
 * only time the link and passcode are ever shown. Re-issuing makes the old link stop working.
 * `POST /api/invitations/:id/revoke` answers the `InvitationSummary`.
 */
export const IssuedInvitation = z.object({
  invitation: InvitationSummary,
  url: z.string(),
  token: z.string(),
  passcode: z.string(),
});
export type IssuedInvitation = z.infer<typeof IssuedInvitation>;
