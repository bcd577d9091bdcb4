import type { StateCreator } from 'zustand';
import { addDays, dayOf, localTimeZone, weekStartInstant } from '../../../shared/clinicWeeks';
import type { Fetched, IpcResults } from '../../../shared/ipc';
import type { AttendanceHistory, AuditEntry, AuditVerification, Colleague, RosterSummary } from '../../../shared/protocol';
import type { ConsoleState } from './index';

export type SessionRoster = IpcResults['rosters:get']['data'];

export interface RostersFilter {
  /** First day shown, `YYYY-MM-DD` in local time. */
  from: string;
  /** Last day shown (inclusive), `YYYY-MM-DD` in local time. */
  to: string;
  /** '' for every facilitator the clinician may see. */
  facilitatorId: string;
}

/** A day as `YYYY-MM-DD` in local time (what `<input type="date">` speaks). */
export function localDay(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

/** This week and the three before it, Monday to Sunday in local time. */
export function defaultRostersFilter(now: Date = new Date()): RostersFilter {
  const zone = localTimeZone();
  const monday = dayOf(weekStartInstant(now, zone), zone);
  return { from: addDays(monday, -21), to: addDays(monday, 6), facilitatorId: '' };
}

export interface RostersSlice {
  rostersFilter: RostersFilter;
  rosterList: Fetched<RosterSummary[]> | null;
  rosterListLoading: boolean;
  openRosterId: string | null;
  openRoster: Fetched<SessionRoster> | null;
  /** The client whose attendance over weeks is shown. */
  openClientRef: string | null;
  clientHistory: Fetched<AttendanceHistory> | null;
  auditVerification: AuditVerification | null;
  auditEntries: AuditEntry[] | null;
  colleagues: Colleague[];
  setRostersFilter(filter: Partial<RostersFilter>): void;
  setRosterList(list: Fetched<RosterSummary[]> | null): void;
  setRosterListLoading(loading: boolean): void;
  selectRoster(id: string | null): void;
  setOpenRoster(roster: Fetched<SessionRoster> | null): void;
  selectClient(ref: string | null): void;
  setClientHistory(history: Fetched<AttendanceHistory> | null): void;
  setAuditVerification(verification: AuditVerification | null): void;
  setAuditEntries(entries: AuditEntry[] | null): void;
  setColleagues(colleagues: Colleague[]): void;
}

/** What a signed-out console must not keep in memory. */
export const emptyRosters: Pick<
  RostersSlice,
  'rosterList' | 'openRosterId' | 'openRoster' | 'openClientRef' | 'clientHistory' | 'auditVerification' | 'auditEntries' | 'colleagues'
> = {
  rosterList: null,
  openRosterId: null,
  openRoster: null,
  openClientRef: null,
  clientHistory: null,
  auditVerification: null,
  auditEntries: null,
  colleagues: [],
};

export const createRostersSlice: StateCreator<ConsoleState, [], [], RostersSlice> = (set) => ({
  rostersFilter: defaultRostersFilter(),
  rosterListLoading: false,
  ...emptyRosters,
  setRostersFilter: (filter) => set((s) => ({ rostersFilter: { ...s.rostersFilter, ...filter } })),
  setRosterList: (rosterList) => set({ rosterList, rosterListLoading: false }),
  setRosterListLoading: (rosterListLoading) => set({ rosterListLoading }),
  // A different session: what was shown for the last one no longer applies.
  selectRoster: (openRosterId) =>
    set((s) =>
      s.openRosterId === openRosterId
        ? {}
        : { openRosterId, openRoster: null, openClientRef: null, clientHistory: null, auditEntries: null },
    ),
  setOpenRoster: (openRoster) => set({ openRoster }),
  selectClient: (openClientRef) =>
    set((s) => (s.openClientRef === openClientRef ? {} : { openClientRef, clientHistory: null })),
  setClientHistory: (clientHistory) => set({ clientHistory }),
  setAuditVerification: (auditVerification) => set({ auditVerification }),
  setAuditEntries: (auditEntries) => set({ auditEntries }),
  setColleagues: (colleagues) => set({ colleagues }),
});
