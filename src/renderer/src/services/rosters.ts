/**
 * Rosters, attendance and the audit trail: every call goes to main, which asks the server
 * (or, offline, reads its encrypted copy). Answers that arrive after the clinician has moved
 * on to another session or client are dropped rather than shown under the wrong heading.
 */
import { addWeeks, localTimeZone } from '../../../shared/clinicWeeks';
import { call } from '../bridge';
import { useConsole } from '../store';
import type { RostersFilter } from '../store/rostersSlice';
import { t } from '../i18n';

/** How many weeks a client's attendance chart spans, ending with the range's last week. */
export const CLIENT_WEEKS = 12;

/** The filter's local days as the instants the server compares: [from 00:00, day after `to` 00:00). */
export function rangeOf(filter: RostersFilter): { from: string; to: string } {
  const [fy, fm, fd] = filter.from.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = filter.to.split('-').map(Number) as [number, number, number];
  return { from: new Date(fy, fm - 1, fd).toISOString(), to: new Date(ty, tm - 1, td + 1).toISOString() };
}

/** Whether the filter's days make a range the server will accept. */
export function filterProblem(filter: RostersFilter): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(filter.from) || !/^\d{4}-\d{2}-\d{2}$/.test(filter.to)) return t.rosters.bothDates;
  if (filter.to < filter.from) return t.rosters.backwards;
  return null;
}

export async function loadRosterList(): Promise<void> {
  const { rostersFilter: filter, setRosterListLoading } = useConsole.getState();
  if (filterProblem(filter)) return;
  setRosterListLoading(true);
  try {
    const list = await call('rosters:list', {
      ...rangeOf(filter),
      ...(filter.facilitatorId ? { facilitatorId: filter.facilitatorId } : {}),
    });
    // Only the answer for the filter still on screen.
    if (useConsole.getState().rostersFilter !== filter) return;
    useConsole.getState().setRosterList(list);
  } finally {
    if (useConsole.getState().rostersFilter === filter) setRosterListLoading(false);
  }
}

export async function openRoster(sessionId: string): Promise<void> {
  const { selectRoster } = useConsole.getState();
  selectRoster(sessionId);
  const roster = await call('rosters:get', { sessionId });
  if (useConsole.getState().openRosterId === sessionId) useConsole.getState().setOpenRoster(roster);
}

export async function openClient(participantRef: string): Promise<void> {
  useConsole.getState().selectClient(participantRef);
  await loadClientHistory(participantRef);
}

/** The span of a client's chart: the CLIENT_WEEKS weeks that end where the filter's range ends. */
export function clientWindow(filter: RostersFilter): { from: Date; to: Date } {
  const to = new Date(rangeOf(filter).to);
  return { from: addWeeks(to, -CLIENT_WEEKS, localTimeZone()), to };
}

async function loadClientHistory(participantRef: string): Promise<void> {
  const { from, to } = clientWindow(useConsole.getState().rostersFilter);
  const history = await call('attendance:client', { participantRef, from: from.toISOString(), to: to.toISOString() });
  if (useConsole.getState().openClientRef === participantRef) useConsole.getState().setClientHistory(history);
}

/** Sets (or with null clears) a client's weekly target, then shows their attendance as the server now has it. */
export async function setClientTarget(participantRef: string, hoursPerWeek: number | null): Promise<void> {
  await call('attendance:setTarget', { participantRef, hoursPerWeek });
  await loadClientHistory(participantRef);
}

/** Saves the session's roster as CSV where the clinician chooses; the path, or null if they cancelled. */
export async function exportRosterCsv(sessionId: string): Promise<string | null> {
  return (await call('rosters:exportCsv', { sessionId })).path;
}

export async function verifyAudit(): Promise<void> {
  useConsole.getState().setAuditVerification(await call('audit:verify', {}));
}

export async function loadAuditEntries(sessionId: string): Promise<void> {
  const entries = await call('audit:list', { sessionId });
  if (useConsole.getState().openRosterId === sessionId) useConsole.getState().setAuditEntries(entries);
}

/** Colleagues, for the facilitator filter and for naming people in audit entries. */
export async function loadColleagues(): Promise<void> {
  useConsole.getState().setColleagues(await call('clinicians:list', {}));
}
