/** Who may see and join which session: the rules of PROTOCOL.md in one place. */
import type { SessionSummary } from '../shared/protocol.js';
import type { Clinician } from './store/clinicians.js';
import type { SessionRecord } from './store/sessions.js';
import type { Store } from './store/store.js';

/** Facilitators: their own; supervisors: their supervisees'; admins: all. Roles add up. */
export function sessionsVisibleTo(store: Store, clinician: Clinician): SessionSummary[] {
  if (clinician.roles.includes('admin')) return store.sessions.all();
  const byId = new Map<string, SessionSummary>();
  if (clinician.roles.includes('facilitator')) {
    for (const s of store.sessions.facilitatedBy(clinician.id)) byId.set(s.id, s);
  }
  if (clinician.roles.includes('supervisor')) {
    for (const s of store.sessions.supervisedBy(clinician.id)) byId.set(s.id, s);
  }
  return [...byId.values()].sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.id.localeCompare(b.id));
}

export function facilitatorsOf(session: SessionRecord): string[] {
  return [session.facilitatorId, ...session.coFacilitatorIds];
}

/**
 * The role a clinician takes when joining a session live: its facilitators moderate,
 * supervisors of any of its facilitators observe, nobody else joins.
 */
export function liveRoleFor(store: Store, clinician: Clinician, session: SessionRecord): 'facilitator' | 'observer' | undefined {
  const facilitators = facilitatorsOf(session);
  if (facilitators.includes(clinician.id)) return 'facilitator';
  if (clinician.roles.includes('supervisor') && facilitators.some((f) => store.clinicians.supervises(clinician.id, f))) {
    return 'observer';
  }
  return undefined;
}
