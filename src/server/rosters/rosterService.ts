/**
 * Rosters, per-session summaries and per-client attendance history, read from the store and
 * filtered by who is asking: a session's facilitators (lead and co-), supervisors of any of
 * them, and admins see its roster; anyone else gets FORBIDDEN. The audit log follows the same
 * rule (see `auditScope`).
 */
import {
  ProtocolError,
  type AttendanceHistory,
  type AttendanceWeek,
  type RosterEntry,
  type RosterSummary,
} from '../../shared/protocol.js';
import { addWeeks, weekCount, weeksBetween, weekStartOf } from '../../shared/clinicWeeks.js';
import type { RoomRegistry } from '../rooms/roomRegistry.js';
import { facilitatorsOf, overlaps, sessionsVisibleTo, type TimeRange } from '../sessions/access.js';
import type { SessionLifecycle } from '../sessions/lifecycle.js';
import type { AuditScope } from '../store/audit.js';
import type { Clinician } from '../store/clinicians.js';
import type { SessionRecord } from '../store/sessions.js';
import type { Repositories, Store } from '../store/store.js';
import { buildRoster } from './roster.js';

export interface RosterDeps {
  store: Store;
  lifecycle: SessionLifecycle;
  rooms?: RoomRegistry;
  /** The clinic's IANA zone (config `timeZone`): attendance weeks are its Monday-to-Sunday weeks. */
  timeZone: string;
}

/** The roster rule: the session's facilitators, supervisors of any of them, admins. */
export async function mayViewRoster(store: Repositories, clinician: Clinician, session: SessionRecord): Promise<boolean> {
  return clinician.roles.includes('admin') || mayReadClinical(store, clinician, session);
}

/**
 * What a client said of how they are (the check-in rating) is clinical: the session's
 * facilitators and supervisors of any of them read it; an admin who is neither does not.
 */
export async function mayReadClinical(store: Repositories, clinician: Clinician, session: SessionRecord): Promise<boolean> {
  const facilitators = facilitatorsOf(session);
  if (facilitators.includes(clinician.id)) return true;
  if (!clinician.roles.includes('supervisor')) return false;
  const supervised = new Set(await store.clinicians.supervisees(clinician.id));
  return facilitators.some((f) => supervised.has(f));
}

/** Without a range, history covers the last twelve weeks. */
const DEFAULT_HISTORY_WEEKS = 12;
/**
 * The longest history answered: two years of weeks is more than any chart or review needs,
 * and every week of the range is built, so a range of centuries would build thousands.
 */
export const MAX_HISTORY_WEEKS = 104;

const withoutRating = (e: RosterEntry): RosterEntry => ({ ...e, checkInRating: null });

export function createRosterService(deps: RosterDeps) {
  const { store, lifecycle, timeZone } = deps;

  /** Clinicians' names by id, read once per answer. */
  const clinicianNames = async (): Promise<(id: string) => string> => {
    const names = new Map((await store.clinicians.all()).map((c) => [c.id, c.displayName]));
    return (id) => names.get(id) ?? id;
  };

  /**
   * For a session this clinician may see the roster of: whether its clinical details are
   * theirs to read too. Seeing a roster without being an admin already means being a
   * facilitator of it or a supervisor of one, so only an admin is asked again.
   */
  const readsClinical = async (clinician: Clinician, session: SessionRecord): Promise<boolean> =>
    !clinician.roles.includes('admin') || mayReadClinical(store, clinician, session);

  async function sessionFor(clinician: Clinician, sessionId: string): Promise<SessionRecord> {
    const session = await store.sessions.byId(sessionId);
    if (!session) throw new ProtocolError('NOT_FOUND', 'no such session', { reason: 'session-not-found' });
    if (!(await mayViewRoster(store, clinician, session))) throw new ProtocolError('FORBIDDEN', 'you may not see this roster', { reason: 'roster-forbidden' });
    return session;
  }

  async function rosterOf(session: SessionRecord, clinicianName: (id: string) => string): Promise<RosterEntry[]> {
    const [invitations, events, verifications, removals, endedAt, recapOpenings] = await Promise.all([
      store.invitations.bySession(session.id),
      store.attendance.forSession(session.id),
      store.moderation.verifications(session.id),
      store.moderation.removals(session.id),
      store.sessions.endedAt(session.id),
      store.recaps.openings(session.id),
    ]);
    return buildRoster({
      invitations,
      events,
      verifications,
      removals,
      clinicianName,
      live: (deps.rooms?.get(session.id)?.size ?? 0) > 0,
      now: lifecycle.now(),
      endedAt,
      recapOpenings,
    });
  }

  return {
    /** One session's roster, for someone allowed to see it. */
    async roster(clinician: Clinician, sessionId: string): Promise<{ session: SessionRecord; entries: RosterEntry[] }> {
      const session = await sessionFor(clinician, sessionId);
      const entries = await rosterOf(session, await clinicianNames());
      return { session, entries: (await readsClinical(clinician, session)) ? entries : entries.map(withoutRating) };
    },

    /** The sessions overlapping `range` whose rosters the clinician may see, with their figures. */
    async summaries(clinician: Clinician, range: TimeRange, facilitatorId?: string): Promise<RosterSummary[]> {
      const clinicianName = await clinicianNames();
      const sessions = (await sessionsVisibleTo(store, clinician, lifecycle, range)).filter(
        (s) => facilitatorId === undefined || facilitatorsOf(s).includes(facilitatorId),
      );
      return Promise.all(
        sessions.map(async (session) => {
          const entries = await rosterOf(session, clinicianName);
          return {
            session,
            facilitatorName: clinicianName(session.facilitatorId),
            invited: entries.length,
            attended: entries.filter((e) => e.admittedAt !== null).length,
            removed: entries.filter((e) => e.removedAt !== null).length,
            minutesPresentTotal: Math.round(entries.reduce((sum, e) => sum + e.minutesPresent, 0) * 100) / 100,
          };
        }),
      );
    },

    /**
     * A client's attendance week by week over the sessions the clinician may see, in `range`
     * (default: the last twelve weeks). Someone who may see none of the client's sessions
     * learns nothing, not even whether the reference exists (FORBIDDEN), unless an admin.
     */
    async history(clinician: Clinician, participantRef: string, range: TimeRange = {}): Promise<AttendanceHistory> {
      const to = range.to ?? lifecycle.now();
      const from = range.from ?? addWeeks(to, -DEFAULT_HISTORY_WEEKS, timeZone);
      if (weekCount(from, to, timeZone) > MAX_HISTORY_WEEKS) {
        throw new ProtocolError('BAD_REQUEST', `an attendance history covers at most ${MAX_HISTORY_WEEKS} weeks: narrow from and to`, {
          reason: 'history-too-long',
          params: { weeks: MAX_HISTORY_WEEKS },
        });
      }
      const visible = await visibleSessionsOf(clinician, participantRef);
      const clinicianName = await clinicianNames();
      const weeks = new Map<string, AttendanceWeek>();
      // Every week of the range appears, attended or not: an empty week is the point of the chart.
      for (const key of weeksBetween(from, to, timeZone, MAX_HISTORY_WEEKS)) {
        weeks.set(key, { weekStart: key, minutesPresent: 0, sessions: [] });
      }
      for (const { session, participantId } of visible) {
        if (!overlaps(session, { from, to })) continue;
        const entry = (await rosterOf(session, clinicianName)).find((e) => e.participantId === participantId);
        const minutes = entry?.minutesPresent ?? 0;
        const checkInRating = entry && (await readsClinical(clinician, session)) ? entry.checkInRating : null;
        const key = weekStartOf(session.startsAt, timeZone);
        const week = weeks.get(key) ?? { weekStart: key, minutesPresent: 0, sessions: [] };
        week.minutesPresent = Math.round((week.minutesPresent + minutes) * 100) / 100;
        week.sessions.push({ sessionId: session.id, title: session.title, startsAt: session.startsAt, minutesPresent: minutes, checkInRating });
        weeks.set(key, week);
      }
      return {
        participantRef,
        targetHoursPerWeek: (await store.attendance.target(participantRef))?.hoursPerWeek ?? null,
        weeks: [...weeks.values()].sort((a, b) => a.weekStart.localeCompare(b.weekStart)),
        timeZone,
      };
    },

    /**
     * What of the audit log the clinician may read: admins all of it (undefined); supervisors
     * the entries about sessions whose rosters they may see (the same rule as rosters) and the
     * entries by or about themselves and the clinicians they supervise, so another team's
     * addresses, sessions, invitations and crisis-information views stay with that team.
     * Anyone else reads none of it (FORBIDDEN): a facilitator's own acts are on their rosters.
     */
    async auditScope(clinician: Clinician): Promise<AuditScope | undefined> {
      if (clinician.roles.includes('admin')) return undefined;
      if (!clinician.roles.includes('supervisor')) {
        throw new ProtocolError('FORBIDDEN', 'only supervisors and admins read the audit log', { reason: 'audit-forbidden' });
      }
      return {
        sessionIds: (await sessionsVisibleTo(store, clinician, lifecycle)).map((s) => s.id),
        clinicianIds: [clinician.id, ...(await store.clinicians.supervisees(clinician.id))],
      };
    },

    /** Sets (or, with null, clears) the client's weekly target; same access as their history. */
    async setTarget(clinician: Clinician, participantRef: string, hoursPerWeek: number | null): Promise<void> {
      await visibleSessionsOf(clinician, participantRef);
      if (hoursPerWeek === null) await store.attendance.clearTarget(participantRef);
      else await store.attendance.setTarget({ participantRef, hoursPerWeek, setBy: clinician.id, setAt: lifecycle.now().toISOString() });
    },
  };

  async function visibleSessionsOf(clinician: Clinician, participantRef: string): Promise<{ session: SessionRecord; participantId: string }[]> {
    const visible: { session: SessionRecord; participantId: string }[] = [];
    for (const i of await store.invitations.byParticipantRef(participantRef)) {
      const session = await store.sessions.byId(i.sessionId);
      if (session && (await mayViewRoster(store, clinician, session))) visible.push({ session: lifecycle.summary(session), participantId: i.participantId });
    }
    if (visible.length === 0 && !clinician.roles.includes('admin')) {
      throw new ProtocolError('FORBIDDEN', 'you have no sessions with this client', { reason: 'client-forbidden' });
    }
    return visible;
  }
}

export type RosterService = ReturnType<typeof createRosterService>;
