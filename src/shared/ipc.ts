/**
 * The console's IPC contract: every call the renderer may make into the main process.
 * Main validates each request against its schema (and the sender) before a handler runs;
 * the preload exposes exactly these channels and nothing else; results travel in the same
 * envelope as WebSocket responses. Pure: imports nothing but zod and the protocol.
 */
import { z } from 'zod';
import type { IpcChannel } from './ipcChannels';
import {
  ClinicianAccount,
  Colleague,
  CreateClinicianRequest,
  CreateInvitationRequest,
  CreateSessionRequest,
  Id,
  InvitationSummary,
  IssuedInvitation,
  LoginResponse,
  ResetPasswordRequest,
  SessionList,
  SessionRange,
  SessionSummary,
  TotpEnrolment,
  UpdateClinicianRequest,
  UpdateSessionRequest,
  type Result,
} from './protocol';

export { BRIDGE_NAME, IPC_CHANNELS, type IpcChannel } from './ipcChannels';

export const ServerUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '';
    } catch {
      return false;
    }
  }, 'the server address must be an http:// or https:// URL')
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
  /** Bearer token for the WebSocket `hello`; see docs/decisions.md on token handling. */
  token: string;
  sessionId: string;
}

const Empty = z.object({}).strict();

/** Channel → request schema. Result types are in `IpcResults`. */
export const ipcRequests = {
  'app:info': Empty,
  'auth:signIn': SignInRequest,
  'auth:signOut': Empty,
  'auth:current': Empty,
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
  'clinicians:list': Empty,
  'admin:accounts': Empty,
  'admin:createAccount': CreateClinicianRequest,
  'admin:updateAccount': z.object({ id: Id, changes: UpdateClinicianRequest }),
  'admin:resetPassword': ResetPasswordRequest.extend({ id: Id }),
  'admin:enrolTotp': z.object({ id: Id }),
} satisfies { [C in IpcChannel]: z.ZodType };

export interface IpcResults {
  'app:info': AppInfo;
  'auth:signIn': SignInResult;
  'auth:signOut': Record<string, never>;
  'auth:current': SignInResult | null;
  'sessions:list': z.infer<typeof SessionList>;
  'sessions:connect': SessionConnection;
  'app:notifyKnock': Record<string, never>;
  'app:copy': Record<string, never>;
  'sessions:create': SessionSummary;
  'sessions:update': SessionSummary;
  'invitations:list': InvitationSummary[];
  'invitations:create': IssuedInvitation;
  'invitations:reissue': IssuedInvitation;
  'invitations:revoke': InvitationSummary;
  'clinicians:list': Colleague[];
  'admin:accounts': ClinicianAccount[];
  'admin:createAccount': ClinicianAccount;
  'admin:updateAccount': ClinicianAccount;
  'admin:resetPassword': Record<string, never>;
  'admin:enrolTotp': TotpEnrolment;
}

export type IpcRequest<C extends IpcChannel> = z.input<(typeof ipcRequests)[C]>;
export type IpcParsedRequest<C extends IpcChannel> = z.output<(typeof ipcRequests)[C]>;

export function isIpcChannel(name: unknown): name is IpcChannel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(ipcRequests, name);
}

/** What the preload exposes as `window.confidant`: one function per channel. */
export type ConfidantApi = {
  [C in IpcChannel]: (request: IpcRequest<C>) => Promise<Result<IpcResults[C]>>;
};
