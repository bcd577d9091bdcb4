/**
 * Scheduling: `GET/POST /api/sessions`, `PATCH /api/sessions/:id`; and the ticket a clinician's
 * hello presents (`POST /api/sessions/:id/ticket`). Facilitators schedule
 * their own groups, admins anyone's; the lead facilitator and admins edit; an ended session
 * never changes. Co-facilitators must be active facilitators other than the lead.
 */
import {
  CreateSessionRequest,
  ProtocolError,
  UpdateSessionRequest,
} from '../../shared/protocol.js';
import { sendJson } from '../http/support.js';
import { liveRoleFor, mayEditSession, sessionsVisibleTo } from '../sessions/access.js';
import type { Clinician } from '../store/clinicians.js';
import type { Repositories } from '../store/store.js';
import { auditApi, parseBody, parseRange, requireClinician, tokenHashOf, type RequestContext, type Route } from './context.js';

/** Longer than any group, shorter than a typo of a day or a month. */
export const MAX_SESSION_HOURS = 12;

async function assertActiveFacilitator(store: Repositories, id: string, what: string): Promise<Clinician> {
  const c = await store.clinicians.byId(id);
  if (!c || !c.active || !c.roles.includes('facilitator')) {
    throw new ProtocolError('BAD_REQUEST', `${what} must be an active facilitator`, { reason: 'facilitator-inactive' });
  }
  return c;
}

async function assertCoFacilitators(store: Repositories, leadId: string, coIds: readonly string[]): Promise<void> {
  for (const id of coIds) {
    if (id === leadId) throw new ProtocolError('BAD_REQUEST', 'the lead facilitator cannot also be a co-facilitator', { reason: 'lead-also-co' });
    await assertActiveFacilitator(store, id, 'every co-facilitator');
  }
}

function assertTimes(startsAt: Date, endsAt: Date, now: Date): void {
  if (endsAt.getTime() <= startsAt.getTime()) throw new ProtocolError('BAD_REQUEST', 'a session must end after it starts', { reason: 'session-ends-before-start' });
  if (endsAt.getTime() - startsAt.getTime() > MAX_SESSION_HOURS * 3_600_000) {
    throw new ProtocolError('BAD_REQUEST', `a session lasts at most ${MAX_SESSION_HOURS} hours`, { reason: 'session-too-long', params: { hours: MAX_SESSION_HOURS } });
  }
  if (endsAt.getTime() <= now.getTime()) throw new ProtocolError('BAD_REQUEST', 'a session cannot end in the past', { reason: 'session-ends-in-past' });
}

function record(ctx: RequestContext, event: string, by: Clinician, sessionId: string, into: Repositories): Promise<void> {
  return auditApi(ctx, event, by, { subjectId: sessionId, sessionId }, into);
}

export const sessionRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/sessions',
    async handler(ctx) {
      const clinician = await requireClinician(ctx);
      const { from, to } = parseRange(ctx);
      sendJson(ctx.res, 200, await sessionsVisibleTo(ctx.deps.store, clinician, ctx.deps.lifecycle, { from, to }));
    },
  },
  {
    method: 'POST',
    path: '/api/sessions',
    async handler(ctx) {
      const me = await requireClinician(ctx);
      const request = await parseBody(ctx, CreateSessionRequest);
      const { store, lifecycle } = ctx.deps;
      const isAdmin = me.roles.includes('admin');
      const facilitatorId = request.facilitatorId ?? me.id;
      if (!isAdmin) {
        if (!me.roles.includes('facilitator')) throw new ProtocolError('FORBIDDEN', 'only facilitators and admins schedule sessions', { reason: 'schedule-forbidden' });
        if (facilitatorId !== me.id) throw new ProtocolError('FORBIDDEN', 'facilitators schedule their own sessions', { reason: 'schedule-own-only' });
      }
      const startsAt = new Date(request.startsAt);
      const endsAt = new Date(request.endsAt);
      assertTimes(startsAt, endsAt, lifecycle.now());
      // The session and its audit entry together, or neither (a full disk, say), checked
      // against the accounts as they are in the same unit of work.
      const created = await store.atomically(async (tx) => {
        await assertActiveFacilitator(tx, facilitatorId, 'the lead facilitator');
        await assertCoFacilitators(tx, facilitatorId, request.coFacilitatorIds);
        const session = await tx.sessions.create({
          title: request.title,
          startsAt,
          endsAt,
          facilitatorId,
          coFacilitatorIds: request.coFacilitatorIds,
          rejoinPolicy: request.rejoinPolicy,
        });
        await record(ctx, 'session.created', me, session.id, tx);
        return session;
      });
      sendJson(ctx.res, 201, lifecycle.summary(created));
    },
  },
  {
    method: 'PATCH',
    path: '/api/sessions/:id',
    async handler(ctx) {
      const me = await requireClinician(ctx);
      const { store, lifecycle } = ctx.deps;
      const session = await store.sessions.byId(ctx.params.id ?? '');
      if (!session) throw new ProtocolError('NOT_FOUND', 'no such session', { reason: 'session-not-found' });
      if (!mayEditSession(me, session)) throw new ProtocolError('FORBIDDEN', 'only the lead facilitator and admins edit a session', { reason: 'session-edit-forbidden' });
      const changes = await parseBody(ctx, UpdateSessionRequest);
      if (lifecycle.stateOf(session) === 'ended') throw new ProtocolError('CONFLICT', 'an ended session cannot change', { reason: 'session-ended-unchangeable' });
      const startsAt = new Date(changes.startsAt ?? session.startsAt);
      const endsAt = new Date(changes.endsAt ?? session.endsAt);
      if (changes.startsAt !== undefined || changes.endsAt !== undefined) assertTimes(startsAt, endsAt, lifecycle.now());
      await store.atomically(async (tx) => {
        if (changes.coFacilitatorIds !== undefined) await assertCoFacilitators(tx, session.facilitatorId, changes.coFacilitatorIds);
        await tx.sessions.update(session.id, {
          ...(changes.title !== undefined ? { title: changes.title } : {}),
          ...(changes.startsAt !== undefined ? { startsAt } : {}),
          ...(changes.endsAt !== undefined ? { endsAt } : {}),
          ...(changes.coFacilitatorIds !== undefined ? { coFacilitatorIds: changes.coFacilitatorIds } : {}),
          ...(changes.rejoinPolicy !== undefined ? { rejoinPolicy: changes.rejoinPolicy } : {}),
        });
        await record(ctx, 'session.updated', me, session.id, tx);
      });
      // A co-facilitator taken off the session stops moderating it now, not at their next call.
      if (changes.coFacilitatorIds !== undefined) await ctx.deps.live.reconsider();
      const updated = await store.sessions.byId(session.id);
      if (!updated) throw new ProtocolError('NOT_FOUND', 'no such session', { reason: 'session-not-found' });
      sendJson(ctx.res, 200, lifecycle.summary(updated));
    },
  },
  {
    // The deployment's servers, for the console's request filter and its way back after a
    // server is lost. Signed in only: the list names the fleet's addresses.
    method: 'GET',
    path: '/api/servers',
    async handler(ctx) {
      await requireClinician(ctx);
      sendJson(ctx.res, 200, { servers: ctx.deps.fleet.urls() });
    },
  },
  {
    // The clinician hello's ticket (see auth/sessionTickets.ts): the console's main process
    // asks with the bearer token, its renderer opens the socket with the ticket alone.
    method: 'POST',
    path: '/api/sessions/:id/ticket',
    async handler(ctx) {
      const me = await requireClinician(ctx);
      const { store, tickets } = ctx.deps;
      const session = await store.sessions.byId(ctx.params.id ?? '');
      // Who may join, as the hello decides it; an unknown session and someone else's answer alike.
      if (!session || !(await liveRoleFor(store, me, session))) {
        throw new ProtocolError('FORBIDDEN', 'you are not a facilitator or supervisor of this session', { reason: 'not-session-facilitator' });
      }
      // Hosted by another server (or this one drains): the ticket must come from, and be spent
      // at, the server the console will connect to.
      const host = await ctx.deps.fleet.elsewhere(session.id);
      if (host) throw new ProtocolError('HOSTED_ELSEWHERE', `this session is hosted at ${host}; ask there`, { host, reason: 'hosted-elsewhere' });
      // When it may be used (not before the join window, not once ended) the hello decides.
      sendJson(ctx.res, 200, tickets.issue({ clinicianId: me.id, tokenHash: tokenHashOf(ctx), sessionId: session.id, deviceId: ctx.device }));
    },
  },
];
