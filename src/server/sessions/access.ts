/** Who may see, change and join which session: the rules of PROTOCOL.md in one place. */
import type { SessionSummary } from '../../shared/protocol.js';
import type { SessionLifecycle } from './lifecycle.js';
import type { Clinician } from '../store/clinicians.js';
import type { SessionRecord } from '../store/sessions.js';
import type { Repositories } from '../store/store.js';

export interface TimeRange {
  from?: Date | undefined;
  to?: Date | undefined;
}

/** Whether the session overlaps the range (a session touching an edge does not). */
export function overlaps(session: SessionRecord, range: TimeRange): boolean {
  if (range.from && Date.parse(session.endsAt) <= range.from.getTime()) return false;
  if (range.to && Date.parse(session.startsAt) >= range.to.getTime()) return false;
  return true;
}

/**
 * Facilitators: their own; supervisors: their supervisees'; admins: all. Roles add up.
 * States are as of now (see lifecycle.ts).
 */
export async function sessionsVisibleTo(
  store: Repositories,
  clinician: Clinician,
  lifecycle: SessionLifecycle,
  range: TimeRange = {},
): Promise<SessionSummary[]> {
  const byId = new Map<string, SessionRecord>();
  if (clinician.roles.includes('admin')) {
    for (const s of await store.sessions.all()) byId.set(s.id, s);
  }
  if (clinician.roles.includes('facilitator')) {
    for (const s of await store.sessions.facilitatedBy(clinician.id)) byId.set(s.id, s);
  }
  if (clinician.roles.includes('supervisor')) {
    for (const s of await store.sessions.supervisedBy(clinician.id)) byId.set(s.id, s);
  }
  return [...byId.values()]
    .filter((s) => overlaps(s, range))
    .sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.id.localeCompare(b.id))
    .map((s) => lifecycle.summary(s));
}

export function facilitatorsOf(session: SessionRecord): string[] {
  return [session.facilitatorId, ...session.coFacilitatorIds];
}

/** Invitations: the session's facilitators (lead and co-) and admins. */
export function mayManageInvitations(clinician: Clinician, session: SessionRecord): boolean {
  return clinician.roles.includes('admin') || facilitatorsOf(session).includes(clinician.id);
}

/** Editing the schedule: the lead facilitator and admins. */
export function mayEditSession(clinician: Clinician, session: SessionRecord): boolean {
  return clinician.roles.includes('admin') || session.facilitatorId === clinician.id;
}

export type LiveRole = 'facilitator' | 'observer';

/**
 * The role a clinician takes in a session live: its facilitators (still holding the
 * facilitator role) moderate, supervisors of any of its facilitators observe, nobody else
 * joins, and a deactivated account is nobody. Asked at hello and again on every call a
 * clinician's socket makes (see `currentLiveRole`), so a change to the record takes effect
 * on a socket opened before it.
 */
export async function liveRoleFor(store: Repositories, clinician: Clinician, session: SessionRecord): Promise<LiveRole | undefined> {
  if (!clinician.active) return undefined;
  const facilitators = facilitatorsOf(session);
  if (clinician.roles.includes('facilitator') && facilitators.includes(clinician.id)) return 'facilitator';
  if (clinician.roles.includes('supervisor')) {
    const supervised = new Set(await store.clinicians.supervisees(clinician.id));
    if (facilitators.some((f) => supervised.has(f))) return 'observer';
  }
  return undefined;
}

/**
 * Who is asking now: the role the record gives the clinician in the session at this moment,
 * read afresh (the admin command or another process may have changed it), not the one
 * their socket said hello with.
 */
export async function currentLiveRole(store: Repositories, clinicianId: string, sessionId: string): Promise<LiveRole | undefined> {
  const [clinician, session] = await Promise.all([store.clinicians.byId(clinicianId), store.sessions.byId(sessionId)]);
  return clinician && session ? liveRoleFor(store, clinician, session) : undefined;
}
