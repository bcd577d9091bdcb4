/**
 * The console's IPC contract: every call the renderer may make into the main process.
 * Main validates each request against its schema (and the sender) before a handler runs;
 * the preload exposes exactly these channels and nothing else; results travel in the same
 * envelope as WebSocket responses. Pure: imports nothing but zod and the protocol.
 */
import { z } from 'zod';
import type { IpcChannel, IpcEvent } from './ipcChannels';
import {
  ClinicianAccount,
  Colleague,
  CreateClinicianRequest,
  CreateInvitationRequest,
  CreateSessionRequest,
  Id,
  InvitationSummary,
  IssuedInvitation,
  AttendanceHistory,
  AuditEntry,
  AuditVerification,
  LoginResponse,
  ReauthRequest,
  RosterEntry,
  RosterSummary,
  SetAttendanceTargetRequest,
  SessionRecap,
  WriteRecapRequest,
  BreachReport,
  ResetPasswordRequest,
  SessionList,
  SessionRange,
  SessionSummary,
  TotpEnrolment,
  UpdateClinicianRequest,
  UpdateSessionRequest,
  type Result,
} from './protocol';
import { Note, NoteBody, NoteSummary, TemplateId } from './notes';

export { BRIDGE_NAME, IPC_CHANNELS, IPC_EVENTS, type IpcChannel, type IpcEvent } from './ipcChannels';

/** Loopback only: this computer, where a cleartext request never crosses a network. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  // URL parsing has already normalised IPv4 (`127.1` → `127.0.0.1`) and IPv6 (`[0::1]` → `[::1]`).
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Why the console must not sign in to `address`, or null when it may. The password, TOTP
 * code, bearer token and note bodies travel over this connection, so it is https (and its
 * WebSocket wss) except to this computer itself, where nothing crosses a network.
 */
export function serverUrlProblem(address: string): ServerUrlProblem | null {
  const notUrl = { message: 'the server address must be an https:// URL', reason: 'server-address-invalid' } as const;
  let u: URL;
  try {
    u = new URL(address);
  } catch {
    return notUrl;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username !== '' || u.password !== '') return notUrl;
  if (u.protocol === 'http:' && !isLoopbackHost(u.hostname)) {
    return {
      message: 'the server address must start with https:// (plain http:// only reaches a server on this computer: localhost, 127.x.x.x or [::1])',
      reason: 'server-address-http',
    };
  }
  return null;
}

/** Why an address is refused: in English, and as a reason for the console's words. */
export interface ServerUrlProblem {
  message: string;
  reason: 'server-address-invalid' | 'server-address-http';
}

export const ServerUrl = z
  .string()
  .trim()
  .max(2048)
  .superRefine((s, ctx) => {
    const problem = serverUrlProblem(s);
    // The reason rides on the issue, so the dispatcher's BAD_REQUEST carries it to the console's words.
    if (problem) ctx.addIssue({ code: 'custom', message: problem.message, params: { reason: problem.reason } });
  })
  .transform((s) => new URL(s).origin);

export const SignInRequest = z.object({
  serverUrl: ServerUrl,
  username: z.string().trim().min(1, 'enter your username').max(128),
  password: z.string().min(1, 'enter your password').max(1024),
  totp: z.string().trim().max(16).optional(),
});
export type SignInRequest = z.input<typeof SignInRequest>;

export const SignedInUser = LoginResponse.shape.user;
export type SignedInUser = z.infer<typeof SignedInUser>;

export interface SignInResult {
  user: SignedInUser;
  serverUrl: string;
  expiresAt: string;
}

/** Why the console locked: idle time, the OS locking its screen or sleeping, or the clinician's own Lock. */
export type LockReason = 'idle' | 'lock-screen' | 'suspend' | 'manual';

/** What the lock screen needs to know; main sends it with every change (`lock:changed`). */
export interface LockState {
  locked: boolean;
  reason: LockReason | null;
  /** The configured idle time (CONFIDANT_IDLE_LOCK_MINUTES), to say why it locked. */
  idleMinutes: number;
}

/** Unlocking takes the signed-in clinician's password and, when enrolled, a TOTP code. */
export const UnlockRequest = ReauthRequest;

export interface AppInfo {
  platform: string;
  version: string;
  /** Whether the OS honours setContentProtection for this console's windows. */
  captureProtection: 'enforced' | 'unavailable';
  /** The server address to offer at sign-in (CONFIDANT_SERVER_URL, set by `npm start`). */
  defaultServerUrl: string | null;
}

export interface SessionConnection {
  wsUrl: string;
  /**
   * The WebSocket `hello`'s ticket: good once, for this session, for a minute. The bearer
   * token itself never leaves main.
   */
  ticket: string;
  sessionId: string;
}

const Empty = z.object({}).strict();

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/** Where the sync of notes to the server stands (src/main/notes/sync.ts keeps it). */
export interface SyncStatus {
  /** False once the server could not be reached, until it answers again. */
  online: boolean;
  /** Notes waiting to go to the server (conflicted ones excluded: they wait for the clinician). */
  pending: number;
  /** Notes whose server copy differs, waiting for the clinician to choose. */
  conflicts: number;
  syncing: boolean;
  lastSyncedAt: string | null;
  /** The last thing that went wrong, in plain words; null after a clean round. */
  lastError: string | null;
}

/** Where the note vault and its sync stand, for the console's status bar. */
export interface NotesStatus {
  vault:
    | { state: 'closed' }
    | { state: 'unlocked' }
    | { state: 'locked'; reason: 'no-keychain' | 'no-key'; message: string };
  sync: SyncStatus | null;
}

/** An admin's breach report: one account or one workstation, over a time range. */
export const BreachReportRequest = z
  .object({ clinicianId: Id.optional(), deviceId: z.string().min(16).max(64).optional(), from: z.iso.datetime(), to: z.iso.datetime() })
  .refine((r) => (r.clinicianId === undefined) !== (r.deviceId === undefined), 'name exactly one of an account and a workstation');

export const NotesFilterRequest = z.object({
  clientRef: z.string().max(64).optional(),
  sessionId: z.string().max(128).optional(),
  from: IsoDate.optional(),
  to: IsoDate.optional(),
  query: z.string().max(200).optional(),
});

/**
 * What the console read from the server, or (`offline: true`) its encrypted copy from the last
 * time it could: rosters already opened stay readable without a network. `fetchedAt` is when
 * the server gave it.
 */
export interface Fetched<T> {
  data: T;
  offline: boolean;
  fetchedAt: string;
}

/**
 * An issued invitation as main hands it to the renderer: the server's answer, with the link's
 * secret in `url`'s fragment (`#k=<secret>.<issuer>`, src/main/e2ee/linkSecrets.ts), which
 * lets the client's page prove its key is the invited client's. `linkSecret` false: the link
 * carries no secret (the keychain gave no key), so the client is verified by reading the
 * safety code together.
 */
export type IssuedInvitationLink = IssuedInvitation & { linkSecret?: boolean };

/**
 * `invitations:linkSecrets`: what this console checks the session's clients' keys against at
 * call time. `secrets`: participantId → the base64url secret of that client's current link,
 * for every active invitation. `issuer`: the tag this console puts after its secrets, so a
 * link whose tag differs is known to come from another console (or another key), which cannot
 * check it. `issuer` null and no secrets when the keychain gave no key.
 */
export interface InvitationLinkSecrets {
  issuer: string | null;
  secrets: Record<string, string>;
}

export const RosterRangeRequest = z.object({
  from: SessionRange.shape.from.unwrap(),
  to: SessionRange.shape.to.unwrap(),
  facilitatorId: Id.optional(),
});

/** Channel → request schema. Result types are in `IpcResults`. */
export const ipcRequests = {
  'app:info': Empty,
  'auth:signIn': SignInRequest,
  'auth:signOut': Empty,
  'auth:current': Empty,
  'auth:unlock': UnlockRequest.strict(),
  'auth:lock': Empty,
  'lock:status': Empty,
  'sessions:list': SessionRange,
  'sessions:connect': z.object({ sessionId: z.string().min(1).max(128) }),
  // Carries only a count: a desktop notification can be read over a shoulder or from the
  // OS notification history, so it never names anyone.
  'app:notifyKnock': z.object({ waiting: z.number().int().min(1).max(1000) }),
  // Main writes to the clipboard (and clears a secret from it again after a minute).
  'app:copy': z.object({ text: z.string().min(1).max(4096), secret: z.boolean().default(false) }),
  'sessions:create': CreateSessionRequest,
  'sessions:update': z.object({ id: Id, changes: UpdateSessionRequest }),
  'invitations:list': z.object({ sessionId: Id }),
  'invitations:create': CreateInvitationRequest.extend({ sessionId: Id }),
  'invitations:reissue': z.object({ invitationId: Id }),
  'invitations:revoke': z.object({ invitationId: Id }),
  /** Main recomputes the secrets from the server's list: the console stores none. */
  'invitations:linkSecrets': z.object({ sessionId: Id }),
  'clinicians:list': Empty,
  'admin:accounts': Empty,
  'admin:createAccount': CreateClinicianRequest,
  'admin:updateAccount': z.object({ id: Id, changes: UpdateClinicianRequest }),
  'admin:resetPassword': ResetPasswordRequest.extend({ id: Id }),
  'admin:enrolTotp': z.object({ id: Id }),
  /** Exactly one of the two ids; `from` and `to` ISO times. */
  'admin:breachReport': BreachReportRequest,
  /** Main fetches the server's CSV (the report is audited there) and asks where to save it. */
  'admin:exportBreachReport': BreachReportRequest,
  'notes:status': Empty,
  'notes:list': NotesFilterRequest,
  'notes:get': z.object({ id: Id }),
  'notes:create': z.object({ template: TemplateId, sessionId: Id.nullable(), serviceDate: IsoDate }),
  'notes:save': z.object({ id: Id, body: NoteBody, expectedVersion: z.number().int().min(1) }),
  /** `needsCosign`: the clinician sends it to their supervisor for co-signature. */
  'notes:sign': z.object({ id: Id, needsCosign: z.boolean() }),
  'notes:addendum': z.object({ id: Id, text: z.string().trim().min(1).max(20_000) }),
  'notes:cosign': z.object({ id: Id }),
  'notes:return': z.object({ id: Id, comment: z.string().trim().min(1).max(5000) }),
  'notes:resolveConflict': z.object({ id: Id, keep: z.enum(['mine', 'theirs']) }),
  'notes:sync': Empty,
  'rosters:list': RosterRangeRequest,
  'rosters:get': z.object({ sessionId: Id }),
  /** Main fetches the server's CSV (the export is audited there) and asks where to save it. */
  'rosters:exportCsv': z.object({ sessionId: Id }),
  'attendance:client': z.object({ participantRef: z.string().trim().min(1).max(64), from: SessionRange.shape.from.unwrap(), to: SessionRange.shape.to.unwrap() }),
  'attendance:setTarget': SetAttendanceTargetRequest.extend({ participantRef: z.string().trim().min(1).max(64) }),
  'audit:verify': Empty,
  'audit:list': z.object({ sessionId: Id }),
  'recaps:get': z.object({ sessionId: Id }),
  'recaps:write': WriteRecapRequest.extend({ sessionId: Id }),
} satisfies { [C in IpcChannel]: z.ZodType };

export interface IpcResults {
  'app:info': AppInfo;
  'auth:signIn': SignInResult;
  'auth:signOut': Record<string, never>;
  'auth:current': SignInResult | null;
  'auth:unlock': LockState;
  'auth:lock': LockState;
  'lock:status': LockState;
  'sessions:list': z.infer<typeof SessionList>;
  'sessions:connect': SessionConnection;
  'app:notifyKnock': Record<string, never>;
  'app:copy': Record<string, never>;
  'sessions:create': SessionSummary;
  'sessions:update': SessionSummary;
  'invitations:list': InvitationSummary[];
  'invitations:create': IssuedInvitationLink;
  'invitations:reissue': IssuedInvitationLink;
  'invitations:revoke': InvitationSummary;
  'invitations:linkSecrets': InvitationLinkSecrets;
  'clinicians:list': Colleague[];
  'admin:accounts': ClinicianAccount[];
  'admin:createAccount': ClinicianAccount;
  'admin:updateAccount': ClinicianAccount;
  'admin:resetPassword': Record<string, never>;
  'admin:enrolTotp': TotpEnrolment;
  'admin:breachReport': BreachReport;
  'admin:exportBreachReport': { path: string | null };
  'notes:status': NotesStatus;
  'notes:list': NoteSummary[];
  /** `conflict`: the server's differing copy, while a sync conflict waits for the clinician. */
  'notes:get': { note: Note; conflict: Note | null };
  'notes:create': Note;
  'notes:save': Note;
  'notes:sign': Note;
  'notes:addendum': Note;
  'notes:cosign': Note;
  'notes:return': Note;
  'notes:resolveConflict': Note;
  'notes:sync': NotesStatus;
  'rosters:list': Fetched<RosterSummary[]>;
  'rosters:get': Fetched<{ session: SessionSummary; facilitatorName: string; entries: RosterEntry[] }>;
  /** `path` null: the clinician cancelled the save dialog. */
  'rosters:exportCsv': { path: string | null };
  'attendance:client': Fetched<AttendanceHistory>;
  'attendance:setTarget': AttendanceHistory;
  'audit:verify': AuditVerification;
  'audit:list': AuditEntry[];
  /** null: no recap written for the session yet. */
  'recaps:get': SessionRecap | null;
  'recaps:write': SessionRecap;
}

export type IpcRequest<C extends IpcChannel> = z.input<(typeof ipcRequests)[C]>;
export type IpcParsedRequest<C extends IpcChannel> = z.output<(typeof ipcRequests)[C]>;

export function isIpcChannel(name: unknown): name is IpcChannel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(ipcRequests, name);
}

/** What each main → renderer event carries. */
export interface IpcEventPayloads {
  'lock:changed': LockState;
}

/**
 * What the preload exposes as `window.confidant`: one function per channel, and `on` to
 * listen to main's events (it returns the function that stops listening).
 */
export type ConfidantApi = {
  [C in IpcChannel]: (request: IpcRequest<C>) => Promise<Result<IpcResults[C]>>;
} & {
  on<E extends IpcEvent>(event: E, listener: (payload: IpcEventPayloads[E]) => void): () => void;
};
