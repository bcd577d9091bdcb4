/**
 * Rosters, attendance history and the audit log: `GET /api/rosters`,
 * `GET /api/sessions/:id/roster` and `.csv`, `GET /api/attendance/:participantRef`,
 * `PUT /api/attendance/:participantRef/target`, `GET /api/audit`, `GET /api/audit/verify`.
 * Every look at a roster or a client's history is on the audit log, and so is every export.
 */
import { z } from 'zod';
import { Id, ProtocolError, SetAttendanceTargetRequest, WriteRecapRequest, type SessionRecap } from '../../shared/protocol.js';
import { facilitatorsOf } from '../sessions/access.js';
import type { Recap } from '../store/recaps.js';
import type { SessionRecord } from '../store/sessions.js';
import { sendJson } from '../http/support.js';
import { rosterCsv } from '../rosters/csv.js';
import { mayViewRoster } from '../rosters/rosterService.js';
import type { AuditScope } from '../store/audit.js';
import type { Clinician } from '../store/clinicians.js';
import { refSubject } from '../store/recordKeys.js';
import { auditApi, describeIssue, parseBody, parseRange, requireClinician, type RequestContext, type Route } from './context.js';

/** The reader and the part of the log they may read (undefined: all of it, for admins). */
async function requireAuditor(ctx: RequestContext): Promise<{ me: Clinician; scope: AuditScope | undefined }> {
  const me = await requireClinician(ctx);
  return { me, scope: await ctx.deps.rosters.auditScope(me) };
}

const AuditQuery = z.object({
  sessionId: Id.optional(),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(5000).optional(),
});

/** A file name that says what and when, without anything but the group's title in it. */
function csvFileName(title: string, startsAt: string): string {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'session';
  return `roster-${startsAt.slice(0, 10)}-${slug}.csv`;
}

/** The session, if this clinician may see its roster (and so its recap). */
async function viewableSession(ctx: RequestContext, me: Clinician): Promise<SessionRecord> {
  const session = await ctx.deps.store.sessions.byId(ctx.params.id ?? '');
  if (!session) throw new ProtocolError('NOT_FOUND', 'no such session', { reason: 'session-not-found' });
  if (!(await mayViewRoster(ctx.deps.store, me, session))) throw new ProtocolError('FORBIDDEN', 'you may not see this session', { reason: 'session-forbidden' });
  return session;
}

async function recapView(ctx: RequestContext, recap: Recap): Promise<SessionRecap> {
  const author = await ctx.deps.store.clinicians.byId(recap.writtenBy);
  return { text: recap.text, writtenBy: author?.displayName ?? recap.writtenBy, writtenById: recap.writtenBy, writtenAt: recap.writtenAt, visibleUntil: recap.visibleUntil };
}

const DAY_MS = 86_400_000;

export const rosterRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/sessions/:id/recap',
    async handler(ctx) {
      const me = await requireClinician(ctx);
      const session = await viewableSession(ctx, me);
      const recap = await ctx.deps.store.recaps.get(session.id);
      if (!recap) throw new ProtocolError('NOT_FOUND', 'no recap has been written for this session', { reason: 'recap-not-found' });
      sendJson(ctx.res, 200, await recapView(ctx, recap));
    },
  },
  {
    method: 'PUT',
    path: '/api/sessions/:id/recap',
    async handler(ctx) {
      const me = await requireClinician(ctx);
      const session = await viewableSession(ctx, me);
      // The people who ran the group write what its clients read; a supervisor reads it.
      if (!facilitatorsOf(session).includes(me.id)) throw new ProtocolError('FORBIDDEN', 'only a facilitator of the session writes its recap', { reason: 'recap-forbidden' });
      if (ctx.deps.lifecycle.stateOf(session) !== 'ended') throw new ProtocolError('CONFLICT', 'a recap is written once the session has ended', { reason: 'recap-after-end' });
      const { text, visibleDays } = await parseBody(ctx, WriteRecapRequest);
      const now = ctx.deps.lifecycle.now();
      const recap: Recap = {
        sessionId: session.id,
        text,
        writtenBy: me.id,
        writtenAt: now.toISOString(),
        visibleUntil: new Date(now.getTime() + visibleDays * DAY_MS).toISOString(),
      };
      await ctx.deps.store.atomically(async (tx) => {
        await tx.recaps.write(recap);
        await tx.audit.record({ at: now, event: 'recap.written', actorId: me.id, subjectId: session.id, sessionId: session.id, address: ctx.address, detail: `${visibleDays}d`, deviceId: ctx.device });
      });
      sendJson(ctx.res, 200, await recapView(ctx, recap));
    },
  },
  {
    method: 'GET',
    path: '/api/rosters',
    async handler(ctx) {
      const me = await requireClinician(ctx);
      const range = parseRange(ctx);
      const facilitatorId = ctx.query.get('facilitatorId') ?? undefined;
      if (facilitatorId !== undefined && !Id.safeParse(facilitatorId).success) {
        throw new ProtocolError('BAD_REQUEST', 'facilitatorId is not an id');
      }
      sendJson(ctx.res, 200, await ctx.deps.rosters.summaries(me, range, facilitatorId));
    },
  },
  {
    method: 'GET',
    path: '/api/sessions/:id/roster',
    async handler(ctx) {
      const me = await requireClinician(ctx);
      const { session, entries } = await ctx.deps.rosters.roster(me, ctx.params.id ?? '');
      await auditApi(ctx, 'roster.viewed', me, { subjectId: session.id, sessionId: session.id });
      sendJson(ctx.res, 200, entries);
    },
  },
  {
    method: 'GET',
    path: '/api/sessions/:id/roster.csv',
    async handler(ctx) {
      const me = await requireClinician(ctx);
      const { session, entries } = await ctx.deps.rosters.roster(me, ctx.params.id ?? '');
      const csv = rosterCsv(entries);
      // On record before it leaves: an export nobody can account for is what audit is for.
      await auditApi(ctx, 'roster.exported', me, { subjectId: session.id, sessionId: session.id, detail: `${entries.length} rows` });
      ctx.res.statusCode = 200;
      ctx.res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      ctx.res.setHeader('Content-Disposition', `attachment; filename="${csvFileName(session.title, session.startsAt)}"`);
      ctx.res.setHeader('Content-Length', Buffer.byteLength(csv));
      ctx.res.end(csv);
    },
  },
  {
    method: 'GET',
    path: '/api/attendance/:participantRef',
    async handler(ctx) {
      const me = await requireClinician(ctx);
      const ref = ctx.params.participantRef ?? '';
      const history = await ctx.deps.rosters.history(me, ref, parseRange(ctx));
      // The client by the keyed hash of their reference: the log never holds a reference.
      await auditApi(ctx, 'attendance.viewed', me, { subjectId: refSubject(ctx.deps.store.lookup, ref) });
      sendJson(ctx.res, 200, history);
    },
  },
  {
    method: 'PUT',
    path: '/api/attendance/:participantRef/target',
    async handler(ctx) {
      const me = await requireClinician(ctx);
      const ref = ctx.params.participantRef ?? '';
      const { hoursPerWeek } = await parseBody(ctx, SetAttendanceTargetRequest);
      await ctx.deps.rosters.setTarget(me, ref, hoursPerWeek);
      await auditApi(ctx, 'attendance.target_set', me, { subjectId: refSubject(ctx.deps.store.lookup, ref), detail: hoursPerWeek === null ? 'cleared' : String(hoursPerWeek) });
      sendJson(ctx.res, 200, await ctx.deps.rosters.history(me, ref));
    },
  },
  {
    method: 'GET',
    path: '/api/audit',
    async handler(ctx) {
      const { me, scope } = await requireAuditor(ctx);
      const query = AuditQuery.safeParse(Object.fromEntries(ctx.query));
      if (!query.success) throw new ProtocolError('BAD_REQUEST', describeIssue(query.error));
      const { sessionId, after, limit } = query.data;
      if (sessionId !== undefined) {
        const session = await ctx.deps.store.sessions.byId(sessionId);
        if (!session) throw new ProtocolError('NOT_FOUND', 'no such session', { reason: 'session-not-found' });
        if (!(await mayViewRoster(ctx.deps.store, me, session))) throw new ProtocolError('FORBIDDEN', 'you may not see this session', { reason: 'session-forbidden' });
      }
      sendJson(
        ctx.res,
        200,
        await ctx.deps.store.audit.list({
          ...(scope !== undefined ? { scope } : {}),
          ...(sessionId !== undefined ? { sessionId } : {}),
          ...(after !== undefined ? { afterSeq: after } : {}),
          ...(limit !== undefined ? { limit } : {}),
        }),
      );
    },
  },
  {
    method: 'GET',
    path: '/api/audit/verify',
    async handler(ctx) {
      const { scope } = await requireAuditor(ctx);
      const verdict = await ctx.deps.store.audit.verify();
      // The chain can only be checked whole, and a supervisor relies on all of it; the count
      // is of what they may read, so the answer says nothing of other teams' activity.
      sendJson(ctx.res, 200, verdict.ok && scope !== undefined ? { ok: true, entries: await ctx.deps.store.audit.count(scope) } : verdict);
    },
  },
];
