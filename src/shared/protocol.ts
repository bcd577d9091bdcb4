/**
 * The Confidant session protocol: the contract between the session server, the console and
 * the participant page. docs/protocol.md is its prose; this file is its executable form.
 * The server validates every incoming frame against these schemas; clients use the derived
 * types. Pure: imports nothing but zod.
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------

/** Largest WebSocket text frame the server accepts; larger frames close with 1009. */
export const MAX_FRAME_BYTES = 64 * 1024;
/** BAD_REQUEST answers within FLOOD_WINDOW_MS that close the socket with 1008. */
export const FLOOD_LIMIT = 20;
export const FLOOD_WINDOW_MS = 60_000;

export const CLOSE_POLICY_VIOLATION = 1008;
export const CLOSE_MESSAGE_TOO_BIG = 1009;
/**
 * A clinician's socket closed because its sign-in ended: signed out, token expired, password
 * reset or account deactivated (an addition to PROTOCOL.md). The console should ask to sign in again.
 */
export const CLOSE_SIGNED_OUT = 4001;
/**
 * The reason of a 1008 close (and the message of the FORBIDDEN answer before it) when the
 * clinician's role in the session changed while their socket was open: taken off the session,
 * a role removed, a supervision ended. The console says so rather than "the connection closed".
 */
export const ROLE_CHANGED = 'your role in this session has changed';

// ---------------------------------------------------------------------------------------
// Errors and envelopes
// ---------------------------------------------------------------------------------------

export const ERROR_CODES = [
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'ROOM_LOCKED',
  'REMOVED',
  'SESSION_ENDED',
  'MUTED_BY_FACILITATOR',
  'INTERNAL',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({ code: ErrorCode, message: z.string() });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** The one result envelope, used by WebSocket responses and IPC alike. */
export type Result<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/** An error that carries a protocol code; thrown inside handlers, turned into envelopes at the edge. */
export class ProtocolError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------------
// Domain values
// ---------------------------------------------------------------------------------------

export const Id = z.string().min(1).max(128);

export const ClinicianRole = z.enum(['facilitator', 'supervisor', 'admin']);
export type ClinicianRole = z.infer<typeof ClinicianRole>;

export const PeerRole = z.enum(['client', 'facilitator', 'observer']);
export type PeerRole = z.infer<typeof PeerRole>;

export const ParticipantState = z.enum(['check-in', 'waiting', 'admitted']);
export type ParticipantState = z.infer<typeof ParticipantState>;

export const SessionState = z.enum(['scheduled', 'open', 'live', 'ended']);
export type SessionState = z.infer<typeof SessionState>;

export const MediaKind = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof MediaKind>;

export const MediaFlags = z.object({ audio: z.boolean(), video: z.boolean() });
export type MediaFlags = z.infer<typeof MediaFlags>;

// Control characters (C0, DEL, C1) and the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A first name or pseudonym: 1–40 characters once trimmed, no control characters. */
export const DisplayName = z
  .string()
  .transform((s) => s.trim())
  .pipe(
    z
      .string()
      .min(1, 'a name is needed')
      .max(40, 'at most 40 characters')
      .refine((s) => !CONTROL_CHARS.test(s), 'no control characters'),
  );

export const Participant = z.object({
  participantId: Id,
  role: PeerRole,
  displayName: z.string(),
  state: ParticipantState,
  verified: z.boolean(),
  media: MediaFlags,
  mutedByFacilitator: MediaFlags,
  knockedAt: z.string().nullable(),
  /** The clinic's client reference; only ever sent to clinicians. */
  participantRef: z.string().optional(),
  /** The clinic's note on how to recognise this client; only ever sent to clinicians. */
  verificationHint: z.string().nullable().optional(),
  /** How the client's identity was verified; only ever sent to clinicians. */
  verificationMethod: z.enum(['photo-id', 'verbal-code', 'known-to-clinician']).nullable().optional(),
  /**
   * Only ever sent to clinicians (an addition): `reconnecting` while a client whose socket
   * dropped is within its grace period; they stay listed, in their place, until they are
   * back or the grace period ends (then `participantLeft`).
   */
  connection: z.enum(['connected', 'reconnecting']).optional(),
});
export type Participant = z.infer<typeof Participant>;

export const Producer = z.object({
  producerId: Id,
  participantId: Id,
  kind: MediaKind,
  paused: z.boolean(),
});
export type Producer = z.infer<typeof Producer>;

export const Agreement = z.object({ version: z.string(), text: z.string() });
export type Agreement = z.infer<typeof Agreement>;

// WebRTC parameters are produced and consumed by mediasoup on both ends; the server checks
// their outline here and mediasoup checks the rest (its errors become BAD_REQUEST).
export const DtlsParameters = z.looseObject({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(z.looseObject({ algorithm: z.string().max(32), value: z.string().max(256) }))
    .min(1)
    .max(8),
});
export type DtlsParameters = z.infer<typeof DtlsParameters>;

export const RtpParameters = z.looseObject({
  mid: z.string().max(32).optional(),
  codecs: z.array(z.looseObject({ mimeType: z.string(), payloadType: z.number().int() })).min(1).max(16),
  headerExtensions: z.array(z.looseObject({ uri: z.string(), id: z.number().int() })).max(32).optional(),
  encodings: z.array(z.looseObject({})).max(8).optional(),
  rtcp: z.looseObject({}).optional(),
});
export type RtpParameters = z.infer<typeof RtpParameters>;

export const RtpCapabilities = z.looseObject({
  codecs: z.array(z.looseObject({ mimeType: z.string(), kind: MediaKind })).max(64).optional(),
  headerExtensions: z.array(z.looseObject({ uri: z.string() })).max(64).optional(),
});
export type RtpCapabilities = z.infer<typeof RtpCapabilities>;

// ---------------------------------------------------------------------------------------
// Requests: method name → data schema
// ---------------------------------------------------------------------------------------

const Empty = z.object({}).strict();

export const HelloParticipant = z.object({
  as: z.literal('participant'),
  invite: z.string().min(1).max(256),
  passcode: z.string().min(1).max(128),
});
/**
 * A clinician's hello presents a session ticket (`POST /api/sessions/:id/ticket`): good once,
 * for this session, for a minute. Never the bearer token, which stays in the console's main
 * process; the renderer that opens the socket holds only the ticket.
 */
export const HelloClinician = z.object({
  as: z.literal('clinician'),
  ticket: z.string().min(1).max(256),
  sessionId: Id,
});
/**
 * A client coming back after its socket dropped (an addition to PROTOCOL.md): the resume
 * token its last hello answered with, good once and only within the grace period (60 s by
 * default) after the drop. It returns the client to where it was: admitted stays admitted,
 * waiting stays waiting, and nobody hears a new knock.
 */
export const HelloResume = z.object({
  as: z.literal('resume'),
  resumeToken: z.string().min(1).max(256),
});
export const HelloData = z.discriminatedUnion('as', [HelloParticipant, HelloClinician, HelloResume]);

export const CheckInData = z.object({
  displayName: DisplayName,
  agreementVersion: z.string().min(1).max(64),
  media: MediaFlags,
  location: z.string().max(500).optional(),
  emergencyContact: z.string().max(500).optional(),
});

const ParticipantRef = z.object({ participantId: Id });

export const VerificationMethod = z.enum(['photo-id', 'verbal-code', 'known-to-clinician']);
export type VerificationMethod = z.infer<typeof VerificationMethod>;

/** A private in-call message: relayed, never stored. */
export const MessageText = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.string().min(1, 'a message cannot be empty').max(2000, 'at most 2000 characters'));

/** Why a facilitator removed someone: recorded with who removed whom. */
export const RemovalReason = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.string().min(1, 'a reason is needed').max(500, 'at most 500 characters'));

/** The `to` of a client's message. */
export const TO_FACILITATOR = 'facilitator';

export const requestSchemas = {
  hello: HelloData,
  checkIn: CheckInData,
  leave: Empty,
  admit: ParticipantRef,
  deny: ParticipantRef,
  createTransport: z.object({ direction: z.enum(['send', 'recv']) }),
  connectTransport: z.object({ transportId: Id, dtlsParameters: DtlsParameters }),
  restartIce: z.object({ transportId: Id }),
  closeTransport: z.object({ transportId: Id }),
  produce: z.object({ transportId: Id, kind: MediaKind, rtpParameters: RtpParameters }),
  consume: z.object({ transportId: Id, producerId: Id, rtpCapabilities: RtpCapabilities }),
  resumeConsumer: z.object({ consumerId: Id }),
  requestKeyFrame: z.object({ consumerId: Id }),
  setProducerPaused: z.object({ producerId: Id, paused: z.boolean() }),
  // In-call messages: a client writes to "facilitator", a facilitator to a participantId.
  message: z.object({ to: Id, text: MessageText }),
  // Moderation, for the session's facilitators only.
  admitAll: Empty,
  verify: z.object({ participantId: Id, method: VerificationMethod }),
  mute: z.object({ participantId: Id, kind: MediaKind }),
  muteAll: z.object({ kind: MediaKind }),
  allowUnmute: z.object({ participantId: Id, kind: MediaKind }),
  remove: z.object({ participantId: Id, reason: RemovalReason }),
  returnToWaiting: ParticipantRef,
  lock: z.object({ locked: z.boolean() }),
  end: Empty,
  crisisInfo: ParticipantRef,
} as const;

export type MethodName = keyof typeof requestSchemas;
export const METHOD_NAMES = Object.keys(requestSchemas) as MethodName[];
export type RequestData<M extends MethodName> = z.input<(typeof requestSchemas)[M]>;
export type ParsedRequestData<M extends MethodName> = z.output<(typeof requestSchemas)[M]>;

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(requestSchemas, name);
}

/** The outer shape of every client → server frame. */
export const RequestFrame = z.object({
  id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  method: z.string().min(1).max(64),
  data: z.unknown().optional(),
});
export type RequestFrame = z.infer<typeof RequestFrame>;

// ---------------------------------------------------------------------------------------
// Responses: method name → result type
// ---------------------------------------------------------------------------------------

export interface TransportInfo {
  id: string;
  iceParameters: Record<string, unknown>;
  iceCandidates: Record<string, unknown>[];
  dtlsParameters: DtlsParameters;
}

export interface ParticipantHelloResult {
  participantId: string;
  session: { id: string; title: string };
  agreement: Agreement;
  /** `check-in` after an invitation hello; where the client was, after a resume. */
  state: ParticipantState;
  /**
   * Presented in a `resume` hello after a dropped socket (an addition to PROTOCOL.md). Each
   * hello answers with a new one; the page keeps it in memory only.
   */
  resumeToken: string;
  /** True when this hello resumed an earlier connection. */
  resumed?: boolean;
  /** After a resume: `admitted` follows at once (the client was in the group and is let back in). */
  readmitting?: boolean;
}

export interface ClinicianHelloResult {
  role: 'facilitator' | 'observer';
  participantId: string;
  session: { id: string; title: string; state: SessionState };
  routerRtpCapabilities: RtpCapabilities;
  waiting: Participant[];
  /** Every admitted peer, the caller included. */
  participants: Participant[];
  producers: Producer[];
  locked: boolean;
}

export interface ResultTypes {
  hello: ParticipantHelloResult | ClinicianHelloResult;
  /**
   * `routerRtpCapabilities` (an addition to PROTOCOL.md) lets the page prepare its media
   * engine while it waits, so admission is not held up by it. It names no one and carries
   * no media: only the codecs the session's router speaks.
   */
  checkIn: { state: 'waiting'; routerRtpCapabilities: RtpCapabilities };
  leave: Record<string, never>;
  admit: Record<string, never>;
  deny: Record<string, never>;
  createTransport: TransportInfo;
  connectTransport: Record<string, never>;
  restartIce: { iceParameters: Record<string, unknown> };
  closeTransport: Record<string, never>;
  produce: { id: string };
  consume: { id: string; producerId: string; kind: MediaKind; rtpParameters: RtpParameters };
  resumeConsumer: Record<string, never>;
  requestKeyFrame: Record<string, never>;
  setProducerPaused: Record<string, never>;
  message: Record<string, never>;
  admitAll: { participantIds: string[] };
  verify: Record<string, never>;
  mute: Record<string, never>;
  muteAll: { participantIds: string[] };
  allowUnmute: Record<string, never>;
  remove: Record<string, never>;
  returnToWaiting: Record<string, never>;
  lock: Record<string, never>;
  end: Record<string, never>;
  /** Only for the live session, and every call is recorded with who asked and when. */
  crisisInfo: { location: string | null; emergencyContact: string | null };
}

export type ResponseFrame =
  | { id: number; ok: true; data: unknown }
  | { id: number | null; ok: false; error: ErrorBody };

// ---------------------------------------------------------------------------------------
// Notifications: name → data
// ---------------------------------------------------------------------------------------

export interface NotificationTypes {
  // to clinicians
  knock: { participant: Participant };
  participantUpdated: { participant: Participant };
  participantLeft: { participantId: string };
  /** To clinicians: `from` is a client's participantId. To a client: `from` is "facilitator". */
  message: { from: string; text: string };
  /** To clinicians and to clients. */
  locked: { locked: boolean };
  // to a client
  /** `participants`: every admitted peer, the recipient and clinicians included. */
  admitted: {
    routerRtpCapabilities: RtpCapabilities;
    participants: Participant[];
    producers: Producer[];
    /**
     * Whether the room is locked at the moment of admission (an addition to PROTOCOL.md, optional):
     * without it a client admitted into a locked room learns of the lock only when it changes.
     */
    locked?: boolean;
  };
  denied: Record<string, never>;
  removed: Record<string, never>;
  returnedToWaiting: Record<string, never>;
  mutedByFacilitator: { kind: MediaKind };
  unmuteAllowed: { kind: MediaKind };
  sessionEnded: Record<string, never>;
  // to everyone admitted
  peerJoined: { participant: Participant };
  peerLeft: { participantId: string };
  producerAdded: { producerId: string; participantId: string; kind: MediaKind };
  producerClosed: { producerId: string };
  producerPaused: { producerId: string; paused: boolean };
  /**
   * To everyone admitted (an addition to PROTOCOL.md): the session's media restarted on a new
   * router (its media process failed). Every transport, producer and consumer of the old one
   * is gone: close yours, load the new capabilities, create transports and produce again;
   * the producers of others arrive as `producerAdded` as they come back.
   */
  mediaReset: { routerRtpCapabilities: RtpCapabilities };
}
export type NotificationName = keyof NotificationTypes;
export type NotificationFrame = {
  [N in NotificationName]: { notification: N; data: NotificationTypes[N] };
}[NotificationName];

// ---------------------------------------------------------------------------------------
// Who may call what
// ---------------------------------------------------------------------------------------

/** Methods an admitted peer uses to send and receive media. */
export const MEDIA_METHODS = [
  'createTransport',
  'connectTransport',
  'restartIce',
  'closeTransport',
  'produce',
  'consume',
  'resumeConsumer',
  'requestKeyFrame',
  'setProducerPaused',
] as const satisfies readonly MethodName[];

/** Methods only a session's facilitators may call. */
export const FACILITATOR_METHODS = [
  'admit',
  'admitAll',
  'deny',
  'verify',
  'mute',
  'muteAll',
  'allowUnmute',
  'remove',
  'returnToWaiting',
  'lock',
  'end',
  'crisisInfo',
  'message',
] as const satisfies readonly MethodName[];

/** The methods an observer may use: receiving media only. */
export const OBSERVER_METHODS = [
  'leave',
  'createTransport',
  'connectTransport',
  'restartIce',
  'closeTransport',
  'consume',
  'resumeConsumer',
  'requestKeyFrame',
] as const satisfies readonly MethodName[];

/** Participant methods by state (PROTOCOL.md, "Participant methods, by state"). */
export const CLIENT_METHODS_BY_STATE: Record<ParticipantState, readonly MethodName[]> = {
  'check-in': ['checkIn', 'leave'],
  // Getting ready while waiting: a transport pair, connected, and producers the server holds
  // (unannounced, unforwarded) until admission; `consume` of one's own held producer only,
  // never resumed (docs/protocol.md, "Getting ready in the waiting room").
  waiting: ['leave', 'createTransport', 'connectTransport', 'restartIce', 'closeTransport', 'produce', 'consume'],
  admitted: ['leave', ...MEDIA_METHODS, 'message'],
};

export type Caller =
  | { role: 'client'; state: ParticipantState }
  | { role: 'facilitator' }
  | { role: 'observer' };

/**
 * The authorization table, as a pure function: may this caller (after a successful hello)
 * call this method? `hello` is never allowed twice. The server adds per-object checks
 * (for example, that a transport belongs to the caller) on top.
 */
export function isAllowed(caller: Caller, method: MethodName): boolean {
  if (method === 'hello') return false;
  switch (caller.role) {
    case 'client':
      return CLIENT_METHODS_BY_STATE[caller.state].includes(method);
    case 'facilitator':
      return (
        method === 'leave' ||
        (MEDIA_METHODS as readonly MethodName[]).includes(method) ||
        (FACILITATOR_METHODS as readonly MethodName[]).includes(method)
      );
    case 'observer':
      return (OBSERVER_METHODS as readonly MethodName[]).includes(method);
  }
}

// ---------------------------------------------------------------------------------------
// HTTP API
// ---------------------------------------------------------------------------------------

export const LoginRequest = z.object({
  username: z.string().min(1).max(128),
  password: z.string().min(1).max(1024),
  totp: z.string().max(16).optional(),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

/** `POST /api/reauth` (bearer token): the signed-in clinician proves it is still them, to unlock the console. */
export const ReauthRequest = z.object({
  password: z.string().min(1, 'enter your password').max(1024),
  totp: z.string().trim().max(16).optional(),
});
export type ReauthRequest = z.infer<typeof ReauthRequest>;

export const User = z.object({
  id: Id,
  username: z.string(),
  displayName: z.string(),
  roles: z.array(ClinicianRole),
});
export type User = z.infer<typeof User>;

export const LoginResponse = z.object({ token: z.string(), expiresAt: z.string(), user: User });
export type LoginResponse = z.infer<typeof LoginResponse>;

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

export const HttpErrorResponse = z.object({ error: ErrorBody });

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
  /** How to recognise the client (for example "knows code word"); clinicians only. */
  verificationHint: z.string().nullable(),
  state: InvitationState,
  createdAt: z.string(),
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

// --- accounts ----------------------------------------------------------------------------

/** `GET /api/clinicians`: colleagues, for choosing co-facilitators (any clinician). */
export const Colleague = z.object({ id: Id, displayName: z.string(), roles: z.array(ClinicianRole) });
export type Colleague = z.infer<typeof Colleague>;
export const ColleagueList = z.array(Colleague);

/** An account as admins see it (`GET /api/admin/clinicians`). */
export const ClinicianAccount = z.object({
  id: Id,
  username: z.string(),
  displayName: z.string(),
  roles: z.array(ClinicianRole),
  active: z.boolean(),
  totpEnrolled: z.boolean(),
  /** Facilitators this clinician supervises. */
  superviseeIds: z.array(Id),
  /** Set while the account is locked out after repeated failed sign-ins. */
  lockedUntil: z.string().nullable(),
});
export type ClinicianAccount = z.infer<typeof ClinicianAccount>;
export const ClinicianAccountList = z.array(ClinicianAccount);

const Username = z
  .string()
  .trim()
  .min(3)
  .max(64)
  .regex(/^[a-z0-9._-]+$/i, 'letters, digits, dot, dash and underscore only');
const DisplayNameOfClinician = z.string().trim().min(1).max(80);
/** The policy's length; the server also refuses the most common passwords. */
export const MIN_PASSWORD_LENGTH = 12;
const NewPassword = z.string().min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`).max(1024);

/** `POST /api/admin/clinicians`. */
export const CreateClinicianRequest = z.object({
  username: Username,
  displayName: DisplayNameOfClinician,
  password: NewPassword,
  roles: z.array(ClinicianRole).min(1),
});
export type CreateClinicianRequest = z.input<typeof CreateClinicianRequest>;

/** `PATCH /api/admin/clinicians/:id`. Deactivating revokes every token and closes every socket. */
export const UpdateClinicianRequest = z.object({
  displayName: DisplayNameOfClinician.optional(),
  roles: z.array(ClinicianRole).min(1).optional(),
  active: z.boolean().optional(),
  superviseeIds: z.array(Id).max(100).optional(),
  /** `true` ends a lockout after failed sign-ins now (an addition to the contract). */
  unlock: z.literal(true).optional(),
});
export type UpdateClinicianRequest = z.input<typeof UpdateClinicianRequest>;

/** `POST /api/admin/clinicians/:id/password`: a reset; revokes the account's tokens. */
export const ResetPasswordRequest = z.object({ password: NewPassword });

/** `POST /api/admin/clinicians/:id/totp`: enrols a new second factor, replacing any old one. */
export const TotpEnrolment = z.object({ secret: z.string(), otpauthUri: z.string() });
export type TotpEnrolment = z.infer<typeof TotpEnrolment>;

// --- rosters, attendance and audit -------------------------------------------------------

/**
 * One client's path through one session (`GET /api/sessions/:id/roster`, an array of these,
 * one per invitation, in knock order and then the invited who never came). Times are ISO
 * 8601 UTC or null. `admittedBy`, `verifiedBy` and `removedBy` are clinicians' display names
 * (their ids beside them); an admission the server made by itself when an admitted client
 * came back after a dropped connection is counted in `reconnects`, never as a new admission.
 * `minutesPresent` sums the intervals the client was admitted and connected, up to now for a
 * live session. The fields after `reconnects` are additions to PROTOCOL.md.
 */
export const RosterEntry = z.object({
  participantRef: z.string(),
  displayName: z.string().nullable(),
  knockedAt: z.string().nullable(),
  admittedAt: z.string().nullable(),
  admittedBy: z.string().nullable(),
  verifiedAt: z.string().nullable(),
  verifiedBy: z.string().nullable(),
  verificationMethod: VerificationMethod.nullable(),
  leftAt: z.string().nullable(),
  removedAt: z.string().nullable(),
  removedBy: z.string().nullable(),
  removalReason: z.string().nullable(),
  minutesPresent: z.number().nonnegative(),
  reconnects: z.number().int().nonnegative(),
  participantId: Id,
  admittedById: Id.nullable(),
  verifiedById: Id.nullable(),
  removedById: Id.nullable(),
  /** Times sent back to the waiting room by a facilitator. */
  returnsToWaiting: z.number().int().nonnegative(),
  deniedAt: z.string().nullable(),
  /** Where the client is now: in the group, waiting, gone after attending, never came. */
  status: z.enum(['present', 'waiting', 'left', 'removed', 'denied', 'absent']),
});
export type RosterEntry = z.infer<typeof RosterEntry>;
export const Roster = z.array(RosterEntry);
/** The CSV columns of `GET /api/sessions/:id/roster.csv`, in order (RFC 4180, UTF-8). */
export const ROSTER_CSV_COLUMNS = [
  'participantRef',
  'displayName',
  'knockedAt',
  'admittedAt',
  'admittedBy',
  'verifiedAt',
  'verifiedBy',
  'verificationMethod',
  'leftAt',
  'removedAt',
  'removedBy',
  'removalReason',
  'minutesPresent',
  'reconnects',
] as const satisfies readonly (keyof RosterEntry)[];

/**
 * `GET /api/rosters?from=ISO&to=ISO&facilitatorId=ID` (an addition): the sessions the caller
 * may see a roster of, overlapping the range, each with its attendance in figures, oldest first.
 */
export const RosterSummary = z.object({
  session: SessionSummary,
  facilitatorName: z.string(),
  invited: z.number().int().nonnegative(),
  /** Clients admitted at least once. */
  attended: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
  minutesPresentTotal: z.number().nonnegative(),
});
export type RosterSummary = z.infer<typeof RosterSummary>;
export const RosterSummaryList = z.array(RosterSummary);

/**
 * `GET /api/attendance/:participantRef?from=ISO&to=ISO` (an addition): a client's attendance
 * week by week (the clinic's weeks: Monday 00:00 in `timeZone`, each named by that Monday's
 * date; at most 104 weeks), over the sessions the caller may see, against the
 * weekly target set for the client (`PUT /api/attendance/:participantRef/target`
 * `{hoursPerWeek}`, by their sessions' facilitators, supervisors and admins).
 */
export const AttendanceWeek = z.object({
  weekStart: z.string(),
  minutesPresent: z.number().nonnegative(),
  sessions: z.array(
    z.object({ sessionId: Id, title: z.string(), startsAt: z.string(), minutesPresent: z.number().nonnegative() }),
  ),
});
export type AttendanceWeek = z.infer<typeof AttendanceWeek>;
export const AttendanceHistory = z.object({
  participantRef: z.string(),
  targetHoursPerWeek: z.number().nullable(),
  weeks: z.array(AttendanceWeek),
  /** The clinic's IANA zone the weeks are counted in; absent from older servers, whose weeks were UTC's. */
  timeZone: z.string().optional(),
});
export type AttendanceHistory = z.infer<typeof AttendanceHistory>;
export const SetAttendanceTargetRequest = z.object({ hoursPerWeek: z.number().min(0).max(60).nullable() });
export type SetAttendanceTargetRequest = z.input<typeof SetAttendanceTargetRequest>;

/**
 * One entry of the hash-chained audit log (`GET /api/audit?sessionId=&limit=`, oldest first).
 * `hash` is HMAC-SHA-256 (hex, under the server's audit chain key, so only the server can
 * check it: `GET /api/audit/verify`) over `prevHash` followed by the canonical JSON of the other fields
 * but `hash` (keys sorted); the first entry's `prevHash` is 64 zeros. People appear by ids.
 */
export const AuditEntry = z.object({
  seq: z.number().int().positive(),
  at: z.string(),
  event: z.string(),
  actorId: z.string().nullable(),
  subjectId: z.string().nullable(),
  sessionId: z.string().nullable(),
  address: z.string().nullable(),
  detail: z.string().nullable(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
export const AuditList = z.array(AuditEntry);
/** `GET /api/audit/verify`: the whole chain walked; `brokenAt` is the first sequence number that fails. */
export const AuditVerification = z.union([
  z.object({ ok: z.literal(true), entries: z.number().int().nonnegative() }),
  z.object({ ok: z.literal(false), brokenAt: z.number().int().positive(), reason: z.string() }),
]);
export type AuditVerification = z.infer<typeof AuditVerification>;

// ---------------------------------------------------------------------------------------
// Demo mode
// ---------------------------------------------------------------------------------------

export const DEMO_LINE_PREFIX = 'CONFIDANT_DEMO ';

const DemoClinician = z.object({
  username: z.string(),
  password: z.string(),
  totpSecret: z.string().optional(),
});

export const DemoInfo = z.object({
  httpUrl: z.string(),
  wsUrl: z.string(),
  dataDir: z.string(),
  facilitator: DemoClinician,
  supervisor: DemoClinician,
  /** An addition to PROTOCOL.md's demo line: an admin, so the accounts screens can be tried. */
  admin: DemoClinician.optional(),
  sessionId: Id,
  invitations: z.array(
    z.object({ participantRef: z.string(), url: z.string(), token: z.string(), passcode: z.string() }),
  ),
});
export type DemoInfo = z.infer<typeof DemoInfo>;
