/** What every API route gets, and the checks they share: who is asking, and is the body right. */
import type { Fleet } from '../fleet/fleet.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { MIN_PASSWORD_LENGTH, ProtocolError, SessionRange, type ErrorDetails } from '../../shared/protocol.js';
import type { Accounts } from '../accounts/accounts.js';
import type { AuthService } from '../auth/authService.js';
import type { SessionTickets } from '../auth/sessionTickets.js';
import { tokenDigest } from '../auth/secrets.js';
import { bearerToken, readJsonBody } from '../http/support.js';
import type { InvitationService } from '../sessions/invitationService.js';
import type { RosterService } from '../rosters/rosterService.js';
import type { TimeRange } from '../sessions/access.js';
import type { LiveClinicians } from '../accounts/liveClinicians.js';
import type { SessionLifecycle } from '../sessions/lifecycle.js';
import type { Clinician } from '../store/clinicians.js';
import type { Repositories, Store } from '../store/store.js';

export interface ApiDeps {
  store: Store;
  auth: AuthService;
  accounts: Accounts;
  invitations: InvitationService;
  lifecycle: SessionLifecycle;
  live: LiveClinicians;
  /** Clinician hellos' single-use tickets (issued here, spent by signaling). */
  tickets: SessionTickets;
  rosters: RosterService;
  /** This server among those sharing the database: where a session is hosted, the fleet. */
  fleet: Pick<Fleet, 'urls' | 'elsewhere' | 'mode'>;
  /** The client address of a request (its peer, or what a trusted proxy forwarded). */
  clientAddress: (req: IncomingMessage) => string;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  deps: ApiDeps;
  /** Path parameters (`:id`), already URI-decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The client's address: the socket's peer, or what a trusted proxy forwarded (`trustedProxies`). */
  address: string;
  /** The console workstation the request says it comes from (`deviceOf`), or null. */
  device: string | null;
}

/** The header a console's main process names its workstation in (a random id it keeps). */
export const DEVICE_HEADER = 'x-confidant-device';
const DEVICE_ID = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * The console workstation a request names, for the audit log (issue 20's breach report): what
 * the console says, not a proof (a stolen token could name any), which is why it goes on record
 * beside the address and the account rather than in place of them. Anything not shaped like one
 * is no device.
 */
export function deviceOf(req: IncomingMessage): string | null {
  const value = req.headers[DEVICE_HEADER];
  return typeof value === 'string' && DEVICE_ID.test(value) ? value : null;
}

export type RouteHandler = (ctx: RequestContext) => Promise<void> | void;

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT';
  path: string;
  handler: RouteHandler;
}

export function requireToken(ctx: RequestContext): string {
  const token = bearerToken(ctx.req);
  if (!token) throw new ProtocolError('UNAUTHENTICATED', 'sign in first', { reason: 'sign-in-first' });
  return token;
}

export function requireClinician(ctx: RequestContext): Promise<Clinician> {
  return ctx.deps.auth.authenticate(requireToken(ctx));
}

export async function requireAdmin(ctx: RequestContext): Promise<Clinician> {
  const clinician = await requireClinician(ctx);
  if (!clinician.roles.includes('admin')) throw new ProtocolError('FORBIDDEN', 'only admins manage accounts', { reason: 'admins-only' });
  return clinician;
}

export function tokenHashOf(ctx: RequestContext): string {
  return tokenDigest(requireToken(ctx));
}

/** The body parsed by `schema`; BAD_REQUEST naming the first problem otherwise. */
export async function parseBody<S extends z.ZodType>(ctx: RequestContext, schema: S): Promise<z.output<S>> {
  const parsed = schema.safeParse(await readJsonBody(ctx.req));
  if (!parsed.success) throw new ProtocolError('BAD_REQUEST', describeIssue(parsed.error), reasonOfIssue(parsed.error));
  return parsed.data;
}

/**
 * A reason for the schema failures an admin can meet in the console's forms (a password's length,
 * a username's letters); any other names its field in English only, and the console shows the
 * code's words (its forms check what they can first).
 */
export function reasonOfIssue(error: z.ZodError): ErrorDetails {
  const issue = error.issues[0];
  const field = issue?.path.at(-1);
  // A new password's length (sign-in's own "enter your password" is not a policy).
  if (field === 'password' && issue?.code === 'too_small' && Number(issue.minimum) === MIN_PASSWORD_LENGTH) {
    return { reason: 'password-too-short', params: { min: MIN_PASSWORD_LENGTH } };
  }
  if (field === 'password' && issue?.code === 'too_big') return { reason: 'password-too-long', params: { max: Number(issue.maximum) } };
  if (field === 'username' && (issue?.code === 'invalid_format' || (issue?.code === 'too_small' && Number(issue.minimum) > 1))) {
    return { reason: 'username-invalid' };
  }
  return {};
}

export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'the request is not valid';
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue.message}`;
}

/** `?from=ISO&to=ISO`, both optional; BAD_REQUEST when either is not a time or `to` is not after `from`. */
export function parseRange(ctx: RequestContext): TimeRange {
  const range = SessionRange.safeParse({ from: ctx.query.get('from') ?? undefined, to: ctx.query.get('to') ?? undefined });
  if (!range.success) throw new ProtocolError('BAD_REQUEST', describeIssue(range.error));
  const from = range.data.from ? new Date(range.data.from) : undefined;
  const to = range.data.to ? new Date(range.data.to) : undefined;
  if (from && to && to.getTime() <= from.getTime()) throw new ProtocolError('BAD_REQUEST', '`to` must be after `from`', { reason: 'range-backwards' });
  return { from, to };
}

/** Puts an API act on the audit log: who, about what, from where. */
export async function auditApi(
  ctx: RequestContext,
  event: string,
  by: Clinician,
  fields: { subjectId?: string | null; sessionId?: string | null; detail?: string | null } = {},
  /** The unit of work the entry goes with, when there is one. */
  into: Repositories = ctx.deps.store,
): Promise<void> {
  await into.audit.record({ at: ctx.deps.lifecycle.now(), event, actorId: by.id, address: ctx.address, deviceId: ctx.device, ...fields });
}
